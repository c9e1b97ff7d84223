// `lapse demo`: the whole product with no API key and no network — a scripted agent recorded against
// the built-in scripted model endpoint. `lapse demo --serve-model`: that endpoint alone.
import type { Command } from 'commander';
import { COMMANDS } from './index.js';
import { runDemo } from '../agent/demo-run.js';
import { AGENT_PROTOCOLS, type AgentProtocol } from '../agent/driver.js';
import { requestLine, serveBanner } from '../model/banner.js';
import { SCENARIOS, type ScenarioName } from '../model/scenarios.js';
import { startModelServer } from '../model/server.js';
import { UsageError } from '../util/errors.js';
import { newTracePath } from '../util/paths.js';

interface DemoFlags {
  serveModel?: boolean;
  port?: string;
  protocol: string;
  scenario: string;
  ttft: string;
  tps: string;
  jitter: string;
  seed?: string;
  thinkMs?: string;
  testMs?: string;
  web?: boolean;
  output?: string;
  quiet?: boolean;
}

function num(v: string, flag: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`${flag} must be ${what} (got ${v})`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('demo')
    .description('record a built-in scripted session against the built-in model endpoint and show it')
    .option('--protocol <p>', `wire protocol: ${AGENT_PROTOCOLS.join(', ')}`, 'anthropic')
    .option('--scenario <name>', `scripted session: ${SCENARIOS.join(', ')}`, 'default')
    .option('--ttft <ms>', 'model time to first token', '300')
    .option('--tps <n>', 'model output speed, tokens per second', '100')
    .option('--jitter <x>', 'spread of token intervals, 0..1', '0')
    .option('--seed <n>', 'make jitter and ids reproducible')
    .option('--think-ms <ms>', 'pause where the user reads and types between turns (default 1500)')
    .option('--test-ms <ms>', 'how long the demo project\'s test run takes (default 1200)')
    .option('--web', 'show the trace in the web viewer (default: terminal viewer on a TTY, `lapse stats` otherwise)')
    .option('-o, --output <file>', 'trace file (default: a new file in the trace directory)')
    .option('--serve-model', 'only run the scripted model endpoint, for your own harness, until Ctrl-C')
    .option('--port <n>', 'with --serve-model: port on 127.0.0.1 (default: any free port)')
    .option('-q, --quiet', 'with --serve-model: no line per request')
    .addHelpText(
      'after',
      `
No API key and no network needed: the model is lapse's scripted endpoint (Anthropic Messages,
OpenAI Chat Completions, OpenAI Responses over SSE and WebSocket), paced at --ttft and --tps. The
agent is a small harness on the official SDKs: it reads and edits files in a temporary project,
runs its tests, names the conversation on the side, and after a pause takes a second turn. It is
recorded through the real \`lapse record\`.

Examples:
  lapse demo                                   record and show (anthropic, 100 tok/s, TTFT 300 ms)
  lapse demo --protocol openai-ws --tps 1000   the same session over a Responses WebSocket, faster
  lapse demo --scenario subagents              two subagents in parallel (Claude Code's Agent tool)
  lapse demo --scenario parallel-tools         two commands from one response, run at the same time
  lapse demo --web -o demo.lapse               keep the trace, open the web viewer
  lapse demo --serve-model --port 8787         only the endpoint; point claude/codex/your agent at it`,
    )
    .action(async (flags: DemoFlags) => {
      const ttftMs = num(flags.ttft, '--ttft', (n) => n >= 0, 'a number of ms ≥ 0');
      const tokensPerSecond = num(flags.tps, '--tps', (n) => n > 0, 'a number > 0');
      const jitter = num(flags.jitter, '--jitter', (n) => n >= 0 && n <= 1, 'between 0 and 1');
      const seed = flags.seed === undefined ? undefined : num(flags.seed, '--seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
      if (flags.serveModel) {
        for (const [name, given] of [['--protocol', cmd.getOptionValueSource('protocol') === 'cli'], ['--scenario', cmd.getOptionValueSource('scenario') === 'cli'], ['--web', flags.web], ['-o', flags.output], ['--think-ms', flags.thinkMs], ['--test-ms', flags.testMs]] as const) {
          if (given) throw new UsageError(`${name} does not apply to --serve-model`);
        }
        const port = flags.port === undefined ? 0 : num(flags.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)');
        await serveModel({ port, ttftMs, tokensPerSecond, jitter, seed, quiet: Boolean(flags.quiet) });
        return;
      }
      if (flags.port !== undefined) throw new UsageError('--port applies to --serve-model only (the demo picks free ports)');
      const protocol = flags.protocol as AgentProtocol;
      if (!AGENT_PROTOCOLS.includes(protocol)) throw new UsageError(`unknown --protocol ${flags.protocol} (one of ${AGENT_PROTOCOLS.join(', ')})`);
      const scenario = flags.scenario as ScenarioName;
      if (!SCENARIOS.includes(scenario)) throw new UsageError(`unknown --scenario ${flags.scenario} (one of ${SCENARIOS.join(', ')})`);
      const thinkMs = flags.thinkMs === undefined ? undefined : num(flags.thinkMs, '--think-ms', (n) => n >= 0, 'a number of ms ≥ 0');
      const testRunMs = flags.testMs === undefined ? undefined : num(flags.testMs, '--test-ms', (n) => n >= 0, 'a number of ms ≥ 0');
      // Commands are loaded on demand (commands/index.ts), so ask the list, not the program.
      const isBuilt = (name: string): boolean => COMMANDS.some(([n]) => n === name);
      let code: number;
      try {
        code = await runDemo({
          protocol,
          scenario,
          ttftMs,
          tokensPerSecond,
          jitter,
          seed,
          thinkMs,
          testRunMs,
          tracePath: flags.output ?? newTracePath(scenario === 'default' ? `demo-${protocol}` : `demo-${scenario}-${protocol}`),
          show: flags.web ? 'web' : process.stdout.isTTY ? 'tui' : 'stats',
          isBuilt,
          log: (line) => process.stderr.write(line + '\n'),
        });
      } catch (err) {
        throw new UsageError((err as Error).message, (err as { exitCode?: number }).exitCode ?? 2);
      }
      if (code !== 0) process.exit(code);
    });
}

async function serveModel(o: { port: number; ttftMs: number; tokensPerSecond: number; jitter: number; seed?: number; quiet: boolean }): Promise<void> {
  let server;
  try {
    server = await startModelServer({
      port: o.port,
      ttftMs: o.ttftMs,
      tokensPerSecond: o.tokensPerSecond,
      jitter: o.jitter,
      seed: o.seed,
      onRequest: o.quiet ? undefined : (e) => process.stderr.write(requestLine(e) + '\n'),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(e.code === 'EADDRINUSE' ? `port ${o.port} is already in use` : `cannot start the model endpoint: ${e.message}`);
  }
  process.stdout.write(serveBanner(server, o));
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const st = server.stats();
  await server.close();
  process.stderr.write(`lapse demo: model endpoint stopped (${signal}) after ${st.requests} requests, ${st.outputTokens} tokens\n`);
}
