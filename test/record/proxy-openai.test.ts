// The openai SDK (chat completions and responses over SSE, responses over WebSocket) through the
// in-process proxy against scripted upstreams on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import type { HttpDataRecord, WsMessageRecord, WsOpenRecord } from '../../format/types.js';
import { AckChannel, closeWss, inProcessProxy, sleep, responsesEvents, sse, startUpstream, teeFetch, until, type InProcessProxy, type Upstream } from './helpers.js';

const API_KEY = 'sk-proj-testtesttesttesttesttest';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(handler: Parameters<typeof startUpstream>[0]): Promise<{ up: Upstream; p: InProcessProxy }> {
  const up = await startUpstream(handler, '/v1');
  const p = await inProcessProxy({ anthropic: up.url, openai: up.url });
  cleanup.push(() => up.close(), () => p.close());
  return { up, p };
}

function chatStream(): string[] {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test' };
  const ev = [sse(null, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  for (const t of ['Running ', 'the tests.']) ev.push(sse(null, { ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] }));
  ev.push(sse(null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'shell', arguments: '' } }] }, finish_reason: null }] }));
  for (const a of ['{"cmd":', '"npm test"}']) ev.push(sse(null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: a } }] }, finish_reason: null }] }));
  ev.push(sse(null, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
  ev.push(sse(null, { ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 11, total_tokens: 31 } }));
  ev.push('data: [DONE]\n\n');
  return ev;
}

