// Response headers for a replayed exchange: the recorded ones, minus what describes one connection or
// the recorded framing (the replay frames the body itself).
import type { Headers } from '../../format/types.js';
import { HOP_BY_HOP } from '../record/headers.js';

// Hop-by-hop headers as the recorder drops them, and the recorded length (the replay frames the body).
const NOT_REPLAYED = new Set([...HOP_BY_HOP, 'content-length']);

/**
 * A flat [name, value, …] list for writeHead. `decoded`: the trace holds the decoded body, so the
 * recorded content-encoding no longer describes it; otherwise the stored bytes are the wire's own.
 */
export function replayHeaders(h: Headers, decoded: boolean): string[] {
  const listed = new Set<string>();
  for (const v of [h['connection']].flat()) {
    if (typeof v === 'string') for (const tok of v.split(',')) listed.add(tok.trim().toLowerCase());
  }
  const out: string[] = [];
  for (const [name, value] of Object.entries(h)) {
    if (NOT_REPLAYED.has(name) || listed.has(name)) continue;
    if (decoded && name === 'content-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(name, v);
  }
  return out;
}

/** Headers for the handshake of a replayed WebSocket: what `ws` does not write itself. */
export function handshakeExtras(h: Headers): string[] {
  const skip = new Set(['connection', 'upgrade', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions', 'content-length', 'transfer-encoding']);
  const out: string[] = [];
  for (const [name, value] of Object.entries(h)) {
    if (skip.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      // A header line must not carry CR/LF; the trace could hold anything.
      if (!/[\r\n]/.test(v)) out.push(`${name}: ${v}`);
    }
  }
  return out;
}

export { recordHeaders } from '../record/headers.js';
