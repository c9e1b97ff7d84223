// Inputs for the bad-trace fuzz suite: mutated, truncated, random, and well-framed-but-nonsense traces.
import { TraceEncoder, type TraceRecord } from '../../format/index.js';
import { rng, session } from '../format/helpers.js';

export { rng };

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

const KINDS = ['http-request', 'http-response', 'http-data', 'http-end', 'ws-open', 'ws-message', 'ws-close', 'file', 'process-start', 'process-exit', 'marker', 'drop', 'bogus'];
const PATHS = ['/v1/messages', '/v1/messages?beta=true', '/v1/chat/completions', '/v1/responses', '/v1/models', '/', ''];

/** A value of a random type: the analysis must survive any field holding anything. */
function anyValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 7 : 10));
  switch (k) {
    case 0: return null;
    case 1: return undefined;
    case 2: return Math.floor(r() * 1e6) - 5e5;
    case 3: return r() < 0.5 ? Number.NaN : r() < 0.5 ? Infinity : -1e300;
    case 4: return pick(r, ['', 'x', 'end_turn', 'tool_use', 'message_start', 'content_block_delta', '[DONE]', 'text_delta', 'a'.repeat(5000)]);
    case 5: return r() < 0.5;
    case 6: return new Uint8Array(Math.floor(r() * 20)).map(() => Math.floor(r() * 256));
    case 7: return Array.from({ length: Math.floor(r() * 4) }, () => anyValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (const key of ['type', 'index', 'delta', 'usage', 'message', 'choices', 'id', 'content_block', 'response', 'item', 'output_tokens', 'text', 'partial_json', 'name', 'call_id', 'sequence_number', 'stop_reason']) {
        if (r() < 0.3) o[key] = anyValue(r, depth + 1);
      }
      return o;
    }
  }
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** A record of a known or bogus kind whose fields are plausible, missing or of the wrong type. */
function nonsenseRecord(r: () => number, t: number): TraceRecord {
  const ids = ['r1', 'r2', 'w1', 'x'];
  const rec: Record<string, unknown> = { kind: pick(r, KINDS), t };
  const plausible = r() < 0.6;
  const set = (key: string, good: () => unknown) => {
    if (r() < 0.1) return; // missing
    rec[key] = plausible || r() < 0.5 ? good() : anyValue(r);
  };
  set('id', () => pick(r, ids));
  set('url', () => pick(r, PATHS));
  set('method', () => pick(r, ['POST', 'GET', 'HEAD']));
  set('upstream', () => 'http://127.0.0.1:1');
  set('headers', () => ({ 'content-type': pick(r, ['text/event-stream', 'application/json', 'text/plain']) }));
  set('status', () => pick(r, [200, 101, 400, 500, 529, 0]));
  set('statusText', () => 'OK');
  set('decoded', () => false);
  set('dir', () => pick(r, ['up', 'down', 'sideways']));
  set('binary', () => r() < 0.2);
  set('outcome', () => pick(r, ['complete', 'aborted', 'error', 'weird']));
  set('bytes', () => Math.floor(r() * 1000));
  set('code', () => pick(r, [0, 1, 1000, 1006, null]));
  set('reason', () => 'x');
  set('by', () => pick(r, ['client', 'upstream', 'proxy']));
  set('path', () => pick(r, ['a.ts', 'src/b.ts', '']));
  set('op', () => pick(r, ['create', 'modify', 'delete', 'rename', 'explode']));
  set('diff', () => '--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n');
  set('pid', () => 42);
  set('argv', () => ['x']);
  set('label', () => 'm');
  set('signal', () => null);
  const event = anyValue(r);
  set('body', () => ({ enc: 'json', value: { model: 'm', messages: [{ role: 'user', content: anyValue(r) }], stream: true, ...(event as object) } }));
  set('data', () => ({ enc: 'json', value: event }));
  set('sse', () => ({ form: 'structured', event: pick(r, ['message_start', 'content_block_delta', 'message_delta', 'response.output_text.delta', 'response.completed', undefined]), data: event }));
  set('chunk', () => ({ enc: 'text', text: JSON.stringify(event ?? null) }));
  return rec as unknown as TraceRecord;
}

/** A correctly framed trace of nonsense records (checksums pass: the analysis sees the nonsense). */
export function nonsenseTrace(r: () => number): Uint8Array {
  const enc = new TraceEncoder({ redact: r() < 0.5 });
  const parts = [enc.encodeHeader(session())];
  let t = 0;
  const n = 1 + Math.floor(r() * 40);
  const batch: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 100_000) - (r() < 0.05 ? 200_000 : 0); // sometimes going back in time
    try {
      batch.push(enc.encode(nonsenseRecord(r, t)));
    } catch {
      // the encoder refusing a record is fine: the recorder never hands it one like that
    }
  }
  if (batch.length) parts.push(enc.frame(batch));
  return concat(parts);
}

/** One of many ways to damage a valid trace. */
export function mutate(r: () => number, base: Uint8Array): Uint8Array {
  const kind = Math.floor(r() * 7);
  let b = base.slice();
  switch (kind) {
    case 0: // bit flips
      for (let k = 0; k < 1 + Math.floor(r() * 8); k++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return b;
    case 1: // truncation
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: { // insertion
      const at = Math.floor(r() * b.length);
      return concat([b.subarray(0, at), new Uint8Array(1 + Math.floor(r() * 64)).map(() => Math.floor(r() * 256)), b.subarray(at)]);
    }
    case 3: { // deletion
      const at = Math.floor(r() * b.length);
      return concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 64))]);
    }
    case 4: { // a slice repeated (duplicated frames)
      const a = Math.floor(r() * b.length);
      const e = Math.min(b.length, a + Math.floor(r() * 400));
      return concat([b.subarray(0, e), b.subarray(a, e), b.subarray(e)]);
    }
    case 5: // pure garbage, sometimes behind a valid magic
      b = new Uint8Array(Math.floor(r() * 3000)).map(() => Math.floor(r() * 256));
      if (r() < 0.5 && b.length >= 8) b.set(base.subarray(0, 8));
      return b;
    default: // well-framed nonsense
      return nonsenseTrace(r);
  }
}
