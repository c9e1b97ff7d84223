// Node side: writing an export to a file or stdout in batches, with back-pressure.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
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
    if (!ok && !failure) await Promise.race([once(out, 'drain'), once(out, 'error')]);
  };
  for (const c of chunks) {
    if (failure) break;
    buf += c;
    if (buf.length >= BATCH) await flush();
  }
  buf += '\n';
  await flush();
  if (path && !failure) {
    out.end();
    await Promise.race([once(out, 'finish'), once(out, 'error')]).catch(() => undefined);
  }
  out.off('error', onError);
  if (failure) {
    const e = failure as NodeJS.ErrnoException;
    // A reader that stopped early (`| head`) is not an error of ours.
    if (!path && e.code === 'EPIPE') return bytes;
    throw new UsageError(`cannot write ${path ?? 'to stdout'}: ${e.code ?? e.message}`);
  }
  return bytes;
}
