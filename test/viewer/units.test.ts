// Pure parts of the viewer and its server: Host checks, the playback clock, the slider's log scale.
import { describe, expect, it } from 'vitest';
import { hostAllowed, isLoopback } from '../../cli/util/host-check.js';
import { PlayClock } from '../../analysis/playback.js';
import { analyseRecords } from '../../analysis/session.js';
import { anthropicTurn, byTime, exitAt, sessionRecord } from '../factory/records.js';
import { sliderFromTps, tpsFromSlider } from '../../viewer/src/sim-panel.js';
import { simulate, PROFILES, resolveProfile } from '../../analysis/simulate.js';
import type { SessionModel } from '../../analysis/model.js';
import { ContentDeltas } from '../../analysis/deltas.js';

describe('Host header check', () => {
  it('answers only its own loopback address and localhost, with its port', () => {
    expect(hostAllowed('127.0.0.1:5000', '127.0.0.1', 5000)).toBe(true);
    expect(hostAllowed('localhost:5000', '127.0.0.1', 5000)).toBe(true);
    expect(hostAllowed('LOCALHOST:5000', '127.0.0.1', 5000)).toBe(true);
    expect(hostAllowed('127.0.0.1', '127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed('127.0.0.1:5001', '127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed('evil.example:5000', '127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed('127.0.0.1.evil.example:5000', '127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed('[::1]:5000', '::1', 5000)).toBe(true);
    expect(hostAllowed('localhost:5000', '::1', 5000)).toBe(true);
  });

  it('a non-loopback bind answers its own address; a wildcard bind only IP literals', () => {
    expect(hostAllowed('192.168.1.5:80', '192.168.1.5', 80)).toBe(true);
    expect(hostAllowed('localhost:80', '192.168.1.5', 80)).toBe(false);
    expect(hostAllowed('10.1.2.3:80', '0.0.0.0', 80)).toBe(true);
    expect(hostAllowed('rebind.example:80', '0.0.0.0', 80)).toBe(false);
  });

  it('knows loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.0.1')).toBe(false);
  });
});

// harness 100 | r0 wait 500, stream 1000 (asks for a tool) | tool 10 000 | r1 wait 500, stream 1000 | user 30 000 | r2 (instant)
function model(): SessionModel {
  return analyseRecords(
    byTime(
      [sessionRecord()],
      exitAt(100 + 1500 + 10_000 + 1500 + 30_000),
      anthropicTurn({ id: 'r0', startMs: 100, headMs: 150, firstMs: 600, endMs: 1600, deltas: ['a', 'b'], tools: [{ id: 't1', name: 'Bash', args: '{}' }], outputTokens: 100 }),
      anthropicTurn({ id: 'r1', startMs: 11_600, headMs: 11_650, firstMs: 12_100, endMs: 13_100, deltas: ['c', 'd'], answers: ['t1'], outputTokens: 100 }),
      // The person's next prompt, answered at once, ends the session.
      anthropicTurn({ id: 'r2', startMs: 43_100, headMs: 43_100, firstMs: 43_100, endMs: 43_100, deltas: ['e'], prompt: 'next', outputTokens: 1 }),
    ),
  );
}

describe('playback clock', () => {
  const m = model();
  const play = (sim: ReturnType<typeof simulate> | null, idle: number | null) => new PlayClock(m, sim, idle);

  it('as recorded, without an idle limit, plays in real time', () => {
    const map = play(null, null);
    expect(map.durationMs).toBe(m.durationMs);
    expect(map.toOrig(1234)).toBeCloseTo(1234);
  });

  it('an idle limit compresses long tool/user gaps to the limit and leaves model time alone', () => {
    const map = play(null, 2000);
    expect(map.durationMs).toBe(100 + 500 + 1000 + 2000 + 500 + 1000 + 2000);
    // halfway through the compressed tool gap is halfway through the real one
    expect(map.toOrig(1600 + 1000)).toBeCloseTo(1600 + 5000);
    expect(map.toView(1600 + 10_000 + 250)).toBeCloseTo(1600 + 2000 + 250);
  });

  it('as simulated, playback lasts the simulated duration and maps back to recorded time', () => {
    const sim = simulate(m, resolveProfile('original', { speedFactor: 10, ttftScale: 0.5 })!);
    const map = play(sim, null);
    expect(map.durationMs).toBeCloseTo(sim.simulated.durationMs);
    // 50 ms into the simulated stream (100 ms long) is 500 ms into the recorded one
    const streamStart = 100 + 250;
    expect(map.toOrig(streamStart + 50)).toBeCloseTo(600 + 500);
  });
});

