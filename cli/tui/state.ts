// The player's state and its rules, with no terminal in sight: playhead (in view time), play/pause,
// speed, idle limit, model profile, the request in focus, overlays. The blessed layer only turns
// keys into these calls and draws what layout.ts makes of the state.
import type { RequestModel, SessionModel, SimProfile, SimulationResult } from '../../analysis/model.js';
import { PROFILES, simulate } from '../../analysis/simulate.js';
import { IDLE_LIMITS_MS, PLAY_SPEEDS, PlayClock, type ViewSegment } from '../../analysis/playback.js';
import { upperBound } from './text.js';

/** The play clock's speeds and idle limits (analysis/playback.ts), the same in the web viewer. */
export const SPEEDS = PLAY_SPEEDS;
/** Profiles `s` cycles through (design.md presets). */
export const PROFILE_CYCLE = ['original', 'spark', 'fast-mode', 'instant'] as const;

export type Overlay = 'none' | 'help' | 'request';

/** A trace being recorded (`live`), one whose recording ended while shown (`ended`), or a finished one (null). */
export type LiveStatus = 'live' | 'ended' | null;

/** Small seek step: 1% of the view; big (shift): 10%. Never below these floors. */
const SMALL_STEP_FRACTION = 0.01;
const BIG_STEP_FRACTION = 0.1;
const MIN_SMALL_STEP_MS = 100;
const MIN_BIG_STEP_MS = 1000;
/** Tolerance for comparing view times that went through the time map and back. */
const EPS = 1e-6;

export class TuiState {
  playing = false;
  speedIndex = 1;
  idleIndex = 0;
  profileIndex = 0;
  /** View time, 0..view.durationMs. */
  playheadMs = 0;
  overlay: Overlay = 'none';
  /** The right pane shows the harness's terminal at the playhead instead of the request detail (`t`); on by default when the trace has one. */
  showTerminal: boolean;
  /** Scroll offset of the request overlay (lines), and the request it shows. */
  overlayScroll = 0;
  overlayRequest = -1;
  /** The trace is being recorded (or its recording ended while it was shown). */
  live: LiveStatus = null;
  /** `f`: while the trace is being recorded, the playhead stays at its newest moment. */
  follow = false;
  /** A request chosen with [ / ] stays in focus until the playhead moves. */
  private pinned: number | null = null;
  private readonly sims = new Map<string, SimulationResult>();
  private readonly maps = new Map<string, PlayClock>();
  private readonly starts = new Map<PlayClock, Float64Array>();
  private readonly profiles: SimProfile[];
  private readonly reqStartsOrig: Float64Array;

  constructor(
    readonly model: SessionModel,
    opts: { profiles?: SimProfile[] } = {},
  ) {
    this.profiles = opts.profiles ?? PROFILE_CYCLE.map((n) => PROFILES[n]);
    this.reqStartsOrig = Float64Array.from(model.requests, (r) => r.startMs);
    this.showTerminal = model.terminal !== null;
  }

  /**
   * Takes over the person's choices from the state of an earlier model of the same trace (a live
   * update): speed, idle limit, profile, overlays, follow; the playhead stays on the same moment, or,
   * when following, goes to the newest one.
   */
  carry(prev: TuiState): void {
    this.speedIndex = prev.speedIndex;
    this.idleIndex = prev.idleIndex;
    this.profileIndex = prev.profileIndex;
    this.overlay = prev.overlay;
    this.overlayScroll = prev.overlayScroll;
    this.overlayRequest = prev.overlayRequest < this.model.requests.length ? prev.overlayRequest : -1;
    if (this.model.terminal !== null) this.showTerminal = prev.showTerminal || prev.model.terminal === null;
    this.follow = prev.follow;
    this.playing = prev.playing;
    const view = this.view;
    this.playheadMs = this.follow ? view.durationMs : Math.min(view.durationMs, Math.max(0, view.toView(prev.origNow)));
    this.pinned = prev.pinned !== null && prev.pinned < this.model.requests.length && !this.follow ? prev.pinned : null;
  }

  /** `f`: follow the recording (playhead to its newest moment) or stop following; nothing for a finished trace. */
  toggleFollow(): void {
    if (this.live !== 'live') return;
    this.follow = !this.follow;
    if (this.follow) {
      this.playing = false;
      this.setPlayhead(this.durationMs);
    }
  }

  get profile(): SimProfile {
    return this.profiles[this.profileIndex];
  }

  /** The simulation of the current profile; null for `original`. */
  get sim(): SimulationResult | null {
    const p = this.profile;
    if (p.name === 'original') return null;
    let s = this.sims.get(p.name);
    if (!s) this.sims.set(p.name, (s = simulate(this.model, p)));
    return s;
  }

  get speed(): number {
    return SPEEDS[this.speedIndex];
  }

  get idleLimitMs(): number | null {
    return IDLE_LIMITS_MS[this.idleIndex];
  }

  /** The clock being played: original or simulated, with the idle limit applied. */
  get view(): PlayClock {
    const key = `${this.profile.name}|${this.idleLimitMs ?? ''}`;
    let m = this.maps.get(key);
    if (!m) this.maps.set(key, (m = new PlayClock(this.model, this.sim, this.idleLimitMs)));
    return m;
  }

  get durationMs(): number {
    return this.view.durationMs;
  }

  /** Original session time at the playhead. */
  get origNow(): number {
    return this.view.toOrig(this.playheadMs);
  }

  /** View start time of every request (same order as model.requests). */
  requestViewStarts(view: PlayClock = this.view): Float64Array {
    let s = this.starts.get(view);
    if (!s) this.starts.set(view, (s = Float64Array.from(this.model.requests, (r) => view.toView(r.startMs))));
    return s;
  }

