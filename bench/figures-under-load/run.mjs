#!/usr/bin/env node
// The e2e figures test (test/e2e/figures.test.ts: TTFT and tokens/s of a recorded session within 5 %
// of what the scripted endpoint's own log says it sent) run while CPU hogs spin beside it, as on a
// busy developer machine. Prints each run's outcome, whether it needed vitest's retries, and the load.
//
//   npx tsc -p . && node bench/figures-under-load/run.mjs [--runs 3] [--hogs 1]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const RUNS = arg('runs', 3);
const HOGS = arg('hogs', 1);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

const hogs = Array.from({ length: HOGS }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
const stop = () => {
  for (const h of hogs) if (h.exitCode === null) h.kill('SIGKILL');
};
process.on('exit', stop);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => (stop(), process.exit(130)));

console.log(`e2e figures test beside ${HOGS} CPU hog(s), ${RUNS} runs (load average ${load()})`);
let passed = 0;
let firstTry = 0;
for (let r = 1; r <= RUNS; r++) {
  const out = await new Promise((resolve) => {
    const p = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/e2e/figures.test.ts', '--reporter=verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.on('close', (code) => resolve({ code, text }));
  });
  // each failed attempt prints its assertion once
  const failedAttempts = (out.text.match(/^AssertionError/gm) ?? []).length;
  const ok = out.code === 0;
  passed += ok ? 1 : 0;
  firstTry += ok && failedAttempts === 0 ? 1 : 0;
  console.log(`run ${r}: ${ok ? 'passed' : 'FAILED'}${failedAttempts ? ` (${failedAttempts} failed attempt(s); vitest retries each test twice)` : ' at the first attempt'}; load average ${load()}`);
  if (!ok) console.log(out.text.split('\n').filter((l) => /×|AssertionError|expected|TTFT of|tokens\/s of/.test(l)).slice(0, 12).join('\n'));
}
stop();
console.log(`${passed}/${RUNS} runs passed (${firstTry} without a retry)`);
