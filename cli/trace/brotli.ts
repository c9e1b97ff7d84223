// node:zlib's Brotli for the trace's codec 5 (format/frame.ts): compaction writes it, the CLI's readers
// decode it natively (the format's default decoder is a JavaScript one, for the browser).
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * Quality 11 with a window over the whole frame: compaction runs once, after the session. `quick`
 * (quality 9, ~15× faster) only ranks two plaintexts.
 */
export function nodeBrotliEncode(plain: Uint8Array, quick = false): Uint8Array {
  const out = brotliCompressSync(plain, {
    params: { [constants.BROTLI_PARAM_QUALITY]: quick ? 9 : 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: plain.length },
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decodes exactly `length` bytes: a stream that would give more fails at the cap. */
export function nodeBrotli(compressed: Uint8Array, length: number): Uint8Array {
  const out = brotliDecompressSync(compressed, { maxOutputLength: Math.max(1, length) });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
