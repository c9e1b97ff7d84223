// The few lines printed when a recording ends. Counted from the trace itself, so they describe what
// was actually written.
import type { TraceRecord } from '../../format/types.js';
import { runPipeline } from '../../analysis/pipeline.js';
import { ExchangesHandler, MetaHandler } from '../../analysis/handlers/index.js';

export interface SummaryFacts {
  requests: number;
  websocketTurns: number;
  aborted: number;
  errors: number;
  bytesDown: number;
  durationMs: number;
  filesChanged: number;
  outputTokens: number | null;
}

/**
 * Counts from the analysis's grouping of the records alone (no decoding), for when the full analysis
 * cannot read the session: requests are model calls, as \`lapse stats\` counts them.
 */
export function countFacts(records: readonly TraceRecord[]): SummaryFacts {
  const f: SummaryFacts = { requests: 0, websocketTurns: 0, aborted: 0, errors: 0, bytesDown: 0, durationMs: 0, filesChanged: 0, outputTokens: null };
  const pass = runPipeline([new MetaHandler(), new ExchangesHandler(false)], records);
  f.durationMs = pass.get('meta').data().durationMs;
  for (const x of pass.get('exchanges').data().exchanges) {
    if (x.protocol === null) continue;
    if (x.transport === 'websocket') f.websocketTurns++;
    else f.requests++;
  }
  const files = new Set<string>();
  for (const r of records) {
    if (r.kind === 'http-end') {
      f.bytesDown += r.bytes;
      if (r.outcome === 'aborted') f.aborted++;
      if (r.outcome === 'error') f.errors++;
    } else if (r.kind === 'file') files.add(r.path);
  }
  f.filesChanged = files.size;
  return f;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s - m * 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Lines from counting alone (used when the analysis cannot read the trace). */
export function basicSummary(f: SummaryFacts): string[] {
  const parts = [plural(f.requests + f.websocketTurns, 'model request')];
  if (f.websocketTurns) parts.push(`${plural(f.websocketTurns, 'over a WebSocket', 'over WebSockets')}`);
  if (f.aborted) parts.push(`${f.aborted} aborted`);
  if (f.errors) parts.push(`${plural(f.errors, 'upstream error')}`);
  parts.push(`${formatBytes(f.bytesDown)} received`);
  parts.push(plural(f.filesChanged, 'file') + ' changed');
  return [`recorded ${formatDuration(f.durationMs)}: ${parts.join(', ')}`];
}
