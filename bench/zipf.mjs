// Synthetic words whose frequencies follow Zipf's law, as in real prose and code (a uniform pick
// would be far less compressible than any real text, a cycled list far more).
//
// `rand` is the caller's PRNG (so its figures stay reproducible); `shape(i, letters)` turns the i-th
// vocabulary entry's letters into the word (capitals, leading spaces, line breaks…).
export function zipfWords(rand, { size, minLetters, maxLetters, shape = (_i, w) => w }) {
  const letters = 'etaoinshrdlucmfwypvbgkqjxz';
  const vocab = Array.from({ length: size }, (_, i) => {
    let w = '';
    const n = minLetters + Math.floor(rand() * (maxLetters - minLetters + 1));
    for (let k = 0; k < n; k++) w += letters[Math.floor(Math.pow(rand(), 1.7) * letters.length)];
    return shape(i, w);
  });
  const weights = vocab.map((_, i) => 1 / Math.pow(i + 1, 1.05));
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cumulative = weights.map((x) => (acc += x / total));
  return () => {
    const r = rand();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo];
  };
}
