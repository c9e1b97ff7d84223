// The player: play/pause, a seek bar with request and file markers, speed, idle limit, and "as
// recorded" / "as simulated". It owns the playback clock and moves the shared playhead.
import type { ViewerState } from './state.js';
import { IDLE_LIMITS_MS, PLAY_SPEEDS, PlayClock } from '../../analysis/playback.js';
import { append, el } from './dom.js';
import { clock } from './fmt.js';
import { FILE_COLOR, KIND_COLOR, SIDE_COLOR } from './kinds.js';

type PlayMode = 'recorded' | 'simulated';

const idleLabel = (ms: number | null): string => (ms === null ? 'no idle limit' : `idle ≤ ${ms / 1000} s`);

export class Player {
  private map: PlayClock;
  private p = 0;
  private playing = false;
  private speed = 1;
  private idle: number | null = null;
  private mode: PlayMode = 'recorded';
  private lastFrame = 0;
  private readonly playBtn: HTMLButtonElement;
  private readonly seek: HTMLCanvasElement;
  private readonly time: HTMLElement;
  private readonly modeSel: HTMLSelectElement;

  constructor(
    host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    this.map = this.clock();
    this.playBtn = el('button', { class: 'play', attrs: { 'data-testid': 'play', 'aria-label': 'play' } }, '▶ play');
    this.playBtn.addEventListener('click', () => this.toggle());
    this.seek = el('canvas', { class: 'seek', attrs: { 'data-testid': 'seek', 'aria-label': 'seek bar: click or drag to move the playhead' } });
    this.time = el('span', { class: 'clock', attrs: { 'data-testid': 'clock' } });
    const speedSel = el('select', { attrs: { 'aria-label': 'playback speed', 'data-testid': 'speed' } });
    for (const s of PLAY_SPEEDS) append(speedSel, el('option', { attrs: { value: String(s) } }, `${s}×`));
    speedSel.value = '1';
    speedSel.addEventListener('change', () => (this.speed = Number(speedSel.value)));
    const idleSel = el('select', { attrs: { 'aria-label': 'idle limit', 'data-testid': 'idle' } });
    IDLE_LIMITS_MS.forEach((ms, i) => append(idleSel, el('option', { attrs: { value: String(i) } }, idleLabel(ms))));
    idleSel.addEventListener('change', () => {
      this.idle = IDLE_LIMITS_MS[Number(idleSel.value)];
      this.rebuild();
    });
    this.modeSel = el('select', { attrs: { 'aria-label': 'play as recorded or as simulated', 'data-testid': 'mode' } }, el('option', { attrs: { value: 'recorded' } }, 'as recorded'), el('option', { attrs: { value: 'simulated' } }, 'as simulated'));
    this.modeSel.addEventListener('change', () => {
      this.mode = this.modeSel.value as PlayMode;
      this.rebuild();
    });
    append(host, this.playBtn, this.seek, this.time, speedSel, idleSel, this.modeSel);
    this.bindSeek();
    st.on('sim', () => this.rebuild());
    new ResizeObserver(() => this.drawSeek()).observe(this.seek);
    document.addEventListener('keydown', this.onKey);
    this.publish();
  }

  /** Space plays and pauses, unless a control has the focus. */
  private readonly onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement | null;
    if (e.key === ' ' && t && !['INPUT', 'SELECT', 'BUTTON', 'TEXTAREA'].includes(t.tagName)) {
      e.preventDefault();
      this.toggle();
    }
  };

  /** Stops and lets go of the page (another trace was opened). */
  dispose(): void {
    this.pause();
    document.removeEventListener('keydown', this.onKey);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Switches playback to the simulated session (the simulation panel does this when a profile is chosen). */
  setMode(mode: PlayMode): void {
    this.modeSel.value = mode;
    this.mode = mode;
    this.rebuild();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.p >= this.map.durationMs) this.p = 0;
    this.playing = true;
    this.playBtn.textContent = '❚❚ pause';
    this.playBtn.setAttribute('aria-label', 'pause');
    this.lastFrame = performance.now();
    requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    this.playing = false;
    this.playBtn.textContent = '▶ play';
    this.playBtn.setAttribute('aria-label', 'play');
  }

  /** The one play clock (analysis/playback.ts): as recorded, or the current simulation. */
  private clock(): PlayClock {
    return new PlayClock(this.st.model, this.mode === 'simulated' ? this.st.sim : null, this.idle);
  }

  /** Moves the playhead to a recorded-session time. */
  seekOrig(origMs: number): void {
    this.p = this.map.toView(origMs);
    this.publish();
  }

  private tick(now: number): void {
    if (!this.playing) return;
    const dt = Math.min(250, Math.max(0, now - this.lastFrame));
    this.lastFrame = now;
    this.p = Math.min(this.map.durationMs, this.p + dt * this.speed);
    this.publish();
    if (this.p >= this.map.durationMs) this.pause();
    else requestAnimationFrame((t) => this.tick(t));
  }

  /** Rebuilds the clock after a profile, mode or idle change, staying at the same recorded moment. */
  private rebuild(): void {
    const orig = this.st.playheadMs;
    this.map = this.clock();
    this.p = this.map.toView(orig);
    this.publish();
  }

  private publish(): void {
    const orig = this.map.toOrig(this.p);
    this.st.setPlayhead(orig, this.mode === 'simulated' ? this.map.toBase(this.p) : null);
    this.time.textContent = `${clock(this.p)} / ${clock(this.map.durationMs)}`;
    this.drawSeek();
  }

  private bindSeek(): void {
    let dragging = false;
    const to = (e: PointerEvent): void => {
      const box = this.seek.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (e.clientX - box.left) / Math.max(1, box.width)));
      this.p = f * this.map.durationMs;
      this.publish();
    };
    this.seek.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.seek.setPointerCapture(e.pointerId);
      to(e);
    });
    this.seek.addEventListener('pointermove', (e) => dragging && to(e));
    this.seek.addEventListener('pointerup', () => (dragging = false));
  }

  private drawSeek(): void {
    const c = this.seek;
    const w = Math.max(100, c.clientWidth);
    const h = 26;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(w * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#ececf0';
    ctx.fillRect(0, 8, w, 10);
    const total = this.map.durationMs || 1;
    const xOf = (orig: number): number => (this.map.toView(orig) / total) * w;
    // Request markers: critical requests in the stream colour, side requests in violet; files in orange.
    let last = -1;
    for (const r of this.st.model.requests) {
      const x = Math.round(xOf(r.startMs));
      if (x === last && r.critical) continue;
      last = x;
      ctx.fillStyle = r.critical ? KIND_COLOR.modelStream : SIDE_COLOR;
      ctx.fillRect(x, r.critical ? 4 : 16, 1.5, r.critical ? 12 : 8);
    }
    ctx.fillStyle = FILE_COLOR;
    for (const f of this.st.model.files) ctx.fillRect(Math.round(xOf(f.tMs)) - 1, 19, 3, 5);
    const px = (this.p / total) * w;
    ctx.fillStyle = 'rgba(214,39,40,0.18)';
    ctx.fillRect(0, 8, px, 10);
    ctx.fillStyle = '#d62728';
    ctx.fillRect(px - 1, 2, 2, 22);
  }
}
