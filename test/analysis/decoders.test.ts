import { describe, expect, it } from 'vitest';
import { anthropicDecoder, openaiChatDecoder, openaiResponsesDecoder, decoderForUrl } from '../../analysis/protocols/index.js';
import { EventLog } from '../../analysis/events.js';
import { analyseRecords } from '../../analysis/session.js';
import { sseData, sseEventName } from '../../format/sse.js';
import type { TraceRecord } from '../../format/types.js';
import { fixtureJson, fixtureText, httpRecords, spread, sseEvents } from '../factory/records.js';

/** A fixture served as one exchange: head at 100 ms, events 10 ms apart from 200 ms. */
function served(id: string, url: string, body: unknown, name: string, end: 'complete' | 'aborted' | null = 'complete') {
  const events = sseEvents(fixtureText(name));
  const eventMs = events.map((_, i) => 200 + 10 * i);
  const endMs = end === null ? null : eventMs[eventMs.length - 1] + 5;
  return httpRecords({ id, url, body, startMs: 50, headMs: 100, eventMs, events, endMs, outcome: end ?? 'complete' });
}

function one(records: TraceRecord[]) {
  const m = analyseRecords(records);
  expect(m.requests).toHaveLength(1);
  return { m, r: m.requests[0] };
}

describe('protocol detection', () => {
  it('maps paths to decoders and leaves other endpoints out', () => {
    expect(decoderForUrl('/v1/messages?beta=true')?.protocol).toBe('anthropic-messages');
    expect(decoderForUrl('/proxy/anthropic/v1/messages')?.protocol).toBe('anthropic-messages');
    expect(decoderForUrl('/v1/chat/completions')?.protocol).toBe('openai-chat');
    expect(decoderForUrl('http://127.0.0.1:9/v1/responses')?.protocol).toBe('openai-responses');
    expect(decoderForUrl('/v1/messages/count_tokens?beta=true')).toBeNull();
    expect(decoderForUrl('/v1/models')).toBeNull();
  });

  it('ignores non-model exchanges', () => {
    const recs = httpRecords({ id: 'c', url: '/v1/messages/count_tokens', body: { model: 'x', messages: [] }, startMs: 1, headMs: 2, eventMs: [3], chunks: ['{"input_tokens":5}'], endMs: 4 });
    expect(analyseRecords(recs).requests).toHaveLength(0);
  });
});

