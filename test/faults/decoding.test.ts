// Compressed bodies that expand without bound (gzip bombs), through `lapse proxy` (a child process,
// so its memory can be read from /proc): the harness and the upstream get the exact bytes, the trace
// decodes up to its bound and says it stopped there, and the proxy's memory stays small.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createGzip } from 'node:zlib';
import { join } from 'node:path';
import { loadTrace } from '../../cli/trace/load.js';
import { decodeBound } from '../../cli/record/body-tap.js';
import { bodyBytes } from '../../format/index.js';
import { memoryOf, ofKind, removeTmpDirs, sleep, startCli, startUpstream, tmpDir, type Upstream } from './helpers.js';

const MB = 1024 * 1024;

/** ~256 KB of gzip that decodes to 256 MB of zeros (made once). */
let made: Promise<Buffer> | null = null;
const gzipBomb = () => (made ??= makeBomb());
async function makeBomb(): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((r) => gz.on('end', r));
  const zeros = Buffer.alloc(MB);
  for (let i = 0; i < 256; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

function send(port: number, path: string, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('decompression bombs', { timeout: 120_000 }, () => {
  it('a 256 KB gzip response that decodes to 256 MB: exact bytes to the harness, decoded up to the bound, memory bounded, the trace readable', async () => {
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(512 * 1024);
    const up: Upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': req.url?.includes('sse') ? 'text/event-stream' : 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
      // in a few writes, as a network would deliver it
      for (let off = 0; off < bomb.length; off += 64 * 1024) res.write(bomb.subarray(off, off + 64 * 1024));
      res.end();
    });
    cleanup.push(() => up.close());
    const trace = join(tmpDir(), 'bomb.lapse');
    const cli = await startCli(['proxy', '-o', trace, '--anthropic-upstream', up.url, '--openai-upstream', `${up.url}/v1`], /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:(\d+)/);
    cleanup.push(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    const port = Number(cli.match![1]);
    await sleep(300);
    const rest = memoryOf(cli.child.pid!)!.rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(cli.child.pid!)?.rss ?? 0)), 20);
    for (const path of ['/v1/messages', '/v1/messages?sse']) {
      const got = await send(port, path, { 'content-type': 'application/json' }, Buffer.from('{}'));
      expect(got.status).toBe(200);
      expect(got.body.equals(bomb)).toBe(true);
    }
    await sleep(1500); // the writer thread decodes (up to its bound) and writes
    clearInterval(sampler);
    cli.child.kill('SIGINT');
    const end = await cli.done;
    expect(end.code).toBe(0);
    const hwm = peak; // sampled while it ran (the child is gone now)
    console.log(`gzip bomb: lapse proxy RSS ${(rest / MB).toFixed(0)} MB at rest, peak ${(hwm / MB).toFixed(0)} MB`);
    expect(hwm - rest).toBeLessThan(400 * MB);

    const t = loadTrace(trace);
    expect(t.damage).toBeUndefined();
    for (const id of ['r1', 'r2']) {
      expect(ofKind(t.records, 'http-response').find((r) => r.id === id)).toMatchObject({ decoded: true });
      expect(ofKind(t.records, 'http-end').find((r) => r.id === id)).toMatchObject({ outcome: 'complete', bytes: bomb.length });
      const data = ofKind(t.records, 'http-data').filter((r) => r.id === id);
      const decoded = data.reduce((n, r) => n + (r.chunk ? (r.chunk.enc === 'dropped' ? 0 : bodyBytes(r.chunk).length) : r.sse?.form === 'raw' ? Buffer.byteLength(r.sse.text) : 0), 0);
      // up to the bound (1 MiB + 16× the compressed bytes seen so far), a few MiB of 256
      expect(decoded).toBeGreaterThan(1024 * 1024);
      expect(decoded).toBeLessThanOrEqual(decodeBound(bomb.length));
    }
    const notes = ofKind(t.records, 'drop').map((d) => d.reason);
    expect(notes.filter((n) => /response body of r\d not decoded past \d+ bytes: it decodes to more than \d+ bytes from \d+ compressed/.test(n))).toHaveLength(2);
  });

  it('a gzip request body that decodes past the bound: the upstream gets it exact, the trace keeps it as sent and says why', async () => {
    const bomb = await gzipBomb();
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    cleanup.push(() => up.close());
    const trace = join(tmpDir(), 'bomb-request.lapse');
    const cli = await startCli(['proxy', '-o', trace, '--anthropic-upstream', up.url, '--openai-upstream', `${up.url}/v1`], /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:(\d+)/);
    cleanup.push(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    const got = await send(Number(cli.match![1]), '/v1/messages', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb);
    expect(got.body.toString()).toBe('{"ok":true}');
    expect(up.requests[0].body.equals(bomb)).toBe(true);
    await sleep(500);
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
    const recs = loadTrace(trace).records;
    const req = ofKind(recs, 'http-request')[0];
    expect(Buffer.from(bodyBytes(req.body)).equals(bomb)).toBe(true);
    expect(ofKind(recs, 'drop').map((d) => d.reason)).toEqual([`request body of r1 stored as sent (gzip): it decodes to more than ${decodeBound(bomb.length)} bytes`]);
  });
});
