// Redraw cost of `lapse tui` on a 100k-event trace (issue 6: no redraw over 16 ms).
// Builds an Anthropic-shaped session of ~100k SSE events (long streamed answers with thinking, text
// and tool calls, tool gaps with file diffs, side requests, user gaps), encodes it as a trace, reads
// it back and analyses it as `lapse tui` does, then drives the real blessed app (TuiApp) into a fake
// terminal (a discarding output stream that says it is a 120×40 / 250×70 / 80×24 TTY) and times every
// redraw: playback frames, seeks, request jumps, profile and idle-limit switches (each a keypress
// through blessed's key dispatch, then layout, setContent and screen.render()).
//
//   npm run build && node bench/tui/run.mjs [events]
import { PassThrough, Writable } from 'node:stream';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { TraceEncoder, readTrace } from '../../dist/format/index.js';
import { analyseTrace } from '../../dist/analysis/session.js';
import { TuiApp } from '../../dist/cli/tui/app.js';

const TARGET = Number(process.argv[2] ?? 100_000);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const WORDS = 'the a test file function return value error fix module import export const let await async should expect call tool read edit run build pass fail'.split(' ');
const word = () => WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.1 ? '.\n' : ' ');

function build() {
  const recs = [];
  const us = (ms) => Math.round(ms * 1000);
  const ev = (data) => ({ form: 'structured', event: data.type, data });
  let t = 500;
  let events = 0;
  let n = 0;
  const messages = [{ role: 'user', content: 'refactor the parser and make the tests pass' }];
  recs.push({ kind: 'process-start', t: us(10), pid: 1, argv: ['claude'] });
  while (events < TARGET) {
    const id = `r${n}`;
    const deltas = 300 + Math.floor(rand() * 1400);
    const start = t;
    const head = start + 150 + rand() * 200;
    const first = head + 300 + rand() * 1500;
    const tokPerMs = 0.05 + rand() * 0.05;
    const lastTool = rand() < 0.8;
    const callId = `toolu_${n}`;
    recs.push({ kind: 'http-request', t: us(start), id, method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json' }, body: { enc: 'json', value: { model: 'claude-bench', system: 'You are a coding agent.', messages: messages.slice(-6), stream: true } } });
    recs.push({ kind: 'http-response', t: us(head), id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: true });
    recs.push({ kind: 'http-data', t: us(head + 1), id, sse: ev({ type: 'message_start', message: { id: `msg_${n}`, model: 'claude-bench', usage: { input_tokens: 5000 } } }) });
    let at = first;
    const thinking = Math.floor(deltas * 0.3);
    const toolArgs = lastTool ? 20 : 0;
    let text = '';
    for (let i = 0; i < deltas; i++) {
      const block = i < thinking ? 0 : i < deltas - toolArgs ? 1 : 2;
      const w = word();
      let delta;
      if (block === 0) delta = { type: 'thinking_delta', thinking: w };
      else if (block === 1) delta = { type: 'text_delta', text: w };
      else delta = { type: 'input_json_delta', partial_json: i === deltas - toolArgs ? '{"path": "src/' : w.trim() };
      if (i === deltas - toolArgs && lastTool) recs.push({ kind: 'http-data', t: us(at), id, sse: ev({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: callId, name: rand() < 0.5 ? 'Edit' : 'Bash', input: {} } }) });
      recs.push({ kind: 'http-data', t: us(at), id, sse: ev({ type: 'content_block_delta', index: block, delta }) });
      if (block === 1) text += w;
      at += (1 / tokPerMs) * (0.5 + rand());
    }
    const end = at + 20;
    recs.push({ kind: 'http-data', t: us(end - 10), id, sse: ev({ type: 'message_delta', delta: { stop_reason: lastTool ? 'tool_use' : 'end_turn' }, usage: { output_tokens: deltas } }) });
    recs.push({ kind: 'http-data', t: us(end - 5), id, sse: ev({ type: 'message_stop' }) });
    recs.push({ kind: 'http-end', t: us(end), id, outcome: 'complete', bytes: deltas * 90 });
    events += deltas + 4;
    // A side request (title / summary) now and then, overlapping the stream.
    if (rand() < 0.2) {
      const sid = `s${n}`;
      const s0 = start + 50;
      recs.push({ kind: 'http-request', t: us(s0), id: sid, method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: {}, body: { enc: 'json', value: { model: 'claude-small', system: 'Write a title.', messages: [{ role: 'user', content: 'title?' }], stream: true } } });
      recs.push({ kind: 'http-response', t: us(s0 + 100), id: sid, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: true });
      for (let i = 0; i < 10; i++) recs.push({ kind: 'http-data', t: us(s0 + 200 + i * 10), id: sid, sse: ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word() } }) });
      recs.push({ kind: 'http-data', t: us(s0 + 320), id: sid, sse: ev({ type: 'message_stop' }) });
      recs.push({ kind: 'http-end', t: us(s0 + 330), id: sid, outcome: 'complete', bytes: 900 });
      events += 11;
    }
    messages.push({ role: 'assistant', content: [{ type: 'text', text: text.slice(0, 200) }, ...(lastTool ? [{ type: 'tool_use', id: callId, name: 'Edit', input: {} }] : [])] });
    if (lastTool) {
      const gap = 500 + rand() * 8000;
      if (rand() < 0.5) recs.push({ kind: 'file', t: us(end + gap / 2), path: `src/file${n % 17}.ts`, op: 'modify', diff: `--- a\n+++ b\n@@ -1,3 +1,3 @@\n-old line ${n}\n+new line ${n}\n context\n` });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: callId, content: 'ok\n'.repeat(5) }] });
      t = end + gap;
    } else {
      messages.push({ role: 'user', content: 'next: ' + word() });
      t = end + 5000 + rand() * 60_000;
    }
    n++;
  }
  recs.push({ kind: 'process-exit', t: us(t + 500), pid: 1, code: 0, signal: null });
  recs.sort((a, b) => a.t - b.t);
  return { recs, events };
}

