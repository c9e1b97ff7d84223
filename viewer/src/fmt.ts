// Numbers and times as people read them. All inputs are milliseconds.

export function dur(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (a < 1) return `${sign}${a.toFixed(2)} ms`;
  if (a < 1000) return `${sign}${a < 10 ? a.toFixed(1) : Math.round(a)} ms`;
  const s = a / 1000;
  if (s < 60) return `${sign}${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} m ${String(Math.floor(s - m * 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${sign}${h} h ${String(m - h * 60).padStart(2, '0')} m`;
}

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

export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  // Not toLocaleString: it is slow enough to show when formatting thousands of table cells.
  const s = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `−${s}` : s;
}

export function rate(tps: number | null | undefined): string {
  if (tps === null || tps === undefined || !Number.isFinite(tps)) return '—';
  return `${tps < 100 ? tps.toFixed(1) : int(tps)} tok/s`;
}

export function pct(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  const p = (part / whole) * 100;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)} %`;
}

export function times(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '—';
  return `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Cuts long text for one-line displays. */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
