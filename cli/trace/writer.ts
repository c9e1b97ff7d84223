// Appends records to a trace file without ever stalling the proxy: encoding is synchronous and cheap,
// frames are compressed and written off the hot path at most ~50 ms later, and a fault degrades
// recording (with one warning) instead of throwing into the caller.
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, linkSync, unlinkSync, writeSync, write as fsWrite, fsync, close as fsClose } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import { readFile, open, rename } from 'node:fs/promises';
import { FLAGS_OFFSET, FLAG_OPEN } from '../../format/frame.js';
import { StreamRedactor } from '../../format/stream-redact.js';
import { TraceEncoder, TraceStreamReader, compactTrace, type Body, type Micros, type SessionRecord, type SummaryRecord, type TraceRecord, type TraceSource } from '../../format/index.js';
import { RequestCounter } from '../../analysis/request-count.js';
import { UsageError } from '../util/errors.js';
import { nodeBrotliEncode } from './brotli.js';
import { LAPSE_VERSION } from '../util/version.js';

/** The trace file exists already (a chosen name to refuse, a generated one to draw again). */
export class TraceExistsError extends UsageError {}

export interface WriterInit {
  argv: string[];
  cwd: string;
  harness: string | null;
  upstreams: { anthropic: string; openai: string; gemini?: string };
  redact: boolean;
  /** Wall-clock time of t=0 (default: now). `lapse import` gives the transcript's own. */
  startedAt?: number;
  /** Set for a trace built from a transcript (see SessionRecord.source). */
  source?: TraceSource;
  /** stdin and stdout were terminals (see SessionRecord.interactive). */
  interactive?: boolean;
}

export interface WriterOptions {
  /** Longest a record waits before it is handed to the OS (default 50 ms). */
  flushMs?: number;
  /** Queue size past which payloads are dropped and only timings kept (default 64 MiB). */
  maxQueueBytes?: number;
  onWarn?: (message: string) => void;
  /** For tests: replaces fs.write. */
  writeImpl?: typeof fsWrite;
  /** How many earlier request bodies the encoder tries as patch bases (default: the encoder's). */
  patchCandidates?: number;
  /** Re-frame the file into large frames on close (default true). */
  compactOnClose?: boolean;
  /** fsync on close (default true). An import, which can be redone from its source, skips it. */
  fsync?: boolean;
  /**
   * The first frame's summary, for a writer that is given every record before it starts (an import):
   * a reader then knows a copy cut short after the first frame is not whole, as for a compacted trace.
   */
  summary?: SummaryRecord;
}

export class TraceWriter {
  readonly path: string;
  private fd: number | null;
  private readonly encoder: TraceEncoder;
  /** Holds streamed deltas until the text of their content block can be redacted whole (null with --no-redact). */
  private readonly streams: StreamRedactor | null;
  private readonly start: bigint;
  private readonly flushMs: number;
  private readonly maxQueueBytes: number;
  private readonly warn: (message: string) => void;
  private readonly writeImpl: typeof fsWrite;
  private readonly compactOnClose: boolean;
  private readonly fsync: boolean;
  private queue: Uint8Array[] = [];
  private queueBytes = 0;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dropped = { records: 0, bytes: 0 };
  private closed = false;
  private failure: string | null = null;
  private warnedDrop = false;
  /** The session record as stored (redacted): what every reader of this trace gets. */
  session: SessionRecord | null = null;
  /** Bytes handed to the OS so far. */
  written = 0;
  records = 0;

  private constructor(path: string, fd: number, encoder: TraceEncoder, opts: WriterOptions, redact: boolean, start: bigint) {
    this.path = path;
    this.start = start;
    // deferred: a block's new text is scanned once per batch the writer is handed (endBatch) or per flush
    this.streams = redact ? new StreamRedactor({ defer: true }) : null;
    this.fd = fd;
    this.encoder = encoder;
    this.flushMs = opts.flushMs ?? 50;
    this.maxQueueBytes = opts.maxQueueBytes ?? 64 * 1024 * 1024;
    this.warn = opts.onWarn ?? ((m) => process.stderr.write(`lapse: warning: ${m}\n`));
    this.writeImpl = opts.writeImpl ?? fsWrite;
    this.compactOnClose = opts.compactOnClose ?? true;
    this.fsync = opts.fsync ?? true;
  }

