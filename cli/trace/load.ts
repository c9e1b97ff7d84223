// Reading a trace file for the CLI: streamed from disk, errors turned into one-line UsageErrors.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { TraceStreamReader, TraceFormatError, type TraceReadResult, type TraceRecord, type ReaderOptions } from '../../format/index.js';
import { UsageError } from '../util/errors.js';

export interface LoadedTrace extends TraceReadResult {
  path: string;
}

export type TraceMetaRead = Omit<LoadedTrace, 'records'>;

// Small reads: every record a read completes is alive at once, and the format packs tens of thousands
// of records into a megabyte; 64 KiB reads keep the peak memory down at no measurable cost in time.
const CHUNK = 64 * 1024;

/**
 * Reads a trace from disk in one pass, handing each record to `onRecord` as its frame completes;
 * nothing is kept. Throws UsageError (one line) when the file is unreadable or not a trace.
 */
export function streamTrace(path: string, onRecord: (rec: TraceRecord, index: number) => void, opts: ReaderOptions = {}): TraceMetaRead {
  let fd: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${path} is a directory, not a trace`);
    // a FIFO, socket or device would block the read (or never end): a trace is a regular file
    if (!st.isFile()) throw new UsageError(`${path} is not a regular file (a pipe or a device), not a trace`);
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such trace: ${path}` : `cannot read trace ${path}: ${code ?? (err as Error).message}`);
  }
  const reader = new TraceStreamReader(opts);
  let index = 0;
  try {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // The reader may keep a view of the chunk while a frame is incomplete: give it its own copy.
      reader.pushEach(buf.slice(0, n), (r) => onRecord(r, index++));
    }
    const { truncated, damage } = reader.end();
    const meta: TraceMetaRead = { path, version: reader.version, truncated, bytes: reader.bytes };
    if (damage) meta.damage = damage;
    return meta;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof TraceFormatError) throw new UsageError(`${path}: ${err.message}`);
    throw new UsageError(`${path}: cannot read trace: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
}

/** The whole trace in memory (viewers, exports). */
export function loadTrace(path: string, opts: ReaderOptions = {}): LoadedTrace {
  const records: TraceRecord[] = [];
  const meta = streamTrace(path, (r) => records.push(r), opts);
  return { ...meta, records };
}
