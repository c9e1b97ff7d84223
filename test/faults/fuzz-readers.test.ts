// Every command that reads a trace, fed the same damaged, truncated, random and well-framed-nonsense
// inputs (FUZZ_CASES of them, 3,000 by default — 10,000 took 150 s of a loaded 2-core CI run;
// LAPSE_FUZZ_CASES=10000 for a deeper pass): stats, simulate, dump and
// export run their real actions in-process; replay, view and tui their loaders (reader-paths.ts). Each
// must refuse with one line (UsageError / the viewer's LoadError → exit 2) or give a correct result;
// never another exception, never a hang (a time limit per case), never unbounded memory.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutate, rng } from './trace-mutations.js';
import { baseTraces } from './base-traces.js';
import { isProperRefusal, READER_PATHS } from './reader-paths.js';
import { removeTmpDirs, tmpDir } from './helpers.js';

const FUZZ_CASES = Number(process.env.LAPSE_FUZZ_CASES ?? 3_000);
const CASE_LIMIT_MS = 2_000;
afterAll(() => removeTmpDirs());

interface Tally {
  ok: number;
  refused: number;
  failures: string[];
  slowestMs: number;
  totalMs: number;
}

// Vitest's worker RPC times out ("Timeout calling onTaskUpdate") when one test runs past about a
// minute, which a loaded 2-core CI run reached; the cases run in slices of their own tests instead.
const SLICE = 250;
const slices = Array.from({ length: Math.ceil(FUZZ_CASES / SLICE) }, (_, k) => [k * SLICE, Math.min(FUZZ_CASES, (k + 1) * SLICE)] as const);

describe(`every trace reader, ${FUZZ_CASES} bad inputs each`, () => {
  const bases = baseTraces();
  const r = rng(4242);
  const names = Object.keys(READER_PATHS);
  const tally = new Map<string, Tally>(names.map((n) => [n, { ok: 0, refused: 0, failures: [], slowestMs: 0, totalMs: 0 }]));
  const heapStart = process.memoryUsage().heapUsed;
  let heapPeak = heapStart;
  let dir = '';
  const t0 = performance.now();

  it.each(slices)('stats, simulate, dump, export, replay, view, tui, cases %i to %i: a one-line refusal or a correct result', async (from, to) => {
    dir ||= tmpDir();
    for (let i = from; i < to; i++) {
      const input = mutate(r, bases[i % bases.length]);
      const file = join(dir, `case-${i % 64}.lapse`);
      writeFileSync(file, input);
      for (const name of names) {
        const t = tally.get(name)!;
        const start = performance.now();
        try {
          const problem = await READER_PATHS[name](file, i);
          if (problem) t.failures.push(`case ${i}: ${problem}`);
          else t.ok++;
        } catch (err) {
          if (isProperRefusal(err)) t.refused++;
          else t.failures.push(`case ${i}: ${(err as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`);
        }
        const dt = performance.now() - start;
        t.totalMs += dt;
        if (dt > t.slowestMs) t.slowestMs = dt;
      }
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (i % 250 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    const failures = [...tally].flatMap(([name, t]) => t.failures.slice(0, 3).map((f) => `${name} ${f}`));
    expect(failures).toEqual([]);
  }, 300_000);

  it('every reader over all cases: in time, both outcomes seen, memory bounded', () => {
    const secs = (performance.now() - t0) / 1000;
    for (const [name, t] of tally) {
      console.log(`fuzz ${name.padEnd(8)}: ${FUZZ_CASES} inputs, ${t.ok} correct results, ${t.refused} one-line refusals, ${t.failures.length} failures, slowest ${t.slowestMs.toFixed(1)} ms, ${(t.totalMs / 1000).toFixed(1)} s in all`);
    }
    console.log(`fuzz: ${names.length} readers × ${FUZZ_CASES} inputs in ${secs.toFixed(1)} s, heap +${((heapPeak - heapStart) / 1e6).toFixed(1)} MB`);
    for (const [name, t] of tally) {
      expect({ name, slow: t.slowestMs < CASE_LIMIT_MS }).toEqual({ name, slow: true });
      expect(t.ok + t.refused + t.failures.length).toBe(FUZZ_CASES);
      expect(t.failures).toEqual([]);
      expect(t.ok).toBeGreaterThan(0);
      expect(t.refused).toBeGreaterThan(0);
    }
    expect(heapPeak - heapStart).toBeLessThan(512e6);
  });
});
