// Reading cost bounded by the file: an inflate bomb and one very large frame, through the real CLI.
//
//   npm run build && node bench/trace-bounds/run.mjs
//
// bomb  — a 2.6 MB trace whose frames would inflate to ~2.6 GB: `lapse stats` must end in < 1 s with a
//         one-line error or a truncated read (the reader stops at 32 MiB + 32× the file).
// frame — one request with a 15 MB and a 60 MB body, read in 64 KiB chunks: time must grow linearly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';

const dist = new URL('../../dist/', import.meta.url);
const { TraceEncoder } = await import(new URL('format/index.js', dist));
const { buildFrame } = await import(new URL('format/frame.js', dist));
const { packr } = await import(new URL('format/packr.js', dist));
const bin = new URL('../../bin/lapse.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lapse-bounds-'));
const session = { kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'bench', startedAt: Date.now(), argv: ['x'], cwd: '/', harness: null, upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true };

function run(path) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'stats', '--json', path], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  const what = r.status === 0 ? `truncated: ${JSON.parse(r.stdout).trace.truncated}` : r.stderr.trim();
  return { ms, status: r.status, what };
}

const { streamTrace } = await import(new URL('cli/trace/load.js', dist));
/** In-process: the reader alone (no process start-up), as the CLI streams it. */
function readOnly(path) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  const meta = streamTrace(path, () => n++);
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, records: n, damage: meta.damage };
}
{
  const path = join(dir, 'tiny.lapse');
  writeFileSync(path, new TraceEncoder().encodeHeader(session));
  console.log(`tiny   a header-only trace: lapse stats ${run(path).ms.toFixed(0)} ms (process start-up, the floor under the figures below)`);
}

// bomb: one 4 MiB marker record per frame, the same compressed payload repeated (it never reaches into
// its dictionary, so it decodes the same after any frame)
{
  const plain = packr.pack({ kind: 'marker', label: 'a'.repeat(4 << 20), t: 0 });
  const packed = deflateSync(plain, { level: 9 });
  const payload = new Uint8Array(4 + packed.length);
  new DataView(payload.buffer).setUint32(0, plain.length, true);
  payload.set(packed, 4);
  const frame = buildFrame(payload, 2);
  const head = new TraceEncoder().encodeHeader(session);
  const n = Math.ceil(2.6e6 / frame.length);
  const bytes = Buffer.concat([head, ...Array.from({ length: n }, () => frame)]);
  const path = join(dir, 'bomb.lapse');
  writeFileSync(path, bytes);
  const r = run(path);
  const ro = readOnly(path);
  console.log(`       reader alone ${ro.ms.toFixed(0)} ms wall, ${ro.cpuMs.toFixed(0)} ms CPU, ${ro.records} records, then: ${ro.damage}`);
  console.log(`bomb   ${(bytes.length / 1e6).toFixed(1)} MB → ${((n * plain.length) / 1e9).toFixed(1)} GB if inflated: lapse stats ${r.ms.toFixed(0)} ms (goal < 1000), exit ${r.status}, ${r.what}`);
}

// one large frame: a request body of N MB (not JSON, so stored as text), in one frame
for (const mb of [15, 60]) {
  const e = new TraceEncoder({ redact: false });
  // log-like text that compresses ~4× (a body that compresses far better is also refused past the cap)
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const words = Array.from({ length: 5000 }, () => Math.floor(rand() * 1e9).toString(36));
  const parts = [];
  for (let n = 0; n < mb << 20; ) {
    const w = words[Math.floor(rand() * rand() * words.length)];
    parts.push(w);
    n += w.length + 1;
  }
  const text = parts.join(' ');
  const rec = { kind: 'http-request', t: 1000, id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: {}, body: { enc: 'text', text } };
  const bytes = Buffer.concat([e.encodeHeader(session), e.frame([e.encode(rec)])]);
  const path = join(dir, `frame-${mb}.lapse`);
  writeFileSync(path, bytes);
  const r = run(path);
  const ro = readOnly(path);
  console.log(`frame  ${mb} MB body in one frame (${(bytes.length / 1e6).toFixed(1)} MB file): lapse stats ${r.ms.toFixed(0)} ms, exit ${r.status}, ${r.what}; reader alone ${ro.ms.toFixed(0)} ms wall, ${ro.cpuMs.toFixed(0)} ms CPU (${(ro.cpuMs / mb).toFixed(0)} ms CPU/MB)`);
}
console.log(`machine load average ${loadavg()[0].toFixed(1)} (${cpus().length} cores)`);
rmSync(dir, { recursive: true, force: true });
