import { describe, expect, it } from 'vitest';
import { fingerprint, readTrace, redactHeaders, redactText, redactUrl, type TraceRecord } from '../../format/index.js';
import { enc, writeTrace } from './helpers.js';

const KEYS = {
  anthropic: 'sk-ant-api03-' + 'Q'.repeat(40),
  openai: 'sk-proj-' + 'Z9'.repeat(20),
  plain: 'sk-' + 'abcDEF123_'.repeat(4),
  opaque: 'not-key-shaped-but-in-a-secret-header',
};

describe('redaction', () => {
  it('fingerprints are short, stable and tell keys apart', () => {
    expect(fingerprint(KEYS.anthropic)).toMatch(/^\[redacted:[0-9a-f]{8}\]$/);
    expect(fingerprint(KEYS.anthropic)).toBe(fingerprint(KEYS.anthropic));
    expect(fingerprint(KEYS.anthropic)).not.toBe(fingerprint(KEYS.openai));
  });

  it('replaces every secret header, keeping the auth scheme', () => {
    const h = redactHeaders({
      authorization: `Bearer ${KEYS.openai}`,
      'x-api-key': KEYS.anthropic,
      'proxy-authorization': `Basic ${KEYS.opaque}`,
      cookie: 'session=abc',
      'set-cookie': ['a=1', 'b=2'],
      'api-key': KEYS.opaque,
      'content-type': 'application/json',
      'x-other': `key ${KEYS.plain}`,
    });
    expect(h.authorization).toBe(`Bearer ${fingerprint(KEYS.openai)}`);
    expect(h['x-api-key']).toBe(fingerprint(KEYS.anthropic));
    expect(h['proxy-authorization']).toBe(`Basic ${fingerprint(KEYS.opaque)}`);
    expect(h.cookie).toBe(fingerprint('session=abc'));
    expect(h['set-cookie']).toEqual([fingerprint('a=1'), fingerprint('b=2')]);
    expect(h['api-key']).toBe(fingerprint(KEYS.opaque));
    expect(h['content-type']).toBe('application/json');
    expect(h['x-other']).toBe(`key ${fingerprint(KEYS.plain)}`);
  });

  it('replaces key-shaped strings in text and secret query parameters', () => {
    expect(redactText(`use ${KEYS.plain} now`)).toBe(`use ${fingerprint(KEYS.plain)} now`);
    expect(redactText('sk-short and task-sk-')).toBe('sk-short and task-sk-');
    expect(redactUrl(`/v1/models?key=${KEYS.opaque}&limit=5`)).toBe(`/v1/models?key=${encodeURIComponent(fingerprint(KEYS.opaque))}&limit=5`);
    expect(redactUrl(`/v1/x?q=${KEYS.openai}`)).toBe(`/v1/x?q=${fingerprint(KEYS.openai)}`);
  });

  it('no key reaches the trace bytes from headers, bodies, SSE, WebSocket frames, urls, argv or diffs', () => {
    const all = Object.values(KEYS);
    const recs: TraceRecord[] = [
      { kind: 'process-start', t: 1, pid: 1, argv: ['agent', `--key=${KEYS.plain}`] },
      { kind: 'http-request', t: 2, id: 'r1', method: 'POST', url: `/v1/messages?api_key=${KEYS.opaque}`, upstream: 'u', headers: { 'x-api-key': KEYS.anthropic, authorization: `Bearer ${KEYS.openai}` }, body: { enc: 'bytes', bytes: enc.encode(JSON.stringify({ note: `my key is ${KEYS.anthropic}`, k: KEYS.openai })) } },
      { kind: 'http-data', t: 3, id: 'r1', sse: { form: 'raw', text: `data: {"echo":"${KEYS.plain}"}\n\n` } },
      { kind: 'http-data', t: 4, id: 'r1', chunk: { enc: 'bytes', bytes: new Uint8Array([0xff, ...enc.encode(KEYS.openai)]) } },
      { kind: 'ws-open', t: 5, id: 'w', url: `/v1/responses?token=${KEYS.opaque}`, upstream: 'u', headers: { authorization: `Bearer ${KEYS.openai}`, 'sec-websocket-protocol': `x, ${KEYS.plain}` }, protocol: '', extensions: '' },
      { kind: 'ws-message', t: 6, id: 'w', dir: 'up', binary: false, data: { enc: 'bytes', bytes: enc.encode(`{"api_key":"${KEYS.openai}"}`) } },
      { kind: 'file', t: 7, path: '.env', op: 'create', diff: `+OPENAI_API_KEY=${KEYS.openai}\n` },
      { kind: 'http-end', t: 8, id: 'r1', outcome: 'error', message: `bad key ${KEYS.plain}`, bytes: 0 },
    ];
    for (const compress of [false, true]) {
      const bytes = writeTrace(recs, { compress, redact: true });
      const text = new TextDecoder('latin1').decode(bytes);
      for (const k of all) expect(text).not.toContain(k.slice(0, 20));
      // decompressed content is checked too: the records read back hold no key either
      const back = JSON.stringify(readTrace(bytes).records, (_k, v) => (v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : v));
      for (const k of all) expect(back).not.toContain(k.slice(0, 20));
      expect(back).toContain(fingerprint(KEYS.anthropic));
    }
  });
});
