// Numbers and times as people read them (the shared formatters plus the viewer's clock forms). All inputs are milliseconds.

/** The shared formatters (analysis/present.ts), under the viewer's short names. */
export { formatDuration as dur, formatInt as int, formatRate as rate, formatPct as pct, formatTimes as times, formatBytes as bytes } from '../../analysis/present.js';

/** A playback clock: m:ss.s (h:mm:ss when long). */
export function clock(ms: number): string {
  const t = Math.max(0, ms) / 1000;
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = s.toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Offset from the session start for tables: 12.345 s. */
export function at(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}






/** Cuts long text for one-line displays. */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
