// The timeline: one canvas, lanes stacked like the terminal viewer's, zoomed and panned with d3-zoom.
// Canvas rather than SVG because a long session has thousands of segments and a million deltas; each
// frame draws only what is on screen, and items narrower than a pixel are merged into one column.
import { select } from 'd3-selection';
import { zoom as d3zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import type { FileChange, RequestModel, Segment, SimSegment } from '../../analysis/model.js';
import { origToSim } from '../../analysis/simulate.js';
import type { ViewerState } from './state.js';
import type { Preview } from './load.js';
import { ERROR_COLOR, FILE_COLOR, KIND_COLOR, KIND_LABEL, SIDE_COLOR } from './kinds.js';
import { TokenRate } from './token-rate.js';
import { at, clip, dur, int, rate } from './fmt.js';
import { el } from './dom.js';
import { describeProfile } from '../../analysis/present.js';

export type LaneKey = 'axis' | 'path' | 'sim' | 'requests' | 'side' | 'thread' | 'files' | 'tps';

interface Lane {
  key: LaneKey;
  label: string;
  y: number;
  h: number;
  /** A `thread` lane: the subagent thread it shows. */
  thread?: string;
}

/** Subagent lanes shown at most; more subagents share the last one. */
const MAX_THREAD_LANES = 8;

const GUTTER = 96;
const LANE_SPEC: Array<[LaneKey, string, number]> = [
  ['axis', '', 22],
  ['path', 'recorded', 22],
  ['sim', 'simulated', 22],
  ['requests', 'requests', 16],
  ['side', 'side requests', 16],
  ['files', 'files', 16],
  ['tps', 'tokens/s', 64],
];
const GAP = 5;

/** The lanes, with one per subagent thread (main is the requests lane, side calls the side lane) after `side`. */
function layoutLanes(threads: ReadonlyArray<{ id: string; label: string }> = []): { lanes: Lane[]; height: number } {
  let y = 0;
  const lanes: Lane[] = [];
  const push = (key: LaneKey, label: string, h: number, thread?: string): void => {
    lanes.push({ key, label, y, h, ...(thread ? { thread } : {}) });
    y += h + GAP;
  };
  for (const [key, label, h] of LANE_SPEC) {
    push(key, label, h);
    if (key !== 'side') continue;
    threads.slice(0, MAX_THREAD_LANES).forEach((t, i) => {
      const more = i === MAX_THREAD_LANES - 1 && threads.length > MAX_THREAD_LANES ? ` +${threads.length - MAX_THREAD_LANES}` : '';
      push('thread', clip(`↳ ${t.label}`, 16) + more, 14, t.id);
    });
  }
  return { lanes, height: y + 14 };
}

/** The index of the last item whose start is ≤ t (items sorted by start); -1 if none. */
function lastStartingBefore<T>(items: readonly T[], start: (x: T) => number, t: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (start(items[mid]) <= t) (ans = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return ans;
}

function tickLabel(ms: number, step: number): string {
  const s = ms / 1000;
  if (step < 1000) return `${s.toFixed(step < 10 ? 3 : step < 100 ? 2 : 1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  if (m < 60) return r ? `${m}m${String(r).padStart(2, '0')}` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, '0')}`;
}

/** A hovered or clicked thing. */
type Hit =
  | { lane: 'path'; seg: Segment }
  | { lane: 'sim'; seg: SimSegment }
  | { lane: 'requests' | 'side'; req: RequestModel }
  | { lane: 'files'; file: FileChange; index: number }
  | { lane: 'tps'; t0: number; t1: number; tokens: number }
  | { lane: 'axis'; t: number; marker: string | null };

export class Timeline {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tip: HTMLElement;
  private lanes: Lane[];
  private height: number;
  /** Requests of each thread lane (the last lane also holds the subagents beyond MAX_THREAD_LANES). */
  private threadReqs = new Map<string, RequestModel[]>();
  private width = 800;
  private base: ScaleLinear<number, number> = scaleLinear();
  private x: ScaleLinear<number, number> = scaleLinear();
  private transform: ZoomTransform = zoomIdentity;
  private readonly zoom: ZoomBehavior<HTMLCanvasElement, unknown>;
  private st: ViewerState | null = null;
  private preview: Preview | null = null;
  private critical: RequestModel[] = [];
  private side: RequestModel[] = [];
  private rates: TokenRate | null = null;
  private pending = false;
  /** Items drawn per lane in the last frame (tests and the bench read it). */
  drawn: Record<string, number> = {};
  /** Time of the last frame's drawing, ms. */
  lastDrawMs = 0;
  frames = 0;
  onSeek: ((origMs: number) => void) | null = null;
  /** While the trace is being recorded: the session's wall-clock start (the "now" line is drawn from it). */
  private liveStartedAt: number | null = null;
  private liveTimer: number | null = null;

  constructor(private readonly host: HTMLElement) {
    const l = layoutLanes();
    this.lanes = l.lanes;
    this.height = l.height;
    this.canvas = el('canvas', { class: 'timeline-canvas', attrs: { 'data-testid': 'timeline', 'aria-label': 'session timeline: drag to pan, wheel to zoom, click a request to inspect it' } });
    this.tip = el('div', { class: 'tooltip', attrs: { role: 'tooltip' } });
    this.tip.hidden = true;
    host.append(this.canvas, this.tip);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('viewer: no 2D canvas');
    this.ctx = ctx;
    this.zoom = d3zoom<HTMLCanvasElement, unknown>()
      .clickDistance(4)
      .filter((ev: Event) => {
        // Wheel zooms, drag pans; a press on the axis lane seeks the player instead.
        const e = ev as MouseEvent;
        if (e.type === 'mousedown' && this.laneAt(e.offsetY)?.key === 'axis') return false;
        return (!e.ctrlKey || e.type === 'wheel') && !e.button;
      })
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        this.transform = ev.transform;
        this.x = ev.transform.rescaleX(this.base);
        this.request();
      });
    select(this.canvas).call(this.zoom).on('dblclick.zoom', null);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('click', (e) => this.click(e));
    this.canvas.addEventListener('dblclick', (e) => this.dblclick(e));
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  /** Draws what has been read so far, before the model exists. */
  showPreview(p: Preview): void {
    this.preview = p;
    this.setDomain(Math.max(p.lastMs, 1));
    this.draw();
  }

  attach(st: ViewerState): void {
    this.st = st;
    this.preview = null;
    const reqs = st.model.requests;
    this.critical = reqs.filter((r) => r.critical);
    this.side = reqs.filter((r) => !r.critical);
    this.rates = new TokenRate(st.model);
    const subs = st.model.threads.filter((t) => t.kind === 'subagent');
    const l = layoutLanes(subs);
    this.lanes = l.lanes;
    this.height = l.height;
    this.threadReqs = new Map();
    subs.forEach((t, i) => {
      const key = subs[Math.min(i, MAX_THREAD_LANES - 1)].id;
      const list = this.threadReqs.get(key) ?? [];
      for (const id of t.requests) {
        const r = st.byId.get(id);
        if (r) list.push(r);
      }
      this.threadReqs.set(key, list.sort((a, b) => a.startMs - b.startMs));
    });
    if (subs.length) this.resize();
    this.setDomain(Math.max(st.model.durationMs, this.nowMs ?? 0, 1));
    st.on('sim', () => this.request());
    st.on('select', () => this.request());
    st.on('playhead', () => this.request());
    st.on('file', () => this.request());
    this.draw();
  }

  /**
   * Follows a recording: a "now" line at the wall-clock time since the session started, moving a few
   * times a second, with the whole-session view stretched to it. null: the recording ended.
   */
  setLive(startedAt: number | null): void {
    this.liveStartedAt = startedAt;
    if (startedAt === null) {
      if (this.liveTimer !== null) clearInterval(this.liveTimer);
      this.liveTimer = null;
      if (this.st) this.setDomain(Math.max(this.st.model.durationMs, 1));
      this.request();
      return;
    }
    this.tick();
    this.liveTimer ??= window.setInterval(() => this.tick(), 250);
  }

  /** The "now" line's time (ms since the session start), or null when not following a recording. */
  get nowMs(): number | null {
    if (this.liveStartedAt === null) return null;
    return Math.max(Date.now() - this.liveStartedAt, this.st?.model.durationMs ?? 0);
  }

  private tick(): void {
    const now = this.nowMs;
    if (now === null) return;
    // Only the whole-session view grows with the clock; a zoomed-in view stays where the person put it.
    if (this.transform.k === 1) this.setDomain(Math.max(now, 1));
    this.request();
  }

  private drawNow(): void {
    const now = this.nowMs;
    if (now === null) return;
    const ctx = this.ctx;
    const x = Math.round(this.x(now)) + 0.5;
    ctx.strokeStyle = '#2ca02c';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, this.lane('axis').y + 12);
    ctx.lineTo(x, this.height - 14);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
    ctx.fillStyle = '#2ca02c';
    ctx.textAlign = 'right';
    ctx.fillText('now', x - 3, this.lane('axis').y + 16);
    ctx.textAlign = 'left';
  }

  private setDomain(maxMs: number): void {
    this.base = scaleLinear().domain([0, maxMs]).range([GUTTER, this.width - 8]);
    this.zoom.scaleExtent([1, Math.max(1, maxMs / 2)]).extent([[GUTTER, 0], [this.width - 8, this.height]]).translateExtent([[GUTTER, 0], [this.width - 8, this.height]]);
    this.x = this.transform.rescaleX(this.base);
  }

  private resize(): void {
    const w = Math.max(320, Math.floor(this.host.clientWidth));
    const dpr = window.devicePixelRatio || 1;
    // Keep the visible time range across a resize.
    const [d0, d1] = this.x.domain();
    this.width = w;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${this.height}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const maxMs = this.base.domain()[1] || 1;
    this.setDomain(maxMs);
    if (d1 > d0 && this.transform.k !== 1) this.zoomTo(d0, d1);
    this.draw();
  }

  /** Visible time range, ms. */
  get domain(): [number, number] {
    const [a, b] = this.x.domain();
    return [a, b];
  }

  /** Shows [t0, t1] (ms) across the plot, at once (no animation). */
  zoomTo(t0: number, t1: number): void {
    const maxMs = this.base.domain()[1];
    const k = Math.min(Math.max(1, maxMs / Math.max(t1 - t0, 1e-3)), Math.max(1, maxMs / 2));
    const tx = GUTTER - this.base(t0) * k;
    select(this.canvas).call(this.zoom.transform, zoomIdentity.translate(tx, 0).scale(k));
  }

  /** Zooms by a factor around a plot x (px), as a wheel step would (used by the bench's scripted zoom). */
  zoomBy(k: number, atPx: number): void {
    select(this.canvas).call(this.zoom.scaleBy, k, [atPx, this.height / 2]);
  }

  /** Pans by dx pixels, as a drag would. */
  panBy(dx: number): void {
    select(this.canvas).call(this.zoom.translateBy, dx / this.transform.k, 0);
  }

  resetZoom(): void {
    select(this.canvas).call(this.zoom.transform, zoomIdentity);
  }

  /** Client coordinates of the middle of a request's bar (tests click there); null when off screen. */
  pointFor(id: string): { x: number; y: number } | null {
    const r = this.st?.byId.get(id);
    if (!r) return null;
    const lane = this.lane(r.critical ? 'requests' : 'side');
    const x0 = Math.max(GUTTER, this.x(r.startMs));
    const x1 = Math.min(this.width - 8, this.x(r.endMs));
    if (x1 < GUTTER || x0 > this.width - 8) return null;
    const box = this.canvas.getBoundingClientRect();
    return { x: box.left + (x0 + x1) / 2, y: box.top + lane.y + lane.h / 2 };
  }

  /** Client coordinates of a time on a lane. */
  pointAt(lane: LaneKey, tMs: number): { x: number; y: number } {
    const l = this.lane(lane);
    const box = this.canvas.getBoundingClientRect();
    return { x: box.left + this.x(tMs), y: box.top + l.y + l.h / 2 };
  }

  private lane(key: LaneKey): Lane {
    return this.lanes.find((l) => l.key === key) as Lane;
  }

  private laneAt(y: number): Lane | null {
    return this.lanes.find((l) => y >= l.y - GAP / 2 && y < l.y + l.h + GAP / 2) ?? null;
  }

  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw(): void {
    const t0 = performance.now();
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    this.drawn = {};
    for (const l of this.lanes) {
      if (!l.label) continue;
      ctx.fillStyle = l.key === 'sim' && this.st && this.st.profile.name !== 'original' ? '#222' : '#555';
      const label = l.key === 'sim' && this.st ? clip(this.st.profile.name === 'original' ? 'simulated' : this.st.profile.name, 14) : l.label;
      ctx.fillText(label, 6, l.y + l.h / 2);
      ctx.fillStyle = '#f4f4f6';
      ctx.fillRect(GUTTER, l.y, this.width - 8 - GUTTER, l.h);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, 0, this.width - 8 - GUTTER, this.height);
    ctx.clip();
    this.drawAxis();
    if (this.st) {
      this.drawPath();
      this.drawSim();
      this.drawRequests('requests', this.critical);
      this.drawRequests('side', this.side);
      this.drawThreads();
      this.drawFiles();
      this.drawRates();
      this.drawPlayhead();
      this.drawNow();
    } else if (this.preview) {
      this.drawPreview(this.preview);
    }
    ctx.restore();
    this.frames++;
    this.lastDrawMs = performance.now() - t0;
  }

  private drawAxis(): void {
    const ctx = this.ctx;
    const lane = this.lane('axis');
    const ticks = this.x.ticks(Math.max(2, Math.floor((this.width - GUTTER) / 90)));
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1000;
    ctx.fillStyle = '#444';
    ctx.strokeStyle = '#e2e2e8';
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    for (const t of ticks) {
      const x = Math.round(this.x(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, lane.y + lane.h - 4);
      ctx.lineTo(x, this.height - 14);
      ctx.stroke();
      // The first label would be cut by the plot's left edge: left-align it there instead.
      ctx.textAlign = x < GUTTER + 14 ? 'left' : 'center';
      ctx.fillText(tickLabel(t, step), x < GUTTER + 14 ? Math.max(x + 2, GUTTER + 2) : x, lane.y + 8);
    }
    ctx.textAlign = 'left';
    if (!this.st) return;
    ctx.fillStyle = '#333';
    for (const m of this.st.model.markers) {
      const x = this.x(m.tMs);
      ctx.beginPath();
      ctx.moveTo(x - 4, lane.y + lane.h - 6);
      ctx.lineTo(x + 4, lane.y + lane.h - 6);
      ctx.lineTo(x, lane.y + lane.h);
      ctx.fill();
    }
  }

  /** Draws [start, end) items of one lane, culled to the view and merged below a pixel. */
  private spans<T>(items: readonly T[], start: (x: T) => number, end: (x: T) => number, y: number, h: number, color: (x: T) => string, sorted = true): number {
    const ctx = this.ctx;
    const [d0, d1] = this.x.domain();
    let i = sorted ? Math.max(0, lastStartingBefore(items, start, d0)) : 0;
    let n = 0;
    let lastPx = -Infinity;
    for (; i < items.length; i++) {
      const it = items[i];
      const s = start(it);
      if (s > d1) {
        if (sorted) break;
        continue;
      }
      const e = end(it);
      if (e < d0) continue;
      const x0 = this.x(s);
      const x1 = this.x(e);
      const w = x1 - x0;
      if (w < 1 && Math.floor(x0) === lastPx) continue;
      lastPx = Math.floor(x0);
      ctx.fillStyle = color(it);
      ctx.fillRect(x0, y, Math.max(w, 1), h);
      n++;
    }
    return n;
  }

  private drawPath(): void {
    const st = this.st!;
    const l = this.lane('path');
    this.drawn.path = this.spans(st.model.criticalPath, (s) => s.startMs, (s) => s.endMs, l.y, l.h, (s) => KIND_COLOR[s.kind]);
    this.outlineSelected(st.model.criticalPath.filter((s) => s.requestId === st.selected && (s.kind === 'modelWait' || s.kind === 'modelStream')), l);
  }

  private drawSim(): void {
    const st = this.st!;
    const l = this.lane('sim');
    const segs = st.sim.segments;
    this.drawn.sim = this.spans(segs, (s) => s.simStartMs, (s) => s.simEndMs, l.y, l.h, (s) => KIND_COLOR[s.kind]);
    // Where the simulated session ends, across the lanes above, so the saving is visible at a glance.
    const x = this.x(st.sim.simulated.durationMs);
    const ctx = this.ctx;
    ctx.strokeStyle = '#222';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, this.lane('path').y);
    ctx.lineTo(x + 0.5, l.y + l.h);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  private outlineSelected(segs: Array<{ startMs: number; endMs: number }>, l: Lane): void {
    if (!segs.length) return;
    const ctx = this.ctx;
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    for (const s of segs) {
      const x0 = this.x(s.startMs);
      ctx.strokeRect(x0, l.y + 1, Math.max(2, this.x(s.endMs) - x0), l.h - 2);
    }
    ctx.lineWidth = 1;
  }

  private drawRequests(key: 'requests' | 'side', reqs: RequestModel[]): void {
    const st = this.st!;
    const l = this.lane(key);
    const ctx = this.ctx;
    const sorted = key === 'requests';
    // Wait part light, stream part solid: the bar reads like the request's own timeline.
    this.drawn[key] = this.spans(reqs, (r) => r.startMs, (r) => r.endMs, l.y + 2, l.h - 4, (r) => (r.status === 'error' ? ERROR_COLOR : key === 'side' ? '#cbbdf0' : '#b7d3ea'), sorted);
    this.spans(
      reqs,
      (r) => r.firstContentMs ?? r.endMs,
      (r) => r.endMs,
      l.y + 2,
      l.h - 4,
      (r) => (r.status === 'error' ? ERROR_COLOR : key === 'side' ? SIDE_COLOR : KIND_COLOR.modelStream),
      sorted,
    );
    const sel = st.selected ? st.byId.get(st.selected) : undefined;
    if (sel && sel.critical === (key === 'requests')) {
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 2;
      const x0 = this.x(sel.startMs);
      ctx.strokeRect(x0, l.y + 1, Math.max(3, this.x(sel.endMs) - x0), l.h - 2);
      ctx.lineWidth = 1;
    }
  }

  /** Each subagent's requests on its own lane: wait light, stream solid (a subagent's model time is model time). */
  private drawThreads(): void {
    let n = 0;
    for (const l of this.lanes) {
      if (l.key !== 'thread' || !l.thread) continue;
      const reqs = this.threadReqs.get(l.thread) ?? [];
      n += this.spans(reqs, (r) => r.startMs, (r) => r.endMs, l.y + 2, l.h - 4, (r) => (r.status === 'error' ? ERROR_COLOR : KIND_COLOR.modelWait), true);
      this.spans(reqs, (r) => r.firstContentMs ?? r.endMs, (r) => r.endMs, l.y + 2, l.h - 4, (r) => (r.status === 'error' ? ERROR_COLOR : KIND_COLOR.modelStream), true);
    }
    this.drawn.thread = n;
  }

  private drawFiles(): void {
    const st = this.st!;
    const l = this.lane('files');
    const ctx = this.ctx;
    const [d0, d1] = this.x.domain();
    let n = 0;
    let lastPx = -Infinity;
    const files = st.model.files;
    for (let i = Math.max(0, lastStartingBefore(files, (f) => f.tMs, d0)); i < files.length; i++) {
      const f = files[i];
      if (f.tMs > d1) break;
      const x = Math.round(this.x(f.tMs));
      if (x === lastPx) continue;
      lastPx = x;
      ctx.fillStyle = st.selectedFile === i ? '#111' : FILE_COLOR;
      ctx.fillRect(x - 1.5, l.y + 2, 3, l.h - 4);
      n++;
    }
    this.drawn.files = n;
  }

  private drawRates(): void {
    const rates = this.rates!;
    const l = this.lane('tps');
    const ctx = this.ctx;
    const left = GUTTER;
    const right = this.width - 8;
    // Bins of at least 2 px and 200 ms: narrower ones would show single deltas, not a rate.
    const binPx = Math.max(2, this.x(200) - this.x(0));
    const vals: number[] = [];
    let max = 0;
    for (let x = left; x < right; x += binPx) {
      const t0 = this.x.invert(x);
      const t1 = this.x.invert(x + binPx);
      const r = t1 > t0 ? rates.tokensBetween(t0, t1) / ((t1 - t0) / 1000) : 0;
      vals.push(r);
      if (r > max) max = r;
    }
    for (const s of rates.spans) if (s.tps > max && s.endMs >= this.x.domain()[0] && s.startMs <= this.x.domain()[1]) max = s.tps;
    const top = niceMax(max);
    const y = (v: number): number => l.y + l.h - (v / top) * (l.h - 4);
    ctx.fillStyle = '#9ecae1';
    let n = 0;
    vals.forEach((v, i) => {
      if (v <= 0) return;
      const x = left + i * binPx;
      ctx.fillRect(x, y(v), Math.max(1, binPx - (binPx > 4 ? 1 : 0)), l.y + l.h - y(v));
      n++;
    });
    // Each request's reported rate (output tokens ÷ stream seconds) as a line over its stream.
    ctx.strokeStyle = '#08519c';
    ctx.lineWidth = 1.5;
    const [d0, d1] = this.x.domain();
    for (const s of rates.spans) {
      if (s.endMs < d0 || s.startMs > d1) continue;
      const yy = Math.round(y(s.tps)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(this.x(s.startMs), yy);
      ctx.lineTo(Math.max(this.x(s.endMs), this.x(s.startMs) + 1), yy);
      ctx.stroke();
    }
    ctx.lineWidth = 1;
    ctx.fillStyle = '#555';
    ctx.fillText(`${int(top)} tok/s`, left + 4, l.y + 7);
    this.drawn.tps = n;
  }

  private drawPlayhead(): void {
    const st = this.st!;
    const ctx = this.ctx;
    const x = this.x(st.playheadMs);
    ctx.strokeStyle = '#d62728';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, this.lane('axis').y + 14);
    ctx.lineTo(x, this.lane('sim').y - 1);
    ctx.moveTo(x, this.lane('requests').y);
    ctx.lineTo(x, this.height - 14);
    ctx.stroke();
    // On the simulated lane the playhead sits at the same moment's simulated time.
    const sim = this.lane('sim');
    const xs = this.x(st.playheadSimMs ?? origToSim(st.sim.timeMap, st.playheadMs));
    ctx.beginPath();
    ctx.moveTo(xs, sim.y - 2);
    ctx.lineTo(xs, sim.y + sim.h + 2);
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  private drawPreview(p: Preview): void {
    const ctx = this.ctx;
    const l = this.lane('requests');
    const spans = p.spans;
    this.drawn.preview = this.spans(spans, (s) => s.startMs, (s) => s.endMs, l.y + 2, l.h - 4, (s) => (s.open ? '#e0b060' : '#8fb5d6'), false);
    const path = this.lane('path');
    ctx.fillStyle = '#666';
    const pctText = p.fraction !== null ? `${Math.round(p.fraction * 100)} %` : '';
    ctx.fillText(`reading the trace… ${pctText}  ${int(p.records)} records, ${dur(p.lastMs)} so far`, GUTTER + 8, path.y + path.h / 2);
  }

  // ---- pointer ----

  private hitAt(px: number, py: number): Hit | null {
    if (!this.st || px < GUTTER) return null;
    const lane = this.laneAt(py);
    if (!lane) return null;
    const st = this.st;
    const t = this.x.invert(px);
    const tol = this.x.invert(px + 4) - t;
    switch (lane.key) {
      case 'axis': {
        const m = st.model.markers.find((mk) => Math.abs(mk.tMs - t) <= tol);
        return { lane: 'axis', t, marker: m ? m.label : null };
      }
      case 'path': {
        const segs = st.model.criticalPath;
        const i = lastStartingBefore(segs, (s) => s.startMs, t);
        return i >= 0 && segs[i].endMs >= t ? { lane: 'path', seg: segs[i] } : null;
      }
      case 'sim': {
        const segs = st.sim.segments;
        let i = lastStartingBefore(segs, (s) => s.simStartMs, t);
        // Zero-length simulated segments share a start; show the one that has length.
        while (i > 0 && segs[i].simEndMs === segs[i].simStartMs) i--;
        return i >= 0 && segs[i].simEndMs >= t ? { lane: 'sim', seg: segs[i] } : null;
      }
      case 'requests':
      case 'side': {
        const list = lane.key === 'requests' ? this.critical : this.side;
        let best: RequestModel | null = null;
        for (const r of lane.key === 'requests' ? list.slice(Math.max(0, lastStartingBefore(list, (q) => q.startMs, t - tol) - 1)) : list) {
          if (r.startMs > t + tol) {
            if (lane.key === 'requests') break;
            continue;
          }
          if (r.endMs >= t - tol) best = r;
        }
        return best ? { lane: lane.key, req: best } : null;
      }
      case 'thread': {
        // A subagent's request: shown and selected like any other.
        const reqs = this.threadReqs.get(lane.thread ?? '') ?? [];
        const r = reqs.find((q) => q.startMs <= t + tol && q.endMs >= t - tol);
        return r ? { lane: r.critical ? 'requests' : 'side', req: r } : null;
      }
      case 'files': {
        const files = st.model.files;
        let best = -1;
        for (let i = Math.max(0, lastStartingBefore(files, (f) => f.tMs, t - tol)); i < files.length && files[i].tMs <= t + tol; i++) {
          if (Math.abs(files[i].tMs - t) <= tol && (best < 0 || Math.abs(files[i].tMs - t) < Math.abs(files[best].tMs - t))) best = i;
        }
        return best >= 0 ? { lane: 'files', file: files[best], index: best } : null;
      }
      case 'tps': {
        const binPx = Math.max(2, this.x(200) - this.x(0));
        const x0 = GUTTER + Math.floor((px - GUTTER) / binPx) * binPx;
        const t0 = this.x.invert(x0);
        const t1 = this.x.invert(x0 + binPx);
        return { lane: 'tps', t0, t1, tokens: this.rates!.tokensBetween(t0, t1) };
      }
    }
  }

  private describe(h: Hit): string[] {
    const st = this.st!;
    const reqLine = (id: string | null): string[] => {
      const r = id ? st.byId.get(id) : undefined;
      return r ? [`request ${r.id} · ${r.model ?? 'model ?'} · ${r.protocol}${r.transport === 'websocket' ? ' (ws)' : ''}`] : [];
    };
    switch (h.lane) {
      case 'path':
        return [`${KIND_LABEL[h.seg.kind]}: ${dur(h.seg.endMs - h.seg.startMs)}`, `${at(h.seg.startMs)} → ${at(h.seg.endMs)}`, ...reqLine(h.seg.requestId), ...this.toolLine(h.seg)];
      case 'sim':
        return [
          `${KIND_LABEL[h.seg.kind]} (${describeProfile(st.profile)})`,
          `${dur(h.seg.origEndMs - h.seg.origStartMs)} → ${dur(h.seg.simEndMs - h.seg.simStartMs)}${h.seg.estimated ? ' (token count estimated)' : ''}`,
          `simulated ${at(h.seg.simStartMs)} → ${at(h.seg.simEndMs)}`,
          ...reqLine(h.seg.requestId),
        ];
      case 'requests':
      case 'side': {
        const r = h.req;
        return [
          `${r.critical ? 'request' : 'side request'} ${r.id} · ${r.model ?? 'model ?'} · ${r.status}${r.httpStatus !== null ? ` ${r.httpStatus}` : ''}`,
          `${at(r.startMs)} → ${at(r.endMs)} (${dur(r.endMs - r.startMs)})`,
          `TTFT ${dur(r.ttftMs)} · stream ${dur(r.streamMs)} · ${rate(r.tokensPerSecond)}`,
          `tokens in ${int(r.inputTokens)} · out ${int(r.outputTokens)}${r.stopReason ? ` · ${r.stopReason}` : ''}`,
          ...(r.toolCalls.length ? [`tools: ${clip(r.toolCalls.map((c) => c.name).join(', '), 80)}`] : []),
          ...(r.error ? [clip(r.error, 100)] : []),
          'click to inspect',
        ];
      }
      case 'files':
        return [`${h.file.op} ${h.file.path}${h.file.from ? ` (from ${h.file.from})` : ''}`, `at ${at(h.file.tMs)}${h.file.toolNames.length ? ` · during ${h.file.toolNames.join(', ')}` : ''}`, 'click for the diff'];
      case 'tps':
        return [`${rate(h.tokens / Math.max(1e-9, (h.t1 - h.t0) / 1000))} over ${dur(h.t1 - h.t0)}`, `${at(h.t0)} → ${at(h.t1)}`];
      case 'axis':
        return [h.marker ? `marker: ${h.marker}` : `${at(h.t)}`, 'click to move the playhead here'];
    }
  }

  private toolLine(seg: Segment): string[] {
    if (seg.kind !== 'tool' || !seg.requestId) return [];
    const r = this.st!.byId.get(seg.requestId);
    return r && r.toolCalls.length ? [`running ${clip(r.toolCalls.map((c) => c.name).join(', '), 80)}`] : [];
  }

  private hover(e: MouseEvent): void {
    const h = this.hitAt(e.offsetX, e.offsetY);
    if (!h) {
      this.tip.hidden = true;
      this.canvas.style.cursor = '';
      return;
    }
    this.canvas.style.cursor = h.lane === 'tps' ? '' : 'pointer';
    this.tip.textContent = '';
    for (const line of this.describe(h)) this.tip.append(el('div', {}, line));
    this.tip.hidden = false;
    const hostBox = this.host.getBoundingClientRect();
    const box = this.canvas.getBoundingClientRect();
    const left = Math.min(box.left - hostBox.left + e.offsetX + 14, this.host.clientWidth - this.tip.offsetWidth - 4);
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${box.top - hostBox.top + e.offsetY + 16}px`;
  }

  private click(e: MouseEvent): void {
    if (e.defaultPrevented) return;
    const h = this.hitAt(e.offsetX, e.offsetY);
    if (!h || !this.st) return;
    switch (h.lane) {
      case 'path':
        if (h.seg.requestId) this.st.select(h.seg.requestId);
        break;
      case 'sim':
        if (h.seg.requestId) this.st.select(h.seg.requestId);
        break;
      case 'requests':
      case 'side':
        this.st.select(h.req.id);
        break;
      case 'files':
        this.st.selectFile(h.index);
        break;
      case 'axis':
        this.onSeek?.(Math.max(0, Math.min(this.st.model.durationMs, h.t)));
        break;
      case 'tps':
        break;
    }
  }

  /** Double-click a request or segment: zoom to it. */
  private dblclick(e: MouseEvent): void {
    const h = this.hitAt(e.offsetX, e.offsetY);
    if (!h) return;
    const span = h.lane === 'path' ? [h.seg.startMs, h.seg.endMs] : h.lane === 'requests' || h.lane === 'side' ? [h.req.startMs, h.req.endMs] : null;
    if (!span) return;
    const pad = (span[1] - span[0]) * 0.1 + 1;
    this.zoomTo(span[0] - pad, span[1] + pad);
  }
}

function niceMax(v: number): number {
  if (!(v > 0)) return 10;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
