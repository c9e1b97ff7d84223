// Reading a trace file for the CLI: streamed from disk, errors turned into one-line UsageErrors.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { TraceStreamReader, TraceFormatError, type TraceReadResult, type TraceRecord, type ReaderOptions } from '../../format/index.js';
import { UsageError } from '../util/errors.js';

export interface LoadedTrace extends TraceReadResult {
  path: string;
}

const CHUNK = 1 << 20;

export function loadTrace(path: string, opts: ReaderOptions = {}): LoadedTrace {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a trace`);
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such trace: ${path}` : `cannot read trace ${path}: ${code ?? (err as Error).message}`);
  }
  const reader = new TraceStreamReader(opts);
  const records: TraceRecord[] = [];
  try {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // The reader may keep a view of the chunk while a frame is incomplete: give it its own copy.
      for (const r of reader.push(buf.slice(0, n))) records.push(r);
    }
    const { truncated, damage } = reader.end();
    const result: LoadedTrace = { path, version: reader.version, records, truncated, bytes: reader.bytes };
    if (damage) result.damage = damage;
    return result;
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${path}: ${err.message}`);
    throw new UsageError(`${path}: cannot read trace: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
}