describe('Anthropic Messages', () => {
  it('decodes thinking, text and parallel tool calls split across deltas', () => {
    const log = new EventLog();
    for (const ev of sseEvents(fixtureText('anthropic-tools.sse'))) anthropicDecoder.event(1, sseData(ev), sseEventName(ev), log);
    const kinds = log.events.filter((e) => e.type === 'content').map((e) => (e.type === 'content' ? e.kind : ''));
    expect(kinds).toEqual(['thinking', 'thinking', 'text', 'text', 'tool-args', 'tool-args', 'tool-args', 'tool-args', 'tool-args']);
    expect(log.events).toContainEqual({ type: 'unknown', eventType: 'future_event_kind' });
    expect(log.events).toContainEqual({ type: 'stop', reason: 'tool_use' });
  });

  it('builds the request: tools, usage, timing', () => {
    const body = fixtureJson('anthropic-tools.request.json');
    const { m, r } = one(served('a1', '/v1/messages?beta=true', body, 'anthropic-tools.sse'));
    expect(r.protocol).toBe('anthropic-messages');
    expect(r.model).toBe('claude-sonnet-4-5');
    expect(r.messageCount).toBe(3);
    expect(r.answersToolCallIds).toEqual(['toolu_00A']);
    expect(r.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['toolu_01X', 'Read', { file_path: 'src/a.ts' }],
      ['toolu_01Y', 'Read', { file_path: 'src/b.ts' }],
    ]);
    expect(r.inputTokens).toBe(12 + 100 + 2000);
    expect(r.cacheReadTokens).toBe(2000);
    expect(r.cacheWriteTokens).toBe(100);
    expect(r.outputTokens).toBe(87);
    expect(r.stopReason).toBe('tool_use');
    expect(r.status).toBe('complete');
    expect(r.firstByteMs).toBe(100);
    // events: 0 message_start @200, 1 block start @210, 2 ping @220, 3 first thinking delta @230
    expect(r.firstContentMs).toBe(230);
    expect(r.ttftMs).toBe(180);
    const nEvents = sseEvents(fixtureText('anthropic-tools.sse')).length;
    const endMs = 200 + 10 * (nEvents - 1) + 5;
    expect(r.endMs).toBe(endMs);
    expect(r.streamMs).toBe(endMs - 230);
    expect(r.tokensPerSecond).toBeCloseTo(87 / ((endMs - 230) / 1000), 9);
    expect(r.deltas.toArray().filter((d) => d.kind === 'thinking').map((d) => d.text).join('')).toBe('The user wants the tests fixed. Read both files.');
    expect(m.warnings.join(' ')).toContain('future_event_kind');
  });

  it('marks an error event mid-stream as an error', () => {
    const { r } = one(served('a2', '/v1/messages', { model: 'claude-opus-4-1', messages: [] }, 'anthropic-error.sse'));
    expect(r.status).toBe('error');
    expect(r.error).toBe('overloaded_error: Overloaded');
    expect(r.outputTokens).toBeNull();
    expect(r.tokensPerSecond).toBeNull();
    expect(r.ttftMs).toBe(200 + 20 - 50);
  });

  it('marks a stream cut short as aborted and keeps the partial tool call', () => {
    for (const end of ['complete', null] as const) {
      const { r } = one(served('a3', '/v1/messages', { model: 'm', messages: [] }, 'anthropic-cut.sse', end));
      expect(r.status).toBe('aborted');
      expect(r.toolCalls).toHaveLength(1);
      expect(r.toolCalls[0].arguments).toBe('{"file_path": "a.ts", "old');
      expect(r.outputTokens).toBeNull();
      expect(r.tokensPerSecond).toBeNull();
      expect(r.outputTokensEstimate).toBeGreaterThan(0);
      // Never ended: the end is the last frame seen.
      if (end === null) expect(r.endMs).toBe(220);
    }
  });

  it('decodes a plain JSON response', () => {
    const recs = httpRecords({ id: 'a4', body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'title?' }] }, startMs: 10, headMs: 400, eventMs: [401], chunks: [fixtureText('anthropic.json')], endMs: 402 });
    const { r } = one(recs);
    expect(r.streamed).toBe(false);
    expect(r.toolCalls.map((c) => [c.name, c.arguments])).toEqual([['Bash', '{"command":"ls"}']]);
    expect(r.outputTokens).toBe(9);
    expect(r.stopReason).toBe('tool_use');
    // A plain body is usable once complete: all of it is wait, no stream rate.
    expect(r.ttftMs).toBe(392);
    expect(r.streamMs).toBe(0);
    expect(r.tokensPerSecond).toBeNull();
    expect(r.status).toBe('complete');
  });

  it('reads an HTTP error body', () => {
    const recs = httpRecords({ id: 'a5', body: { model: 'm', messages: [] }, startMs: 1, headMs: 2, eventMs: [3], chunks: ['{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'], endMs: 4, status: 429 });
    const { r } = one(recs);
    expect(r.status).toBe('error');
    expect(r.error).toBe('rate_limit_error: slow down');
    expect(r.httpStatus).toBe(429);
  });

  it('decodes an event stream recorded as raw chunks split mid-event', () => {
    const text = fixtureText('anthropic-tools.sse');
    const chunks = [text.slice(0, 700), text.slice(700, 2000), text.slice(2000)];
    const recs = httpRecords({ id: 'a6', body: { model: 'm', messages: [] }, startMs: 0, headMs: 1, eventMs: [2, 3, 4], chunks, endMs: 5, contentType: 'text/event-stream; charset=utf-8' });
    const { r } = one(recs);
    expect(r.toolCalls).toHaveLength(2);
    expect(r.outputTokens).toBe(87);
    expect(r.status).toBe('complete');
  });
});

