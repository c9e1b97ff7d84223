// `lapse stats` for people: totals, where the time went, per request, files changed.
import type { RequestModel, SessionModel } from '../../analysis/model.js';
import { sessionCost } from '../../analysis/cost.js';
import { transportLines } from './wire-text.js';
import { breakdownBar, formatUsd, formatInt, formatMs, formatPct, KIND_LABEL, KINDS, kindGlyph, kindOf, padEnd, padStart, paint, type TextOptions } from './format.js';

const MAX_REQUEST_ROWS = 200;
const MAX_FILE_ROWS = 40;

export function breakdownLines(o: TextOptions, m: { durationMs: number; breakdown: SessionModel['breakdown'] }, indent = '  '): string[] {
  const barWidth = Math.max(20, Math.min(80, o.width - indent.length - 2));
  const lines = [indent + breakdownBar(o, m.breakdown, barWidth, m.durationMs)];
  for (const k of KINDS) {
    const v = kindOf(m.breakdown, k);
    lines.push(`${indent}${kindGlyph(o, k, 2)} ${padEnd(KIND_LABEL[k], 18)} ${padStart(formatMs(v), 10)} ${padStart(formatPct(v, m.durationMs), 6)}`);
  }
  return lines;
}

function sessionLine(m: SessionModel): string | null {
  if (!m.session) return null;
  const when = new Date(m.session.startedAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const argv = m.session.argv.join(' ');
  return `session   ${argv.length > 80 ? argv.slice(0, 79) + '…' : argv}  (${m.session.harness ?? 'unknown harness'}, started ${when})`;
}

function toolsCell(r: RequestModel): string {
  if (r.toolCalls.length === 0) return '';
  const counts = new Map<string, number>();
  for (const c of r.toolCalls) counts.set(c.name || '?', (counts.get(c.name || '?') ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n}×${c}` : n)).join(' ');
}

function stopCell(o: TextOptions, r: RequestModel): string {
  if (r.status === 'error') return paint(o, 'red', 'error');
  if (r.status === 'aborted') return paint(o, 'yellow', 'aborted');
  return r.stopReason ?? '–';
}

function requestTable(o: TextOptions, m: SessionModel): string[] {
  const head = ['id', 'start', 'model', 'TTFT', 'stream', 'tok/s', 'in', 'out', 'stop', 'tools'];
  const rows = m.requests.slice(0, MAX_REQUEST_ROWS).map((r) => [
    `${r.id}${r.critical ? '' : paint(o, 'dim', ' side')}`,
    formatMs(r.startMs),
    (r.model ?? '–').slice(0, 24) + (r.transport === 'websocket' ? ' (ws)' : ''),
    formatMs(r.ttftMs),
    formatMs(r.streamMs),
    r.tokensPerSecond === null ? '–' : r.tokensPerSecond.toFixed(1),
    formatInt(r.inputTokens),
    r.outputTokens === null ? (r.outputTokensEstimate > 0 ? paint(o, 'dim', `~${formatInt(r.outputTokensEstimate)}`) : '–') : formatInt(r.outputTokens),
    stopCell(o, r),
    toolsCell(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === head.length - 1 ? 0 : visible(row[i])))));
  const right = new Set([1, 3, 4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? padStart(c, widths[i]) : padEnd(c, widths[i]))).join('  ').trimEnd();
  const out = [paint(o, 'bold', line(head)), ...rows.map(line)];
  if (m.requests.length > MAX_REQUEST_ROWS) out.push(paint(o, 'dim', `… ${m.requests.length - MAX_REQUEST_ROWS} more requests (see --json)`));
  return out.map((l) => '  ' + l);
}

/** One line per thread: what it is, its requests, when, and for a subagent the call that started it. */
function threadLines(o: TextOptions, m: SessionModel): string[] {
  const labels = m.threads.map((t) => (t.kind === 'main' ? 'main' : t.kind === 'subagent' ? `subagent ${t.label}` : t.label === 'side' ? 'side' : `side (${t.label})`));
  const w = Math.min(40, Math.max(...labels.map((l) => l.length)));
  return m.threads.map((t, i) => {
    const n = `${t.requests.length} request${t.requests.length === 1 ? '' : 's'}`;
    const when = `${formatMs(t.startMs)} – ${formatMs(t.endMs)}`;
    const spawn = t.spawnedBy ? `  started by ${t.spawnTool ?? 'a tool'} call of ${t.spawnedBy}` : t.kind === 'subagent' ? '  (spawning call not found)' : '';
    const label = labels[i].length > w ? labels[i].slice(0, w - 1) + '…' : labels[i];
    return `  ${padEnd(label, w)}  ${padStart(n, 11)}  ${padStart(when, 19)}${paint(o, 'dim', spawn)}`;
  });
}

function visible(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function renderStats(m: SessionModel, o: TextOptions): string {
  const out: string[] = [];
  const t = m.trace;
  out.push(`trace     ${t.path ?? '(records)'}  (format ${t.formatVersion}, ${formatInt(t.records)} records${t.truncated ? ', ' + paint(o, 'yellow', 'truncated') : ''})`);
  const s = sessionLine(m);
  if (s) out.push(s);
  if (m.session && m.session.source !== 'proxy') out.push(paint(o, 'dim', `imported  from a ${m.session.source}: times to the millisecond, no TTFT or tokens/s; each response's wait/stream split is estimated from its tokens`));
  const critical = m.requests.filter((r) => r.critical).length;
  const inTok = m.requests.reduce((a, r) => a + (r.inputTokens ?? 0), 0);
  const outTok = m.requests.reduce((a, r) => a + (r.outputTokens ?? 0), 0);
  out.push(
    `duration  ${paint(o, 'bold', formatMs(m.durationMs))} · ${m.requests.length} requests (${critical} on the critical path, ${m.requests.length - critical} side) · ${m.turns.length} turn${m.turns.length === 1 ? '' : 's'} · tokens in ${formatInt(inTok)}, out ${formatInt(outTok)} · cost ${formatUsd(sessionCost(m).totalUsd)}`,
  );
  out.push('');
  out.push(paint(o, 'bold', 'where the time went') + paint(o, 'dim', ' (along the critical path)'));
  out.push(...breakdownLines(o, m));
  const wire = transportLines(o, m);
  if (wire.length) out.push('', ...wire);
  if (m.threads.length > 1) {
    out.push('');
    out.push(paint(o, 'bold', 'threads'));
    out.push(...threadLines(o, m));
  }
  if (m.requests.length) {
    out.push('');
    out.push(paint(o, 'bold', 'requests'));
    out.push(...requestTable(o, m));
  }
  if (m.fileSummary.length) {
    out.push('');
    out.push(paint(o, 'bold', `files changed (${m.fileSummary.length})`));
    const w = Math.max(...m.fileSummary.slice(0, MAX_FILE_ROWS).map((f) => String(f.changes).length));
    for (const f of m.fileSummary.slice(0, MAX_FILE_ROWS)) out.push(`  ${padStart(String(f.changes), w)} × ${f.path}`);
    if (m.fileSummary.length > MAX_FILE_ROWS) out.push(paint(o, 'dim', `  … ${m.fileSummary.length - MAX_FILE_ROWS} more (see --json)`));
  }
  if (m.warnings.length) {
    out.push('');
    for (const w of m.warnings) out.push(paint(o, 'yellow', `note: ${w}`));
  }
  return out.join('\n') + '\n';
}
