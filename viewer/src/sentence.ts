// The one-line verdicts: what a profile means, and the biggest share of time that remains under it.
import type { SimProfile, SimulationResult } from '../../analysis/model.js';
import { BREAKDOWN_FIELD, KINDS, KIND_LABEL } from './kinds.js';
import { describeProfile } from '../../analysis/present.js';
import { dur, pct, times } from './fmt.js';

export { describeProfile };

/** The largest part of the (simulated) session, and what it means for a faster model. */
export function biggestShare(sim: SimulationResult): string {
  const b = sim.simulated.breakdown;
  const total = sim.simulated.durationMs;
  let best = KINDS[0];
  for (const k of KINDS) if (b[BREAKDOWN_FIELD[k]] > b[BREAKDOWN_FIELD[best]]) best = k;
  const amount = b[BREAKDOWN_FIELD[best]];
  const original = sim.profile.name === 'original';
  if (!(total > 0)) return 'Nothing remains: the simulated session takes no time.';
  const share = `${KIND_LABEL[best]}: ${dur(amount)}, ${pct(amount, total)} of ${original ? 'the session' : 'the simulated session'}`;
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

export function speedupLine(sim: SimulationResult): string {
  if (sim.profile.name === 'original') return `${dur(sim.original.durationMs)} as recorded`;
  return `${dur(sim.original.durationMs)} → ${dur(sim.simulated.durationMs)}: ${times(sim.speedup)} faster at ${describeProfile(sim.profile)}`;
}
