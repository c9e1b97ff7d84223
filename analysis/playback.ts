// The play clock both viewers run: playback time ↔ session time. A session plays as recorded, or
// as simulated under a profile (simulate()); with an idle limit, every tool or user stretch of the
// critical path (the agent waiting on tools or on the person) longer than the limit plays in exactly
// the limit (asciinema's -i); model and harness time always play in full. Everything on screen is placed in playback ("view") time; what was recorded
// (deltas, files, terminal output) is looked up in original time through toOrig().
import type { RequestModel, SegmentKind, SessionModel, SimRequest, SimulationResult } from './model.js';
import { interpolate, origToSim, simToOrig } from './simulate.js';

/** Playback speeds both viewers offer. */
export const PLAY_SPEEDS: readonly number[] = [0.5, 1, 2, 4, 8, 16, 32, 64];
/** Idle limits both viewers offer (null: none), ms. */
export const IDLE_LIMITS_MS: ReadonlyArray<number | null> = [null, 500, 1000, 2000, 5000, 10_000, 30_000];
/** What the idle limit shortens: waiting on tools and on the person. */
export const IDLE_KINDS: ReadonlySet<SegmentKind> = new Set<SegmentKind>(['tool', 'user']);

/** One stretch of the critical path being played. */
export interface ViewSegment {
  kind: SegmentKind;
  requestId: string | null;
  /** Where it was in the recording. */
  origStartMs: number;
  origEndMs: number;
  /** Where it is in playback. */
  viewStartMs: number;
  viewEndMs: number;
  /** The idle limit shortened it. */
  compressed: boolean;
}

export class PlayClock {
  readonly mode: 'recorded' | 'simulated';
  readonly segments: ViewSegment[];
  /** Playback length. */
  readonly durationMs: number;
  /** Playback is the recording itself (no profile effect, nothing compressed). */
  readonly identity: boolean;
  /** Knots view[i] ↔ base[i] (base: recorded time, or simulated time when a profile is on). */
  private readonly view: number[] = [0];
  private readonly base: number[] = [0];

  /** `sim`: play the simulation (null: as recorded). */
  constructor(
    model: Pick<SessionModel, 'criticalPath' | 'durationMs'>,
    private readonly sim: SimulationResult | null,
    idleLimitMs: number | null,
  ) {
    this.mode = sim ? 'simulated' : 'recorded';
    const src = sim
      ? sim.segments.map((s) => ({ kind: s.kind, requestId: s.requestId, o0: s.origStartMs, o1: s.origEndMs, b0: s.simStartMs, b1: s.simEndMs }))
      : model.criticalPath.map((s) => ({ kind: s.kind, requestId: s.requestId, o0: s.startMs, o1: s.endMs, b0: s.startMs, b1: s.endMs }));
    const segs: ViewSegment[] = [];
    let t = 0;
    let identity = true;
    for (const s of src) {
      let len = Math.max(0, s.b1 - s.b0);
      let compressed = false;
      if (idleLimitMs !== null && IDLE_KINDS.has(s.kind) && len > idleLimitMs) {
        len = idleLimitMs;
        compressed = true;
      }
      if (Math.abs(len - (s.o1 - s.o0)) > 1e-9) identity = false;
      segs.push({ kind: s.kind, requestId: s.requestId, origStartMs: s.o0, origEndMs: s.o1, viewStartMs: t, viewEndMs: t + len, compressed });
      t += len;
      this.view.push(t);
      this.base.push(s.b1);
    }
    if (segs.length === 0) {
      // No critical path (no model requests): the session plays as recorded (or as retimed).
      const end = sim ? sim.simulated.durationMs : model.durationMs;
      this.view.push(end);
      this.base.push(end);
      t = end;
      if (sim && end !== model.durationMs) identity = false;
    }
    this.segments = segs;
    this.durationMs = t;
    this.identity = identity;
  }

  /** Session time of the base clock (recorded, or simulated) at playback time `viewMs`. */
  toBase(viewMs: number): number {
    return interpolate(this.view, this.base, viewMs);
  }

  fromBase(baseMs: number): number {
    return interpolate(this.base, this.view, baseMs);
  }

  /** Original (recorded) time shown at playback time `viewMs` (at an emptied stretch: its far end). */
  toOrig(viewMs: number): number {
    const b = this.toBase(viewMs);
    return this.sim ? simToOrig(this.sim.timeMap, b) : b;
  }

  /** Where original time `origMs` plays. */
  toView(origMs: number): number {
    return this.fromBase(this.sim ? origToSim(this.sim.timeMap, origMs) : origMs);
  }

  /** Where simulated time `simMs` plays (a request placed by the simulation); recorded mode: same as toView. */
  simToView(simMs: number): number {
    return this.fromBase(simMs);
  }

  private simById: Map<string, SimRequest> | null = null;

  /**
   * Where a request plays: as recorded, its own times; as simulated, its simulated place (so a
   * branch off the recorded path, a subagent, lands where the simulation put it).
   */
  place(r: Pick<RequestModel, 'id' | 'startMs' | 'firstContentMs' | 'endMs'>): { startMs: number; firstContentMs: number | null; endMs: number } {
    if (this.sim) {
      this.simById ??= new Map(this.sim.requests.map((q) => [q.id, q] as const));
      const q = this.simById.get(r.id);
      if (q) return { startMs: this.fromBase(q.startMs), firstContentMs: q.firstContentMs === null ? null : this.fromBase(q.firstContentMs), endMs: this.fromBase(q.endMs) };
    }
    return { startMs: this.toView(r.startMs), firstContentMs: r.firstContentMs === null ? null : this.toView(r.firstContentMs), endMs: this.toView(r.endMs) };
  }

  /** Index of the last segment starting at or before `viewMs` (so past emptied segments, as toOrig is), or -1. */
  segmentAt(viewMs: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid].viewStartMs <= viewMs) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }
}
