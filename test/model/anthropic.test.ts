import { describe, expect, it } from 'vitest';
import { APIError } from '@anthropic-ai/sdk';
import { TOOLS_ANTHROPIC, TWO_STEPS, anthropic, parseSse, post, server } from './helpers.js';

describe('Anthropic Messages', async () => {
  const s = await server({ script: TWO_STEPS });
  const client = anthropic(s);

  it('streams text and tool calls that the SDK assembles', async () => {
    const msg = await client.messages
      .stream({ model: 'claude-test', max_tokens: 1000, tools: TOOLS_ANTHROPIC, messages: [{ role: 'user', content: 'fix it' }] })
      .finalMessage();
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Let me look at both files.' });
    const tools = msg.content.filter((b) => b.type === 'tool_use');
    expect(tools.map((t) => t.type === 'tool_use' && t.input)).toEqual([{ path: 'src/math.js' }, { path: 'test/math.test.js', lines: [1, 20] }]);
    expect(tools[0].type === 'tool_use' && tools[0].id).toMatch(/^toolu_/);

    // answering the tool calls moves the script on
    const next = await client.messages.create({
      model: 'claude-test',
      max_tokens: 1000,
      tools: TOOLS_ANTHROPIC,
      messages: [
        { role: 'user', content: 'fix it' },
        { role: 'assistant', content: msg.content },
        { role: 'user', content: tools.map((t) => ({ type: 'tool_result' as const, tool_use_id: t.type === 'tool_use' ? t.id : '', content: 'file text' })) },
      ],
    });
    expect(next.stop_reason).toBe('end_turn');
    expect(next.content).toEqual([{ type: 'text', text: 'All done: the add function now adds.' }]);
  });

  it('sends one token per content delta, splits tool input, and reports usage = deltas sent', async () => {
    const res = await post(s, '/v1/messages?beta=true', { model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'go' }] });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event).slice(0, 2)).toEqual(['message_start', 'ping']);
    expect(events.at(-1)?.event).toBe('message_stop');
    for (const e of events) expect(e.json.type).toBe(e.event);
    const deltas = events.filter((e) => e.event === 'content_block_delta' && e.json.delta.type !== 'signature_delta');
    const json = deltas.filter((e) => e.json.delta.type === 'input_json_delta');
    expect(json.filter((e) => e.json.index === 1).length).toBeGreaterThan(3); // split into several pieces
    const usage = events.find((e) => e.event === 'message_delta')!.json.usage;
    expect(usage.output_tokens).toBe(deltas.length);
    expect(events[0].json.message.usage.input_tokens).toBeGreaterThan(0);
    const st = s.stats().log.at(-1)!;
    expect(st.outputTokens).toBe(deltas.length);
    expect(st.status).toBe('complete');
  });

  it('answers without streaming, and counts tokens', async () => {
    const msg = await client.messages.create({ model: 'claude-test', max_tokens: 1000, messages: [{ role: 'user', content: 'go' }] });
    expect(msg.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(msg.usage.output_tokens).toBeGreaterThan(10);
    const count = await client.messages.countTokens({ model: 'claude-test', messages: [{ role: 'user', content: 'hello there' }] });
    expect(count.input_tokens).toBeGreaterThan(0);
  });

  it('streams thinking when the request enables it', async () => {
    const t = await server({ script: [{ thinking: 'Hmm, let me think.', text: 'Answer.' }] });
    const msg = await anthropic(t)
      .messages.stream({ model: 'm', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'q' }] })
      .finalMessage();
    expect(msg.content[0]).toMatchObject({ type: 'thinking', thinking: 'Hmm, let me think.' });
    expect(msg.content[1]).toMatchObject({ type: 'text', text: 'Answer.' });
    expect(msg.usage.output_tokens).toBe(t.stats().log[0].outputTokens);
  });

  it('injects a 529 overloaded error that a retrying SDK gets past', async () => {
    const req = { model: 'm', max_tokens: 100, messages: [{ role: 'user' as const, content: 'go [lapse-fault:overloaded]' }] };
    const err = await client.messages.create(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(529);
    expect((err as APIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const ok = await anthropic(s, 2).messages.create(req);
    expect(ok.stop_reason).toBe('tool_use');
  });

  it('sends a mid-stream error event when the script says so', async () => {
    const t = await server({ script: [{ text: 'one two three four five six', fault: { kind: 'stream-error', afterTokens: 2 } }] });
    const res = await post(t, '/v1/messages', { model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'go' }] });
    const events = parseSse(await res.text());
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: 'error', json: { type: 'error', error: { type: 'overloaded_error' } } });
    await expect(
      anthropic(t).messages.stream({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }).finalMessage(),
    ).rejects.toThrow(/Overloaded/);
  });
});
