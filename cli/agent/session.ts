// The scripted agent's loop: a realistic harness session against whatever endpoint the environment
// points at (the recorder's proxy under `lapse record`, else a built-in endpoint started here).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCENARIO_PROMPTS, type ScenarioName } from '../model/scenarios.js';
import { startModelServer, type ModelServer } from '../model/server.js';
import { anthropicDriver } from './driver-anthropic.js';
import { openaiChatDriver } from './driver-openai-chat.js';
import { openaiResponsesDriver } from './driver-openai-responses.js';
import { type AgentProtocol, type Driver, type DriverConfig, type Reply, type ToolResult, SYSTEM_PROMPT } from './driver.js';
import { AGENT_TOOL_SPEC, TOOL_SPECS, describeCall, runTool } from './tools.js';
import { prepareWorkspace } from './workspace.js';

export interface AgentOptions {
  protocol: AgentProtocol;
  /**
   * `default`: the two-turn session; `subagents`: one turn that starts two subagents in one response
   * (Claude Code's `Agent` tool), one tool-bound, one model-bound; `parallel-tools`: one turn whose
   * response asks for two commands that run at the same time. See README.md.
   */
  scenario?: ScenarioName;
  /** Seeded and kept; default: a temporary directory, removed afterwards unless keepWorkspace. */
  workspace?: string;
  keepWorkspace?: boolean;
  /** The pause where a person reads and types between the two turns. Default 1500. */
  thinkMs?: number;
  /** How long the demo test suite runs. Default 1200. */
  testRunMs?: number;
  /** Default: ANTHROPIC_BASE_URL / OPENAI_BASE_URL from `env`, else a built-in endpoint. */
  anthropicBaseUrl?: string;
  openaiBaseUrl?: string;
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
  prompts?: string[];
  /**
   * Interactive mode: asks for each turn's prompt (a person typing at a terminal); null ends the
   * session. Replaces `prompts` and `thinkMs`.
   */
  nextPrompt?: () => Promise<string | null>;
  /** Progress lines (what a harness would print). */
  log?: (line: string) => void;
  /** Safety net against a model that never stops calling tools. Default 20 requests per turn. */
  maxStepsPerTurn?: number;
  /**
   * Cancel main-loop request number `at` (1-based, counted over the session) `afterMs` after it is
   * sent, with the SDK's AbortController, then send it again — as a harness does with a stalled
   * stream. HTTP protocols only.
   */
  abort?: { at: number; afterMs: number };
  /**
   * Ask the endpoint for a failure (`x-lapse-fault: NAME[:N]`, see cli/model/README.md) on main-loop
   * request number `at`. HTTP statuses are retried by the SDK itself; a failed stream (`stream-error`,
   * `reset`) is sent again once by the agent. HTTP protocols only.
   */
  faults?: { at: number; fault: string }[];
}

export interface AgentResult {
  protocol: AgentProtocol;
  workspace: string;
  /** Main-loop model requests (the title request not included; a request sent again counts once). */
  requests: number;
  /** Subagents started, in the order their tool calls came, with their model requests. */
  subagents: { id: string; prompt: string; requests: number; answer: string }[];
  /** Every tool run (subagents included), ms from the session's start. */
  toolRuns: { name: string; startMs: number; endMs: number }[];
  /** Requests the agent sent again after an injected abort or failed stream. */
  resent: number;
  toolCalls: string[];
  title: string | null;
  finalText: string;
  durationMs: number;
  /** Set when no base URL was given and a built-in endpoint served the session. */
  embeddedEndpoint: string | null;
}

export const DEFAULT_PROMPTS: [string, string] = ['fix the failing test', 'thanks! please add a changelog entry for the fix'];

function makeDriver(protocol: AgentProtocol, anthropicUrl: string, openaiUrl: string, apiKey: { anthropic: string; openai: string }, cfg: DriverConfig): Driver {
  switch (protocol) {
    case 'anthropic':
      return anthropicDriver(anthropicUrl, apiKey.anthropic, cfg);
    case 'openai-chat':
      return openaiChatDriver(openaiUrl, apiKey.openai, cfg);
    case 'openai-responses':
      return openaiResponsesDriver(openaiUrl, apiKey.openai, false, cfg);
    case 'openai-ws':
      return openaiResponsesDriver(openaiUrl, apiKey.openai, true, cfg);
  }
}

