// A response's content deltas as columns: a million streamed deltas would otherwise be a million
// small objects (≈ 110 bytes each with their strings); here they cost ≈ 13 bytes plus their text.
// Times in a Float64Array, kind and block in typed arrays, the texts joined into one string with
// end offsets. Token estimates are not stored: they follow from the text length (estimateTokens).
import type { ContentDelta, DeltaKind } from './model.js';

const KINDS: readonly DeltaKind[] = ['text', 'thinking', 'tool-args'];
const KIND_CODE: Record<DeltaKind, number> = { text: 0, thinking: 1, 'tool-args': 2 };

/** Token estimate of a fragment: ≈ UTF-16 length / 4, at least 1 for non-empty text. */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** The same estimate from a fragment's length. */
export function estimateTokensOfLength(length: number): number {
  return Math.ceil(length / 4);
}

// Columns of no deltas, shared: a response read without detail never pushes one, and its builder
// should not pay for four typed arrays it never fills (nor for trimming them when it ends).
const NO_TIMES = new Float64Array(0);
const NO_KINDS = new Uint8Array(0);
const NO_BLOCKS = new Int32Array(0);
const NO_ENDS = new Uint32Array(0);

export class ContentDeltas implements Iterable<ContentDelta> {
  private n = 0;
  private t = NO_TIMES;
  private kinds = NO_KINDS;
  private blocks = NO_BLOCKS;
  /** ends[i] = end of delta i's text in the joined text. */
  private ends = NO_ENDS;
  private joined = '';
  /** Texts pushed since the last join (joined when a text is read, and when the response ends). */
  private pending: string[] = [];

  static from(list: readonly ContentDelta[]): ContentDeltas {
    const d = new ContentDeltas();
    for (const x of list) d.push(x.tMs, x.kind, x.text, x.block);
    return d;
  }

  get length(): number {
    return this.n;
  }

  push(tMs: number, kind: DeltaKind, text: string, block: number): void {
    const i = this.n;
    if (i === this.t.length) this.grow(Math.max(8, i * 2));
    this.t[i] = tMs;
    this.kinds[i] = KIND_CODE[kind];
    this.blocks[i] = block;
    this.ends[i] = (i === 0 ? 0 : this.ends[i - 1]) + text.length;
    this.pending.push(text);
    this.n = i + 1;
  }

  /**
   * The non-empty pieces of a joined text as deltas (piece k: the next `lengths[k]` characters of
   * `joined`, at `tMs[k]`): the same as push() for each, the text kept joined as it came.
   */
  pushRun(tMs: ArrayLike<number>, kind: DeltaKind, joined: string, lengths: ArrayLike<number>, block: number): void {
    let count = 0;
    for (let k = 0; k < lengths.length; k++) if (lengths[k] > 0) count++;
    if (this.n + count > this.t.length) this.grow(Math.max(8, this.t.length * 2, this.n + count));
    const code = KIND_CODE[kind];
    let i = this.n;
    let end = i === 0 ? 0 : this.ends[i - 1];
    for (let k = 0; k < lengths.length; k++) {
      const len = lengths[k];
      if (len <= 0) continue;
      this.t[i] = tMs[k];
      this.kinds[i] = code;
      this.blocks[i] = block;
      this.ends[i] = end += len;
      i++;
    }
    this.n = i;
    this.pending.push(joined);
  }

  tMs(i: number): number {
    return this.t[i];
  }

  kind(i: number): DeltaKind {
    return KINDS[this.kinds[i]];
  }

  block(i: number): number {
    return this.blocks[i];
  }

  tokens(i: number): number {
    return estimateTokensOfLength(this.ends[i] - (i === 0 ? 0 : this.ends[i - 1]));
  }

  text(i: number): string {
    this.join();
    return this.joined.slice(i === 0 ? 0 : this.ends[i - 1], this.ends[i]);
  }

  /** Delta i as an object (for views that show a few). */
  at(i: number): ContentDelta {
    return { tMs: this.t[i], kind: this.kind(i), text: this.text(i), tokens: this.tokens(i), block: this.blocks[i] };
  }

  /** The arrival times, in order (a view of the column: do not keep it while deltas are still added). */
  times(): Float64Array {
    return this.t.subarray(0, this.n);
  }

  /** Whether some delta is a fragment of the arguments of the tool call at `block`. */
  hasToolArgs(block: number): boolean {
    for (let i = 0; i < this.n; i++) if (this.kinds[i] === 2 && this.blocks[i] === block) return true;
    return false;
  }

  toArray(): ContentDelta[] {
    const out = new Array<ContentDelta>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.at(i);
    return out;
  }

  /** JSON as the plain list (the model stays serialisable). */
  toJSON(): ContentDelta[] {
    return this.toArray();
  }

  *[Symbol.iterator](): Iterator<ContentDelta> {
    for (let i = 0; i < this.n; i++) yield this.at(i);
  }

  /** The deltas so far, as their own columns (a live snapshot of a response still streaming: this one goes on growing). */
  copy(): ContentDeltas {
    this.join();
    const d = new ContentDeltas();
    d.n = this.n;
    d.t = this.t.slice(0, this.n);
    d.kinds = this.kinds.slice(0, this.n);
    d.blocks = this.blocks.slice(0, this.n);
    d.ends = this.ends.slice(0, this.n);
    d.joined = this.joined;
    return d;
  }

  /** The response ended: join the texts and trim the columns to their length. */
  seal(): void {
    this.join();
    if (this.t.length !== this.n) this.grow(this.n);
  }

  private join(): void {
    if (this.pending.length === 0) return;
    this.joined += this.pending.join('');
    this.pending = [];
  }

  private grow(size: number): void {
    const n = this.n;
    const t = new Float64Array(size);
    t.set(this.t.subarray(0, n));
    const k = new Uint8Array(size);
    k.set(this.kinds.subarray(0, n));
    const b = new Int32Array(size);
    b.set(this.blocks.subarray(0, n));
    const e = new Uint32Array(size);
    e.set(this.ends.subarray(0, n));
    this.t = t;
    this.kinds = k;
    this.blocks = b;
    this.ends = e;
  }
}
