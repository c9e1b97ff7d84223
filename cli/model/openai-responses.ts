// OpenAI Responses: the event sequence (shared by SSE and WebSocket mode), the response object,
// and the in-memory store that makes `previous_response_id` work.
import type { Frame } from './frames.js';
import type { Plan } from './plan.js';

type Json = Record<string, unknown>;

export interface ResponseCtx {
  id: string;
  model: string;
  createdAt: number;
  inputTokens: number;
  /** The request body (instructions, tools, previous_response_id… are echoed back). */
  body: Json;
  /** Makes an item id with the given prefix (msg_, fc_, rs_). */
  itemId(prefix: string): string;
}

export function responseUsage(inputTokens: number, output: number, reasoning: number): Json {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + output,
  };
}

export function responseObject(ctx: ResponseCtx, status: string, output: Json[], usage: Json | null): Json {
  const b = ctx.body;
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    metadata: b.metadata ?? {},
    model: ctx.model,
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: b.reasoning ?? { effort: null, summary: null },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage,
    user: b.user ?? null,
  };
}

/** The event frames of one response, and its final output items. `sequence_number` is stamped when sent. */
export function responsesFrames(plan: Plan, ctx: ResponseCtx): { frames: Frame[]; output: Json[]; final: Json } {
  const f: Frame[] = [];
  const ev = (kind: Frame['kind'], type: string, rest: Json): void => void f.push({ kind, event: type, data: { type, sequence_number: 0, ...rest } });
  const output: Json[] = [];
  ev('head', 'response.created', { response: responseObject(ctx, 'in_progress', [], null) });
  ev('head', 'response.in_progress', { response: responseObject(ctx, 'in_progress', [], null) });

  if (plan.thinking.length) {
    const output_index = output.length;
    const id = ctx.itemId('rs_');
    const text = plan.thinking.join('');
    const item = { id, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
    output.push(item);
    const at = { item_id: id, output_index, summary_index: 0 };
    ev('struct', 'response.output_item.added', { output_index, item: { id, type: 'reasoning', summary: [] } });
    ev('struct', 'response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    for (const t of plan.thinking) ev('content', 'response.reasoning_summary_text.delta', { ...at, delta: t });
    ev('struct', 'response.reasoning_summary_text.done', { ...at, text });
    ev('struct', 'response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
    ev('struct', 'response.output_item.done', { output_index, item });
  }
  if (plan.text.length) {
    const output_index = output.length;
    const id = ctx.itemId('msg_');
    const text = plan.text.join('');
    const part = { type: 'output_text', annotations: [], logprobs: [], text };
    const item = { id, type: 'message', status: 'completed', content: [part], role: 'assistant' };
    output.push(item);
    const at = { item_id: id, output_index, content_index: 0 };
    ev('struct', 'response.output_item.added', { output_index, item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
    ev('struct', 'response.content_part.added', { ...at, part: { ...part, text: '' } });
    for (const t of plan.text) ev('content', 'response.output_text.delta', { ...at, delta: t, logprobs: [] });
    ev('struct', 'response.output_text.done', { ...at, text, logprobs: [] });
    ev('struct', 'response.content_part.done', { ...at, part });
    ev('struct', 'response.output_item.done', { output_index, item });
  }
  for (const c of plan.toolCalls) {
    const output_index = output.length;
    if (c.freeform) {
      // A custom (freeform) tool: its input is text, streamed as custom_tool_call_input deltas.
      const id = ctx.itemId('ctc_');
      const item = { id, type: 'custom_tool_call', status: 'completed', call_id: c.id, name: c.name, input: c.argsText, ...(c.namespace ? { namespace: c.namespace } : {}) };
      output.push(item);
      ev('struct', 'response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } });
      for (const p of c.pieces) ev('content', 'response.custom_tool_call_input.delta', { item_id: id, output_index, delta: p });
      ev('struct', 'response.custom_tool_call_input.done', { item_id: id, output_index, input: c.argsText });
      ev('struct', 'response.output_item.done', { output_index, item });
      continue;
    }
    const id = ctx.itemId('fc_');
    const item = { id, type: 'function_call', status: 'completed', arguments: c.argsText, call_id: c.id, name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) };
    output.push(item);
    ev('struct', 'response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
    for (const p of c.pieces) ev('content', 'response.function_call_arguments.delta', { item_id: id, output_index, delta: p });
    ev('struct', 'response.function_call_arguments.done', { item_id: id, output_index, name: c.name, arguments: c.argsText });
    ev('struct', 'response.output_item.done', { output_index, item });
  }
  const incomplete = plan.stopReason === 'max_tokens';
  const final = responseObject(ctx, incomplete ? 'incomplete' : 'completed', output, responseUsage(ctx.inputTokens, plan.outputTokens, plan.thinking.length));
  ev('struct', incomplete ? 'response.incomplete' : 'response.completed', { response: final });
  return { frames: f, output, final };
}

/** The mid-stream `error` event. */
export function responsesErrorFrame(code: string, message: string): Frame {
  return { kind: 'struct', event: 'error', data: { type: 'error', sequence_number: 0, code, message, param: null } };
}

/** Stamps consecutive sequence numbers on the events of one response as they go out. */
export function sequencer(): (f: Frame) => Frame {
  let n = 0;
  return (f) => {
    if (f.data && typeof f.data === 'object') (f.data as Json).sequence_number = n++;
    return f;
  };
}

/** Earlier responses, so a request can continue one by id (bounded: oldest dropped first). */
export class ResponseStore {
  private readonly items = new Map<string, { history: Json[]; response: Json }>();
  constructor(private readonly limit = 1000) {}

  put(id: string, history: Json[], response: Json): void {
    this.items.set(id, { history, response });
    if (this.items.size > this.limit) this.items.delete(this.items.keys().next().value as string);
  }

  /** Every item of the conversation up to and including that response's output. */
  history(id: string): Json[] | undefined {
    return this.items.get(id)?.history;
  }

  response(id: string): Json | undefined {
    return this.items.get(id)?.response;
  }
}
