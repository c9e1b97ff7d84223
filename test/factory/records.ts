// Building trace records by hand for the analysis tests: fixtures replayed with chosen times, and
// synthetic sessions with exact timings.
import { readFileSync } from 'node:fs';
import { SseSplitter, structureSse } from '../../format/sse.js';
import type { SseEvent, TraceRecord } from '../../format/types.js';

const FIXTURES = new URL('../../fixtures/wire/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}
export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** The events of an SSE body as the recorder stores them. */
export function sseEvents(text: string): SseEvent[] {
  const s = new SseSplitter();
  const out = s.push(text).map(structureSse);
  const rest = s.flush();
  if (rest.trim()) out.push(structureSse(rest));
  return out;
}

const ms = (x: number): number => Math.round(x * 1000);

export interface HttpExchange {
  id: string;
  url?: string;
  body: unknown;
  /** Times in ms from session start. */
  startMs: number;
  headMs: number;
  /** One time per event (or per chunk). */
  eventMs: number[];
  events?: SseEvent[];
  chunks?: string[];
  endMs: number | null;
  status?: number;
  outcome?: 'complete' | 'aborted' | 'error';
  contentType?: string;
  /** Request headers (default: content-type only). */
  headers?: Record<string, string>;
}

export function httpRecords(x: HttpExchange): TraceRecord[] {
  const recs: TraceRecord[] = [];
  recs.push({ kind: 'http-request', t: ms(x.startMs), id: x.id, method: 'POST', url: x.url ?? '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json', ...x.headers }, body: { enc: 'json', value: x.body } });
  const sse = x.events !== undefined;
  recs.push({ kind: 'http-response', t: ms(x.headMs), id: x.id, status: x.status ?? 200, statusText: 'OK', headers: { 'content-type': x.contentType ?? (sse ? 'text/event-stream' : 'application/json') }, decoded: true });
  if (x.events) x.events.forEach((ev, i) => recs.push({ kind: 'http-data', t: ms(x.eventMs[i]), id: x.id, sse: ev }));
  if (x.chunks) x.chunks.forEach((c, i) => recs.push({ kind: 'http-data', t: ms(x.eventMs[i]), id: x.id, chunk: { enc: 'text', text: c } }));
  if (x.endMs !== null) recs.push({ kind: 'http-end', t: ms(x.endMs), id: x.id, outcome: x.outcome ?? 'complete', bytes: 1 });
  return recs;
}

/** `n` times from `from` to `to` inclusive, evenly spaced. */
export function spread(n: number, from: number, to: number): number[] {
  if (n === 1) return [from];
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

export function sessionRecord(): TraceRecord {
  return { kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: '0.1.0', startedAt: 1_700_000_000_000, argv: ['claude'], cwd: '/tmp/x', harness: 'claude', upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true };
}

// ---- Synthetic Anthropic turns ----

export interface AnthropicTurn {
  id: string;
  startMs: number;
  /** Response head. */
  headMs: number;
  /** First content delta. */
  firstMs: number;
  /** message_stop and http-end. */
  endMs: number;
  /** Text deltas (each one event), spread from firstMs to the last delta time. */
  deltas: string[];
  /** Time of the last delta (default: endMs). */
  lastDeltaMs?: number;
  tools?: Array<{ id: string; name: string; args: string }>;
  outputTokens?: number | null;
  inputTokens?: number;
  /** tool_use ids this request answers (its last user message carries their results). */
  answers?: string[];
  prompt?: string;
  system?: string;
  firstMessage?: string;
  /** Extra history messages between the first and the last (the main conversation grows). */
  history?: number;
  /** Extra request headers (e.g. Claude Code's `x-claude-code-agent-id`). */
  headers?: Record<string, string>;
  /** The system prompt as blocks instead (Claude Code's: a billing line first). */
  systemBlocks?: string[];
  /** The request is a conversation's first: its only message is `prompt`. */
  opening?: boolean;
}

/** One Anthropic streamed exchange with exact times: message_start at headMs, deltas, tool calls, message_delta + stop at endMs. */
export function anthropicTurn(x: AnthropicTurn): TraceRecord[] {
  const ev = (data: Record<string, unknown>): SseEvent => ({ form: 'structured', event: String(data.type), data });
  const events: SseEvent[] = [];
  const times: number[] = [];
  events.push(ev({ type: 'message_start', message: { id: `msg_${x.id}`, model: 'claude-test', usage: { input_tokens: x.inputTokens ?? 100, output_tokens: 1 } } }));
  times.push(x.headMs);
  const tools = x.tools ?? [];
  const nContent = x.deltas.length + tools.length;
  const contentTimes = spread(nContent, x.firstMs, x.lastDeltaMs ?? x.endMs);
  let k = 0;
  x.deltas.forEach((text) => {
    events.push(ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
    times.push(contentTimes[k++]);
  });
  tools.forEach((t, i) => {
    const at = contentTimes[k++];
    events.push(ev({ type: 'content_block_start', index: i + 1, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } }));
    times.push(at);
    events.push(ev({ type: 'content_block_delta', index: i + 1, delta: { type: 'input_json_delta', partial_json: t.args } }));
    times.push(at);
  });
  const usage = x.outputTokens === null ? undefined : { output_tokens: x.outputTokens ?? 10 };
  events.push(ev({ type: 'message_delta', delta: { stop_reason: tools.length ? 'tool_use' : 'end_turn' }, ...(usage ? { usage } : {}) }));
  times.push(x.endMs);
  events.push(ev({ type: 'message_stop' }));
  times.push(x.endMs);
  const last = x.answers && x.answers.length
    ? { role: 'user', content: x.answers.map((id) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' })) }
    : { role: 'user', content: x.prompt ?? 'do it' };
  const filler = Array.from({ length: x.history ?? 0 }, (_, i) => ({ role: i % 2 ? 'user' : 'assistant', content: 'earlier' }));
  const messages = x.opening ? [last] : [{ role: 'user', content: x.firstMessage ?? 'first prompt' }, ...filler, last];
  const system = x.systemBlocks ? x.systemBlocks.map((text) => ({ type: 'text', text })) : (x.system ?? 'You are an agent.');
  const body = { model: 'claude-test', stream: true, system, messages };
  return httpRecords({ id: x.id, body, startMs: x.startMs, headMs: x.headMs, eventMs: times, events, endMs: x.endMs, headers: x.headers });
}

/** Merges record lists into time order (stable). */
export function byTime(...lists: TraceRecord[][]): TraceRecord[] {
  return lists.flat().map((r, i) => ({ r, i })).sort((a, b) => a.r.t - b.r.t || a.i - b.i).map((x) => x.r);
}

export function exitAt(tMs: number): TraceRecord[] {
  return [{ kind: 'process-start', t: 1000, pid: 42, argv: ['claude'] }, { kind: 'process-exit', t: ms(tMs), pid: 42, code: 0, signal: null }];
}
