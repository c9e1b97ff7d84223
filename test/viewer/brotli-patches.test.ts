// The viewer's build edits the npm brotli decoder (viewer/scripts/brotli-patches.mjs). Here the edited
// source is loaded beside the original (so its relative imports resolve) and run in Node.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
// @ts-expect-error a plain .mjs build script
import { patchBrotliDecoder } from '../../viewer/scripts/brotli-patches.mjs';

const decodeJs = join(dirname(createRequire(import.meta.url).resolve('brotli/decompress')), 'dec', 'decode.js');
const patchedPath = join(dirname(decodeJs), `decode.lapse-test-${process.pid}.js`);

afterAll(() => rmSync(patchedPath, { force: true }));

describe('the viewer build’s edits to the brotli decoder', () => {
  it('stops a stream at its declared length before decoding past it, and still decodes honest streams', async () => {
    writeFileSync(patchedPath, patchBrotliDecoder(readFileSync(decodeJs, 'utf8')));
    const { BrotliDecompressBuffer } = (await import(pathToFileURL(patchedPath).href)) as { BrotliDecompressBuffer: (b: Uint8Array, n?: number) => Uint8Array };
    const text = new TextEncoder().encode('lapse '.repeat(50_000));
    const honest = brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    expect(Buffer.from(BrotliDecompressBuffer(new Uint8Array(honest), text.length)).equals(Buffer.from(text))).toBe(true);
    // 256 MiB of zeros in a couple of hundred bytes, declared as 1 MiB: the unedited decoder decodes all of it
    const bomb = brotliCompressSync(Buffer.alloc(256 << 20), { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 } });
    expect(bomb.length).toBeLessThan(20_000);
    expect(() => BrotliDecompressBuffer(new Uint8Array(bomb), 1 << 20)).toThrow(/longer than its declared length/);
    // without a declared size (the decoder reads it from the stream) it behaves as before
    expect(BrotliDecompressBuffer(new Uint8Array(honest)).length).toBe(text.length);
  });

  it('refuses a decoder that no longer has the code it edits', () => {
    expect(() => patchBrotliDecoder('export function BrotliDecompress(input, output) {\n}\n')).toThrow(/the brotli decoder changed/);
  });
});
