// What each round trip costs on the wire: `lapse proxy` in front of an HTTPS upstream reached through
// a shaping relay (test/record/shaper.py: a one-way delay on every byte, a capped uplink). The trace's
// http-timing records must show the TLS handshake (one round trip of the delay) and the upload (the
// bytes at the capped rate) within 10 % of what the shaper applied; the analysis must split the wait
// into network and server time; and the websocket profile must take the connection setup and the
// re-sent upload out again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { loadTrace } from '../../cli/trace/load.js';
import { analyseTrace } from '../../analysis/session.js';
import { PROFILES, recordedTiming, simulate } from '../../analysis/simulate.js';
import type { HttpTimingRecord } from '../../format/types.js';
import { validateHar } from '../export/validate-har.js';
import { launch, requireBuilt, skipBrowser, startView } from '../viewer/helpers.js';
import { sse, withLapseProxy } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAPSE = join(ROOT, 'bin/lapse.js');
const DELAY_MS = 400; // one way: a round trip is 800 ms (a long path: its tenth is more than a busy machine adds)
const RTT_MS = 2 * DELAY_MS;
const UP_RATE = 4_000_000; // bytes per second
const hasTools = spawnSync('python3', ['--version']).status === 0 && spawnSync('openssl', ['version']).status === 0;
/** Skipped on a developer machine without python3 or openssl; a failure on CI. */
const skip = !hasTools && process.env.CI !== 'true';

const dir = mkdtempSync(join(tmpdir(), 'lapse-wire-'));
let server: https.Server;
let shaper: ChildProcess;
let shaperPort = 0;
/** The upstream's own log: when each request's last body byte arrived, and its size. */
const received: Array<{ at: number; bytes: number }> = [];
/** The shaper's own log: its uplink bursts (seconds on its clock, bytes). */
const bursts: Array<{ start: number; end: number; bytes: number }> = [];

// A Claude-Code-like conversation: a large system prompt sent again with every request. 12 MB, so
// that what the proxy's kernel takes into its send buffer at once (hundreds of KB, more as the
// congestion window grows; the proxy cannot see those bytes leave) stays well within the 10 %.
const system = Array.from({ length: 240_000 }, (_, i) => `rule ${i}: keep the tests honest and the relay fast.`).join('\n');
const first = { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, system, messages: [{ role: 'user', content: 'hello' }] };
const second = { ...first, messages: [...first.messages, { role: 'assistant', content: 'Hi! What shall we do?' }, { role: 'user', content: 'run the tests' }] };