  /**
   * Creates the file (mode 0600) with its header and session frame already in it, so that no kill
   * leaves an empty or header-less trace behind. Throws UsageError if it cannot.
   */
  static create(path: string, init: WriterInit, opts: WriterOptions = {}): TraceWriter {
    const encoder = new TraceEncoder({ redact: init.redact, patchCandidates: opts.patchCandidates, deflate: nodeDeflate });
    // t=0 is the moment startedAt names (the header and the file take tens of ms on a loaded machine)
    const start = process.hrtime.bigint();
    const session: SessionRecord = {
      kind: 'session',
      t: 0,
      formatVersion: { major: 0, minor: 0 }, // the encoder fills in its own version
      lapseVersion: LAPSE_VERSION,
      startedAt: init.startedAt ?? Date.now(),
      argv: init.argv,
      cwd: init.cwd,
      harness: init.harness,
      upstreams: init.upstreams,
      redacted: init.redact,
      ...(init.source ? { source: init.source } : {}),
      ...(init.interactive === undefined ? {} : { interactive: init.interactive }),
      writer: { pid: process.pid, host: hostname() },
    };
    const header = encoder.encodeHeader(session, opts.summary);
    const stored = (new TraceStreamReader().push(header).find((r) => r.kind === 'session') as SessionRecord | undefined) ?? null;
    header[FLAGS_OFFSET] |= FLAG_OPEN; // cleared by close(): a reader then knows the trace is whole
    const fd = createWithHeader(path, header);
    const w = new TraceWriter(path, fd ?? openExclusive(path), encoder, opts, init.redact, start);
    w.session = stored;
    if (fd === null) {
      w.enqueueRaw(header);
      w.flush();
    } else w.written = header.length;
    return w;
  }

  /** Microseconds since the session start (monotonic). */
  now(): Micros {
    return Number(process.hrtime.bigint() - this.start) / 1000;
  }

  /** Why recording degraded, or null. */
  get degraded(): string | null {
    return this.failure ?? (this.dropped.records > 0 ? `dropped ${this.dropped.records} payloads under pressure` : null);
  }

  /** Queue a record. Never throws, never blocks. */
  write(rec: TraceRecord): void {
    if (this.closed || this.failure) return;
    let ready: TraceRecord[];
    try {
      ready = this.streams ? this.streams.push(rec, this.now()) : [rec];
    } catch (err) {
      // the stream redactor failed: this record is redacted on its own below
      this.warn(`streamed text could not be redacted across events (${(err as Error).message}); redacting event by event`);
      ready = [rec];
    }
    this.encodeAll(ready);
    if (this.streams?.held) this.schedule();
  }

  /**
   * The caller has handed over a batch of records (the recorder's thread, one batch of the relay's
   * chunks, every 50 ms while they flow): streamed text held for redaction is scanned now, once for
   * the batch, and what is ready is framed and handed to the OS now too. The batch is already the
   * unit of time, and a flush timer of its own would wake this thread once more per frame (a frame
   * is framed here unless the last write is still in flight; then the timer takes it).
   */
  endBatch(): void {
    this.settleBatch();
    if (this.closed || this.failure || this.inFlight) return;
    if (this.streams) this.encodeAll(this.streams.release(this.now()));
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    if (this.streams?.held) this.schedule();
  }

  /** Streamed text held for redaction, scanned (once for what came since the last call). */
  private settleBatch(): void {
    if (!this.streams || this.closed || this.failure) return;
    let ready: TraceRecord[];
    try {
      ready = this.streams.settle();
    } catch (err) {
      // as in write(): what is held goes on to be redacted record by record
      this.warn(`streamed text could not be redacted across events (${(err as Error).message}); redacting event by event`);
      try {
        ready = this.streams.flush();
      } catch (again) {
        this.fail(`streamed text could not be redacted: ${(again as Error).message}`);
        return;
      }
    }
    this.encodeAll(ready);
  }

