// Gemini API: `POST …/models/{model}:streamGenerateContent?alt=sse` (`data: {GenerateContentResponse}`
// frames, no [DONE]) or `:generateContent` (one GenerateContentResponse). Gemini CLI's Code Assist
// route (`…/v1internal:streamGenerateContent`) wraps each response as `{response: …}` and each request
// as `{model, project, request: …}`; both are unwrapped. Only candidate 0 is read.
// Blocks: text and thought parts are block 0; the i-th functionCall of the response is block i + 1.
import type { ProtocolDecoder, RequestInfo, RequestInput, ResponseSink, Usage } from '../events.js';
import { readEvent } from './read.js';
import { emptyInput, emptyRequestInfo, errorMessage, indexZero, inputText, num, obj, str, threadKey, identify } from '../events.js';

function usageOf(u: Record<string, unknown>): Usage {
  const out: Usage = {};
  // promptTokenCount already includes cachedContentTokenCount.
  const prompt = num(u.promptTokenCount);
  const cached = num(u.cachedContentTokenCount);
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  if (prompt !== null) out.inputTokens = prompt;
  if (cached !== null) out.cacheReadTokens = cached;
  // Thinking is output the model generated (and is billed as such), as on the other APIs.
  if (candidates !== null || thoughts !== null) out.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  return out;
}

/** The GenerateContentResponse itself, unwrapping Code Assist's `{response: …}`. */
function unwrap(d: Record<string, unknown>): Record<string, unknown> {
  const inner = d.candidates === undefined ? obj(d.response) : null;
  return inner ?? d;
}

/** Google's error body `{error: {code, message, status}}`: "RESOURCE_EXHAUSTED: …". */
function geminiError(d: Record<string, unknown>): string | null {
  const e = obj(d.error);
  const status = e && str(e.status);
  const message = e && str(e.message);
  return status && message ? errorMessage({ error: { type: status, message } }) : errorMessage(d);
}

/** The request proper, unwrapping Code Assist's `{model, project, request: …}`. */
function requestOf(outer: Record<string, unknown>): Record<string, unknown> {
  return outer.contents === undefined ? (obj(outer.request) ?? outer) : outer;
}

/** The parts of the request's newest content, when that is the user's (text or function responses). */
function lastUserParts(b: Record<string, unknown>): Record<string, unknown>[] {
  const contents = Array.isArray(b.contents) ? b.contents : [];
  const last = obj(contents[contents.length - 1]);
  if (!last || (last.role !== undefined && last.role !== 'user') || !Array.isArray(last.parts)) return [];
  return last.parts.map(obj).filter((p): p is Record<string, unknown> => p !== null);
}

/** Per-response state the sink cannot hold: how many function calls were seen (their blocks). */
const calls = new WeakMap<ResponseSink, number>();

function readResponse(tMs: number, r: Record<string, unknown>, sink: ResponseSink, whole: boolean): void {
  identify(sink, r.modelVersion, r.responseId);
  const c = indexZero(r.candidates);
  const content = c && obj(c.content);
  if (content && Array.isArray(content.parts)) {
    for (const part of content.parts) {
      const p = obj(part);
      if (!p) continue;
      const text = str(p.text);
      if (text) sink.content(tMs, p.thought === true ? 'thinking' : 'text', text, 0);
      const fc = obj(p.functionCall);
      if (fc) {
        // A function call arrives whole, in one part (Gemini does not stream arguments).
        const block = (calls.get(sink) ?? 0) + 1;
        calls.set(sink, block);
        sink.toolCall(tMs, block, str(fc.id), str(fc.name) ?? '');
        const args = JSON.stringify(fc.args ?? {});
        sink.content(tMs, 'tool-args', args, block);
        sink.toolCallDone(tMs, block, args);
      }
      if (!text && !fc && p.thoughtSignature === undefined && p.text === undefined) {
        const kind = Object.keys(p).find((k) => k !== 'thought');
        if (kind) sink.unknown(`part:${kind}`);
      }
    }
  }
  const u = obj(r.usageMetadata);
  if (u) sink.usage(usageOf(u));
  const finish = c && str(c.finishReason);
  const blocked = obj(r.promptFeedback);
  const blockReason = blocked && str(blocked.blockReason);
  if (blockReason) {
    sink.stop(`blocked:${blockReason}`);
    sink.finished(tMs);
  } else if (finish) {
    sink.stop(finish);
    // No terminal event on this API: the chunk with finishReason is the last one.
    sink.finished(tMs);
  } else if (whole) sink.finished(tMs);
}

export const geminiDecoder: ProtocolDecoder = {
  protocol: 'gemini-generate-content',

  matchesPath(path) {
    return /:(streamGenerateContent|generateContent)$/.test(path);
  },

  request(body): RequestInfo {
    const outer = obj(body);
    if (!outer) return emptyRequestInfo();
    const b = requestOf(outer);
    const info = emptyRequestInfo();
    // The model is in the path (and in Code Assist's wrapper); the response names its version.
    info.model = str(outer.model);
    if (!Array.isArray(b.contents)) return info;
    info.messageCount = b.contents.length;
    info.thread = threadKey(b.systemInstruction ?? b.system_instruction, b.contents[0]);
    let text = '';
    let answers = false;
    for (const p of lastUserParts(b)) {
      const fr = obj(p.functionResponse);
      if (fr) {
        answers = true;
        const id = str(fr.id);
        if (id) info.answersToolCallIds.push(id);
      }
      const t = str(p.text);
      if (t !== null && p.thought !== true) text += (text ? '\n' : '') + t;
    }
    if (!answers && text) info.prompt = text;
    return info;
  },

  input(body): RequestInput {
    const out = emptyInput();
    const outer = obj(body);
    if (!outer) return out;
    const texts: string[] = [];
    for (const p of lastUserParts(requestOf(outer))) {
      const fr = obj(p.functionResponse);
      if (fr) out.results.push({ id: str(fr.id) ?? str(fr.name) ?? '', text: inputText(JSON.stringify(fr.response ?? {})), isError: false });
      else if (typeof p.text === 'string' && p.thought !== true) texts.push(p.text);
    }
    if (out.results.length === 0 && texts.length) out.prompt = texts.join('\n');
    return out;
  },

  conversation(body) {
    const outer = obj(body);
    const b = outer && requestOf(outer);
    return b && Array.isArray(b.contents) ? b.contents : null;
  },

  event(tMs, data, _name, sink) {
    const d0 = readEvent(data, undefined, sink)?.d;
    if (!d0) return;
    if (d0.error !== undefined && d0.candidates === undefined) {
      sink.error(geminiError(d0) ?? 'error chunk');
      return;
    }
    readResponse(tMs, unwrap(d0), sink, false);
  },

  json(tMs, body, sink) {
    // A non-streamed reply, or (alt=json streaming) an array of GenerateContentResponses.
    const list = Array.isArray(body) ? body : [body];
    const first = obj(list[0]);
    if (!first) {
      sink.unknown('non-json-body');
      return;
    }
    if (first.error !== undefined && first.candidates === undefined) {
      sink.error(geminiError(first) ?? 'error response');
      return;
    }
    list.forEach((item, i) => {
      const r = obj(item);
      if (r) readResponse(tMs, unwrap(r), sink, i === list.length - 1);
    });
  },
};
