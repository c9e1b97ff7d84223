// The closing sentences of a simulation, the same words in `lapse simulate`, the TUI and the web
// viewer: the biggest share of time that remains, the speed-up, and which branch the critical path
// runs through. Platform-neutral, beside present.ts whose names and formatters it uses.
import type { SessionModel, SimulationResult, ThreadModel } from './model.js';
import { breakdownMs, describeProfile, formatDuration, formatPct, formatSpeedup, SEGMENT_KINDS, SEGMENT_LABEL } from './present.js';
import { branchesOf } from './simulate.js';

/** "Biggest remaining share is tools: 3.1 s, 61 % of the simulated session — no model speed-up touches it." */
export function biggestShare(sim: SimulationResult): string {
  const b = sim.simulated.breakdown;
  const total = sim.simulated.durationMs;
  if (!(total > 0)) return 'Nothing remains: the simulated session takes no time.';
  let best = SEGMENT_KINDS[0];
  for (const k of SEGMENT_KINDS) if (breakdownMs(b, k) > breakdownMs(b, best)) best = k;
  const amount = breakdownMs(b, best);
  const original = sim.profile.name === 'original';
  const share = `${SEGMENT_LABEL[best]}: ${formatDuration(amount)}, ${formatPct(amount, total)} of ${original ? 'the session' : 'the simulated session'}`;
  const why =
    best === 'tool' || best === 'user'
      ? ' — no model speed-up touches it.'
      : best === 'harness'
        ? ' — the harness, not the model.'
        : original
          ? ' — a faster model would cut this.'
          : ' — still the model.';
  return `${original ? 'Biggest share' : 'Biggest remaining share'} is ${share}${why}`;
}

/** "12.0 s → 4.1 s: 2.93× faster at 1,000 tok/s, TTFT × 0.1" */
export function speedupLine(sim: SimulationResult): string {
  if (sim.profile.name === 'original') return `${formatDuration(sim.original.durationMs)} as recorded`;
  return `${formatDuration(sim.original.durationMs)} → ${formatDuration(sim.simulated.durationMs)}: ${formatSpeedup(sim.speedup)} at ${describeProfile(sim.profile)}`;
}

function threadName(t: ThreadModel): string {
  return `subagent "${t.label}"`;
}

/**
 * Which branch the critical path runs through when subagents are on it, e.g. `The critical path now
 * runs through subagent "Run the checks" (recorded: subagent "Explain math.js").`; null when no
 * subagent is on either path.
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
