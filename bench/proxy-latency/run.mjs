#!/usr/bin/env node
// Added latency of `lapse proxy` on a paced SSE stream, beside Debian's mitmdump on the same probe.
//
// One process serves an SSE stream (default 2,000 events at 2,000 events/s) and reads it back directly,
// through `lapse proxy` (a separate process, recording to a real trace), through a plain Node relay
// (plain-relay.mjs: Node's HTTP stack with no recording, the floor for any Node HTTP proxy), through a
// TCP pipe (plain-relay.mjs --tcp: bytes piped both ways, the floor of any Node proxy) and, when it is
// installed, through `mitmdump` in reverse-proxy mode with streaming on, in interleaved rounds. Each
// event carries its index; its latency is arrival time − send time, both read from this process's
// clock. TTFT is measured on short requests of its own. Then 20 streams at once through each,
// checking that no event is lost (and that the trace has them all).
//
//   npx tsc -p . && node bench/proxy-latency/run.mjs [--rounds 6] [--events 2000] [--rate 2000] [--streams 20] [--ttft 40] [--warmup 8] [--no-mitm] [--no-tcp] [--other OTHER/bin/lapse.js] [--other-node-args "…"]
//
// --other runs a second lapse build (another worktree's bin/lapse.js, built) as one more target in the
// same rounds, so two builds are compared on the same machine at the same moment.
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const argText = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const ROUNDS = arg('rounds', 6);
const EVENTS = arg('events', 2000);
const RATE = arg('rate', 2000);
const STREAMS = arg('streams', 20);
const TTFT_PROBES = arg('ttft', 40);
// Streams read through each target, all at once, before the measured rounds: V8 keeps compiling the
// writer thread's code (on its helper threads) for the first ~10,000–18,000 events, which a single
// warm-up stream left in the first rounds' figures.
const WARMUP = arg('warmup', 8);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAPSE = join(ROOT, 'bin/lapse.js');
const { loadTrace } = await import(join(ROOT, 'dist/cli/trace/load.js'));

// ---- the paced upstream ----
const sendTimes = new Map(); // stream id → Float64Array of send times
const upstream = http.createServer((req, res) => {
  const q = new URL(req.url, 'http://x').searchParams;
  const id = q.get('s');
  const count = Number(q.get('n') ?? EVENTS);
  const times = new Float64Array(count);
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
      while (next < count && start + next * interval <= now) {
        // Anthropic's text delta exactly (no extra field): the event's number rides in its text
        const data = JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `w${next} ` } });
        times[next] = performance.now();
        res.write(`event: content_block_delta\ndata: ${data}\n\n`);
        next++;
      }
      // A timer, not a busy loop: on a 2-core machine a spinning sender would take a core from the
      // proxies. Node's timers fire every ~1 ms, so events go out in pairs at 2,000/s; each event's
      // latency is measured from its own write, so the pacing's jitter does not enter the figures.
      if (next < count) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    };
    tick();
  });
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const upUrl = `http://127.0.0.1:${upstream.address().port}`;

