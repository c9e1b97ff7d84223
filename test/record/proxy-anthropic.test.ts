// @anthropic-ai/sdk through the in-process proxy against a scripted upstream on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import type { HttpDataRecord, HttpEndRecord, HttpRequestRecord, HttpResponseRecord } from '../../format/types.js';
import { AckChannel, anthropicToolStream, inProcessProxy, recordsOf, sleep, sse, startUpstream, teeFetch, until, type InProcessProxy, type Upstream } from './helpers.js';

const API_KEY = 'sk-ant-api03-testtesttesttesttesttesttest';
const PARAMS = {
  model: 'claude-test',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Read src/main.ts' }],
  tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
};

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(handler: Parameters<typeof startUpstream>[0]): Promise<{ up: Upstream; p: InProcessProxy }> {
  const up = await startUpstream(handler);
  const p = await inProcessProxy({ anthropic: up.url, openai: `${up.url}/v1` });
  cleanup.push(() => up.close(), () => p.close());
  return { up, p };
}

describe('Anthropic Messages through the proxy', () => {
  it('streams a tool-use message event by event, byte for byte, and records every event in order', async () => {
    const events = anthropicToolStream();
    const ack = new AckChannel();
    const { up, p } = await setup(async (_req, res, _body, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_1' });
      res.flushHeaders();
      for (let i = 0; i < events.length; i++) {
        write(events[i]);
        await ack.wait(i); // the next event only after the client has seen this one
      }
      res.end();
    });
    const tee = teeFetch();
    const client = new Anthropic({ baseURL: p.proxy.anthropicBaseUrl, apiKey: API_KEY, fetch: tee.fetch, maxRetries: 0 });
    const stream = client.messages.stream(PARAMS);
    let i = 0;
    for await (const _ev of stream) ack.signal(i++);
    const msg = await stream.finalMessage();

    expect(i).toBe(events.length);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[1]).toMatchObject({ type: 'tool_use', name: 'read_file', input: { path: 'src/main.ts' } });
    // exactly the upstream's bytes
    expect(Buffer.concat(tee.bodies[0]).equals(Buffer.concat(up.sent[0]))).toBe(true);
    // the upstream got the request as the SDK sent it
    expect(up.requests[0].url).toBe('/v1/messages');
    expect(up.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(up.requests[0].headers['anthropic-version']).toBeTruthy();
    expect(up.requests[0].headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(JSON.parse(up.requests[0].body).tools[0].name).toBe('read_file');

    await until(() => p.records.some((r) => r.kind === 'http-end'));
    const recs = recordsOf(p.records, 'r1');
    const req = recs.find((r) => r.kind === 'http-request') as HttpRequestRecord;
    const res = recs.find((r) => r.kind === 'http-response') as HttpResponseRecord;
    const data = recs.filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    const end = recs.find((r) => r.kind === 'http-end') as HttpEndRecord;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/messages', upstream: up.url });
    expect(JSON.parse(Buffer.from((req.body as { bytes: Uint8Array }).bytes).toString()).model).toBe('claude-test');
    expect(res).toMatchObject({ status: 200, decoded: false });
    expect(data.map((d) => (d.sse as { text: string }).text)).toEqual(events);
    for (let k = 1; k < data.length; k++) expect(data[k].t).toBeGreaterThanOrEqual(data[k - 1].t);
    expect(data[0].t).toBeGreaterThanOrEqual(res.t);
    expect(res.t).toBeGreaterThanOrEqual(req.t);
    expect(end).toMatchObject({ outcome: 'complete', bytes: Buffer.concat(up.sent[0]).length });
    expect(end.t).toBeGreaterThanOrEqual(data[data.length - 1].t);
  });

  it('fails exactly as without lapse: 500, a mid-stream error event, a reset mid-stream, a refused connection', async () => {
    let mode = '';
    const { up, p } = await setup(async (req, res, _body, write) => {
      if (mode === '500') {
        res.writeHead(500, { 'content-type': 'application/json', 'request-id': 'req_500' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = anthropicToolStream();
      write(events[0]);
      write(events[1]);
      if (mode === 'error-event') {
        write(sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        res.end();
        return;
      }
      await sleep(50);
      req.socket.resetAndDestroy();
    });
    const closed = await startUpstream(() => undefined);
    await closed.close(); // a port nothing listens on any more
    const refusedProxy = await inProcessProxy({ anthropic: closed.url, openai: closed.url });
    cleanup.push(() => refusedProxy.close());

    const outcome = async (baseURL: string) => {
      const client = new Anthropic({ baseURL, apiKey: API_KEY, maxRetries: 0 });
      const seen: string[] = [];
      try {
        const s = await client.messages.create({ ...PARAMS, stream: true });
        for await (const ev of s) seen.push(ev.type);
        return { seen, error: null };
      } catch (err) {
        const e = err as { status?: number; message: string; constructor: { name: string } };
        return { seen, error: e.constructor.name, status: e.status ?? null, message: e.message };
      }
    };
    for (const m of ['500', 'error-event', 'reset']) {
      mode = m;
      const direct = await outcome(up.url);
      const proxied = await outcome(p.proxy.anthropicBaseUrl);
      expect({ mode: m, ...proxied }).toEqual({ mode: m, ...direct });
      expect(direct.error).not.toBeNull();
    }
    const direct = await outcome(closed.url);
    const proxied = await outcome(refusedProxy.proxy.anthropicBaseUrl);
    expect(proxied.error).toBe(direct.error);
    expect(proxied.error).toBe('APIConnectionError');

    await until(() => p.records.filter((r) => r.kind === 'http-end').length === 3);
    const ends = p.records.filter((r) => r.kind === 'http-end') as HttpEndRecord[];
    const statuses = (p.records.filter((r) => r.kind === 'http-response') as HttpResponseRecord[]).map((r) => r.status);
    expect(statuses).toEqual([500, 200, 200]);
    expect(ends.map((e) => e.outcome)).toEqual(['complete', 'complete', 'error']);
    expect(ends[2].message).toMatch(/mid-response/);
    const errData = recordsOf(p.records, 'r2').filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    expect((errData[2].sse as { text: string }).text).toContain('overloaded_error');
    await until(() => refusedProxy.records.some((r) => r.kind === 'http-end'));
    const refusedEnd = refusedProxy.records.find((r) => r.kind === 'http-end') as HttpEndRecord;
    expect(refusedEnd.outcome).toBe('error');
    expect(refusedEnd.message).toMatch(/ECONNREFUSED/);
  });

  it('cancels the upstream request when the harness aborts mid-stream, and records it as aborted', async () => {
    let upstreamSawClose = 0;
    const { p } = await setup(async (_req, res, _body, write) => {
      res.on('close', () => {
        if (!res.writableFinished) upstreamSawClose++;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = anthropicToolStream();
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        write(events[Math.min(i, 3)]);
        await sleep(10);
      }
      res.end();
    });
    const outcome = async (baseURL: string) => {
      const ctl = new AbortController();
      const client = new Anthropic({ baseURL, apiKey: API_KEY, maxRetries: 0 });
      let n = 0;
      try {
        const s = await client.messages.create({ ...PARAMS, stream: true }, { signal: ctl.signal });
        for await (const _ev of s) if (++n === 3) ctl.abort();
        return null;
      } catch (err) {
        return (err as Error).constructor.name;
      }
    };
    const up2 = await startUpstream(async (_req, res, _b, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        write(anthropicToolStream()[Math.min(i, 3)]);
        await sleep(10);
      }
      res.end();
    });
    cleanup.push(() => up2.close());
    const direct = await outcome(up2.url);
    const proxied = await outcome(p.proxy.anthropicBaseUrl);
    // The SDK ends the iteration quietly on an abort, through lapse as without it.
    expect(proxied).toBe(direct);
    await until(() => upstreamSawClose === 1);
    await until(() => p.records.some((r) => r.kind === 'http-end'));
    const end = p.records.find((r) => r.kind === 'http-end') as HttpEndRecord;
    expect(end.outcome).toBe('aborted');
    expect(end.bytes).toBeGreaterThan(0);
  });

  it('forwards non-streaming calls (count_tokens, /v1/models, HEAD /) and records them', async () => {
    const { up, p } = await setup(async (req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200, { 'x-up': '1' }).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.startsWith('/v1/models') ? JSON.stringify({ data: [{ id: 'claude-test', type: 'model' }], has_more: false }) : JSON.stringify({ input_tokens: 12 }));
    });
    const client = new Anthropic({ baseURL: p.proxy.anthropicBaseUrl, apiKey: API_KEY, maxRetries: 0 });
    const count = await client.messages.countTokens({ model: 'claude-test', messages: PARAMS.messages });
    expect(count.input_tokens).toBe(12);
    const models = await client.models.list();
    expect(models.data[0].id).toBe('claude-test');
    const head = await fetch(`${p.proxy.anthropicBaseUrl}/`, { method: 'HEAD', headers: { 'anthropic-version': '2023-06-01' } });
    expect(head.headers.get('x-up')).toBe('1');
    expect(up.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/messages/count_tokens', 'GET /v1/models', 'HEAD /']);
    await until(() => p.records.filter((r) => r.kind === 'http-end').length === 3);
    const data = p.records.filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    expect(Buffer.from((data[0].chunk as { bytes: Uint8Array }).bytes).toString()).toBe('{"input_tokens":12}');
  });
});
