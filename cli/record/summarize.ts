// Summary lines for the end of a recording. Counting alone is enough to say what was recorded; the
// timing figures (TTFT, tokens/s, tool time) come from the analysis when it can read the session.
import type { TraceRecord } from '../../format/types.js';
import { basicSummary, countFacts } from './summary.js';

export function summarize(records: readonly TraceRecord[]): string[] {
  return basicSummary(countFacts(records));
}
