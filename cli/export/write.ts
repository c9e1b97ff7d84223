// Node side: writing an export to a file or stdout in batches, with back-pressure.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../util/errors.js';

const BATCH = 1 << 16;

/** Writes the chunks to `path` (mode 0600: exports hold prompts and code) or to stdout when path is null. */
export async function writeChunks(chunks: Iterable<string>, path: string | null): Promise<number> {
  const out: Writable = path ? createWriteStream(path, { mode: 0o600 }) : process.stdout;
  let failure: Error | null = null;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  out.on('error', onError);
  let bytes = 0;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (buf === '') return;
    bytes += Buffer.byteLength(buf);
    const ok = out.write(buf);
    buf = '';
    if (!ok && !failure) await drained(out);
  };
  for (const c of chunks) {
    if (failure) break;
    buf += c;
    if (buf.length >= BATCH) await flush();
  }
  if (!failure) {
    buf += '\n';
    await flush();
  }
  if (path && !failure) {
    out.end();
    await new Promise<void>((resolve) => {
      out.once('finish', resolve);
      out.once('error', () => resolve());
    });
  }
  // stdout may still report the broken pipe of writes already queued: keep listening, quietly.
  if (path) out.off('error', onError);
  if (failure) {
    const e = failure as NodeJS.ErrnoException;
    // A reader that stopped early (`| head`) is not an error of ours.
    if (!path && e.code === 'EPIPE') return bytes;
    throw new UsageError(`cannot write ${path ?? 'to stdout'}: ${e.code ?? e.message}`);
  }
  return bytes;
}

/** Resolves on 'drain' or 'error' (the error itself is kept by the caller's listener). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}
