// Analysing a 1M-event trace: time and peak memory (goal: ≤ 2 s and ≤ 3× the file size).
//
//   npm run build && node bench/analyse/run.mjs [--events N] [--rebuild]
//
// Builds (once, cached in the temp dir) a Claude-Code-shaped trace with N content events (default
// 1,000,000) using the format encoder, then analyses it in fresh child processes so each mode's peak
// memory is its own:
//   read    — the reader alone (16 KiB reads, records dropped, event runs handed on whole): the floor under the rest
//   figures — readModel (streamed into SessionBuilder({detail:false})): what `lapse stats`/`simulate` do
//   detail  — the same keeping every content delta (what a viewer needs), records not kept
//   load    — loadTrace (all records in memory) → analyseTrace: what a viewer that also shows raw records does
//   viewer  — the web viewer's load: records (and runs) streamed into SessionBuilder() (detail), keeping the model
//             and the exchanges (the inspector's request bodies and frames): "kept" is what stays on the heap
// "read" is the reader alone, so the analysis's own cost is the difference. CPU time is given beside wall
// time because a shared machine stretches wall time.
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync, statSync, readSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipfWords } from '../zipf.mjs';

const dist = new URL('../../dist/', import.meta.url);
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};

if (args[0] === '--measure') await measure(args[1], args[2]);
else await main();

