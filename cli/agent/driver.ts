// What the agent loop needs from a protocol: keep the conversation in that protocol's own shape,
// make one model request, and make a side request for a title.
import type { ToolSpec } from './tools.js';

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
  /** A fresh conversation for a subagent (its own system prompt, the plain tools, over HTTP), on the same client. */
  subagent(agentId: string): Driver;
  close(): Promise<void>;
}

/** What one conversation is set up with. */
export interface DriverConfig {
  system: string;
  tools: ToolSpec[];
  /**
   * Send Claude Code's marks (Anthropic only): a billing line as the first system block, and for a
   * subagent `cc_is_subagent=true` in it plus the `x-claude-code-agent-id` header.
   */
  claudeCodeMarks: boolean;
  /** Set for a subagent's conversation. */
  agentId?: string;
}

export const SUBAGENT_PROMPT =
  'You are a subagent of a coding agent. Do the task in the first message with the tools, then answer with a short report; ' +
  'your answer goes back to the agent that started you.';

/** Claude Code's first system block (its shape; the version is ours). */
export function billingLine(subagent: boolean): string {
  return `x-anthropic-billing-header: cc_version=2.1.0.lap; cc_entrypoint=cli;${subagent ? ' cc_is_subagent=true;' : ''}`;
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
