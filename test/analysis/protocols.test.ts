// The request side of each protocol module: what a request fed the model (input), the conversation
// replay compares, and the socket framing.
import { describe, expect, it } from 'vitest';
import { anthropicDecoder, conversationOf, openaiChatDecoder, openaiResponsesDecoder, socketProtocolForUrl } from '../../analysis/protocols/index.js';

describe('protocol input()', () => {
  it('Anthropic: the tool results of the last user message, else its text', () => {
    const results = { messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: [] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }, { type: 'image' }], is_error: true }] }] };
    expect(anthropicDecoder.input(results, ['t1'])).toEqual({ prompt: null, results: [{ id: 't1', text: 'ok\n[image]', isError: true }] });
    expect(anthropicDecoder.input({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] }, [])).toEqual({ prompt: 'a\nb', results: [] });
    expect(anthropicDecoder.input({ messages: [{ role: 'assistant', content: 'x' }] }, [])).toEqual({ prompt: null, results: [] });
    expect(anthropicDecoder.input('not json', [])).toEqual({ prompt: null, results: [] });
  });

  it('Chat: the trailing tool messages, else the last user message', () => {
    const body = { messages: [{ role: 'user', content: 'go' }, { role: 'assistant', tool_calls: [] }, { role: 'tool', tool_call_id: 'c1', content: 'one' }, { role: 'tool', tool_call_id: 'c2', content: 'two' }] };
    expect(openaiChatDecoder.input(body, [])).toEqual({ prompt: null, results: [{ id: 'c1', text: 'one', isError: false }, { id: 'c2', text: 'two', isError: false }] });
    expect(openaiChatDecoder.input({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'hello' }] }, [])).toEqual({ prompt: 'hello', results: [] });
  });

  it('Responses: the *_output items it answers, a string input, or the last user item; a socket frame may nest the request', () => {
    const body = { input: [{ role: 'user', content: [{ type: 'input_text', text: 'go' }] }, { type: 'function_call_output', call_id: 'a', output: 'A' }, { type: 'function_call_output', call_id: 'b', output: 'B' }] };
    expect(openaiResponsesDecoder.input(body, ['b'])).toEqual({ prompt: null, results: [{ id: 'b', text: 'B', isError: false }] });
    expect(openaiResponsesDecoder.input({ input: 'just text' }, [])).toEqual({ prompt: 'just text', results: [] });
    expect(openaiResponsesDecoder.input({ type: 'response.create', response: { input: [{ role: 'user', content: 'nested' }] } }, [])).toEqual({ prompt: 'nested', results: [] });
  });
});

describe('protocol conversation() and the registry', () => {
  it('finds the messages or the input, nested or not', () => {
    const msgs = [{ role: 'user', content: 'x' }];
    expect(anthropicDecoder.conversation({ messages: msgs })).toBe(msgs);
    expect(openaiResponsesDecoder.conversation({ input: 'y' })).toBe('y');
    expect(openaiResponsesDecoder.conversation({ type: 'response.create', response: { input: msgs } })).toBe(msgs);
    expect(conversationOf({ messages: msgs })).toBe(msgs);
    expect(conversationOf({ input: msgs })).toBe(msgs);
    expect(conversationOf({ prompt: 'legacy' })).toBeNull();
  });

  it('frames Responses WebSocket turns, and only on a Responses path', () => {
    const framing = socketProtocolForUrl('/v1/responses')!.socket!;
    expect(framing.opens({ type: 'response.create' })).toBe(true);
    expect(framing.opens({ type: 'session.update' })).toBe(false);
    expect(['response.completed', 'response.incomplete', 'response.failed', 'error'].map((t) => framing.ends({ type: t }))).toEqual([true, true, true, true]);
    expect(framing.ends({ type: 'response.output_text.delta' })).toBe(false);
    expect(socketProtocolForUrl('/v1/messages')).toBeNull();
    expect(socketProtocolForUrl('/realtime')).toBeNull();
  });
});
