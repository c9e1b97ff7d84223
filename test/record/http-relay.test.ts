// The HTTP relay with a raw node:http client: compressed SSE, large bodies, backpressure, stale
// keep-alive connections, and a recording fault that must not reach the harness.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { GuardedSink } from '../../cli/record/sink.js';
import { memoryLog } from '../../cli/record/log.js';
import { startProxy } from '../../cli/record/proxy-server.js';
import type { HttpDataRecord, HttpRequestRecord, HttpResponseRecord } from '../../format/types.js';
import { AckChannel, inProcessProxy, sleep, sse, startUpstream, until, type InProcessProxy, type Upstream } from './helpers.js';

let cleanup: Array<() => Promise<void> | void> = [];
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

function rawRequest(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer; onData?: (c: Buffer) => void } = {}) {
  return new Promise<{ res: http.IncomingMessage; chunks: Buffer[]; done: Promise<void> }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const done = new Promise<void>((r, j) => {
        res.on('end', r);
        res.on('error', j);
      });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        opts.onData?.(c);
      });
      resolve({ res, chunks, done });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('HTTP relay', () => {
  it('forwards a gzip-compressed SSE stream untouched, event by event, and decodes it only for the trace', async () => {
    const events = Array.from({ length: 8 }, (_, i) => sse('message', { i, text: `token ${i} `.repeat(20) }));
    const ack = new AckChannel();
    let clientChunks: Buffer[] = [];
    const { up, p } = await setup(async (_req, res, _b, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.flushHeaders();
      const gz = zlib.createGzip();
      gz.on('data', (c: Buffer) => write(c));
      for (let i = 0; i < events.length; i++) {
        gz.write(events[i]);
        await new Promise<void>((r) => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
        await ack.wait(i);
      }
      const ended = new Promise((r) => gz.once('end', r));
      gz.end();
      await ended;
      res.end();
    });
    // Decode what the client has so far to see which events reached it, and acknowledge them.
    const inflater = zlib.createGunzip();
    let text = '';
    inflater.on('data', (d: Buffer) => {
      text += d.toString();
      const n = text.split('\n\n').length - 1;
      for (let i = 0; i < n; i++) ack.signal(i);
    });
    const { res, chunks, done } = await rawRequest(p.proxy.port, '/v1/chat/completions', {
      headers: { 'accept-encoding': 'gzip' },
      onData: (c) => inflater.write(c),
    });
    clientChunks = chunks;
    await done;
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Buffer.concat(clientChunks).equals(Buffer.concat(up.sent[0]))).toBe(true);
    expect(zlib.gunzipSync(Buffer.concat(clientChunks)).toString()).toBe(events.join(''));
    await until(() => p.records.some((r) => r.kind === 'http-end'));
    expect((p.records.find((r) => r.kind === 'http-response') as HttpResponseRecord).decoded).toBe(true);
    const data = p.records.filter((r) => r.kind === 'http-data') as HttpDataRecord[];
    expect(data.map((d) => (d.sse as { text: string }).text)).toEqual(events);
    for (let k = 1; k < data.length; k++) expect(data[k].t).toBeGreaterThanOrEqual(data[k - 1].t);
  });

  it('streams a large request body through unchanged and keeps it for the trace', async () => {
    const body = Buffer.alloc(8 << 20);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    let upstreamHash = '';
    // The helper's upstream reads bodies as text: this one hashes the exact bytes.
    const exact = http.createServer(async (req, res) => {
      const h = createHash('sha256');
      for await (const c of req) h.update(c as Buffer);
      upstreamHash = h.digest('hex');
      res.end('ok');
    });
    await new Promise<void>((r) => exact.listen(0, '127.0.0.1', r));
    const port = (exact.address() as { port: number }).port;
    const p2 = await inProcessProxy({ anthropic: `http://127.0.0.1:${port}`, openai: `http://127.0.0.1:${port}/v1` });
    cleanup.push(() => new Promise<void>((r) => exact.close(() => r())), () => p2.close());
    const { done, chunks } = await rawRequest(p2.proxy.port, '/v1/messages', { body, headers: { 'content-type': 'application/octet-stream' } });
    await done;
    expect(Buffer.concat(chunks).toString()).toBe('ok');
    expect(upstreamHash).toBe(createHash('sha256').update(body).digest('hex'));
    await until(() => p2.records.some((r) => r.kind === 'http-request'));
    const rec = p2.records.find((r) => r.kind === 'http-request') as HttpRequestRecord;
    expect(Buffer.from((rec.body as { bytes: Uint8Array }).bytes).equals(body)).toBe(true);
  });

  it('passes backpressure to the upstream when the harness reads slowly', async () => {
    let wroteBeforeBlock = -1;
    const { p } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1 << 20, 1);
      let total = 0;
      for (let i = 0; i < 256; i++) {
        total += chunk.length;
        if (!res.write(chunk)) {
          const drained = await Promise.race([new Promise((r) => res.once('drain', () => r(true))), sleep(500).then(() => false)]);
          if (!drained) {
            wroteBeforeBlock = total;
            break;
          }
        }
      }
      res.end();
    });
    const { res } = await rawRequest(p.proxy.port, '/v1/files');
    res.pause(); // the harness does not read
    await until(() => wroteBeforeBlock > 0, 10_000);
    // Held back by socket buffers only, not by an unbounded queue in the proxy.
    expect(wroteBeforeBlock).toBeLessThan(64 << 20);
    res.destroy();
  });

  // Only a request that is safe to repeat: an idempotent one (a POST the upstream read is not sent
  // again; test/faults/relay.test.ts checks that side).
  it('re-sends an idempotent request once on a fresh connection when a kept-alive upstream connection turns out to be dead', async () => {
    const perSocket = new WeakMap<object, number>();
    let seen = 0;
    const { p } = await setup(async (req, res) => {
      seen++;
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy(); // as if it had timed out just as the proxy reused it
      res.end(`answer ${seen}`);
    });
    for (const expected of ['answer 1', 'answer 3']) {
      await sleep(50); // let the first upstream connection go back to the pool
      const { done, chunks } = await rawRequest(p.proxy.port, '/v1/messages', { method: 'GET' });
      await done;
      expect(Buffer.concat(chunks).toString()).toBe(expected);
    }
  });

  it('keeps relaying when the recording itself fails, and says so once', async () => {
    const up = await startUpstream(async (_req, res, _b, write) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5; i++) write(sse(null, { i }));
      res.end();
    });
    const log = memoryLog();
    const broken = {
      now: () => 0,
      write: (): void => {
        throw new Error('disk on fire');
      },
    };
    const proxy = await startProxy({ sink: new GuardedSink(broken, log), upstreams: { anthropic: up.url, openai: up.url }, log });
    cleanup.push(() => up.close(), () => proxy.close());
    for (let k = 0; k < 2; k++) {
      const { done, chunks } = await rawRequest(proxy.port, '/v1/messages', { body: Buffer.from('{}') });
      await done;
      expect(Buffer.concat(chunks).toString()).toBe(Array.from({ length: 5 }, (_, i) => sse(null, { i })).join(''));
    }
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/recording degraded.*disk on fire/);
  });
});
