import type { Command } from 'commander';
import { basename } from 'node:path';
import { analyse, SessionBuilder, type Analysis } from '../../analysis/session.js';
import { TraceTail, isRecording } from '../trace/tail.js';
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
fast-mode → instant) · enter the request in full · f follow a trace being recorded · ? help · q quit.

A trace that is still being recorded (\`lapse record\` or \`lapse proxy\` writing it now) is followed:
new requests appear as the recorder writes them and the playhead stays at the newest moment; seeking
stops following, f (or end) resumes it; the status row says when the recording has ended.
Colours follow NO_COLOR. Needs a terminal; for a text summary use \`lapse stats\`.`,
    )
    .action(async (trace: string | undefined, opts: { profile?: string }) => {
      if (opts.profile !== undefined && !(PROFILE_CYCLE as readonly string[]).includes(opts.profile)) {
        throw new UsageError(`unknown profile "${opts.profile}" (one of ${PROFILE_CYCLE.join(', ')})`);
      }
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new UsageError('lapse tui needs a terminal (stdout is not a TTY); for a text summary use `lapse stats`');
      }
      const path = resolveTraceArg(trace);
      const live = isRecording(path) ? follow(path) : null;
      const { model, exchanges } = live ? live.first : analyse(loadTrace(path));
      const app = new TuiApp({
        model,
        exchanges,
        title: basename(path),
        color: !process.env.NO_COLOR,
        profile: opts.profile,
        live: live !== null,
      });
      live?.start((a, status) => app.update(a.model, a.exchanges, status));
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
        live?.stop();
        // blessed leaves stdin flowing; without this the process would wait for input forever.
        process.stdin.pause();
      }
    });
}

/** Longest a new record waits before the screen shows it. */
const UPDATE_MS = 150;

/**
 * A trace being recorded: what is there now (read at once, a snapshot of the pass), then the pass fed
 * from a tail of the file, a snapshot at most every UPDATE_MS, and the finished analysis when the
 * recorder closes it.
 */
function follow(path: string): { first: Analysis; start(on: (a: Analysis, status: 'live' | 'ended') => void): void; stop(): void } {
  const builder = new SessionBuilder();
  let n = 0;
  let on: ((a: Analysis, status: 'live' | 'ended') => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let endedWhy: { closed: boolean; error: string | null } | null = null;
  const meta = () => ({ path, version: tail.traceReader!.version, bytes: tail.traceReader!.bytes });
  const flush = (): void => {
    timer = null;
    if (!on) return;
    if (endedWhy) {
      const end = tail.traceReader!.end();
      on(builder.analysis({ ...meta(), truncated: end.truncated, damage: end.damage ?? endedWhy.error ?? undefined }), 'ended');
    } else on(builder.snapshot({ ...meta(), truncated: false }), 'live');
  };
  const tail: TraceTail = new TraceTail(path, {
    records: (recs) => {
      for (const r of recs) builder.add(r, n++);
      if (on) timer ??= setTimeout(flush, UPDATE_MS);
    },
    end: (why) => {
      endedWhy = why;
      if (timer) clearTimeout(timer);
      if (on) flush();
    },
  });
  tail.poll();
  const first = builder.snapshot({ ...meta(), truncated: false });
  return {
    first,
    start(fn) {
      on = fn;
      if (endedWhy) flush();
    },
    stop() {
      if (timer) clearTimeout(timer);
      tail.stop();
    },
  };
}
