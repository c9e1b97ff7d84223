// How alike two request bodies are, 0..1. Bodies of one session differ mostly in their newest
// messages (a 75 KB system prompt and tool list repeat on every request), and a re-run differs a little
// everywhere (ids, dates, temp paths). So the score leans on the conversation's tail and its length,
// with a token-set Jaccard over the whole body and the model name as weaker signals.
// Features are computed once per body; comparing two is a few set look-ups per distinct token.

export interface BodyFeatures {
  /** FNV-1a of the whole text: identical bodies score 1 without any set work. */
  hash: number;
  length: number;
  /** Parsed as a JSON object. */
  json: boolean;
  model: string | null;
  /** Messages / input items; null when the body has no conversation array. */
  count: number | null;
  /** Distinct word tokens of the last two conversation items (or of a string input). */
  tail: Set<string>;
  /** Distinct word tokens of the whole body. */
  all: Set<string>;
}

const TOKEN = /[A-Za-z0-9_]+/g;

function tokens(text: string): Set<string> {
  return new Set(text.match(TOKEN) ?? []);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The conversation of a Messages / Chat / Responses body (or a WebSocket response.create frame). */
function conversation(v: Record<string, unknown>): unknown[] | string | null {
  if (Array.isArray(v.messages)) return v.messages;
  if (Array.isArray(v.input) || typeof v.input === 'string') return v.input as unknown[] | string;
  // Some Responses WebSocket frames nest the request under `response`.
  const inner = v.response;
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
    const r = inner as Record<string, unknown>;
    if (Array.isArray(r.input) || typeof r.input === 'string') return r.input as unknown[] | string;
  }
  return null;
}

export function bodyFeatures(text: string): BodyFeatures {
  const f: BodyFeatures = { hash: fnv1a(text), length: text.length, json: false, model: null, count: null, tail: new Set(), all: tokens(text) };
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
  const conv = conversation(o);
  if (typeof conv === 'string') {
    f.count = 1;
    f.tail = tokens(conv);
  } else if (conv) {
    f.count = conv.length;
    f.tail = tokens(conv.slice(-2).map((m) => JSON.stringify(m)).join('\n'));
  }
  return f;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let both = 0;
  for (const t of small) if (large.has(t)) both++;
  return both / (a.size + b.size - both);
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
