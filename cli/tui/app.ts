// The thin blessed layer. blessed owns the terminal (terminfo, alternate screen, raw input and key
// parsing, resize, its cell buffer and the diffing draw); the rows layout.ts computes (overlays
// included) go straight into that cell buffer (cells.ts), and only the rows whose text changed are
// written and drawn.
// Input and output streams are injectable, so tests and the bench drive it without a real terminal.
import blessed from 'blessed';
import type { SessionModel } from '../../analysis/model.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';
import { CellWriter, type CellScreen } from './cells.js';
import { DetailIndex } from './detail.js';
import { applyAction, keyAction, type KeyInfo } from './keys.js';
import { Layout, overlayBox } from './layout.js';
import { TerminalScreen } from './terminal-screen.js';
import { Palette } from './palette.js';
import { TuiState, type LiveStatus } from './state.js';

export interface TuiOptions {
  model: SessionModel;
  /** The analysis's exchanges, for request bodies, tool results and the full request view. */
  exchanges: ExchangesData | null;
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
  /** The trace is still being recorded: `update()` brings new models; following is on at the start. */
  live?: boolean;
}

const blessedUnicode = (blessed as unknown as { unicode: { chars: { all: RegExp; combining: RegExp }; charWidth(s: string): number } }).unicode;
/**
 * Text blessed must place with its full-unicode rules (East Asian wide, combining marks). Its
 * per-cell unicode work is most of a draw's cost, so it is switched on only for rows that need it.
 */
const NEEDS_FULL_UNICODE = new RegExp(`${blessedUnicode.chars.all.source}|${blessedUnicode.chars.combining.source}`);

export class TuiApp {
  private st: TuiState;
  private lay: Layout;
  readonly screen: blessed.Widgets.Screen;
  /** The rows on screen (as layout made them), and what writes them into blessed's cells. */
  private lastRows: string[] = [];
  private readonly writer: CellWriter;
  /** The one blessed element: when blessed renders the whole screen, it writes every row again. */
  private readonly base: blessed.Widgets.BoxElement;
  /** Next render must redraw everything (resize). */
  private full = true;
  /** The terminal is UTF-8: wide characters can be drawn when a row has them. */
  private readonly unicodeOk: boolean;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastTick = 0;
  private readonly frameMs: number;
  private closed = false;
  private terminalScreen: TerminalScreen | null;
  private readonly opts: TuiOptions;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(opts: TuiOptions) {
    this.opts = opts;
    this.st = new TuiState(opts.model);
    if (opts.profile) this.st.setProfile(opts.profile);
    if (opts.live) {
      this.st.live = 'live';
      this.st.toggleFollow();
    }
    const screen = opts.model.terminal ? new TerminalScreen(opts.model.terminal, () => this.guard(() => this.render())) : null;
    this.terminalScreen = screen;
    this.lay = new Layout(this.st, new DetailIndex(opts.model, opts.exchanges), new Palette(opts.color), { title: opts.title, terminal: screen });
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
    this.place();
    this.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => this.guard(() => this.onKey(ch, key ?? {})));
    this.screen.on('resize', () =>
      this.guard(() => {
        this.place();
        this.render();
      }),
    );
  }

  get state(): TuiState {
    return this.st;
  }

  get layout(): Layout {
    return this.lay;
  }

  /**
   * A newer model of the trace being recorded (a live snapshot), or its final one (`ended`): the
   * views are made again on it, keeping what the person chose; following, the playhead goes to the end.
   */
  update(model: SessionModel, exchanges: ExchangesData | null, live: LiveStatus): void {
    if (this.closed) return;
    this.guard(() => {
      const prev = this.st;
      const st = new TuiState(model);
      st.live = live;
      st.carry(prev);
      if (live !== 'live') st.follow = false;
      this.terminalScreen?.dispose();
      const screen = model.terminal ? new TerminalScreen(model.terminal, () => this.guard(() => this.render())) : null;
      this.terminalScreen = screen;
      this.st = st;
      this.lay = new Layout(st, new DetailIndex(model, exchanges), new Palette(this.opts.color), { title: this.opts.title, terminal: screen });
      this.syncTimer();
      this.render();
    });
  }

  private get width(): number {
    return this.screen.width as number;
  }

  private get height(): number {
    return this.screen.height as number;
  }

  /** After a resize: the next render redraws everything. */
  private place(): void {
    this.lastRows = [];
    this.full = true;
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
    if (this.full) {
      this.full = false;
      scr.fullUnicode = frame.some(needs);
      this.screen.render();
      return frame.length;
    }
    // Partial redraw: the changed rows are already in blessed's cells; only their lines are
    // compared and written.
    for (const y of changed) {
      scr.fullUnicode = needs(frame[y]);
      scr.draw(y, y);
    }
    return changed.length;
  }

  private onKey(ch: string | undefined, key: KeyInfo): void {
    const s = this.state;
    const action = keyAction(ch, key, s.overlay !== 'none');
    if (!action) return;
    const box = overlayBox(this.width, this.height);
    if (!applyAction(s, action, box.height - 1, this.layout.overlayMaxScroll(box.width, box.height))) {
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
    this.terminalScreen?.dispose();
    this.screen.destroy();
  }

  /** Restores the terminal and resolves `done`. */
  quit(): void {
    this.close();
    this.resolveDone();
  }
}
