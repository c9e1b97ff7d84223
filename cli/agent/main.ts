// `node dist/cli/agent/main.js --protocol anthropic|openai-chat|openai-responses|openai-ws
//   [--workspace DIR] [--think-ms N] [--test-ms N] [--keep] [--quiet]`
// Exit 0 on success; 2 with one line on bad arguments; 1 with one line if the session fails.
import { parseArgs } from 'node:util';
import { AGENT_PROTOCOLS, type AgentProtocol } from './driver.js';
import { runAgentSession } from './session.js';

const USAGE = `usage: node dist/cli/agent/main.js --protocol ${AGENT_PROTOCOLS.join('|')} [--workspace DIR] [--think-ms N] [--test-ms N] [--keep] [--quiet]

Runs lapse's scripted coding agent: two turns against the endpoint in ANTHROPIC_BASE_URL /
OPENAI_BASE_URL (a built-in scripted endpoint if unset), reading, editing and testing files in DIR
(default: a temporary directory). Meant to be recorded:  lapse record -- node dist/cli/agent/main.js`;

function fail(message: string, code: number): never {
  process.stderr.write(`lapse-agent: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

function nonNegative(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number ≥ 0 (got ${v})`, 2);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        protocol: { type: 'string', default: 'anthropic' },
        workspace: { type: 'string' },
        'think-ms': { type: 'string' },
        'test-ms': { type: 'string' },
        keep: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${(err as Error).message} (try --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const protocol = values.protocol as AgentProtocol;
  if (!AGENT_PROTOCOLS.includes(protocol)) fail(`unknown --protocol ${values.protocol} (one of ${AGENT_PROTOCOLS.join(', ')})`, 2);
  const quiet = values.quiet;
  const result = await runAgentSession({
    protocol,
    workspace: values.workspace,
    keepWorkspace: values.keep,
    thinkMs: nonNegative(values['think-ms'], '--think-ms'),
    testRunMs: nonNegative(values['test-ms'], '--test-ms'),
    log: quiet ? undefined : (line) => process.stdout.write(line + '\n'),
  });
  if (!quiet) {
    process.stdout.write(
      `agent: ${result.requests} requests, ${result.toolCalls.length} tool calls, title "${result.title ?? '-'}", ${(result.durationMs / 1000).toFixed(1)} s` +
        (values.keep && !values.workspace ? `, workspace kept at ${result.workspace}` : '') +
        '\n',
    );
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
