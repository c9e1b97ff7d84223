// `lapse report`: many sessions summed up. Each trace is read with the same analysis as `stats` and
// `simulate`, and the totals are sums of exactly the figures those commands print (statsJson,
// simulateJson), so `report --json` adds up to them.
import type { Breakdown, SessionModel } from '../../analysis/model.js';
import { simulateJson, statsJson } from '../../analysis/json.js';
import { PROFILES, simulate } from '../../analysis/simulate.js';

/** The profiles whose savings `report` sums (`websocket`: the transport alone, on the session's own model). */
export const WHAT_IF = ['spark', 'fast-mode', 'instant', 'websocket'] as const;
export type WhatIfName = (typeof WHAT_IF)[number];
export const GROUP_BY = ['day', 'project', 'harness', 'model'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}
export type WhatIf = Record<WhatIfName, { durationMs: number; savedMs: number }>;

/** One session's figures, as `stats --json` and `simulate --json` give them. */
export interface SessionFigures {
  path: string;
  startedAt: number | null;
  harness: string | null;
  source: string;
  /** The working directory the session ran in. */
  project: string | null;
  /** The model that produced most of its output tokens. */
  model: string | null;
  requests: number;
  durationMs: number;
  breakdown: Breakdown;
  tokens: Tokens;
  costUsd: number | null;
  whatIf: WhatIf;
  /** The trace has wire timing (format 1.2 proxy recordings): `websocket` took out measured setup and upload. */
  wireTimed: boolean;
}

interface Totals {
  sessions: number;
  durationMs: number;
  breakdown: Breakdown;
  tokens: Tokens;
  /** Sum over the sessions that could be priced; `unpricedSessions` counts the others. */
  costUsd: number;
  unpricedSessions: number;
  whatIf: WhatIf;
  /** Sessions with wire timing; in the others `websocket` applied only the published factors. */
  wireTimedSessions: number;
}

/** The `lapse report --json` contract. */
export interface ReportJson extends Totals {
  by: GroupBy;
  groups: Array<Totals & { key: string }>;
  /** Every session, oldest first (the slowest: sort by durationMs). */
  traces: SessionFigures[];
  errors: Array<{ path: string; error: string }>;
}

export function sessionFigures(path: string, m: SessionModel): SessionFigures {
  const s = statsJson(m);
  const tokens: Tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  const byModel = new Map<string, number>();
  for (const r of s.requests) {
    tokens.input += r.inputTokens ?? 0;
    tokens.output += r.outputTokens ?? 0;
    tokens.cacheRead += r.cacheReadTokens ?? 0;
    tokens.cacheWrite += r.cacheWriteTokens ?? 0;
    if (r.model) byModel.set(r.model, (byModel.get(r.model) ?? 0) + (r.outputTokens ?? 0) + 1);
  }
  const whatIf = {} as WhatIf;
  for (const name of WHAT_IF) {
    const j = simulateJson(simulate(m, PROFILES[name]));
    whatIf[name] = { durationMs: j.simulated.durationMs, savedMs: j.original.durationMs - j.simulated.durationMs };
  }
  return {
    path,
    startedAt: m.session?.startedAt ?? null,
    harness: m.session?.harness ?? null,
    source: s.trace.source,
    project: m.session?.cwd || null,
    model: [...byModel].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    requests: s.requests.length,
    durationMs: s.durationMs,
    breakdown: s.breakdown,
    tokens,
    costUsd: s.costUsd,
    whatIf,
    wireTimed: m.transport !== null,
  };
}

function zero(): Totals {
  const whatIf = {} as WhatIf;
  for (const n of WHAT_IF) whatIf[n] = { durationMs: 0, savedMs: 0 };
  return { sessions: 0, durationMs: 0, breakdown: { modelWaitMs: 0, modelStreamMs: 0, toolMs: 0, userMs: 0, harnessMs: 0 }, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0, unpricedSessions: 0, whatIf, wireTimedSessions: 0 };
}

function add(t: Totals, s: SessionFigures): void {
  t.sessions++;
  t.durationMs += s.durationMs;
  for (const k of Object.keys(t.breakdown) as Array<keyof Breakdown>) t.breakdown[k] += s.breakdown[k];
  for (const k of Object.keys(t.tokens) as Array<keyof Tokens>) t.tokens[k] += s.tokens[k];
  if (s.costUsd === null) t.unpricedSessions++;
  else t.costUsd += s.costUsd;
  if (s.wireTimed) t.wireTimedSessions++;
  for (const n of WHAT_IF) {
    t.whatIf[n].durationMs += s.whatIf[n].durationMs;
    t.whatIf[n].savedMs += s.whatIf[n].savedMs;
  }
}

/** Day (local calendar date, YYYY-MM-DD), project (working directory), harness or main model. */
export function groupKey(s: SessionFigures, by: GroupBy): string {
  switch (by) {
    case 'day':
      return s.startedAt === null ? 'unknown' : new Date(s.startedAt).toLocaleDateString('sv-SE');
    case 'project':
      return s.project ?? 'unknown';
    case 'harness':
      return s.harness ?? 'unknown';
    case 'model':
      return s.model ?? 'unknown';
  }
}

/** Float noise off the sums (µs for times, 1e-9 $ for cost: the resolution of the per-session figures). */
function tidy<T extends Totals>(t: T): T {
  const us = (v: number) => Math.round(v * 1000) / 1000;
  t.durationMs = us(t.durationMs);
  for (const k of Object.keys(t.breakdown) as Array<keyof Breakdown>) t.breakdown[k] = us(t.breakdown[k]);
  t.costUsd = Math.round(t.costUsd * 1e9) / 1e9;
  for (const n of WHAT_IF) {
    t.whatIf[n].durationMs = us(t.whatIf[n].durationMs);
    t.whatIf[n].savedMs = us(t.whatIf[n].savedMs);
  }
  return t;
}

export function buildReport(sessions: SessionFigures[], by: GroupBy, errors: ReportJson['errors'] = []): ReportJson {
  const sorted = [...sessions].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  const total = zero();
  const groups = new Map<string, Totals & { key: string }>();
  for (const s of sorted) {
    add(total, s);
    const key = groupKey(s, by);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, ...zero() }));
    add(g, s);
  }
  const list = [...groups.values()].map(tidy);
  // days in order; the other groupings biggest first
  if (by === 'day') list.sort((a, b) => a.key.localeCompare(b.key));
  else list.sort((a, b) => b.durationMs - a.durationMs);
  return { ...tidy(total), by, groups: list, traces: sorted, errors };
}
