// What the watcher remembers about one file: the text (to diff the next version against) for text
// files up to 1 MiB while the watcher's text budget lasts, else only size and, when cheap, a hash.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';

export const MAX_TEXT_BYTES = 1024 * 1024;

export type FileState =
  | { kind: 'text'; text: string; size: number; mtimeMs: number }
  | {
      kind: 'blob';
      size: number;
      mtimeMs: number;
      /** null until needed: large files are not hashed up front. */
      hash: string | null;
      /** Text the watcher had no room left to keep (its memory bound): known by hash like a blob. */
      overBudget?: boolean;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text if it has no NUL byte in its first 8 KB and is valid UTF-8 (git's heuristic plus a UTF-8 check). */
export function decodeText(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, 8000);
  if (head.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function hashFile(abs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(abs)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * The file's state now, or null if it is not a regular file (gone, a directory, a symlink…).
 * `hashLarge`: hash files over the text limit too (for a change record; the initial scan skips it).
 * `textRoom`: bytes of text the caller can still keep; a text file larger than that is hashed instead.
 */
export async function readState(abs: string, hashLarge: boolean, textRoom = MAX_TEXT_BYTES): Promise<FileState | null> {
  let st;
  try {
    st = await lstat(abs);
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  try {
    if (st.size > MAX_TEXT_BYTES) {
      return { kind: 'blob', size: st.size, mtimeMs: st.mtimeMs, hash: hashLarge ? await hashFile(abs) : null };
    }
    const bytes = await readFile(abs);
    if (bytes.length > MAX_TEXT_BYTES) return { kind: 'blob', size: bytes.length, mtimeMs: st.mtimeMs, hash: sha256(bytes) };
    const text = decodeText(bytes);
    if (text === null) return { kind: 'blob', size: bytes.length, mtimeMs: st.mtimeMs, hash: sha256(bytes) };
    if (bytes.length > textRoom) return { kind: 'blob', size: bytes.length, mtimeMs: st.mtimeMs, hash: sha256(bytes), overBudget: true };
    return { kind: 'text', text, size: bytes.length, mtimeMs: st.mtimeMs };
  } catch {
    return null; // vanished or unreadable between stat and read
  }
}

export function sameContent(a: FileState, b: FileState): boolean {
  if (a.kind === 'text' && b.kind === 'text') return a.text === b.text;
  if (a.kind === 'blob' && b.kind === 'blob') return a.hash !== null && a.hash === b.hash;
  return false;
}
