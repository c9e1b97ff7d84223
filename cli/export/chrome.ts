// Chrome Trace Event JSON (the format chrome://tracing and Perfetto UI open): the critical path as
// slices, each request as a nestable async event with its wait and stream nested inside (requests
// overlap, so they cannot share a thread), file changes as instant events, and tokens/s as a counter.
// Times are µs from the session start. Pure: no node: imports.
import type { RequestModel, SegmentKind, SessionModel } from '../../analysis/model.js';
import { startedAtOf, type ExportInput } from './input.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'b' | 'e' | 'n' | 'i' | 'C' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

const PID = 1;
/** Tracks, in the order they are shown. Async request slices get their own rows from their ids. */
const TID = { critical: 1, requests: 2, files: 3, processes: 4 } as const;

const SEGMENT_NAMES: Record<SegmentKind, string> = {
  modelWait: 'model wait (TTFT)',
  modelStream: 'model stream',
  tool: 'tool',
  user: 'user',
  harness: 'harness',
};

const us = (ms: number): number => Math.round(ms * 1000);

export function toChromeTrace(input: ExportInput): ChromeTrace {
  const m = input.model;
  const byId = new Map(m.requests.map((r) => [r.id, r] as const));
  const events: TraceEvent[] = [];
  const harness = m.session?.harness ?? m.session?.argv[0] ?? 'agent';
  const meta = (name: string, tid: number, args: Record<string, unknown>): void => {
    events.push({ name, ph: 'M', ts: 0, pid: PID, tid, args });
  };
  meta('process_name', TID.critical, { name: `lapse: ${harness}` });
  meta('process_sort_index', TID.critical, { sort_index: 0 });
  const threads: Array<[number, string]> = [
    [TID.critical, 'critical path'],
    [TID.requests, 'model requests'],
    [TID.files, 'file changes'],
    [TID.processes, 'processes'],
  ];
  for (const [tid, name] of threads) {
    meta('thread_name', tid, { name });
    meta('thread_sort_index', tid, { sort_index: tid });
  }

  // The critical path: five kinds of time, tiling the session.
  for (const seg of m.criticalPath) {
    const r = seg.requestId ? byId.get(seg.requestId) : undefined;
    let name = SEGMENT_NAMES[seg.kind];
    if (seg.kind === 'tool' && r && r.toolCalls.length > 0) name = `tool: ${unique(r.toolCalls.map((c) => c.name)).join(', ')}`;
    const args: Record<string, unknown> = { kind: seg.kind, ms: round3(seg.endMs - seg.startMs) };
    if (seg.requestId) args.request = seg.requestId;
    events.push({ name, cat: `critical,${seg.kind}`, ph: 'X', ts: us(seg.startMs), dur: us(seg.endMs) - us(seg.startMs), pid: PID, tid: TID.critical, args });
  }

  m.requests.forEach((r, i) => {
    pushRequest(events, r, i + 1);
    if (i % 200 === 199) input.onProgress?.(i + 1, m.requests.length);
  });

  for (const f of m.files) {
    const args: Record<string, unknown> = { op: f.op, path: f.path, during: f.segmentKind };
    if (f.from) args.from = f.from;
    if (f.toolNames.length > 0) args.tools = f.toolNames.join(', ');
    if (f.diff) args.diffLines = f.diff.split('\n').length;
    if (f.size !== null) args.size = f.size;
    events.push({ name: `${f.op} ${f.path}`, cat: 'file', ph: 'i', s: 't', ts: us(f.tMs), pid: PID, tid: TID.files, args });
  }

  for (const p of m.processes) {
    const end = p.endMs ?? m.durationMs;
    events.push({
      name: p.argv[0] ?? `pid ${p.pid}`,
      cat: 'process',
      ph: 'X',
      ts: us(p.startMs),
      dur: Math.max(0, us(end) - us(p.startMs)),
      pid: PID,
      tid: TID.processes,
      args: { pid: p.pid, argv: p.argv.join(' '), code: p.code, signal: p.signal },
    });
  }

  for (const mk of m.markers) events.push({ name: mk.label, cat: 'marker', ph: 'i', s: 'g', ts: us(mk.tMs), pid: PID, tid: TID.critical });

  events.push(...tokenRateCounter(m));
  input.onProgress?.(m.requests.length, m.requests.length);

  // Stable sort by time: each request's own events were pushed in nesting order.
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.ts - b.e.ts || a.i - b.i).map((x) => x.e);
  return {
    traceEvents: ordered,
    displayTimeUnit: 'ms',
    otherData: {
      creator: `lapse ${input.lapseVersion ?? m.session?.lapseVersion ?? ''}`.trim(),
      startedAt: new Date(startedAtOf(input)).toISOString(),
      harness,
      durationMs: round3(m.durationMs),
      modelWaitMs: round3(m.breakdown.modelWaitMs),
      modelStreamMs: round3(m.breakdown.modelStreamMs),
      toolMs: round3(m.breakdown.toolMs),
      userMs: round3(m.breakdown.userMs),
      harnessMs: round3(m.breakdown.harnessMs),
    },
  };
}

