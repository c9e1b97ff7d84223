// Inter-token gaps of one response: percentiles and stalls.
import type { GapStats, Stall } from './model.js';
import { STALL_FACTOR, STALL_MIN_MS } from './model.js';

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))];
}

/** Gap statistics of the first `count` arrival times in `times` (ascending). */
export function gapStats(times: ArrayLike<number>, count: number): { stats: GapStats | null; stalls: Stall[] } {
  const n = count - 1;
  if (n < 1) return { stats: null, stalls: [] };
  const gaps = new Float64Array(n);
  for (let i = 0; i < n; i++) gaps[i] = times[i + 1] - times[i];
  const sorted = gaps.slice().sort();
  const p50 = percentile(sorted, 50);
  const stats: GapStats = { count: n, p50Ms: p50, p99Ms: percentile(sorted, 99), maxMs: sorted[n - 1] };
  const threshold = Math.max(STALL_FACTOR * p50, STALL_MIN_MS);
  const stalls: Stall[] = [];
  for (let i = 0; i < n; i++) {
    if (gaps[i] > threshold) stalls.push({ startMs: times[i], endMs: times[i + 1], gapMs: gaps[i] });
  }
  return { stats, stalls };
}
