// Secrets never reach the disk: headers and key-shaped strings become a short fingerprint,
// so two different keys can still be told apart in a trace without being stored.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from './utf8.js';
import type { Headers } from './types.js';

export const SECRET_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'api-key',
  'openai-api-key',
  'anthropic-api-key',
  'x-goog-api-key',
]);

/** Query parameters whose values are secrets whatever they look like. */
export const SECRET_QUERY_PARAMS = new Set(['key', 'api_key', 'apikey', 'api-key', 'token', 'access_token', 'auth', 'secret']);

// sk-… (OpenAI), sk-ant-… (Anthropic), sk-proj-…, and Google API keys (AIza + 35 characters).
const KEY_PATTERN = /\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}|\bAIza[0-9A-Za-z_-]{35}/g;
const HEX = '0123456789abcdef';

export function fingerprint(secret: string): string {
  const digest = sha256(utf8Encode(secret));
  let hex = '';
  for (let i = 0; i < 4; i++) hex += HEX[digest[i] >> 4] + HEX[digest[i] & 15];
  return `[redacted:${hex}]`;
}

/** Replaces key-shaped substrings. Cheap when there is nothing to replace (one regex scan). */
export function redactText(text: string): string {
  if (text.indexOf('sk-') === -1 && text.indexOf('AIza') === -1) return text;
  return text.replace(KEY_PATTERN, (m) => fingerprint(m));
}

export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (!SECRET_HEADERS.has(lower)) return redactText(value);
  // Keep the scheme ("Bearer") so the trace still says what kind of credential was used.
  const m = /^(Bearer|Basic|Token)\s+(.*)$/i.exec(value);
  return m ? `${m[1]} ${fingerprint(m[2])}` : fingerprint(value);
}

export function redactHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value.map((v) => redactHeaderValue(name, v)) : redactHeaderValue(name, value);
  }
  return out;
}

/** Path + query: secret-named parameters and key-shaped values are replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return redactText(url);
  const path = url.slice(0, q);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactText(pair);
      const name = pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      if (SECRET_QUERY_PARAMS.has(decoded.toLowerCase())) return `${name}=${encodeURIComponent(fingerprint(pair.slice(eq + 1)))}`;
      return `${name}=${redactText(pair.slice(eq + 1))}`;
    })
    .join('&');
  return `${redactText(path)}?${query}`;
}
