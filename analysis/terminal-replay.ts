// Replays the harness's recorded terminal into a terminal emulator up to a moment, for the views
// (the TUI's pane on @xterm/headless, the web viewer's on @xterm/xterm: the same emulator, so both
// show the same screen). Moving forward writes only the new output; moving back resets and replays
// from the start. Emulators parse asynchronously, so `seek` returns at once and `onSettled` says
// when the screen has caught up.
import type { TerminalModel } from './terminal.js';

/** The part of an xterm.js Terminal (browser or headless) the replay drives. */
export interface TerminalEmulator {
  write(data: string, callback?: () => void): void;
  resize(cols: number, rows: number): void;
  reset(): void;
}

export class TerminalReplay {
  /** Output and size changes in time order. */
  private readonly ops: Array<{ tMs: number; text?: string; cols?: number; rows?: number }>;
  /** ops[0 … next) are written. */
  private next = 0;
  private appliedMs = -1;
  private busy = false;
  private wanted: number | null = null;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly model: Omit<TerminalModel, 'userSpans'>,
    private readonly term: TerminalEmulator,
    private readonly onSettled: () => void = () => {},
  ) {
    const ops: TerminalReplay['ops'] = [];
    for (const s of model.sizes.slice(1)) ops.push({ tMs: s.tMs, cols: s.cols, rows: s.rows });
    for (const o of model.output) if (o.text) ops.push({ tMs: o.tMs, text: o.text });
    this.ops = ops.sort((a, b) => a.tMs - b.tMs);
  }

  /** The size the harness started with. */
  get initialSize(): { cols: number; rows: number } {
    const s = this.model.sizes[0];
    return s ? { cols: s.cols, rows: s.rows } : { cols: 80, rows: 24 };
  }

  /** Brings the screen to recorded time `tMs` (ms from the session start). */
  seek(tMs: number): void {
    if (tMs === this.appliedMs && !this.busy && this.wanted === null) return;
    this.wanted = tMs;
    if (!this.busy) this.run();
  }

  /** Resolves when the screen shows the last time asked for. */
  settled(): Promise<void> {
    if (!this.busy && this.wanted === null) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private run(): void {
    const t = this.wanted;
    this.wanted = null;
    if (t === null) return;
    if (t < this.appliedMs) {
      this.term.reset();
      const s = this.initialSize;
      this.term.resize(s.cols, s.rows);
      this.next = 0;
    }
    this.appliedMs = t;
    this.busy = true;
    const step = (): void => {
      // all output up to the next resize goes in one write; the resize waits until it is parsed
      let text = '';
      while (this.next < this.ops.length && this.ops[this.next].tMs <= t && this.ops[this.next].text !== undefined) text += this.ops[this.next++].text;
      const after = (): void => {
        const op = this.ops[this.next];
        if (op && op.tMs <= t && op.cols !== undefined) {
          this.next++;
          this.term.resize(op.cols, op.rows!);
          return step();
        }
        this.busy = false;
        if (this.wanted !== null) return this.run();
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
        this.onSettled();
      };
      if (text) this.term.write(text, after);
      else after();
    };
    step();
  }
}
