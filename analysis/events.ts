// The normalized events every protocol decoder produces. Decoders push them into a ResponseSink
// (method calls, not objects, so the hot path allocates only what the model keeps); EventLog turns
// them into a plain list for tests and tools that want to see them.
import type { DeltaKind, Protocol } from './model.js';
import type { EventRun } from '../format/runs.js';

/** What a decoder reads from a request body (or a WebSocket `response.create` frame). */
export interface RequestInfo {
  model: string | null;
  /** Messages (Anthropic, Chat) or input items (Responses); null when the body is unreadable. */
  messageCount: number | null;
  /** Tool-call ids whose results are the newest input: what this request answers. */
  answersToolCallIds: string[];
  previousResponseId: string | null;
  /** The user's text when the newest input is a user prompt (not tool results); null otherwise. */
  prompt: string | null;
  /** The request asked for a stream; null when it did not say. */
  stream: boolean | null;
  /** Responses API `generate: false`: a warm-up that produces no output. */
  warmup: boolean;
  /** Fingerprint of the conversation's opening (system prompt + first message): one agent thread shares it. */
  thread: string | null;
  /** Sampling parameters as the request set them (max_tokens / max_output_tokens / max_completion_tokens); null if not set. */
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
  /**
   * The text of the conversation's first user message (a subagent's is its spawn prompt), first
   * OPENING_MAX chars; null when unreadable or absent (a continuation by previous_response_id).
   */
  opening: string | null;
  /** The harness marks this as a subagent's request (Claude Code: `cc_is_subagent=true` in the first system block). */
  subagent: boolean;
  /** The harness's id of the subagent sending it (Claude Code: the `x-claude-code-agent-id` header); null otherwise. */
  agentId: string | null;
}

/** How much of a conversation's first user message RequestInfo.opening keeps (spawn prompts are matched on it). */
export const OPENING_MAX = 2000;

/** The opening text of a first message (a string or content parts), cut to OPENING_MAX. */
export function openingOf(message: unknown): string | null {
  const m = obj(message);
  const t = contentText(m ? m.content : message);
  return t === null ? null : t.slice(0, OPENING_MAX);
}

