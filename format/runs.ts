// Reading an `sse-run` (format 1.1): n same-shape events stored as columns. The base event is compiled
// once into a builder that makes each member's data from its column values, sharing every subtree
// that no column touches, so a run costs a pass over its columns instead of a record decode per event.

/** Makes member k's value; null when the subtree has no changing leaf (the base value is shared). */
type Build = ((k: number) => unknown) | null;

/** The members' data values, or a reason the run does not fit its base. */
export function expandRun(base: unknown, leaves: readonly number[], cols: readonly unknown[][], n: number): unknown[] | string {
  const byLeaf = new Map<number, unknown[]>();
  for (let j = 0; j < leaves.length; j++) byLeaf.set(leaves[j], cols[j]);
  const st = { leaf: 0 };
  const build = compile(base, byLeaf, st);
  if (leaves.length && leaves[leaves.length - 1] >= st.leaf) return `a run changes leaf ${leaves[leaves.length - 1]} of an event with ${st.leaf}`;
  const out = new Array<unknown>(n);
  if (!build) out.fill(base);
  else for (let k = 0; k < n; k++) out[k] = build(k);
  return out;
}

function compile(v: unknown, byLeaf: Map<number, unknown[]>, st: { leaf: number }): Build {
  if (typeof v !== 'object' || v === null) {
    const col = byLeaf.get(st.leaf++);
    return col ? (k) => col[k] : null;
  }
  if (Array.isArray(v)) {
    const parts = v.map((x) => compile(x, byLeaf, st));
    if (parts.every((b) => b === null)) return null;
    return (k) => {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        const b = parts[i];
        out[i] = b === null ? v[i] : b(k);
      }
      return out;
    };
  }
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  const parts = keys.map((key) => compile(src[key], byLeaf, st));
  if (parts.every((b) => b === null)) return null;
  const vals = keys.map((key) => src[key]);
  return (k) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const b = parts[i];
      out[keys[i]] = b === null ? vals[i] : b(k);
    }
    return out;
  };
}
