// Numbers and times as people read them (the shared formatters plus the viewer's clock forms). All inputs are milliseconds.

/** The shared formatters (analysis/present.ts), under the viewer's short names. */
export { formatDuration as dur, formatInt as int, formatRate as rate, formatPct as pct, formatTimes as times, formatBytes as bytes, formatClock as clock } from '../../analysis/present.js';

/** Offset from the session start for tables: 12.345 s. */
export function at(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}






/** Cuts long text for one-line displays. */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
