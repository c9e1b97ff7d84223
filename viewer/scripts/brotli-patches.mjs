// Build-time edits to the npm `brotli` decoder (dec/decode.js), applied by viewer/vite.config.ts and
// checked by test/viewer/brotli-patches.test.ts. Each throws when the package no longer has the code it
// expects, so an upgrade fails the build instead of silently losing the edit.

/**
 * The decoder decompresses its 122 KB static dictionary when its module is evaluated: ~90 ms of every
 * page load, though only traces ≤ 1 MiB (one Brotli frame) use it. Moved into its first use.
 */
function lazyDictionary(code, id) {
  const eager = '\nBrotliDictionary.init();\n';
  const entry = 'export function BrotliDecompress(input, output) {\n';
  if (code.split(eager).length !== 2 || code.split(entry).length !== 2) throw new Error(`${id}: the brotli decoder changed (its dictionary set-up); see viewer/scripts/brotli-patches.mjs`);
  // init() decompresses the dictionary with BrotliDecompress itself: the flag is set first.
  return code.replace(eager, '\n').replace(entry, `let dictionaryReady = false;\n${entry}  if (!dictionaryReady) {\n    dictionaryReady = true;\n    BrotliDictionary.init();\n  }\n`);
}

/**
 * Given an output size, the decoder still grows its buffer for every meta-block past it, so a frame
 * of a few hundred bytes decoded hundreds of MiB (3 s, and as much memory) before the reader could see
 * the length was wrong. A meta-block declares its length before it is decoded: one that would pass the
 * buffer now stops the decoding there, so a frame costs at most its declared length.
 */
function boundedOutput(code, id) {
  const grow = '    if (pos + meta_block_remaining_len > output.buffer.length) {\n      /* We need to grow the output buffer to fit the additional data. */\n';
  if (code.split(grow).length !== 2) throw new Error(`${id}: the brotli decoder changed (its output growth); see viewer/scripts/brotli-patches.mjs`);
  return code.replace(grow, `${grow}      if (output.bounded) throw new Error('brotli stream longer than its declared length');\n`).replace(
    '  var output = new BrotliOutput(output_buffer);\n',
    '  var output = new BrotliOutput(output_buffer);\n  output.bounded = output_size_given;\n',
  ).replace('  if (output_size == null) {\n', '  var output_size_given = output_size != null;\n  if (output_size == null) {\n');
}

/** The patched source of node_modules/brotli/dec/decode.js. */
export function patchBrotliDecoder(code, id = 'brotli/dec/decode.js') {
  const out = boundedOutput(lazyDictionary(code, id), id);
  if (!out.includes('output.bounded = output_size_given;') || !out.includes('var output_size_given')) throw new Error(`${id}: the brotli decoder changed (its buffer set-up); see viewer/scripts/brotli-patches.mjs`);
  return out;
}
