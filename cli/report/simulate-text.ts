// `lapse simulate` for people: original vs simulated, both breakdowns, and what would remain.
import type { SegmentKind, SessionModel, SimProfile, SimulationResult, ThreadModel } from '../../analysis/model.js';
import { branchesOf } from '../../analysis/simulate.js';
import { describeProfile } from '../../analysis/present.js';
import { persistentLines } from './wire-text.js';
import { breakdownBar, formatMs, formatPct, KIND_LABEL, KINDS, kindGlyph, kindOf, padEnd, padStart, paint, type TextOptions } from './format.js';

function num(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export { describeProfile };

/** "at 1,000 tok/s" — the lead-in of the closing sentence. */
function leadIn(p: SimProfile): string {
  if (p.instant) return 'with an instant model';
  if (p.persistent && p.tokensPerSecond === null && p.speedFactor === null) return 'over a persistent WebSocket';
  if (p.tokensPerSecond !== null) return `at ${num(p.tokensPerSecond)} tok/s`;
  if (p.speedFactor !== null) return `at ${num(p.speedFactor)}× the output speed`;
  if (p.ttftScale !== 1) return `with TTFT × ${num(p.ttftScale)}`;
  if (p.harnessScale !== 1) return `with harness × ${num(p.harnessScale)}`;
  return 'as recorded';
}

const SHARE_NAME: Record<SegmentKind, string> = {
  modelWait: 'waiting for the first token',
  modelStream: 'model streaming',
  tool: 'tool time',
  user: 'user time',
  harness: 'harness time',
};

/** One sentence naming the biggest remaining share, e.g. "at 1,000 tok/s, 61 % of this session is tool time". */
export function biggestShareSentence(s: SimulationResult): string {
  const d = s.simulated.durationMs;
  if (d <= 0) return `${leadIn(s.profile)}, nothing of this session would remain.`;
  let best: SegmentKind = 'harness';
  let bestV = -1;
  for (const k of KINDS) {
    const v = kindOf(s.simulated.breakdown, k);
    if (v > bestV) {
      best = k;
      bestV = v;
    }
  }
  return `${leadIn(s.profile)}, ${Math.round((bestV / d) * 100)} % of this session is ${SHARE_NAME[best]}.`;
}

function threadName(t: ThreadModel): string {
  return `subagent "${t.label}"`;
}

/**
 * Which branch the critical path runs through, when subagents are on it and the simulation moves it, e.g. `the critical path now runs through subagent "Run the checks" (recorded:
 * subagent "Explain math.js")`; null when no branch is on either path.
 */
export function branchSentence(m: Pick<SessionModel, 'requests' | 'threads'>, s: SimulationResult): string | null {
  const before = branchesOf(m, s.original.critical);
  const after = branchesOf(m, s.simulated.critical);
  if (before.length === 0 && after.length === 0) return null;
  const names = (ts: ThreadModel[]): string => (ts.length ? ts.map(threadName).join(', then ') : 'the main thread alone');
  const same = before.length === after.length && before.every((t, i) => t === after[i]);
  if (same) return `The critical path still runs through ${names(after)}.`;
  return `The critical path now runs through ${names(after)} (recorded: ${names(before)}).`;
}

export function renderSimulate(s: SimulationResult, o: TextOptions, m?: Pick<SessionModel, 'requests' | 'threads' | 'transport'>): string {
  const out: string[] = [];
  const orig = s.original.durationMs;
  const sim = s.simulated.durationMs;
  out.push(`profile    ${paint(o, 'bold', s.profile.name)}: ${describeProfile(s.profile)}`);
  out.push(`original   ${padStart(formatMs(orig), 10)}`);
  const speed = s.speedup === null ? '∞× faster' : s.speedup >= 1 ? `${s.speedup.toFixed(2)}× faster` : `${(1 / s.speedup).toFixed(2)}× slower`;
  const delta = orig - sim;
  out.push(`simulated  ${padStart(formatMs(sim), 10)}  ${paint(o, 'bold', speed)} (${delta >= 0 ? 'saves' : 'adds'} ${formatMs(Math.abs(delta))})`);
  out.push('');
  const barWidth = Math.max(20, Math.min(80, o.width - 14));
  // Both bars on the original's scale, so the simulated one is visibly shorter.
  const scale = Math.max(orig, sim);
  out.push(`  original   ${breakdownBar(o, s.original.breakdown, Math.round((barWidth * orig) / (scale || 1)), orig)}`);
  out.push(`  simulated  ${breakdownBar(o, s.simulated.breakdown, Math.round((barWidth * sim) / (scale || 1)), sim)}`);
  out.push('');
  out.push(paint(o, 'bold', `  ${padEnd('', 21)} ${padStart('original', 17)}   ${padStart('simulated', 17)}`));
  for (const k of KINDS) {
    const a = kindOf(s.original.breakdown, k);
    const b = kindOf(s.simulated.breakdown, k);
    out.push(`  ${kindGlyph(o, k, 2)} ${padEnd(KIND_LABEL[k], 18)} ${padStart(formatMs(a), 10)} ${padStart(formatPct(a, orig), 6)}   ${padStart(formatMs(b), 10)} ${padStart(formatPct(b, sim), 6)}`);
  }
  out.push('');
  out.push(biggestShareSentence(s));
  const branch = m ? branchSentence(m, s) : null;
  if (branch) out.push(branch);
  if (m) out.push(...persistentLines(o, s, m));
  if (s.estimatedRequests.length) {
    out.push(paint(o, 'dim', `note: ${s.estimatedRequests.length} request${s.estimatedRequests.length === 1 ? '' : 's'} reported no output tokens; their streams were retimed from a token estimate (≈ 4 characters per token).`));
  }
  return out.join('\n') + '\n';
}
