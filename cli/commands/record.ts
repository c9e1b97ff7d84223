import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { childArgs, childEnv, defaultApiFor, harnessName } from '../record/harness.js';
import { harnessSpec } from '../record/harnesses.js';
import { bypassHint } from '../record/bypass.js';
import { runChild, SIGNAL_GRACE_MS, SpawnError } from '../record/child.js';
import { isInteractive, runInPty } from '../record/pty/run.js';
import { stderrLog } from '../record/log.js';
import { NO_REDACT_WARNING, parseHost, parsePort, startSession } from '../record/session.js';
import type { Log } from '../record/log.js';
import { tracesUrl } from '../export/post.js';
import { startViewServer, type ViewServer } from '../view/server.js';
import { openBrowser } from '../view/open-browser.js';

/**
 * `--view`: the web viewer on the trace being written, in this process. It only reads the file's new
 * bytes and sends them on (no decoding here: the page reads them), so the proxy's thread does next to nothing for it.
 */
async function liveView(tracePath: string, log: Log): Promise<ViewServer | null> {
  let server: ViewServer;
  try {
    server = await startViewServer({ tracePath });
  } catch (err) {
    log.info(`warning: --view: ${(err as Error).message}`);
    return null;
  }
  // Said even with --quiet: the person asked for it.
  process.stderr.write(`lapse: live view: ${server.url}\n`);
  openBrowser(server.url, (why) => log.info(`could not open a browser (${why}); open ${server.url} yourself`));
  return server;
}

interface RecordFlags {
  output?: string;
  anthropicUpstream?: string;
  openaiUpstream?: string;
  geminiUpstream?: string;
  codeAssistUpstream?: string;
  port?: string;
  host?: string;
  watch?: string | boolean;
  redact: boolean;
  quiet?: boolean;
  pty: boolean;
  recordInput?: boolean;
  view?: boolean;
  otlpEndpoint?: string;
}

