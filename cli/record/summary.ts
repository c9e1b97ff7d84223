// The few lines printed when a recording ends. Counted from the trace itself, so they describe what
// was actually written.
import type { TraceRecord } from '../../format/types.js';
import { runPipeline } from '../../analysis/pipeline.js';
import { formatBytes, formatDuration } from '../../analysis/present.js';

export { formatBytes, formatDuration };
import { ExchangesHandler, MetaHandler, isModelCall } from '../../analysis/handlers/index.js';

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
    if (!isModelCall(x)) continue;
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
