// `lapse report` for people: the totals, where the time went, what each profile would save, one row
// per group, and the slowest sessions with their biggest share.
import { breakdownLines } from './stats-text.js';
import { formatInt, formatMs, formatPct, formatUsd, KIND_LABEL, KINDS, kindOf, padEnd, padStart, paint, type TextOptions } from './format.js';
import { WHAT_IF, type ReportJson, type SessionFigures } from './across.js';

const MAX_GROUPS = 40;
const SLOWEST = 5;

function tokensLine(t: ReportJson['tokens']): string {
  const compact = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : formatInt(n));
  return `tokens in ${compact(t.input)} (cache read ${compact(t.cacheRead)}, write ${compact(t.cacheWrite)}), out ${compact(t.output)}`;
}

function costText(r: { costUsd: number; unpricedSessions: number }): string {
  return formatUsd(r.costUsd) + (r.unpricedSessions ? ` (+${r.unpricedSessions} unpriced)` : '');
}

function biggest(s: { breakdown: SessionFigures['breakdown']; durationMs: number }): string {
  let best = KINDS[0];
  for (const k of KINDS) if (kindOf(s.breakdown, k) > kindOf(s.breakdown, best)) best = k;
  return `${KIND_LABEL[best]} ${formatPct(kindOf(s.breakdown, best), s.durationMs)}`;
}

function table(head: string[], rows: string[][], left: number[]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (left.includes(i) ? padEnd(c, w[i]) : padStart(c, w[i]))).join('  ');
  return [line(head), ...rows.map(line)];
}

export function renderReport(r: ReportJson, o: TextOptions): string {
  const out: string[] = [];
  if (r.sessions === 0) return 'no sessions to report (record one with `lapse record -- CMD`, or `lapse import` your Claude Code and Codex history)\n';
  out.push(`${paint(o, 'bold', formatInt(r.sessions))} session${r.sessions === 1 ? '' : 's'} · ${paint(o, 'bold', formatMs(r.durationMs))} · ${tokensLine(r.tokens)} · cost ${costText(r)}`);
  out.push('');
  out.push(paint(o, 'bold', 'where the time went') + paint(o, 'dim', ' (along each session\'s critical path)'));
  out.push(...breakdownLines(o, r));
  out.push('');
  out.push(paint(o, 'bold', 'what a faster model or transport would change'));
  for (const n of WHAT_IF) {
    const w = r.whatIf[n];
    out.push(`  ${padEnd(n, 10)} ${padStart(formatMs(w.durationMs), 10)}   saves ${padStart(formatMs(w.savedMs), 10)} ${padStart(formatPct(w.savedMs, r.durationMs), 6)}`);
  }
  // websocket's measured part (connection setup, re-sent upload) needs the proxy's wire timing
  if (r.wireTimedSessions < r.sessions) {
    const note = r.wireTimedSessions === 0 ? 'no session has' : `${formatInt(r.sessions - r.wireTimedSessions)} of ${formatInt(r.sessions)} sessions have`;
    out.push(paint(o, 'dim', `  websocket: ${note} no wire timing (imported, or recorded before format 1.2): there only the published TTFT × 0.5 and per-token overhead × 0.7 apply`));
  }
  out.push('');
  out.push(paint(o, 'bold', `by ${r.by}`));
  const rows = r.groups.slice(0, MAX_GROUPS).map((g) => [g.key, formatInt(g.sessions), formatMs(g.durationMs), formatMs(g.breakdown.modelWaitMs + g.breakdown.modelStreamMs), formatMs(g.breakdown.toolMs), formatMs(g.breakdown.userMs), costText(g), formatMs(g.whatIf.spark.savedMs)]);
  out.push(...table([r.by, 'sessions', 'duration', 'model', 'tools', 'user', 'cost', 'spark saves'], rows, [0]));
  if (r.groups.length > MAX_GROUPS) out.push(paint(o, 'dim', `  … ${r.groups.length - MAX_GROUPS} more (see --json)`));
  out.push('');
  out.push(paint(o, 'bold', 'slowest sessions'));
  const slow = [...r.traces].sort((a, b) => b.durationMs - a.durationMs).slice(0, SLOWEST);
  out.push(...table(['started', 'harness', 'duration', 'biggest share', 'cost', 'trace'], slow.map((s) => [s.startedAt === null ? '?' : new Date(s.startedAt).toLocaleString('sv-SE').slice(0, 16), s.harness ?? '?', formatMs(s.durationMs), biggest(s), formatUsd(s.costUsd), s.path]), [0, 1, 3, 5]));
  for (const e of r.errors.slice(0, 10)) out.push(paint(o, 'yellow', `note: skipped ${e.path}: ${e.error}`));
  return out.join('\n') + '\n';
}
