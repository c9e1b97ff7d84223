// A trace file straight into the session model, streamed: records are analysed as they are read and
// not kept, so stats/simulate on a big trace hold only the figures. (loadTrace keeps every record,
// which the viewers need and these commands do not.) Errors match loadTrace: one-line UsageErrors.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { TraceStreamReader, TraceFormatError } from '../../format/index.js';
import { SessionBuilder, type AnalyseOptions } from '../../analysis/session.js';
import type { SessionModel } from '../../analysis/model.js';
import { UsageError } from '../util/errors.js';

// Small reads: every record a read completes is alive at once, and this format packs ~40,000
// records into a megabyte; 16 KiB reads keep the peak memory down at no measurable cost in time.
const CHUNK = 16 * 1024;

export function readModel(path: string, opts: AnalyseOptions = { detail: false }): SessionModel {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a trace`);
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such trace: ${path}` : `cannot read trace ${path}: ${code ?? (err as Error).message}`);
  }
  const reader = new TraceStreamReader();
  const builder = new SessionBuilder(opts);
  try {
    const buf = new Uint8Array(CHUNK);
    let index = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // The reader may keep a view of the chunk while a frame is incomplete: give it its own copy.
      for (const r of reader.push(buf.slice(0, n))) builder.add(r, index++);
    }
    const { truncated, damage } = reader.end();
    return builder.finish({ path, version: reader.version, truncated, bytes: reader.bytes, ...(damage ? { damage } : {}) });
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${path}: ${err.message}`);
    throw new UsageError(`${path}: cannot read trace: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
}
