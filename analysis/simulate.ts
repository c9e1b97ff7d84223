// The same session retimed under a model/transport profile (design.md "simulation"): the whole
// dependency graph laid out again (simulate), with one retime rule for requests and gaps
// (retimeRequest, retimeGap) that replay pacing and both viewers use too.
import type { GapKind, RequestModel, SegmentKind, SessionModel, SimProfile, SimSegment, SimulationResult, ThreadModel, TimeMap } from './model.js';
import { breakdownOf } from './critical-path.js';

const MODEL_ONLY = { persistent: false, tokenOverheadScale: 1 } as const;

/**
 * The presets. `spark` is the model (1,000 tok/s) with the TTFT × 0.5 published with its WebSocket
 * harness; `websocket` is that harness alone, on the session's own model: the measured connection setup
 * and re-sent upload removed, then the published TTFT × 0.5 and per-token overhead × 0.7 (the second
 * applied to the stream's time beyond the model's steady pace — an assumption, see tokenOverheadMs).
 */
export const PROFILES: Readonly<Record<string, SimProfile>> = {
  original: { name: 'original', tokensPerSecond: null, speedFactor: null, ttftScale: 1, harnessScale: 1, instant: false, ...MODEL_ONLY },
  spark: { name: 'spark', tokensPerSecond: 1000, speedFactor: null, ttftScale: 0.5, harnessScale: 1, instant: false, ...MODEL_ONLY },
  websocket: { name: 'websocket', tokensPerSecond: null, speedFactor: null, ttftScale: 0.5, harnessScale: 1, instant: false, persistent: true, tokenOverheadScale: 0.7 },
  'fast-mode': { name: 'fast-mode', tokensPerSecond: null, speedFactor: 2.5, ttftScale: 1, harnessScale: 1, instant: false, ...MODEL_ONLY },
  instant: { name: 'instant', tokensPerSecond: null, speedFactor: null, ttftScale: 0, harnessScale: 1, instant: true, ...MODEL_ONLY },
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

/** What one request took as recorded: its wait (start → first content) and stream (→ end). */
export interface RecordedTiming {
  waitMs: number;
  streamMs: number;
  /** The wait's connection setup, and its upload of bytes an earlier request had sent (0 without wire timing). */
  setupMs: number;
  resentUploadMs: number;
  /**
   * The stream's time beyond the model's steady pace: stream − gaps × the median gap (≥ 0; 0 with
   * fewer than 2 deltas). The median inter-event gap is taken as the model's own rate and the rest as
   * per-token overhead of the transport and harness — an assumption, not a measurement.
   */
  tokenOverheadMs: number;
  /** The request already went over a persistent WebSocket: a `persistent` profile has nothing to save on it. */
  onWebSocket: boolean;
  /** Reported output tokens; null when the endpoint reported none. */
  outputTokens: number | null;
  /** The analysis's own estimate (≈ 4 characters per token), used when outputTokens is null. */
  outputTokensEstimate: number;
}

/** A request's recorded wait and stream (a response with no content is all wait). */
export function recordedTiming(r: Pick<RequestModel, 'startMs' | 'firstContentMs' | 'endMs' | 'outputTokens' | 'outputTokensEstimate'> & Partial<Pick<RequestModel, 'network' | 'gaps' | 'transport'>>): RecordedTiming {
  const total = Math.max(0, r.endMs - r.startMs);
  const wait = r.firstContentMs === null ? total : Math.min(total, Math.max(0, r.firstContentMs - r.startMs));
  const stream = total - wait;
  const n = r.network ?? null;
  const setup = n ? Math.min(wait, n.setupMs) : 0;
  return {
    waitMs: wait,
    streamMs: stream,
    setupMs: setup,
    resentUploadMs: n ? Math.min(wait - setup, n.resentUploadMs) : 0,
    tokenOverheadMs: r.gaps ? Math.min(stream, Math.max(0, stream - r.gaps.count * r.gaps.p50Ms)) : 0,
    onWebSocket: r.transport === 'websocket',
    outputTokens: r.outputTokens,
    outputTokensEstimate: r.outputTokensEstimate,
  };
}

/**
 * The one retime rule (simulate, replay pacing, both viewers): the wait becomes wait × ttftScale (on a
 * `persistent` profile, after taking out the connection setup and the re-sent upload); the stream
 * outputTokens / tokensPerSecond (the estimate when none were reported: `estimated`), or
 * stream / speedFactor, or the stream with its per-token overhead × tokenOverheadScale; `instant`
 * leaves no model time. A response with no stream keeps none. On a request that was already on a
 * persistent WebSocket, a `persistent` profile's gains (setup, re-sent upload, TTFT and per-token
 * overhead scales) are the move it has already made: only a model speed (tokens/s, speed factor)
 * changes it — else `websocket` on a Codex session would claim the same saving twice.
 */
export function retimeRequest(p: SimProfile, t: RecordedTiming): { waitMs: number; streamMs: number; estimated: boolean } {
  if (p.instant) return { waitMs: 0, streamMs: 0, estimated: false };
  if (p.persistent && t.onWebSocket) p = { ...p, persistent: false, ttftScale: 1, tokenOverheadScale: 1 };
  const waitMs = (p.persistent ? Math.max(0, t.waitMs - t.setupMs - t.resentUploadMs) : t.waitMs) * p.ttftScale;
  if (t.streamMs <= 0) return { waitMs, streamMs: 0, estimated: false };
  if (p.tokensPerSecond !== null && p.tokensPerSecond > 0) {
    return { waitMs, streamMs: ((t.outputTokens ?? t.outputTokensEstimate) / p.tokensPerSecond) * 1000, estimated: t.outputTokens === null };
  }
  if (p.speedFactor !== null && p.speedFactor > 0) return { waitMs, streamMs: t.streamMs / p.speedFactor, estimated: false };
  return { waitMs, streamMs: t.streamMs - t.tokenOverheadMs * (1 - p.tokenOverheadScale), estimated: false };
}

/** The same rule for the time between requests: harness × harnessScale; tool and user unchanged. */
export function retimeGap(p: SimProfile, kind: GapKind, ms: number): number {
  return kind === 'harness' ? ms * p.harnessScale : ms;
}

interface Placed {
  r: RequestModel;
  start: number;
  first: number;
  end: number;
  estimated: boolean;
  /** The dependency it started after (the one that finished last, gap included), and its gap. */
  after: { id: string; gap: GapKind } | null;
}

/**
 * The whole graph laid out again under the profile: every request is retimed, starts once everything
 * it depends on has finished, plus its own lead gap — the recorded time between the dependency it
 * waited on last and its start (tool, user or harness, retimed by its kind); branches overlap. The simulated critical path is found anew, back from the session's
 * last main request along what finished last.
 */
export function simulate(model: SessionModel, profile: SimProfile): SimulationResult {
  const byId = new Map(model.requests.map((r) => [r.id, r] as const));
  // A recorded gap keeps the person's part of it (measured reading and typing, or the interactive
  // lead-in/tail) unchanged; only the rest is retimed by the gap's kind (a user gap's rest is the
  // harness drawing and submitting).
  const userPart = userWithin(model.criticalPath);
  const retimeLead = (kind: GapKind, o0: number, o1: number): number => {
    const ms = o1 - o0;
    if (ms <= 0) return ms;
    const user = Math.min(ms, userPart(o0, o1));
    if (kind === 'user' && user === 0) return retimeGap(profile, kind, ms);
    return user + retimeGap(profile, kind === 'user' ? 'harness' : kind, ms - user);
  };
  const placed = new Map<string, Placed>();
  const visiting = new Set<string>();
  // In start order every dependency is placed already (it started earlier), so this rarely recurses.
  const place = (r: RequestModel): Placed => {
    const done = placed.get(r.id);
    if (done) return done;
    visiting.add(r.id);
    let start = retimeLead('harness', 0, r.startMs);
    let after: Placed['after'] = null;
    // Its own lead: the recorded time after the dependency it waited on last (the others' leads
    // include waiting for that one, so they are not time of their own).
    const lead = r.dependencies.length ? byId.get(r.dependencies[0].id) : undefined;
    if (lead) {
      const gap = r.dependencies[0].gap;
      let ready = -Infinity;
      let readyStart = 0;
      for (const d of r.dependencies) {
        const q = byId.get(d.id);
        if (!q || visiting.has(q.id)) continue;
        const p = place(q);
        if (p.end > ready) {
          ready = p.end;
          readyStart = p.start;
          after = { id: q.id, gap };
        }
      }
      const ms = r.startMs - lead.endMs;
      // An overlap (a request sent before the one it depends on had quite ended) is kept, not scaled.
      if (after) start = Math.max(readyStart, ready + (ms >= 0 ? retimeLead(gap, lead.endMs, r.startMs) : ms));
    }
    const t = retimeRequest(profile, recordedTiming(r));
    const p: Placed = { r, start, first: start + t.waitMs, end: start + t.waitMs + t.streamMs, estimated: t.estimated, after };
    placed.set(r.id, p);
    visiting.delete(r.id);
    return p;
  };
  for (const r of model.requests) place(r);

  const origChain = model.requests.filter((r) => r.critical);
  const final = origChain.length ? origChain[origChain.length - 1] : null;
  let simDuration: number;
  if (final) {
    const f = placed.get(final.id)!;
    simDuration = f.end + Math.max(0, retimeLead('harness', final.endMs, model.durationMs));
    for (const p of placed.values()) simDuration = Math.max(simDuration, p.end);
  } else simDuration = retimeLead('harness', 0, model.durationMs);

  // The simulated critical path, and its segments (with where each piece was in the recording).
  const chain: Placed[] = [];
  const seen = new Set<string>();
  for (let p: Placed | undefined = final ? placed.get(final.id) : undefined; p && !seen.has(p.r.id); p = p.after ? placed.get(p.after.id) : undefined) {
    seen.add(p.r.id);
    chain.push(p);
  }
  chain.reverse();
  const segments: SimSegment[] = [];
  const estimated = new Set<string>();
  let cursor = 0;
  const push = (kind: SegmentKind, requestId: string | null, o0: number, o1: number, end: number, est = false): void => {
    const s0 = cursor;
    const s1 = Math.max(cursor, end);
    if (s1 - s0 <= 0 && o1 - o0 <= 0) return;
    segments.push({ kind, requestId, origStartMs: o0, origEndMs: o1, simStartMs: s0, simEndMs: s1, estimated: est });
    cursor = s1;
  };
  /** A gap as two pieces when part of it is the person's: its own kind (a user gap's rest: harness), then user. */
  const pushGap = (kind: SegmentKind, requestId: string | null, o0: number, o1: number, end: number): void => {
    const user = o1 > o0 ? Math.min(o1 - o0, userPart(o0, o1)) : 0;
    if (user <= 0 || (kind === 'user' && user >= o1 - o0)) return push(kind, requestId, o0, o1, end);
    push(kind === 'user' ? 'harness' : kind, requestId, o0, o1 - user, end - user);
    push('user', requestId, o1 - user, o1, end);
  };
  let prev: Placed | null = null;
  for (const p of chain) {
    const fc = p.r.firstContentMs ?? p.r.endMs;
    pushGap(p.after ? p.after.gap : 'harness', prev ? prev.r.id : null, prev ? prev.r.endMs : 0, p.r.startMs, p.start);
    push('modelWait', p.r.id, p.r.startMs, Math.min(fc, p.r.endMs), p.first);
    push('modelStream', p.r.id, Math.min(fc, p.r.endMs), p.r.endMs, p.end, p.estimated);
    if (p.estimated) estimated.add(p.r.id);
    prev = p;
  }
  pushGap('harness', prev ? prev.r.id : null, prev ? prev.r.endMs : 0, model.durationMs, simDuration);
  const simBreakdown = breakdownOf(segments.map((x) => ({ kind: x.kind, startMs: x.simStartMs, endMs: x.simEndMs })));

  // Playback follows the recorded critical path: its requests' original and simulated places.
  const timeMap: TimeMap = { orig: [0], sim: [0] };
  const knot = (o: number, s: number): void => {
    timeMap.orig.push(Math.max(o, timeMap.orig[timeMap.orig.length - 1]));
    timeMap.sim.push(Math.max(s, timeMap.sim[timeMap.sim.length - 1]));
  };
  for (const r of origChain) {
    const p = placed.get(r.id)!;
    knot(r.startMs, p.start);
    knot(r.firstContentMs ?? r.endMs, p.first);
    knot(r.endMs, p.end);
  }
  knot(model.durationMs, simDuration);

  return {
    profile,
    original: { durationMs: model.durationMs, breakdown: { ...model.breakdown }, critical: origChain.map((r) => r.id) },
    simulated: { durationMs: simDuration, breakdown: simBreakdown, critical: chain.map((p) => p.r.id) },
    speedup: simDuration > 0 ? model.durationMs / simDuration : null,
    segments,
    requests: model.requests.map((r) => {
      const p = placed.get(r.id)!;
      return { id: r.id, startMs: p.start, firstContentMs: r.firstContentMs === null ? null : p.first, endMs: p.end, critical: seen.has(r.id) };
    }),
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

/** The subagent threads a critical path runs through, in path order (what a view names as "the branch"). */
export function branchesOf(model: Pick<SessionModel, 'requests' | 'threads'>, critical: readonly string[]): ThreadModel[] {
  const threadOf = new Map(model.requests.map((r) => [r.id, r.thread] as const));
  const byId = new Map(model.threads.map((t) => [t.id, t] as const));
  const out: ThreadModel[] = [];
  for (const id of critical) {
    const t = byId.get(threadOf.get(id) ?? '');
    if (t && t.kind === 'subagent' && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Milliseconds of `user` segments of the critical path inside [o0, o1]. */
function userWithin(path: readonly { kind: SegmentKind; startMs: number; endMs: number }[]): (o0: number, o1: number) => number {
  const user = path.filter((x) => x.kind === 'user');
  return (o0, o1) => {
    let lo = 0;
    let hi = user.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (user[mid].endMs <= o0) lo = mid + 1;
      else hi = mid;
    }
    let ms = 0;
    for (let i = lo; i < user.length && user[i].startMs < o1; i++) ms += Math.min(o1, user[i].endMs) - Math.max(o0, user[i].startMs);
    return ms;
  };
}
