// The harness's terminal at the playhead. The recorded output is replayed into @xterm/headless (the
// xterm.js emulator without its renderer: the same screens as the TUI's pane) and its buffer drawn
// here as rows of spans: text through textContent, colours through CSSOM, so the page keeps its
// strict CSP (xterm.js's own renderer injects <style> elements). It follows the playhead, which is
// recorded time even while playing "as simulated": the screen then changes at the simulated pace.
import { Terminal } from '@xterm/headless/lib-headless/xterm-headless.mjs';
import type { IBufferCell } from '@xterm/headless';
import type { TerminalModel } from '../../analysis/model.js';
import { TerminalReplay } from '../../analysis/terminal-replay.js';
import type { ViewerState } from './state.js';
import { append, clear, el } from './dom.js';
import { at } from './fmt.js';

const ANSI = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];

/** xterm's 256-colour palette entry as CSS. */
function paletteColor(i: number): string {
  if (i < 16) return ANSI[i];
  if (i < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const n = i - 16;
    return `rgb(${v[Math.floor(n / 36)]},${v[Math.floor(n / 6) % 6]},${v[n % 6]})`;
  }
  const g = 8 + (i - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function color(cell: IBufferCell, fg: boolean): string | null {
  if (fg ? cell.isFgRGB() : cell.isBgRGB()) {
    const c = fg ? cell.getFgColor() : cell.getBgColor();
    return `rgb(${(c >> 16) & 255},${(c >> 8) & 255},${c & 255})`;
  }
  if (fg ? cell.isFgPalette() : cell.isBgPalette()) return paletteColor(fg ? cell.getFgColor() : cell.getBgColor());
  return null;
}

export class TerminalView {
  private readonly term: Terminal;
  private readonly replay: TerminalReplay;
  private readonly screen: HTMLElement;
  private readonly caption: HTMLElement;
  private frame = 0;

  constructor(
    host: HTMLElement,
    private readonly st: ViewerState,
    model: TerminalModel,
  ) {
    const first = model.sizes[0] ?? { cols: 80, rows: 24 };
    this.term = new Terminal({ cols: first.cols, rows: first.rows, allowProposedApi: true, scrollback: 0 });
    this.replay = new TerminalReplay(model, this.term, () => this.draw());
    this.caption = el('div', { class: 'terminal-caption', attrs: { 'data-testid': 'terminal-caption' } });
    this.screen = el('div', { class: 'terminal-screen', attrs: { 'data-testid': 'terminal-screen', role: 'img', 'aria-label': "the harness's terminal at the playhead" } });
    append(host, this.caption, this.screen);
    st.on('playhead', () => this.replay.seek(st.playheadMs));
    this.replay.seek(st.playheadMs);
  }

  /** Resolves when the screen shows the playhead (tests). */
  settled(): Promise<void> {
    return this.replay.settled();
  }

  /** The screen's rows as plain text (tests). */
  text(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  private draw(): void {
    // coalesce: several settles within one frame draw once
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const t = this.term;
    const b = t.buffer.active;
    this.caption.textContent = `terminal ${t.cols}×${t.rows} at ${at(this.st.playheadMs)}`;
    clear(this.screen);
    const cell = b.getNullCell();
    for (let y = 0; y < t.rows; y++) {
      const line = b.getLine(b.viewportY + y);
      const row = el('div', { class: 'terminal-row' });
      if (line) {
        let run = '';
        let key = '';
        let style: { fg: string | null; bg: string | null; bold: boolean; dim: boolean; underline: boolean } | null = null;
        const flush = (): void => {
          if (!run) return;
          const span = el('span', {}, run);
          if (style) {
            if (style.fg) span.style.color = style.fg;
            if (style.bg) span.style.backgroundColor = style.bg;
            if (style.bold) span.style.fontWeight = 'bold';
            if (style.dim) span.style.opacity = '0.6';
            if (style.underline) span.style.textDecoration = 'underline';
          }
          row.appendChild(span);
          run = '';
        };
        for (let x = 0; x < t.cols; x++) {
          const c = line.getCell(x, cell);
          if (!c || c.getWidth() === 0) continue; // the right half of a wide character
          const inverse = c.isInverse() !== 0;
          let fg = color(c, true);
          let bg = color(c, false);
          if (inverse) [fg, bg] = [bg ?? 'var(--terminal-bg)', fg ?? 'var(--terminal-fg)'];
          const s = { fg, bg, bold: c.isBold() !== 0, dim: c.isDim() !== 0, underline: c.isUnderline() !== 0 };
          const k = `${s.fg}|${s.bg}|${s.bold}|${s.dim}|${s.underline}`;
          if (k !== key) {
            flush();
            key = k;
            style = s;
          }
          run += c.getChars() || ' ';
        }
        flush();
      }
      this.screen.appendChild(row);
    }
  }
}