/** A request header's value (joined when repeated); null when absent. */
export function headerOf(headers: Readonly<Record<string, string | string[]>> | undefined, name: string): string | null {
  const v = headers?.[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

export interface Usage {
  /** All prompt tokens, cached ones included (Anthropic: input + cache read + cache write). */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** The part of cacheWriteTokens written for 1 hour (Anthropic `cache_creation.ephemeral_1h_input_tokens`); the rest are 5-minute writes. */
  cacheWrite1hTokens?: number;
}

/** Receives one response's normalized events, in wire order. `tMs`: arrival time of the frame. */
export interface ResponseSink {
  /** A content-bearing delta (text, thinking, or tool-call argument fragment). */
  content(tMs: number, kind: DeltaKind, text: string, block: number): void;
  /**
   * n content deltas at once (a run's text column): delta k arrives at `tMs[k]` with the next
   * `lengths[k]` characters of `joined`. The same as `content` for each non-empty piece, in order.
   */
  contentRun(tMs: ArrayLike<number>, kind: DeltaKind, joined: string, lengths: ArrayLike<number>, block: number): void;
  /** A tool call begins at `block` (its argument deltas use the same block). */
  toolCall(tMs: number, block: number, id: string | null, name: string): void;
  /** The complete arguments of the call at `block`, when the wire states them (replaces the streamed concatenation). */
  toolCallDone(tMs: number, block: number, args: string | null): void;
  /** Reported usage; each given field replaces the earlier value (Anthropic usage is cumulative). */
  usage(u: Usage): void;
  stop(reason: string): void;
  model(name: string): void;
  responseId(id: string): void;
  /** An error event or error body: one line. */
  error(message: string): void;
  /** The protocol's terminal event (message_stop, [DONE], response.completed/failed/incomplete). */
  finished(tMs: number): void;
  /** An event the decoder does not know: kept out of the figures. */
  unknown(type: string): void;
}

/** A tool result a request carries back to the model, as text. */
export interface ToolResultText {
  id: string;
  text: string;
  isError: boolean;
}

/** What a request fed the model: the user's newest message, or the tool results it carries back. */
export interface RequestInput {
  /** The newest user message text, when the request does not answer tool calls. */
  prompt: string | null;
  results: ToolResultText[];
}

/**
 * How a protocol frames responses on a WebSocket that stays open across turns: a client frame opens
 * a response, server frames belong to the oldest open one, a terminal server frame ends it.
 */
export interface SocketFraming {
  /** This client frame (parsed JSON) starts a response. */
  opens(frame: unknown): boolean;
  /** This server frame (parsed JSON) is the last of its response. */
  ends(frame: unknown): boolean;
}

/**
 * Everything lapse knows about one wire protocol. Stateless: per-response state lives in the sink.
 * Only these modules (analysis/protocols/) read request or response bodies.
 */
export interface ProtocolDecoder {
  protocol: Protocol;
  /** True for a model request path (query stripped) this protocol decodes; a gateway prefix is allowed. */
  matchesPath(path: string): boolean;
  /** `headers`: the HTTP request's (a WebSocket turn has none of its own). */
  request(body: unknown, headers?: Readonly<Record<string, string | string[]>>): RequestInfo;
  /** The input side of a request body, as text (what the viewers show next to the output). */
  input(body: unknown, answers: readonly string[]): RequestInput;
  /** The conversation array (or string input) of a request body: what replay compares; null if none. */
  conversation(body: unknown): unknown[] | string | null;
  /** Present when the protocol also runs over a WebSocket (several responses per socket). */
  socket?: SocketFraming;
  /** One streamed event: the parsed JSON data (or a string such as `[DONE]`), and the SSE event name. */
  event(tMs: number, data: unknown, name: string | undefined, sink: ResponseSink): void;
  /**
   * Optional: a run of streamed events of one shape (format 1.1 `sse-run`; member k at `tMs[k]`), to
   * the same effect as `event` for each member (what a decoder without it gets). Lets a decoder read
   * only the columns it needs (a text delta's text) instead of every member's object.
   */
  eventRun?(tMs: Float64Array, run: EventRun, sink: ResponseSink): void;
  /** A whole (non-streamed) JSON response body, arrived at tMs. */
  json(tMs: number, body: unknown, sink: ResponseSink): void;
}

export type NormalizedEvent =
  | { type: 'content'; tMs: number; kind: DeltaKind; text: string; block: number }
  | { type: 'tool-call'; tMs: number; block: number; id: string | null; name: string }
  | { type: 'tool-call-done'; tMs: number; block: number; args: string | null }
  | { type: 'usage'; usage: Usage }
  | { type: 'stop'; reason: string }
  | { type: 'model'; name: string }
  | { type: 'response-id'; id: string }
  | { type: 'error'; message: string }
  | { type: 'finished'; tMs: number }
  | { type: 'unknown'; eventType: string };

/** A sink that records every event as an object. */
export class EventLog implements ResponseSink {
  readonly events: NormalizedEvent[] = [];
  content(tMs: number, kind: DeltaKind, text: string, block: number): void {
    this.events.push({ type: 'content', tMs, kind, text, block });
  }
  contentRun(tMs: ArrayLike<number>, kind: DeltaKind, joined: string, lengths: ArrayLike<number>, block: number): void {
    let o = 0;
    for (let k = 0; k < lengths.length; k++) {
      if (lengths[k] > 0) this.content(tMs[k], kind, joined.slice(o, o + lengths[k]), block);
      o += lengths[k];
    }
  }
  toolCall(tMs: number, block: number, id: string | null, name: string): void {
    this.events.push({ type: 'tool-call', tMs, block, id, name });
  }
  toolCallDone(tMs: number, block: number, args: string | null): void {
    this.events.push({ type: 'tool-call-done', tMs, block, args });
  }
  usage(usage: Usage): void {
    this.events.push({ type: 'usage', usage });
  }
  stop(reason: string): void {
    this.events.push({ type: 'stop', reason });
  }
  model(name: string): void {
    this.events.push({ type: 'model', name });
  }
  responseId(id: string): void {
    this.events.push({ type: 'response-id', id });
  }
  error(message: string): void {
    this.events.push({ type: 'error', message });
  }
  finished(tMs: number): void {
    this.events.push({ type: 'finished', tMs });
  }
  unknown(eventType: string): void {
    this.events.push({ type: 'unknown', eventType });
  }
}

/** Small readers for untyped JSON, shared by the decoders. */
export function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
/** The entry with `index` 0 (or no index) of a list such as `choices` or `candidates`: agents ask for one. */
export function indexZero(list: unknown): Record<string, unknown> | null {
  if (!Array.isArray(list)) return null;
  for (const c of list) {
    const o = obj(c);
    if (o && (o.index === 0 || o.index === undefined)) return o;
  }
  return null;
}
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
export function oneLine(s: string, max = 300): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** The text of a message content that is a string or a list of text parts (`text`, `input_text`, `output_text`). */
export function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  let out = '';
  let any = false;
  for (const part of content) {
    const p = obj(part);
    if (!p) continue;
    const t = str(p.text);
    if (t !== null && (p.type === 'text' || p.type === 'input_text' || p.type === 'output_text')) {
      out += (any ? '\n' : '') + t;
      any = true;
    }
  }
  return any ? out : null;
}

/** Text of an input content value: a string, or the text parts of a content array (images as `[image]`). */
export function inputText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  const parts: string[] = [];
  for (const p of content) {
    const x = obj(p);
    if (!x) continue;
    if (typeof x.text === 'string') parts.push(x.text);
    else if (x.type === 'image' || x.type === 'input_image' || x.type === 'image_url') parts.push('[image]');
    else if (typeof x.content === 'string') parts.push(x.content);
  }
  return parts.join('\n');
}

