// Tokens/s over time: every content delta's time and tokens in one sorted array with prefix sums, so
// any time bin's token count is two binary searches — cheap at any zoom, even with a million deltas.
import type { SessionModel } from '../../analysis/model.js';

export class TokenRate {
  /** Delta times (ms), ascending. */
  readonly times: Float64Array;
  /** cum[i] = tokens of deltas 0..i-1. */
  readonly cum: Float64Array;
  /** Each request's reported rate over its stream, for the average line. */
  readonly spans: Array<{ startMs: number; endMs: number; tps: number; critical: boolean }>;

  constructor(model: SessionModel, filter: (critical: boolean) => boolean = () => true) {
    // Each request's deltas are already in time order, and requests on the critical path follow one
    // another. When no two requests overlap (side requests included) the requests in start order are
    // the time order: times and prefix sums are then written in one pass, with no copy in between (on
    // a million deltas the copies and merges below cost more than the index itself).
    const picked: Array<{ r: SessionModel['requests'][number]; f: number }> = [];
    let n = 0;
    for (const r of model.requests) {
      if (!filter(r.critical) || r.deltas.length === 0) continue;
      // Scale the per-delta estimates so that a request sums to the output tokens the endpoint reported.
      const f = r.outputTokens !== null && r.outputTokensEstimate > 0 ? r.outputTokens / r.outputTokensEstimate : 1;
      picked.push({ r, f });
      n += r.deltas.length;
    }
    const first = (x: (typeof picked)[number]): number => x.r.deltas.tMs(0);
    const last = (x: (typeof picked)[number]): number => x.r.deltas.tMs(x.r.deltas.length - 1);
    const inOrder = [...picked].sort((a, b) => first(a) - first(b));
    let apart = true;
    for (let i = 1; i < inOrder.length && apart; i++) if (first(inOrder[i]) < last(inOrder[i - 1])) apart = false;
    if (apart) {
      const times = new Float64Array(n);
      const cum = new Float64Array(n + 1);
      let o = 0;
      let sum = 0;
      for (const { r, f } of inOrder) {
        const d = r.deltas;
        times.set(d.times(), o);
        for (let i = 0; i < d.length; i++) cum[++o] = sum += d.tokens(i) * f;
      }
      this.times = times;
      this.cum = cum;
    } else {
      // Side requests overlap: they are merged in separately (a comparator sort of a million entries
      // would take seconds).
      const crit: Run[] = [];
      const side: Run[] = [];
      for (const { r, f } of picked) {
        const d = r.deltas;
        const t = d.times().slice();
        const k = new Float64Array(d.length);
        for (let i = 0; i < d.length; i++) k[i] = d.tokens(i) * f;
        (r.critical ? crit : side).push({ t, k });
      }
      const merged = mergeTwo(sortedRuns(crit), sortedRuns(side));
      const toks = merged.k;
      const cum = new Float64Array(n + 1);
      for (let k = 0; k < n; k++) cum[k + 1] = cum[k] + toks[k];
      this.times = merged.t;
      this.cum = cum;
    }
    this.spans = model.requests
      .filter((r) => filter(r.critical) && r.tokensPerSecond !== null && r.firstContentMs !== null)
      .map((r) => ({ startMs: r.firstContentMs as number, endMs: r.endMs, tps: r.tokensPerSecond as number, critical: r.critical }));
  }

  get count(): number {
    return this.times.length;
  }

  /** Index of the first delta at or after t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Tokens of the deltas in [t0, t1). */
  tokensBetween(t0: number, t1: number): number {
    return this.cum[this.lowerBound(t1)] - this.cum[this.lowerBound(t0)];
  }

  /** Deltas in [t0, t1). */
  countBetween(t0: number, t1: number): number {
    return this.lowerBound(t1) - this.lowerBound(t0);
  }
}

interface Run {
  t: Float64Array;
  k: Float64Array;
}

/** The runs as one sorted run: laid end to end when they do not overlap, else merged. */
function sortedRuns(runs: Run[]): Run {
  runs.sort((a, b) => a.t[0] - b.t[0]);
  let n = 0;
  let ok = true;
  for (let i = 0; i < runs.length; i++) {
    n += runs[i].t.length;
    if (i > 0 && runs[i].t[0] < runs[i - 1].t[runs[i - 1].t.length - 1]) ok = false;
  }
  if (!ok) return mergeRuns(runs);
  const t = new Float64Array(n);
  const k = new Float64Array(n);
  let o = 0;
  for (const r of runs) {
    t.set(r.t, o);
    k.set(r.k, o);
    o += r.t.length;
  }
  return { t, k };
}

function mergeTwo(a: Run, b: Run): Run {
  // Runs that do not overlap (the usual case) are simply concatenated.
  if (a.t.length === 0) return b;
  if (b.t.length === 0) return a;
  if (a.t[a.t.length - 1] <= b.t[0]) return concat(a, b);
  if (b.t[b.t.length - 1] <= a.t[0]) return concat(b, a);
  const n = a.t.length + b.t.length;
  const t = new Float64Array(n);
  const k = new Float64Array(n);
  let i = 0;
  let j = 0;
  for (let o = 0; o < n; o++) {
    if (j >= b.t.length || (i < a.t.length && a.t[i] <= b.t[j])) (t[o] = a.t[i]), (k[o] = a.k[i++]);
    else (t[o] = b.t[j]), (k[o] = b.k[j++]);
  }
  return { t, k };
}

function concat(a: Run, b: Run): Run {
  const t = new Float64Array(a.t.length + b.t.length);
  const k = new Float64Array(t.length);
  t.set(a.t);
  t.set(b.t, a.t.length);
  k.set(a.k);
  k.set(b.k, a.k.length);
  return { t, k };
}

/** Merges sorted runs pairwise, like the last passes of a merge sort. */
export function mergeRuns(runs: Run[]): Run {
  if (runs.length === 0) return { t: new Float64Array(0), k: new Float64Array(0) };
  let level = runs;
  while (level.length > 1) {
    const next: Run[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeTwo(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}
