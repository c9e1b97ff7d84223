// Turns a request of any of the three wire protocols into one normalized conversation, which is all
// a script looks at. Only what a script needs is kept (who said what, which tools were asked for).
import { countTokens } from './tokens.js';

export type Protocol = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

export type ConvMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: Array<{ id: string; name: string }> }
  | { role: 'tool'; callId: string; output: string };

export interface Conversation {
  protocol: Protocol;
  model: string;
  /** System prompt / instructions, joined. */
  system: string;
  messages: ConvMessage[];
  /** Names of the tools the client offered. */
  toolNames: string[];
  /** Each offered tool's parameter schema (JSON Schema), by name; null when it has none (a freeform tool). */
  toolSchemas: Record<string, Json | null>;
  /** Each offered tool's description, by name ('' when it has none). */
  toolDescriptions: Record<string, string>;
  /** The namespace of each tool offered inside one (Responses `{type:'namespace', tools}`), by name. */
  toolNamespaces: Record<string, string>;
  /** Tools that take free text instead of JSON arguments (Responses `{type:'custom'}`: Codex's code-mode `exec`). */
  freeformTools: string[];
  /** The client asked for thinking / reasoning output. */
  thinking: boolean;
  maxTokens: number | null;
  /** Our own count of the request's tokens (same tokenizer as the output). */
  inputTokens: number;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Text of a content value that is a string or a list of typed parts. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join('\n');
}

type ToolsOffered = Pick<Conversation, 'toolNames' | 'toolSchemas' | 'toolDescriptions' | 'toolNamespaces' | 'freeformTools'>;

/** Tools as Anthropic (`input_schema`), Chat (`function.parameters`), Responses (`parameters`, `custom`) or Gemini (`functionDeclarations`) offer them. */
function toolsOf(tools: unknown): ToolsOffered {
  const toolNames: string[] = [];
  const toolSchemas: Record<string, Json | null> = {};
  const toolDescriptions: Record<string, string> = {};
  const toolNamespaces: Record<string, string> = {};
  const freeformTools: string[] = [];
  const add = (name: unknown, schema: unknown, description: unknown, freeform = false) => {
    if (typeof name !== 'string') return;
    toolNames.push(name);
    toolSchemas[name] = isObj(schema) ? schema : null;
    toolDescriptions[name] = str(description);
    if (freeform) freeformTools.push(name);
  };
  for (const t of Array.isArray(tools) ? tools : []) {
    if (!isObj(t)) continue;
    if (t.type === 'namespace' && typeof t.name === 'string' && Array.isArray(t.tools)) {
      // Codex offers its sub-agent tools grouped: the model names the namespace in its call.
      for (const x of t.tools) {
        if (!isObj(x) || typeof x.name !== 'string') continue;
        add(x.name, x.parameters, x.description, x.type === 'custom');
        toolNamespaces[x.name] = t.name;
      }
    } else if (Array.isArray(t.functionDeclarations)) {
      for (const d of t.functionDeclarations) if (isObj(d)) add(d.name, d.parametersJsonSchema ?? d.parameters, d.description);
    } else if (typeof t.name === 'string') add(t.name, t.input_schema ?? t.parameters, t.description, t.type === 'custom');
    else if (isObj(t.function)) add(t.function.name, t.function.parameters, t.function.description);
  }
  return { toolNames, toolSchemas, toolDescriptions, toolNamespaces, freeformTools };
}

