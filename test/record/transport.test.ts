// What each round trip costs on the wire: `lapse proxy` in front of an HTTPS upstream reached through
// a shaping relay (test/record/shaper.ts: a one-way delay on every byte, a capped uplink). The trace's
// http-timing records must show the TLS handshake (one round trip of the delay) and the upload (the
// bytes at the capped rate) within 10 % of what the shaper applied; the analysis must split the wait
// into network and server time; and the websocket profile must take the connection setup and the
// re-sent upload out again. Then the same for a WebSocket (wss) upstream: its handshake's phases, and
// each response's message on the open socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket, WebSocketServer } from 'ws';
import { loadTrace } from '../../cli/trace/load.js';
import { analyseTrace } from '../../analysis/session.js';
import { PROFILES, recordedTiming, simulate } from '../../analysis/simulate.js';
import type { HttpTimingRecord, WsMessageRecord } from '../../format/types.js';
import { validateHar } from '../export/validate-har.js';
import { launch, requireBuilt, skipBrowser, startView } from '../viewer/helpers.js';
import { closeWss, responsesEvents, sse, withLapseProxy } from './helpers.js';
import { startShaper, type Burst, type Shaper } from './shaper.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAPSE = join(ROOT, 'bin/lapse.js');
const DELAY_MS = 400; // one way: a round trip is 800 ms (a long path: its tenth is more than a busy machine adds)
const RTT_MS = 2 * DELAY_MS;
const UP_RATE = 4_000_000; // bytes per second
const hasTools = spawnSync('openssl', ['version']).status === 0;
/** Skipped on a developer machine without openssl; a failure on CI. */
const skip = !hasTools && process.env.CI !== 'true';
/** Where the proxy can see its send queue acknowledged (send-queue.ts): the upload's honest end. */
const ACKS = process.platform === 'linux';

const dir = mkdtempSync(join(tmpdir(), 'lapse-wire-'));
let server: https.Server;
let shaper: Shaper;
/** The upstream's own log: when each request's last body byte arrived, and its size. */
const received: Array<{ at: number; bytes: number }> = [];

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
  shaper = await startShaper({ upstreamPort: (server.address() as { port: number }).port, delayMs: DELAY_MS, upBytesPerSecond: UP_RATE });
});

