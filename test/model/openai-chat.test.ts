import { describe, expect, it } from 'vitest';
import { TOOLS_CHAT, TWO_STEPS, openai, parseSse, post, server } from './helpers.js';

describe('OpenAI Chat Completions', async () => {
  const s = await server({ script: TWO_STEPS });
  const client = openai(s);

  it('streams text and tool calls that the SDK assembles, then answers the tool results', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-test',
      tools: TOOLS_CHAT,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'fix it' }],
    });
    const done = await stream.finalChatCompletion();
    const msg = done.choices[0].message;
    expect(done.choices[0].finish_reason).toBe('tool_calls');
    expect(msg.content).toBe('Let me look at both files.');
    const calls = msg.tool_calls!.map((c) => (c.type === 'function' ? c : null)!);
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([{ path: 'src/math.js' }, { path: 'test/math.test.js', lines: [1, 20] }]);
    expect(calls[0].id).toMatch(/^call_/);
    expect(done.usage?.completion_tokens).toBe(s.stats().log.at(-1)!.outputTokens);

    const next = await client.chat.completions.create({
      model: 'gpt-test',
      tools: TOOLS_CHAT,
      messages: [
        { role: 'user', content: 'fix it' },
        msg,
        ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: 'file text' })),
      ],
    });
    expect(next.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'All done: the add function now adds.' } });
  });

  it('sends tool-call deltas by index, a usage chunk with no choices, then [DONE]', async () => {
    const res = await post(s, '/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }] });
    const events = parseSse(await res.text());
    expect(events.at(-1)!.data).toBe('[DONE]');
    const usageChunk = events.at(-2)!.json;
    expect(usageChunk.choices).toEqual([]);
    const chunks = events.slice(0, -2).map((e) => e.json);
    for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
    const content = chunks.filter((c) => c.choices[0].delta.content);
    const args = chunks.filter((c) => c.choices[0].delta.tool_calls?.[0]?.function?.arguments);
    expect(new Set(args.map((c) => c.choices[0].delta.tool_calls[0].index))).toEqual(new Set([0, 1]));
    expect(args.filter((c) => c.choices[0].delta.tool_calls[0].index === 1).length).toBeGreaterThan(3);
    expect(usageChunk.usage.completion_tokens).toBe(content.length + args.length);
  });

  it('leaves out the usage chunk unless asked', async () => {
    const res = await post(s, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    const events = parseSse(await res.text());
    expect(events.some((e) => e.json && e.json.usage)).toBe(false);
  });

  it('reports a mid-stream error the SDK surfaces', async () => {
    const res = client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'go [lapse-fault:stream-error:3]' }] });
    await expect(res.finalChatCompletion()).rejects.toThrow(/injected by lapse/);
    expect(s.stats().log.at(-1)).toMatchObject({ status: 'error', outputTokens: 3 });
  });
});
