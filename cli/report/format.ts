// Terminal helpers for the text reports: colour, padding, the where-time-goes bar. Names, glyphs,
// colours and number formats come from analysis/present.ts (shared with both viewers).
import type { Breakdown, SegmentKind } from '../../analysis/model.js';
export { formatUsd } from '../../analysis/money.js';

export interface TextOptions {
  /** ANSI colour (off for NO_COLOR or when stdout is not a TTY). */
  color: boolean;
  /** Columns available (bars and tables fit in it). */
  width: number;
}

export function textOptions(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): TextOptions {
  const color = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return { color, width: Math.max(40, Math.min(stream.columns || 100, 140)) };
}

const SGR: Record<string, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36', white: '37', gray: '90', 'light-blue': '94' };

export function paint(o: TextOptions, style: keyof typeof SGR | string, s: string): string {
  const code = SGR[style] ?? style;
  return o.color ? `\u001b[${code}m${s}\u001b[0m` : s;
}

/** Visible length (ANSI escapes removed). */
export function visible(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
export function padEnd(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - visible(s)));
}
export function padStart(s: string, n: number): string {
  return ' '.repeat(Math.max(0, n - visible(s))) + s;
}

import { breakdownMs, formatDuration, KIND_GLYPH, KIND_TERM_COLOR, SEGMENT_KINDS, SEGMENT_LABEL } from '../../analysis/present.js';

/** The shared formatters (analysis/present.ts), under the names the reports use. */
export { formatDuration as formatMs, formatInt, formatPct } from '../../analysis/present.js';

export const KINDS = SEGMENT_KINDS;
export const KIND_LABEL = SEGMENT_LABEL;

export function kindOf(b: Breakdown, k: SegmentKind): number {
  return breakdownMs(b, k);
}

export function kindGlyph(o: TextOptions, k: SegmentKind, n = 1): string {
  return o.color ? paint(o, KIND_TERM_COLOR[k], '█'.repeat(n)) : KIND_GLYPH[k].repeat(n);
}

/** Cells per kind for a bar of `width` cells (largest remainder, so they add up to the width). */
export function barCells(b: Breakdown, width: number, total: number): number[] {
  const values = KINDS.map((k) => kindOf(b, k));
  const sum = total > 0 ? total : values.reduce((a, x) => a + x, 0);
  if (sum <= 0) return values.map(() => 0);
  const exact = values.map((v) => (v / sum) * width);
  const cells = exact.map(Math.floor);
  let left = Math.min(width, Math.round(values.reduce((a, x) => a + x, 0) / sum * width)) - cells.reduce((a, x) => a + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, c) => c[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    cells[i]++;
    left--;
  }
  return cells;
}

/** The where-time-goes bar: one run of cells per kind, `width` cells for `total` ms. */
export function breakdownBar(o: TextOptions, b: Breakdown, width: number, total: number): string {
  const cells = barCells(b, width, total);
  return KINDS.map((k, i) => (cells[i] > 0 ? kindGlyph(o, k, cells[i]) : '')).join('');
}
