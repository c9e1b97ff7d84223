// The default decoder for codec 5 (Brotli) frames: the npm `brotli` package's pure-JavaScript one, for
// the browser, which has no Brotli of its own (DecompressionStream does gzip and deflate only).
// Imported by format/index.ts alone: a reader built from format/reader.ts (the CLI's, which passes
// node:zlib's) does not load it.
import { decompress } from 'brotli/decompress';
import { setDefaultBrotli } from './frame.js';

setDefaultBrotli((compressed, length) => decompress(compressed, length));
