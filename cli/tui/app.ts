// The thin blessed layer. blessed owns the terminal (terminfo, alternate screen, raw input and key
// parsing, resize, its cell buffer and the diffing draw); the rows layout.ts computes go straight
// into that cell buffer (cells.ts), and only the rows whose text changed are written and drawn. The
// overlay (help, full request) is an ordinary blessed box on top.
// Input and output streams are injectable, so tests and the bench drive it without a real terminal.
import blessed from 'blessed';
import type { SessionModel } from '../../analysis/model.js';
import type { TraceRecord } from '../../format/types.js';
import { CellWriter, type CellScreen } from './cells.js';
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

const blessedUnicode = (blessed as unknown as { unicode: { chars: { all: RegExp; combining: RegExp }; charWidth(s: string): number } }).unicode;
/**
 * Text blessed must place with its full-unicode rules (East Asian wide, combining marks). Its
 * per-cell unicode work is most of a draw's cost, so it is switched on only for rows that need it.
 */
const NEEDS_FULL_UNICODE = new RegExp(`${blessedUnicode.chars.all.source}|${blessedUnicode.chars.combining.source}`);

export class TuiApp {
  readonly state: TuiState;
  readonly layout: Layout;
  readonly screen: blessed.Widgets.Screen;
  /** The rows on screen (as layout made them), and what writes them into blessed's cells. */
  private lastRows: string[] = [];
  private readonly writer: CellWriter;
  /** Below the overlay: when blessed renders the whole screen, it writes every row again. */
  private readonly base: blessed.Widgets.BoxElement;
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
    this.writer = new CellWriter(this.screen as unknown as CellScreen, (ch) => blessedUnicode.charWidth(ch));
    this.base = blessed.box({ parent: this.screen, top: 0, left: 0, width: '100%', height: '100%' } as blessed.Widgets.BoxOptions);
    (this.base as unknown as { render: () => void }).render = () => {
      for (let y = 0; y < this.lastRows.length; y++) this.writer.write(y, this.lastRows[y]);
    };
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

  /** Sizes the overlay for the current terminal size; the next render redraws everything. */
  private place(): void {
    const h = this.height;
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
    for (let y = 0; y < frame.length; y++) {
      if (this.lastRows[y] === frame[y]) continue;
      this.lastRows[y] = frame[y];
      this.writer.write(y, frame[y]);
      changed.push(y);
    }
    this.lastRows.length = frame.length;
    const { w, h } = this.overlaySize();
    const lines = this.layout.overlay(w, h);
    let overlayChanged = false;
    if (lines) {
      const text = lines.join('\n');
      const label = this.layout.overlayTitle(w, h);
      if (text + label !== this.lastOverlay) {
        this.lastOverlay = text + label;
        // setContent parses at once, under the unicode mode in force.
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
    // Partial redraw: the changed rows are already in blessed's cells; only their lines are
    // compared and written.
    if (this.overlayBox.hidden) {
      for (const y of changed) {
        scr.fullUnicode = needs(frame[y]);
        scr.draw(y, y);
      }
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