/** One request: an outer async slice, with "wait" (start → first content) and "stream" (→ end) nested inside. */
function pushRequest(events: TraceEvent[], r: RequestModel, n: number): void {
  const id = `0x${n.toString(16)}`;
  const cat = r.critical ? 'request,critical' : 'request,side';
  const base = { cat, id, pid: PID, tid: TID.requests };
  const what = r.model ? `${r.model}` : r.protocol;
  // Named by the trace id first, as every view names a request.
  const name = `${r.id} ${r.critical ? '' : 'side: '}${what}${r.toolCalls.length > 0 ? ` → ${unique(r.toolCalls.map((c) => c.name)).join(', ')}` : ''}`;
  const args: Record<string, unknown> = {
    id: r.id,
    protocol: r.protocol,
    transport: r.transport,
    url: r.url,
    status: r.status,
    httpStatus: r.httpStatus,
    ttftMs: r.ttftMs === null ? null : round3(r.ttftMs),
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    tokensPerSecond: r.tokensPerSecond === null ? null : Math.round(r.tokensPerSecond * 100) / 100,
    stopReason: r.stopReason,
    critical: r.critical,
  };
  if (r.error) args.error = r.error;
  if (r.dependsOn) args.dependsOn = `${r.dependsOn} (${r.dependency})`;
  const start = us(r.startMs);
  const end = Math.max(start, us(r.endMs));
  events.push({ ...base, name, ph: 'b', ts: start, args });
  const firstContent = r.firstContentMs === null ? null : Math.min(end, Math.max(start, us(r.firstContentMs)));
  events.push({ ...base, name: 'wait', ph: 'b', ts: start });
  events.push({ ...base, name: 'wait', ph: 'e', ts: firstContent ?? end });
  if (firstContent !== null) {
    events.push({ ...base, name: 'stream', ph: 'b', ts: firstContent, args: { outputTokens: r.outputTokens ?? r.outputTokensEstimate, stalls: r.stalls.length } });
    for (const st of r.stalls) events.push({ ...base, name: `stall ${round3(st.gapMs)} ms`, ph: 'n', ts: us(st.startMs) });
    events.push({ ...base, name: 'stream', ph: 'e', ts: end });
  }
  events.push({ ...base, name, ph: 'e', ts: end });
}

/**
 * Output tokens/s of every streaming response, summed where streams overlap: a step counter. Perfetto
 * names a JSON counter track "<name> <arg key>", hence name `output` and key `tokens/s`.
 */
function tokenRateCounter(m: SessionModel): TraceEvent[] {
  const steps: Array<{ ts: number; delta: number }> = [];
  for (const r of m.requests) {
    if (r.firstContentMs === null || r.streamMs === null || r.streamMs <= 0) continue;
    const tokens = r.outputTokens ?? r.outputTokensEstimate;
    const rate = r.tokensPerSecond ?? (tokens / r.streamMs) * 1000;
    if (!(rate > 0) || !Number.isFinite(rate)) continue;
    steps.push({ ts: us(r.firstContentMs), delta: rate }, { ts: us(r.endMs), delta: -rate });
  }
  steps.sort((a, b) => a.ts - b.ts);
  const out: TraceEvent[] = [{ name: 'output', ph: 'C', ts: 0, pid: PID, tid: TID.requests, args: { 'tokens/s': 0 } }];
  let level = 0;
  for (let i = 0; i < steps.length; i++) {
    level += steps[i].delta;
    if (i + 1 < steps.length && steps[i + 1].ts === steps[i].ts) continue;
    const v = Math.abs(level) < 1e-6 ? 0 : Math.round(level * 100) / 100;
    out.push({ name: 'output', ph: 'C', ts: steps[i].ts, pid: PID, tid: TID.requests, args: { 'tokens/s': v } });
  }
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
