// A RecordSink whose TraceWriter runs on a worker thread. The proxy's thread only stamps times and
// queues chunks and records (recording-queue.ts), posted in batches; reading the chunks (tap-host.ts),
// encoding, compression and disk writes happen on the worker, so however costly they are, they add
// nothing to the latency the harness sees.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Micros, TraceRecord } from '../../format/types.js';
import { TraceWriter, type WriterInit } from '../trace/writer.js';
import { UsageError } from '../util/errors.js';
import { RecordingQueue, type Batch } from './recording-queue.js';
import { LiveOtlp } from './otlp-live.js';
import type { RecordSink } from './sink.js';
import type { StreamOp } from './tap-host.js';
import type { FromWorker, ToWorker } from './writer-worker.js';

export interface ClosableSink extends RecordSink {
  readonly path: string;
  close(): Promise<void>;
  readonly degraded: string | null;
}

/**
 * How long a batch gathers chunks. Each batch costs the writer thread a wake-up with cold caches
 * (about half a millisecond of CPU on a loaded 2-core machine, measured: one stream at 2,000 events/s
 * cost it ~28 µs per event in batches of 40, ~14 µs in batches of 200); the trace is on disk at most
 * this plus a frame's write later.
 */
const BATCH_MS = 50;
/** Payload bytes handed to the writer thread and not yet taken in, past which payloads are shed. */
const MAX_BEHIND_BYTES = 64 * 1024 * 1024;

/** The compiled worker next to this module, or (when running from TypeScript sources) in dist/. */
function workerFile(): string | null {
  const here = fileURLToPath(new URL('./writer-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/cli/record/writer-worker.js', import.meta.url));
  return existsSync(built) ? built : null;
}

export class WorkerSink implements ClosableSink {
  private readonly queue: RecordingQueue;
  private closing: Promise<void> | null = null;
  private dead: string | null = null;
  private closedInfo: { degraded: string | null } | null = null;
  private closedWaiter: (() => void) | null = null;
  /**
   * Payload bytes posted to the writer thread, and (in `taken`, which that thread adds to) the bytes it
   * has taken in, both modulo 2^32: their difference is how far behind it is. A shared counter rather
   * than a message per batch: an answer to every batch woke the relay's event loop 50 times a second.
   */
  private posted = 0;
  private readonly taken: Int32Array;
  private shed = { records: 0, bytes: 0 };

