// Every reader of traces gets 10,000 damaged or nonsensical inputs: it must answer with a TraceFormatError
// (the CLI turns it into one line and exit code 2) or a correct result — never another exception, never a
// hang, never unbounded memory. In-process for speed; fuzz-cli.test.ts samples the same through the real CLI.
import { describe, expect, it } from 'vitest';
import { readTrace, TraceFormatError } from '../../format/index.js';
import { analyseTrace, simulate, resolveProfile, statsJson, simulateJson, PROFILE_NAMES } from '../../analysis/index.js';
import { mutate, rng } from './trace-mutations.js';
import { baseTraces } from './base-traces.js';

export const FUZZ_CASES = Number(process.env.LAPSE_FUZZ_CASES ?? 10_000);
const CASE_LIMIT_MS = 2_000;

/** The pipeline every read command runs: read, analyse, simulate each profile, render the JSON contracts. */
function pipeline(bytes: Uint8Array): string {
  const trace = readTrace(bytes);
  const model = analyseTrace(trace);
  let out = JSON.stringify(statsJson(model));
  for (const name of PROFILE_NAMES) out += JSON.stringify(simulateJson(simulate(model, resolveProfile(name)!)));
  return out;
}

// Vitest's worker RPC times out ("Timeout calling onTaskUpdate") when one test runs past about a
// minute, which a loaded 2-core CI run reached; the cases run in slices of their own tests instead.
const SLICE = 500;
const slices = Array.from({ length: Math.ceil(FUZZ_CASES / SLICE) }, (_, k) => [k * SLICE, Math.min(FUZZ_CASES, (k + 1) * SLICE)] as const);

describe(`bad traces (${FUZZ_CASES} inputs)`, () => {
  const bases = baseTraces();
  const r = rng(2026);
  let rejected = 0;
  let analysed = 0;
  const failures: string[] = [];
  let slowest = 0;
  const heapStart = process.memoryUsage().heapUsed;
  let heapPeak = heapStart;

  it.each(slices)('read + analyse + simulate, cases %i to %i: a TraceFormatError or a result', (from, to) => {
    for (let i = from; i < to; i++) {
      const input = mutate(r, bases[i % bases.length]);
      const t0 = performance.now();
      try {
        const json = pipeline(input);
        expect(json.length).toBeGreaterThan(0);
        analysed++;
      } catch (err) {
        if (err instanceof TraceFormatError && !err.message.includes('\n')) rejected++;
        else if (failures.length < 5) failures.push(`case ${i}: ${(err as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(err)}`);
        else failures.push('');
      }
      const dt = performance.now() - t0;
      if (dt > slowest) slowest = dt;
      if (i % 500 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    expect(failures.filter(Boolean)).toEqual([]);
  }, 300_000);

  it('all cases: none failed, each within the time limit, memory bounded, both outcomes seen', () => {
    console.log(`fuzz: ${FUZZ_CASES} inputs, ${rejected} rejected (one-line TraceFormatError), ${analysed} analysed, ${failures.length} failures, slowest ${slowest.toFixed(1)} ms, heap +${((heapPeak - heapStart) / 1e6).toFixed(1)} MB`);
    expect(rejected + analysed + failures.length).toBe(FUZZ_CASES);
    expect(failures.length).toBe(0);
    expect(slowest).toBeLessThan(CASE_LIMIT_MS);
    expect(heapPeak - heapStart).toBeLessThan(512e6);
    expect(rejected).toBeGreaterThan(0);
    expect(analysed).toBeGreaterThan(0);
  });
});