describe('OpenAI Chat Completions', () => {
  it('decodes parallel tool calls interleaved by index and the usage chunk', () => {
    const { r } = one(served('c1', '/v1/chat/completions', fixtureJson('openai-chat-tools.request.json'), 'openai-chat-tools.sse'));
    expect(r.protocol).toBe('openai-chat');
    expect(r.answersToolCallIds).toEqual(['call_0']);
    expect(r.messageCount).toBe(4);
    expect(r.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['call_A', 'read_file', '{"path":"a.py"}'],
      ['call_B', 'read_file', '{"path":"b.py"}'],
    ]);
    expect(r.inputTokens).toBe(520);
    expect(r.cacheReadTokens).toBe(512);
    expect(r.outputTokens).toBe(41);
    expect(r.stopReason).toBe('tool_calls');
    expect(r.status).toBe('complete');
    expect(r.ttftMs).toBe(210 - 50); // the role-only chunk is not content
  });

  it('keeps tokens/s unknown without a usage chunk', () => {
    const { r } = one(served('c2', '/v1/chat/completions', { model: 'qwen3-coder', messages: [{ role: 'user', content: 'go' }] }, 'openai-chat-nousage.sse'));
    expect(r.outputTokens).toBeNull();
    expect(r.tokensPerSecond).toBeNull();
    expect(r.deltas.toArray().map((d) => d.kind)).toEqual(['thinking', 'text', 'text']);
    expect(r.stopReason).toBe('stop');
    expect(r.status).toBe('complete');
  });

  it('decodes a plain JSON completion', () => {
    const recs = httpRecords({ id: 'c3', url: '/v1/chat/completions', body: { model: 'gpt-4.1-mini', messages: [] }, startMs: 0, headMs: 50, eventMs: [60], chunks: [fixtureText('openai-chat.json')], endMs: 61 });
    const { r } = one(recs);
    expect(r.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([['call_J', 'run', '{"cmd":"make"}']]);
    expect(r.outputTokens).toBe(12);
  });

  it('decodes an error chunk', () => {
    const log = new EventLog();
    openaiChatDecoder.event(5, { error: { message: 'context too long', code: 'context_length_exceeded' } }, undefined, log);
    expect(log.events).toEqual([{ type: 'error', message: 'context_length_exceeded: context too long' }]);
  });
});

describe('OpenAI Responses (SSE and JSON)', () => {
  it('decodes reasoning, a function call and a custom tool call', () => {
    const { r } = one(served('r1', '/v1/responses', fixtureJson('openai-responses-tools.request.json'), 'openai-responses-tools.sse'));
    expect(r.protocol).toBe('openai-responses');
    expect(r.responseId).toBe('resp_1');
    expect(r.answersToolCallIds).toEqual(['call_S0']);
    expect(r.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['call_S1', 'shell', '{"command":["bash","-lc","npm test"]}'],
      ['call_P1', 'apply_patch', '*** Begin Patch\n*** End Patch'],
    ]);
    expect(r.deltas.toArray().filter((d) => d.kind === 'thinking')).toHaveLength(2);
    expect(r.inputTokens).toBe(9000);
    expect(r.cacheReadTokens).toBe(8000);
    expect(r.outputTokens).toBe(64);
    expect(r.stopReason).toBe('completed');
    expect(r.ttftMs).toBe(240 - 50);
    expect(r.status).toBe('complete');
  });

  it('marks response.failed as an error', () => {
    const { r } = one(served('r2', '/v1/responses', { model: 'gpt-5', input: 'hi' }, 'openai-responses-failed.sse'));
    expect(r.status).toBe('error');
    expect(r.error).toContain('server_error');
    expect(r.stopReason).toBe('failed');
  });

  it('decodes a plain JSON (incomplete) response', () => {
    const log = new EventLog();
    openaiResponsesDecoder.json(7, fixtureJson('openai-responses.json'), log);
    expect(log.events).toContainEqual({ type: 'stop', reason: 'incomplete:max_output_tokens' });
    expect(log.events).toContainEqual({ type: 'content', tMs: 7, kind: 'thinking', text: 'Thinking about it', block: 0 });
    expect(log.events).toContainEqual({ type: 'content', tMs: 7, kind: 'text', text: 'The answer is', block: 1 });
    expect(log.events).toContainEqual({ type: 'usage', usage: { inputTokens: 50, outputTokens: 16, cacheReadTokens: 0 } });
  });
});

