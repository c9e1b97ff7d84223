// Format 1.3's `times` record: the member time deltas of a frame's runs as one column of byte planes.
// In the 20-step session of bench/trace-size the deltas are ~11 random bits per event; between the
// text of the runs they cost Brotli ~8 KB, gathered as planes ~5.5 KB (and DEFLATE 12 → 7 KB).
import { packr, withRefsKept } from './packr.js';
import { concatBytes } from './bytes.js';
import type { SseRunRecord, TimesRecord } from './types.js';

/** int32 values as 4 byte planes: byte j of value i at j·m + i. */
export function toPlanes(values: ArrayLike<number>): Uint8Array {
  const m = values.length;
  const out = new Uint8Array(4 * m);
  for (let i = 0; i < m; i++) {
    const v = values[i];
    out[i] = v & 255;
    out[m + i] = (v >>> 8) & 255;
    out[2 * m + i] = (v >>> 16) & 255;
    out[3 * m + i] = (v >>> 24) & 255;
  }
  return out;
}

/** The values of toPlanes; null when the length is not a multiple of 4. */
export function fromPlanes(bytes: Uint8Array): Int32Array | null {
  if (bytes.length % 4 !== 0) return null;
  const m = bytes.length >> 2;
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = bytes[i] | (bytes[m + i] << 8) | (bytes[2 * m + i] << 16) | (bytes[3 * m + i] << 24);
  return out;
}

/**
 * A frame's plaintext with its runs' `dt` moved into one `times` record in front (the plaintext as it
 * is when no run has a `dt`). Every other value is packed back as it was read.
 */
export function gatherTimes(plain: Uint8Array): Uint8Array {
  const values: unknown[] = [];
  withRefsKept(() => packr.unpackMultiple(plain, (v) => void values.push(v)));
  const deltas: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const r = values[i] as SseRunRecord;
    if (r?.kind !== 'sse-run' || !r.dt) continue;
    const view = new DataView(r.dt.buffer, r.dt.byteOffset, r.dt.byteLength);
    for (let o = 0; o < r.dt.length; o += 4) deltas.push(view.getInt32(o, true));
    const { dt: _dt, ...rest } = r;
    values[i] = rest;
  }
  if (!deltas.length) return plain;
  const times: TimesRecord = { kind: 'times', dt: toPlanes(deltas), t: 0 };
  return concatBytes([packr.pack(times), ...values.map((v) => packr.pack(v))]);
}
