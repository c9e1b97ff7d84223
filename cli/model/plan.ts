// A script step turned into exactly what will be streamed: the token pieces of each content block.
// The protocol encoders only re-shape a plan; the token count lives here, once.
import type { Conversation } from './conversation.js';
import type { FaultSpec, ScriptStep } from './script.js';
import { tokenize } from './tokens.js';

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens';

export interface PlannedToolCall {
  /** Protocol-shaped id (toolu_…, call_…). */
  id: string;
  name: string;
  /** The tool's namespace, where the client offered it inside one (Codex's `multi_agent_v1`). */
  namespace?: string;
  /** The arguments' JSON text (a freeform tool's raw input text); `pieces.join('') === argsText`. */
  argsText: string;
  /** A freeform tool's call (Responses `custom_tool_call`): argsText is its input as is, not JSON. */
  freeform?: true;
  pieces: string[];
}

export interface Plan {
  thinking: string[];
  text: string[];
  toolCalls: PlannedToolCall[];
  stopReason: StopReason;
  /** Content-bearing deltas the stream will carry = the usage reported. */
  outputTokens: number;
  fault?: FaultSpec;
}

export function makePlan(step: ScriptStep, conv: Conversation, callId: () => string, fault: FaultSpec | undefined): Plan {
  const thinking = conv.thinking && conv.protocol !== 'openai-chat' && step.thinking ? tokenize(step.thinking) : [];
  let text = tokenize(step.text ?? '');
  const toolCalls = (step.toolCalls ?? []).map((c) => {
    const freeform = typeof c.arguments === 'string' && conv.freeformTools.includes(c.name);
    const argsText = freeform ? (c.arguments as string) : JSON.stringify(c.arguments ?? {});
    const namespace = conv.toolNamespaces[c.name];
    return { id: callId(), name: c.name, ...(namespace ? { namespace } : {}), ...(freeform ? { freeform: true as const } : {}), argsText, pieces: tokenize(argsText) };
  });
  let stopReason: StopReason = step.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn');
  // A text-only answer respects the client's token budget, as a real model does.
  if (toolCalls.length === 0 && conv.maxTokens !== null && thinking.length + text.length > conv.maxTokens) {
    text = text.slice(0, Math.max(0, conv.maxTokens - thinking.length));
    stopReason = 'max_tokens';
  }
  const outputTokens = thinking.length + text.length + toolCalls.reduce((n, c) => n + c.pieces.length, 0);
  return { thinking, text, toolCalls, stopReason, outputTokens, fault };
}