  private encodeAll(records: TraceRecord[]): void {
    for (const rec of records) {
      try {
        let r = rec;
        if (this.queueBytes > this.maxQueueBytes) r = this.shed(rec);
        const whole = r === rec && this.streams !== null && this.streams.redacted(rec);
        this.queue.push(this.encoder.encode(r, whole, whole ? this.streams!.shapeOf(rec) : undefined));
        this.queueBytes += queuedSize(this.queue[this.queue.length - 1]);
        this.records++;
        this.schedule();
      } catch (err) {
        this.fail(`could not encode a ${rec.kind} record: ${(err as Error).message}`);
        return;
      }
    }
  }

  marker(label: string): void {
    this.write({ kind: 'marker', t: this.now(), label });
  }

  /** Flush what is queued, fsync and close. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.streams && !this.failure) this.encodeAll(this.streams.flush());
    if (this.dropped.records > 0) this.writeDropNote();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    while (this.inFlight) await this.inFlight;
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return;
    if (!this.failure) await new Promise<void>((resolve) => fsWrite(fd, new Uint8Array([0]), 0, 1, FLAGS_OFFSET, () => resolve()));
    if (this.fsync) await new Promise<void>((resolve) => fsync(fd, () => resolve()));
    await new Promise<void>((resolve) => fsClose(fd, () => resolve()));
    if (!this.failure && this.compactOnClose) await this.compact();
  }

  /**
   * Rewrites the finished file with large frames (see format/compact.ts): written to a temporary file,
   * fsynced and renamed over the original, so a crash here still leaves the complete original.
   */
  private async compact(): Promise<void> {
    try {
      const original = await readFile(this.path);
      if (original.length > 512 * 1024 * 1024) return;
      const compacted = compactTrace(original, new RequestCounter(), { brotli: nodeBrotliEncode });
      // written even when not smaller: its summary lets a reader tell a copy cut after the first frame
      if (!compacted) return;
      const tmp = `${this.path}.compact-${process.pid}-${randomBytes(4).toString('hex')}`;
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(compacted);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
      this.written = compacted.length;
    } catch (err) {
      // the uncompacted trace is complete and valid: keep it
      this.warn(`could not compact the trace (${(err as Error).message.split('\n')[0]}); it is complete but larger`);
    }
  }

