// `lapse replay` as a server on a machine with browsers and big clients: it answers only requests that
// name it (Host) and none from a web page (Origin), HTTP and WebSocket alike; a body past the
// recorder's limit is refused with 413 instead of buffered (600 MB once crashed it); a WebSocket
// message it cannot serve (binary, not JSON, an unknown type) gets an `error` event, never silence.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../../cli/record/limits.js';
import { removeTmpDirs, ROOT, startCli } from './helpers.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

async function replay(fixture: string): Promise<{ base: string; port: number }> {
  const srv = await startCli(['replay', join(ROOT, 'fixtures/traces', fixture), '--instant', '--port', '0'], /ANTHROPIC_BASE_URL=(http:\/\/\S+)\n/, { timeoutMs: 30_000 });
  cleanup.push(async () => {
    srv.child.kill('SIGTERM');
    await srv.done;
  });
  expect(srv.match).not.toBeNull();
  const base = srv.match![1];
  return { base, port: Number(new URL(base).port) };
}

function request(port: number, opts: { host?: string; origin?: string; path?: string; body?: Readable | string }): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.host !== undefined) headers.host = opts.host;
    if (opts.origin !== undefined) headers.origin = opts.origin;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: opts.path ?? '/v1/messages', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
    if (opts.body instanceof Readable) opts.body.pipe(req);
    else req.end(opts.body ?? '{}');
  });
}

describe('lapse replay guards', () => {
  it('refuses a foreign Host and any browser Origin, over HTTP and WebSocket', async () => {
    const { port } = await replay('anthropic.lapse');
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `rebind.127.0.0.1.nip.io:${port}`]) {
      const r = await request(port, { host });
      expect({ host, status: r.status }).toEqual({ host, status: 403 });
    }
    const fromPage = await request(port, { host: `127.0.0.1:${port}`, origin: 'http://evil.example' });
    expect(fromPage.status).toBe(403);
    expect(JSON.parse(fromPage.body).error.message).toMatch(/web page/);
    // its own name is still served (404 or a recorded answer, not 403)
    const own = await request(port, { host: `127.0.0.1:${port}`, body: JSON.stringify({ model: 'x', messages: [] }) });
    expect(own.status).not.toBe(403);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/responses`, { headers: { origin: 'http://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(403);
  }, 60_000);

  it(`refuses a body over ${MAX_BODY_BYTES / 1024 / 1024} MiB with 413 and keeps serving`, async () => {
    const { port } = await replay('anthropic.lapse');
    const total = MAX_BODY_BYTES + 16 * 1024 * 1024;
    const block = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += block.length;
        this.push(block);
      },
    });
    const r = await request(port, { host: `127.0.0.1:${port}`, body });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toMatch(/MiB/);
    const after = await request(port, { host: `127.0.0.1:${port}`, body: '{}' });
    expect(after.status).not.toBe(0); // still up
  }, 120_000);

  it('answers every WebSocket message it cannot serve with an error event', async () => {
    const { port } = await replay('openai-ws.lapse');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/responses`, { headers: { 'openai-beta': 'responses_websockets=2026-02-06' } });
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    const answers: unknown[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(d.toString())));
    const sendAndWait = async (data: Buffer | string, binary: boolean) => {
      const before = answers.length;
      ws.send(data, { binary });
      for (let i = 0; i < 100 && answers.length === before; i++) await new Promise((r) => setTimeout(r, 50));
      return answers[before] as { type: string; error: { code: string; message: string } } | undefined;
    };
    for (const [what, data, binary] of [['binary', Buffer.from([1, 2, 3]), true], ['not JSON', 'hello there', false], ['unknown type', JSON.stringify({ type: 'session.frobnicate' }), false], ['no type', JSON.stringify({ hello: 1 }), false]] as const) {
      const ev = await sendAndWait(data as Buffer | string, binary);
      expect({ what, type: ev?.type, code: ev?.error.code }).toEqual({ what, type: 'error', code: 'unsupported_message' });
    }
    ws.close();
  }, 60_000);
});
