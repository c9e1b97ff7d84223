// Reading a trace file for the CLI: streamed from disk, errors turned into one-line UsageErrors.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
// The reader's own modules, not the format's index: that one brings the encoder and its redaction
// rules, which a command that only reads a trace would load and compile for nothing.
import { TraceStreamReader, type ReaderOptions } from '../../format/reader.js';
import { TraceFormatError } from '../../format/errors.js';
import type { SessionRecord, SummaryRecord, TraceReadResult, TraceRecord } from '../../format/types.js';
import type { EventRun } from '../../format/runs.js';
import { FILE_HEADER_LENGTH, FRAME_HEADER_LENGTH } from '../../format/frame.js';
import { UsageError } from '../util/errors.js';
import { nodeBrotli } from './brotli.js';

export interface LoadedTrace extends TraceReadResult {
  path: string;
}

export type TraceMetaRead = Omit<LoadedTrace, 'records'>;

// Small reads: every record a read completes is alive at once, and the format packs tens of thousands
// of records into a megabyte; 64 KiB reads keep the peak memory down at no measurable cost in time.
const CHUNK = 64 * 1024;

/**
 * Reads a trace from disk in one pass, handing each record to `onRecord` as its frame completes;
 * nothing is kept. With `onRun`, event runs go to it whole (a run of n takes indexes index … index+n−1;
 * SessionBuilder.addRun). Throws UsageError (one line) when the file is unreadable or not a trace.
 */
export function streamTrace(path: string, onRecord: (rec: TraceRecord, index: number) => void, opts: ReaderOptions = {}, onRun?: (run: EventRun, index: number) => void): TraceMetaRead {
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
  const reader = new TraceStreamReader({ inflate: nodeInflate, brotli: nodeBrotli, ...opts });
  let index = 0;
  try {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // The reader may keep a view of the chunk while a frame is incomplete: give it its own copy.
      reader.pushEach(
        buf.slice(0, n),
        (r) => onRecord(r, index++),
        onRun &&
          ((run) => {
            onRun(run, index);
            index += run.n;
          }),
      );
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

/**
 * node:zlib's inflate (native, ~2× fflate's speed), stopped at the frame's declared length. Into one
 * buffer of that length (the reader has held it to its limit): in its default 16 KiB pieces, zlib
 * took twice as long, most of it copying the pieces together.
 */
export function nodeInflate(deflated: Uint8Array, dictionary: Uint8Array | undefined, length: number): Uint8Array {
  const out = inflateRawSync(deflated, { dictionary, maxOutputLength: Math.max(1, length), chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, length) });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The whole trace in memory (viewers, exports). */
export function loadTrace(path: string, opts: ReaderOptions = {}): LoadedTrace {
  const records: TraceRecord[] = [];
  const meta = streamTrace(path, (r) => records.push(r), opts);
  return { ...meta, records };
}

/**
 * The first frame only: the session record and, in a compacted trace, its summary (null when the trace
 * has none: it was not closed cleanly, or predates format 1.1). Throws UsageError like streamTrace.
 */
export function readHead(path: string): { session: SessionRecord | null; summary: SummaryRecord | null } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read trace ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const head = new Uint8Array(FILE_HEADER_LENGTH + FRAME_HEADER_LENGTH);
    const n = readSync(fd, head, 0, head.length, 0);
    const reader = new TraceStreamReader();
    let session: SessionRecord | null = null;
    const take = (r: TraceRecord) => {
      if (r.kind === 'session') session = r;
    };
    reader.pushEach(head.subarray(0, n), take);
    if (n === head.length) {
      const length = new DataView(head.buffer).getUint32(FILE_HEADER_LENGTH, true);
      // the session frame is small; a huge length is damage the full read will report
      const frame = new Uint8Array(Math.min(length, 1024 * 1024));
      const m = readSync(fd, frame, 0, frame.length, head.length);
      reader.pushEach(frame.subarray(0, m), take);
    }
    return { session, summary: reader.summary };
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${path}: ${err.message}`);
    throw new UsageError(`${path}: cannot read trace: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
}
