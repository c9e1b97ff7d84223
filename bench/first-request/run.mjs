// What a session's first request pays that later ones do not: TTFT as lapse records it minus TTFT as
// the endpoint's own log has it, per request, with the proxy's start-up rehearsal (warm-up.ts) on and
// off, to a plain-http loopback upstream and to an https one reached by name (`localhost`, a
// self-signed certificate from openssl, trusted through NODE_EXTRA_CA_CERTS). The "harness" is a
// child process sending 5 streamed Anthropic requests with a 50 KB body each, 0.8 s after it starts.
//
//   node bench/first-request/run.mjs [--runs 5]
//
// Prints, per variant, the first request's extra ms (each run) with its wire split, and the median
// and max of the later requests' extra. Build first (`npm run build`).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const D = join(ROOT, 'dist');
const argv = process.argv.slice(2);

if (argv[0] === '--child') await child(argv[1], argv[2] === 'warm', argv[3]);
else if (argv[0] === '--harness') await harness();
else await main(Number(argv[argv.indexOf('--runs') + 1] || 5));

async function main(runs) {
  const dir = mkdtempSync(join(tmpdir(), 'lapse-first-request-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
    const results = new Map();
    for (let i = 0; i < runs; i++) {
      for (const warm of ['warm', 'cold']) {
        for (const scheme of ['http', 'https']) {
          const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir, warm, scheme], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } }).toString();
          const key = `${scheme}, warm-up ${warm === 'warm' ? 'on' : 'off'}`;
          results.set(key, [...(results.get(key) ?? []), JSON.parse(out.trim().split('\n').at(-1))]);
        }
      }
    }
    const r1 = (x) => (x === null || x === undefined ? '-' : x.toFixed(1));
    for (const [key, list] of results) {
      const later = list.flatMap((rows) => rows.slice(1).map((r) => r.extra)).sort((a, b) => a - b);
      console.log(`${key}: first request +${list.map((rows) => r1(rows[0].extra)).join(' / ')} ms (setup ${list.map((rows) => r1(rows[0].setup)).join(' / ')}; dns ${list.map((rows) => r1(rows[0].dns)).join(' / ')}; connect ${list.map((rows) => r1(rows[0].connect)).join(' / ')}; tls ${list.map((rows) => r1(rows[0].tls)).join(' / ')}); later: median +${r1(later[later.length >> 1])}, max +${r1(later.at(-1))} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One recording: the endpoint, optionally a TLS front to it, the proxy with or without its rehearsal, the harness. */
async function child(dir, warm, scheme) {
  const { startModelServer } = await import(join(D, 'cli/model/server.js'));
  const { startProxy } = await import(join(D, 'cli/record/proxy-server.js'));
  const { WorkerSink } = await import(join(D, 'cli/record/worker-sink.js'));
  const { GuardedSink } = await import(join(D, 'cli/record/sink.js'));
  const { memoryLog } = await import(join(D, 'cli/record/log.js'));
  const model = await startModelServer({ ttftMs: 200, tokensPerSecond: 200, jitter: 0, seed: 1 });
  let upstream = model.url;
  let front = null;
  if (scheme === 'https') {
    // the same cost on every request but the first one's handshake
    const agent = new http.Agent({ keepAlive: true });
    front = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      const up = http.request(`${model.url}${req.url}`, { method: req.method, headers: req.headers, agent }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise((r) => front.listen(0, '127.0.0.1', r));
    upstream = `https://localhost:${front.address().port}`;
  }
  const work = mkdtempSync(join(dir, 'run-'));
  const trace = join(work, 't.lapse');
  const upstreams = { anthropic: upstream, openai: `${upstream}/v1`, gemini: upstream, codeAssist: upstream };
  const log = memoryLog();
  const writer = await WorkerSink.start(trace, { argv: ['bench'], cwd: work, harness: 'bench', upstreams, redact: true }, () => {});
  const proxy = await startProxy({ sink: new GuardedSink(writer, log), upstreams, log, defaultApi: 'anthropic', warmUp: warm });
  const h = spawn(process.execPath, [fileURLToPath(import.meta.url), '--harness'], { env: { ...process.env, ANTHROPIC_BASE_URL: proxy.anthropicBaseUrl }, stdio: 'inherit' });
  await new Promise((r) => h.on('close', r));
  await proxy.close();
  await writer.close();
  const sent = model.stats().log.filter((e) => e.firstContentAt !== null);
  await model.close();
  front?.close();
  const stats = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bin', 'lapse.js'), 'stats', trace, '--json'], { env: { ...process.env, LAPSE_HOME: work } }).toString());
  const rows = stats.requests.map((r, i) => ({
    extra: r.ttftMs - (sent[i].firstContentAt - sent[i].arrivedAt),
    setup: r.network?.setupMs ?? null,
    dns: r.network?.dnsMs ?? null,
    connect: r.network?.connectMs ?? null,
    tls: r.network?.tlsMs ?? null,
  }));
  writeFileSync(1, `${JSON.stringify(rows)}\n`);
  process.exit(0);
}

async function harness() {
  await new Promise((r) => setTimeout(r, 800));
  const system = 'x'.repeat(50_000);
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${process.env.ANTHROPIC_BASE_URL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-bench', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, system: `${system}${i}`, messages: [{ role: 'user', content: `hello ${i}` }] }),
    });
    await res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
}
