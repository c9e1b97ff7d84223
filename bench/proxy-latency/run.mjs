#!/usr/bin/env node
// Added latency of `lapse proxy` on a paced SSE stream (issue 3's benchmark).
//
// One process serves an SSE stream (default 2,000 events at 2,000 events/s) and reads it back, once
// directly and once through `lapse proxy` (a separate process, recording to a real trace), in
// interleaved rounds. Each event carries its index; its latency is arrival time − send time, both
// read from this process's clock. Then 20 streams at once through the proxy, checking that no
// event is lost.
//
//   npx tsc -p . && node bench/proxy-latency/run.mjs [--rounds 6] [--events 2000] [--rate 2000] [--streams 20]
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 6);
const EVENTS = arg('events', 2000);
const RATE = arg('rate', 2000);
const STREAMS = arg('streams', 20);
const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));

// ---- the paced upstream ----
const sendTimes = new Map(); // stream id → Float64Array of send times
const upstream = http.createServer((req, res) => {
  const id = new URL(req.url, 'http://x').searchParams.get('s');
  const times = new Float64Array(EVENTS);
  sendTimes.set(id, times);
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const interval = 1000 / RATE;
    const start = performance.now();
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < EVENTS && start + next * interval <= now) {
        const data = JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `token ${next} ` }, i: next });
        times[next] = performance.now();
        res.write(`event: content_block_delta\ndata: ${data}\n\n`);
        next++;
      }
      // A timer, not a busy loop: on a 2-core machine a spinning sender would take a core from the
      // proxy. Node's timers fire every ~1 ms, so events go out in pairs at 2,000/s; each event's
      // latency is measured from its own write, so the pacing's jitter does not enter the figures.
      if (next < EVENTS) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    };
    tick();
  });
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const upUrl = `http://127.0.0.1:${upstream.address().port}`;

// ---- lapse proxy, as a user runs it ----
const dir = mkdtempSync(join(tmpdir(), 'lapse-bench-'));
const tracePath = join(dir, 'bench.lapse');
const nodeArgs = (process.env.LAPSE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
const proxy = spawn(process.execPath, [...nodeArgs, LAPSE, 'proxy', '-o', tracePath, '--anthropic-upstream', upUrl, '--openai-upstream', `${upUrl}/v1`], { stdio: ['ignore', 'pipe', 'pipe'] });
let proxyErr = '';
proxy.stderr.on('data', (d) => { proxyErr += d; if (process.env.LAPSE_BENCH_SHOW_STDERR) process.stderr.write(d); });
const proxyUrl = await new Promise((resolve, reject) => {
  let out = '';
  proxy.stdout.on('data', (d) => {
    out += d;
    const m = /ANTHROPIC_BASE_URL=(\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  proxy.on('exit', () => reject(new Error(`lapse proxy exited: ${proxyErr}`)));
});

// ---- the client ----
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let streamNo = 0;
/** Reads one stream; returns per-event latency (ms), TTFT (request sent → first event) and the count. */
function readStream(base) {
  const id = `s${++streamNo}`;
  return new Promise((resolve, reject) => {
    const latency = new Float64Array(EVENTS);
    let got = 0;
    let buf = '';
    let outOfOrder = 0;
    let firstAt = 0;
    const sentAt = performance.now();
    const req = http.request(`${base}/v1/messages?s=${id}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const t = performance.now();
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const ev = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const m = /"i":(\d+)/.exec(ev);
          if (!m) continue;
          const i = Number(m[1]);
          if (i !== got) outOfOrder++;
          if (got === 0) firstAt = t;
          latency[i] = t - sendTimes.get(id)[i];
          got++;
        }
      });
      res.on('end', () => resolve({ latency, ttft: firstAt - sentAt, got, outOfOrder }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('{"model":"bench","stream":true}');
  });
}

/** CPU time (user + system, ms) the proxy process has used so far, from /proc (Linux). */
function proxyCpuMs() {
  try {
    const f = readFileSync(`/proc/${proxy.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const summary = (arrays) => {
  const all = Float64Array.from(arrays.flatMap((a) => Array.from(a))).sort();
  return { p50: pct(all, 50), p99: pct(all, 99), max: all[all.length - 1], n: all.length };
};
const f = (ms) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`lapse proxy latency: ${EVENTS} events at ${RATE}/s, ${ROUNDS} interleaved rounds (node ${process.version})`);
await readStream(upUrl); // warm-up: JIT, connections
await readStream(proxyUrl);
const direct = [];
const proxied = [];
const cpu0 = proxyCpuMs();
for (let r = 0; r < ROUNDS; r++) {
  // alternate which goes first, so drift on the machine hits both alike
  const order = r % 2 ? [['p', proxyUrl], ['d', upUrl]] : [['d', upUrl], ['p', proxyUrl]];
  for (const [kind, base] of order) {
    const res = await readStream(base);
    if (res.got !== EVENTS || res.outOfOrder) throw new Error(`${kind} round ${r}: ${res.got}/${EVENTS} events, ${res.outOfOrder} out of order`);
    (kind === 'd' ? direct : proxied).push(res);
  }
}
const cpuPerEvent = ((proxyCpuMs() - cpu0) * 1000) / (ROUNDS * EVENTS);
const d = summary(direct.map((x) => x.latency));
const p = summary(proxied.map((x) => x.latency));
console.log(`                     p50        p99        max`);
console.log(`direct         ${f(d.p50)}  ${f(d.p99)}  ${f(d.max)}`);
console.log(`through lapse  ${f(p.p50)}  ${f(p.p99)}  ${f(p.max)}`);
console.log(`added          ${f(p.p50 - d.p50)}  ${f(p.p99 - d.p99)}  ${f(p.max - d.max)}   (goal: p50 ≤ 100 µs, p99 ≤ 1 ms)`);
const ttftD = median(direct.map((x) => x.ttft));
const ttftP = median(proxied.map((x) => x.ttft));
console.log(`proxy CPU per event (relay + recording, all threads): ${cpuPerEvent.toFixed(1)} µs`);
console.log(`TTFT (median)  direct ${f(ttftD)}, through lapse ${f(ttftP)}, added ${f(ttftP - ttftD)}   (goal: ≤ 1 ms)`);

console.log(`\n${STREAMS} concurrent streams (${EVENTS} events each at ${RATE}/s = ${STREAMS * RATE} events/s in all)`);
for (const [label, base] of [['direct', upUrl], ['through lapse', proxyUrl]]) {
  const runs = await Promise.all(Array.from({ length: STREAMS }, () => readStream(base)));
  const lost = runs.reduce((a, x) => a + (EVENTS - x.got), 0);
  const disorder = runs.reduce((a, x) => a + x.outOfOrder, 0);
  const s = summary(runs.map((x) => x.latency));
  console.log(`${label.padEnd(14)} p50 ${f(s.p50)}  p99 ${f(s.p99)}  max ${f(s.max)}  lost ${lost}, out of order ${disorder}`);
}

proxy.kill('SIGINT');
await new Promise((r) => proxy.on('exit', r));
console.log(`\ntrace written by the proxy: ${(statSync(tracePath).size / 1024).toFixed(0)} KB`);
rmSync(dir, { recursive: true, force: true });
upstream.close();
agent.destroy();
