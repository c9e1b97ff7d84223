// OpenAI Responses API: `POST …/responses` with SSE (`event:` + `data:` with sequence_number) or a
// plain JSON response object. Blocks are output_index values.
// Over a WebSocket (Codex's `ws://…/v1/responses`) the socket stays open across turns; each client
// `response.create` frame starts a response (full input, or previous_response_id + new items, or a
// `generate:false` warm-up); server frames are the same event objects, one per frame, ending with
// response.completed / incomplete / failed or error. Responses are served in order, so server frames
// belong to the oldest response not yet finished.
import type { ProtocolDecoder, RequestInfo, RequestInput, ResponseSink, Usage } from '../events.js';
import { identifyIn, readBody, readEvent, tokenUsage } from './read.js';
import { commonRequestInfo, contentText, emptyInput, emptyRequestInfo, errorMessage, headerOf, inputText, num, obj, oneLine, str, threadKey, openingOf, OPENING_MAX } from '../events.js';

const usageOf = (u: Record<string, unknown>): Usage => tokenUsage(u, 'input_tokens', 'output_tokens', 'input_tokens_details');

const TOOL_ITEM_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'mcp_call', 'computer_call']);

function toolName(item: Record<string, unknown>): string {
  return str(item.name) ?? String(item.type);
}

/** Arguments of a finished tool item: `arguments` (function), `input` (custom), else the action JSON. */
function toolArgs(item: Record<string, unknown>): string | null {
  const a = str(item.arguments) ?? str(item.input);
  if (a !== null) return a;
  if (item.action !== undefined) return JSON.stringify(item.action);
  return null;
}

/** The terminal response object: usage, stop reason, error. */
function finish(tMs: number, type: string, r: Record<string, unknown> | null, sink: ResponseSink): void {
  if (r) {
    const model = str(r.model);
    if (model) sink.model(model);
    const u = obj(r.usage);
    if (u) sink.usage(usageOf(u));
  }
  if (type === 'response.completed') sink.stop((r && str(r.status)) ?? 'completed');
  else if (type === 'response.incomplete') {
    const details = r && obj(r.incomplete_details);
    const reason = details && str(details.reason);
    sink.stop(reason ? `incomplete:${reason}` : 'incomplete');
  } else {
    sink.stop('failed');
    const e = r && obj(r.error);
    sink.error(e ? (errorMessage({ error: e }) ?? 'response failed') : 'response failed');
  }
  sink.finished(tMs);
}

function outputItem(tMs: number, index: number, item: Record<string, unknown>, sink: ResponseSink): void {
  const type = str(item.type) ?? '';
  if (type === 'message') {
    if (!Array.isArray(item.content)) return;
    for (const part of item.content) {
      const p = obj(part);
      if (!p) continue;
      const t = p.type === 'refusal' ? str(p.refusal) : str(p.text);
      if (t) sink.content(tMs, 'text', t, index);
    }
  } else if (type === 'reasoning') {
    for (const list of [item.summary, item.content]) {
      if (!Array.isArray(list)) continue;
      for (const part of list) {
        const t = obj(part) && str((part as Record<string, unknown>).text);
        if (t) sink.content(tMs, 'thinking', t, index);
      }
    }
  } else if (TOOL_ITEM_TYPES.has(type)) {
    sink.toolCall(tMs, index, str(item.call_id) ?? str(item.id), toolName(item));
    const args = toolArgs(item);
    if (args) sink.content(tMs, 'tool-args', args, index);
    sink.toolCallDone(tMs, index, args);
  } else if (type) sink.unknown(`output_item:${type}`);
}

const IGNORED = new Set([
  'response.in_progress',
  'response.queued',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.done',
  'response.output_text.annotation.added',
  'response.refusal.done',
  'response.function_call_arguments.done',
  'response.custom_tool_call_input.done',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.done',
]);

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/** The `type` of a parsed frame, or ''. */
function frameType(frame: unknown): string {
  const f = obj(frame);
  return (f && str(f.type)) ?? '';
}

/** The request object of a body: a WebSocket `response.create` frame may nest it under `response`. */
/**
 * Codex marks a sub-agent's requests (spawned with its `spawn_agent` tool) with `x-openai-subagent:
 * collab_spawn` and the child's own `thread-id` — as headers, on the WebSocket's handshake for a
 * socket — and in each request's `client_metadata`; its other values (`review`, `compact`,
 * `memory_consolidation`) are Codex's own side calls, not subagents. The agent id, or null.
 */
function codexSubagent(b: Record<string, unknown>, headers: Readonly<Record<string, string | string[]>> | undefined): string | null {
  const meta = obj(b.client_metadata);
  const kind = headerOf(headers, 'x-openai-subagent') ?? str(meta?.['x-openai-subagent']);
  if (kind !== 'collab_spawn') return null;
  let turn: Record<string, unknown> | null = null;
  try {
    turn = obj(JSON.parse(str(meta?.['x-codex-turn-metadata']) ?? 'null'));
  } catch {
    // unreadable metadata: the header's thread id, if any
  }
  return headerOf(headers, 'thread-id') ?? str(turn?.thread_id) ?? 'codex-subagent';
}

/**
 * A user message the harness wrote, not the person: Codex tells the parent of a sub-agent's answer in
 * a `<subagent_notification>` user message after the wait's output. It neither opens a turn nor hides
 * the outputs before it.
 */
function harnessNote(item: Record<string, unknown>): boolean {
  return /^\s*<subagent_notification>/.test(contentText(item.content) ?? '');
}

