// WebSocket details through the in-process proxy with plain `ws` clients: subprotocols, deflate
// parameters, ping/pong, close codes both ways, binary and fragmented messages, refusals.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { WsCloseRecord, WsMessageRecord, WsOpenRecord } from '../../format/types.js';
import { closeWss, inProcessProxy, startUpstream, until, type InProcessProxy, type Upstream } from './helpers.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

interface WsSetup {
  up: Upstream;
  wss: WebSocketServer;
  p: InProcessProxy;
  /** ws:// base of the upstream and of the proxy. */
  direct: string;
  proxied: string;
}

async function setup(deflate: boolean | PerMessageDeflateOptions = false): Promise<WsSetup> {
  const up = await startUpstream(() => undefined);
  const wss = new WebSocketServer({
    server: up.server,
    perMessageDeflate: deflate,
    handleProtocols: (protocols) => (protocols.has('v2.b') ? 'v2.b' : false),
  });
  const p = await inProcessProxy({ anthropic: up.url, openai: `${up.url}/v1` });
  cleanup.push(() => up.close(), () => p.close(), () => closeWss(wss));
  return { up, wss, p, direct: `ws://127.0.0.1:${up.port}/v1/ws`, proxied: `ws://127.0.0.1:${p.proxy.port}/v1/ws` };
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function nextConnection(wss: WebSocketServer): Promise<WebSocket> {
  return new Promise((resolve) => wss.once('connection', (s) => resolve(s)));
}

describe('WebSocket relay', () => {
  it('passes subprotocols, pings, pongs and close codes through both ways', async () => {
    const s = await setup();
    for (const base of [s.direct, s.proxied]) {
      const serverSide = nextConnection(s.wss);
      const ws = new WebSocket(base, ['v1.a', 'v2.b']);
      await opened(ws);
      const srv = await serverSide;
      expect(ws.protocol).toBe('v2.b');

      const pingAtServer = new Promise<string>((r) => srv.once('ping', (d) => r(d.toString())));
      const pongAtClient = new Promise<string>((r) => ws.once('pong', (d) => r(d.toString())));
      ws.ping('from-client');
      expect(await pingAtServer).toBe('from-client');
      expect(await pongAtClient).toBe('from-client');
      const pingAtClient = new Promise<string>((r) => ws.once('ping', (d) => r(d.toString())));
      const pongAtServer = new Promise<string>((r) => srv.once('pong', (d) => r(d.toString())));
      srv.ping('from-server');
      expect(await pingAtClient).toBe('from-server');
      expect(await pongAtServer).toBe('from-server');

      const atServer = closed(srv);
      const atClient = closed(ws);
      ws.close(4001, 'client bye');
      expect(await atServer).toEqual({ code: 4001, reason: 'client bye' });
      expect(await atClient).toEqual({ code: 4001, reason: 'client bye' });

      // and the upstream closing first
      const serverSide2 = nextConnection(s.wss);
      const ws2 = new WebSocket(base);
      await opened(ws2);
      const srv2 = await serverSide2;
      const atClient2 = closed(ws2);
      srv2.close(4002, 'server bye');
      expect(await atClient2).toEqual({ code: 4002, reason: 'server bye' });
    }
    await until(() => s.p.records.filter((r) => r.kind === 'ws-close').length === 2);
    const opens = s.p.records.filter((r) => r.kind === 'ws-open') as WsOpenRecord[];
    expect(opens[0].protocol).toBe('v2.b');
    const closes = s.p.records.filter((r) => r.kind === 'ws-close') as WsCloseRecord[];
    expect(closes.map((c) => [c.id, c.code, c.reason, c.by])).toEqual([
      ['w1', 4001, 'client bye', 'client'],
      ['w2', 4002, 'server bye', 'upstream'],
    ]);
  });

  it('relays binary and fragmented messages intact, and records each as one message', async () => {
    const s = await setup({ threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true });
    const serverSide = nextConnection(s.wss);
    const ws = new WebSocket(s.proxied, { perMessageDeflate: true });
    await opened(ws);
    const srv = await serverSide;
    const got: Array<{ data: Buffer; binary: boolean }> = [];
    srv.on('message', (data, binary) => got.push({ data: data as Buffer, binary }));
    const big = Buffer.alloc(1 << 20, 'abcdefgh');
    ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    ws.send('part1', { fin: false });
    ws.send('part2', { fin: true });
    ws.send(big);
    ws.send('last');
    await until(() => got.length === 4);
    expect(got[0]).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    expect(got[1].data.toString()).toBe('part1part2');
    expect(got[2].data.equals(big)).toBe(true);
    srv.send('reply 1');
    srv.send('reply 2');
    const replies: string[] = [];
    await new Promise<void>((r) => ws.on('message', (d) => replies.push(d.toString()) === 2 && r()));
    expect(replies).toEqual(['reply 1', 'reply 2']);
    ws.close();
    await until(() => s.p.records.some((r) => r.kind === 'ws-close'));
    expect((s.p.records.find((r) => r.kind === 'ws-open') as WsOpenRecord).extensions).toMatch(/permessage-deflate.*server_no_context_takeover/);
    const msgs = s.p.records.filter((r) => r.kind === 'ws-message') as WsMessageRecord[];
    const bytes = (m: WsMessageRecord) => Buffer.from((m.data as { bytes: Uint8Array }).bytes);
    expect(msgs.map((m) => [m.dir, m.binary])).toEqual([
      ['up', true],
      ['up', false],
      ['up', true], // a Buffer goes as a binary message
      ['up', false],
      ['down', false],
      ['down', false],
    ]);
    expect(bytes(msgs[1]).toString()).toBe('part1part2');
    expect(bytes(msgs[2]).equals(big)).toBe(true);
    expect(bytes(msgs[5]).toString()).toBe('reply 2');
  });

  it('hands a refused upgrade back as the upstream sent it (so a harness can fall back to HTTP)', async () => {
    const up = http.createServer((_req, res) => res.end());
    up.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 426 Upgrade Required\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"error":"no ws yet"}'.replace('20', '21'));
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
    const port = (up.address() as { port: number }).port;
    const p = await inProcessProxy({ anthropic: `http://127.0.0.1:${port}`, openai: `http://127.0.0.1:${port}/v1` });
    cleanup.push(() => new Promise<void>((r) => up.close(() => r())), () => p.close());
    const attempt = (url: string) =>
      new Promise<{ status: number; body: string; type: string | undefined }>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
        });
        ws.on('open', () => reject(new Error('should not open')));
        ws.on('error', () => undefined);
      });
    const direct = await attempt(`ws://127.0.0.1:${port}/v1/responses`);
    const proxied = await attempt(`ws://127.0.0.1:${p.proxy.port}/v1/responses`);
    expect(proxied).toEqual(direct);
    expect(proxied.status).toBe(426);
    await until(() => p.records.some((r) => r.kind === 'ws-close'));
    expect(p.records.find((r) => r.kind === 'ws-open')).toMatchObject({ status: 426 });
    expect((p.records.find((r) => r.kind === 'ws-close') as WsCloseRecord).reason).toMatch(/upgrade refused: 426/);
  });

  it('a refused connection or an upstream that drops the socket fails the client as without lapse', async () => {
    const gone = await startUpstream(() => undefined);
    await gone.close();
    const p = await inProcessProxy({ anthropic: gone.url, openai: gone.url });
    cleanup.push(() => p.close());
    const fails = (url: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('error', () => resolve('error'));
        ws.on('open', () => resolve('open'));
      });
    expect(await fails(`ws://127.0.0.1:${gone.port}/x`)).toBe('error');
    expect(await fails(`ws://127.0.0.1:${p.proxy.port}/x`)).toBe('error');

    const s = await setup();
    for (const base of [s.direct, s.proxied]) {
      const serverSide = nextConnection(s.wss);
      const ws = new WebSocket(base);
      await opened(ws);
      const srv = await serverSide;
      const c = closed(ws);
      srv.terminate();
      expect((await c).code).toBe(1006);
    }
    await until(() => s.p.records.some((r) => r.kind === 'ws-close'));
    expect(s.p.records.find((r) => r.kind === 'ws-close')).toMatchObject({ code: 1006, by: 'upstream' });
  });
});
