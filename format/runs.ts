// Reading an `sse-run` (format 1.1): n same-shape events stored as columns. The base event is compiled
// once into a builder that makes each member's data from its column values, sharing every subtree
// that no column touches, so a run costs a pass over its columns instead of a record decode per event.

/** Makes member k's value; null when the subtree has no changing leaf (the base value is shared). */
type Build = ((k: number) => unknown) | null;

/** The members' data values, or a reason the run does not fit its base. */
export function expandRun(base: unknown, leaves: readonly number[], cols: ReadonlyArray<unknown[] | { joined: string; lengths: number[] }>, n: number): unknown[] | string {
  const byLeaf = new Map<number, unknown[]>();
  for (let j = 0; j < leaves.length; j++) byLeaf.set(leaves[j], splitJoined(cols[j]));
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
    const changed = parts.flatMap((b, i) => (b === null ? [] : [i]));
    if (changed.length === 0) return null;
    return (k) => {
      const out = v.slice();
      for (const i of changed) out[i] = (parts[i] as (k: number) => unknown)(k);
      return out;
    };
  }
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  const parts = keys.map((key) => compile(src[key], byLeaf, st));
  const changedKeys: string[] = [];
  const changedParts: Array<(k: number) => unknown> = [];
  parts.forEach((b, i) => {
    if (b !== null) (changedKeys.push(keys[i]), changedParts.push(b));
  });
  if (changedKeys.length === 0) return null;
  // A spread copy of the base keeps its hidden class (one fast clone), then only the changed members
  // are stored: several times cheaper than adding every key to a fresh object.
  if (changedKeys.length === 1) {
    const key = changedKeys[0];
    const part = changedParts[0];
    return (k) => {
      const out = { ...src };
      out[key] = part(k);
      return out;
    };
  }
  return (k) => {
    const out = { ...src };
    for (let j = 0; j < changedKeys.length; j++) out[changedKeys[j]] = changedParts[j](k);
    return out;
  };
}

/** A column as its n values (a joined string column cut at its lengths). */
function splitJoined(col: unknown[] | { joined: string; lengths: number[] }): unknown[] {
  if (Array.isArray(col)) return col;
  const { joined, lengths } = col;
  const out = new Array<string>(lengths.length);
  let o = 0;
  for (let k = 0; k < lengths.length; k++) out[k] = joined.slice(o, (o += lengths[k]));
  return out;
}
