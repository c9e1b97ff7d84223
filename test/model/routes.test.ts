import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { anthropic, post, server } from './helpers.js';

describe('routes', async () => {
  const s = await server();

  it('lists models in a shape both SDKs read', async () => {
    const o = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x' });
    const ids = [];
    for await (const m of o.models.list()) ids.push(m.id);
    expect(ids).toContain('lapse-scripted');
    const a = await anthropic(s).models.list();
    expect(a.data.map((m) => m.id)).toContain('lapse-scripted');
  });

  it('answers unknown paths with a 404 JSON error and bad JSON with a 400', async () => {
    const r = await fetch(`${s.url}/v1/nothing-here`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { message: expect.stringContaining('/v1/nothing-here') } });
    const bad = await fetch(`${s.url}/v1/messages`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('accepts paths without the /v1 prefix', async () => {
    const r = await post(s, '/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    expect((await r.json()).object).toBe('chat.completion');
  });

  it('answers a title side request with a short title, and a client without the demo tools in plain text', async () => {
    const title = await anthropic(s).messages.create({
      model: 'm',
      max_tokens: 30,
      system: 'Write a short title for this conversation.',
      messages: [{ role: 'user', content: 'fix the failing test' }],
    });
    expect(title.content).toEqual([{ type: 'text', text: 'Fix the failing add() test' }]);
    expect(s.stats().log.at(-1)!.side).toBe(true);
    const plain = await anthropic(s).messages.create({ model: 'm', max_tokens: 500, messages: [{ role: 'user', content: 'hello' }] });
    expect(plain.stop_reason).toBe('end_turn');
    expect(plain.content[0].type === 'text' && plain.content[0].text).toMatch(/scripted model endpoint/);
  });

  it('stops at max_tokens like a real model', async () => {
    const r = await anthropic(s).messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hello' }] });
    expect(r.stop_reason).toBe('max_tokens');
    expect(r.usage.output_tokens).toBe(5);
  });

  it('injects faults from a request header', async () => {
    const r = await post(s, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { 'x-lapse-fault': 'rate-limit' });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after-ms')).toBe('200');
    expect((await r.json()).error.type).toBe('rate_limit_exceeded');
  });
});
