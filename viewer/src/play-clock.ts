// Playback time ↔ session time. Playback runs along the critical path either as recorded or as
// simulated; with an idle limit, tool/user/harness stretches longer than the limit play in exactly
// the limit (like asciinema's -i). Pure functions over piecewise-linear knots.
import type { SessionModel, SimulationResult, SegmentKind } from '../../analysis/model.js';
import { interpolate, origToSim, simToOrig } from '../../analysis/simulate.js';

export { interpolate };

export type PlayMode = 'recorded' | 'simulated';

export interface PlayMap {
  mode: PlayMode;
  /** Knots: play[i] (ms of playback) ↔ base[i] (recorded or simulated session ms). */
  play: number[];
  base: number[];
  totalMs: number;
}

const IDLE_KINDS = new Set<SegmentKind>(['tool', 'user', 'harness']);

export function buildPlayMap(model: SessionModel, sim: SimulationResult, mode: PlayMode, idleLimitMs: number | null): PlayMap {
  const segs = mode === 'simulated' ? sim.segments.map((s) => ({ kind: s.kind, start: s.simStartMs, end: s.simEndMs })) : model.criticalPath.map((s) => ({ kind: s.kind, start: s.startMs, end: s.endMs }));
  const play = [0];
  const base = [0];
  let p = 0;
  for (const s of segs) {
    const len = Math.max(0, s.end - s.start);
    p += idleLimitMs !== null && IDLE_KINDS.has(s.kind) && len > idleLimitMs ? idleLimitMs : len;
    play.push(p);
    base.push(s.end);
  }
  if (segs.length === 0) {
    const end = mode === 'simulated' ? sim.simulated.durationMs : model.durationMs;
    play.push(end);
    base.push(end);
    p = end;
  }
  return { mode, play, base, totalMs: p };
}

export function playToBase(m: PlayMap, p: number): number {
  return interpolate(m.play, m.base, p);
}

export function baseToPlay(m: PlayMap, b: number): number {
  return interpolate(m.base, m.play, b);
}

/** Recorded session time shown at playback time p. */
export function playToOrig(m: PlayMap, sim: SimulationResult, p: number): number {
  const b = playToBase(m, p);
  return m.mode === 'simulated' ? simToOrig(sim.timeMap, b) : b;
}

export function origToPlay(m: PlayMap, sim: SimulationResult, orig: number): number {
  return baseToPlay(m, m.mode === 'simulated' ? origToSim(sim.timeMap, orig) : orig);
}