  atEnd(): boolean {
    return this.playheadMs >= this.durationMs - EPS;
  }

  togglePlay(): void {
    if (!this.playing && this.atEnd()) this.setPlayhead(0);
    this.playing = !this.playing;
  }

  /** Advances the clock by `realMs` of wall time at the current speed; true if the playhead moved. */
  tick(realMs: number): boolean {
    if (!this.playing || realMs <= 0) return false;
    const before = this.playheadMs;
    this.setPlayhead(this.playheadMs + realMs * this.speed);
    if (this.atEnd()) this.playing = false;
    return this.playheadMs !== before;
  }

  seekTo(viewMs: number): void {
    this.setPlayhead(viewMs);
  }

  smallStepMs(): number {
    return Math.max(MIN_SMALL_STEP_MS, this.durationMs * SMALL_STEP_FRACTION);
  }

  bigStepMs(): number {
    return Math.max(MIN_BIG_STEP_MS, this.durationMs * BIG_STEP_FRACTION);
  }

  /** ←/→ (big: with shift). */
  step(dir: -1 | 1, big = false): void {
    this.setPlayhead(this.playheadMs + dir * (big ? this.bigStepMs() : this.smallStepMs()));
  }

  faster(): void {
    this.speedIndex = Math.min(SPEEDS.length - 1, this.speedIndex + 1);
  }

  slower(): void {
    this.speedIndex = Math.max(0, this.speedIndex - 1);
  }

  /** `i`: next idle limit; the playhead stays on the same moment of the session. */
  cycleIdle(): void {
    this.keepMoment(() => {
      this.idleIndex = (this.idleIndex + 1) % IDLE_LIMITS_MS.length;
    });
  }

  /** `s`: next model profile; the playhead stays on the same moment of the session. */
  cycleProfile(): void {
    this.keepMoment(() => {
      this.profileIndex = (this.profileIndex + 1) % this.profiles.length;
    });
  }

  setProfile(name: string): boolean {
    const i = this.profiles.findIndex((p) => p.name === name);
    if (i < 0) return false;
    this.keepMoment(() => {
      this.profileIndex = i;
    });
    return true;
  }

  private keepMoment(change: () => void): void {
    const t = this.origNow;
    const pinned = this.pinned;
    change();
    const view = this.view;
    this.playheadMs = Math.min(view.durationMs, Math.max(0, view.toView(t)));
    // Re-anchor a pinned request to its start in the new clock.
    if (pinned !== null) this.playheadMs = this.requestViewStarts(view)[pinned];
    this.pinned = pinned;
  }

  private setPlayhead(v: number): void {
    const c = Math.min(this.durationMs, Math.max(0, v));
    if (c !== this.playheadMs) this.pinned = null;
    this.playheadMs = c;
  }

  /** The critical-path segment at the playhead (view), or null. */
  segmentNow(): ViewSegment | null {
    const v = this.view;
    const i = v.segmentAt(this.playheadMs);
    return i >= 0 ? v.segments[i] : null;
  }

  /**
   * Index of the request in focus at the playhead, or -1 before the first one. Rules: a request
   * pinned with [ / ]; else the critical request being waited on or streamed; else a side request
   * in progress (latest started); else the request whose tool/user gap this is; else the latest
   * request started.
   */
  activeIndex(): number {
    if (this.pinned !== null) return this.pinned;
    const reqs = this.model.requests;
    if (reqs.length === 0) return -1;
    const seg = this.segmentNow();
    const idx = (id: string | null): number => (id === null ? -1 : this.indexOf(id));
    if (seg && (seg.kind === 'modelWait' || seg.kind === 'modelStream')) {
      const i = idx(seg.requestId);
      if (i >= 0) return i;
    }
    const t = this.origNow;
    const started = upperBound(this.reqStartsOrig, t + EPS);
    for (let i = started - 1; i >= 0; i--) {
      const r = reqs[i];
      if (!r.critical && r.endMs >= t) return i;
    }
    if (seg) {
      const i = idx(seg.requestId);
      if (i >= 0 && i < started) return i;
    }
    return started - 1;
  }

  activeRequest(): RequestModel | null {
    const i = this.activeIndex();
    return i >= 0 ? this.model.requests[i] : null;
  }

  private idIndex: Map<string, number> | null = null;
  indexOf(id: string): number {
    if (!this.idIndex) this.idIndex = new Map(this.model.requests.map((r, i) => [r.id, i] as const));
    return this.idIndex.get(id) ?? -1;
  }

  /** `]`: the next request at or after the playhead, put in focus with the playhead at its start. */
  nextRequest(): boolean {
    const starts = this.requestViewStarts();
    const a = this.activeIndex();
    for (let i = a + 1; i < starts.length; i++) {
      if (starts[i] >= this.playheadMs - EPS) {
        this.focus(i);
        return true;
      }
    }
    return false;
  }

  /** `[`: back to the start of the request in focus, or to the one before it when already there. */
  prevRequest(): boolean {
    const starts = this.requestViewStarts();
    const a = this.activeIndex();
    if (a < 0) return false;
    if (this.playheadMs > starts[a] + EPS) {
      this.focus(a);
      return true;
    }
    if (a === 0) return false;
    this.focus(a - 1);
    return true;
  }

  /** Puts request `i` in focus, with the playhead at its start. */
  focus(i: number): void {
    this.playheadMs = this.requestViewStarts()[i];
    this.pinned = i;
  }

  /** Opens help, or the full view of the request in focus (which stays shown while playing). */
  openOverlay(o: Overlay): void {
    this.overlay = o;
    this.overlayScroll = 0;
    this.overlayRequest = o === 'request' ? this.activeIndex() : -1;
  }

  closeOverlay(): void {
    this.overlay = 'none';
    this.overlayScroll = 0;
  }
}
