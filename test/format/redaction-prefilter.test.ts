// Redaction tries a rule whose matches all start at one of its keywords (the generic keyword rule,
// JWTs, lapse's vendor shapes…) only where a keyword starts, instead of at every position of the
// text. That must find exactly what trying everywhere finds: compared here on texts dense in secrets,
// near-secrets and the rules' keywords, JSON-escaped ones and ones in every case included. And text
// redacted once comes through a second time unchanged (the recorder scans some text twice).
import { describe, expect, it } from 'vitest';
import { redactText, secretSpans } from '../../format/redact.js';
import { dotenv, secretCorpus } from '../faults/secret-corpus.js';
import { rng } from './helpers.js';

describe('redaction keyword-start prefilter', () => {
  it('finds the same secrets as every rule at every position', () => {
    const rand = rng(18);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    const corpus = secretCorpus('pre');
    const words = ['token', 'TOKEN', 'Token', 'key', 'KEY', 'api', 'API', 'Api', 'auth', 'secret', 'password', 'passwd', 'access', 'creds', 'credential', 'bearer', 'Basic', 'eyJ', 'ey', 'curl', 'gh', 'ghp_', 'gl', 'glpat-', 'sk-', 'xoxb-', 'npm_', 'AIza', 'AKIA', 'hf_', '-----BEGIN', 'API-', 'the', 'model', 'streams', 'a', '=', ': ', '="', '":"', ' -H ', '--token', '\\u002d', '\\n', '\n', ' ', '_', '.', '-', 'x'.repeat(12), 'Ab3dEf9hIj2kLm5nOp8q', 'eyJhbGciOiJIUzI1NiJ9', 'https://u:p@host/', '?sig=abc123def'];
    const texts: string[] = [dotenv(corpus), JSON.stringify({ env: dotenv(corpus) }), ...corpus.map((s) => s.value), ...corpus.map((s) => s.line)];
    for (let i = 0; i < 400; i++) {
      const parts: string[] = [];
      const n = 5 + Math.floor(rand() * 60);
      for (let k = 0; k < n; k++) parts.push(rand() < 0.15 ? pick(corpus)[rand() < 0.5 ? 'value' : 'line'] : pick(words));
      texts.push(parts.join(rand() < 0.5 ? '' : ' '));
    }
    let found = 0;
    for (const t of texts) {
      const fast = secretSpans(t);
      expect(fast, t).toEqual(secretSpans(t, true));
      found += fast.length;
    }
    // the comparison is only worth something if there was plenty to find
    expect(found).toBeGreaterThan(400);
  });
});

describe('redaction of redacted text', () => {
  it('leaves it as it is: a fingerprint after a secret name is not taken for a new secret', () => {
    for (const s of secretCorpus('again')) {
      for (const text of [s.line, `${s.line}\n`, `export ${s.line} # x`, JSON.stringify({ [s.kind.replace(/\W/g, '_')]: s.value }), `"api_key": "${s.value}"`]) {
        const once = redactText(text);
        expect(redactText(once), text).toBe(once);
      }
    }
  });
});
