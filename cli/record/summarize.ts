// Summary lines for the end of a recording: the analysis's figures when it can read the session
// (requests, tokens, median TTFT and tokens/s, tool time, files), else plain counts of the records.
import { analyseRecords } from '../../analysis/index.js';
import type { TraceRecord } from '../../format/types.js';
import { basicSummary, countFacts, formatDuration, plural } from './summary.js';

export function summarize(records: readonly TraceRecord[]): string[] {
  const facts = countFacts(records);
  let m;
  try {
    m = analyseRecords(records);
  } catch {
    return basicSummary(facts);
  }
  const reqs = m.requests;
  const sum = (xs: Array<number | null>) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
  const known = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const inTok = known(reqs.map((r) => r.inputTokens));
  const outTok = known(reqs.map((r) => r.outputTokens));
  const ttft = known(reqs.map((r) => r.ttftMs));
  const tps = known(reqs.map((r) => r.tokensPerSecond));
  // A request whose end never reached the disk (the disk filled up, the writer stopped) did not fail:
  // it was not recorded to the end. Only ends on record count as aborted or failed.
  const httpIds = new Set<string>();
  const ended = new Set<string>();
  for (const r of records) {
    if (r.kind === 'http-request') httpIds.add(r.id);
    else if (r.kind === 'http-end') ended.add(r.id);
  }
  const unrecorded = reqs.filter((r) => httpIds.has(r.id) && !ended.has(r.id)).length;
  const failed = reqs.filter((r) => r.status !== 'complete' && !(httpIds.has(r.id) && !ended.has(r.id))).length;

  const first = [plural(reqs.length, 'model request')];
  if (failed) first.push(`${failed} aborted or failed`);
  if (unrecorded) first.push(`${unrecorded} not recorded to the end`);
  if (inTok.length || outTok.length) first.push(`${sum(inTok).toLocaleString('en-US')} tokens in, ${sum(outTok).toLocaleString('en-US')} out`);
  first.push(`${plural(m.fileSummary.length, 'file')} changed`);

  const second: string[] = [];
  if (ttft.length) second.push(`median TTFT ${formatDuration(median(ttft))}`);
  if (tps.length) second.push(`median ${Math.round(median(tps))} tokens/s`);
  const b = m.breakdown;
  second.push(
    `model ${formatDuration(b.modelWaitMs + b.modelStreamMs)}, tools ${formatDuration(b.toolMs)}, you ${formatDuration(b.userMs)}, other ${formatDuration(b.harnessMs)}`,
  );
  const lines = [`recorded ${formatDuration(m.durationMs)}: ${first.join(', ')}`, `${second.join('; ')} (lapse stats for more)`];
  if (m.droppedRecords) lines.push(`note: ${m.droppedRecords} payloads were shed under load (timings kept)`);
  return lines;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
