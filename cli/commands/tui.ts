import type { Command } from 'commander';
import { basename } from 'node:path';
import { analyse } from '../../analysis/session.js';
import { TuiApp } from '../tui/app.js';
import { PROFILE_CYCLE } from '../tui/state.js';
import { loadTrace } from '../trace/load.js';
import { UsageError } from '../util/errors.js';
import { resolveTraceArg } from '../util/paths.js';

export function register(program: Command): void {
  program
    .command('tui')
    .description('terminal timeline viewer and player')
    .argument('[trace]', 'trace file (default: the newest one)')
    .option('--profile <name>', `start as a faster model: ${PROFILE_CYCLE.join(', ')}`)
    .addHelpText(
      'after',
      `
Examples:
  lapse tui                       the newest trace
  lapse tui run.lapse --profile spark
                                  play it as a 1,000 tok/s model from the start

Keys: space play/pause · ←/→ seek (shift: bigger) · [ ] previous/next request · + - speed
(0.5× to 64×) · i idle limit (shorten long tool/user gaps) · s model profile (original → spark →
fast-mode → instant) · enter the request in full · ? help · q quit.
Colours follow NO_COLOR. Needs a terminal; for a text summary use \`lapse stats\`.`,
    )
    .action(async (trace: string | undefined, opts: { profile?: string }) => {
      if (opts.profile !== undefined && !(PROFILE_CYCLE as readonly string[]).includes(opts.profile)) {
        throw new UsageError(`unknown profile "${opts.profile}" (one of ${PROFILE_CYCLE.join(', ')})`);
      }
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new UsageError('lapse tui needs a terminal (stdout is not a TTY); for a text summary use `lapse stats`');
      }
      const loaded = loadTrace(resolveTraceArg(trace));
      const { model, exchanges } = analyse(loaded);
      const app = new TuiApp({
        model,
        exchanges,
        title: basename(loaded.path),
        color: !process.env.NO_COLOR,
        profile: opts.profile,
      });
      // A signal still gives the terminal back (alternate screen, cursor, raw mode) before exiting.
      const onTerm = (): void => {
        process.exitCode = 143;
        app.quit();
      };
      const onHup = (): void => {
        process.exitCode = 129;
        app.quit();
      };
      process.once('SIGTERM', onTerm);
      process.once('SIGHUP', onHup);
      try {
        app.render();
        await app.done;
      } finally {
        process.off('SIGTERM', onTerm);
        process.off('SIGHUP', onHup);
        // blessed leaves stdin flowing; without this the process would wait for input forever.
        process.stdin.pause();
      }
    });
}