afterAll(async () => {
  await shaper?.close();
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
  await withLapseProxy(trace, ['--anthropic-upstream', `https://127.0.0.1:${shaper.port}`], { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, async (base) => {
    expect(await post(base, first)).toContain('message_stop');
    expect(await post(base, second)).toContain('message_stop');
  }, 'inherit');
  return trace;
}

/**
 * What the shaper applied, from its own log: the TLS handshake as the time from the ClientHello to
 * the client's next flight (the one-way delay both ways, and whatever the machine added), then each
 * exchange's upload, its bursts merged until its bytes are through: `ms` until it read the last byte,
 * `arrivedMs` until the last byte was in its kernel — the upload as the sender's TCP went through the
 * shaping (shorter by what the shaper's own receive buffer held, which Node cannot pin: see shaper.ts).
 */
function shaped(bursts: Burst[], timings: Array<{ bytesUp: number }>): { tlsMs: number; uploads: Array<{ ms: number; arrivedMs: number; bytes: number; maxQueued: number }> } {
  const [hello, ...rest] = bursts;
  const uploads: Array<{ ms: number; arrivedMs: number; bytes: number; maxQueued: number }> = [];
  let i = 0;
  for (const t of timings) {
    const start = rest[i].start;
    let end = start;
    let arrived = start;
    let bytes = 0;
    let maxQueued = -1;
    while (i < rest.length && bytes < 0.99 * t.bytesUp) {
      bytes += rest[i].bytes;
      maxQueued = Math.max(maxQueued, rest[i].maxQueued);
      arrived = rest[i].arrivedEnd;
      end = rest[i++].end;
    }
    uploads.push({ ms: end - start, arrivedMs: arrived - start, bytes, maxQueued });
  }
  return { tlsMs: rest[0].start - hello.start, uploads };
}
const ms = (a: number | undefined, b: number | undefined) => ((b ?? NaN) - (a ?? NaN)) / 1000;
/** LAPSE_WIRE_FIGURES=1 prints measured against applied (ms), for the record of the figures. */
const figures = (what: string, f: Record<string, number[]>) => {
  if (process.env.LAPSE_WIRE_FIGURES) console.log(`wire figures ${what} [measured, applied(upload: in the shaper's kernel, read by the shaper, kernel-accepted by the proxy)]: ${JSON.stringify(f, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);
};
const within = (measured: number, applied: number) => expect(Math.abs(measured - applied), `measured ${measured.toFixed(1)} ms, applied ${applied.toFixed(1)} ms`).toBeLessThanOrEqual(0.1 * applied);

/** `lapse ARGS…` (the built CLI): its stdout, after checking it said nothing on stderr and exited 0. */
function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [LAPSE, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Opens `trace` in the web viewer and hands `fn` a function that selects a request and lists its waterfall's phases. */
async function inInspector(trace: string, fn: (page: Page, phasesOf: (id: string) => Promise<Array<string | null>>) => Promise<void>): Promise<void> {
  requireBuilt();
  const view = await startView(trace);
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(view.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await fn(page, async (id) => {
      const pt = await page.evaluate((rid) => window.__lapse!.timeline!.pointFor(rid), id);
      await page.mouse.click(pt!.x, pt!.y);
      await expect.poll(() => page.textContent('[data-testid="inspector-title"]')).toMatch(new RegExp(`Request ${id}`));
      return page.$$eval('[data-testid="waterfall"] tr[data-phase]', (rows) => rows.map((r) => r.getAttribute('data-phase')));
    });
  } finally {
    await browser?.close();
    await view.stop();
  }
}

describe.skipIf(skip)('the wire: a TLS upstream behind added latency and a capped uplink', () => {
  let trace = '';
  /** What the shaper applied (its own log). */
  let bursts: Burst[] = [];
  beforeAll(async () => {
    trace = await record();
    bursts = await shaper.bursts();
  }, 60_000);

  it('records the connection, the TLS handshake and the upload within 10 % of what the shaper applied', () => {
    const timings = loadTrace(trace).records.filter((r): r is HttpTimingRecord => r.kind === 'http-timing');
    expect(timings.map((t) => t.id)).toEqual(['r1', 'r2']);
    const [a, b] = timings;
    const applied = shaped(bursts, timings);
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
    figures('http', { tlsMs: [ms(a.connect, a.tls), applied.tlsMs], ...Object.fromEntries([a, b].map((t, i) => [`upload${i + 1}Ms`, [ms(t.sendStart, t.acked ?? t.sendEnd), applied.uploads[i].arrivedMs, applied.uploads[i].ms, ms(t.sendStart, t.sendEnd)]])), shaperQueuedKB: applied.uploads.map((u) => u.maxQueued / 1024) });
    // The second request reuses it: no setup at all.
    expect(b.reused).toBe(true);
    expect(b.connect === undefined && b.tls === undefined).toBe(true);
    // Uploads: as long as the shaper took to let the bytes through at its capped rate (never faster).
    for (const [i, t] of [a, b].entries()) {
      const up = applied.uploads[i];
      expect(t.bytesUp).toBeGreaterThan(received[i].bytes);
      expect(Math.abs(up.bytes - t.bytesUp)).toBeLessThan(0.01 * t.bytesUp); // TLS adds its record framing
      expect(up.ms).toBeGreaterThanOrEqual(0.98 * (t.bytesUp / UP_RATE) * 1000);
      // the kernel took the last byte long before it left (Node's shaper cannot shrink the buffers)…
      expect(ms(t.sendStart, t.sendEnd)).toBeLessThanOrEqual(1.1 * up.ms);
      // …the upstream's acknowledgement of it is the upload's end: the shaping as the proxy's TCP went
      // through it, never longer than the shaper's own reading of the bytes
      if (ACKS) {
        expect(t.acked).toBeDefined();
        within(ms(t.sendStart, t.acked), up.arrivedMs);
        expect(ms(t.sendStart, t.acked)).toBeLessThanOrEqual(1.1 * up.ms);
      }
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
    const applied = shaped(bursts, loadTrace(trace).records.filter((r): r is HttpTimingRecord => r.kind === 'http-timing'));
    if (ACKS) expect([a.network!.uploadEnd, b.network!.uploadEnd]).toEqual(['acked', 'acked']);
    within(a.network!.setupMs - a.network!.connectMs!, applied.tlsMs);
    expect(b.network!.setupMs).toBeLessThan(0.25 * RTT_MS); // a hand-over, however busy the machine
    expect(b.network!.resentBytes / b.network!.bytesUp).toBeGreaterThan(0.98);
    const t = model.transport!;
    expect(t).toMatchObject({ requests: 2, newConnections: 1 });
    expect(t.overheadMs).toBeCloseTo(t.criticalSetupMs + t.criticalUploadMs, 6);
    // the uplink the shaper let through, never more than its cap
    const rate = applied.uploads.reduce((n, u) => n + u.bytes, 0) / (applied.uploads.reduce((n, u) => n + u.ms, 0) / 1000);
    expect(rate).toBeLessThanOrEqual(1.02 * UP_RATE);
    // as the proxy's TCP went through it (see shaped)
    const arrivedRate = applied.uploads.reduce((n, u) => n + u.bytes, 0) / (applied.uploads.reduce((n, u) => n + u.arrivedMs, 0) / 1000);
    within(t.uplinkBytesPerSecond!, arrivedRate);

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
    const stats = JSON.parse(run('stats', trace, '--json'));
    expect(stats.transport).toMatchObject({ requests: 2, newConnections: 1 });
    expect(stats.requests[0].network).toMatchObject({ reused: false, socket: null, dnsMs: null, uploadEnd: ACKS ? 'acked' : 'sent' });
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
    // the HAR carries the measured upload, which the test above holds to what the shaper applied; not
    // to bytes ÷ the cap: the shaper's kernel buffers megabytes Node cannot pin (2751 vs 3332 ms seen)
    expect(e2.timings.send).toBeCloseTo(stats.requests[1].network.uploadMs, 2);
    expect(e2.timings.send).toBeGreaterThan(0.5 * (received[1].bytes / UP_RATE) * 1000);
  });

  it.skipIf(skipBrowser)('draws the waterfall in the web viewer\'s inspector', () =>
    inInspector(trace, async (page, phasesOf) => {
      expect(await phasesOf('r1')).toEqual(['handover', 'connect', 'tls', 'upload', 'server', 'download']);
      expect(await page.textContent('[data-testid="waterfall"]')).toMatch(/Network \(new connection\)[\s\S]*TLS handshake/);
      expect(await phasesOf('r2')).toEqual(['handover', 'upload', 'server', 'download']);
      expect(await page.locator('[data-testid="waterfall"] .waterfall-resent').count()).toBe(1);
    }), 60_000);
});

// Codex's way: a Responses WebSocket (wss upstream, through its own shaper), asked for two responses.
// The socket's connection is set up once — TCP, TLS (one shaped round trip), the upgrade request and
// its 101 (another) — and each response's message goes up on the open socket.
describe.skipIf(skip)('the wire: a WebSocket to a TLS upstream behind added latency and a capped uplink', () => {
  let trace = '';
  let wsShaper: Shaper;
  let bursts: Burst[] = [];
  let upstream: https.Server;
  let wss: WebSocketServer;
  /** The upstream's log: when each response.create arrived whole, and its size; when it answered the upgrade. */
  const got: Array<{ at: number; bytes: number }> = [];
  let upgradedAt = 0;
  // a first message with the whole input (6 MB: more than the kernel buffers take at once), then an incremental one
  const big = { type: 'response.create', model: 'gpt-test', input: [{ role: 'user', content: 'x'.repeat(6_000_000) }] };
  const small = { type: 'response.create', model: 'gpt-test', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'ok' }] };

  beforeAll(async () => {
    if (!hasTools) return;
    upstream = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    wss = new WebSocketServer({ server: upstream, perMessageDeflate: false });
    wss.on('headers', () => (upgradedAt = performance.now()));
    wss.on('connection', (ws) => {
      ws.on('message', (data: Buffer) => {
        got.push({ at: performance.now(), bytes: data.length });
        for (const e of responsesEvents()) ws.send(JSON.stringify(e));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    wsShaper = await startShaper({ upstreamPort: (upstream.address() as { port: number }).port, delayMs: DELAY_MS, upBytesPerSecond: UP_RATE });
    trace = join(dir, 'socket.lapse');
    await withLapseProxy(trace, ['--openai-upstream', `https://127.0.0.1:${wsShaper.port}/v1`], { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, async (base) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/responses`, { perMessageDeflate: false, headers: { 'openai-beta': 'responses_websockets=2026-02-06' } });
      const done: Array<() => void> = [];
      ws.on('message', (d: Buffer) => {
        if (JSON.parse(String(d)).type === 'response.completed') done.shift()?.();
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      for (const m of [big, small]) {
        const answered = new Promise<void>((r) => done.push(r));
        ws.send(JSON.stringify(m));
        await answered;
      }
      ws.close();
      await new Promise((r) => ws.once('close', r));
    });
    bursts = await wsShaper.bursts();
  }, 60_000);

  afterAll(async () => {
    await wsShaper?.close();
    if (wss) await closeWss(wss);
    if (upstream) await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('records the socket\'s connection, TLS and upgrade within 10 % of what the shaper applied, and each message\'s way up', () => {
    const records = loadTrace(trace).records;
    const [hs] = records.filter((r): r is HttpTimingRecord => r.kind === 'http-timing');
    expect(hs.id).toBe('w1');
    const [hello, next] = bursts;
    within(ms(hs.connect, hs.tls), next.start - hello.start);
    expect(ms(hs.connect, hs.tls)).toBeGreaterThanOrEqual(RTT_MS);
    // the upgrade request goes up (in the flight after the ClientHello's answer) and its 101 comes
    // back: the delay both ways and the upstream's own time
    const upgradeApplied = upgradedAt - next.start + DELAY_MS;
    expect(upgradeApplied).toBeGreaterThanOrEqual(RTT_MS);
    // (stamped when the proxy's event loop sees the 101: on a loaded 2-core machine that can come a
    // tenth of a round trip late, beyond the 10 %, so the upper bound allows for it)
    const upgradeOk = (measured: number) => {
      expect(measured).toBeGreaterThanOrEqual(0.9 * upgradeApplied);
      expect(measured, `upgrade measured ${measured}, applied ${upgradeApplied}`).toBeLessThanOrEqual(1.1 * upgradeApplied + 0.1 * RTT_MS);
    };
    upgradeOk(ms(hs.sendStart, hs.head));
    expect(hs.sendStart).toBe(hs.tls);
    const ups = records.filter((r): r is WsMessageRecord => r.kind === 'ws-message' && r.dir === 'up');
    expect(ups).toHaveLength(2);
    expect(got.map((g) => g.bytes)).toEqual([JSON.stringify(big).length, JSON.stringify(small).length]);

    const model = analyseTrace(loadTrace(trace), { detail: false });
    const [a, b] = model.requests;
    expect([a.id, b.id, a.transport]).toEqual(['w1#1', 'w1#2', 'websocket']);
    const w = model.transport!.sockets[0];
    expect(w).toMatchObject({ id: 'w1', responses: 2, dnsMs: null });
    within(w.tlsMs!, next.start - hello.start);
    upgradeOk(w.upgradeMs!);
    // the turn starts when its message began arriving, and its wait is exactly upload + server
    expect(a.startMs).toBeCloseTo(ups[0].start! / 1000, 6);
    for (const r of [a, b]) {
      const n = r.network!;
      expect(n).toMatchObject({ socket: 'w1', reused: true, setupMs: 0, uploadEnd: 'sent' });
      expect(n.setupMs + n.uploadMs + n.serverMs).toBeCloseTo(r.ttftMs!, 3);
      // the message's last byte up, the first answer back: the shaper's two delays are timers on a
      // loop clock of whole ms, each may fire up to 1 ms before its hrtime (CI saw 798.75 of 800)
      expect(n.serverMs).toBeGreaterThanOrEqual(RTT_MS - 2);
    }
    // the message's way through the proxy: each chunk went on as it came, so it ends when the kernel
    // took the last one — never longer than the shaper's own upload, shorter by what the buffers held
    // (its bursts merged until its bytes are through: a loaded machine can pause the reads past the
    // shaper's 300 ms burst gap — CI at load 13 split it 2.3 + 3.7 MB)
    const size = JSON.stringify(big).length;
    const applied = bursts
      .filter((x) => x.start > next.start + RTT_MS / 2)
      .reduce((m, x) => (m.bytes >= 0.99 * size ? m : { ...m, end: x.end, bytes: m.bytes + x.bytes }));
    expect(applied.bytes).toBeGreaterThan(0.99 * JSON.stringify(big).length);
    expect(a.network!.uploadMs).toBeGreaterThan(0);
    expect(a.network!.uploadMs).toBeLessThanOrEqual(1.1 * (applied.end - applied.start));
    expect(a.network!.bytesUp).toBe(JSON.stringify(big).length);
    figures('websocket', { tlsMs: [w.tlsMs!, next.start - hello.start], upgradeMs: [w.upgradeMs!, upgradeApplied], upload1Ms: [a.network!.uploadMs, applied.end - applied.start] });

    // websocket mode on a session already on a WebSocket: nothing to take out, no published factor again
    const sim = simulate(model, PROFILES.websocket);
    for (const [i, r] of [a, b].entries()) {
      const rec = recordedTiming(r);
      expect(rec.setupMs + rec.resentUploadMs).toBe(0);
      expect(sim.requests[i].firstContentMs! - sim.requests[i].startMs).toBeCloseTo(r.ttftMs!, 3);
    }
  });

  it('says so in stats (text and --json) and the HAR export', () => {
    const stats = JSON.parse(run('stats', trace, '--json'));
    expect(stats.requests.map((r: { network: { socket: string } }) => r.network.socket)).toEqual(['w1', 'w1']);
    expect(stats.transport.sockets).toHaveLength(1);
    expect(stats.transport.sockets[0].tlsMs).toBeGreaterThan(0.9 * RTT_MS);
    expect(stats.transport.socketSetupMs).toBeGreaterThan(1.8 * RTT_MS);
    expect(run('stats', trace)).toMatch(/websockets\s+1 for 2 responses, set up once in [\d.]+ (ms|s)[\s\S]*WebSocket w1: one connection for 2 responses, set up in .*TLS/);
    const har = JSON.parse(run('export', trace, '--format', 'har'));
    expect(validateHar(har)).toEqual([]);
    const entry = har.log.entries.find((e: { _resourceType?: string }) => e._resourceType === 'websocket');
    expect(entry.timings.ssl).toBeGreaterThan(0.9 * RTT_MS);
    expect(entry.timings.wait).toBeGreaterThan(0.9 * RTT_MS);
  });

  it.skipIf(skipBrowser)('draws the turn\'s waterfall and its socket\'s setup in the web viewer', () =>
    inInspector(trace, async (page, phasesOf) => {
      expect(await phasesOf('w1#1')).toEqual(['upload', 'server', 'download']);
      expect(await page.textContent('[data-testid="waterfall-socket"]')).toMatch(/WebSocket w1: one connection for 2 responses, set up in .*TLS/);
    }), 60_000);
});
