// The same session retimed under a model/transport profile (design.md "simulation"): each critical
// request's wait × ttftScale; its stream → outputTokens / tokensPerSecond (or stream / speedFactor);
// harness gaps × harnessScale; tool and user gaps unchanged; the path laid out again in order.
import type { Breakdown, RequestModel, SessionModel, SimProfile, SimSegment, SimulationResult, TimeMap } from './model.js';
import { BREAKDOWN_KEY, emptyBreakdown } from './critical-path.js';

export const PROFILES: Readonly<Record<string, SimProfile>> = {
  original: { name: 'original', tokensPerSecond: null, speedFactor: null, ttftScale: 1, harnessScale: 1, instant: false },
  spark: { name: 'spark', tokensPerSecond: 1000, speedFactor: null, ttftScale: 0.5, harnessScale: 1, instant: false },
  'fast-mode': { name: 'fast-mode', tokensPerSecond: null, speedFactor: 2.5, ttftScale: 1, harnessScale: 1, instant: false },
  instant: { name: 'instant', tokensPerSecond: null, speedFactor: null, ttftScale: 0, harnessScale: 1, instant: true },
};

export const PROFILE_NAMES = Object.keys(PROFILES);

export interface ProfileOverrides {
  tokensPerSecond?: number;
  speedFactor?: number;
  ttftScale?: number;
  harnessScale?: number;
}

/**
 * A preset, optionally with values overridden; null for an unknown name. With overrides the name
 * becomes `custom` (or `<preset>+custom` when a preset other than `original` was named).
 */
export function resolveProfile(name: string | undefined, o: ProfileOverrides = {}): SimProfile | null {
  const base = PROFILES[name ?? 'original'];
  if (!base) return null;
  const p: SimProfile = { ...base };
  let changed = false;
  if (o.tokensPerSecond !== undefined) {
    p.tokensPerSecond = o.tokensPerSecond;
    // A rate given explicitly is the stream rule; a preset's factor no longer applies.
    p.speedFactor = null;
    changed = true;
  }
  if (o.speedFactor !== undefined) {
    p.speedFactor = o.speedFactor;
    if (o.tokensPerSecond === undefined) p.tokensPerSecond = null;
    changed = true;
  }
  if (o.ttftScale !== undefined) {
    p.ttftScale = o.ttftScale;
    changed = true;
  }
  if (o.harnessScale !== undefined) {
    p.harnessScale = o.harnessScale;
    changed = true;
  }
  if (changed) {
    if (p.instant && (o.tokensPerSecond !== undefined || o.speedFactor !== undefined || o.ttftScale !== undefined)) p.instant = false;
    p.name = name === undefined || name === 'original' ? 'custom' : `${name}+custom`;
  }
  return p;
}

/** Simulated length of one modelStream segment; `estimated` when the token count was a guess. */
function streamLength(p: SimProfile, r: RequestModel | undefined, lenMs: number): { ms: number; estimated: boolean } {
  if (p.instant) return { ms: 0, estimated: false };
  if (p.tokensPerSecond !== null && r) {
    const tokens = r.outputTokens ?? r.outputTokensEstimate;
    // A stream clipped by an overlapping request keeps its share of the tokens.
    const share = r.streamMs && r.streamMs > 0 ? lenMs / r.streamMs : 1;
    return { ms: ((tokens / p.tokensPerSecond) * 1000) * share, estimated: r.outputTokens === null };
  }
  if (p.speedFactor !== null) return { ms: lenMs / p.speedFactor, estimated: false };
  return { ms: lenMs, estimated: false };
}

export function simulate(model: SessionModel, profile: SimProfile): SimulationResult {
  const byId = new Map(model.requests.map((r) => [r.id, r] as const));
  const segments: SimSegment[] = [];
  const estimated = new Set<string>();
  const simBreakdown: Breakdown = emptyBreakdown();
  let t = 0;
  for (const s of model.criticalPath) {
    const len = s.endMs - s.startMs;
    let simLen = len;
    let est = false;
    switch (s.kind) {
      case 'modelWait':
        simLen = profile.instant ? 0 : len * profile.ttftScale;
        break;
      case 'modelStream': {
        const r = s.requestId !== null ? byId.get(s.requestId) : undefined;
        const x = streamLength(profile, r, len);
        simLen = x.ms;
        est = x.estimated;
        if (est && s.requestId !== null) estimated.add(s.requestId);
        break;
      }
      case 'harness':
        simLen = len * profile.harnessScale;
        break;
      case 'tool':
      case 'user':
        break;
    }
    segments.push({ kind: s.kind, requestId: s.requestId, origStartMs: s.startMs, origEndMs: s.endMs, simStartMs: t, simEndMs: t + simLen, estimated: est });
    simBreakdown[BREAKDOWN_KEY[s.kind]] += simLen;
    t += simLen;
  }
  const timeMap: TimeMap = { orig: [0], sim: [0] };
  for (const s of segments) {
    timeMap.orig.push(s.origEndMs);
    timeMap.sim.push(s.simEndMs);
  }
  return {
    profile,
    original: { durationMs: model.durationMs, breakdown: { ...model.breakdown } },
    simulated: { durationMs: t, breakdown: simBreakdown },
    speedup: t > 0 ? model.durationMs / t : null,
    segments,
    timeMap,
    estimatedRequests: [...estimated],
  };
}

/** Interpolates through knots xs → ys (xs ascending, possibly with repeats); clamps outside. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return x;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  // The last knot with xs[i] <= x: at a repeated x (a segment simulated to nothing) that is its far side.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  const x0 = xs[lo];
  const x1 = xs[lo + 1];
  if (x1 === x0) return ys[lo + 1];
  return ys[lo] + ((x - x0) / (x1 - x0)) * (ys[lo + 1] - ys[lo]);
}

/** Original session time shown at simulated time `simMs` (for playback). */
export function simToOrig(map: TimeMap, simMs: number): number {
  return interpolate(map.sim, map.orig, simMs);
}

/** Where original time `origMs` lands in the simulation (for placing off-path events). */
export function origToSim(map: TimeMap, origMs: number): number {
  return interpolate(map.orig, map.sim, origMs);
}
