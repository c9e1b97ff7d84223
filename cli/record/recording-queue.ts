// The relay thread's whole share of recording: each chunk is copied, with its arrival time, into the
// current batch, and batches go to the writer thread by size and by time, their buffers moved rather
// than cloned. Nothing here looks inside the bytes; splitting, decoding and redaction happen where
// the batch is read (tap-host.ts, on the writer thread).
import type { Micros, TraceRecord } from '../../format/types.js';
import type { StreamOp } from './tap-host.js';

/** A finished record, or an operation on a stream of chunks (see tap-host.ts). */
export type Control = TraceRecord | StreamOp;

/**
 * What goes over to the writer thread. `entries` holds 4 numbers per entry: type, stream key (or
 * the index into `controls`), arrival time, byte length; chunk bytes lie back to back in `bytes`.
 */
export interface Batch {
  bytes: ArrayBuffer;
  entries: Float64Array;
  count: number;
  controls: Control[];
}

const CHUNK = 0;
const DROPPED = 1;
const CONTROL = 2;
const FIELDS = 4;

/** Post a batch once it holds this many bytes or entries, or BATCH_MS after its first entry. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_ENTRIES = 8192;
/** A batch's first buffer: one stream's 50 ms is a few KB, and each batch's buffer is a new allocation. */
const MIN_CAPACITY = 8 * 1024;

export interface QueueOptions {
  /** Longest an entry waits before its batch is posted. */
  batchMs: number;
  /** True while the writer thread is too far behind: chunks are then kept as their length only. */
  behind(): boolean;
  /** A chunk was shed (only its length and time go over). */
  onShed(bytes: number): void;
}

export class RecordingQueue {
  private bytes = new Uint8Array(MIN_CAPACITY);
  private used = 0;
  private entries = new Float64Array(256 * FIELDS);
  private count = 0;
  private controls: Control[] = [];
  /** Arrival time of the batch's first chunk: a chunk arriving batchMs later posts the batch itself. */
  private firstT = -1;
  private timer: NodeJS.Timeout | null = null;
  private readonly post = () => this.flush();

  constructor(
    private readonly send: (batch: Batch, transfer: ArrayBuffer[], payloadBytes: number) => void,
    private readonly opts: QueueOptions,
  ) {}

  control(c: Control): void {
    this.controls.push(c);
    this.entry(CONTROL, this.controls.length - 1, 0, 0);
  }

  /** The chunk's bytes are copied at once: the caller's buffer may be a view into a pool. */
  chunk(key: number, t: Micros, chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.opts.behind()) {
      this.opts.onShed(n);
      this.entry(DROPPED, key, t, n);
      return;
    }
    if (this.used + n > this.bytes.length) this.grow(n);
    this.bytes.set(chunk, this.used);
    this.used += n;
    if (this.firstT < 0) this.firstT = t;
    this.entry(CHUNK, key, t, n);
    // While chunks flow the batch goes with the chunk that finds it due, not on a timer's own wake-up
    // of the relay's event loop (the timer stays for a stream that went quiet).
    if (this.count && t - this.firstT >= this.opts.batchMs * 1000) this.flush();
  }

  /** Posts what is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.firstT = -1;
    if (this.count === 0) return;
    const bytes = this.bytes.buffer as ArrayBuffer;
    const entries = this.entries.subarray(0, this.count * FIELDS).slice();
    const batch: Batch = { bytes, entries, count: this.count, controls: this.controls };
    const payload = this.used;
    // The next batch starts about as large as this one needed, so a busy stream rarely grows one.
    this.bytes = new Uint8Array(Math.min(BATCH_BYTES, Math.max(MIN_CAPACITY, this.used)));
    this.used = 0;
    this.count = 0;
    this.controls = [];
    this.send(batch, [bytes, entries.buffer as ArrayBuffer], payload);
  }

  private entry(type: number, key: number, t: Micros, length: number): void {
    if ((this.count + 1) * FIELDS > this.entries.length) {
      const more = new Float64Array(this.entries.length * 2);
      more.set(this.entries);
      this.entries = more;
    }
    const e = this.entries;
    const i = this.count++ * FIELDS;
    e[i] = type;
    e[i + 1] = key;
    e[i + 2] = t;
    e[i + 3] = length;
    if (this.used >= BATCH_BYTES || this.count >= BATCH_ENTRIES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(this.post, this.opts.batchMs);
      this.timer.unref();
    }
  }

  /** Room for `n` more bytes: a larger buffer for this batch, or (when it is big enough) a new batch. */
  private grow(n: number): void {
    if (this.used > 0 && this.used + n > BATCH_BYTES) this.flush();
    if (this.used + n <= this.bytes.length) return;
    const more = new Uint8Array(Math.max(this.used + n, this.bytes.length * 2));
    more.set(this.bytes.subarray(0, this.used));
    this.bytes = more;
  }
}

/** The chunk bytes a batch carries (what its sender counted as handed over). */
export function batchBytes(batch: Batch): number {
  const e = batch.entries;
  let n = 0;
  for (let i = 0; i < batch.count; i++) if (e[i * FIELDS] === CHUNK) n += e[i * FIELDS + 3];
  return n;
}

export interface BatchReader {
  control(c: Control): void;
  chunk(key: number, t: Micros, bytes: Buffer): void;
  dropped(key: number, t: Micros, length: number): void;
}

/** Replays a batch, in order, into `to` (chunks are views into the batch's buffer, not copies). */
export function readBatch(batch: Batch, to: BatchReader): void {
  const e = batch.entries;
  let off = 0;
  for (let i = 0; i < batch.count; i++) {
    const j = i * FIELDS;
    const type = e[j];
    if (type === CONTROL) to.control(batch.controls[e[j + 1]]);
    else if (type === DROPPED) to.dropped(e[j + 1], e[j + 2], e[j + 3]);
    else {
      const n = e[j + 3];
      to.chunk(e[j + 1], e[j + 2], Buffer.from(batch.bytes, off, n));
      off += n;
    }
  }
}
