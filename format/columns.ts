// Format 1.3's `columns` record: the numbers of a frame's runs — member time deltas (as byte planes)
// and the piece lengths of joined string columns — gathered in front of the frame, apart from the text.
// On bench/trace-size's 20-step session the deltas are ~11 random bits per event: between the runs'
// text they cost Brotli ~8 KB, gathered as planes ~5.5 KB; the lengths together save another ~1.1 KB.
import { packr, withRefsKept } from './packr.js';
import { concatBytes } from './bytes.js';
import { codeWords } from './words.js';
import type { ColumnsRecord, SseRunRecord } from './types.js';

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

type StoredColumn = unknown[] | { joined: string; lengths?: number[] };

/**
 * A frame's plaintext re-packed for compaction's Brotli frame: its runs' `dt` and joined columns'
 * `lengths` moved into one `columns` record in front and, with `words`, its long strings word-coded
 * after a `words` record (format/words.ts). Every other value is packed back as it was read.
 */
export function packForBrotli(plain: Uint8Array, words: boolean): Uint8Array {
  const values: unknown[] = [];
  withRefsKept(() => packr.unpackMultiple(plain, (v) => void values.push(v)));
  const deltas: number[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const r = values[i] as SseRunRecord;
    if (r?.kind !== 'sse-run') continue;
    const { dt, ...rest } = r;
    if (dt) {
      const view = new DataView(dt.buffer, dt.byteOffset, dt.byteLength);
      for (let o = 0; o < dt.length; o += 4) deltas.push(view.getInt32(o, true));
    }
    rest.cols = (r.cols as StoredColumn[]).map((c) => {
      if (Array.isArray(c) || !c.lengths) return c;
      for (const x of c.lengths) lengths.push(x);
      return { joined: c.joined };
    }) as SseRunRecord['cols'];
    values[i] = rest;
  }
  const columns: ColumnsRecord = { kind: 'columns', t: 0 };
  if (deltas.length) columns.dt = toPlanes(deltas);
  if (lengths.length) columns.lengths = lengths;
  const head = deltas.length || lengths.length ? [columns] : [];
  const out = [...head, ...values];
  return concatBytes((words ? codeWords(out) : out).map((v) => packr.pack(v)));
}

/** What a reader holds of a frame's `columns` record: the values not yet given back to runs. */
export class FrameColumns {
  private dtAt = 0;
  private lengthsAt = 0;
  constructor(
    private readonly dt: Int32Array | null,
    private readonly lengths: number[] | null,
  ) {}

  /** The next `n` time deltas; null when the record holds fewer. */
  takeDeltas(n: number): Int32Array | null {
    if (!this.dt || this.dt.length - this.dtAt < n) return null;
    return this.dt.subarray(this.dtAt, (this.dtAt += n));
  }

  /** The next `n` piece lengths; null when the record holds fewer. */
  takeLengths(n: number): number[] | null {
    if (!this.lengths || this.lengths.length - this.lengthsAt < n) return null;
    return this.lengths.slice(this.lengthsAt, (this.lengthsAt += n));
  }
}
