// Anthropic Messages API: `POST …/v1/messages` (Claude Code adds `?beta=true`), SSE or plain JSON.
import type { ProtocolDecoder, RequestInfo, RequestInput, ResponseSink, Usage } from '../events.js';
import type { DeltaKind } from '../model.js';
import { identifyIn, readBody, readEvent } from './read.js';
import { commonRequestInfo, contentText, emptyInput, emptyRequestInfo, errorMessage, headerOf, inputText, num, obj, openingOf, str, threadKey, identify } from '../events.js';

/** Claude Code's subagent marks: a header naming the agent, and a flag in the first system block. */
const AGENT_ID_HEADER = 'x-claude-code-agent-id';
const SUBAGENT_FLAG = /\bcc_is_subagent=true\b/;

function firstSystemText(system: unknown): string {
  if (typeof system === 'string') return system.slice(0, 500);
  const first = Array.isArray(system) ? obj(system[0]) : null;
  return first ? (str(first.text) ?? '').slice(0, 500) : '';
}

function usageOf(u: Record<string, unknown>, withOutput: boolean): Usage {
  const out: Usage = {};
  const input = num(u.input_tokens);
  const read = num(u.cache_read_input_tokens);
  const write = num(u.cache_creation_input_tokens);
  // input_tokens excludes cached tokens on this API; the model's inputTokens counts the whole prompt
  // (as the OpenAI APIs do), with the cache parts kept separately.
  if (input !== null || read !== null || write !== null) out.inputTokens = (input ?? 0) + (read ?? 0) + (write ?? 0);
  if (read !== null) out.cacheReadTokens = read;
  if (write !== null) out.cacheWriteTokens = write;
  const oneHour = num(obj(u.cache_creation)?.ephemeral_1h_input_tokens);
  if (oneHour !== null) out.cacheWrite1hTokens = oneHour;
  const output = num(u.output_tokens);
  if (withOutput && output !== null) out.outputTokens = output;
  return out;
}

function contentBlock(tMs: number, index: number, block: Record<string, unknown>, sink: ResponseSink, whole: boolean): void {
  const type = block.type;
  if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
    sink.toolCall(tMs, index, str(block.id), str(block.name) ?? '');
    // In a stream the start block carries `input: {}` and the arguments follow as deltas.
    if (whole) {
      const args = JSON.stringify(block.input ?? {});
      sink.content(tMs, 'tool-args', args, index);
      sink.toolCallDone(tMs, index, args);
    }
  } else if (type === 'text') {
    const t = str(block.text);
    if (t) sink.content(tMs, 'text', t, index);
  } else if (type === 'thinking') {
    const t = str(block.thinking);
    if (t) sink.content(tMs, 'thinking', t, index);
  } else if (type !== 'redacted_thinking' && typeof type === 'string' && !type.endsWith('_tool_result')) {
    sink.unknown(`content_block:${type}`);
  }
}

/** The content deltas whose one changing leaf is their text: `delta` field and content kind. */
const TEXT_DELTAS: Readonly<Record<string, readonly [field: string, kind: DeltaKind]>> = {
  text_delta: ['text', 'text'],
  thinking_delta: ['thinking', 'thinking'],
  input_json_delta: ['partial_json', 'tool-args'],
};