function answer(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sse('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 9000, output_tokens: 1 } } }));
  res.write(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  let i = 0;
  const words = text.split(' ');
  const next = () => {
    if (i < words.length) {
      res.write(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${words[i++]} ` } }));
      setTimeout(next, 10);
      return;
    }
    res.write(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
    res.write(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: words.length } }));
    res.end(sse('message_stop', { type: 'message_stop' }));
  };
  next();
}

beforeAll(async () => {
  if (!hasTools) return;
  // A throwaway certificate, made now and removed after: nothing secret is committed.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      received.push({ at: performance.now(), bytes });
      answer(res, 'all tests pass and nothing else changed in the tree');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const upstreamPort = (server.address() as { port: number }).port;
  shaper = spawn('python3', [join(import.meta.dirname, 'shaper.py'), String(upstreamPort), String(DELAY_MS), String(UP_RATE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  shaperPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    let port = 0;
    shaper.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        if (!port) resolve((port = Number(l)));
        else if (l.includes('"burst"')) bursts.push(JSON.parse(l).burst);
      }
    });
    shaper.once('exit', () => reject(new Error('shaper exited')));
  });
});

afterAll(async () => {
  shaper?.kill();
  if (server) await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function post(base: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/v1/messages`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function record(): Promise<string> {
  const trace = join(dir, 'wire.lapse');
  await withLapseProxy(trace, ['--anthropic-upstream', `https://127.0.0.1:${shaperPort}`], { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, async (base) => {
    expect(await post(base, first)).toContain('message_stop');
    expect(await post(base, second)).toContain('message_stop');
  }, 'inherit');
  // the shaper writes a burst down when the next one starts or the connection closes
  const body = received[0].bytes + received[1].bytes;
  for (let i = 0; i < 200 && bursts.reduce((n, b) => n + b.bytes, 0) < body; i++) await new Promise((r) => setTimeout(r, 20));
  return trace;
}

/**
 * What the shaper applied, from its own log: the TLS handshake as the time from the ClientHello to
 * the client's next flight (the one-way delay both ways, and whatever the machine added), then each
 * request's upload, its bursts merged until its bytes are through.
 */
function shaped(timings: HttpTimingRecord[]): { tlsMs: number; uploads: Array<{ ms: number; bytes: number }> } {
  const [hello, ...rest] = bursts;
  const uploads: Array<{ ms: number; bytes: number }> = [];
  let i = 0;
  for (const t of timings) {
    const start = rest[i].start;
    let end = start;
    let bytes = 0;
    while (i < rest.length && bytes < 0.99 * t.bytesUp) {
      bytes += rest[i].bytes;
      end = rest[i++].end;
    }
    uploads.push({ ms: (end - start) * 1000, bytes });
  }
  return { tlsMs: (rest[0].start - hello.start) * 1000, uploads };
}
const ms = (a: number | undefined, b: number | undefined) => ((b ?? NaN) - (a ?? NaN)) / 1000;
const within = (measured: number, applied: number) => expect(Math.abs(measured - applied), `measured ${measured.toFixed(1)} ms, applied ${applied.toFixed(1)} ms`).toBeLessThanOrEqual(0.1 * applied);

describe.skipIf(skip)('the wire: a TLS upstream behind added latency and a capped uplink', () => {
  let trace = '';
  beforeAll(async () => {
    trace = await record();
  }, 60_000);

  it('records the connection, the TLS handshake and the upload within 10 % of what the shaper applied', () => {
    const timings = loadTrace(trace).records.filter((r): r is HttpTimingRecord => r.kind === 'http-timing');
    expect(timings.map((t) => t.id)).toEqual(['r1', 'r2']);
    const [a, b] = timings;
    const applied = shaped(timings);
    // A new connection: TCP, which a relay in user space cannot delay (the kernel answers the SYN), so
    // it is shorter than the TLS 1.3 handshake, which takes one shaped round trip.
    expect(a.reused).toBe(false);
    expect(a.dns).toBeUndefined(); // an IP address: no lookup
    expect(ms(a.start, a.connect)).toBeGreaterThanOrEqual(0);
    expect(ms(a.start, a.connect)).toBeLessThan(ms(a.connect, a.tls));
    expect(applied.tlsMs).toBeGreaterThanOrEqual(RTT_MS);
    within(ms(a.connect, a.tls), applied.tlsMs);
    expect(ms(a.connect, a.tls)).toBeGreaterThanOrEqual(RTT_MS);
    expect(a.sendStart).toBe(a.tls);
    // The second request reuses it: no setup at all.
    expect(b.reused).toBe(true);
    expect(b.connect === undefined && b.tls === undefined).toBe(true);
    // Uploads: as long as the shaper took to let the bytes through at its capped rate (never faster).
    for (const [i, t] of [a, b].entries()) {
      const up = applied.uploads[i];
      expect(t.bytesUp).toBeGreaterThan(received[i].bytes);
      expect(Math.abs(up.bytes - t.bytesUp)).toBeLessThan(0.01 * t.bytesUp); // TLS adds its record framing
      expect(up.ms).toBeGreaterThanOrEqual(0.98 * (t.bytesUp / UP_RATE) * 1000);
      within(ms(t.sendStart, t.sendEnd), up.ms);
      // the head comes back a one-way delay after the upstream read the last byte, itself a delay after it left
      expect(ms(t.sendEnd, t.head)).toBeGreaterThanOrEqual(DELAY_MS);
      expect(t.firstByte! >= t.head!).toBe(true);
      expect(t.bytesDown).toBeGreaterThan(0);
    }
    // The second body repeats the first (the system prompt and the first message).
    expect(a.repeat).toBeUndefined();
    expect(b.repeat?.base).toBe('r1');
    expect(b.repeat!.bytes).toBeGreaterThan(0.99 * received[0].bytes);
    expect(b.repeat!.bytes).toBeLessThan(received[1].bytes);
  });

  it('splits each wait into network and server time, and the websocket profile takes the network out', () => {
    const model = analyseTrace(loadTrace(trace), { detail: false });
    const [a, b] = model.requests;
    expect(a.network!.reused).toBe(false);
    expect(b.network!.reused).toBe(true);
    for (const r of [a, b]) {
      const n = r.network!;
      // the wait is exactly its parts
      expect(n.setupMs + n.uploadMs + n.serverMs).toBeCloseTo(r.ttftMs!, 3);
      // the server's part holds at least the one-way delay back (and forth for the last byte)
      expect(n.serverMs).toBeGreaterThanOrEqual(DELAY_MS);
    }
    const applied = shaped(loadTrace(trace).records.filter((r): r is HttpTimingRecord => r.kind === 'http-timing'));
    within(a.network!.setupMs - a.network!.connectMs!, applied.tlsMs);
    expect(b.network!.setupMs).toBeLessThan(0.25 * RTT_MS); // a hand-over, however busy the machine
    expect(b.network!.resentBytes / b.network!.bytesUp).toBeGreaterThan(0.98);
    const t = model.transport!;
    expect(t).toMatchObject({ requests: 2, newConnections: 1 });
    expect(t.overheadMs).toBeCloseTo(t.criticalSetupMs + t.criticalUploadMs, 6);
    // the uplink the shaper let through, never more than its cap
    const rate = applied.uploads.reduce((n, u) => n + u.bytes, 0) / (applied.uploads.reduce((n, u) => n + u.ms, 0) / 1000);
    expect(rate).toBeLessThanOrEqual(1.02 * UP_RATE);
    within(t.uplinkBytesPerSecond!, rate);

    const ws = simulate(model, PROFILES.websocket);
    for (const [i, r] of [a, b].entries()) {
      const sim = ws.requests[i];
      const rec = recordedTiming(r);
      // no connection setup and no re-sent upload, then the published TTFT × 0.5 on what is left
      expect(sim.firstContentMs! - sim.startMs).toBeCloseTo((r.ttftMs! - r.network!.setupMs - r.network!.resentUploadMs) * 0.5, 3);
      expect(rec.setupMs + rec.resentUploadMs).toBeGreaterThan(i === 0 ? 0.9 * RTT_MS : 0.9 * (r.network!.uploadMs));
    }
    expect(ws.simulated.durationMs).toBeLessThan(model.durationMs - a.network!.setupMs - b.network!.resentUploadMs);
  });

  it('says so in stats, simulate --profile websocket and the HAR export', () => {
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, [LAPSE, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const stats = JSON.parse(run('stats', trace, '--json'));
    expect(stats.transport).toMatchObject({ requests: 2, newConnections: 1 });
    expect(stats.requests[0].network).toMatchObject({ reused: false, dnsMs: null });
    expect(stats.requests[0].network.tlsMs).toBeGreaterThan(0.9 * RTT_MS);
    expect(run('stats', trace)).toMatch(/round trips on the wire[\s\S]*1 new for 2 requests[\s\S]*of round-trip overhead on the critical path[\s\S]*repeating an earlier request/);
    const text = run('simulate', trace, '--profile', 'websocket');
    expect(text).toMatch(/What WebSocket mode would save this session: [\d.]+ (ms|s)/);
    expect(text).toMatch(/connection setup/);
    const sim = JSON.parse(run('simulate', trace, '--profile', 'websocket', '--json'));
    expect(sim.profile).toMatchObject({ name: 'websocket', persistent: true, ttftScale: 0.5, tokenOverheadScale: 0.7 });
    expect(sim.simulated.durationMs).toBeLessThan(sim.original.durationMs);
    const har = JSON.parse(run('export', trace, '--format', 'har'));
    expect(validateHar(har)).toEqual([]);
    const [e1, e2] = har.log.entries;
    expect(e1.timings.dns).toBe(-1);
    expect(e1.timings.ssl).toBeGreaterThan(0.9 * RTT_MS);
    expect(e1.timings.connect).toBeGreaterThanOrEqual(e1.timings.ssl);
    expect(e1.timings.send).toBeCloseTo(stats.requests[0].network.uploadMs, 2);
    expect(e2.timings.connect).toBe(-1);
    expect(e2.timings.send).toBeGreaterThan(0.85 * (received[1].bytes / UP_RATE) * 1000);
  });

  it.skipIf(skipBrowser)('draws the waterfall in the web viewer\'s inspector', async () => {
    requireBuilt();
    const view = await startView(trace);
    let browser: Browser | undefined;
    try {
      browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(view.url);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      const phasesOf = async (id: string) => {
        const pt = await page.evaluate((rid) => window.__lapse!.timeline!.pointFor(rid), id);
        await page.mouse.click(pt!.x, pt!.y);
        await expect.poll(() => page.textContent('[data-testid="inspector-title"]')).toMatch(new RegExp(`Request ${id}`));
        return page.$$eval('[data-testid="waterfall"] tr[data-phase]', (rows) => rows.map((r) => r.getAttribute('data-phase')));
      };
      expect(await phasesOf('r1')).toEqual(['handover', 'connect', 'tls', 'upload', 'server', 'download']);
      expect(await page.textContent('[data-testid="waterfall"]')).toMatch(/Network \(new connection\)[\s\S]*TLS handshake/);
      expect(await phasesOf('r2')).toEqual(['handover', 'upload', 'server', 'download']);
      expect(await page.locator('[data-testid="waterfall"] .waterfall-resent').count()).toBe(1);
    } finally {
      await browser?.close();
      await view.stop();
    }
  }, 60_000);
});
