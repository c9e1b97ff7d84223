// Format 1.3's word table: in a compacted Brotli frame, the words that recur (runs of 2+ ASCII letters
// seen twice or more, most frequent first) are listed once in a `words` record, and each string of 16
// characters or more that holds them is stored word-coded — every such word replaced by the one
// character U+E000 + its index. A harness resends its prompt, tools and history, streams the answer in
// deltas and gets it back in the next request: the same few thousand words, which an LZ coder otherwise
// pays for as literals or as a match (offset and length) each time. Measured on bench/trace-size's
// 20-step session (Brotli -11): −2.2 KB of 46.9. Strings holding any character in U+E000–U+F8FF are
// stored as they are.
import { StringRef, WORD_BASE, WordCoded } from './packr.js';
import type { WordsRecord } from './types.js';

const WORD = /[A-Za-z]{2,}/g;
/** U+E000 … U+F8FF: the Private Use Area of the Basic Multilingual Plane. */
const MAX_WORDS = 0xf8ff - WORD_BASE + 1;
/** Shorter strings (names, kinds, ids, enum values) are left alone. */
export const MIN_CODED_LENGTH = 16;
const PRIVATE_USE = /[\ue000-\uf8ff]/;

type Visit = (s: string) => unknown;

/** `v` with every string value (not map keys, not inside binaries or references) passed through `f`. */
function mapStrings(v: unknown, f: Visit): unknown {
  if (typeof v === 'string') return f(v);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof StringRef) return v;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = mapStrings((v as Record<string, unknown>)[k], f);
  return out;
}

const codable = (s: string) => s.length >= MIN_CODED_LENGTH && !PRIVATE_USE.test(s);

/**
 * The values with their long strings word-coded, preceded by the `words` record they need; the values
 * as they are when no word recurs.
 */
export function codeWords(values: unknown[]): unknown[] {
  const counts = new Map<string, number>();
  const count: Visit = (s) => {
    if (codable(s)) for (const m of s.matchAll(WORD)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    return s;
  };
  for (const v of values) mapStrings(v, count);
  const words = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1]).slice(0, MAX_WORDS).map(([w]) => w);
  if (!words.length) return values;
  const index = new Map(words.map((w, i) => [w, i]));
  const code: Visit = (s) => {
    if (!codable(s)) return s;
    const coded = s.replace(WORD, (w) => {
      const i = index.get(w);
      return i === undefined ? w : String.fromCharCode(WORD_BASE + i);
    });
    return coded === s ? s : new WordCoded(coded);
  };
  const table: WordsRecord = { kind: 'words', words, t: 0 };
  return [table, ...values.map((v) => mapStrings(v, code))];
}