export const anthropicDecoder: ProtocolDecoder = {
  protocol: 'anthropic-messages',

  matchesPath(path) {
    return /\/messages$/.test(path);
  },

  request(body, headers): RequestInfo {
    const b = obj(body);
    const info = b ? commonRequestInfo(b) : emptyRequestInfo();
    info.agentId = headerOf(headers, AGENT_ID_HEADER);
    if (!b) return info;
    info.subagent = SUBAGENT_FLAG.test(firstSystemText(b.system));
    if (!Array.isArray(b.messages)) return info;
    info.messageCount = b.messages.length;
    info.thread = threadKey(b.system, b.messages[0]);
    const first = obj(b.messages[0]);
    if (first && first.role === 'user') info.opening = openingOf(first);
    const last = obj(b.messages[b.messages.length - 1]);
    if (!last || last.role !== 'user') return info;
    if (Array.isArray(last.content)) {
      for (const part of last.content) {
        const p = obj(part);
        if (p && p.type === 'tool_result') {
          const id = str(p.tool_use_id);
          if (id) info.answersToolCallIds.push(id);
        }
      }
    }
    if (info.answersToolCallIds.length === 0) info.prompt = contentText(last.content);
    return info;
  },

  input(body): RequestInput {
    const out = emptyInput();
    const b = obj(body);
    const msgs = b && Array.isArray(b.messages) ? b.messages : [];
    const last = obj(msgs[msgs.length - 1]);
    if (!last || last.role !== 'user') return out;
    if (Array.isArray(last.content)) {
      const texts: string[] = [];
      for (const part of last.content) {
        const p = obj(part);
        if (!p) continue;
        if (p.type === 'tool_result') out.results.push({ id: String(p.tool_use_id ?? ''), text: inputText(p.content), isError: p.is_error === true });
        else if (p.type === 'text' && typeof p.text === 'string') texts.push(p.text);
      }
      if (out.results.length === 0 && texts.length) out.prompt = texts.join('\n');
    } else {
      out.prompt = inputText(last.content);
    }
    return out;
  },

  conversation(body) {
    const b = obj(body);
    return b && Array.isArray(b.messages) ? b.messages : null;
  },

  event(tMs, data, name, sink) {
    const ev = readEvent(data, name, sink);
    if (!ev) return;
    const { d, type } = ev;
    switch (type) {
      case 'message_start': {
        const m = identifyIn(sink, d.message);
        if (!m) return;
        const u = obj(m.usage);
        // message_start's output_tokens is a placeholder (1–3); only message_delta reports output.
        if (u) sink.usage(usageOf(u, false));
        return;
      }
      case 'content_block_start': {
        const block = obj(d.content_block);
        const index = num(d.index) ?? 0;
        if (block) contentBlock(tMs, index, block, sink, false);
        return;
      }
      case 'content_block_delta': {
        const delta = obj(d.delta);
        const index = num(d.index) ?? 0;
        if (!delta) return;
        switch (delta.type) {
          case 'text_delta': {
            const t = str(delta.text);
            if (t) sink.content(tMs, 'text', t, index);
            return;
          }
          case 'thinking_delta': {
            const t = str(delta.thinking);
            if (t) sink.content(tMs, 'thinking', t, index);
            return;
          }
          case 'input_json_delta': {
            const t = str(delta.partial_json);
            if (t) sink.content(tMs, 'tool-args', t, index);
            return;
          }
          case 'signature_delta':
          case 'citations_delta':
            return;
          default:
            sink.unknown(`content_block_delta:${String(delta.type)}`);
            return;
        }
      }
      case 'content_block_stop':
        sink.toolCallDone(tMs, num(d.index) ?? 0, null);
        return;
      case 'message_delta': {
        const delta = obj(d.delta);
        const reason = delta && str(delta.stop_reason);
        if (reason) sink.stop(reason);
        const u = obj(d.usage);
        if (u) sink.usage(usageOf(u, true));
        return;
      }
      case 'message_stop':
        sink.finished(tMs);
        return;
      case 'ping':
        return;
      case 'error':
        sink.error(errorMessage(d) ?? 'error event');
        return;
      default:
        sink.unknown(type || 'untyped');
    }
  },

  eventRun(tMs, run, sink) {
    // A run of content deltas that differ only in their text (nearly every streamed event) is its
    // text column, handed on joined; any other run is read member by member.
    const d = obj(run.base);
    const delta = d && d.type === 'content_block_delta' ? obj(d.delta) : null;
    const field = delta && typeof delta.type === 'string' && Object.hasOwn(TEXT_DELTAS, delta.type) ? TEXT_DELTAS[delta.type] : null;
    const path = field ? ['delta', field[0]] : null;
    const fits = d !== null && field !== null && path !== null && run.changesOnly(path);
    if (!fits) {
      for (let k = 0; k < run.n; k++) anthropicDecoder.event(tMs[k], run.data(k), run.event, sink);
      return;
    }
    const index = num(d.index) ?? 0;
    const kind = field[1];
    const joined = run.joinedColumn(path);
    if (joined) {
      sink.contentRun(tMs, kind, joined.joined, joined.lengths, index);
      return;
    }
    const texts = run.column(path);
    for (let k = 0; k < run.n; k++) {
      // a text the run does not change is the base's (column null)
      const t = texts ? texts[k] : delta![field[0]];
      if (typeof t === 'string' && t) sink.content(tMs[k], kind, t, index);
    }
  },

  json(tMs, body, sink) {
    const b = readBody(body, sink);
    if (!b) return;
    if (b.type === 'error' || (b.error && !b.content)) {
      sink.error(errorMessage(b) ?? 'error response');
      return;
    }
    identify(sink, b.model, b.id);
    if (Array.isArray(b.content)) {
      b.content.forEach((block, i) => {
        const o = obj(block);
        if (o) contentBlock(tMs, i, o, sink, true);
      });
    }
    const reason = str(b.stop_reason);
    if (reason) sink.stop(reason);
    const u = obj(b.usage);
    if (u) sink.usage(usageOf(u, true));
    sink.finished(tMs);
  },
};
