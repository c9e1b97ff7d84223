// The scripted agent's loop: a realistic harness session against whatever endpoint the environment
// points at (the recorder's proxy under `lapse record`, else a built-in endpoint started here).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startModelServer, type ModelServer } from '../model/server.js';
import { anthropicDriver } from './driver-anthropic.js';
import { openaiChatDriver } from './driver-openai-chat.js';
import { openaiResponsesDriver } from './driver-openai-responses.js';
import { type AgentProtocol, type Driver, type Reply, type RequestOptions, type ToolResult } from './driver.js';
import { describeCall, runTool } from './tools.js';
import { prepareWorkspace } from './workspace.js';

export interface AgentOptions {
  protocol: AgentProtocol;
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
  prompts?: [string, string];
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

function makeDriver(protocol: AgentProtocol, anthropicUrl: string, openaiUrl: string, apiKey: { anthropic: string; openai: string }): Driver {
  switch (protocol) {
    case 'anthropic':
      return anthropicDriver(anthropicUrl, apiKey.anthropic);
    case 'openai-chat':
      return openaiChatDriver(openaiUrl, apiKey.openai);
    case 'openai-responses':
      return openaiResponsesDriver(openaiUrl, apiKey.openai, false);
    case 'openai-ws':
      return openaiResponsesDriver(openaiUrl, apiKey.openai, true);
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
  const driver = makeDriver(opts.protocol, anthropicUrl!, openaiUrl!, keys);
  if ((opts.abort || opts.faults?.length) && !driver.perRequestOptions) {
    ws.dispose();
    await embedded?.close();
    throw new Error(`aborts and faults are per HTTP request; ${opts.protocol} sends every request on one WebSocket`);
  }
  const ctx = { workspace: ws.dir, testRunMs: opts.testRunMs ?? 1200 };
  const maxSteps = opts.maxStepsPerTurn ?? 20;
  const prompts = opts.prompts ?? DEFAULT_PROMPTS;
  const toolCalls: string[] = [];
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

  const turn = async (prompt: string, first: boolean): Promise<string> => {
    log(`you: ${prompt}`);
    driver.user(prompt);
    for (let step = 0; step < maxSteps; step++) {
      requests++;
      const replyP = ask(requests);
      if (first && step === 0) {
        // Harnesses name the conversation on the side while the first answer streams; nobody waits for it.
        titleDone = driver.title(prompt).then(
          (t) => void (title = t),
          (err: unknown) => log(`(title request failed: ${(err as Error).message.split('\n')[0]})`),
        );
      }
      const reply = await replyP;
      if (reply.text) log(`model: ${reply.text}`);
      if (reply.toolCalls.length === 0) return reply.text;
      const results: ToolResult[] = await Promise.all(
        reply.toolCalls.map(async (c) => {
          log(`  ⚙ ${describeCall(c.name, c.input)}`);
          toolCalls.push(c.name);
          const r = await runTool(ctx, c.name, c.input);
          return { id: c.id, output: r.output, isError: r.isError };
        }),
      );
      driver.toolResults(results);
    }
    throw new Error(`the model was still calling tools after ${maxSteps} requests`);
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
      await turn(prompts[0], true);
      await sleep(opts.thinkMs ?? 1500);
      finalText = await turn(prompts[1], false);
    }
    await titleDone;
    return {
      protocol: opts.protocol,
      workspace: ws.dir,
      requests,
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