describe('Responses over WebSocket', () => {
  function wsRecords(): TraceRecord[] {
    const lines = fixtureText('responses-websocket.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { dir: 'up' | 'down'; frame: unknown });
    const times = spread(lines.length, 100, 100 + 50 * (lines.length - 1));
    const recs: TraceRecord[] = [{ kind: 'ws-open', t: 50_000, id: 'ws1', url: '/v1/responses', upstream: 'wss://api.openai.com/v1', headers: {}, protocol: '', extensions: '', status: 101 }];
    lines.forEach((l, i) => recs.push({ kind: 'ws-message', t: times[i] * 1000, id: 'ws1', dir: l.dir, data: { enc: 'json', value: l.frame }, binary: false }));
    recs.push({ kind: 'ws-close', t: (times[times.length - 1] + 1000) * 1000, id: 'ws1', code: 1000, reason: '', by: 'client' });
    return recs;
  }

  it('splits the socket into responses: warm-up, previous_response_id, tool results', () => {
    const m = analyseRecords(wsRecords());
    expect(m.requests.map((r) => r.id)).toEqual(['ws1#1', 'ws1#2', 'ws1#3']);
    const [w, a, b] = m.requests;
    expect(m.requests.every((r) => r.transport === 'websocket' && r.protocol === 'openai-responses')).toBe(true);
    expect(w.warmup).toBe(true);
    expect(w.critical).toBe(false);
    expect(w.status).toBe('complete');
    expect(a.previousResponseId).toBe('resp_w0');
    expect(a.responseId).toBe('resp_w1');
    expect(a.startMs).toBe(250);
    expect(a.firstByteMs).toBe(300);
    expect(a.ttftMs).toBe(150); // first argument delta is line 7 at 400 ms
    expect(a.endMs).toBe(550);
    expect(a.toolCalls.map((c) => [c.id, c.arguments])).toEqual([['call_W1', '{"command":["npm","test"]}']]);
    expect(a.outputTokens).toBe(18);
    expect(b.answersToolCallIds).toEqual(['call_W1']);
    expect(b.dependsOn).toBe('ws1#2');
    expect(b.dependency).toBe('tool-result');
    expect(b.deltas.toArray().map((d) => d.text).join('')).toBe('All 12 tests pass.');
    expect([a.critical, b.critical]).toEqual([true, true]);
    expect(m.connections).toEqual([{ id: 'ws1', url: '/v1/responses', openMs: 50, closeMs: 1850, closeCode: 1000, requestIds: ['ws1#1', 'ws1#2', 'ws1#3'] }]);
  });

  it('marks a response in flight when the socket closes as aborted', () => {
    const recs = wsRecords().filter((r) => !(r.kind === 'ws-message' && r.t === 850_000)); // drop the last response.completed
    const b = analyseRecords(recs).requests[2];
    expect(b.status).toBe('aborted');
    expect(b.endMs).toBe(1850);
  });
});

describe('Gemini API decoder', () => {
  const g = decoderForUrl('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse')!;
  it('is found by its model methods, Code Assist’s included', () => {
    expect(g.protocol).toBe('gemini-generate-content');
    expect(decoderForUrl('/models/g:generateContent')?.protocol).toBe('gemini-generate-content');
    expect(decoderForUrl('/v1internal:streamGenerateContent?alt=sse')?.protocol).toBe('gemini-generate-content');
    expect(decoderForUrl('/v1beta/models/g:countTokens')).toBeNull();
  });

  it('reads thought, text and functionCall parts, usage with cached and thinking tokens, finishReason as the end', () => {
    const log = new EventLog();
    const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, cand: Record<string, unknown> = {}) => ({ candidates: [{ content: { role: 'model', parts }, index: 0, ...cand }], modelVersion: 'gemini-2.5-pro', responseId: 'resp-1', ...extra });
    g.event(1, chunk([{ text: 'hmm', thought: true }]), undefined, log);
    g.event(2, chunk([{ text: 'Reading.' }]), undefined, log);
    g.event(3, { response: chunk([{ functionCall: { id: 'c1', name: 'read_file', args: { path: 'a' } } }, { functionCall: { name: 'glob', args: {} } }]) }, undefined, log);
    g.event(4, chunk([{ text: '' }], { usageMetadata: { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 7, thoughtsTokenCount: 5 } }, { finishReason: 'STOP' }), undefined, log);
    const ev = log.events;
    expect(ev.filter((e) => e.type === 'content').map((e) => e.type === 'content' && [e.kind, e.text, e.block])).toEqual([
      ['thinking', 'hmm', 0],
      ['text', 'Reading.', 0],
      ['tool-args', '{"path":"a"}', 1],
      ['tool-args', '{}', 2],
    ]);
    expect(ev.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', tMs: 3, block: 1, id: 'c1', name: 'read_file' },
      { type: 'tool-call', tMs: 3, block: 2, id: null, name: 'glob' },
    ]);
    expect(ev.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 120, cacheReadTokens: 100, outputTokens: 12 } });
    expect(ev.slice(-2)).toEqual([{ type: 'stop', reason: 'STOP' }, { type: 'finished', tMs: 4 }]);
  });

  it('reads what a request answers: functionResponse ids, else the prompt; Code Assist’s wrapper too', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'fix it' }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'read_file', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'read_file', response: { output: 'x' } } }] },
    ];
    expect(g.request({ contents })).toMatchObject({ messageCount: 3, answersToolCallIds: ['c1'], prompt: null });
    expect(g.request({ model: 'gemini-2.5-pro', project: 'p', request: { contents: contents.slice(0, 1) } })).toMatchObject({ model: 'gemini-2.5-pro', messageCount: 1, prompt: 'fix it' });
    const errors = new EventLog();
    g.json(5, { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } }, errors);
    expect(errors.events).toEqual([{ type: 'error', message: 'RESOURCE_EXHAUSTED: quota' }]);
  });
});
