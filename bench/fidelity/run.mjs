#!/usr/bin/env node
// Does `lapse simulate` predict what a faster model really does? (issue 5; goal: within 10 %.)
//
//   npm run build && node bench/fidelity/run.mjs [--protocols anthropic,openai-ws] [--scenarios default,subagents] [--runs N] [--keep DIR]
//
// About 35 s per run and protocol. On a shared machine use --runs 3 or more and read the medians.
//
// For each protocol: record the demo session (`lapse demo`, the scripted agent through the real
// `lapse record`) at 100 tokens/s and TTFT 300 ms; predict it at 1,000 tokens/s and TTFT 30 ms with
// `lapse simulate --tps 1000 --ttft-scale 0.1 --json`; record it again really at that speed and read
// `lapse stats --json`. Prints predicted vs actual duration and the error.
//
// The demo's own fixed costs (agent start-up, tool runs, the user pause) stay in both recordings, and
// on a busy machine the agent's start-up (Node loading two SDKs) alone moves by a second between runs.
// So a second error leaves the start-up out on both sides: durations counted from the first critical
// request (the simulation keeps the start-up as it was, harnessScale 1, so it is the same amount).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));
const PROTOCOLS = ['anthropic', 'openai-chat', 'openai-responses', 'openai-ws'];
// `subagents`: two subagents in parallel (one tool-bound, one model-bound); with a fast model the
// other one becomes the critical branch, which only a re-lay of the whole graph predicts.
const SCENARIOS = ['default', 'subagents', 'parallel-tools'];
const SLOW = { ttft: 300, tps: 100 };
const FAST = { ttft: 30, tps: 1000 };

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const protocols = arg('--protocols', PROTOCOLS.join(',')).split(',');
const scenarios = arg('--scenarios', 'default,subagents').split(',');
const runs = Number(arg('--runs', '1'));
const keep = arg('--keep', null);
if (protocols.some((p) => !PROTOCOLS.includes(p)) || scenarios.some((x) => !SCENARIOS.includes(x)) || !Number.isInteger(runs) || runs < 1) {
  console.error(`usage: node bench/fidelity/run.mjs [--protocols ${PROTOCOLS.join(',')}] [--scenarios ${SCENARIOS.join(',')}] [--runs N] [--keep DIR]`);
  process.exit(2);
}

function lapse(argv) {
  return new Promise((resolve, reject) => {
    // stdout is a pipe, so `lapse demo` prints stats rather than opening a viewer.
    const child = spawn(process.execPath, [LAPSE, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`lapse ${argv[0]} exited ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`))));
  });
}

const record = (protocol, scenario, pace, file) =>
  lapse(['demo', '--protocol', protocol, '--scenario', scenario, '--ttft', String(pace.ttft), '--tps', String(pace.tps), '--seed', '1', '-o', file]);
const json = async (argv) => JSON.parse(await lapse([...argv, '--json']));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const s = (ms) => (ms / 1000).toFixed(2).padStart(6) + ' s';
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const firstStart = (stats) => Math.min(...stats.requests.filter((r) => r.critical).map((r) => r.startMs));
const sum = (b) => b.modelWaitMs + b.modelStreamMs + b.toolMs + b.userMs + b.harnessMs;