// ---- lapse proxy, as a user runs it ----
const dir = mkdtempSync(join(tmpdir(), 'lapse-bench-'));
const nodeArgs = (process.env.LAPSE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
const children = [];
// --other-node-args "…": node options for the other build only (a V8 flag tried against the same build)
const otherNodeArgs = (argText('other-node-args') ?? '').split(' ').filter(Boolean);
async function startLapse(bin, name, extra = []) {
  const tracePath = join(dir, `${name.replace(/\W+/g, '-')}.lapse`);
  const proc = spawn(process.execPath, [...nodeArgs, ...extra, bin, 'proxy', '-o', tracePath, '--anthropic-upstream', upUrl, '--openai-upstream', `${upUrl}/v1`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err += d; if (process.env.LAPSE_BENCH_SHOW_STDERR) process.stderr.write(d); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', () => reject(new Error(`${name} proxy exited: ${err}`)));
  });
  return { name, proc, url, tracePath };
}
const lapses = [await startLapse(LAPSE, 'lapse')];
const OTHER = argText('other');
if (OTHER) lapses.push(await startLapse(OTHER, 'lapse other', otherNodeArgs));
const lapse = lapses[0].proc;

// ---- mitmdump (Debian's mitmproxy), reverse proxy to the same upstream, streaming bodies ----
async function startMitm() {
  if (process.argv.includes('--no-mitm')) return null;
  if (spawnSync('sh', ['-c', 'command -v mitmdump']).status !== 0) {
    console.log('(mitmdump not installed: apt-get install mitmproxy to compare)');
    return null;
  }
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const confdir = join(dir, 'mitm');
  const proc = spawn('mitmdump', ['-q', '--set', `confdir=${confdir}`, '--mode', `reverse:${upUrl}`, '--listen-host', '127.0.0.1', '--listen-port', String(port), '--set', 'stream_large_bodies=1', '--set', 'flow_detail=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`mitmdump did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url: `http://127.0.0.1:${port}` };
}
const mitm = await startMitm();

async function startPlain(...args) {
  const proc = spawn(process.execPath, [fileURLToPath(new URL('./plain-relay.mjs', import.meta.url)), upUrl, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  const url = await new Promise((resolve) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /PORT=(\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
  });
  return { proc, url };
}
const { proc: plain, url: plainUrl } = await startPlain();
// bytes piped both ways, no HTTP: the floor of any Node proxy (--no-tcp leaves it out)
const tcp = process.argv.includes('--no-tcp') ? null : await startPlain('--tcp');

// ---- the client ----
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let streamNo = 0;
/** Reads one stream; returns per-event latency (ms), TTFT (request sent → first event) and the count. */
function readStream(base, events = EVENTS) {
  const id = `s${++streamNo}`;
  return new Promise((resolve, reject) => {
    const latency = new Float64Array(events);
    let got = 0;
    let buf = '';
    let outOfOrder = 0;
    let firstAt = 0;
    const sentAt = performance.now();
    const req = http.request(`${base}/v1/messages?s=${id}&n=${events}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const t = performance.now();
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const ev = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const m = /"text":"w(\d+) "/.exec(ev);
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

/** CPU time (ns) of a process's threads from /proc/PID/task/TID/schedstat: all of them, and the main one. */
function cpuNs(pid) {
  const of = (tid) => {
    try {
      return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return 0;
    }
  };
  let all = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) all += of(tid);
  } catch {
    return { all: NaN, main: NaN };
  }
  return { all, main: of(pid) };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const summary = (arrays) => {
  const all = Float64Array.from(arrays.flatMap((a) => Array.from(a))).sort();
  return { p50: pct(all, 50), p99: pct(all, 99), max: all[all.length - 1], n: all.length };
};
const us = (ms) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

console.log(`lapse proxy latency: ${EVENTS} events at ${RATE}/s, ${ROUNDS} interleaved rounds after ${Math.max(1, WARMUP)} warm-up streams per target (node ${process.version}; load average ${load()})`);
const proxies = [...lapses.map((l) => [l.name, l.url, l.proc.pid]), ['node relay', plainUrl, plain.pid], ...(tcp ? [['tcp pipe', tcp.url, tcp.proc.pid]] : []), ...(mitm ? [['mitmdump', mitm.url, mitm.proc.pid]] : [])];
if (OTHER) console.log(`lapse other: ${OTHER}`);
const targets = [['direct', upUrl], ...proxies];
for (const [, base] of targets) await Promise.all(Array.from({ length: Math.max(1, WARMUP) }, () => readStream(base))); // warm-up: JIT, connections
const runs = new Map(targets.map(([name]) => [name, []]));
const cpu = new Map(proxies.map(([name]) => [name, { all: 0, main: 0, rounds: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  // rotate which goes first, so drift on the machine hits all alike
  for (let k = 0; k < targets.length; k++) {
    const [name, base, pid] = targets[(r + k) % targets.length];
    const c0 = pid ? cpuNs(pid) : null;
    const res = await readStream(base);
    if (c0) {
      const c1 = cpuNs(pid);
      const acc = cpu.get(name);
      acc.all += c1.all - c0.all;
      acc.main += c1.main - c0.main;
      acc.rounds.push((c1.all - c0.all) / EVENTS / 1000);
    }
    if (res.got !== EVENTS || res.outOfOrder) throw new Error(`${name} round ${r}: ${res.got}/${EVENTS} events, ${res.outOfOrder} out of order`);
    runs.get(name).push(res);
  }
}
// TTFT on short requests of their own (a round's single TTFT is too few samples), interleaved.
const ttfts = new Map(targets.map(([name]) => [name, []]));
for (let r = 0; r < TTFT_PROBES; r++) {
  for (let k = 0; k < targets.length; k++) {
    const [name, base] = targets[(r + k) % targets.length];
    ttfts.get(name).push((await readStream(base, 4)).ttft);
  }
}
const fig = new Map([...runs].map(([name, rs]) => [name, { ...summary(rs.map((x) => x.latency)), ttft: median(ttfts.get(name)) }]));
const d = fig.get('direct');
console.log(`\none stream            p50        p99        max       TTFT (median)`);
for (const [name, s] of fig) console.log(`${name.padEnd(14)}  ${us(s.p50)}  ${us(s.p99)}  ${us(s.max)}  ${us(s.ttft)}`);
const added = new Map(proxies.map(([name]) => {
  const s = fig.get(name);
  return [name, { p50: s.p50 - d.p50, p99: s.p99 - d.p99, ttft: s.ttft - d.ttft }];
}));
for (const [name, a] of added) console.log(`added: ${name.padEnd(10)} p50 ${us(a.p50)}  p99 ${us(a.p99)}  TTFT ${us(a.ttft)}${name === 'lapse' ? '   (goals: p50 ≤ 100 µs, p99 ≤ 1 ms, TTFT ≤ 1 ms)' : ''}`);
for (const [name, c] of cpu) {
  const n = ROUNDS * EVENTS;
  console.log(`CPU per event, ${name.padEnd(10)} all threads ${(c.all / n / 1000).toFixed(1).padStart(6)} µs, main (relay) thread ${(c.main / n / 1000).toFixed(1).padStart(6)} µs${name === 'lapse' ? '   (goals: ≤ 10 µs, ≤ 3 µs)' : ''}`);
}
if (mitm) {
  const a = added.get('lapse');
  const m = added.get('mitmdump');
  console.log(`lapse ÷ mitmdump, added: p50 ${ratio(a.p50, m.p50)}, p99 ${ratio(a.p99, m.p99)} (goal ≤ 0.2), TTFT ${ratio(a.ttft, m.ttft)}; CPU per event ${ratio(cpu.get('lapse').all, cpu.get('mitmdump').all)}`);
}
// What the recording itself costs: lapse's CPU beyond the plain relay's, both measured in this run.
// The plain relay is the floor of any Node proxy (its own CPU per event is above the all-threads goal
// on this bench, which writes one chunk per event), so this is the figure the recording can move.
const perEvent = (c, key) => c[key] / (ROUNDS * EVENTS) / 1000;
for (const l of lapses) {
  const c = cpu.get(l.name);
  const n = cpu.get('node relay');
  const a = added.get(l.name);
  const b = added.get('node relay');
  console.log(`${l.name} − node relay: CPU per event, all threads ${(perEvent(c, 'all') - perEvent(n, 'all')).toFixed(1)} µs, relay thread ${(perEvent(c, 'main') - perEvent(n, 'main')).toFixed(1)} µs (the recording's own cost, beside the goals of ≤ 10 µs / ≤ 3 µs for the whole proxy); added p99 ${us(a.p99 - b.p99)}`);
}
// The first rounds include the JIT compiling the writer's code (on V8's helper threads): the trend shows it.
for (const [name, c] of cpu) console.log(`CPU per event by round, ${name.padEnd(10)} ${c.rounds.map((x) => x.toFixed(0)).join(' ')} µs`);

console.log(`\n${STREAMS} concurrent streams (${EVENTS} events each at ${RATE}/s = ${STREAMS * RATE} events/s in all; load average ${load()})`);
const many = new Map();
for (const [name, base, pid] of targets) {
  const c0 = pid ? cpuNs(pid) : null;
  const rs = await Promise.all(Array.from({ length: STREAMS }, () => readStream(base)));
  const c1 = pid ? cpuNs(pid) : null;
  const lost = rs.reduce((a, x) => a + (EVENTS - x.got), 0);
  const disorder = rs.reduce((a, x) => a + x.outOfOrder, 0);
  const s = summary(rs.map((x) => x.latency));
  if (c0) s.cpu = { all: (c1.all - c0.all) / (STREAMS * EVENTS) / 1000, main: (c1.main - c0.main) / (STREAMS * EVENTS) / 1000 };
  many.set(name, s);
  const cpuNote = c0 ? `  CPU/event ${((c1.all - c0.all) / (STREAMS * EVENTS) / 1000).toFixed(1)} µs (relay thread ${((c1.main - c0.main) / (STREAMS * EVENTS) / 1000).toFixed(1)})` : '';
  console.log(`${name.padEnd(14)} p50 ${us(s.p50)}  p99 ${us(s.p99)}  max ${us(s.max)}  lost ${lost}, out of order ${disorder}${cpuNote}`);
}
for (const [name] of proxies) console.log(`added: ${name.padEnd(10)} p99 ${us(many.get(name).p99 - many.get('direct').p99)}${name === 'lapse' ? '   (goal: ≤ 2 ms, 0 lost)' : ''}`);
if (mitm) console.log(`lapse ÷ mitmdump, added p99: ${ratio(many.get('lapse').p99 - many.get('direct').p99, many.get('mitmdump').p99 - many.get('direct').p99)}`);
for (const l of lapses) {
  const c = many.get(l.name).cpu;
  const n = many.get('node relay').cpu;
  console.log(`${l.name} − node relay, ${STREAMS} streams: CPU per event, all threads ${(c.all - n.all).toFixed(1)} µs, relay thread ${(c.main - n.main).toFixed(1)} µs; added p99 ${us(many.get(l.name).p99 - many.get('node relay').p99)}`);
}

for (const l of lapses) l.proc.kill('SIGINT');
await Promise.all(lapses.map((l) => new Promise((r) => (l.proc.exitCode !== null ? r() : l.proc.on('exit', r)))));
mitm?.proc.kill('SIGTERM');
// The trace must hold every event the proxy relayed (warm-up, rounds, TTFT probes, concurrent streams), with its payload.
console.log('');
for (const l of lapses) {
  const recs = loadTrace(l.tracePath).records;
  const events = recs.filter((r) => r.kind === 'http-data' && r.sse).length;
  const dropped = recs.filter((r) => r.kind === 'http-data' && r.chunk?.enc === 'dropped').length;
  const expected = (Math.max(1, WARMUP) + ROUNDS + STREAMS) * (EVENTS + 1) + TTFT_PROBES * (4 + 1);
  console.log(`trace written by ${l.name}: ${(statSync(l.tracePath).size / 1024).toFixed(0)} KB, ${events} of ${expected} events${dropped ? `, ${dropped} chunks shed` : ''}`);
}
rmSync(dir, { recursive: true, force: true });
upstream.close();
agent.destroy();
for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');

// The relay thread's whole recording work per chunk, measured alone in this process: what
// http-relay.ts does after writing a chunk on (stamp it, copy it into the batch, post batches).
{
  const { WorkerSink } = await import(join(ROOT, 'dist/cli/record/worker-sink.js'));
  const { GuardedSink } = await import(join(ROOT, 'dist/cli/record/sink.js'));
  const { memoryLog } = await import(join(ROOT, 'dist/cli/record/log.js'));
  const d2 = mkdtempSync(join(tmpdir(), 'lapse-bench-'));
  const writer = await WorkerSink.start(join(d2, 'share.lapse'), { argv: [], cwd: d2, harness: null, upstreams: { anthropic: upUrl, openai: upUrl }, redact: true }, () => undefined);
  const sink = new GuardedSink(writer, memoryLog());
  const key = sink.newKey();
  sink.stream({ op: 'response-body', key, id: 'r1', coding: null, sse: true });
  const chunk = Buffer.from(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'w1234 ' } })}\n\n`);
  const N = 100_000;
  const self = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const c0 = self();
    for (let i = 0; i < N / 5; i++) sink.chunk(key, sink.now(), chunk);
    best = Math.min(best, (self() - c0) / (N / 5));
    await new Promise((r) => setTimeout(r, 50)); // let the writer thread take the batches in
  }
  await writer.close();
  rmSync(d2, { recursive: true, force: true });
  console.log(`relay thread's recording work per chunk, alone (stamp, copy, batch, post; best of 5 × ${N / 5}): ${(best / 1000).toFixed(2)} µs`);
}
