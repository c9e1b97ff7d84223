// Small text helpers for the terminal reports: durations, numbers, colour, the where-time-goes bar.
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

const SGR: Record<string, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36', gray: '90' };

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

/** 850 ms · 12.3 s · 4 m 05 s · 1 h 02 m. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (a === 0) return '0 ms';
  if (a < 1) return `${sign}${a.toFixed(2)} ms`;
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = Math.round((a - m * 60_000) / 1000);
    return s === 60 ? `${sign}${m + 1} m 00 s` : `${sign}${m} m ${String(s).padStart(2, '0')} s`;
  }
  const h = Math.floor(a / 3_600_000);
  const m = Math.round((a - h * 3_600_000) / 60_000);
  return `${sign}${h} h ${String(m).padStart(2, '0')} m`;
}

export function formatInt(n: number | null): string {
  return n === null ? '–' : Math.round(n).toLocaleString('en-US');
}

export function formatPct(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const p = (part / whole) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}

import { SEGMENT_KINDS, SEGMENT_LABEL } from '../../analysis/kinds.js';

export const KINDS = SEGMENT_KINDS;
export const KIND_LABEL = SEGMENT_LABEL;

/** Colour per kind, and a glyph per kind so the bar still reads without colour. */
const KIND_STYLE: Record<SegmentKind, { color: string; glyph: string }> = {
  modelWait: { color: '35', glyph: '▒' },
  modelStream: { color: '34', glyph: '█' },
  tool: { color: '33', glyph: '▓' },
  user: { color: '32', glyph: '░' },
  harness: { color: '90', glyph: '·' },
};

export function kindOf(b: Breakdown, k: SegmentKind): number {
  switch (k) {
    case 'modelWait':
      return b.modelWaitMs;
    case 'modelStream':
      return b.modelStreamMs;
    case 'tool':
      return b.toolMs;
    case 'user':
      return b.userMs;
    case 'harness':
      return b.harnessMs;
  }
}

export function kindGlyph(o: TextOptions, k: SegmentKind, n = 1): string {
  const st = KIND_STYLE[k];
  return o.color ? paint(o, st.color, '█'.repeat(n)) : st.glyph.repeat(n);
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
