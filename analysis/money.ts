// How a cost reads, in every view: cents from $1 up, two significant digits below, '–' when unknown.
export function formatUsd(v: number | null): string {
  if (v === null) return '–';
  if (v >= 1) return `$${v.toFixed(2)}`;
  if (v === 0) return '$0';
  return `$${v.toPrecision(2)}`;
}
