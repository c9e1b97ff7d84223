import type { Command } from 'commander';
import { startViewServer } from '../view/server.js';
import { isLoopback } from '../util/host-check.js';
import { hostFlag } from '../util/host.js';
import { openBrowser } from '../view/open-browser.js';
import { resolveTraceArg, tracesDir } from '../util/paths.js';
import { UsageError } from '../util/errors.js';
import { reportOf } from './report.js';
import { isRecording, newestRecording } from '../trace/tail.js';

/** The newest trace being recorded; waits (printing once) until a recording starts. */
async function waitForRecording(): Promise<string> {
  let said = false;
  for (;;) {
    const p = newestRecording();
    if (p) return p;
    if (!said) process.stderr.write(`lapse view: no recording in progress in ${tracesDir()}; waiting for one to start (Ctrl-C to stop)\n`);
    said = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port wants a port number 0-65535, not "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('view')
    .description('serve the web viewer on 127.0.0.1 and print its URL')
    .argument('[trace...]', 'trace file (default: the sessions page of the trace directory)')
    .option('--report', 'open on the sessions page (of the traces given, or of the trace directory)')
    .option('--live', 'with no TRACE: follow the newest trace being recorded (waits for one to start)')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1; anything else exposes the trace to the network)')
    .option('--no-open', 'do not open a browser, only print the URL')
    .addHelpText(
      'after',
      `
Examples:
  lapse view                          every session (per day, a table; click one to open it)
  lapse view run.lapse                one trace
  lapse view --report a.lapse b.lapse the sessions page of these traces
  lapse view run.lapse --port 8123    a fixed port (handy over ssh -L 8123:127.0.0.1:8123)
  lapse view --no-open                just print the URL
  lapse view --live                   follow the session being recorded now (or the next one to start)

The server answers only on 127.0.0.1 and only to requests addressed to it (a foreign Host header is
refused), serves nothing but the viewer and this one trace (or, on the sessions page, the traces listed
there, by their index), and stops with Ctrl-C. The same page also
works without a server: open dist/viewer/index.html and drop a .lapse file on it.

A trace that is still being recorded (by \`lapse record\` or \`lapse proxy\`; \`lapse record --view\`
opens this page for you) is followed: the page gets each new record as the recorder writes it,
requests appear as they end, a "now" line moves, the simulated lane follows, and the page says
when the recording has ended.`,
    )
    .action(async (traces: string[], opts: { port?: string; host?: string; open: boolean; report?: boolean; live?: boolean }) => {
      if (opts.live && (traces.length > 0 || opts.report)) throw new UsageError('--live follows the newest recording: give it no TRACE and no --report (a TRACE being recorded is followed anyway)');
      if (opts.live) traces = [await waitForRecording()];
      // no trace, or --report: the sessions page; one trace: that trace
      const sessionsPage = opts.report === true || traces.length !== 1;
      if (!sessionsPage) traces = [resolveTraceArg(traces[0])];
      else if (!traces.length) resolveTraceArg(undefined); // none at all: the usual "record one" line
      const sessions = sessionsPage ? reportOf(traces, {}) : undefined;
      const tracePath = sessionsPage ? undefined : traces[0];
      const port = opts.port !== undefined ? parsePort(opts.port) : 0;
      const host = opts.host === undefined ? '127.0.0.1' : hostFlag(opts.host);
      if (!isLoopback(host)) process.stderr.write(`lapse view: warning: listening on ${host}: anyone who can reach it can read this trace (prompts, code, tool output)\n`);
      const server = await startViewServer({ tracePath, sessions, host, port });
      process.stdout.write(`${server.url}\n`);
      const following = tracePath !== undefined && isRecording(tracePath);
      process.stderr.write(`lapse view: ${following ? 'following the recording' : 'serving'} ${tracePath ?? `${sessions!.sessions} sessions`}; Ctrl-C to stop\n`);
      if (opts.open) openBrowser(server.url, (why) => process.stderr.write(`lapse view: could not open a browser (${why}); open ${server.url} yourself\n`));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
