// Inter-token gaps of one response: percentiles and stalls.
import type { GapStats, Stall } from './model.js';
import { STALL_FACTOR, STALL_MIN_MS } from './model.js';

/** The nearest-rank position (0-based) of percentile p (0..100) among n values. */
function rankOf(p: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[rankOf(p, n)];
}

/**
 * Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it and larger ones after
 * (Hoare's selection): the percentiles need two order statistics, not a sorted copy, and a
 * response of a million deltas is read in one pass instead of an n log n sort.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    // median of three as the pivot keeps sorted and reversed inputs linear
    const mid = (lo + hi) >>> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Gap statistics of the first `count` arrival times in `times` (ascending). */
export function gapStats(times: ArrayLike<number>, count: number): { stats: GapStats | null; stalls: Stall[] } {
  const n = count - 1;
  if (n < 1) return { stats: null, stalls: [] };
  const gaps = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const g = times[i + 1] - times[i];
    gaps[i] = g;
    if (g > max) max = g;
  }
  const work = gaps.slice();
  const r50 = rankOf(50, n);
  const r99 = rankOf(99, n);
  select(work, r50, 0, n - 1);
  select(work, r99, r50, n - 1);
  const p50 = work[r50];
  const stats: GapStats = { count: n, p50Ms: p50, p99Ms: work[r99], maxMs: max };
  const threshold = Math.max(STALL_FACTOR * p50, STALL_MIN_MS);
  const stalls: Stall[] = [];
  for (let i = 0; i < n; i++) {
    if (gaps[i] > threshold) stalls.push({ startMs: times[i], endMs: times[i + 1], gapMs: gaps[i] });
  }
  return { stats, stalls };
}
