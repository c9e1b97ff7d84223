import type { Command } from 'commander';
import { simulateJson } from '../../analysis/json.js';
import { PROFILE_NAMES, resolveProfile, simulate, type ProfileOverrides } from '../../analysis/simulate.js';
import { readModel } from '../report/read-model.js';
import { resolveTraceArg } from '../util/paths.js';
import { UsageError } from '../util/errors.js';
import { renderSimulate } from '../report/simulate-text.js';
import { textOptions } from '../report/format.js';

interface Flags {
  profile?: string;
  tps?: string;
  speedFactor?: string;
  ttftScale?: string;
  harnessScale?: string;
  json?: boolean;
}

/** A flag's number: finite, and > 0 (rates, factors) or ≥ 0 (scales). */
function number(flag: string, raw: string | undefined, allowZero: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new UsageError(`${flag} wants a number ${allowZero ? '≥ 0' : '> 0'}, got "${raw}"`);
  }
  return v;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('the same session retimed under a faster model/transport profile')
    .argument('[trace]', 'trace file (default: the newest in the trace directory)')
    .option('--profile <name>', `preset: ${PROFILE_NAMES.join(', ')} (default: spark, or original when only values are given)`)
    .option('--tps <n>', 'model output speed in tokens/s: each stream becomes output tokens / N')
    .option('--speed-factor <x>', 'each stream becomes stream / X (used when --tps is not given)')
    .option('--ttft-scale <x>', 'each time to first token becomes TTFT × X')
    .option('--harness-scale <x>', 'harness gaps (start-up, shutdown, retries) become gap × X')
    .option('--json', 'print the result as JSON (design.md contract)')
    .addHelpText(
      'after',
      `
Along the critical path, each model wait becomes wait × ttft-scale, each stream becomes output
tokens / tps (or stream / speed-factor), harness gaps × harness-scale; tool and user time stay as
recorded. Presets:
  original    as recorded
  spark       1,000 tok/s, TTFT × 0.5 (GPT-5.3-Codex-Spark over its WebSocket harness)
  websocket   the same model over a persistent WebSocket with incremental input: each wait loses
              its measured connection setup and the upload of what an earlier request already
              sent, then TTFT × 0.5 and per-token overhead × 0.7 (the published harness figures;
              the overhead is each stream's time beyond its median inter-event gap, an assumption).
              Needs a trace recorded through the proxy (format 1.2) for the measured part.
  fast-mode   streams 2.5× faster (Claude Opus fast mode)
  instant     no model time at all: the bound no model can beat

Examples:
  lapse simulate                                   the newest trace at spark speed
  lapse simulate --profile instant
  lapse simulate --profile websocket               what WebSocket mode would save this session
  lapse simulate run.lapse --tps 300 --ttft-scale 0.8 --json | jq .speedup`,
    )
    .action((trace: string | undefined, flags: Flags) => {
      const overrides: ProfileOverrides = {};
      const tps = number('--tps', flags.tps, false);
      const sf = number('--speed-factor', flags.speedFactor, false);
      const ttft = number('--ttft-scale', flags.ttftScale, true);
      const harness = number('--harness-scale', flags.harnessScale, true);
      if (tps !== undefined) overrides.tokensPerSecond = tps;
      if (sf !== undefined) overrides.speedFactor = sf;
      if (ttft !== undefined) overrides.ttftScale = ttft;
      if (harness !== undefined) overrides.harnessScale = harness;
      const hasOverrides = Object.keys(overrides).length > 0;
      const name = flags.profile ?? (hasOverrides ? undefined : 'spark');
      const profile = resolveProfile(name, overrides);
      if (!profile) throw new UsageError(`unknown profile "${flags.profile}" (choose from ${PROFILE_NAMES.join(', ')})`);
      const model = readModel(resolveTraceArg(trace));
      const result = simulate(model, profile);
      if (flags.json) {
        process.stdout.write(JSON.stringify(simulateJson(result), null, 2) + '\n');
        return;
      }
      process.stdout.write(renderSimulate(result, textOptions(), model));
    });
}
