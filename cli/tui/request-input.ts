// What a request fed the model, read from its recorded body: the user's newest message, or the tool
// results it carries back (Anthropic tool_result, Chat role:"tool", Responses function_call_output).
import type { Protocol } from '../../analysis/model.js';

export interface ToolResultText {
  id: string;
  text: string;
  isError: boolean;
}

export interface RequestInput {
  /** The newest user message text, when the request does not answer tool calls. */
  prompt: string | null;
  results: ToolResultText[];
}

function o(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Text of a content value: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  const parts: string[] = [];
  for (const p of content) {
    const x = o(p);
    if (!x) continue;
    if (typeof x.text === 'string') parts.push(x.text);
    else if (x.type === 'image' || x.type === 'input_image' || x.type === 'image_url') parts.push('[image]');
    else if (typeof x.content === 'string') parts.push(x.content);
  }
  return parts.join('\n');
}

function anthropic(body: Record<string, unknown>): RequestInput {
  const out: RequestInput = { prompt: null, results: [] };
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  const last = o(msgs[msgs.length - 1]);
  if (!last || last.role !== 'user') return out;
  if (Array.isArray(last.content)) {
    const texts: string[] = [];
    for (const part of last.content) {
      const p = o(part);
      if (!p) continue;
      if (p.type === 'tool_result') out.results.push({ id: String(p.tool_use_id ?? ''), text: textOf(p.content), isError: p.is_error === true });
      else if (p.type === 'text' && typeof p.text === 'string') texts.push(p.text);
    }
    if (out.results.length === 0 && texts.length) out.prompt = texts.join('\n');
  } else {
    out.prompt = textOf(last.content);
  }
  return out;
}

function chat(body: Record<string, unknown>): RequestInput {
  const out: RequestInput = { prompt: null, results: [] };
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  // The trailing run of tool messages answers the previous assistant turn.
  let i = msgs.length - 1;
  const results: ToolResultText[] = [];
  while (i >= 0) {
    const m = o(msgs[i]);
    if (!m || m.role !== 'tool') break;
    results.unshift({ id: String(m.tool_call_id ?? ''), text: textOf(m.content), isError: false });
    i--;
  }
  out.results = results;
  if (results.length === 0) {
    const m = o(msgs[msgs.length - 1]);
    if (m && m.role === 'user') out.prompt = textOf(m.content);
  }
  return out;
}

function responses(body: Record<string, unknown>, answers: readonly string[]): RequestInput {
  const out: RequestInput = { prompt: null, results: [] };
  const input = body.input;
  if (typeof input === 'string') {
    out.prompt = input;
    return out;
  }
  if (!Array.isArray(input)) return out;
  const wanted = new Set(answers);
  let lastUser: string | null = null;
  for (const item of input) {
    const x = o(item);
    if (!x) continue;
    if (x.type === 'function_call_output' || x.type === 'custom_tool_call_output') {
      const id = String(x.call_id ?? '');
      if (wanted.size === 0 || wanted.has(id)) out.results.push({ id, text: textOf(x.output), isError: false });
    } else if (x.role === 'user') {
      lastUser = textOf(x.content);
    }
  }
  if (out.results.length === 0) out.prompt = lastUser;
  return out;
}

function gemini(body: Record<string, unknown>): RequestInput {
  const out: RequestInput = { prompt: null, results: [] };
  const b = body.contents === undefined ? (o(body.request) ?? body) : body; // Code Assist wraps the request
  const contents = Array.isArray(b.contents) ? b.contents : [];
  const last = o(contents[contents.length - 1]);
  const parts = last && Array.isArray(last.parts) ? last.parts : [];
  const texts: string[] = [];
  for (const part of parts) {
    const p = o(part);
    const fr = p && o(p.functionResponse);
    if (fr) out.results.push({ id: String(fr.id ?? fr.name ?? ''), text: textOf(JSON.stringify(fr.response ?? {})), isError: false });
    else if (p && typeof p.text === 'string' && p.thought !== true) texts.push(p.text);
  }
  if (out.results.length === 0 && texts.length) out.prompt = texts.join('\n');
  return out;
}

/** The input side of a request, from its parsed JSON body; empty when the body is not readable. */
export function requestInput(protocol: Protocol, body: unknown, answers: readonly string[]): RequestInput {
  const b = o(body);
  if (!b) return { prompt: null, results: [] };
  switch (protocol) {
    case 'anthropic-messages':
      return anthropic(b);
    case 'openai-chat':
      return chat(b);
    case 'openai-responses':
      return responses(b, answers);
    case 'gemini-generate-content':
      return gemini(b);
  }
}