async function main() {
  const events = Number(arg('--events', '1000000'));
  const path = join(tmpdir(), `lapse-bench-analyse-${events}-v1.1c.lapse`);
  if (!existsSync(path) || args.includes('--rebuild')) {
    const t0 = performance.now();
    await build(path, events);
    console.log(`built ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = statSync(path).size;
  console.log(`trace: ${(size / 1e6).toFixed(1)} MB, ${events.toLocaleString('en-US')} content events`);
  if (args.includes('--vs-jsonl')) return vsJsonLines(path);
  for (const mode of (arg('--modes', 'read,figures,detail,load,viewer')).split(',')) {
    const r = spawnSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--measure', mode, path], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`${mode}: failed\n${r.stderr}`);
      continue;
    }
    const m = JSON.parse(r.stdout);
    const extra = m.peakRssBytes - m.baseRssBytes;
    if (mode === 'read') {
      console.log(`read    ${(m.ms / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU (the reader alone, records dropped) · peak RSS +${(extra / 1e6).toFixed(0)} MB`);
      continue;
    }
    console.log(
      `${mode.padEnd(7)} ${(m.ms / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU` + (mode === 'load' ? ` (load ${(m.readMs / 1000).toFixed(2)} s + analyse ${(m.analyseMs / 1000).toFixed(2)} s)` : '') +
        ` · peak RSS +${(extra / 1e6).toFixed(0)} MB = ${(extra / size).toFixed(2)}× file` +
        ` · ${mode === 'viewer' ? 'kept (model + exchanges)' : 'model heap'} ${(m.modelHeapBytes / 1e6).toFixed(0)} MB = ${(m.modelHeapBytes / size).toFixed(2)}× file` +
        ` · ${m.requests} requests, duration ${(m.durationMs / 1000).toFixed(0)} s`,
    );
  }
}

/**
 * `lapse stats --json` on the trace ÷ reading the same records as JSON Lines (`lapse dump --json`,
 * one JSON.parse per line): the trace must be the faster way to the figures (goal ≤ 0.5). Both run
 * in child processes, so process start-up is in both.
 */
function vsJsonLines(path) {
  const bin = new URL('../../bin/lapse.js', import.meta.url).pathname;
  const jsonl = `${path}.jsonl`;
  const dump = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" dump --json "${path}" > "${jsonl}"`]);
  if (dump.status !== 0) throw new Error(`dump failed: ${dump.stderr}`);
  const parse = `const fs=require('fs');const s=fs.readFileSync(${JSON.stringify(jsonl)},'utf8');let n=0,i=0;for(;;){const j=s.indexOf('\\n',i);if(j<0)break;if(j>i){JSON.parse(s.slice(i,j));n++}i=j+1}console.log(n)`;
  const time = (argv) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(r.stderr);
    return { ms: performance.now() - t0, out: r.stdout };
  };
  const rounds = [];
  for (let i = 0; i < 3; i++) rounds.push({ stats: time([bin, 'stats', '--json', path]).ms, jsonl: time(['-e', parse]) });
  const best = (k) => Math.min(...rounds.map((r) => (k === 'stats' ? r.stats : r.jsonl.ms)));
  const lines = rounds[0].jsonl.out.trim();
  console.log(`JSON Lines: ${(statSync(jsonl).size / 1e6).toFixed(0)} MB, ${lines} records`);
  console.log(`lapse stats --json ${best('stats').toFixed(0)} ms · JSON.parse of every line ${best('jsonl').toFixed(0)} ms · ratio ${(best('stats') / best('jsonl')).toFixed(2)} (goal ≤ 0.5; best of 3, each in its own process)`);
  unlinkSync(jsonl);
}

async function measure(mode, path) {
  const { TraceStreamReader } = await import(new URL('format/reader.js', dist));
  const { SessionBuilder, analyseTrace } = await import(new URL('analysis/session.js', dist));
  const { loadTrace, nodeInflate } = await import(new URL('cli/trace/load.js', dist));
  const { readModel } = await import(new URL('cli/report/read-model.js', dist));
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  const baseHeap = process.memoryUsage().heapUsed;
  let peak = baseRss;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let model;
  let readMs = 0;
  let kept = null;
  if (mode === 'figures' || mode === 'detail') {
    model = readModel(path, { detail: mode === 'detail' });
  } else if (mode === 'viewer') {
    const { streamTrace } = await import(new URL('cli/trace/load.js', dist));
    const b = new SessionBuilder();
    // as viewer/src/load.ts reads: event runs go to the pass whole
    const meta = streamTrace(path, (r, i) => b.add(r, i), {}, (run, i) => b.addRun(run, i));
    const { model: m, exchanges } = b.analysis(meta);
    model = m;
    kept = exchanges;
    sample();
  } else if (mode === 'read') {
    const reader = new TraceStreamReader({ inflate: nodeInflate }); // as the CLI reads
    const b = new SessionBuilder();
    const fd = openSync(path, 'r');
    const buf = new Uint8Array(16 * 1024);
    let i = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      // records handed on, event runs whole (as stats and the viewer read)
      reader.pushEach(buf.slice(0, n), () => i++, (run) => (i += run.n));
      sample();
    }
    closeSync(fd);
    const end = reader.end();
    model = b.finish({ path, version: reader.version, truncated: end.truncated, bytes: reader.bytes });
  } else {
    const t = loadTrace(path);
    sample();
    readMs = performance.now() - t0;
    model = analyseTrace(t);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  sample();
  const peakRss = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  globalThis.gc?.();
  const modelHeap = process.memoryUsage().heapUsed - baseHeap;
  const deltas = model.requests.reduce((a, r) => a + (r.deltas.length || r.outputTokensEstimate), 0);
  process.stdout.write(JSON.stringify({ ms, cpuMs, readMs, analyseMs: ms - readMs, baseRssBytes: baseRss, peakRssBytes: peakRss, modelHeapBytes: modelHeap, requests: model.requests.length, deltas, durationMs: model.durationMs }));
  // keep the model (and the viewer's exchanges) alive until measured
  if (!model || (mode === 'viewer' && !kept)) process.exit(1);
}

/** A session of requests whose responses stream ~2,500 small deltas each, with tool calls and file edits. */
async function build(path, events) {
  const { TraceEncoder } = await import(new URL('format/encoder.js', dist));
  const { compactTrace } = await import(new URL('format/compact.js', dist));
  const e = new TraceEncoder();
  const raw = `${path}.raw`;
  const fd = openSync(raw, 'w');
  const perRequest = 2500;
  const requests = Math.ceil(events / perRequest);
  let t = 1_000_000; // µs
  writeSync(fd, e.encodeHeader({ kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'bench', startedAt: Date.now(), argv: ['claude'], cwd: '/bench', harness: 'claude', upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true }));
  let batch = [];
  const flush = () => {
    if (batch.length) writeSync(fd, e.frame(batch));
    batch = [];
  };
  const put = (rec) => {
    batch.push(e.encode(rec));
    if (batch.length >= 256) flush();
  };
  const sse = (data) => ({ form: 'raw', text: `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n` });
  const messages = [{ role: 'user', content: 'Fix the failing tests in src/date.ts and make sure the whole suite passes.' }];
  // Tokens drawn from a Zipf-distributed vocabulary and arrival gaps that jitter, as real streams do
  // (a cycled word list and a periodic clock compress ~50× better than any real trace).
  let seed = 4242;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x100000000);
  const token = zipfWords(rand, { size: 4000, minLetters: 1, maxLetters: 7, shape: (i, w) => (i % 5 === 0 ? '' : ' ') + w + (i % 23 === 0 ? '\n' : '') });
  let left = events;
  for (let q = 0; q < requests; q++) {
    const id = `req_${q}`;
    const toolId = `toolu_${q}`;
    const body = { model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, system: [{ type: 'text', text: 'You are Claude Code.' }], messages: messages.slice() };
    put({ kind: 'http-request', t, id, method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json' }, body: { enc: 'bytes', bytes: new TextEncoder().encode(JSON.stringify(body)) } });
    t += 300_000;
    put({ kind: 'http-response', t, id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: true });
    put({ kind: 'http-data', t, id, sse: sse({ type: 'message_start', message: { id: `msg_${q}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 10, cache_read_input_tokens: 20000, output_tokens: 1 } } }) });
    put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) });
    const n = Math.min(perRequest, left);
    left -= n;
    const textDeltas = n - 20;
    for (let k = 0; k < textDeltas; k++) {
      t += 6_000 + Math.floor(rand() * rand() * 30_000);
      put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: token() } }) });
    }
    put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_stop', index: 0 }) });
    put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolId, name: 'Edit', input: {} } }) });
    for (let k = 0; k < 20; k++) {
      t += 3_000 + Math.floor(rand() * 4_000);
      put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: k === 0 ? '{"file_path":"src/date.ts","old_string":"' : token() } }) });
    }
    put({ kind: 'http-data', t, id, sse: sse({ type: 'content_block_stop', index: 1 }) });
    put({ kind: 'http-data', t, id, sse: sse({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: n + 5 } }) });
    put({ kind: 'http-data', t, id, sse: sse({ type: 'message_stop' }) });
    t += 1_000;
    put({ kind: 'http-end', t, id, outcome: 'complete', bytes: n * 130 });
    t += 400_000;
    put({ kind: 'file', t, path: `src/file${q % 17}.ts`, op: 'modify', diff: `@@ -1 +1 @@\n-old ${q}\n+new ${q}\n` });
    t += 600_000;
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: toolId, name: 'Edit', input: { file_path: 'src/date.ts' } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: toolId, content: 'ok' }] });
  }
  put({ kind: 'process-exit', t: t + 500_000, pid: 1, code: 0, signal: null });
  flush();
  closeSync(fd);
  // A finished recording is compacted by the writer on close: bench the file a user would open.
  writeFileSync(path, compactTrace(readFileSync(raw)));
  unlinkSync(raw);
}
