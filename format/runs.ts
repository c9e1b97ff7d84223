// Reading an `sse-run` (format 1.1): n same-shape events stored as columns. The base event is compiled
// once into a builder that makes each member's data from its column values, sharing every subtree
// that no column touches, so a run costs a pass over its columns instead of a record decode per event;
// a consumer that reads runs whole (EventRun) may skip building the members at all.
import type { HttpDataRecord, SseEvent } from './types.js';
import { leafCount } from './leaves.js';

/** Makes member k's value; null when the subtree has no changing leaf (the base value is shared). */
type Build = ((k: number) => unknown) | null;

function compile(v: unknown, byLeaf: Map<number, (k: number) => unknown>, st: { leaf: number }): Build {
  if (typeof v !== 'object' || v === null) return byLeaf.get(st.leaf++) ?? null;
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
function splitJoined(col: Column): unknown[] {
  if (Array.isArray(col)) return col;
  const { joined, lengths } = col;
  const out = new Array<string>(lengths.length);
  let o = 0;
  for (let k = 0; k < lengths.length; k++) out[k] = joined.slice(o, (o += lengths[k]));
  return out;
}

type Column = unknown[] | { joined: string; lengths: number[] };

/**
 * An `sse-run` as the reader hands it on to a consumer that takes runs (`pushEach`'s `emitRun`): the
 * members of one exchange's run, their times absolute, each member's data built only when asked for.
 * A consumer that wants only a leaf or two (a text delta's text) reads that column and never builds
 * the members, which is what makes a run cheaper to analyse than n records.
 */
export class EventRun {
  private readonly split: Array<unknown[] | undefined>;
  private build: Build | undefined;
  private inMs: Float64Array | undefined;
  /** The latest member time (members may be written slightly out of order). */
  readonly maxT: number;

  constructor(
    /** The exchange (`http-request` id) the members belong to. */
    readonly id: string,
    /** The members' SSE event name, when they have one. */
    readonly event: string | undefined,
    /** The members' `id:` values, when they have an id line. */
    readonly ids: readonly string[] | undefined,
    readonly n: number,
    /** Member k's time, µs from the session start. */
    readonly t: Float64Array,
    /** The data whose shape the members share (the previous event of that name in the response). */
    readonly base: unknown,
    private readonly leaves: readonly number[],
    private readonly cols: readonly Column[],
  ) {
    this.split = new Array(cols.length);
    let max = -Infinity;
    for (let k = 0; k < n; k++) if (t[k] > max) max = t[k];
    this.maxT = max;
  }

  /** Member k's time in ms at [k] (computed once, for every consumer that wants ms). */
  ms(): Float64Array {
    if (this.inMs === undefined) {
      const out = new Float64Array(this.n);
      for (let k = 0; k < this.n; k++) out[k] = this.t[k] / 1000;
      this.inMs = out;
    }
    return this.inMs;
  }

  /** Null when the run fits its base (every leaf it changes exists there), else why not. */
  problem(): string | null {
    const count = leafCount(this.base);
    const last = this.leaves[this.leaves.length - 1];
    return this.leaves.length && last >= count ? `a run changes leaf ${last} of an event with ${count}` : null;
  }

  /** Member k's data. */
  data(k: number): unknown {
    if (this.build === undefined) {
      const byLeaf = new Map<number, (k: number) => unknown>();
      for (let j = 0; j < this.leaves.length; j++) byLeaf.set(this.leaves[j], this.cell(j));
      this.build = compile(this.base, byLeaf, { leaf: 0 });
    }
    return this.build === null ? this.base : this.build(k);
  }

  /** Member k as the `http-data` record a reader without `emitRun` hands on. */
  record(k: number): HttpDataRecord {
    const data = this.data(k);
    const sse: SseEvent = this.event === undefined ? { form: 'structured', data } : { form: 'structured', event: this.event, data };
    if (this.ids) sse.id = this.ids[k];
    return { kind: 'http-data', t: this.t[k], id: this.id, sse };
  }

  /**
   * The members' values of the leaf at `path` (object keys and array indexes from the data's root):
   * its column when the run changes that leaf, null when it does not (every member then has the
   * base's value there), undefined when the base has no leaf there.
   */
  column(path: readonly (string | number)[]): readonly unknown[] | null | undefined {
    const leaf = leafAt(this.base, path);
    if (leaf < 0) return undefined;
    const j = this.leaves.indexOf(leaf);
    return j < 0 ? null : this.columnAt(j);
  }

  /**
   * The leaf's column as the writer stored a string column: the members' strings joined, and each
   * one's length (what a consumer that needs only lengths, or the text whole, reads without cutting
   * it into n strings); null when the run does not change that leaf or stores it otherwise.
   */
  joinedColumn(path: readonly (string | number)[]): { joined: string; lengths: readonly number[] } | null {
    const leaf = leafAt(this.base, path);
    const j = leaf < 0 ? -1 : this.leaves.indexOf(leaf);
    const col = j < 0 ? null : this.cols[j];
    return col && !Array.isArray(col) ? col : null;
  }

  /** Whether every leaf the run changes is at one of `paths` (so the rest of each member is the base's). */
  changesOnly(...paths: ReadonlyArray<readonly (string | number)[]>): boolean {
    const allowed = paths.map((p) => leafAt(this.base, p));
    return this.leaves.every((l) => allowed.includes(l));
  }

  /** Member k's value of column j. The last member alone (the next run's base) is cut out of a joined column without splitting it. */
  private cell(j: number): (k: number) => unknown {
    const col = this.cols[j];
    if (Array.isArray(col)) return (k) => col[k];
    const last = this.n - 1;
    return (k) => {
      const split = this.split[j];
      if (split) return split[k];
      if (k === last) return col.joined.slice(col.joined.length - col.lengths[last]);
      return this.columnAt(j)[k];
    };
  }

  private columnAt(j: number): unknown[] {
    return (this.split[j] ??= splitJoined(this.cols[j]));
  }
}

/** The number of the leaf at `path` in `v`, or -1 when there is none (missing, or not a leaf). */
function leafAt(v: unknown, path: readonly (string | number)[]): number {
  let at = 0;
  let cur = v;
  for (const step of path) {
    if (typeof cur !== 'object' || cur === null) return -1;
    if (Array.isArray(cur)) {
      if (typeof step !== 'number' || step < 0 || step >= cur.length) return -1;
      for (let i = 0; i < step; i++) at += leafCount(cur[i]);
      cur = cur[step];
    } else {
      const o = cur as Record<string, unknown>;
      if (typeof step !== 'string' || !Object.hasOwn(o, step)) return -1;
      for (const key of Object.keys(o)) {
        if (key === step) break;
        at += leafCount(o[key]);
      }
      cur = o[step];
    }
  }
  return typeof cur === 'object' && cur !== null ? -1 : at;
}
