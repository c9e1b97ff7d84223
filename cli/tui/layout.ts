// Pure layout: the state turned into the rows of the screen (text with SGR styles), for a given width
// and height. No terminal here, so every rule is unit-testable. Work is cached by what it depends
// on: lanes per clock and width (re-marked only when the playhead changes column), the list per
// focus and started count, the detail body per arrived delta; the full request view is wrapped
// only for the rows on screen. So a frame while playing costs a few short strings.
import type { Breakdown, RequestModel, SegmentKind } from '../../analysis/model.js';
import type { DetailIndex, DetailView } from './detail.js';
import { KIND_COLOR, KIND_GLYPH, KIND_LABEL, KIND_ORDER, type Color, type Palette } from './palette.js';
import { requestView, type InfoLine, type RequestView } from './request-view.js';
import type { TuiState } from './state.js';
import { clip, cutToWidth, fit, fmtClock, fmtDur, sanitize, textWidth, upperBound, wrap, wrapTail } from './text.js';
import type { PlayClock } from '../../analysis/playback.js';
import { formatSpeedup } from '../../analysis/present.js';

export const HEADER_ROWS = 4;
export const TIMELINE_ROWS = 5;
export const STATUS_ROWS = 1;
/** Width of the lane labels left of the timeline. */
export const LABEL_W = 6;
export const MIN_WIDTH = 40;
export const MIN_HEIGHT = 14;

export interface Geometry {
  width: number;
  height: number;
  paneRows: number;
  listWidth: number;
  detailWidth: number;
}

/** Content size of the overlay (help, full request): inside a border, two columns of margin each side. */
export function overlayBox(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(1, width - 6), height: Math.max(1, height - 4) };
}

/** Subagent lanes shown at most (more subagents share the last one). */
export const MAX_THREAD_LANES = 4;

/** `threadLanes`: the subagent lanes the timeline shows besides its five rows. */
export function geometry(width: number, height: number, threadLanes = 0): Geometry {
  const paneRows = Math.max(2, height - HEADER_ROWS - TIMELINE_ROWS - threadLanes - STATUS_ROWS);
  // Narrow terminals: a compact list; wide ones: about a third, with more columns in each row.
  const listWidth = width < 100 ? Math.min(30, Math.floor(width * 0.4)) : Math.max(30, Math.min(64, Math.floor(width * 0.34)));
  return { width, height, paneRows, listWidth, detailWidth: Math.max(1, width - listWidth - 1) };
}

// ---- styled text pieces ----

type Style = (s: string) => string;
interface Piece {
  text: string;
  style?: Style;
}

/** Plain pieces (recorded text allowed: sanitized here) cut to `width` cells, styled, padded. */
export function line(pieces: Piece[], width: number, pad = true): string {
  let out = '';
  let left = width;
  for (const p of pieces) {
    if (left <= 0) break;
    const t = sanitize(p.text);
    const w = textWidth(t);
    const shown = w <= left ? t : clip(t, left);
    left -= textWidth(shown);
    out += p.style ? p.style(shown) : shown;
  }
  if (pad && left > 0) out += ' '.repeat(left);
  return out;
}

interface Cell {
  ch: string;
  color: Color | null;
}

/** Cells to styled text: runs of one colour share a style; the playhead column (if any) is inverted. */
export function cellsToString(cells: readonly Cell[], pal: Palette, playCol = -1): string {
  let out = '';
  let i = 0;
  while (i < cells.length) {
    if (i === playCol) {
      const c = cells[i];
      out += pal.inverse(c.color ? pal.fg(c.color, c.ch) : c.ch);
      i++;
      continue;
    }
    const color = cells[i].color;
    let run = '';
    while (i < cells.length && cells[i].color === color && i !== playCol) run += cells[i++].ch;
    out += color ? pal.fg(color, run) : run;
  }
  return out;
}

// ---- time ↔ columns ----

/** Column of view time `t` on a lane of `width` cells spanning [0, duration]. */
export function timeToCol(t: number, duration: number, width: number): number {
  if (width <= 0) return 0;
  if (duration <= 0) return 0;
  return Math.max(0, Math.min(width - 1, Math.floor((t / duration) * width)));
}

/** View time at the middle of column `col` (mouse clicks, tests). */
export function colToTime(col: number, duration: number, width: number): number {
  if (width <= 0) return 0;
  return ((col + 0.5) / width) * duration;
}

