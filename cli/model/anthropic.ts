// Anthropic Messages: the SSE event sequence and the non-streamed message body for a plan.
import type { Frame } from './frames.js';
import type { Plan } from './plan.js';

export interface MessageCtx {
  id: string;
  model: string;
  inputTokens: number;
}

const SIGNATURE = 'bGFwc2Utc2NyaXB0ZWQtdGhpbmtpbmc='; // thinking blocks carry a signature; any base64 will do here

function usage(ctx: MessageCtx, output: number): Record<string, number> {
  return { input_tokens: ctx.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output };
}

export function anthropicFrames(plan: Plan, ctx: MessageCtx): Frame[] {
  const f: Frame[] = [];
  const ev = (kind: Frame['kind'], data: Record<string, unknown>): void => void f.push({ kind, event: String(data.type), data });
  ev('head', {
    type: 'message_start',
    message: { id: ctx.id, type: 'message', role: 'assistant', model: ctx.model, content: [], stop_reason: null, stop_sequence: null, usage: usage(ctx, 0) },
  });
  ev('head', { type: 'ping' });
  let index = 0;
  if (plan.thinking.length) {
    ev('struct', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const t of plan.thinking) ev('content', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: t } });
    ev('struct', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: SIGNATURE } });
    ev('struct', { type: 'content_block_stop', index });
    index++;
  }
  if (plan.text.length) {
    ev('struct', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const t of plan.text) ev('content', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
    ev('struct', { type: 'content_block_stop', index });
    index++;
  }
  for (const c of plan.toolCalls) {
    ev('struct', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
    for (const p of c.pieces) ev('content', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } });
    ev('struct', { type: 'content_block_stop', index });
    index++;
  }
  ev('struct', { type: 'message_delta', delta: { stop_reason: plan.stopReason, stop_sequence: null }, usage: usage(ctx, plan.outputTokens) });
  ev('struct', { type: 'message_stop' });
  return f;
}

export function anthropicMessage(plan: Plan, ctx: MessageCtx): Record<string, unknown> {
  const content: unknown[] = [];
  if (plan.thinking.length) content.push({ type: 'thinking', thinking: plan.thinking.join(''), signature: SIGNATURE });
  if (plan.text.length) content.push({ type: 'text', text: plan.text.join('') });
  for (const c of plan.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.argsText) });
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: plan.stopReason,
    stop_sequence: null,
    usage: usage(ctx, plan.outputTokens),
  };
}

export function anthropicErrorBody(type: string, message: string, requestId?: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, ...(requestId ? { request_id: requestId } : {}) };
}

export function anthropicErrorFrame(type: string, message: string): Frame {
  return { kind: 'struct', event: 'error', data: anthropicErrorBody(type, message) };
}