/** An input with nothing in it (unreadable body). */
export function emptyInput(): RequestInput {
  return { prompt: null, results: [] };
}

/** An error body's message: `{error:{message}}`, `{error:"…"}`, `{message}`; else null. */
/** Tells the sink the response's model and id, where the wire named them (each protocol keeps them in its own fields). */
export function identify(sink: ResponseSink, model: unknown, id: unknown): void {
  const m = str(model);
  if (m) sink.model(m);
  const i = str(id);
  if (i) sink.responseId(i);
}

export function errorMessage(v: unknown): string | null {
  const o = obj(v);
  if (!o) return null;
  const e = o.error;
  if (typeof e === 'string') return oneLine(e);
  const eo = obj(e);
  if (eo) {
    const m = str(eo.message);
    const t = str(eo.type) ?? str(eo.code);
    if (m) return oneLine(t ? `${t}: ${m}` : m);
    if (t) return t;
  }
  const m = str(o.message);
  return m ? oneLine(m) : null;
}

/** FNV-1a (32 bit) of a string's UTF-16 units: a cheap fingerprint, not a security hash. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** fnv1a32 as 8 hex digits. */
export function fnv1a(s: string): string {
  return fnv1a32(s).toString(16).padStart(8, '0');
}

/** Thread key from the system/instructions text and the first message (their first few hundred chars). */
export function threadKey(system: unknown, first: unknown): string | null {
  if (system === undefined && first === undefined) return null;
  const part = (v: unknown, n: number): string => {
    if (v === undefined || v === null) return '';
    const fromItem = obj(v);
    const t = typeof v === 'string' ? v : (contentText(fromItem ? fromItem.content : v) ?? contentText(v) ?? JSON.stringify(v));
    return t.slice(0, n);
  };
  return fnv1a(part(system, 200) + '\u0000' + part(first, 300));
}

/** A RequestInfo with nothing known yet: what every decoder starts from. */
export function emptyRequestInfo(): RequestInfo {
  return {
    model: null,
    messageCount: null,
    answersToolCallIds: [],
    previousResponseId: null,
    prompt: null,
    stream: null,
    warmup: false,
    thread: null,
    opening: null,
    subagent: false,
    agentId: null,
    maxTokens: null,
    temperature: null,
    topP: null,
  };
}

/** The empty info with the fields every protocol names the same way (`model`, `stream`, sampling). */
export function commonRequestInfo(b: Record<string, unknown>): RequestInfo {
  const info = emptyRequestInfo();
  info.model = str(b.model);
  if (typeof b.stream === 'boolean') info.stream = b.stream;
  info.maxTokens = num(b.max_tokens) ?? num(b.max_output_tokens) ?? num(b.max_completion_tokens);
  info.temperature = num(b.temperature);
  info.topP = num(b.top_p);
  return info;
}
