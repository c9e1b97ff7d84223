// The harness's screen for the TUI's terminal pane: the recorded output replayed
// (analysis/terminal-replay.ts) into @xterm/headless, the web viewer's emulator without a DOM.
import xtermHeadless from '@xterm/headless';
import type { TerminalModel } from '../../analysis/model.js';
import { TerminalReplay } from '../../analysis/terminal-replay.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');

export class TerminalScreen {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly replay: TerminalReplay;

  constructor(model: TerminalModel, onChange: () => void) {
    const first = model.sizes[0] ?? { cols: 80, rows: 24 };
    this.term = new Terminal({ cols: first.cols, rows: first.rows, allowProposedApi: true, scrollback: 0 });
    this.replay = new TerminalReplay(model, this.term, onChange);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** The row the cursor is on (for showing the bottom of a screen taller than the pane). */
  get cursorRow(): number {
    return this.term.buffer.active.cursorY;
  }

  /** The screen's rows as text, as far as it has caught up. */
  lines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** Brings the screen to recorded time `origMs` (asynchronously: onChange when it has). */
  seek(origMs: number): void {
    this.replay.seek(origMs);
  }

  settled(): Promise<void> {
    return this.replay.settled();
  }

  dispose(): void {
    this.term.dispose();
  }
}
