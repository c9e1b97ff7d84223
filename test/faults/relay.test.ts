// Relay details: a reused upstream connection that the upstream drops after reading the request (lapse
// sends a POST only once: the upstream may have acted on it, and the harness sees the reset as it
// would without lapse; an idempotent GET is sent again on a fresh connection); 103 Early Hints and
// trailers reach the harness as without lapse.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Socket } from 'node:net';
import { recording, removeTmpDirs, startUpstream, type Upstream } from './helpers.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

/** Answers the first request on each connection; resets the connection on the second, after reading it. */
async function droppingUpstream(): Promise<{ up: Upstream; seen: string[] }> {
  const seen: string[] = [];
  const perSocket = new WeakMap<Socket, number>();
  const up = await startUpstream((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n >= 2) return void req.socket.resetAndDestroy();
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' });
    res.end('{"ok":true}');
  });
  cleanup.push(() => up.close());
  return { up, seen };
}

function send(base: string, method: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve) => {
    const u = new URL(`${base}/v1/messages`);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end(method === 'POST' ? '{"model":"m","messages":[]}' : undefined);
  });
}

describe('relay details', () => {
  it('a POST the upstream read is not sent twice; the client sees the reset as it does without lapse', async () => {
    const direct = await droppingUpstream();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    const straight = [await send(direct.up.url, 'POST', agent), await send(direct.up.url, 'POST', agent)];
    expect(straight[0]).toBe('200');
    expect(direct.seen).toHaveLength(2);

    const { up, seen } = await droppingUpstream();
    const rec = await recording(up.url);
    cleanup.push(() => rec.finish());
    const agent2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent2.destroy());
    const through = [await send(rec.anthropic, 'POST', agent2), await send(rec.anthropic, 'POST', agent2)];
    expect(through[0]).toBe('200');
    expect(seen).toEqual(['POST /v1/messages', 'POST /v1/messages']); // not three
    expect(through[1]).not.toBe('200');
    expect(['ECONNRESET', 'socket hang up']).toContain(straight[1]);
    expect(['ECONNRESET', 'socket hang up']).toContain(through[1]);
    const trace = await rec.finish();
    const ends = trace.records.filter((r) => r.kind === 'http-end');
    expect(ends.map((e) => (e as { outcome: string }).outcome)).toEqual(['complete', 'error']);
  }, 60_000);

  it('an idempotent GET is sent again on a fresh connection', async () => {
    const { up, seen } = await droppingUpstream();
    const rec = await recording(up.url);
    cleanup.push(() => rec.finish());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    const got = [await send(rec.anthropic, 'GET', agent), await send(rec.anthropic, 'GET', agent)];
    expect(got).toEqual(['200', '200']);
    expect(seen).toEqual(['GET /v1/messages', 'GET /v1/messages', 'GET /v1/messages']);
  }, 60_000);

  it('103 Early Hints and trailers reach the client as without lapse', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'application/json', trailer: 'x-checksum' });
      res.write('{"part":1,');
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end('"part2":2}');
    });
    cleanup.push(() => up.close());
    const get = (base: string) =>
      new Promise<{ hints: string[]; trailers: Record<string, string | undefined>; body: string }>((resolve, reject) => {
        const u = new URL(`${base}/v1/messages`);
        const hints: string[] = [];
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ hints, trailers: { ...res.trailers }, body }));
        });
        req.on('information', (info) => hints.push(`${info.statusCode} ${info.headers.link}`));
        req.on('error', reject);
        req.end('{}');
      });
    const direct = await get(up.url);
    expect(direct.hints).toEqual(['103 </style.css>; rel=preload; as=style']);
    expect(direct.trailers).toEqual({ 'x-checksum': 'abc123' });
    const rec = await recording(up.url);
    cleanup.push(() => rec.finish());
    expect(await get(rec.anthropic)).toEqual(direct);
  }, 60_000);
});