describe('tokens/s slider', () => {
  it('is logarithmic from 10 to 5,000', () => {
    expect(tpsFromSlider(0)).toBeCloseTo(10);
    expect(tpsFromSlider(1000)).toBeCloseTo(5000);
    expect(tpsFromSlider(500)).toBeCloseTo(Math.sqrt(10 * 5000));
    for (const t of [10, 80, 1000, 5000]) expect(tpsFromSlider(sliderFromTps(t)) / t).toBeCloseTo(1, 1);
  });
});

describe('tokens/s index', () => {
  it('merges per-request runs into one time order, overlapping or not', async () => {
    const { mergeRuns } = await import('../../viewer/src/token-rate.js');
    const run = (ts: number[]) => ({ t: Float64Array.from(ts), k: Float64Array.from(ts.map((x) => x * 10)) });
    const m = mergeRuns([run([1, 2, 3]), run([10, 11]), run([2.5, 4, 12]), run([]), run([0])]);
    expect(Array.from(m.t)).toEqual([0, 1, 2, 2.5, 3, 4, 10, 11, 12]);
    expect(Array.from(m.k)).toEqual([0, 10, 20, 25, 30, 40, 100, 110, 120]);
  });
});

describe('tokens/s over time', () => {
  /** A request of the model as TokenRate reads it: a one-token text delta at each time. */
  const req = (critical: boolean, times: number[], outputTokens: number | null) => ({
    critical,
    outputTokens,
    outputTokensEstimate: times.length,
    tokensPerSecond: null,
    firstContentMs: times[0],
    endMs: times[times.length - 1],
    deltas: ContentDeltas.from(times.map((tMs) => ({ tMs, kind: 'text' as const, text: 'x', tokens: 1, block: 0 }))),
  });

  it('counts the tokens of any time bin, with overlapping side requests, scaled to the reported usage', async () => {
    const { TokenRate } = await import('../../viewer/src/token-rate.js');
    const m = { requests: [req(true, [0, 10, 20, 30], 8), req(false, [5, 15, 25], null), req(true, [100, 110], null)] } as unknown as SessionModel;
    const r = new TokenRate(m);
    expect(Array.from(r.times)).toEqual([0, 5, 10, 15, 20, 25, 30, 100, 110]);
    expect(r.tokensBetween(0, 31)).toBe(8 + 3); // the first request reported 8 tokens for 4 deltas
    expect(r.tokensBetween(10, 20)).toBe(2 + 1);
    expect(r.tokensBetween(50, 200)).toBe(2);
    expect(r.countBetween(-1, 1000)).toBe(9);
  });

  it('gives the same index when no requests overlap (written in one pass, in start order)', async () => {
    const { TokenRate } = await import('../../viewer/src/token-rate.js');
    // listed out of time order; a side request between two critical ones, touching the second
    const m = { requests: [req(true, [100, 110], null), req(true, [0, 10, 20, 30], 8), req(false, [40, 50, 100], 6)] } as unknown as SessionModel;
    const r = new TokenRate(m);
    expect(Array.from(r.times)).toEqual([0, 10, 20, 30, 40, 50, 100, 100, 110]);
    expect(Array.from(r.cum)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 15, 16]);
    expect(r.tokensBetween(0, 31)).toBe(8);
    expect(r.tokensBetween(40, 101)).toBe(6 + 1);
    expect(r.countBetween(-1, 1000)).toBe(9);
    expect(new TokenRate(m, (critical) => critical).count).toBe(6);
  });
});