function requestObject(body: unknown): Record<string, unknown> | null {
  const b = obj(body);
  if (!b) return null;
  const nested = b.type === 'response.create' ? obj(b.response) : null;
  return nested ? { ...b, ...nested } : b;
}

export const openaiResponsesDecoder: ProtocolDecoder = {
  protocol: 'openai-responses',

  matchesPath(path) {
    return /\/responses$/.test(path);
  },

  request(body, headers): RequestInfo {
    const b = requestObject(body);
    if (!b) return emptyRequestInfo();
    const info = commonRequestInfo(b);
    info.agentId = codexSubagent(b, headers);
    info.subagent = info.agentId !== null;
    info.previousResponseId = str(b.previous_response_id);
    info.warmup = b.generate === false;
    const input = b.input;
    info.thread = threadKey(b.instructions, Array.isArray(input) ? input[0] : input);
    if (typeof input === 'string') {
      info.messageCount = 1;
      info.prompt = input;
      if (info.previousResponseId === null) info.opening = input.slice(0, OPENING_MAX);
      return info;
    }
    if (!Array.isArray(input)) return info;
    if (info.previousResponseId === null) {
      const firstUser = input.map(obj).find((it) => it !== null && it.role === 'user' && (it.type === undefined || it.type === 'message'));
      if (firstUser) info.opening = openingOf(firstUser);
    }
    info.messageCount = input.length;
    // What it answers: the *_output items after the last user message.
    for (let i = input.length - 1; i >= 0; i--) {
      const item = obj(input[i]);
      if (!item) continue;
      const type = str(item.type) ?? (item.role !== undefined ? 'message' : '');
      if (type === 'message' && item.role === 'user') {
        if (harnessNote(item)) continue;
        if (i === input.length - 1) info.prompt = contentText(item.content);
        break;
      }
      if (type.endsWith('_output')) {
        const id = str(item.call_id);
        if (id) info.answersToolCallIds.unshift(id);
      }
    }
    return info;
  },

  input(body, answers): RequestInput {
    const out = emptyInput();
    const b = requestObject(body);
    const input = b ? b.input : undefined;
    if (typeof input === 'string') {
      out.prompt = input;
      return out;
    }
    if (!Array.isArray(input)) return out;
    const wanted = new Set(answers);
    let lastUser: string | null = null;
    for (const item of input) {
      const x = obj(item);
      if (!x) continue;
      if (x.type === 'function_call_output' || x.type === 'custom_tool_call_output') {
        const id = String(x.call_id ?? '');
        if (wanted.size === 0 || wanted.has(id)) out.results.push({ id, text: inputText(x.output), isError: false });
      } else if (x.role === 'user' && !harnessNote(x)) {
        lastUser = inputText(x.content);
      }
    }
    if (out.results.length === 0) out.prompt = lastUser;
    return out;
  },

  conversation(body) {
    const b = obj(body);
    if (!b) return null;
    if (Array.isArray(b.input) || typeof b.input === 'string') return b.input as unknown[] | string;
    // Some WebSocket frames nest the request under `response`.
    const inner = obj(b.response);
    if (inner && (Array.isArray(inner.input) || typeof inner.input === 'string')) return inner.input as unknown[] | string;
    return null;
  },

  socket: {
    opens: (frame) => frameType(frame) === 'response.create',
    ends: (frame) => TERMINAL.has(frameType(frame)),
  },

  event(tMs, data, name, sink) {
    const ev = readEvent(data, name, sink);
    if (!ev) return;
    const { d, type } = ev;
    switch (type) {
      case 'response.created':
        identifyIn(sink, d.response);
        return;
      case 'response.output_item.added': {
        const item = obj(d.item);
        const index = num(d.output_index) ?? 0;
        if (item && TOOL_ITEM_TYPES.has(String(item.type))) sink.toolCall(tMs, index, str(item.call_id) ?? str(item.id), toolName(item));
        return;
      }
      case 'response.output_item.done': {
        const item = obj(d.item);
        const index = num(d.output_index) ?? 0;
        if (item && TOOL_ITEM_TYPES.has(String(item.type))) sink.toolCallDone(tMs, index, toolArgs(item));
        return;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const t = str(d.delta);
        if (t) sink.content(tMs, 'text', t, num(d.output_index) ?? 0);
        return;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const t = str(d.delta);
        if (t) sink.content(tMs, 'thinking', t, num(d.output_index) ?? 0);
        return;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const t = str(d.delta);
        if (t) sink.content(tMs, 'tool-args', t, num(d.output_index) ?? 0);
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        finish(tMs, type, obj(d.response), sink);
        return;
      case 'error':
        sink.error(errorMessage(d) ?? (str(d.message) ? oneLine(String(d.message)) : 'error event'));
        sink.finished(tMs);
        return;
      default:
        if (!IGNORED.has(type)) sink.unknown(type || 'untyped');
    }
  },

  json(tMs, body, sink) {
    const b = readBody(body, sink);
    if (!b) return;
    if (b.output === undefined && b.error !== undefined) {
      sink.error(errorMessage(b) ?? 'error response');
      return;
    }
    const id = str(b.id);
    if (id) sink.responseId(id);
    if (Array.isArray(b.output)) {
      b.output.forEach((item, i) => {
        const o = obj(item);
        if (o) outputItem(tMs, i, o, sink);
      });
    }
    const status = str(b.status);
    finish(tMs, status === 'incomplete' ? 'response.incomplete' : status === 'failed' ? 'response.failed' : 'response.completed', b, sink);
  },
};