  /** For a process that must exit now (fatal signal): hand what is queued to the OS synchronously. */
  closeSync(): void {
    if (this.fd === null) return;
    this.closed = true;
    try {
      // In-flight async writes may still land after this; the frames stay in order because
      // frames queued here were encoded after them. Best effort by design.
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }

  private shed(rec: TraceRecord): TraceRecord {
    const dropBody = (b: Body): Body => ({ enc: 'dropped', length: b.enc === 'bytes' ? b.bytes.length : 0 });
    let out: TraceRecord = rec;
    if (rec.kind === 'http-request') out = { ...rec, body: dropBody(rec.body) };
    else if (rec.kind === 'ws-message') out = { ...rec, data: dropBody(rec.data) };
    else if (rec.kind === 'http-data') out = { ...rec, sse: undefined, chunk: { enc: 'dropped', length: rec.chunk?.enc === 'bytes' ? rec.chunk.bytes.length : rec.sse?.form === 'raw' ? rec.sse.text.length : 0 } };
    else if (rec.kind === 'file') out = { ...rec, diff: undefined };
    else if (rec.kind === 'term-output') out = { ...rec, data: dropBody(rec.data) };
    else if (rec.kind === 'term-input' && rec.text !== undefined) out = { ...rec, text: undefined };
    else return rec;
    this.dropped.records++;
    if (!this.warnedDrop) {
      this.warnedDrop = true;
      this.warn('trace writer is falling behind: dropping payloads (timings are kept)');
    }
    return out;
  }

  private writeDropNote(): void {
    const rec: TraceRecord = { kind: 'drop', t: this.now(), records: this.dropped.records, bytes: this.dropped.bytes, reason: 'write queue over its bound' };
    this.queue.push(this.encoder.encode(rec));
  }

  private enqueueRaw(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.queueBytes += bytes.length;
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // deltas held for a stream that went quiet are written with this batch
      if (this.streams && !this.closed && !this.failure) {
        this.settleBatch();
        this.encodeAll(this.streams.release(this.now()));
      }
      this.flush();
      if (this.streams?.held) this.schedule();
    }, this.flushMs);
    this.timer.unref?.();
  }

  private flush(): void {
    if (this.inFlight || this.queue.length === 0 || this.fd === null || this.failure) return;
    const batch = this.queue;
    this.queue = [];
    let batchBytes = 0;
    for (const b of batch) batchBytes += queuedSize(b);
    let bytes: Uint8Array;
    try {
      // The header is already framed; everything else is framed (and compressed) here, in order.
      bytes = this.written === 0 && batch.length >= 1 ? concatFramed(batch[0], batch.slice(1), this.encoder) : this.encoder.frame(batch);
    } catch (err) {
      this.fail(`could not frame records: ${(err as Error).message}`);
      return;
    }
    const fd = this.fd;
    this.inFlight = new Promise<void>((resolve) => {
      const step = (off: number) => {
        this.writeImpl(fd, bytes, off, bytes.length - off, null, (err, n) => {
          if (err) {
            this.fail(`trace write failed (${err.code ?? err.message}); the session goes on, recording stopped`);
            resolve();
            return;
          }
          if (off + n < bytes.length) return step(off + n);
          this.written += bytes.length;
          resolve();
        });
      };
      step(0);
    }).then(() => {
      this.inFlight = null;
      this.queueBytes = Math.max(0, this.queueBytes - batchBytes);
      if (this.queue.length) {
        if (this.closed) this.flush();
        else this.schedule();
      } else if (this.streams?.held && !this.closed) this.schedule();
    });
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = message;
    this.queue = [];
    this.queueBytes = 0;
    this.warn(message);
  }
}

/**
 * What a queued record weighs for the queue bound. A streamed event the encoder took into a run comes
 * back empty (its leaves wait in the encoder until the frame is made), yet it holds memory all the same.
 */
function queuedSize(encoded: Uint8Array): number {
  return encoded.length || 64;
}

function nodeDeflate(plain: Uint8Array, dictionary: Uint8Array | undefined, level: 6 | 9): Uint8Array {
  const out = deflateRawSync(plain, dictionary ? { level, dictionary } : { level });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** O_EXCL: a trace is never overwritten, not even by another lapse starting in the same instant. */
function openExclusive(path: string): number {
  try {
    return openSync(path, 'wx', 0o600);
  } catch (err) {
    throw createError(path, err);
  }
}

function createError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return new TraceExistsError(`cannot write trace ${path}: it already exists (lapse never overwrites a trace; choose another -o or remove it)`);
  return new UsageError(`cannot write trace ${path}: ${code ?? (err as Error).message}`);
}

/**
 * The trace file, appearing under its name with its first bytes in it: written to a hidden file
 * beside it and hard-linked into place (link, like O_EXCL, fails when the name exists). Returns its
 * descriptor, or null where that cannot be done (no hard links there, the header did not fit): then
 * the caller creates it with O_EXCL and writes the header right after.
 */
function createWithHeader(path: string, header: Uint8Array): number | null {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.new`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (err) {
    throw createError(path, err);
  }
  let linked = false;
  try {
    if (writeSync(fd, header, 0, header.length, null) !== header.length) throw new Error('short write');
    linkSync(tmp, path);
    linked = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      closeSync(fd);
      unlinkSync(tmp);
      throw createError(path, err);
    }
  }
  try {
    unlinkSync(tmp);
  } catch {
    // gone already
  }
  if (linked) return fd;
  closeSync(fd);
  return null;
}

function concatFramed(header: Uint8Array, rest: Uint8Array[], encoder: TraceEncoder): Uint8Array {
  if (rest.length === 0) return header;
  const frame = encoder.frame(rest);
  const out = new Uint8Array(header.length + frame.length);
  out.set(header, 0);
  out.set(frame, header.length);
  return out;
}
