// Following a trace while the recorder writes it (`lapse view`, `lapse tui` on a live trace): new
// bytes are read as they land and handed on; when the header's open flag is cleared (the recorder
// closed the file) and every byte before that is read, the tail ends. The bytes go to the format's own
// streaming reader when records are wanted: it stops at an incomplete last frame and resumes when the
// rest arrives, so there is no second parser here.
//
// The file descriptor stays on the file that was opened: when the recorder closes the trace it
// compacts it into a new file renamed over the path, and the descriptor keeps reading the original,
// complete, inode (whose flag was cleared before the rename).
import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { TraceStreamReader, type SessionRecord, type TraceRecord } from '../../format/index.js';
import { FILE_HEADER_LENGTH, FLAGS_OFFSET, FLAG_OPEN, MAGIC_BYTES } from '../../format/frame.js';
import { UsageError } from '../util/errors.js';
import { listTraces } from '../util/paths.js';
import { nodeInflate } from './load.js';
import { nodeBrotli } from './brotli.js';

const CHUNK = 64 * 1024;
/** How often the file is looked at besides the kernel's change notices (which may not come: NFS, some containers). */
const POLL_MS = 200;
/** How often a follower checks that the writing process is still there (a kill -9 leaves the open flag set). */
const WRITER_CHECK_MS = 1000;

/**
 * The trace's writer, named in its session record, is known to be gone: same host, no such process.
 * False when it cannot be told (older traces without `writer`, another host, a pid we may not signal).
 */
export function writerGone(session: Pick<SessionRecord, 'writer'> | null | undefined): boolean {
  const w = session?.writer;
  if (!w || w.host !== hostname()) return false;
  if (w.pid === process.pid) return false;
  try {
    process.kill(w.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The session record at the start of the trace (the writer puts it in the first frame), or null. */
function readSession(fd: number): SessionRecord | null {
  const buf = new Uint8Array(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0);
  try {
    const recs = new TraceStreamReader({ inflate: nodeInflate, brotli: nodeBrotli }).push(buf.subarray(0, n));
    return (recs.find((r) => r.kind === 'session') as SessionRecord | undefined) ?? null;
  } catch {
    return null;
  }
}

/**
 * True while a recorder is writing the trace at `path`: the header's open flag is set and its writer is
 * not known to be gone (a recorder killed with kill -9 leaves the flag set). False for anything unreadable.
 */
export function isRecording(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(FILE_HEADER_LENGTH);
    if (readSync(fd, head, 0, head.length, 0) < head.length) return false;
    for (let i = 0; i < MAGIC_BYTES.length; i++) if (head[i] !== MAGIC_BYTES[i]) return false;
    if ((head[FLAGS_OFFSET] & FLAG_OPEN) === 0) return false;
    return !writerGone(readSession(fd));
  } finally {
    closeSync(fd);
  }
}

/** The newest trace in the trace directory that a recorder is writing now, or null. */
export function newestRecording(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const t of listTraces(env)) if (isRecording(t.path)) return t.path;
  return null;
}

export interface TailHandlers {
  /** New bytes of the file, in order, from `from`. */
  bytes?: (chunk: Uint8Array) => void;
  /** New records (only when given: the bytes then also go through a TraceStreamReader). */
  records?: (recs: TraceRecord[]) => void;
  /** The recorder closed the trace and every byte was handed on (or the file could not be read on). */
  end?: (why: { closed: boolean; error: string | null }) => void;
}

export class TraceTail {
  private fd: number | null;
  private offset: number;
  private readonly reader: TraceStreamReader | null;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private again = false;
  private ended = false;
  private session: SessionRecord | null = null;
  private checkedWriterAt = 0;

  /** Opens the trace and starts following it at byte `from` (0: the whole file). Throws UsageError if it cannot be opened. */
  constructor(
    readonly path: string,
    private readonly on: TailHandlers,
    opts: { from?: number; reader?: TraceStreamReader } = {},
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new UsageError(`cannot read trace ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.offset = opts.from ?? 0;
    this.reader = on.records ? (opts.reader ?? new TraceStreamReader({ inflate: nodeInflate, brotli: nodeBrotli })) : null;
    try {
      this.watcher = watch(path, { persistent: false }, () => this.poll());
      this.watcher.on('error', () => this.unwatch());
    } catch {
      this.watcher = null; // the interval alone
    }
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref?.();
    queueMicrotask(() => this.poll());
  }

  /** The reader the records come from (its figures: version, bytes, damage). */
  get traceReader(): TraceStreamReader | null {
    return this.reader;
  }

  /** Bytes handed on so far (the file offset reached). */
  get position(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.ended;
  }

  /** Reads what is new now (also called by the watcher and the timer). */
  poll(): void {
    if (this.ended || this.fd === null) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        // The flag first: when it reads cleared, every byte the recorder wrote is in the file already.
        const closed = !this.flagSet();
        this.readToEnd();
        if (closed && !this.ended) {
          this.reader?.markClosed();
          this.finish({ closed: true, error: null });
        } else if (!this.ended && this.writerDied()) {
          this.readToEnd();
          this.finish({ closed: false, error: 'the recorder stopped without closing the trace (killed?); it ends at its last whole frame' });
        }
      } while (this.again && !this.ended);
    } catch (err) {
      this.finish({ closed: false, error: (err as Error).message.split('\n')[0] });
    } finally {
      this.busy = false;
    }
  }

  /** At most once a second: the open flag is still set but the process writing the trace is gone. */
  private writerDied(): boolean {
    const now = Date.now();
    if (now - this.checkedWriterAt < WRITER_CHECK_MS || this.fd === null) return false;
    this.checkedWriterAt = now;
    this.session ??= readSession(this.fd);
    return writerGone(this.session);
  }

  private flagSet(): boolean {
    if (this.fd === null) return true;
    const b = new Uint8Array(1);
    if (readSync(this.fd!, b, 0, 1, FLAGS_OFFSET) < 1) return true; // the header is not even there yet
    return (b[0] & FLAG_OPEN) !== 0;
  }

  private readToEnd(): void {
    if (this.fd === null) return;
    const size = fstatSync(this.fd).size;
    while (this.fd !== null && this.offset < size && !this.ended) {
      const buf = new Uint8Array(Math.min(CHUNK, size - this.offset));
      const n = readSync(this.fd!, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      this.offset += n;
      this.on.bytes?.(chunk);
      if (this.reader) {
        const recs = this.reader.push(chunk);
        if (recs.length) this.on.records!(recs);
      }
    }
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private finish(why: { closed: boolean; error: string | null }): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    this.on.end?.(why);
  }

  /** Stops following (closes the file). */
  stop(): void {
    this.unwatch();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
  }
}
