// Responses-API WebSocket mode, recorded through the proxy with the OpenAI SDK's own WebSocket client
// and replayed over a WebSocket to the same client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponsesWS } from 'openai/resources/responses/ws';
import WebSocket from 'ws';
import { loadTrace } from '../../cli/trace/load.js';
import { buildCassette } from '../../cli/replay/cassette.js';
import { openaiClient, record, replay, sleep, TOOLS_RESPONSES, type Recorded, type Urls } from './helpers.js';

type Ev = { type: string; response?: any; [k: string]: any };

function nextResponse(ws: ResponsesWS): Promise<Ev[]> {
  return new Promise((resolve) => {
    const events: Ev[] = [];
    const onEvent = (e: Ev): void => {
      events.push(e);
      if (['response.completed', 'response.incomplete', 'response.failed', 'error'].includes(e.type)) {
        ws.off('event', onEvent as never);
        resolve(events);
      }
    };
    ws.on('event', onEvent as never);
  });
}

/** Warm-up, a turn that asks for a tool, the tool's output: three responses on one socket. */
async function wsSession(urls: Urls, workdir: string): Promise<Ev[][]> {
  const ws = new ResponsesWS(openaiClient(urls), { headers: { 'OpenAI-Beta': 'responses_websockets=2026-02-06' } });
  ws.on('error', () => {});
  const out: Ev[][] = [];
  try {
    let p = nextResponse(ws);
    ws.send({ type: 'response.create', model: 'gpt-test', tools: TOOLS_RESPONSES, instructions: 'You are a coding agent.', generate: false } as never);
    out.push(await p);
    const warmId = out[0].at(-1)!.response.id;
    p = nextResponse(ws);
    ws.send({ type: 'response.create', model: 'gpt-test', tools: TOOLS_RESPONSES, previous_response_id: warmId, input: [{ role: 'user', content: `fix the test in ${workdir}` }] });
    out.push(await p);
    const done = out[1].at(-1)!;
    const calls = done.response.output.filter((o: any) => o.type === 'function_call');
    await sleep(30);
    p = nextResponse(ws);
    ws.send({
      type: 'response.create',
      model: 'gpt-test',
      tools: TOOLS_RESPONSES,
      previous_response_id: done.response.id,
      input: calls.map((c: any) => ({ type: 'function_call_output', call_id: c.call_id, output: `text of ${workdir}/test/math.test.js` })),
    });
    out.push(await p);
  } finally {
    ws.close();
  }
  return out;
}

describe('replay over WebSocket (Responses API WebSocket mode)', () => {
  let rec: Recorded<Ev[][]>;

  beforeAll(async () => {
    rec = await record('ws', (urls) => wsSession(urls, '/tmp/ws-aaa'));
  });
  afterAll(() => rec?.model.close());

  it('replays a WebSocket session over a WebSocket: the same events, response by response', async () => {
    expect(rec.result).toHaveLength(3);
    expect(rec.result[1].at(-1)!.type).toBe('response.completed');
    const before = rec.model.stats().requests + rec.model.stats().websockets;
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const again = await wsSession(r.urls, '/tmp/ws-bbb');
      expect(again).toEqual(rec.result);
      const s = r.server.summary();
      expect(s.served).toBe(3);
      expect(s.unplayed).toEqual([]);
      expect(r.lines.filter((l) => l.includes('WS /v1/responses ←'))).toHaveLength(3);
    } finally {
      await r.server.close();
    }
    expect(rec.model.stats().requests + rec.model.stats().websockets).toBe(before);
  });

  it('sends the recorded frames byte for byte', async () => {
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const ws = new WebSocket(`${r.server.url.replace('http', 'ws')}/v1/responses`);
      await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
      const frames: string[] = [];
      const done = new Promise<void>((res) =>
        ws.on('message', (d) => {
          frames.push(d.toString());
          if (d.toString().includes('"response.completed"')) res();
        }),
      );
      ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-test', tools: TOOLS_RESPONSES, instructions: 'You are a coding agent.', generate: false }));
      await done;
      ws.close();
      // Exactly the frames the proxy relayed to the SDK when recording (the trace keeps their bytes).
      const recorded = buildCassette(loadTrace(rec.path)).turns[0].pieces.map((p) => Buffer.from(p.bytes).toString('utf8'));
      expect(frames).toEqual(recorded);
      expect(frames.map((f) => JSON.parse(f))).toEqual(rec.result[0]);
    } finally {
      await r.server.close();
    }
  });

  it('--strict answers an unknown response.create with an error event naming the closest', async () => {
    const r = await replay(rec.path, { kind: 'instant' }, { strict: true });
    try {
      const ws = new ResponsesWS(openaiClient(r.urls));
      ws.on('error', () => {});
      const p = nextResponse(ws);
      ws.send({ type: 'response.create', model: 'other-model', input: [{ role: 'user', content: 'write a haiku about rain' }, { role: 'user', content: 'and one more' }, { role: 'user', content: 'and another' }] });
      const evs = await p;
      ws.close();
      expect(evs).toHaveLength(1);
      expect(evs[0].type).toBe('error');
      expect(evs[0].error.code).toBe('replay_mismatch');
      expect(evs[0].error.closest.id).toMatch(/^w\d+#\d$/);
      expect(r.server.summary().refused).toBe(1);
    } finally {
      await r.server.close();
    }
  });

  it('refuses the upgrade (426) on a path where the recording has no WebSocket, so clients fall back to HTTP', async () => {
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const ws = new WebSocket(`${r.server.url.replace('http', 'ws')}/v1/chat/completions`);
      const status = await new Promise<number>((res) => {
        ws.on('unexpected-response', (_req, resp) => res(resp.statusCode ?? 0));
        ws.on('error', () => res(-1));
      });
      expect(status).toBe(426);
    } finally {
      await r.server.close();
    }
  });
});