function encode(recs) {
  const enc = new TraceEncoder();
  const parts = [enc.encodeHeader({ kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'bench', startedAt: Date.now(), argv: ['claude'], cwd: '/tmp', harness: 'claude', upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true })];
  for (let i = 0; i < recs.length; i += 200) parts.push(enc.frame(recs.slice(i, i + 200).map((r) => enc.encode(r))));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function fakeTerminal(cols, rows) {
  let bytes = 0;
  const output = new Writable({ write(chunk, _e, cb) { bytes += chunk.length; cb(); } });
  Object.assign(output, { isTTY: true, columns: cols, rows });
  const input = new PassThrough();
  Object.assign(input, { isTTY: true, setRawMode() { return input; } });
  return { input, output, bytes: () => bytes };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

if (process.env.WRITE_TRACE) {
  // The bench trace as a file, to open with `lapse tui` by hand.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.WRITE_TRACE, encode(build().recs));
  console.log(`wrote ${process.env.WRITE_TRACE}`);
  process.exit(0);
}
if (process.env.MICRO) {
  const { recs } = build();
  const trace = readTrace(encode(recs));
  const model = analyseTrace(trace);
  const { DetailIndex } = await import('../../dist/cli/tui/detail.js');
  const { TuiState } = await import('../../dist/cli/tui/state.js');
  const { Layout } = await import('../../dist/cli/tui/layout.js');
  const { Palette } = await import('../../dist/cli/tui/palette.js');
  const d = new DetailIndex(model, trace.records);
  const st = new TuiState(model);
  const lay = new Layout(st, d, new Palette(true), { title: 'x' });
  const big = model.requests.reduce((a, r) => (r.deltas.length > a.deltas.length ? r : a));
  const cpuMs = (fn) => { const c = process.cpuUsage(); const a = performance.now(); fn(); const u = process.cpuUsage(c); return `${(performance.now() - a).toFixed(2)} wall / ${((u.user + u.system) / 1000).toFixed(2)} cpu`; };
  console.log('deltas', big.deltas.length);
  console.log('RequestContent', cpuMs(() => d.contentOf(big)));
  console.log('inputOf', cpuMs(() => d.inputOf(big)));
  console.log('at end', cpuMs(() => d.at(big, big.endMs, null)));
  st.focus(big.index);
  console.log('frame', cpuMs(() => lay.frame(120, 40)));
  st.seekTo(st.view.toView(big.endMs) - 1);
  console.log('frame end', cpuMs(() => lay.frame(120, 40)));
  console.log('frame 250x70', cpuMs(() => lay.frame(250, 70)));
  for (let k = 0; k < 3; k++) {
    st.cycleProfile();
    console.log(' profile switch + frame 250x70', cpuMs(() => lay.frame(250, 70)));
  }
  for (let k = 0; k < 3; k++) console.log(' frame 250x70 at new time', cpuMs(() => { st.seekTo(Math.random() * st.durationMs); lay.frame(250, 70); }));
  const lay2 = new Layout(st, d, new Palette(true), { title: 'x' });
  console.log(' header 250 cold', cpuMs(() => lay2.headerRows(250)));
  console.log(' timeline 250 cold', cpuMs(() => lay2.timelineRows(250)));
  console.log(' panes 250 cold', cpuMs(() => lay2.paneRows(250, 70)));
  console.log(' status 250', cpuMs(() => lay2.statusRow(250)));
  st.openOverlay('request');
  console.log('overlay', cpuMs(() => lay.overlay(114, 36)));
  console.log('cycleProfile', cpuMs(() => st.cycleProfile()));
  console.log('frame after profile', cpuMs(() => lay.frame(120, 40)));
  console.log('cycleIdle', cpuMs(() => st.cycleIdle()));
  console.log('frame after idle', cpuMs(() => lay.frame(120, 40)));
  process.exit(0);
}
const gcs = [];
new PerformanceObserver((list) => gcs.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
const t0 = performance.now();
const { recs, events } = build();
const bytes = encode(recs);
const t1 = performance.now();
const trace = readTrace(bytes);
const recCount = recs.length;
recs.length = 0; // only what `lapse tui` holds stays alive: the read records and the model
const model = analyseTrace(trace);
const t2 = performance.now();
const load = (await import('node:os')).loadavg()[0];
console.log(`load average ${load.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores (wall times stretch with it)`);
console.log(`trace: ${events} SSE events, ${recCount} records, ${model.requests.length} requests, ${(bytes.length / 1e6).toFixed(1)} MB, session ${(model.durationMs / 60000).toFixed(1)} min`);
globalThis.gc?.();
console.log(`heap after loading: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB (the records and the model, as \`lapse tui\` holds them)`);
console.log(`build+encode ${(t1 - t0).toFixed(0)} ms; read+analyse ${(t2 - t1).toFixed(0)} ms (startup cost, not a redraw)`);

const SIZES = (process.env.SIZES ?? "120x40,250x70,80x24").split(",").map((s) => s.split("x").map(Number));
for (const [cols, rows] of SIZES) {
  const term = fakeTerminal(cols, rows);
  const app = new TuiApp({ model, records: trace.records, title: 'bench.lapse', color: true, input: term.input, output: term.output, terminal: 'xterm-256color' });
  const program = app.screen.program;
  const key = (ch, name, extra = {}) => program.emit('keypress', ch, { name, full: name, sequence: ch ?? '', ...extra });
  const times = { play: [], seek: [], request: [], profile: [], idle: [], overlay: [] };
  const cpu = { play: [], seek: [], request: [], profile: [], idle: [], overlay: [] };
  // Wall time, and this process's CPU time (what the redraw costs even when other processes
  // compete for the cores and stretch the wall time).
  const windows = [];
  // A redraw: the state change, layout, cells, blessed's draw, and the write of its output (blessed
  // buffers output until the next tick; flushing inside the window counts the write too). Then the
  // event loop turns, as between frames of the real player.
  const time = async (kind, fn) => {
    const c = process.cpuUsage();
    const a = performance.now();
    fn();
    program.flush();
    const b = performance.now();
    times[kind].push(b - a);
    const d = process.cpuUsage(c);
    cpu[kind].push((d.user + d.system) / 1000);
    windows.push([a, b, kind, times[kind].length - 1]);
    await new Promise((r) => setImmediate(r));
  };
  await time('seek', () => app.render()); // first full draw
  const dur = () => app.state.durationMs;
  // Playback: 3000 frames spread over the session, as the frame timer would advance it at high speed.
  for (let i = 0; i < 3000; i++) await time('play', () => { app.state.seekTo((dur() * i) / 3000); app.render(); });
  for (let i = 0; i < 300; i++) await time('seek', () => key(undefined, rand() < 0.5 ? 'left' : 'right', { shift: rand() < 0.5 }));
  for (let i = 0; i < 300; i++) await time('seek', () => { app.state.seekTo(rand() * dur()); app.render(); });
  for (let i = 0; i < 300; i++) await time('request', () => key(rand() < 0.7 ? ']' : '[', undefined));
  for (let i = 0; i < 8; i++) await time('profile', () => key('s', 's'));
  for (let i = 0; i < 12; i++) await time('idle', () => key('i', 'i'));
  for (let i = 0; i < 10; i++) {
    await time('overlay', () => key(undefined, 'enter'));
    await time('overlay', () => key(undefined, 'pagedown'));
    await time('overlay', () => key(undefined, 'escape'));
    key(']', undefined);
  }
  app.quit();
  await new Promise((r) => setTimeout(r, 50));
  // Frames during which V8 collected garbage: the pause is the heap's (a 100k-record trace is held
  // in memory), not the redraw's. Shown separately.
  const gcIn = new Set();
  for (const [a, b, kind, i] of windows) if (gcs.some((g) => g.startTime < b && g.startTime + g.duration > a)) gcIn.add(`${kind}:${i}`);
  const clean = {};
  for (const k of Object.keys(times)) clean[k] = times[k].filter((_, i) => !gcIn.has(`${k}:${i}`));
  const cleanAll = Object.values(clean).flat();
  const cleanCpu = Object.keys(cpu).flatMap((k) => cpu[k].filter((_, i) => !gcIn.has(`${k}:${i}`)));
  const all = Object.values(times).flat();
  const allCpu = Object.values(cpu).flat();
  const f = (x) => x.toFixed(2).padStart(8);
  console.log(`\n${cols}×${rows}: ${all.length} redraws, ${(term.bytes() / 1e6).toFixed(1)} MB written`);
  console.log('  kind         n   wall p50    p99    max  |  cpu p50    p99    max (ms)');
  const row = (k, xs, cs) => console.log(`  ${k.padEnd(8)} ${String(xs.length).padStart(5)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}  | ${f(pct(cs, 50))} ${f(pct(cs, 99))} ${f(Math.max(...cs))}`);
  for (const k of Object.keys(times)) row(k, times[k], cpu[k]);
  row('all', all, allCpu);
  const gcHere = gcs.filter((g) => g.startTime >= windows[0][0]);
  console.log(`  without the ${gcIn.size} redraws that contained a GC pause: wall p50 ${pct(cleanAll, 50).toFixed(2)} p99 ${pct(cleanAll, 99).toFixed(2)} max ${Math.max(...cleanAll).toFixed(2)} ms; cpu p50 ${pct(cleanCpu, 50).toFixed(2)} p99 ${pct(cleanCpu, 99).toFixed(2)} max ${Math.max(...cleanCpu).toFixed(2)} ms`);
  if (process.env.SLOW) for (const k of Object.keys(cpu)) cpu[k].forEach((c, i) => { if (c > Number(process.env.SLOW) && !gcIn.has(`${k}:${i}`)) console.log(`  slow ${k} #${i}: cpu ${c.toFixed(1)} wall ${times[k][i].toFixed(1)}`); });
  console.log(`  GC pauses in this run: ${gcHere.length}, max ${Math.max(0, ...gcHere.map((g) => g.duration)).toFixed(1)} ms`);
  gcs.length = 0;
}
process.exit(0);
