// Event shapes: a streamed response repeats one event shape hundreds of times (a text delta, a chat
// chunk) with one or two leaves changed. The encoder groups such events into columnar runs (runs.ts
// reads them); withLeaves reads the per-event `same` form of 1.0 traces.

export interface Shape {
  /** Keys and nesting, without the leaf values: two values with equal signatures have the same leaves. */
  sig: string;
  leaves: unknown[];
}

/** The shape of a JSON value, or null when it is not an object/array worth encoding this way. */
export function shapeOf(value: unknown): Shape | null {
  if (typeof value !== 'object' || value === null) return null;
  const leaves: unknown[] = [];
  return { sig: walk(value, leaves), leaves };
}

/** Keys as they appear in a signature (JSON-quoted), kept: a stream repeats the same few keys. */
const quoted = new Map<string, string>();

// The signature is built by concatenation and keys are quoted once: this runs once per streamed event.
function walk(v: unknown, leaves: unknown[]): string {
  if (typeof v !== 'object' || v === null) {
    leaves.push(v);
    return '.';
  }
  let sig: string;
  if (Array.isArray(v)) {
    sig = '[';
    for (let i = 0; i < v.length; i++) sig += walk(v[i], leaves);
    return sig + ']';
  }
  sig = '{';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    let q = quoted.get(k);
    if (q === undefined) {
      q = JSON.stringify(k) + ':';
      if (quoted.size < 4096) quoted.set(k, q);
    }
    sig += q + walk(o[k], leaves);
  }
  return sig + '}';
}

/** Leaves of a value in the order runs number them (depth first, keys in insertion order). */
export function leafCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 1;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += leafCount(x);
  else for (const key of Object.keys(v)) n += leafCount((v as Record<string, unknown>)[key]);
  return n;
}

/**
 * A copy of `base` with the given leaves replaced (leaves counted depth-first in key order).
 * `changes` must be in increasing index order (as changedLeaves makes them). Hot path of the reader:
 * one call per streamed event, hence the plain loops.
 */
export function withLeaves(base: unknown, changes: Array<[number, unknown]>): unknown {
  const state = { leaf: 0, next: 0 };
  return copy(base, changes, state);
}

function copy(v: unknown, changes: Array<[number, unknown]>, st: { leaf: number; next: number }): unknown {
  if (typeof v !== 'object' || v === null) {
    const idx = st.leaf++;
    if (st.next < changes.length && changes[st.next][0] === idx) return changes[st.next++][1];
    return v;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], changes, st);
    return out;
  }
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) out[k] = copy(src[k], changes, st);
  return out;
}

/** A copy of `base` with every leaf taken from `leaves` (all of them, in the order shapeOf lists them). */
export function withLeafValues(base: unknown, leaves: unknown[]): unknown {
  return copyWith(base, leaves, { n: 0 });
}

function copyWith(v: unknown, leaves: unknown[], st: { n: number }): unknown {
  if (typeof v !== 'object' || v === null) return leaves[st.n++];
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyWith(v[i], leaves, st);
    return out;
  }
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) out[k] = copyWith(src[k], leaves, st);
  return out;
}
