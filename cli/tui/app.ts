// The thin blessed layer: one box per screen region, filled with what layout.ts computes. A region's
// content is set only when its text changed, and blessed then writes only the cells that differ.
// Input and output streams are injectable, so tests and the bench drive it without a real terminal.
import blessed from 'blessed';
import type { SessionModel } from '../../analysis/model.js';
import type { TraceRecord } from '../../format/types.js';
import { DetailIndex } from './detail.js';
import { applyAction, keyAction, type KeyInfo } from './keys.js';
import { Layout } from './layout.js';
import { Palette } from './palette.js';
import { TuiState } from './state.js';

export interface TuiOptions {
  model: SessionModel;
  /** The trace's records, for request bodies, tool results and the full request view. */
  records: readonly TraceRecord[] | null;
  /** Shown in the header. */
  title: string;
  color: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** terminfo name; default $TERM. */
  terminal?: string;
  /** Start with this profile on. */
  profile?: string;
  /** Frame interval while playing. */
  frameMs?: number;
}

/**
 * Rows holding characters blessed must place with its full-unicode rules (East Asian wide, combining
 * marks). Its per-cell unicode work is most of a redraw's cost, so it is switched on only for them.
 */
const blessedUnicode = (blessed as unknown as { unicode: { chars: { all: RegExp; combining: RegExp } } }).unicode;
const NEEDS_FULL_UNICODE = new RegExp(`${blessedUnicode.chars.all.source}|${blessedUnicode.chars.combining.source}`);

