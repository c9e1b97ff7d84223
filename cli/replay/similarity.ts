// How alike two request bodies are, 0..1. Bodies of one session differ mostly in their newest
// messages (a 75 KB system prompt and tool list repeat on every request), and a re-run differs a little
// everywhere (ids, dates, temp paths). So the score leans on the conversation's tail and its length,
// with a token-set Jaccard over the whole body and the model name as weaker signals.
// Features are computed once per body (one pass over the text); comparing two costs O(K), any size.
// Where the conversation sits in a body is the protocols' knowledge (conversationOf).
import { conversationOf } from '../../analysis/protocols/index.js';

export interface BodyFeatures {
  /** FNV-1a of the whole text: identical bodies score 1 without any set work. */
  hash: number;
  length: number;
  /** Parsed as a JSON object. */
  json: boolean;
  model: string | null;
  /** Messages / input items; null when the body has no conversation array. */
  count: number | null;
  /** Sketch of the distinct word tokens of the last two conversation items (or of a string input). */
  tail: Uint32Array;
  /** Sketch of the distinct word tokens of the whole body. */
  all: Uint32Array;
}

/**
 * Bottom-K sketch size: the K smallest distinct token hashes. Two sketches estimate the Jaccard index of
 * the full token sets (exactly, when the union has at most K tokens) in O(K), whatever the body size.
 */
const K = 256;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Hashes every [A-Za-z0-9_]+ run of the text without allocating the tokens. */
function sketch(text: string): Uint32Array {
  const seen = new Set<number>();
  let h = 0;
  let inWord = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      if (!inWord) {
        h = 0x811c9dc5;
        inWord = true;
      }
      h = Math.imul(h ^ c, 0x01000193);
    } else if (inWord) {
      inWord = false;
      // A final avalanche so that short tokens spread over the whole range (bottom-K needs uniform hashes).
      let x = h ^ (h >>> 16);
      x = Math.imul(x, 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x ^= x >>> 16;
      seen.add(x >>> 0);
    }
  }
  const all = Uint32Array.from(seen).sort();
  return all.length > K ? all.slice(0, K) : all;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function bodyFeatures(text: string): BodyFeatures {
  const f: BodyFeatures = { hash: fnv1a(text), length: text.length, json: false, model: null, count: null, tail: EMPTY, all: sketch(text) };
  const c = text.charCodeAt(0);
  if (c !== 123 /* { */) return f;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return f;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return f;
  const o = v as Record<string, unknown>;
  f.json = true;
  f.model = typeof o.model === 'string' ? o.model : null;
  const conv = conversationOf(o);
  if (typeof conv === 'string') {
    f.count = 1;
    f.tail = sketch(conv);
  } else if (conv) {
    f.count = conv.length;
    f.tail = sketch(conv.slice(-2).map((m) => JSON.stringify(m)).join('\n'));
  }
  return f;
}

const EMPTY = new Uint32Array(0);

/** Jaccard estimate from two bottom-K sketches: of the K smallest hashes of the union, the share in both. */
function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let union = 0;
  let both = 0;
  // A full sketch knows its set only up to its largest hash: past that, membership in both is unknown.
  const limit = Math.min(a.length === K ? a[K - 1] : Infinity, b.length === K ? b[K - 1] : Infinity);
  while ((i < a.length || j < b.length) && union < K) {
    const x = i < a.length ? a[i] : Infinity;
    const y = j < b.length ? b[j] : Infinity;
    const v = Math.min(x, y);
    if (v > limit) break;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
    union++;
  }
  return union === 0 ? 0 : both / union;
}

function countSimilarity(a: number | null, b: number | null): number {
  if (a === null && b === null) return 1;
  if (a === null || b === null) return 0;
  return 1 - Math.abs(a - b) / Math.max(a, b, 1);
}

export function similarity(a: BodyFeatures, b: BodyFeatures): number {
  if (a.hash === b.hash && a.length === b.length) return 1;
  const all = jaccard(a.all, b.all);
  if (!a.json || !b.json) return all;
  const model = a.model === b.model ? 1 : 0;
  return 0.4 * jaccard(a.tail, b.tail) + 0.25 * countSimilarity(a.count, b.count) + 0.25 * all + 0.1 * model;
}
