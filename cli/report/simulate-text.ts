// `lapse simulate` for people: original vs simulated, both breakdowns, and what would remain.
import type { SessionModel, SimulationResult } from '../../analysis/model.js';
import { describeProfile, formatSpeedup } from '../../analysis/present.js';
import { biggestShare, branchSentence } from '../../analysis/verdict.js';
import { breakdownBar, formatMs, formatPct, KIND_LABEL, KINDS, kindGlyph, kindOf, padEnd, padStart, paint, type TextOptions } from './format.js';

export function renderSimulate(s: SimulationResult, o: TextOptions, m?: Pick<SessionModel, 'requests' | 'threads'>): string {
  const out: string[] = [];
  const orig = s.original.durationMs;
  const sim = s.simulated.durationMs;
  out.push(`profile    ${paint(o, 'bold', s.profile.name)}: ${describeProfile(s.profile)}`);
  out.push(`original   ${padStart(formatMs(orig), 10)}`);
  const speed = formatSpeedup(s.speedup);
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
  out.push(biggestShare(s));
  const branch = m ? branchSentence(m, s) : null;
  if (branch) out.push(branch);
  if (s.estimatedRequests.length) {
    out.push(paint(o, 'dim', `note: ${s.estimatedRequests.length} request${s.estimatedRequests.length === 1 ? '' : 's'} reported no output tokens; their streams were retimed from a token estimate (≈ 4 characters per token).`));
  }
  return out.join('\n') + '\n';
}