export class TuiApp {
  readonly state: TuiState;
  readonly layout: Layout;
  readonly screen: blessed.Widgets.Screen;
  /** One single-row box per screen row: a frame re-parses and redraws only the rows that changed. */
  private rows: blessed.Widgets.BoxElement[] = [];
  private lastRows: string[] = [];
  private readonly overlayBox: blessed.Widgets.BoxElement;
  private lastOverlay: string | null = null;
  /** Next render must redraw everything (resize, overlay closed). */
  private full = true;
  /** The terminal is UTF-8: wide characters can be drawn when a row has them. */
  private readonly unicodeOk: boolean;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastTick = 0;
  private readonly frameMs: number;
  private closed = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(opts: TuiOptions) {
    this.state = new TuiState(opts.model);
    if (opts.profile) this.state.setProfile(opts.profile);
    this.layout = new Layout(this.state, new DetailIndex(opts.model, opts.records), new Palette(opts.color), { title: opts.title });
    this.frameMs = opts.frameMs ?? 33;
    this.done = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.screen = blessed.screen({
      input: opts.input as NodeJS.ReadableStream | undefined,
      output: opts.output as NodeJS.WritableStream | undefined,
      terminal: opts.terminal,
      smartCSR: true,
      fullUnicode: true,
      autoPadding: false,
      warnings: false,
    } as blessed.Widgets.IScreenOptions);
    // blessed draws box-drawing and block characters through the VT100 alternate charset when the
    // terminfo has one, which turns them into letters in tmux and some terminals. A UTF-8 terminal
    // draws them directly.
    const tput = (this.screen as unknown as { tput?: { unicode?: boolean; brokenACS?: boolean } }).tput;
    if (tput?.unicode) tput.brokenACS = true;
    const scr = this.screen as unknown as { fullUnicode: boolean };
    this.unicodeOk = scr.fullUnicode;
    this.overlayBox = blessed.box({ parent: this.screen, top: 1, left: 2, width: 10, height: 5, tags: false, wrap: false, border: { type: 'line' }, hidden: true } as blessed.Widgets.BoxOptions);
    this.place();
    this.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => this.guard(() => this.onKey(ch, key ?? {})));
    this.screen.on('resize', () =>
      this.guard(() => {
        this.place();
        this.render();
      }),
    );
  }

  private get width(): number {
    return this.screen.width as number;
  }

  private get height(): number {
    return this.screen.height as number;
  }

  /** (Re)creates the row boxes for the current terminal size. */
  private place(): void {
    const h = this.height;
    for (const r of this.rows) r.destroy();
    this.rows = [];
    for (let y = 0; y < h; y++) {
      this.rows.push(blessed.box({ parent: this.screen, top: y, left: 0, width: '100%', height: 1, tags: false, wrap: false } as blessed.Widgets.BoxOptions));
    }
    // The overlay stays on top of the rows.
    this.overlayBox.setIndex(-1);
    this.overlayBox.setFront();
    this.overlayBox.width = Math.max(10, this.width - 4);
    this.overlayBox.height = Math.max(5, h - 2);
    this.lastRows = [];
    this.lastOverlay = null;
    this.full = true;
  }

  /** Overlay content size (inside its border). */
  private overlaySize(): { w: number; h: number } {
    return { w: Math.max(1, this.width - 6), h: Math.max(1, this.height - 4) };
  }

  /** Draws the current state; returns how many rows (and overlay) changed. */
  render(): number {
    if (this.closed) return 0;
    const frame = this.layout.frame(this.width, this.height);
    const scr = this.screen as unknown as { fullUnicode: boolean; draw(a: number, b: number): void };
    const needs = (r: string): boolean => this.unicodeOk && NEEDS_FULL_UNICODE.test(r);
    const changed: number[] = [];
    for (let y = 0; y < frame.length && y < this.rows.length; y++) {
      if (this.lastRows[y] === frame[y]) continue;
      this.lastRows[y] = frame[y];
      // setContent parses at once, under the unicode mode in force: set it for this row first.
      scr.fullUnicode = needs(frame[y]);
      this.rows[y].setContent(frame[y]);
      changed.push(y);
    }
    const { w, h } = this.overlaySize();
    const lines = this.layout.overlay(w, h);
    let overlayChanged = false;
    if (lines) {
      const text = lines.join('\n');
      const label = this.layout.overlayTitle(w, h);
      if (text + label !== this.lastOverlay) {
        this.lastOverlay = text + label;
        scr.fullUnicode = lines.some(needs);
        this.overlayBox.setContent(text);
        this.overlayBox.setLabel(label);
        overlayChanged = true;
      }
      if (this.overlayBox.hidden) {
        this.overlayBox.show();
        overlayChanged = true;
      }
    } else if (!this.overlayBox.hidden) {
      this.overlayBox.hide();
      this.lastOverlay = null;
      // What the overlay covered must be drawn again.
      this.full = true;
    }
    if (this.full) {
      this.full = false;
      scr.fullUnicode = frame.some(needs) || (lines !== null && lines.some(needs));
      this.screen.render();
      return changed.length + 1;
    }
    if (changed.length === 0 && !overlayChanged) return 0;
    // Partial redraw: only the changed rows are rendered into blessed's buffer, and only their
    // screen lines are compared and written.
    for (const y of changed) {
      scr.fullUnicode = needs(frame[y]);
      this.rows[y].render();
      if (this.overlayBox.hidden) scr.draw(y, y);
    }
    if (!this.overlayBox.hidden) {
      // The overlay is drawn again over whatever rows changed beneath it; only dirty lines go out.
      const overlayWide = lines !== null && lines.some(needs);
      scr.fullUnicode = overlayWide;
      this.overlayBox.render();
      scr.fullUnicode = overlayWide || changed.some((y) => needs(frame[y]));
      scr.draw(0, this.height - 1);
    }
    return changed.length + (overlayChanged ? 1 : 0);
  }

  private onKey(ch: string | undefined, key: KeyInfo): void {
    const s = this.state;
    const action = keyAction(ch, key, s.overlay !== 'none');
    if (!action) return;
    const { w, h } = this.overlaySize();
    if (!applyAction(s, action, h - 1, this.layout.overlayMaxScroll(w, h))) {
      this.quit();
      return;
    }
    this.syncTimer();
    this.render();
  }

  /** Runs the frame timer only while playing. */
  private syncTimer(): void {
    if (this.state.playing && !this.timer) {
      this.lastTick = performance.now();
      this.timer = setInterval(() => this.guard(() => this.frame()), this.frameMs);
    } else if (!this.state.playing && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private frame(): void {
    const now = performance.now();
    const dt = now - this.lastTick;
    this.lastTick = now;
    this.state.tick(dt);
    this.syncTimer();
    this.render();
  }

  /** An error inside a handler must not leave the terminal raw: restore it, then fail. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.close();
      this.rejectDone(err);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.screen.destroy();
  }

  /** Restores the terminal and resolves `done`. */
  quit(): void {
    this.close();
    this.resolveDone();
  }
}