  private constructor(
    readonly path: string,
    private readonly worker: Worker,
    private readonly origin: bigint,
    private readonly warn: (m: string) => void,
    private readonly maxBehindBytes: number,
    taken: SharedArrayBuffer,
  ) {
    this.taken = new Int32Array(taken);
    this.queue = new RecordingQueue((batch, transfer, bytes) => this.post(batch, transfer, bytes), {
      batchMs: BATCH_MS,
      behind: () => this.behindBytes > this.maxBehindBytes,
      onShed: (bytes) => this.countShed(bytes),
    });
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'warn') this.warn(m.message);
      else if (m.type === 'closed') {
        this.closedInfo = { degraded: m.degraded };
        this.closedWaiter?.();
      }
    });
    worker.on("error", (err: Error) => this.die(`trace writer thread failed: ${err.message}`));
    worker.on('exit', () => {
      if (!this.closedInfo) this.die('trace writer thread exited');
    });
  }

  /** Starts the writer thread and waits until the trace file exists with its header. */
  /** `otlpEndpoint`: also send the session's spans to that collector as it runs (otlp-live.ts, on the writer's thread). */
  static async start(path: string, init: WriterInit, warn: (m: string) => void, opts: { maxBehindBytes?: number; otlpEndpoint?: string } = {}): Promise<ClosableSink> {
    const file = workerFile();
    if (!file) {
      const writer = TraceWriter.create(path, init, { onWarn: warn });
      const live = opts.otlpEndpoint ? new LiveOtlp(opts.otlpEndpoint, path, warn) : null;
      if (live && writer.session) live.add(writer.session);
      return new InThreadSink(writer, live);
    }
    const taken = new SharedArrayBuffer(4);
    const worker = new Worker(file, { workerData: { path, init, otlpEndpoint: opts.otlpEndpoint, taken } });
    const first = await new Promise<FromWorker>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (first.type === 'error') {
      await worker.terminate();
      throw new UsageError(first.message);
    }
    if (first.type !== 'ready') throw new Error('trace writer thread did not start');
    // hrtime is one monotonic clock for every thread of the process.
    const origin = BigInt(first.hr) - BigInt(Math.round(first.now * 1000));
    return new WorkerSink(path, worker, origin, warn, opts.maxBehindBytes ?? MAX_BEHIND_BYTES, taken);
  }

  now(): Micros {
    return Number(process.hrtime.bigint() - this.origin) / 1000;
  }

  /** Payload bytes handed to the writer thread and not yet taken in. */
  get behindBytes(): number {
    return (this.posted - Atomics.load(this.taken, 0)) >>> 0;
  }

  get degraded(): string | null {
    return this.dead ?? this.closedInfo?.degraded ?? null;
  }

  write(rec: TraceRecord): void {
    if (this.dead || this.closing) return;
    // The writer thread runs at low priority: if it falls this far behind, keep the timings and
    // drop the payloads rather than let memory grow (as the writer itself does under pressure).
    if (this.behindBytes > this.maxBehindBytes) rec = this.shedPayload(rec);
    this.queue.control(ownBytes(rec));
  }

  stream(op: StreamOp): void {
    if (this.dead || this.closing) return;
    this.queue.control(op);
  }

  chunk(key: number, t: Micros, bytes: Uint8Array): void {
    if (this.dead || this.closing) return;
    this.queue.chunk(key, t, bytes);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.shed.records) {
        this.warn(`the trace writer fell behind: ${this.shed.records} payloads were dropped (timings kept)`);
        this.queue.control({ kind: 'drop', t: this.now(), records: this.shed.records, bytes: this.shed.bytes, reason: 'the writer thread fell behind the proxy' });
      }
      this.queue.flush();
      if (this.dead) return;
      const closed = new Promise<void>((r) => (this.closedWaiter = r));
      this.worker.postMessage({ type: 'close' } satisfies ToWorker);
      await Promise.race([closed, new Promise<void>((r) => this.worker.once('exit', () => r()))]);
    })();
    return this.closing;
  }

  private post(batch: Batch, transfer: ArrayBuffer[], bytes: number): void {
    if (this.dead) return;
    this.posted = (this.posted + bytes) >>> 0;
    try {
      this.worker.postMessage({ type: 'batch', batch } satisfies ToWorker, transfer);
    } catch (err) {
      this.die(`could not hand records to the writer thread: ${(err as Error).message}`);
    }
  }

  private countShed(bytes: number): void {
    this.shed.records++;
    this.shed.bytes += bytes;
    if (this.shed.records === 1) this.warn('the trace writer is falling behind: dropping payloads (timings are kept)');
  }

  private shedPayload(rec: TraceRecord): TraceRecord {
    const bytes = payloadBytes(rec);
    if (!bytes) return rec;
    this.countShed(bytes);
    const dropped = { enc: 'dropped' as const, length: bytes };
    if (rec.kind === 'http-data') return { kind: 'http-data', t: rec.t, id: rec.id, chunk: dropped };
    if (rec.kind === 'http-request') return { ...rec, body: dropped };
    if (rec.kind === 'ws-message') return { ...rec, data: dropped };
    if (rec.kind === 'file') return { ...rec, diff: undefined };
    if (rec.kind === 'term-output') return { ...rec, data: dropped };
    if (rec.kind === 'term-input') return { ...rec, text: undefined };
    return rec;
  }

  private die(message: string): void {
    if (this.dead || this.closedInfo) return;
    this.dead = message;
    this.warn(message);
    this.closedWaiter?.();
  }
}

/**
 * Byte payloads are usually views into larger pooled buffers (Node's 8 KB pool, a socket's read
 * buffer) that may still be queued for writing to a socket. Posting such a view would clone its whole
 * buffer; a copy of just the bytes is posted instead.
 */
function ownBytes(r: TraceRecord): TraceRecord {
  const own = <B extends { enc: string }>(b: B): B => {
    if (b.enc !== 'bytes') return b;
    // new Uint8Array(view) copies; Buffer#slice would not (it is subarray).
    return { ...b, bytes: new Uint8Array((b as unknown as { bytes: Uint8Array }).bytes) };
  };
  if (r.kind === 'http-data' && r.chunk) return { ...r, chunk: own(r.chunk) };
  if (r.kind === 'http-request') return { ...r, body: own(r.body) };
  if (r.kind === 'ws-message') return { ...r, data: own(r.data) };
  if (r.kind === 'term-output') return { ...r, data: own(r.data) };
  return r;
}

/** The size of what a record carries beyond its timing (what shedding would save). */
function payloadBytes(r: TraceRecord): number {
  const body = (b: { enc: string; bytes?: Uint8Array; text?: string }) => b.bytes?.length ?? b.text?.length ?? 0;
  if (r.kind === 'http-data') return r.sse ? (r.sse.form === 'raw' ? r.sse.text.length : 0) : r.chunk ? body(r.chunk as never) : 0;
  if (r.kind === 'http-request') return body(r.body as never);
  if (r.kind === 'ws-message') return body(r.data as never);
  if (r.kind === 'file') return r.diff?.length ?? 0;
  if (r.kind === 'term-output') return body(r.data as never);
  if (r.kind === 'term-input') return r.text?.length ?? 0;
  return 0;
}

/** Fallback when no compiled worker is around (tests running from sources without a build). */
class InThreadSink implements ClosableSink {
  constructor(
    private readonly writer: TraceWriter,
    private readonly live: LiveOtlp | null,
  ) {}
  get path(): string {
    return this.writer.path;
  }
  get degraded(): string | null {
    return this.writer.degraded;
  }
  now(): Micros {
    return this.writer.now();
  }
  write(rec: TraceRecord): void {
    this.writer.write(rec);
    this.live?.add(rec);
  }
  async close(): Promise<void> {
    await this.writer.close();
    await this.live?.close();
  }
}