const dir = keep ?? mkdtempSync(join(tmpdir(), 'lapse-fidelity-'));
mkdirSync(dir, { recursive: true });
console.log(`fidelity: record at ${SLOW.tps} tok/s, TTFT ${SLOW.ttft} ms → simulate and record at ${FAST.tps} tok/s, TTFT ${FAST.ttft} ms`);
console.log(`load average at start: ${load()} (${availableParallelism()} cores)`);
console.log('');
console.log('                         ---------- whole session ----------   -- where it differs, predicted − actual (ms) --   model');
console.log('protocol/scenario  run   original  predicted     actual   error   start-up   tools    user  harness  model      error');
const rows = [];
let failures = 0;
const cases = scenarios.flatMap((scenario) => protocols.map((protocol) => ({ protocol, scenario, label: scenario === 'default' ? protocol : `${protocol}/${scenario}` })));
for (const { protocol, scenario, label } of cases) {
  for (let run = 1; run <= runs; run++) {
    const slowFile = join(dir, `${protocol}-${scenario}-${run}-slow.lapse`);
    const fastFile = join(dir, `${protocol}-${scenario}-${run}-fast.lapse`);
    let slow, sim, actual;
    try {
      await record(protocol, scenario, SLOW, slowFile);
      slow = await json(['stats', slowFile]);
      sim = await json(['simulate', slowFile, '--tps', String(FAST.tps), '--ttft-scale', String(FAST.ttft / SLOW.ttft)]);
      await record(protocol, scenario, FAST, fastFile);
      actual = await json(['stats', fastFile]);
    } catch (err) {
      console.log(`${label.padEnd(18)} ${String(run).padStart(3)}  failed: ${err.message}`);
      failures++;
      continue;
    }
    const predicted = sim.simulated.durationMs;
    const error = (predicted - actual.durationMs) / actual.durationMs;
    // The error split by where it arises. The start-up (the agent process until its first critical
    // request), tool runs and user pauses are carried over as recorded, so their part is the two
    // recordings differing (the machine), not the simulation; what is left — model wait and stream,
    // and the harness's gaps between requests — is what the simulation itself predicted.
    const p = sim.simulated.breakdown;
    const a = actual.breakdown;
    const startup = firstStart(slow) - firstStart(actual);
    const tools = p.toolMs - a.toolMs;
    const user = p.userMs - a.userMs;
    const harness = p.harnessMs - a.harnessMs - startup;
    const model = p.modelWaitMs + p.modelStreamMs - a.modelWaitMs - a.modelStreamMs;
    const modelError = (predicted - startup - tools - user - actual.durationMs) / actual.durationMs;
    const coreError = (predicted - firstStart(slow) - (actual.durationMs - firstStart(actual))) / (actual.durationMs - firstStart(actual));
    rows.push({ protocol: label, run, error, coreError, modelError, sim, actual });
    const ms = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(0)}`.padStart(7);
    console.log(
      `${label.slice(0, 18).padEnd(18)} ${String(run).padStart(3)}  ${s(sim.original.durationMs)}  ${s(predicted)}  ${s(actual.durationMs)}  ${pct(error).padStart(7)}  ${ms(startup)}  ${ms(tools)} ${ms(user)}  ${ms(harness)} ${ms(model)}  ${pct(modelError).padStart(7)}`,
    );
    if (Math.abs(sum(actual.breakdown) - actual.durationMs) > 1) console.log(`  (warning: the actual breakdown sums to ${sum(actual.breakdown)} ms, not ${actual.durationMs})`);
  }
}

// Where the difference comes from, per part of the breakdown (means over all runs).
console.log('');
console.log('mean per part (ms)      predicted   actual   difference');
for (const part of ['modelWaitMs', 'modelStreamMs', 'toolMs', 'userMs', 'harnessMs']) {
  const p = rows.reduce((n, r) => n + r.sim.simulated.breakdown[part], 0) / rows.length;
  const a = rows.reduce((n, r) => n + r.actual.breakdown[part], 0) / rows.length;
  console.log(`  ${part.padEnd(18)} ${p.toFixed(0).padStart(9)} ${a.toFixed(0).padStart(8)} ${((p - a >= 0 ? '+' : '') + (p - a).toFixed(0)).padStart(10)}`);
}
if (!rows.length) process.exit(1);
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
if (runs > 1) {
  console.log('');
  console.log('median error per protocol   whole session   after start-up    model');
  for (const { label: protocol } of cases) {
    const mine = rows.filter((r) => r.protocol === protocol);
    if (mine.length) console.log(`  ${protocol.padEnd(24)} ${pct(median(mine.map((r) => r.error))).padStart(13)} ${pct(median(mine.map((r) => r.coreError))).padStart(16)} ${pct(median(mine.map((r) => r.modelError))).padStart(8)}`);
  }
}
const worst = rows.reduce((m, r) => Math.max(m, Math.abs(r.error)), 0);
const worstCore = rows.reduce((m, r) => Math.max(m, Math.abs(r.coreError)), 0);
const worstModel = rows.reduce((m, r) => Math.max(m, Math.abs(r.modelError)), 0);
console.log('');
console.log(`worst error ${pct(worst).replace('+', '')}, after start-up ${pct(worstCore).replace('+', '')}, the model's own ${pct(worstModel).replace('+', '')} (goal: within 10 %)${failures ? `; ${failures} run(s) failed` : ''}; load average at the end: ${load()}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`traces kept in ${dir}`);