export async function runAgentSession(opts: AgentOptions): Promise<AgentResult> {
  const started = performance.now();
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const usesAnthropic = opts.protocol === 'anthropic';
  let anthropicUrl = opts.anthropicBaseUrl ?? env.ANTHROPIC_BASE_URL;
  let openaiUrl = opts.openaiBaseUrl ?? env.OPENAI_BASE_URL;
  let embedded: ModelServer | undefined;
  if (!(usesAnthropic ? anthropicUrl : openaiUrl)) {
    // Never fall through to a real provider: with no endpoint configured, bring our own.
    embedded = await startModelServer({});
    anthropicUrl = embedded.url;
    openaiUrl = `${embedded.url}/v1`;
    log(`no ${usesAnthropic ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL'} set: using a built-in scripted endpoint at ${embedded.url}`);
  }
  const keys = {
    anthropic: opts.apiKey ?? env.ANTHROPIC_API_KEY ?? 'sk-ant-lapse-demo-placeholder',
    openai: opts.apiKey ?? env.OPENAI_API_KEY ?? 'sk-lapse-demo-placeholder',
  };
  const ws = prepareWorkspace(opts.workspace, opts.keepWorkspace);
  const scenario = opts.scenario ?? 'default';
  const withAgents = scenario === 'subagents';
  const driver = makeDriver(opts.protocol, anthropicUrl!, openaiUrl!, keys, {
    system: SYSTEM_PROMPT,
    tools: withAgents ? [...TOOL_SPECS, AGENT_TOOL_SPEC] : TOOL_SPECS,
    claudeCodeMarks: withAgents,
  });
  if ((opts.abort || opts.faults?.length) && !driver.perRequestOptions) {
    ws.dispose();
    await embedded?.close();
    throw new Error(`aborts and faults are per HTTP request; ${opts.protocol} sends every request on one WebSocket`);
  }
  const ctx = { workspace: ws.dir, testRunMs: opts.testRunMs ?? 1200 };
  const maxSteps = opts.maxStepsPerTurn ?? 20;
  const prompts: string[] = opts.prompts ?? (scenario === 'default' ? DEFAULT_PROMPTS : [SCENARIO_PROMPTS[scenario]]);
  const toolCalls: string[] = [];
  const subagents: AgentResult['subagents'] = [];
  const toolRuns: AgentResult['toolRuns'] = [];
  let requests = 0;
  let resent = 0;

  /** One main-loop request, with the injected abort/fault on its first attempt and one re-send after either. */
  const ask = async (n: number): Promise<Reply> => {
    const fault = opts.faults?.find((f) => f.at === n)?.fault;
    const abortMs = opts.abort?.at === n ? opts.abort.afterMs : undefined;
    if (fault === undefined && abortMs === undefined) return driver.next();
    const ctl = new AbortController();
    const timer = abortMs === undefined ? undefined : setTimeout(() => ctl.abort(), abortMs);
    try {
      return await driver.next({ signal: ctl.signal, ...(fault ? { headers: { 'x-lapse-fault': fault } } : {}) });
    } catch (err) {
      const why = ctl.signal.aborted ? `cancelled after ${abortMs} ms` : `failed: ${(err as Error).message.split('\n')[0]}`;
      log(`(request ${n} ${why}; sending it again)`);
      resent++;
      return driver.next();
    } finally {
      clearTimeout(timer);
    }
  };
  let title: string | null = null;
  let titleDone: Promise<void> = Promise.resolve();

  /** Runs one tool call: a subagent for `Agent` (its answer is the result), else a tool in the workspace. */
  const runCall = async (c: Reply['toolCalls'][number]): Promise<ToolResult> => {
    log(`  ⚙ ${describeCall(c.name, c.input)}`);
    toolCalls.push(c.name);
    const run = { name: c.name, startMs: performance.now() - started, endMs: 0 };
    toolRuns.push(run);
    try {
      return await callTool(c);
    } finally {
      run.endMs = performance.now() - started;
    }
  };
  const callTool = async (c: Reply['toolCalls'][number]): Promise<ToolResult> => {
    if (c.name === AGENT_TOOL_SPEC.name) {
      const prompt = typeof c.input.prompt === 'string' ? c.input.prompt : '';
      const entry = { id: randomBytes(8).toString('hex'), prompt, requests: 0, answer: '' };
      subagents.push(entry);
      const sub = driver.subagent(entry.id);
      sub.user(prompt);
      entry.answer = await loop(sub, () => {
        entry.requests++;
        return sub.next();
      });
      return { id: c.id, output: entry.answer, isError: false };
    }
    const r = await runTool(ctx, c.name, c.input);
    return { id: c.id, output: r.output, isError: r.isError };
  };

  /** Model request → tool calls (run side by side) → results, until an answer without tool calls. */
  const loop = async (d: Driver, request: (step: number) => Promise<Reply>): Promise<string> => {
    for (let step = 0; step < maxSteps; step++) {
      const reply = await request(step);
      if (reply.text) log(`${d === driver ? 'model' : '  subagent'}: ${reply.text.length > 200 ? reply.text.slice(0, 199) + '…' : reply.text}`);
      if (reply.toolCalls.length === 0) return reply.text;
      d.toolResults(await Promise.all(reply.toolCalls.map(runCall)));
    }
    throw new Error(`the model was still calling tools after ${maxSteps} requests`);
  };

  const turn = (prompt: string, first: boolean): Promise<string> => {
    log(`you: ${prompt}`);
    driver.user(prompt);
    return loop(driver, (step) => {
      requests++;
      const replyP = ask(requests);
      if (first && step === 0) {
        // Harnesses name the conversation on the side while the first answer streams; nobody waits for it.
        titleDone = driver.title(prompt).then(
          (t) => void (title = t),
          (err: unknown) => log(`(title request failed: ${(err as Error).message.split('\n')[0]})`),
        );
      }
      return replyP;
    });
  };

  try {
    await driver.open();
    let finalText = '';
    if (opts.nextPrompt) {
      for (let first = true; ; first = false) {
        const prompt = await opts.nextPrompt();
        if (prompt === null) break;
        finalText = await turn(prompt, first);
      }
    } else {
      for (let i = 0; i < prompts.length; i++) {
        if (i > 0) await sleep(opts.thinkMs ?? 1500);
        finalText = await turn(prompts[i], i === 0);
      }
    }
    await titleDone;
    return {
      protocol: opts.protocol,
      workspace: ws.dir,
      requests,
      subagents,
      toolRuns,
      resent,
      toolCalls,
      title,
      finalText,
      durationMs: performance.now() - started,
      embeddedEndpoint: embedded?.url ?? null,
    };
  } finally {
    await titleDone.catch(() => {});
    await driver.close().catch(() => {});
    ws.dispose();
    await embedded?.close();
  }
}
