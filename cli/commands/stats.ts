import type { Command } from 'commander';
import { statsJson } from '../../analysis/json.js';
import { readModel } from '../report/read-model.js';
import { resolveTraceArg } from '../util/paths.js';
import { renderStats } from '../report/stats-text.js';
import { textOptions } from '../report/format.js';

export function register(program: Command): void {
  program
    .command('stats')
    .description('where the time went: totals, breakdown, per request')
    .argument('[trace]', 'trace file (default: the newest in the trace directory)')
    .option('--json', 'print the figures as JSON (design.md contract)')
    .addHelpText(
      'after',
      `
The breakdown splits the session along its critical path (the requests the agent waited on):
model wait (request → first token), model stream (first token → end), tools (after a response that
asked for tools), user (after a response that ended the turn), harness (start-up, shutdown, the rest).
The five add up to the duration. "side" requests (titles, subagents in parallel) are off the path.

Examples:
  lapse stats                                   the newest trace
  lapse stats ~/traces/fix-tests.lapse --json | jq '.breakdown'
  lapse stats --json | jq '.requests[] | select(.critical) | .ttftMs'`,
    )
    .action((trace: string | undefined, flags: { json?: boolean }) => {
      // neither form prints inter-token gaps
      const model = readModel(resolveTraceArg(trace), { detail: false, gaps: false });
      if (flags.json) {
        process.stdout.write(JSON.stringify(statsJson(model), null, 2) + '\n');
        return;
      }
      process.stdout.write(renderStats(model, textOptions()));
    });
}
