// OpenAI Chat Completions: `POST …/chat/completions`, `data: {chat.completion.chunk}` lines ending in
// `data: [DONE]`, or a plain JSON `chat.completion`. Only choice 0 is read (agents ask for one).
// Blocks: text and reasoning are block 0; tool call at tool_calls index i is block i + 1.
import type { ProtocolDecoder, RequestInfo, RequestInput, ResponseSink, ToolResultText, Usage } from '../events.js';
import { readBody, readEvent, tokenUsage } from './read.js';
import { commonRequestInfo, contentText, emptyInput, emptyRequestInfo, errorMessage, indexZero, inputText, num, obj, str, threadKey, openingOf, identify } from '../events.js';

const usageOf = (u: Record<string, unknown>): Usage => tokenUsage(u, 'prompt_tokens', 'completion_tokens', 'prompt_tokens_details');

/** Reasoning text some Chat-compatible servers stream (`reasoning_content` or `reasoning`). */
function reasoningOf(m: Record<string, unknown>): string | null {
  return str(m.reasoning_content) ?? str(m.reasoning);
}

export const openaiChatDecoder: ProtocolDecoder = {
  protocol: 'openai-chat',

  matchesPath(path) {
    return /\/chat\/completions$/.test(path);
  },

  request(body): RequestInfo {
    const b = obj(body);
    if (!b) return emptyRequestInfo();
    const info = commonRequestInfo(b);
    if (!Array.isArray(b.messages)) return info;
    const msgs = b.messages;
    info.messageCount = msgs.length;
    info.thread = threadKey(msgs[0], msgs[1]);
    const firstUser = msgs.map(obj).find((m) => m !== null && m.role === 'user');
    if (firstUser) info.opening = openingOf(firstUser);
    // The tool results it answers: the `tool` messages after the last assistant message.
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = obj(msgs[i]);
      if (!m) continue;
      if (m.role === 'tool') {
        const id = str(m.tool_call_id);
        if (id) info.answersToolCallIds.unshift(id);
      } else if (m.role === 'assistant') break;
      else if (m.role === 'user' && i === msgs.length - 1) {
        info.prompt = contentText(m.content);
        break;
      }
    }
    return info;
  },

  input(body): RequestInput {
    const out = emptyInput();
    const b = obj(body);
    const msgs = b && Array.isArray(b.messages) ? b.messages : [];
    // The trailing run of tool messages answers the previous assistant turn.
    let i = msgs.length - 1;
    const results: ToolResultText[] = [];
    while (i >= 0) {
      const m = obj(msgs[i]);
      if (!m || m.role !== 'tool') break;
      results.unshift({ id: String(m.tool_call_id ?? ''), text: inputText(m.content), isError: false });
      i--;
    }
    out.results = results;
    if (results.length === 0) {
      const m = obj(msgs[msgs.length - 1]);
      if (m && m.role === 'user') out.prompt = inputText(m.content);
    }
    return out;
  },

  conversation(body) {
    const b = obj(body);
    return b && Array.isArray(b.messages) ? b.messages : null;
  },

  event(tMs, data, _name, sink) {
    if (data === '[DONE]') {
      sink.finished(tMs);
      return;
    }
    const d = readEvent(data, undefined, sink)?.d;
    if (!d) return;
    if (d.error !== undefined) {
      sink.error(errorMessage(d) ?? 'error chunk');
      return;
    }
    identify(sink, d.model, d.id);
    const c = indexZero(d.choices);
    if (c) {
      const delta = obj(c.delta);
      if (delta) {
        const reasoning = reasoningOf(delta);
        if (reasoning) sink.content(tMs, 'thinking', reasoning, 0);
        const text = str(delta.content);
        if (text) sink.content(tMs, 'text', text, 0);
        const refusal = str(delta.refusal);
        if (refusal) sink.content(tMs, 'text', refusal, 0);
        if (Array.isArray(delta.tool_calls)) {
          for (const tc of delta.tool_calls) {
            const t = obj(tc);
            if (!t) continue;
            const block = (num(t.index) ?? 0) + 1;
            const fn = obj(t.function);
            const callId = str(t.id);
            const name = fn && str(fn.name);
            if (callId || name) sink.toolCall(tMs, block, callId, name ?? '');
            const args = fn && str(fn.arguments);
            if (args) sink.content(tMs, 'tool-args', args, block);
          }
        }
      }
      const finish = str(c.finish_reason);
      if (finish) sink.stop(finish);
    }
    const u = obj(d.usage);
    if (u) sink.usage(usageOf(u));
  },

  json(tMs, body, sink) {
    const b = readBody(body, sink);
    if (!b) return;
    if (b.error !== undefined && b.choices === undefined) {
      sink.error(errorMessage(b) ?? 'error response');
      return;
    }
    identify(sink, b.model, b.id);
    const c = indexZero(b.choices);
    const m = c && obj(c.message);
    if (m) {
      const reasoning = reasoningOf(m);
      if (reasoning) sink.content(tMs, 'thinking', reasoning, 0);
      const text = str(m.content);
      if (text) sink.content(tMs, 'text', text, 0);
      if (Array.isArray(m.tool_calls)) {
        m.tool_calls.forEach((tc, i) => {
          const t = obj(tc);
          if (!t) return;
          const fn = obj(t.function);
          const block = i + 1;
          sink.toolCall(tMs, block, str(t.id), (fn && str(fn.name)) ?? '');
          const args = (fn && str(fn.arguments)) ?? '';
          if (args) sink.content(tMs, 'tool-args', args, block);
          sink.toolCallDone(tMs, block, args);
        });
      }
    }
    const finish = c && str(c.finish_reason);
    if (finish) sink.stop(finish);
    const u = obj(b.usage);
    if (u) sink.usage(usageOf(u));
    sink.finished(tMs);
  },
};