function maxTokensOf(body: Json, key: string): number | null {
  const v = body[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function anthropicConversation(body: Json): Conversation {
  const messages: ConvMessage[] = [];
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObj(m)) continue;
    if (m.role === 'assistant') {
      const blocks = Array.isArray(m.content) ? m.content : [];
      const toolCalls = blocks.filter((b) => isObj(b) && b.type === 'tool_use').map((b) => ({ id: str((b as Json).id), name: str((b as Json).name) }));
      messages.push({ role: 'assistant', text: partsText(typeof m.content === 'string' ? m.content : blocks.filter((b) => isObj(b) && b.type === 'text')), toolCalls });
      continue;
    }
    if (typeof m.content === 'string') {
      messages.push({ role: 'user', text: m.content });
      continue;
    }
    const blocks = Array.isArray(m.content) ? (m.content as unknown[]) : [];
    const results = blocks.filter((b): b is Json => isObj(b) && b.type === 'tool_result');
    for (const r of results) messages.push({ role: 'tool', callId: str(r.tool_use_id), output: partsText(r.content) });
    // Text riding along with tool results (reminders, notes) is not a new user turn.
    if (results.length === 0) messages.push({ role: 'user', text: partsText(blocks) });
  }
  const thinking = isObj(body.thinking) && body.thinking.type !== 'disabled';
  return {
    protocol: 'anthropic',
    model: str(body.model) || 'lapse-scripted',
    system: partsText(body.system),
    messages,
    ...toolsOf(body.tools),
    thinking,
    maxTokens: maxTokensOf(body, 'max_tokens'),
    inputTokens: countTokens(JSON.stringify([body.system ?? '', body.messages ?? [], body.tools ?? []])),
  };
}

export function chatConversation(body: Json): Conversation {
  const messages: ConvMessage[] = [];
  const system: string[] = [];
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObj(m)) continue;
    if (m.role === 'system' || m.role === 'developer') system.push(partsText(m.content));
    else if (m.role === 'user') messages.push({ role: 'user', text: partsText(m.content) });
    else if (m.role === 'tool') messages.push({ role: 'tool', callId: str(m.tool_call_id), output: partsText(m.content) });
    else if (m.role === 'assistant') {
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
      messages.push({
        role: 'assistant',
        text: partsText(m.content),
        toolCalls: calls.filter(isObj).map((c) => ({ id: str(c.id), name: isObj(c.function) ? str(c.function.name) : '' })),
      });
    }
  }
  return {
    protocol: 'openai-chat',
    model: str(body.model) || 'lapse-scripted',
    system: system.join('\n'),
    messages,
    ...toolsOf(body.tools),
    thinking: typeof body.reasoning_effort === 'string',
    maxTokens: maxTokensOf(body, 'max_completion_tokens') ?? maxTokensOf(body, 'max_tokens'),
    inputTokens: countTokens(JSON.stringify([body.messages ?? [], body.tools ?? []])),
  };
}

/** Responses API input items (a string input is one user message). */
export function responsesItems(input: unknown): Json[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input.filter(isObj) : [];
}

/** `history` is every item of the conversation so far: earlier inputs and outputs, then this input. */
export function responsesConversation(body: Json, history: Json[]): Conversation {
  const messages: ConvMessage[] = [];
  const system: string[] = [];
  if (typeof body.instructions === 'string') system.push(body.instructions);
  for (const it of history) {
    const type = it.type ?? 'message';
    if (type === 'message') {
      if (it.role === 'system' || it.role === 'developer') system.push(partsText(it.content));
      else if (it.role === 'user') messages.push({ role: 'user', text: partsText(it.content) });
      else if (it.role === 'assistant') {
        const last = messages[messages.length - 1];
        // A message item and the function calls after it form one assistant turn.
        if (last && last.role === 'assistant' && !last.text) last.text = partsText(it.content);
        else messages.push({ role: 'assistant', text: partsText(it.content), toolCalls: [] });
      }
    } else if (type === 'agent_message') {
      // Codex on its default model: another agent's message to this one (a sub-agent's task, a
      // finished agent's report). Its payload is `encrypted_content` the model wrote itself: for
      // this endpoint, its own plain text.
      const parts = Array.isArray(it.content) ? it.content.filter(isObj) : [];
      messages.push({ role: 'user', text: parts.map((p) => str(p.text) || str(p.encrypted_content)).filter(Boolean).join('\n') });
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const last = messages[messages.length - 1];
      const call = { id: str(it.call_id), name: str(it.name) };
      if (last && last.role === 'assistant') last.toolCalls.push(call);
      else messages.push({ role: 'assistant', text: '', toolCalls: [call] });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      messages.push({ role: 'tool', callId: str(it.call_id), output: typeof it.output === 'string' ? it.output : partsText(it.output) });
    } else if (type === 'reasoning') {
      const last = messages[messages.length - 1];
      if (!last || last.role !== 'assistant') messages.push({ role: 'assistant', text: '', toolCalls: [] });
    }
  }
  // Codex on its newest models offers its tools in an `additional_tools` input item, not in `tools`.
  const offered = [...(Array.isArray(body.tools) ? body.tools : []), ...history.filter((it) => it.type === 'additional_tools').flatMap((it) => (Array.isArray(it.tools) ? it.tools : []))];
  return {
    protocol: 'openai-responses',
    model: str(body.model) || 'lapse-scripted',
    system: system.join('\n'),
    messages,
    ...toolsOf(offered),
    thinking: isObj(body.reasoning) && body.reasoning.summary != null,
    maxTokens: maxTokensOf(body, 'max_output_tokens'),
    inputTokens: countTokens(JSON.stringify([body.instructions ?? '', history, body.tools ?? []])),
  };
}