/** Per column, the kind of time that takes most of it on the critical path (null: none). */
export function pathCells(view: PlayClock, width: number): Array<SegmentKind | null> {
  const out: Array<SegmentKind | null> = new Array(width).fill(null);
  const dur = view.durationMs;
  if (width <= 0 || dur <= 0) return out;
  const colMs = dur / width;
  const acc = new Float64Array(width * KIND_ORDER.length);
  const k = (kind: SegmentKind): number => KIND_ORDER.indexOf(kind);
  for (const s of view.segments) {
    const a = s.viewStartMs;
    const b = s.viewEndMs;
    if (b <= a) continue;
    const c0 = Math.min(width - 1, Math.floor(a / colMs));
    const c1 = Math.min(width - 1, Math.floor(b / colMs));
    const ki = k(s.kind);
    for (let c = c0; c <= c1; c++) {
      const ov = Math.min(b, (c + 1) * colMs) - Math.max(a, c * colMs);
      if (ov > 0) acc[c * KIND_ORDER.length + ki] += ov;
    }
  }
  for (let c = 0; c < width; c++) {
    let best = -1;
    let bestV = 0;
    for (let j = 0; j < KIND_ORDER.length; j++) {
      const v = acc[c * KIND_ORDER.length + j];
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    out[c] = best >= 0 ? KIND_ORDER[best] : null;
  }
  return out;
}

const FILE_GLYPH: Record<string, { ch: string; color: Color }> = {
  create: { ch: '+', color: 'green' },
  modify: { ch: '~', color: 'yellow' },
  delete: { ch: 'x', color: 'red' },
  rename: { ch: '>', color: 'cyan' },
};

/** Nice tick spacing: at least `minCols` columns apart. */
export function tickStepMs(duration: number, width: number, minCols = 10): number {
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 86_400_000];
  if (duration <= 0 || width <= 0) return 1000;
  for (const s of steps) if ((s / duration) * width >= minCols) return s;
  return steps[steps.length - 1];
}

