// "Same shape as the previous event" encoding: a streamed response repeats one event shape hundreds of
// times (a text delta, a chat chunk) with one or two leaves changed, so only those leaves are stored.

export interface Shape {
  /** Keys and nesting, without the leaf values: two values with equal signatures have the same leaves. */
  sig: string;
  leaves: unknown[];
}

/** The shape of a JSON value, or null when it is not an object/array worth encoding this way. */
export function shapeOf(value: unknown): Shape | null {
  if (typeof value !== 'object' || value === null) return null;
  const leaves: unknown[] = [];
  const parts: string[] = [];
  walk(value, leaves, parts);
  return { sig: parts.join(''), leaves };
}

function walk(v: unknown, leaves: unknown[], sig: string[]): void {
  if (Array.isArray(v)) {
    sig.push('[');
    for (const x of v) walk(x, leaves, sig);
    sig.push(']');
  } else if (typeof v === 'object' && v !== null) {
    sig.push('{');
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      sig.push(JSON.stringify(k), ':');
      walk(x, leaves, sig);
    }
    sig.push('}');
  } else {
    sig.push('.');
    leaves.push(v);
  }
}

/** The [index, value] pairs where `next` differs from `prev` (same length). */
export function changedLeaves(prev: unknown[], next: unknown[]): Array<[number, unknown]> {
  const out: Array<[number, unknown]> = [];
  for (let i = 0; i < next.length; i++) if (prev[i] !== next[i]) out.push([i, next[i]]);
  return out;
}

/** A copy of `base` with the given leaves replaced (leaves counted depth-first in key order). */
export function withLeaves(base: unknown, changes: Array<[number, unknown]>): unknown {
  if (changes.length === 0) return structuredCopy(base);
  const map = new Map<number, unknown>(changes);
  let i = 0;
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = copy(x);
      return out;
    }
    const idx = i++;
    return map.has(idx) ? map.get(idx) : v;
  };
  return copy(base);
}

function structuredCopy(v: unknown): unknown {
  return withLeaves(v, [[-1, undefined]]);
}