describe('OpenAI through the proxy', () => {
  it('chat completions: streamed tool calls arrive event by event and byte for byte', async () => {
    const events = chatStream();
    const ack = new AckChannel();
    const { up, p } = await setup(async (_req, res, _b, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      for (let i = 0; i < events.length; i++) {
        write(events[i]);
        if (i < events.length - 1) await ack.wait(i); // [DONE] is not yielded to the client
      }
      res.end();
    });
    const tee = teeFetch();
    const client = new OpenAI({ baseURL: p.proxy.openaiBaseUrl, apiKey: API_KEY, fetch: tee.fetch, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'run the tests' }],
      tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } } }],
    });
    let i = 0;
    let args = '';
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      ack.signal(i++);
    }
    expect(i).toBe(events.length - 1);
    expect(JSON.parse(args)).toEqual({ cmd: 'npm test' });
    expect(up.requests[0].url).toBe('/v1/chat/completions');
    expect(up.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(Buffer.concat(tee.bodies[0]).equals(Buffer.concat(up.sent[0]))).toBe(true);
    await until(() => p.records.some((r) => r.kind === 'http-end'));
    const data = p.records.filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    expect(data.map((d) => (d.sse as { text: string }).text)).toEqual(events);
    for (let k = 1; k < data.length; k++) expect(data[k].t).toBeGreaterThanOrEqual(data[k - 1].t);
  });

  it('chat completions fail as without lapse: 429, an error chunk mid-stream, a reset mid-stream', async () => {
    let mode = '';
    const { up, p } = await setup(async (req, res, _b, write) => {
      if (mode === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return void res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = chatStream();
      write(events[0]);
      write(events[1]);
      if (mode === 'error-chunk') {
        write(sse(null, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }));
        return void res.end();
      }
      await sleep(50);
      req.socket.resetAndDestroy();
    });
    const outcome = async (baseURL: string) => {
      const client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0 });
      const seen: number[] = [];
      try {
        const s = await client.chat.completions.create({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'x' }] });
        for await (const c of s) seen.push(c.choices.length);
        return { seen, error: null };
      } catch (err) {
        const e = err as { status?: number; message: string; constructor: { name: string } };
        return { seen, error: e.constructor.name, status: e.status ?? null, message: e.message };
      }
    };
    for (const m of ['429', 'error-chunk', 'reset']) {
      mode = m;
      const direct = await outcome(up.url);
      const proxied = await outcome(p.proxy.openaiBaseUrl);
      expect({ mode: m, ...proxied }).toEqual({ mode: m, ...direct });
      expect(direct.error).not.toBeNull();
    }
  });

  it('responses over SSE: every event in order, byte for byte', async () => {
    const events = responsesEvents().map((e) => sse((e as { type: string }).type, e));
    const ack = new AckChannel();
    const { up, p } = await setup(async (_req, res, _b, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.flushHeaders();
      for (let i = 0; i < events.length; i++) {
        write(events[i]);
        await ack.wait(i);
      }
      res.end();
    });
    const tee = teeFetch();
    const client = new OpenAI({ baseURL: p.proxy.openaiBaseUrl, apiKey: API_KEY, fetch: tee.fetch, maxRetries: 0 });
    const stream = await client.responses.create({ model: 'gpt-test', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      ack.signal(types.length - 1);
    }
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toHaveLength(events.length);
    expect(up.requests[0].url).toBe('/v1/responses');
    expect(Buffer.concat(tee.bodies[0]).equals(Buffer.concat(up.sent[0]))).toBe(true);
    await until(() => p.records.some((r) => r.kind === 'http-end'));
    const data = p.records.filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    expect(data.map((d) => (d.sse as { text: string }).text)).toEqual(events);
  });

  it('responses over WebSocket (ResponsesWS): relayed at once both ways, deflate negotiated end to end, recorded in order', async () => {
    const ack = new AckChannel();
    const up = await startUpstream(() => undefined, '/v1');
    const wss = new WebSocketServer({ server: up.server, path: '/v1/responses', perMessageDeflate: { threshold: 0 } });
    const upstreamGot: unknown[] = [];
    const seenHeaders: Record<string, string | string[] | undefined>[] = [];
    wss.on('connection', (sock: WsSocket, req) => {
      seenHeaders.push(req.headers);
      sock.on('message', async (data) => {
        const msg = JSON.parse(String(data));
        upstreamGot.push(msg);
        const events = responsesEvents();
        for (let i = 0; i < events.length; i++) {
          sock.send(JSON.stringify(events[i]));
          await ack.wait(upstreamGot.length * 100 + i);
        }
      });
    });
    const p = await inProcessProxy({ anthropic: up.url, openai: up.url });
    cleanup.push(() => up.close(), () => p.close(), () => closeWss(wss));

    const run = async (baseURL: string) => {
      const client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0 });
      const ws = new ResponsesWS(client);
      const types: string[] = [];
      const before = upstreamGot.length;
      const done = new Promise<void>((resolve, reject) => {
        ws.on('error', reject);
        ws.on('event', (ev: { type: string }) => {
          types.push(ev.type);
          ack.signal((before + 1) * 100 + types.length - 1);
          if (ev.type === 'response.completed') resolve();
        });
      });
      ws.send({ type: 'response.create', model: 'gpt-test', input: 'hello' } as never);
      await done;
      const ext = (ws.socket as unknown as { platformSocket: { extensions: string } }).platformSocket.extensions;
      ws.close({ code: 1000, reason: 'done' });
      return { types, ext };
    };
    const direct = await run(up.url);
    const proxied = await run(p.proxy.openaiBaseUrl);
    expect(proxied.types).toEqual(direct.types);
    expect(proxied.types.at(-1)).toBe('response.completed');
    expect(proxied.ext).toEqual(direct.ext);
    expect(proxied.ext).toMatch(/permessage-deflate/);
    expect(seenHeaders[1]['sec-websocket-extensions']).toEqual(seenHeaders[0]['sec-websocket-extensions']);
    expect(seenHeaders[1].authorization).toBe(`Bearer ${API_KEY}`);
    expect(upstreamGot[1]).toEqual(upstreamGot[0]);

    await until(() => p.records.some((r) => r.kind === 'ws-close'));
    const open = p.records.find((r) => r.kind === 'ws-open') as WsOpenRecord;
    expect(open).toMatchObject({ url: '/v1/responses', status: 101 });
    expect(open.extensions).toMatch(/permessage-deflate/);
    const msgs = p.records.filter((r) => r.kind === 'ws-message') as WsMessageRecord[];
    expect(msgs.map((m) => m.dir)).toEqual(['up', ...responsesEvents().map(() => 'down')]);
    const texts = msgs.map((m) => JSON.parse(Buffer.from((m.data as { bytes: Uint8Array }).bytes).toString()));
    expect(texts[0]).toMatchObject({ type: 'response.create', model: 'gpt-test' });
    expect(texts.slice(1)).toEqual(responsesEvents());
    for (let k = 1; k < msgs.length; k++) expect(msgs[k].t).toBeGreaterThanOrEqual(msgs[k - 1].t);
    expect(p.records.find((r) => r.kind === 'ws-close')).toMatchObject({ code: 1000, reason: 'done', by: 'client' });
  });
});