export function register(program: Command): void {
  // Options after the harness's name belong to the harness (`lapse record claude --resume`).
  program.enablePositionalOptions();
  program
    .command('record')
    .description('start the recording proxy, run CMD pointed at it, write the trace')
    .argument('<cmd>', 'the harness to run (claude, codex, node my-agent.js, …)')
    .argument('[args...]', "the harness's own arguments")
    .option('-o, --output <file>', 'trace file (default: a new file in the trace directory)')
    .option('--anthropic-upstream <url>', 'where Anthropic requests go (default: $ANTHROPIC_BASE_URL, else https://api.anthropic.com)')
    .option('--openai-upstream <url>', 'where OpenAI requests go (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)')
    .option('--gemini-upstream <url>', 'where Gemini API requests go (default: $GOOGLE_GEMINI_BASE_URL, else https://generativelanguage.googleapis.com)')
    .option('--code-assist-upstream <url>', 'where Gemini Code Assist requests go (/v1internal:…, Gemini CLI logged in with Google; default: $CODE_ASSIST_ENDPOINT, else https://cloudcode-pa.googleapis.com)')
    .option('--port <n>', 'proxy port on 127.0.0.1 (default: any free port)')
    .option('--host <addr>', 'address the proxy listens on (default 127.0.0.1; anything else is reachable from other machines, and warned about)')
    .option('--watch <dir>', 'record file changes under this directory (default: the current directory)')
    .option('--no-watch', 'do not record file changes')
    .option('--no-redact', 'keep API keys and auth headers in the trace (default: they become fingerprints)')
    .option('--no-pty', 'on a terminal, run the harness on it directly (no terminal records; user time is then estimated)')
    .option('--record-input', 'keep the typed characters in the trace (default: only when keys were pressed and what kind)')
    .option('--otlp-endpoint <url>', "send each request's GenAI spans to this OTLP/HTTP collector when its response ends (/v1/traces is appended to a bare URL)")
    .option('--view', 'open the web viewer on the trace at the start and watch the session live (the URL is printed on stderr)')
    .option('-q, --quiet', "no messages from lapse (the harness's own output is untouched)")
    .passThroughOptions()
    .addHelpText(
      'after',
      `
The harness runs on your terminal exactly as usual; lapse points it at a proxy on 127.0.0.1
(ANTHROPIC_BASE_URL, OPENAI_BASE_URL, GOOGLE_GEMINI_BASE_URL, and what each known harness needs:
codex's -c openai_base_url=…, Copilot CLI's COPILOT_PROVIDER_BASE_URL), records every
request, stream event, WebSocket message and file change, and exits with the harness's exit code.
lapse's own messages go to stderr.

On a terminal the harness runs in a pseudo-terminal that lapse relays unchanged (size, resizes,
colours, Ctrl-C, Ctrl-Z), so the trace also holds what it drew and when keys were pressed (never
what was typed, unless --record-input): your reading and typing time is then measured. With pipes
or in CI the harness gets lapse's stdio directly.

Examples:
  lapse record -- claude
  lapse record -- codex exec "fix the failing test"
  lapse record -- opencode run "add a --json flag"
  lapse record -- gemini -p "explain this repo"
  lapse record -o run.lapse --no-watch -- node my-agent.js --task 3
  lapse record --view -- claude     # the web viewer follows the session as it happens
  lapse record --otlp-endpoint http://127.0.0.1:4318 -- claude   # spans to Jaeger/Tempo/… as it runs
  lapse stats                      # then: where the time went`,
    )
    .action(async (cmd: string, args: string[], flags: RecordFlags) => {
      const log = stderrLog(Boolean(flags.quiet));
      const { host, warning } = parseHost(flags.host, 'record');
      if (warning) process.stderr.write(`${warning}\n`);
      // Said even with --quiet: this is the only way secrets reach the disk.
      if (flags.redact === false) process.stderr.write(`${NO_REDACT_WARNING}\n`);
      const harness = harnessName(cmd, args);
      const spec = harnessSpec(cmd);
      const interactive = isInteractive();
      const usePty = interactive && flags.pty;
      if (flags.recordInput && !usePty) log.info('--record-input: no terminal to record (stdin or stdout is not a terminal, or --no-pty)');
      const session = await startSession({
        output: flags.output,
        harness,
        argv: [cmd, ...args],
        anthropicUpstream: flags.anthropicUpstream,
        openaiUpstream: flags.openaiUpstream,
        geminiUpstream: flags.geminiUpstream,
        codeAssistUpstream: flags.codeAssistUpstream,
        harnessUpstreams: spec?.upstreams?.(process.env),
        port: flags.port === undefined ? undefined : parsePort(flags.port),
        host,
        watch: flags.watch === false ? false : typeof flags.watch === 'string' ? flags.watch : process.cwd(),
        redact: flags.redact,
        defaultApi: defaultApiFor(cmd, harness),
        interactive,
        log,
        otlpEndpoint: flags.otlpEndpoint,
      });
      const { proxy, sink } = session;
      log.info(`recording ${harness} through ${proxy.anthropicBaseUrl} → ${session.tracePath}`);
      if (flags.otlpEndpoint) log.info(`sending spans to ${tracesUrl(flags.otlpEndpoint).href} as responses end`);
      const view = flags.view ? await liveView(session.tracePath, log) : null;

      const argv = childArgs(cmd, args, proxy.urls);
      let exitCode: number;
      try {
        const env = childEnv(cmd, process.env, proxy.urls, session.tracePath);
        const onSignal = (sig: NodeJS.Signals) => sink.guard(() => sink.write({ kind: 'marker', t: sink.now(), label: `lapse received ${sig}` }));
        const child = usePty ? await runInPty(cmd, argv, env, sink, { recordInput: Boolean(flags.recordInput), onSignal }) : await runChild(cmd, argv, env, onSignal);
        sink.write({ kind: 'process-start', t: sink.now(), pid: child.pid, argv: [cmd, ...argv] });
        void session.startWatching();
        const exit = await child.done;
        sink.write({ kind: 'process-exit', t: sink.now(), pid: child.pid, code: exit.code, signal: exit.signal });
        exitCode = exit.exitCode;
        // a signal from the terminal that ended the harness may reach lapse after its exit: its marker still goes in
        await new Promise((resolve) => setTimeout(resolve, SIGNAL_GRACE_MS));
      } catch (err) {
        if (!(err instanceof SpawnError)) throw err;
        await view?.close();
        await session.finish('the harness could not be started');
        rmSync(session.tracePath, { force: true }); // nothing was recorded: no empty trace in `lapse ls`
        throw new UsageError(err.message, err.exitCode);
      }
      const lines = await session.finish('the harness exited');
      if (view) {
        // the page learns that the recording ended before this process (and its server) goes
        await view.settle();
        await view.close();
      }
      for (const l of lines) log.info(l);
      const hint = bypassHint(spec, harness, proxy.stats.requests + proxy.stats.websockets);
      if (hint) log.info(hint);
      log.info(`trace: ${session.tracePath}`);
      process.exit(exitCode);
    });
}
