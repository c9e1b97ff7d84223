import type { Command } from 'commander';
import { stderrLog } from '../record/log.js';
import { redactUrl } from '../../format/redact.js';
import { NO_REDACT_WARNING, parseHost, parsePort, startSession } from '../record/session.js';

interface ProxyFlags {
  output?: string;
  port?: string;
  host?: string;
  anthropicUpstream?: string;
  openaiUpstream?: string;
  geminiUpstream?: string;
  codeAssistUpstream?: string;
  watch?: string;
  redact: boolean;
  quiet?: boolean;
  otlpEndpoint?: string;
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('the recording proxy alone, for harnesses started elsewhere')
    .option('-o, --output <file>', 'trace file (default: a new file in the trace directory)')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1; anything else is reachable from other machines, and warned about)')
    .option('--anthropic-upstream <url>', 'where Anthropic requests go (default: $ANTHROPIC_BASE_URL, else https://api.anthropic.com)')
    .option('--openai-upstream <url>', 'where OpenAI requests go (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)')
    .option('--gemini-upstream <url>', 'where Gemini API requests go (default: $GOOGLE_GEMINI_BASE_URL, else https://generativelanguage.googleapis.com)')
    .option('--code-assist-upstream <url>', 'where Gemini Code Assist requests go (/v1internal:…, Gemini CLI logged in with Google; default: $CODE_ASSIST_ENDPOINT, else https://cloudcode-pa.googleapis.com)')
    .option('--watch <dir>', 'also record file changes under this directory')
    .option('--no-redact', 'keep API keys and auth headers in the trace')
    .option('--otlp-endpoint <url>', "send each request's GenAI spans to this OTLP/HTTP collector when its response ends (/v1/traces is appended to a bare URL)")
    .option('-q, --quiet', 'print only the base URLs')
    .addHelpText(
      'after',
      `
Prints the base URLs to give your harness, records until Ctrl-C (or SIGTERM), then finishes the
trace and prints a summary. \`lapse view --live\` (or \`lapse tui TRACE\`) shows the trace while it records.

Example:
  lapse proxy --port 8787 --watch .
  lapse proxy --host 0.0.0.0 --port 8787   # a harness in a container or VM (warned: reachable from outside)
  lapse proxy --otlp-endpoint http://127.0.0.1:4318   # spans to your tracing backend as requests end
  # in another terminal:
  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 claude
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 my-agent
  GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8787 gemini
  codex -c openai_base_url="http://127.0.0.1:8787/v1" exec "…"`,
    )
    .action(async (flags: ProxyFlags) => {
      const log = stderrLog(Boolean(flags.quiet));
      const { host, warning } = parseHost(flags.host, 'proxy');
      if (warning) process.stderr.write(`${warning}\n`);
      // Said even with --quiet: this is the only way secrets reach the disk.
      if (flags.redact === false) process.stderr.write(`${NO_REDACT_WARNING}\n`);
      const session = await startSession({
        output: flags.output,
        harness: 'proxy',
        argv: ['lapse', 'proxy', ...process.argv.slice(3)],
        anthropicUpstream: flags.anthropicUpstream,
        openaiUpstream: flags.openaiUpstream,
        geminiUpstream: flags.geminiUpstream,
        codeAssistUpstream: flags.codeAssistUpstream,
        port: flags.port === undefined ? undefined : parsePort(flags.port),
        host,
        watch: flags.watch ?? false,
        redact: flags.redact,
        defaultApi: 'openai',
        log,
        otlpEndpoint: flags.otlpEndpoint,
      });
      const { proxy } = session;
      // The base URLs are this command's output proper: stdout, even with --quiet.
      process.stdout.write(
        [
          `ANTHROPIC_BASE_URL=${proxy.anthropicBaseUrl}`,
          `OPENAI_BASE_URL=${proxy.openaiBaseUrl}`,
          `GOOGLE_GEMINI_BASE_URL=${proxy.urls.gemini}`,
          `codex: -c openai_base_url="${proxy.openaiBaseUrl}"`,
          '',
        ].join('\n'),
      );
      log.info(`proxy on ${proxy.anthropicBaseUrl} → ${session.tracePath}`);
      log.info(`upstreams: anthropic ${redactUrl(session.upstreams.anthropic)}, openai ${redactUrl(session.upstreams.openai)}, gemini ${redactUrl(session.upstreams.gemini)}; Ctrl-C to finish`);
      void session.startWatching();
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve());
      });
      const lines = await session.finish('lapse proxy stopped');
      for (const l of lines) log.info(l);
      log.info(`trace: ${session.tracePath}`);
      process.exit(0);
    });
}
