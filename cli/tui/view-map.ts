// The clock the viewer plays: original session time mapped to "view" time. The view is the original
// session, or the simulated one when a profile is on, with tool and user gaps longer than the idle
// limit shortened to it (asciinema's -i). Everything on screen is placed in view time; what was
// recorded (deltas, files) is looked up in original time through toOrig().
import type { SegmentKind, SessionModel, SimulationResult } from '../../analysis/model.js';
import { origToSim, simToOrig } from '../../analysis/simulate.js';

export interface ViewSegment {
  kind: SegmentKind;
  requestId: string | null;
  origStartMs: number;
  origEndMs: number;
  viewStartMs: number;
  viewEndMs: number;
  /** The idle limit shortened this gap. */
  compressed: boolean;
}

export class ViewMap {
  /** Knots: orig[i] ↔ view[i], linear between (repeated view values where a segment became empty). */
  readonly orig: number[];
  readonly view: number[];
  readonly segments: ViewSegment[];
  readonly durationMs: number;
  readonly identity: boolean;

  constructor(model: SessionModel, sim: SimulationResult | null, idleLimitMs: number | null) {
    const segs: ViewSegment[] = [];
    let t = 0;
    let identity = true;
    const base = sim
      ? sim.segments.map((s) => ({ kind: s.kind, requestId: s.requestId, o0: s.origStartMs, o1: s.origEndMs, len: s.simEndMs - s.simStartMs }))
      : model.criticalPath.map((s) => ({ kind: s.kind, requestId: s.requestId, o0: s.startMs, o1: s.endMs, len: s.endMs - s.startMs }));
    for (const s of base) {
      let len = s.len;
      let compressed = false;
      if (idleLimitMs !== null && (s.kind === 'tool' || s.kind === 'user') && len > idleLimitMs) {
        len = idleLimitMs;
        compressed = true;
      }
      if (Math.abs(len - (s.o1 - s.o0)) > 1e-9) identity = false;
      segs.push({ kind: s.kind, requestId: s.requestId, origStartMs: s.o0, origEndMs: s.o1, viewStartMs: t, viewEndMs: t + len, compressed });
      t += len;
    }
    this.orig = [0];
    this.view = [0];
    for (const s of segs) {
      this.orig.push(s.origEndMs);
      this.view.push(s.viewEndMs);
    }
    if (segs.length === 0) {
      // No critical path (no model requests): the session plays as recorded.
      this.orig.push(model.durationMs);
      this.view.push(model.durationMs);
      t = model.durationMs;
    }
    this.segments = segs;
    this.durationMs = t;
    this.identity = identity;
  }

  toView(origMs: number): number {
    return origToSim({ orig: this.orig, sim: this.view }, origMs);
  }

  /** Original time shown at view time `viewMs` (at an emptied segment: its far end). */
  toOrig(viewMs: number): number {
    return simToOrig({ orig: this.orig, sim: this.view }, viewMs);
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
