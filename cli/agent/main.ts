// `node dist/cli/agent/main.js --protocol anthropic|openai-chat|openai-responses|openai-ws
//   [--workspace DIR] [--think-ms N] [--test-ms N] [--abort-after-ms N [--abort-at K]] [--fault NAME@K …]
//   [--keep] [--quiet]`
// Exit 0 on success; 2 with one line on bad arguments; 1 with one line if the session fails.
import { parseArgs } from 'node:util';
import { parseFault } from '../model/faults.js';
import { SCENARIOS, type ScenarioName } from '../model/scenarios.js';
import { AGENT_PROTOCOLS, type AgentProtocol } from './driver.js';
import { runAgentSession } from './session.js';
import { terminalPrompts } from './interactive.js';

const USAGE = `usage: node dist/cli/agent/main.js --protocol ${AGENT_PROTOCOLS.join('|')} [--scenario ${SCENARIOS.join('|')}]
       [--workspace DIR] [--prompt TEXT …] [--think-ms N] [--test-ms N] [--abort-after-ms N [--abort-at K]] [--fault NAME[:N]@K …] [--keep] [--quiet] [--interactive]

Runs lapse's scripted coding agent: two turns (or, with --interactive, one per prompt typed at
its terminal until /exit, Ctrl-D or Ctrl-C twice) against the endpoint in ANTHROPIC_BASE_URL /
OPENAI_BASE_URL (a built-in scripted endpoint if unset), reading, editing and testing files in DIR
(default: a temporary directory). Meant to be recorded:  lapse record -- node dist/cli/agent/main.js

--prompt TEXT (repeatable) replaces the default scenario's two prompts, one turn each: turns 1 and 2
play the scripted steps, every later turn a short answer (a longer session for the live-view tests).

Scenarios: default (two turns: fix a test, then a changelog entry); subagents (one response starts
two subagents with the Agent tool, one running a 3 s command, one writing a ~500-token answer);
parallel-tools (one response asks for two commands, which run at the same time).

Failures, for traces that show them (HTTP protocols only; K counts main-loop requests from 1):
  --abort-after-ms N   cancel request K (--abort-at, default 1) N ms after sending it, then send it again
  --fault NAME@K       ask the endpoint to fail request K (x-lapse-fault: overloaded, rate-limit,
                       server-error, http-NNN, stream-error[:N], reset[:N]); the SDK retries HTTP
                       errors, the agent re-sends a failed stream once. Repeatable.
Example: node dist/cli/agent/main.js --protocol anthropic --fault overloaded@2 --abort-after-ms 400 --abort-at 4`;

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

function requestNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a request number ≥ 1 (got ${v})`, 2);
  return n;
}

/** `NAME[:N]@K`, e.g. `overloaded@2`, `stream-error:5@3`. */
function parseFaultFlag(v: string): { at: number; fault: string } {
  const m = /^([a-z0-9-]+(?::\d+)?)@(\d+)$/i.exec(v);
  if (!m) fail(`--fault must look like NAME[:N]@K, e.g. overloaded@2 (got ${v})`, 2);
  const [name, count] = m[1].split(':');
  if (!parseFault(name, count === undefined ? undefined : Number(count))) fail(`unknown fault ${name} in --fault ${v} (see cli/model/README.md)`, 2);
  return { fault: m[1], at: requestNumber(m[2], '--fault request number') };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        protocol: { type: 'string', default: 'anthropic' },
        scenario: { type: 'string', default: 'default' },
        workspace: { type: 'string' },
        'think-ms': { type: 'string' },
        'test-ms': { type: 'string' },
        'abort-after-ms': { type: 'string' },
        'abort-at': { type: 'string' },
        fault: { type: 'string', multiple: true },
        prompt: { type: 'string', multiple: true },
        keep: { type: 'boolean', default: false },
        interactive: { type: 'boolean', default: false },
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
  const scenario = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenario)) fail(`unknown --scenario ${values.scenario} (one of ${SCENARIOS.join(', ')})`, 2);
  const quiet = values.quiet;
  const abortAfterMs = nonNegative(values['abort-after-ms'], '--abort-after-ms');
  if (values['abort-at'] !== undefined && abortAfterMs === undefined) fail('--abort-at needs --abort-after-ms', 2);
  const abortAt = values['abort-at'] === undefined ? 1 : requestNumber(values['abort-at'], '--abort-at');
  const faults = (values.fault ?? []).map(parseFaultFlag);
  if ((abortAfterMs !== undefined || faults.length) && protocol === 'openai-ws') fail('--abort-after-ms and --fault need an HTTP protocol (openai-ws sends every request on one WebSocket)', 2);
  const out = (line: string) => process.stdout.write(line);
  const prompts = values.interactive ? terminalPrompts(out, (code) => process.exit(code)) : undefined;
  const result = await runAgentSession({
    nextPrompt: prompts ? () => prompts.next() : undefined,
    prompts: values.prompt?.length ? values.prompt : undefined,
    protocol,
    scenario,
    workspace: values.workspace,
    keepWorkspace: values.keep,
    thinkMs: nonNegative(values['think-ms'], '--think-ms'),
    testRunMs: nonNegative(values['test-ms'], '--test-ms'),
    abort: abortAfterMs === undefined ? undefined : { at: abortAt, afterMs: abortAfterMs },
    faults,
    log: quiet ? undefined : (line) => process.stdout.write(line + '\n'),
  }).finally(() => prompts?.close());
  if (!quiet) {
    process.stdout.write(
      `agent: ${result.requests} requests${result.resent ? ` (${result.resent} sent again)` : ''}${result.subagents.length ? `, ${result.subagents.length} subagents (${result.subagents.reduce((n, a) => n + a.requests, 0)} requests)` : ''}, ${result.toolCalls.length} tool calls, title "${result.title ?? '-'}", ${(result.durationMs / 1000).toFixed(1)} s` +
        (values.keep && !values.workspace ? `, workspace kept at ${result.workspace}` : '') +
        '\n',
    );
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
