import { describe, expect, it } from 'vitest';
import { APIError } from 'openai';
import { TOOLS_RESPONSES, TWO_STEPS, openai, parseSse, post, server } from './helpers.js';

describe('OpenAI Responses over HTTP', async () => {
  const s = await server({ script: TWO_STEPS });
  const client = openai(s);

  it('streams text and function calls, and continues with previous_response_id', async () => {
    const first = await client.responses.stream({ model: 'gpt-test', tools: TOOLS_RESPONSES, input: 'fix it' }).finalResponse();
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe('Let me look at both files.');
    const calls = first.output.filter((o) => o.type === 'function_call');
    expect(calls.map((c) => c.type === 'function_call' && JSON.parse(c.arguments))).toEqual([{ path: 'src/math.js' }, { path: 'test/math.test.js', lines: [1, 20] }]);
    expect(first.usage?.output_tokens).toBe(s.stats().log.at(-1)!.outputTokens);

    const second = await client.responses.create({
      model: 'gpt-test',
      tools: TOOLS_RESPONSES,
      previous_response_id: first.id,
      input: calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.type === 'function_call' ? c.call_id : '', output: 'file text' })),
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('All done: the add function now adds.');
    expect((await client.responses.retrieve(second.id)).id).toBe(second.id);
  });

  it('numbers events in sequence and reports usage = deltas sent', async () => {
    const res = await post(s, '/v1/responses', { model: 'm', stream: true, input: 'go' });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.json.sequence_number)).toEqual(events.map((_, i) => i));
    for (const e of events) expect(e.json.type).toBe(e.event);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['response.created', 'response.in_progress']);
    expect(events.at(-1)!.event).toBe('response.completed');
    const deltas = events.filter((e) => e.event === 'response.output_text.delta' || e.event === 'response.function_call_arguments.delta');
    expect(events.at(-1)!.json.response.usage.output_tokens).toBe(deltas.length);
  });

  it('streams reasoning summaries when reasoning is requested', async () => {
    const t = await server({ script: [{ thinking: 'Thinking it over.', text: 'Yes.' }] });
    const r = await openai(t).responses.stream({ model: 'm', input: 'q', reasoning: { effort: 'low', summary: 'auto' } }).finalResponse();
    expect(r.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking it over.' }] });
    expect(r.output_text).toBe('Yes.');
    expect(r.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('rejects an unknown previous_response_id with a 400', async () => {
    const err = await client.responses.create({ model: 'm', previous_response_id: 'resp_nope', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).code).toBe('previous_response_not_found');
  });

  it('can reset the connection mid-stream', async () => {
    const stream = client.responses.stream({ model: 'm', input: 'go [lapse-fault:reset:4]' });
    await expect(stream.finalResponse()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.stats().log.at(-1)).toMatchObject({ status: 'aborted', outputTokens: 4 });
  });
});
