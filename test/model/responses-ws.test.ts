import { describe, expect, it } from 'vitest';
import { ResponsesWS } from 'openai/resources/responses/ws';
import WebSocket from 'ws';
import { TOOLS_RESPONSES, TWO_STEPS, openai, server } from './helpers.js';

type Ev = { type: string; sequence_number?: number; response?: any; [k: string]: any };

/** Collects events until the response finishes (completed, failed, error). */
function nextResponse(ws: ResponsesWS): Promise<Ev[]> {
  return new Promise((resolve, reject) => {
    const events: Ev[] = [];
    const onEvent = (e: Ev): void => {
      events.push(e);
      if (e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed' || e.type === 'error') {
        ws.off('event', onEvent as never);
        resolve(events);
      }
    };
    ws.on('event', onEvent as never);
    ws.on('error', (err: unknown) => (events.length ? undefined : reject(err)));
  });
}

describe('OpenAI Responses WebSocket mode', async () => {
  const s = await server({ script: TWO_STEPS });

  it('serves a warm-up and several responses on one socket with previous_response_id', async () => {
    const ws = new ResponsesWS(openai(s), { headers: { 'OpenAI-Beta': 'responses_websockets=2026-02-06' } });
    ws.on('error', () => {});
    const wsCountBefore = s.stats().websockets;

    const warmP = nextResponse(ws);
    ws.send({ type: 'response.create', model: 'gpt-test', tools: TOOLS_RESPONSES, instructions: 'You are a coding agent.', generate: false } as never);
    const warm = await warmP;
    expect(warm.map((e) => e.type)).toEqual(['response.created', 'response.completed']);
    const warmId = warm.at(-1)!.response.id;
    expect(warm.at(-1)!.response.output).toEqual([]);

    const firstP = nextResponse(ws);
    ws.send({ type: 'response.create', model: 'gpt-test', tools: TOOLS_RESPONSES, previous_response_id: warmId, input: [{ role: 'user', content: 'fix it' }] });
    const first = await firstP;
    expect(first.map((e) => e.sequence_number)).toEqual(first.map((_, i) => i));
    const done = first.at(-1)!;
    expect(done.type).toBe('response.completed');
    const calls = done.response.output.filter((o: any) => o.type === 'function_call');
    expect(calls).toHaveLength(2);
    const deltas = first.filter((e) => e.type.endsWith('.delta'));
    expect(done.response.usage.output_tokens).toBe(deltas.length);

    const secondP = nextResponse(ws);
    ws.send({
      type: 'response.create',
      model: 'gpt-test',
      tools: TOOLS_RESPONSES,
      previous_response_id: done.response.id,
      input: calls.map((c: any) => ({ type: 'function_call_output', call_id: c.call_id, output: 'file text' })),
    });
    const second = await secondP;
    expect(second.at(-1)!.response.output[0].content[0].text).toBe('All done: the add function now adds.');
    expect(s.stats().websockets).toBe(wsCountBefore + 1);
    ws.close();
  });

  it('answers an unknown previous_response_id with an error event and keeps the socket open', async () => {
    const ws = new WebSocket(s.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const msgs: any[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ type: 'response.create', model: 'm', previous_response_id: 'resp_missing', input: 'x' }));
    ws.send(JSON.stringify({ type: 'response.create', model: 'm', input: 'hello' }));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (msgs.some((m) => m.type === 'response.completed')) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    expect(msgs[0]).toMatchObject({ type: 'error', status: 400, error: { code: 'previous_response_not_found' } });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('refuses an upgrade on another path', async () => {
    const ws = new WebSocket(s.url.replace('http', 'ws') + '/v1/messages');
    const err = await new Promise((r) => ws.once('error', r));
    expect(String(err)).toMatch(/404/);
  });
});
