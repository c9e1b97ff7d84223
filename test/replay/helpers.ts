// Shared set-up for the replay tests: a session recorded for real (SDK clients → the recording proxy
// → the scripted model endpoint), and an in-process replay server over that trace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../cli/model/server.js';
import type { ScriptStep } from '../../cli/model/script.js';
import { startSession } from '../../cli/record/session.js';
import { memoryLog } from '../../cli/record/log.js';
import { loadTrace } from '../../cli/trace/load.js';
import { buildCassette } from '../../cli/replay/cassette.js';
import type { Pacing } from '../../cli/replay/pacing.js';
import { startReplayServer, type ReplayServer } from '../../cli/replay/server.js';
import type { TraceOut } from '../../cli/replay/trace-out.js';
import { TOOLS_ANTHROPIC, TOOLS_CHAT, TOOLS_RESPONSES } from '../factory/sdk-tools.js';
export { TOOLS_ANTHROPIC, TOOLS_CHAT, TOOLS_RESPONSES };

export const dir = mkdtempSync(join(tmpdir(), 'lapse-replay-test-'));

export interface Urls {
  anthropic: string;
  openai: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Tool step, then a text answer: the model endpoint picks by the number of replies so far. */
export const SCRIPT: ScriptStep[] = [
  { text: 'Reading the test first.', toolCalls: [{ name: 'read_file', arguments: { path: 'test/math.test.js' } }] },
  { text: 'Fixed: add() now returns a + b, and the test passes.' },
];

export function anthropicClient(urls: Urls): Anthropic {
  return new Anthropic({ baseURL: urls.anthropic, apiKey: 'sk-ant-api03-testkeytestkeytestkey0000', maxRetries: 0 });
}
export function openaiClient(urls: Urls): OpenAI {
  return new OpenAI({ baseURL: urls.openai, apiKey: 'sk-proj-testkeytestkeytestkey0000', maxRetries: 0 });
}

export interface AgentResult {
  /** Everything the "agent" saw from the model, normalized for comparison. */
  answers: unknown[];
  /** First request sent → last response read. */
  ms: number;
}

/**
 * A small agent: an Anthropic tool loop (streamed) with a non-streamed title request beside it, then
 * one OpenAI Chat stream and one Responses stream. `workdir` ends up in every prompt, like the temp
 * paths a real harness puts in its requests: runs differ a little.
 */
export async function runAgent(urls: Urls, opts: { workdir: string; toolMs: number }): Promise<AgentResult> {
  const a = anthropicClient(urls);
  const o = openaiClient(urls);
  const answers: unknown[] = [];
  const t0 = performance.now();
  const prompt = `The add() test fails in ${opts.workdir}; fix it.`;
  const title = a.messages.create({ model: 'claude-test', max_tokens: 50, system: 'Write a short title for this conversation.', messages: [{ role: 'user', content: prompt }] });
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt }];
  const first = await a.messages.stream({ model: 'claude-test', max_tokens: 1000, tools: TOOLS_ANTHROPIC, messages }).finalMessage();
  answers.push({ id: first.id, content: first.content, stop: first.stop_reason, usage: first.usage.output_tokens });
  const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  await sleep(opts.toolMs);
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: `contents of ${opts.workdir}/test/math.test.js` })) });
  const second = await a.messages.stream({ model: 'claude-test', max_tokens: 1000, tools: TOOLS_ANTHROPIC, messages }).finalMessage();
  answers.push({ id: second.id, content: second.content, stop: second.stop_reason });
  const t = await title;
  answers.push({ title: t.content });

  const chat = await o.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    stream_options: { include_usage: true },
    tools: TOOLS_CHAT,
    messages: [{ role: 'user', content: `${prompt} (chat)` }],
  });
  const chunks: unknown[] = [];
  for await (const c of chat) chunks.push({ id: c.id, choices: c.choices, usage: c.usage ?? null });
  answers.push(chunks);

  const resp = await o.responses.create({ model: 'gpt-test', stream: true, tools: TOOLS_RESPONSES, input: `${prompt} (responses)` });
  let done: unknown = null;
  for await (const ev of resp) if (ev.type === 'response.completed') done = { id: ev.response.id, output: ev.response.output, usage: ev.response.usage };
  answers.push(done);
  return { answers, ms: performance.now() - t0 };
}

export interface Recorded<T> {
  path: string;
  result: T;
  model: ModelServer;
}

/** Runs `fn` through the real recording proxy in front of the scripted endpoint; the model server stays up (close it yourself). */
export async function record<T>(name: string, fn: (urls: Urls) => Promise<T>, modelOpts: ModelServerOptions = {}): Promise<Recorded<T>> {
  const model = await startModelServer({ script: SCRIPT, seed: 7, ttftMs: 60, tokensPerSecond: 400, ...modelOpts });
  const path = join(dir, `${name}.lapse`);
  const session = await startSession({
    output: path,
    harness: 'replay-test',
    argv: ['replay-test', name],
    anthropicUpstream: model.url,
    openaiUpstream: `${model.url}/v1`,
    watch: false,
    redact: true,
    defaultApi: 'anthropic',
    log: memoryLog(),
  });
  try {
    const result = await fn({ anthropic: session.proxy.anthropicBaseUrl, openai: session.proxy.openaiBaseUrl });
    return { path, result, model };
  } finally {
    await session.finish('test done');
  }
}

export interface Replay {
  server: ReplayServer;
  urls: Urls;
  lines: string[];
}

export async function replay(path: string, pacing: Pacing, opts: { strict?: boolean; threshold?: number; out?: TraceOut } = {}): Promise<Replay> {
  const lines: string[] = [];
  const server = await startReplayServer({ cassette: buildCassette(loadTrace(path)), pacing, ...opts, log: (l) => lines.push(l) });
  return { server, urls: { anthropic: server.url, openai: `${server.url}/v1` }, lines };
}
