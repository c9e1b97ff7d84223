// OpenAI Chat Completions: `data:` chunk lines (tool calls by index), optional usage chunk, [DONE].
import type { Frame } from './frames.js';
import type { Plan } from './plan.js';

export interface ChatCtx {
  id: string;
  model: string;
  created: number;
  inputTokens: number;
  includeUsage: boolean;
}

const FINISH = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length' } as const;

function chatUsage(ctx: ChatCtx, output: number): Record<string, unknown> {
  return {
    prompt_tokens: ctx.inputTokens,
    completion_tokens: output,
    total_tokens: ctx.inputTokens + output,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export function chatFrames(plan: Plan, ctx: ChatCtx): Frame[] {
  const f: Frame[] = [];
  const chunk = (kind: Frame['kind'], delta: Record<string, unknown>, finish: string | null = null): void => {
    f.push({
      kind,
      data: {
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        system_fingerprint: 'fp_lapse',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(ctx.includeUsage ? { usage: null } : {}),
      },
    });
  };
  chunk('struct', { role: 'assistant', content: plan.text.length ? '' : null, refusal: null });
  for (const t of plan.text) chunk('content', { content: t });
  plan.toolCalls.forEach((c, index) => {
    chunk('struct', { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
    for (const p of c.pieces) chunk('content', { tool_calls: [{ index, function: { arguments: p } }] });
  });
  chunk('struct', {}, FINISH[plan.stopReason]);
  if (ctx.includeUsage) {
    f.push({
      kind: 'struct',
      data: {
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        system_fingerprint: 'fp_lapse',
        choices: [],
        usage: chatUsage(ctx, plan.outputTokens),
      },
    });
  }
  f.push({ kind: 'struct', data: '[DONE]' });
  return f;
}

export function chatCompletion(plan: Plan, ctx: ChatCtx): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.text.length ? plan.text.join('') : null, refusal: null };
  if (plan.toolCalls.length) {
    message.tool_calls = plan.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.argsText } }));
  }
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_lapse',
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[plan.stopReason] }],
    usage: chatUsage(ctx, plan.outputTokens),
  };
}

export function openaiErrorBody(type: string, message: string, code: string | null = null, param: string | null = null): Record<string, unknown> {
  return { error: { message, type, param, code } };
}

export function chatErrorFrame(type: string, message: string): Frame {
  return { kind: 'struct', data: openaiErrorBody(type, message) };
}
