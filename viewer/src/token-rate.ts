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
    let n = 0;
    for (const r of model.requests) if (filter(r.critical)) n += r.deltas.length;
    let times = new Float64Array(n);
    let toks = new Float64Array(n);
    let i = 0;
    let sorted = true;
    for (const r of model.requests) {
      if (!filter(r.critical)) continue;
      // Scale the per-delta estimates so that a request sums to the output tokens the endpoint reported.
      const f = r.outputTokens !== null && r.outputTokensEstimate > 0 ? r.outputTokens / r.outputTokensEstimate : 1;
      for (const d of r.deltas) {
        if (i > 0 && d.tMs < times[i - 1]) sorted = false;
        times[i] = d.tMs;
        toks[i] = d.tokens * f;
        i++;
      }
    }
    if (!sorted) {
      // Overlapping requests (side requests, subagents): sort once by time.
      const idx = new Uint32Array(n);
      for (let k = 0; k < n; k++) idx[k] = k;
      idx.sort((a, b) => times[a] - times[b]);
      const t2 = new Float64Array(n);
      const k2 = new Float64Array(n);
      for (let k = 0; k < n; k++) (t2[k] = times[idx[k]]), (k2[k] = toks[idx[k]]);
      times = t2;
      toks = k2;
    }
    const cum = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) cum[k + 1] = cum[k] + toks[k];
    this.times = times;
    this.cum = cum;
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