/** Gemini `generateContent`: `contents` of user/model turns with text, functionCall and functionResponse parts. */
export function geminiConversation(body: Json, model: string): Conversation {
  const messages: ConvMessage[] = [];
  for (const c of Array.isArray(body.contents) ? body.contents : []) {
    if (!isObj(c)) continue;
    const parts = (Array.isArray(c.parts) ? c.parts : []).filter(isObj);
    const text = parts
      .filter((p) => typeof p.text === 'string' && p.thought !== true)
      .map((p) => p.text as string)
      .join('\n');
    if (c.role === 'model') {
      const toolCalls = parts.filter((p) => isObj(p.functionCall)).map((p) => {
        const fc = p.functionCall as Json;
        return { id: str(fc.id) || str(fc.name), name: str(fc.name) };
      });
      messages.push({ role: 'assistant', text, toolCalls });
      continue;
    }
    const results = parts.filter((p) => isObj(p.functionResponse));
    for (const p of results) {
      const fr = p.functionResponse as Json;
      messages.push({ role: 'tool', callId: str(fr.id) || str(fr.name), output: JSON.stringify(fr.response ?? {}) });
    }
    if (results.length === 0) messages.push({ role: 'user', text });
  }
  const gen = isObj(body.generationConfig) ? body.generationConfig : {};
  const thinkingConfig = isObj(gen.thinkingConfig) ? gen.thinkingConfig : {};
  return {
    protocol: 'gemini',
    model,
    system: isObj(body.systemInstruction) ? partsText(body.systemInstruction.parts) : partsText(body.systemInstruction),
    messages,
    ...toolsOf(body.tools),
    thinking: thinkingConfig.includeThoughts === true,
    maxTokens: maxTokensOf(gen, 'maxOutputTokens'),
    inputTokens: countTokens(JSON.stringify([body.systemInstruction ?? '', body.contents ?? [], body.tools ?? []])),
  };
}

// ---- what scripts usually ask of a conversation ----

/** The conversation's first user message (a subagent's: its spawn prompt). */
export function firstUserText(c: Conversation): string {
  for (const m of c.messages) if (m.role === 'user') return m.text;
  return '';
}

export function lastUserText(c: Conversation): string {
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const m = c.messages[i];
    if (m.role === 'user') return m.text;
  }
  return '';
}

/** Number of user turns (user text messages, not tool results). */
export function userTurns(c: Conversation): number {
  return c.messages.filter((m) => m.role === 'user').length;
}

/** Model replies since the last user text message: 0 at the start of a turn. */
export function repliesThisTurn(c: Conversation): number {
  let n = 0;
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const m = c.messages[i];
    if (m.role === 'user') break;
    if (m.role === 'assistant') n++;
  }
  return n;
}

export function assistantReplies(c: Conversation): number {
  return c.messages.filter((m) => m.role === 'assistant').length;
}

export function toolResults(c: Conversation): number {
  return c.messages.filter((m) => m.role === 'tool').length;
}
