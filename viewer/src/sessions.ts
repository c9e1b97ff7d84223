// The sessions page: what `lapse report` says, as a page — totals, a stacked bar per day (where the
// time went), what each faster profile would save, and a table of sessions; a click opens one.
// The figures come from the server as the `lapse report --json` document.
import type { Breakdown } from '../../analysis/model.js';
import { KINDS, KIND_COLOR, KIND_LABEL, BREAKDOWN_FIELD } from './kinds.js';
import { append, clear, el } from './dom.js';
import { dur, int, pct } from './fmt.js';
import { formatUsd as usd } from '../../analysis/money.js';
import { REPORT_URL, responseTo, served } from './early.js';

/** The part of the report document this page reads. */
export interface SessionsReport {
  sessions: number;
  durationMs: number;
  breakdown: Breakdown;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: number;
  unpricedSessions: number;
  whatIf: Record<string, { durationMs: number; savedMs: number }>;
  traces: Array<{ path: string; startedAt: number | null; harness: string | null; source: string; project: string | null; model: string | null; requests: number; durationMs: number; breakdown: Breakdown; costUsd: number | null }>;
}

/** The report the lapse server offers next to the page; null when it offers one trace (or none). */
export async function fetchReport(): Promise<SessionsReport | null> {
  if (!served()) return null;
  try {
    const res = await responseTo(REPORT_URL);
    return res.status === 200 ? ((await res.json()) as SessionsReport) : null;
  } catch {
    return null;
  }
}

/** A bar of the five kinds, `width` % of its row, each kind its share of the breakdown. */
function stacked(b: Breakdown, total: number, width: number, title: string): HTMLElement {
  // sizes through the CSSOM: the server's content security policy refuses inline style attributes
  const bar = el('div', { class: 'stack', title });
  bar.style.width = `${Math.max(0.5, width).toFixed(2)}%`;
  for (const k of KINDS) {
    const v = b[BREAKDOWN_FIELD[k]];
    if (v <= 0 || total <= 0) continue;
    const part = el('span', { class: `stack-part kind-${k}`, title: `${KIND_LABEL[k]} ${dur(v)} (${pct(v, total)})` });
    part.style.width = `${((v / total) * 100).toFixed(3)}%`;
    part.style.background = KIND_COLOR[k];
    append(bar, part);
  }
  return bar;
}

const day = (t: number | null) => (t === null ? 'unknown' : new Date(t).toLocaleDateString('sv-SE'));

export function renderSessions(host: HTMLElement, r: SessionsReport, openSession: (index: number) => void): void {
  clear(host);
  document.title = `lapse · ${r.sessions} sessions`;
  append(host, el('h2', {}, `${int(r.sessions)} sessions · ${dur(r.durationMs)} · cost ${usd(r.costUsd)}${r.unpricedSessions ? ` (+${r.unpricedSessions} unpriced)` : ''}`));
  append(host, el('p', { class: 'muted' }, `tokens in ${int(r.tokens.input)} (cache read ${int(r.tokens.cacheRead)}, write ${int(r.tokens.cacheWrite)}), out ${int(r.tokens.output)}`));
  const legend = el('p', { class: 'legend' });
  for (const k of KINDS) {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = KIND_COLOR[k];
    append(legend, el('span', { class: 'legend-item' }, swatch, ` ${KIND_LABEL[k]} ${dur(r.breakdown[BREAKDOWN_FIELD[k]])}`));
  }
  append(host, legend);
  const what = el('p', { class: 'what-if' });
  for (const [name, w] of Object.entries(r.whatIf)) append(what, el('span', { class: 'what-if-item' }, `${name}: ${dur(w.durationMs)}, saves ${dur(w.savedMs)} (${pct(w.savedMs, r.durationMs)})`));
  append(host, what);

  // a stacked bar per day, widths relative to the longest day
  const days = new Map<string, { b: Breakdown; ms: number; n: number }>();
  for (const t of r.traces) {
    const d = days.get(day(t.startedAt)) ?? { b: { modelWaitMs: 0, modelStreamMs: 0, toolMs: 0, userMs: 0, harnessMs: 0 }, ms: 0, n: 0 };
    for (const k of Object.keys(d.b) as Array<keyof Breakdown>) d.b[k] += t.breakdown[k];
    d.ms += t.durationMs;
    d.n++;
    days.set(day(t.startedAt), d);
  }
  const longest = Math.max(1, ...[...days.values()].map((d) => d.ms));
  const chart = el('div', { class: 'days', attrs: { 'data-testid': 'days' } });
  for (const [key, d] of [...days].sort((a, b) => a[0].localeCompare(b[0]))) {
    append(chart, el('div', { class: 'day-row' }, el('span', { class: 'day-key' }, key), stacked(d.b, d.ms, (d.ms / longest) * 100, `${key}: ${d.n} sessions, ${dur(d.ms)}`), el('span', { class: 'day-total' }, `${dur(d.ms)} · ${d.n}`)));
  }
  append(host, el('h3', {}, 'per day'), chart);

  const table = el('table', { class: 'session-table', attrs: { 'data-testid': 'session-table' } });
  append(table, el('thead', {}, el('tr', {}, ...['started', 'harness', 'project', 'model', 'requests', 'duration', 'where the time went', 'cost'].map((h) => el('th', {}, h)))));
  const body = el('tbody');
  const longestSession = Math.max(1, ...r.traces.map((t) => t.durationMs));
  // newest first, as `lapse ls`; the index is the trace's position in the report (what the server serves)
  const rows = r.traces.map((t, i) => ({ t, i })).reverse();
  for (const { t, i } of rows) {
    const tr = el('tr', { class: 'session-row', title: t.path, attrs: { tabindex: '0', 'data-index': String(i) } },
      el('td', {}, t.startedAt === null ? '?' : new Date(t.startedAt).toLocaleString('sv-SE').slice(0, 16)),
      el('td', {}, `${t.harness ?? '?'}${t.source !== 'proxy' ? ' (imported)' : ''}`),
      el('td', {}, t.project ? t.project.replace(/^.*\//, '') : '–'),
      el('td', {}, t.model ?? '–'),
      el('td', { class: 'num' }, int(t.requests)),
      el('td', { class: 'num' }, dur(t.durationMs)),
      el('td', { class: 'bar-cell' }, stacked(t.breakdown, t.durationMs, (t.durationMs / longestSession) * 100, dur(t.durationMs))),
      el('td', { class: 'num' }, usd(t.costUsd)),
    );
    tr.addEventListener('click', () => openSession(i));
    tr.addEventListener('keydown', (e) => e.key === 'Enter' && openSession(i));
    append(body, tr);
  }
  append(table, body);
  append(host, el('h3', {}, 'sessions'), table);
}
