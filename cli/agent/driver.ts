// What the agent loop needs from a protocol: keep the conversation in that protocol's own shape,
// make one model request, and make a side request for a title.

export type AgentProtocol = 'anthropic' | 'openai-chat' | 'openai-responses' | 'openai-ws';
export const AGENT_PROTOCOLS: AgentProtocol[] = ['anthropic', 'openai-chat', 'openai-responses', 'openai-ws'];

export interface ToolCall {
  /** tool_use id / tool_call id / call_id: the tool result goes back under it. */
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface Reply {
  text: string;
  toolCalls: ToolCall[];
}

export interface ToolResult {
  id: string;
  output: string;
  isError: boolean;
}

/** Per-request extras a harness may use: cancelling a stream, extra headers (e.g. `x-lapse-fault`). */
export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface Driver {
  /** Connects (WebSocket mode: opens the socket and sends the warm-up). */
  open(): Promise<void>;
  user(text: string): void;
  /** One model request with the conversation so far; the reply is added to the conversation. */
  next(opts?: RequestOptions): Promise<Reply>;
  toolResults(results: ToolResult[]): void;
  /** A side request for a conversation title (made concurrently with the loop). */
  title(firstPrompt: string): Promise<string>;
  /** False when `next` cannot honour RequestOptions (the WebSocket mode multiplexes one socket). */
  perRequestOptions: boolean;
  close(): Promise<void>;
}

export const SYSTEM_PROMPT =
  'You are a coding agent working in a small JavaScript project. Use the tools to read and change files ' +
  'and to run commands. Keep answers short.';

export const TITLE_PROMPT =
  'Write a short title (at most six words) for a conversation that starts with the user message below. Reply with the title only.';

export function parseArgs(text: string): Record<string, unknown> {
  if (!text) return {};
  const v: unknown = JSON.parse(text);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