function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${ms / 1000}s`;
  if (ms < 3_600_000) return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s`;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.floor(ms / 3_600_000)}h${(ms % 3_600_000) / 60_000}m`;
}

/** The axis under the lanes: tick labels at their columns, never overlapping. */
export function axisText(duration: number, width: number): string {
  const chars = new Array<string>(width).fill(' ');
  const step = tickStepMs(duration, width);
  let free = 0;
  for (let t = 0; t <= duration && width > 0; t += step) {
    const col = timeToCol(t, duration, width);
    const label = '╵' + tickLabel(t);
    if (col < free || col + label.length > width) continue;
    for (let j = 0; j < label.length; j++) chars[col + j] = label[j];
    free = col + label.length + 1;
  }
  return chars.join('');
}

/** Proportional bar of a breakdown: largest-remainder so the columns add up exactly. */
export function breakdownCells(b: Breakdown, width: number): SegmentKind[] {
  const vals = KIND_ORDER.map((k) => Math.max(0, b[`${k}Ms` as keyof Breakdown]));
  const total = vals.reduce((a, x) => a + x, 0);
  if (total <= 0 || width <= 0) return [];
  const exact = vals.map((v) => (v / total) * width);
  const cols = exact.map(Math.floor);
  let left = width - cols.reduce((a, x) => a + x, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((x, y) => y[0] - x[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    cols[i]++;
    left--;
  }
  const out: SegmentKind[] = [];
  KIND_ORDER.forEach((k, i) => {
    for (let j = 0; j < cols[i]; j++) out.push(k);
  });
  return out;
}

function kindCells(kinds: ReadonlyArray<SegmentKind | null>): Cell[] {
  return kinds.map((k) => (k ? { ch: KIND_GLYPH[k], color: KIND_COLOR[k] } : { ch: ' ', color: null }));
}

// ---- the layout ----

export interface LayoutOptions {
  /** Shown in the header (the trace file's name). */
  title: string;
  /** The harness's screen, for the terminal pane (`t`); null when the trace has no terminal records. */
  terminal?: TerminalScreenSource | null;
}

/** What the terminal pane reads: the emulated screen, brought to an original time on request. */
export interface TerminalScreenSource {
  readonly cols: number;
  readonly rows: number;
  readonly cursorRow: number;
  seek(origMs: number): void;
  lines(): string[];
}

interface LaneCache {
  width: number;
  path: Cell[];
  side: Cell[];
  /** One per subagent lane (threadLanes()). */
  threads: Cell[][];
  files: Cell[];
  axis: string;
}

/** One cached value, valid while its key is the same. */
class Memo<T> {
  private key: string | null = null;
  private value: T | undefined;
  get(key: string, make: () => T): T {
    if (this.key !== key) {
      this.value = make();
      this.key = key;
    }
    return this.value as T;
  }
}

/** Overlay text: the head's logical lines with their wrapped row offsets at one width, then one row per event. */
interface OverlayText {
  index: number;
  view: RequestView;
  width: number;
  /** rowStart[i]: first row of head line i; rowStart[n]: rows of the whole head. */
  rowStart: Int32Array;
}

export class Layout {
  private readonly lanes = new WeakMap<PlayClock, LaneCache>();
  private readonly viewIds = new WeakMap<PlayClock, number>();
  private nextViewId = 1;
  private readonly headerMemo = new Memo<string[]>();
  private readonly laneRowsMemo = new Memo<string[]>();
  private readonly listMemo = new Memo<string[]>();
  private readonly bodyMemo = new Memo<string[]>();
  private overlayText: OverlayText | null = null;

  constructor(
    readonly state: TuiState,
    readonly detail: DetailIndex,
    readonly pal: Palette,
    readonly opts: LayoutOptions,
  ) {}

  private viewId(v: PlayClock): number {
    let id = this.viewIds.get(v);
    if (id === undefined) this.viewIds.set(v, (id = this.nextViewId++));
    return id;
  }

  /** Every row of the screen (exactly `height` strings, each `width` cells wide). */
  frame(width: number, height: number): string[] {
    if (width < MIN_WIDTH || height < MIN_HEIGHT) {
      const rows = [line([{ text: `lapse tui needs at least ${MIN_WIDTH}×${MIN_HEIGHT} (now ${width}×${height}); q quits` }], width)];
      while (rows.length < height) rows.push(' '.repeat(width));
      return rows;
    }
    const rows = [...this.headerRows(width), ...this.timelineRows(width), ...this.paneRows(width, height), this.statusRow(width)];
    const box = overlayBox(width, height);
    const lines = this.overlay(box.width, box.height);
    if (!lines) return rows;
    // The overlay is drawn over rows 1 … height-2, in a border, with a two-column margin.
    const pal = this.pal;
    const margin = '  ';
    const title = clip(this.overlayTitle(box.width, box.height), Math.max(0, box.width - 2));
    rows[1] = margin + pal.bold(`┌─${title}${'─'.repeat(Math.max(0, box.width - 1 - textWidth(title)))}┐`) + margin;
    for (let i = 0; i < box.height; i++) rows[2 + i] = margin + pal.bold('│') + (lines[i] ?? ' '.repeat(box.width)) + pal.bold('│') + margin;
    rows[height - 2] = margin + pal.bold(`└${'─'.repeat(box.width)}┘`) + margin;
    return rows;
  }

  // -- header --

  headerRows(width: number): string[] {
    const s = this.state;
    return this.headerMemo.get(`${width}|${s.profile.name}`, () => this.buildHeader(width));
  }

  private buildHeader(width: number): string[] {
    const s = this.state;
    const m = s.model;
    const pal = this.pal;
    const sim = s.sim;
    const side = m.sideRequests.length;
    const rows: string[] = [];
    const facts = [
      m.session?.harness ?? null,
      `${m.requests.length} request${m.requests.length === 1 ? '' : 's'}${side ? ` (${side} side)` : ''}`,
      `${m.turns.length} turn${m.turns.length === 1 ? '' : 's'}`,
      m.fileSummary.length ? `${m.fileSummary.length} file${m.fileSummary.length === 1 ? '' : 's'}` : null,
    ].filter((x): x is string => x !== null);
    // Totals first: on a narrow terminal the facts are what gets cut, never the totals.
    const pieces: Piece[] = [{ text: 'lapse ', style: (x) => pal.bold(x) }, { text: this.opts.title + '  ' }, { text: `total ${fmtDur(m.durationMs)}`, style: (x) => pal.bold(x) }];
    if (sim) {
      const speed = sim.speedup !== null ? ` (${formatSpeedup(sim.speedup)})` : '';
      pieces.push({ text: ' → ' }, { text: `${sim.profile.name} ${fmtDur(sim.simulated.durationMs)}`, style: (x) => pal.bold(pal.fg('green', x)) }, { text: speed });
    }
    if (m.trace.truncated) pieces.push({ text: '  [truncated trace]', style: (x) => pal.fg('red', x) });
    pieces.push({ text: '  ' + facts.join(' · '), style: (x) => pal.dim(x) });
    rows.push(line(pieces, width));

    const barW = Math.max(0, width - 10);
    const origCells = breakdownCells(m.breakdown, barW);
    rows.push(line([{ text: 'recorded  ' }], 10, true) + cellsToString(kindCells(origCells), pal) + ' '.repeat(Math.max(0, barW - origCells.length)));
    if (sim) {
      const ratio = m.durationMs > 0 ? Math.min(1, sim.simulated.durationMs / m.durationMs) : 0;
      const cells = breakdownCells(sim.simulated.breakdown, Math.round(barW * ratio));
      rows.push(line([{ text: fit(sim.profile.name, 9) + ' ', style: (x) => pal.fg('green', x) }], 10) + cellsToString(kindCells(cells), pal) + ' '.repeat(Math.max(0, barW - cells.length)));
    } else {
      rows.push(line([{ text: '          ' }, { text: 's: play it as a faster model (spark 1,000 tok/s, fast-mode, instant)', style: (x) => pal.dim(x) }], width));
    }
    const legend: Piece[] = [];
    for (const k of KIND_ORDER) {
      const key = `${k}Ms` as keyof Breakdown;
      const o = m.breakdown[key];
      let v = fmtDur(o);
      if (sim && Math.abs(sim.simulated.breakdown[key] - o) > 0.5) v += `→${fmtDur(sim.simulated.breakdown[key])}`;
      legend.push({ text: KIND_GLYPH[k], style: (x) => pal.kind(k, x) }, { text: `${KIND_LABEL[k]} ${v}  ` });
    }
    rows.push(line(legend, width));
    return rows;
  }

  // -- timeline --

  private threadLanesMemo: Array<{ label: string; requests: RequestModel[] }> | null = null;

  /** A lane per subagent (the main thread is the path; side calls the side lane); the last may hold several. */
  threadLanes(): Array<{ label: string; requests: RequestModel[] }> {
    if (this.threadLanesMemo) return this.threadLanesMemo;
    const m = this.state.model;
    const byId = new Map(m.requests.map((r) => [r.id, r] as const));
    const subs = m.threads.filter((t) => t.kind === 'subagent');
    const lanes = subs.slice(0, MAX_THREAD_LANES).map((t, i) => ({ label: `sub${i + 1}`, requests: t.requests.map((id) => byId.get(id)!).filter(Boolean) }));
    if (subs.length > MAX_THREAD_LANES) {
      const last = lanes[MAX_THREAD_LANES - 1];
      last.label = `sub${MAX_THREAD_LANES}+`;
      for (const t of subs.slice(MAX_THREAD_LANES)) for (const id of t.requests) last.requests.push(byId.get(id)!);
    }
    return (this.threadLanesMemo = lanes);
  }

  private laneCache(width: number): LaneCache {
    const view = this.state.view;
    const laneW = Math.max(1, width - LABEL_W);
    let c = this.lanes.get(view);
    if (c && c.width === laneW) return c;
    const m = this.state.model;
    const dur = view.durationMs;
    const path = kindCells(pathCells(view, laneW));
    const side: Cell[] = Array.from({ length: laneW }, () => ({ ch: ' ', color: null }));
    const sideIds = new Set(m.sideRequests);
    for (const r of m.requests) {
      if (!sideIds.has(r.id)) continue;
      const at = view.place(r);
      const c0 = timeToCol(at.startMs, dur, laneW);
      const c1 = timeToCol(at.endMs, dur, laneW);
      const color: Color = r.status === 'complete' ? 'light-blue' : 'red';
      for (let col = c0; col <= c1; col++) side[col] = { ch: side[col].ch === ' ' ? '━' : '┿', color };
    }
    const files: Cell[] = Array.from({ length: laneW }, () => ({ ch: ' ', color: null }));
    for (const f of m.files) {
      const col = timeToCol(view.toView(f.tMs), dur, laneW);
      const g = FILE_GLYPH[f.op] ?? FILE_GLYPH.modify;
      files[col] = files[col].ch === ' ' ? { ch: g.ch, color: g.color } : { ch: '*', color: 'yellow' };
    }
    const threads = this.threadLanes().map((lane) => {
      const cells: Cell[] = Array.from({ length: laneW }, () => ({ ch: ' ', color: null }));
      for (const r of lane.requests) {
        // Each request's wait, then its stream: a subagent's model time reads as model time.
        const at = view.place(r);
        const c0 = timeToCol(at.startMs, dur, laneW);
        const c1 = timeToCol(at.endMs, dur, laneW);
        const cf = timeToCol(at.firstContentMs ?? at.endMs, dur, laneW);
        for (let col = c0; col <= c1; col++) {
          const k: SegmentKind = r.status !== 'complete' ? 'harness' : col < cf || at.firstContentMs === null ? 'modelWait' : 'modelStream';
          cells[col] = r.status !== 'complete' ? { ch: '━', color: 'red' } : { ch: KIND_GLYPH[k], color: KIND_COLOR[k] };
        }
      }
      return cells;
    });
    c = { width: laneW, path, side, files, threads, axis: axisText(dur, laneW) };
    this.lanes.set(view, c);
    return c;
  }

  /** Column of the playhead on the lanes (without the label column). */
  playheadCol(width: number): number {
    return timeToCol(this.state.playheadMs, this.state.durationMs, Math.max(1, width - LABEL_W));
  }

  timelineRows(width: number): string[] {
    const pal = this.pal;
    const view = this.state.view;
    const col = this.playheadCol(width);
    // The lanes only change when the playhead crosses into another column.
    const lanes = this.laneRowsMemo.get(`${this.viewId(view)}|${width}|${col}`, () => {
      const c = this.laneCache(width);
      const lab = (s: string): string => pal.dim(fit(s, LABEL_W));
      const subs = this.threadLanes().map((lane, i) => lab(lane.label) + cellsToString(c.threads[i], pal, col));
      return [lab('path') + cellsToString(c.path, pal, col), lab('side') + cellsToString(c.side, pal, col), ...subs, lab('files') + cellsToString(c.files, pal, col), ' '.repeat(LABEL_W) + pal.dim(c.axis)];
    });
    const laneW = Math.max(1, width - LABEL_W);
    const clock = fmtClock(this.state.playheadMs);
    // Marker row: ▼ at the playhead, its clock beside it (left of it near the right edge).
    const fitsRight = col + 2 + clock.length <= laneW;
    const text = fitsRight ? `▼ ${clock}` : `${clock} ▼`;
    const start = fitsRight ? col : Math.max(0, col - clock.length - 1);
    const marker = ' '.repeat(start) + text;
    return [' '.repeat(LABEL_W) + pal.bold(marker) + ' '.repeat(Math.max(0, laneW - textWidth(marker))), ...lanes];
  }

  // -- request list + detail --

  /** The request list rows (without the title row). */
  listRows(width: number, rows: number, active: number): string[] {
    const s = this.state;
    const starts = s.requestViewStarts();
    // Rows change with the focus and as the playhead passes request starts (future rows are dim).
    const started = upperBound(starts, s.playheadMs + 1e-6);
    return this.listMemo.get(`${this.viewId(s.view)}|${width}|${rows}|${active}|${started}`, () => this.buildList(width, rows, active, starts));
  }

  private buildList(width: number, rows: number, active: number, starts: Float64Array): string[] {
    const s = this.state;
    const pal = this.pal;
    const reqs = s.model.requests;
    const view = s.view;
    const out: string[] = [];
    if (reqs.length === 0) out.push(line([{ text: ' no model requests', style: (x) => pal.dim(x) }], width));
    const first = Math.max(0, Math.min(reqs.length - rows, active - Math.floor(rows / 2)));
    const wide = width >= 48;
    // Requests are named by their trace id (r3, w1#2), as in every other view; the column fits the longest shown.
    let idWidth = 3;
    for (let i = first; i < reqs.length && i < first + rows; i++) idWidth = Math.max(idWidth, Math.min(8, reqs[i].id.length));
    for (let i = first; i < reqs.length && out.length < rows; i++) {
      const r = reqs[i];
      const dur = view.toView(r.endMs) - starts[i];
      // a response still streaming in a trace being recorded is not a failure
      const mark = r.inProgress ? '…' : r.status !== 'complete' ? '✗' : r.critical ? '•' : '◦';
      const what = r.inProgress ? 'in progress' : r.error ? r.error : r.toolCalls.length ? r.toolCalls.map((t) => t.name).join(',') : (r.stopReason ?? r.status);
      const cols = [`${r.id.padStart(idWidth)} `, `${fmtClock(starts[i]).padStart(7)} `, `${fmtDur(dur).padStart(6)} `];
      if (wide) cols.push(`${(r.ttftMs !== null ? fmtDur(r.ttftMs) : '—').padStart(6)} `, `${(r.outputTokens !== null ? `${r.outputTokens}t` : '').padStart(6)} `);
      const body = cols.join('') + what;
      const markColor: Color = r.inProgress ? 'yellow' : r.status !== 'complete' ? 'red' : r.critical ? 'green' : 'light-blue';
      if (i === active) {
        out.push(pal.inverse(line([{ text: '▶' }, { text: mark }, { text: body }], width)));
      } else {
        const future = starts[i] > s.playheadMs + 1e-6;
        const st = future ? (x: string) => pal.dim(x) : undefined;
        out.push(line([{ text: ' ' }, { text: mark, style: (x) => pal.fg(markColor, x) }, { text: body, style: st }], width));
      }
    }
    while (out.length < rows) out.push(' '.repeat(width));
    return out;
  }

  /** What the detail pane says at the playhead, as lines of `width` (tail kept when too long). */
  detailRows(width: number, rows: number, active: number): string[] {
    const s = this.state;
    const pal = this.pal;
    const out: string[] = [];
    const fill = (): string[] => {
      while (out.length < rows) out.push(' '.repeat(width));
      return out.slice(0, rows);
    };
    if (active < 0) {
      const seg = s.segmentNow();
      out.push(line([{ text: `· ${seg ? KIND_LABEL[seg.kind] : 'session'} — before the first model request`, style: (x) => pal.dim(x) }], width));
      out.push(line([{ text: 'space: play   ]: next request   ?: help', style: (x) => pal.dim(x) }], width));
      return fill();
    }
    const r = s.model.requests[active];
    const seg = s.segmentNow();
    const gap = seg && seg.requestId === r.id && (seg.kind === 'tool' || seg.kind === 'user' || seg.kind === 'harness') ? seg.kind : null;
    const t = s.origNow;
    const head = this.statusLines(r, t, gap, width);
    const bodyRows = Math.max(0, rows - head.length);
    // Rebuilt only when something new arrived (a delta, a file, the phase): not on every clock tick.
    const body = this.bodyMemo.get(`${this.detail.stamp(r, t)}|${gap}|${width}|${bodyRows}`, () => {
      const lines = this.detailBody(this.detail.at(r, t, gap), width, bodyRows);
      return lines.slice(Math.max(0, lines.length - bodyRows));
    });
    out.push(...head, ...body);
    return fill();
  }

  private statusLines(r: RequestModel, t: number, gap: SegmentKind | null, width: number): string[] {
    const s = this.state;
    const pal = this.pal;
    const vStart = s.requestViewStarts()[r.index];
    const since = fmtDur(Math.max(0, s.playheadMs - vStart));
    const out: string[] = [];
    const c = this.detail.contentOf(r);
    const n = c.countAt(t);
    if (t < r.startMs) {
      out.push(line([{ text: `not started yet — starts at ${fmtClock(vStart)}`, style: (x) => pal.dim(x) }], width));
    } else if (t < r.endMs && n === 0) {
      out.push(line([{ text: '░ waiting for the first token', style: (x) => pal.kind('modelWait', x) }, { text: ` · ${since}` }], width));
    } else if (t < r.endMs) {
      out.push(line([{ text: '█ streaming', style: (x) => pal.kind('modelStream', x) }, { text: ` · ~${Math.round(c.cumTokens[n - 1])} tok · ${since}` }], width));
    } else {
      const bits = [r.stopReason ?? r.status, r.outputTokens !== null ? `${r.outputTokens} tok` : `~${r.outputTokensEstimate} tok`];
      if (r.ttftMs !== null) bits.push(`ttft ${fmtDur(r.ttftMs)}`);
      if (r.tokensPerSecond !== null) bits.push(`${r.tokensPerSecond.toFixed(0)} tok/s`);
      if (r.status !== 'complete') out.push(line([{ text: `✗ ${r.status}: ${r.error ?? ''}`, style: (x) => pal.fg('red', x) }], width));
      else out.push(line([{ text: '✓ done', style: (x) => pal.fg('green', x) }, { text: ` · ${bits.join(' · ')}` }], width));
    }
    if (gap) {
      const seg = s.segmentNow();
      const inGap = seg ? fmtDur(Math.max(0, s.playheadMs - seg.viewStartMs)) : '';
      const clipped = seg?.compressed ? ` (of ${fmtDur(seg.origEndMs - seg.origStartMs)}, idle limit)` : '';
      const what = gap === 'tool' ? `▒ tools running${r.toolCalls.length ? ` (${r.toolCalls.map((x) => x.name).join(', ')})` : ''}` : gap === 'user' ? '─ waiting for the user' : '· harness';
      out.push(line([{ text: what, style: (x) => pal.kind(gap, x) }, { text: ` · ${inGap}${clipped}` }], width));
    }
    return out;
  }

  /** Input, streamed blocks and file diffs; each section wrapped only as far as the pane can show. */
  private detailBody(dv: DetailView, width: number, rows: number): string[] {
    const pal = this.pal;
    const out: string[] = [];
    if (rows <= 0) return out;
    const plain = (text: string, style?: Style): string => line([{ text, style }], width);
    const addWrapped = (text: string, max: number, style?: Style, tail = false): void => {
      const lines = tail ? wrapTail(sanitize(text), width, max) : wrap(sanitize(text.length > max * width * 2 ? text.slice(0, max * width * 2) : text), width, Infinity).slice(0, max);
      for (const l of lines) out.push(plain(l, style));
    };
    if (dv.input.prompt) {
      out.push(plain('» user', (x) => pal.bold(pal.fg('magenta', x))));
      addWrapped(dv.input.prompt, 4, (x) => pal.fg('magenta', x));
    }
    const results = dv.input.results;
    results.slice(0, 5).forEach((res, i) => {
      const name = dv.resultNames[i];
      out.push(plain(`« ${name ?? 'tool'} result${res.isError ? ' (error)' : ''}`, (x) => pal.fg(res.isError ? 'red' : 'blue', x)));
      addWrapped(res.text || '(empty)', 3, (x) => pal.dim(x));
    });
    if (results.length > 5) out.push(plain(`« … ${results.length - 5} more results`, (x) => pal.dim(x)));
    for (const b of dv.blocks) {
      if (out.length) out.push(' '.repeat(width));
      if (b.kind === 'thinking') {
        out.push(plain('∴ thinking', (x) => pal.dim(pal.bold(x))));
        addWrapped(b.text, rows, (x) => pal.dim(x), true);
      } else if (b.kind === 'tool-args') {
        out.push(plain(`» ${b.name ?? 'tool call'}${b.complete ? '' : ' …'}`, (x) => pal.bold(pal.fg('cyan', x))));
        addWrapped(b.text, rows, (x) => pal.fg('cyan', x), true);
      } else {
        addWrapped(b.text, rows, undefined, true);
      }
    }
    for (const f of dv.files) {
      out.push(' '.repeat(width));
      const g = FILE_GLYPH[f.op] ?? FILE_GLYPH.modify;
      out.push(plain(`${g.ch} ${f.op} ${f.from ? `${f.from} → ` : ''}${f.path}${f.size !== null && !f.diff ? ` (${f.size} bytes)` : ''}`, (x) => pal.bold(pal.fg(g.color, x))));
      if (f.diff) {
        const lines = f.diff.split('\n').filter((l) => !l.startsWith('--- ') && !l.startsWith('+++ ') && l.length > 0);
        const max = 12;
        for (const l of lines.slice(0, max)) {
          const color: Color | null = l.startsWith('+') ? 'green' : l.startsWith('-') ? 'red' : l.startsWith('@@') ? 'cyan' : null;
          out.push(plain(l, color ? (x) => pal.fg(color, x) : (x) => pal.dim(x)));
        }
        if (lines.length > max) out.push(plain(`  … ${lines.length - max} more diff lines`, (x) => pal.dim(x)));
      }
    }
    return out;
  }

  paneRows(width: number, height: number): string[] {
    const g = geometry(width, height, this.threadLanes().length);
    const s = this.state;
    const pal = this.pal;
    const active = s.activeIndex();
    const r = active >= 0 ? s.model.requests[active] : null;
    const listTitle = line([{ text: `requests (${s.model.requests.length})`, style: (x) => pal.bold(x) }], g.listWidth);
    const detailTitle = r
      ? line(
          [
            { text: `${r.id} `, style: (x) => pal.bold(x) },
            { text: `${r.model ?? r.protocol} · ${r.critical ? 'critical' : 'side'} · ${r.protocol}${r.transport === 'websocket' ? ' ws' : ''}`, style: (x) => pal.bold(x) },
            { text: '   enter: full request', style: (x) => pal.dim(x) },
          ],
          g.detailWidth,
        )
      : line([{ text: 'detail', style: (x) => pal.bold(x) }], g.detailWidth);
    const sep = pal.dim('│');
    const rows = g.paneRows - 1;
    const list = this.listRows(g.listWidth, rows, active);
    const term = s.showTerminal ? this.opts.terminal : null;
    if (term) {
      const clipped = term.cols > g.detailWidth || term.rows > rows ? ' (clipped)' : '';
      const title = line([{ text: `terminal ${term.cols}×${term.rows} at ${fmtClock(s.origNow)}${clipped}`, style: (x) => pal.bold(x) }, { text: '   t: request detail', style: (x) => pal.dim(x) }], g.detailWidth);
      const screen = this.terminalLines(g.detailWidth, rows);
      const out = [listTitle + sep + title];
      for (let i = 0; i < rows; i++) out.push(list[i] + sep + screen[i]);
      return out;
    }
    const detail = this.detailRows(g.detailWidth, rows, active);
    const out = [listTitle + sep + detailTitle];
    for (let i = 0; i < rows; i++) out.push(list[i] + sep + detail[i]);
    return out;
  }

  statusRow(width: number): string {
    const s = this.state;
    const pal = this.pal;
    const play = s.playing ? '▶ playing' : s.atEnd() ? '■ end' : '‖ paused';
    const idle = s.idleLimitMs === null ? null : s.idleLimitMs / 1000;
    const pieces: Piece[] = [
      { text: ` ${play} `, style: (x) => pal.inverse(pal.bold(x)) },
      { text: ` ${fmtClock(s.playheadMs)} / ${fmtClock(s.durationMs)}  ${s.speed}×  ` },
      { text: s.profile.name, style: (x) => pal.bold(s.sim ? pal.fg('green', x) : x) },
    ];
    if (idle !== null) pieces.push({ text: `  idle≤${idle}s` });
    if (s.live === 'live') pieces.push({ text: s.follow ? '  ● live, following' : '  ● live (f: follow)', style: (x) => pal.bold(pal.fg('green', x)) });
    else if (s.live === 'ended') pieces.push({ text: '  recording ended', style: (x) => pal.bold(x) });
    pieces.push({ text: `${this.opts.terminal ? '  t terminal' : ''}  ? help  q quit`, style: (x) => pal.dim(x) });
    pieces.push({ text: '  space play  ←→ seek  [ ] request  +- speed  s profile  i idle  enter request', style: (x) => pal.dim(x) });
    return line(pieces, width);
  }

  // -- overlays --

  helpLines(width: number): string[] {
    const keys: Array<[string, string]> = [
      ['space', 'play / pause (at the end: from the start)'],
      ['← →', 'seek 1% (shift or < >: 10%)'],
      ['home end', 'start / end'],
      ['[ ]  ↑ ↓', 'previous / next request'],
      ['+ -', `speed ×0.5 … ×64 (now ${this.state.speed}×)`],
      ['i', 'idle limit: shorten tool and user gaps longer than N s (off, 1, 2, 5, 10, 30)'],
      ['s', 'model profile: original → spark (1,000 tok/s) → fast-mode (2.5×) → instant'],
      ['enter', 'the request in focus in full: headers, body, events with times'],
      ['t', this.opts.terminal ? "right pane: the harness's terminal at the playhead ⇄ the request in focus" : "the harness's terminal (this trace has none: recorded without a terminal)"],
      ['f', 'a trace still being recorded: follow it (the playhead stays at the newest moment as records arrive; on at the start); seeking stops following, f or end resumes'],
      ['?', 'this help'],
      ['q', 'quit (closes an open panel first)'],
    ];
    const out = [line([{ text: 'lapse tui — keys', style: (x) => this.pal.bold(x) }], width), ' '.repeat(width)];
    for (const [k, v] of keys) out.push(line([{ text: fit(k, 10), style: (x) => this.pal.bold(x) }, { text: v }], width));
    out.push(' '.repeat(width));
    out.push(line([{ text: 'Lanes: path = the critical path the agent waited on; side = requests off it; sub1… = each subagent\'s requests (wait, stream); files = changes.', style: (x) => this.pal.dim(x) }], width));
    const legend: Piece[] = [];
    for (const k of KIND_ORDER) legend.push({ text: KIND_GLYPH[k], style: (x) => this.pal.kind(k, x) }, { text: ` ${KIND_LABEL[k]}  ` });
    out.push(line(legend, width));
    out.push(' '.repeat(width));
    out.push(line([{ text: 'esc, q or ? closes this', style: (x) => this.pal.dim(x) }], width));
    return out;
  }

  /** The full view of request `index`: built once, head row offsets once per width. */
  private requestText(index: number, width: number): OverlayText {
    let o = this.overlayText;
    if (!o || o.index !== index) {
      const r = this.state.model.requests[index];
      const view: RequestView = r ? requestView(this.detail.exchanges, r) : { head: [{ text: 'no request in focus' }], eventCount: 0, event: () => ({ text: '' }) };
      for (const l of view.head) l.text = sanitize(l.text);
      o = { index, view, width: -1, rowStart: new Int32Array(0) };
      this.overlayText = o;
    }
    if (o.width !== width) {
      const head = o.view.head;
      const rs = new Int32Array(head.length + 1);
      for (let i = 0; i < head.length; i++) rs[i + 1] = rs[i] + Math.max(1, Math.ceil(textWidth(head[i].text) / Math.max(1, width)));
      o.width = width;
      o.rowStart = rs;
    }
    return o;
  }

  /** Rows the full view of request `index` takes at `width` (events take one row each, clipped). */
  requestRowCount(index: number, width: number): number {
    const o = this.requestText(index, width);
    return o.rowStart[o.view.head.length] + o.view.eventCount;
  }

  private styleOf(l: InfoLine): Style | undefined {
    if (!l.color && !l.bold) return undefined;
    return (x) => (l.bold ? this.pal.bold(l.color ? this.pal.fg(l.color, x) : x) : this.pal.fg(l.color!, x));
  }

  /** Rows [from, from + count) of the full view of request `index`, the head hard-wrapped at `width`. */
  requestRows(index: number, width: number, from: number, count: number): string[] {
    const o = this.requestText(index, width);
    const head = o.view.head;
    const headRows = o.rowStart[head.length];
    const out: string[] = [];
    // The logical line holding row `from`.
    let i = Math.max(0, upperBound(o.rowStart, from) - 1);
    let skip = from - o.rowStart[i];
    for (; from < headRows && i < head.length && out.length < count; i++) {
      const l = head[i];
      const st = this.styleOf(l);
      let rest = l.text;
      let first = true;
      while ((first || rest.length > 0) && out.length < count) {
        first = false;
        let piece = cutToWidth(rest, width);
        if (piece.length === 0 && rest.length > 0) piece = rest.slice(0, 1);
        rest = rest.slice(piece.length);
        if (skip > 0) {
          skip--;
          continue;
        }
        out.push(line([{ text: piece, style: st }], width));
      }
      skip = 0;
    }
    for (let e = Math.max(0, from - headRows); e < o.view.eventCount && out.length < count; e++) {
      const l = o.view.event(e);
      out.push(line([{ text: l.text, style: this.styleOf(l) }], width));
    }
    while (out.length < count) out.push(' '.repeat(width));
    return out;
  }

  /** The harness's screen at the playhead (recorded time: under a profile it follows the simulated clock), clipped to the pane; the cursor's row stays in view. */
  terminalLines(width: number, height: number): string[] {
    const t = this.opts.terminal;
    const blank = ' '.repeat(width);
    if (!t) return Array.from({ length: height }, (_, i) => (i === 0 ? line([{ text: 'no terminal in this trace' }], width) : blank));
    t.seek(this.state.origNow);
    const rows = t.lines();
    const from = rows.length > height ? Math.max(0, Math.min(rows.length - height, t.cursorRow - height + 1)) : 0;
    const out: string[] = [];
    for (let i = 0; i < height; i++) {
      const r = rows[from + i];
      out.push(r === undefined ? blank : line([{ text: sanitize(r) }], width));
    }
    return out;
  }

  /** How far the open overlay can scroll at this size (0 for help). */
  overlayMaxScroll(width: number, height: number): number {
    if (this.state.overlay !== 'request') return 0;
    return Math.max(0, this.requestRowCount(this.state.overlayRequest, width) - height);
  }

  /** The overlay's title (its border label). */
  overlayTitle(width: number, height: number): string {
    const s = this.state;
    if (s.overlay === 'help') return ' help ';
    if (s.overlay !== 'request') return '';
    const total = this.requestRowCount(s.overlayRequest, width);
    const from = Math.min(s.overlayScroll, this.overlayMaxScroll(width, height));
    return ` request ${s.model.requests[s.overlayRequest]?.id ?? s.overlayRequest} · rows ${Math.min(total, from + 1)}–${Math.min(total, from + height)} of ${total} · ↑↓ PgUp PgDn scroll · esc close `;
  }

  /** The overlay's visible lines, or null when none is open. */
  overlay(width: number, height: number): string[] | null {
    const s = this.state;
    if (s.overlay === 'none') return null;
    if (s.overlay === 'help') return this.helpLines(width).slice(0, height);
    const from = Math.min(s.overlayScroll, this.overlayMaxScroll(width, height));
    return this.requestRows(s.overlayRequest, width, from, height);
  }
}
