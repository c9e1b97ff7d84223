import { describe, expect, it } from 'vitest';
import { analyseRecords } from '../../analysis/session.js';
import { origToSim, PROFILES, resolveProfile, simToOrig, simulate } from '../../analysis/simulate.js';
import { simulateJson } from '../../analysis/json.js';
import { anthropicTurn, byTime, exitAt, sessionRecord } from '../factory/records.js';
import { scenarioRecords } from './scenario.js';

// The scenario's critical path (see scenario.ts): harness 1000 | M1 wait 300, stream 1000 (100 tok)
// | tool 700 | M2 wait 200, stream 500 (50 tok) | user 6300 | M3 wait 400, stream 500 (10 tok) | harness 600.
const model = analyseRecords(scenarioRecords());

describe('simulation arithmetic, by hand', () => {
  it('original changes nothing', () => {
    const s = simulate(model, PROFILES.original);
    expect(s.simulated.durationMs).toBeCloseTo(11500, 9);
    expect(s.speedup).toBeCloseTo(1, 12);
    for (const seg of s.segments) {
      expect(seg.simStartMs).toBeCloseTo(seg.origStartMs, 9);
      expect(seg.simEndMs).toBeCloseTo(seg.origEndMs, 9);
    }
  });

  it('spark: 1,000 tok/s and TTFT × 0.5', () => {
    const s = simulate(model, PROFILES.spark);
    // 1000 + (150 + 100) + 700 + (100 + 50) + 6300 + (200 + 10) + 600
    expect(s.simulated.durationMs).toBeCloseTo(9210, 9);
    expect(s.simulated.breakdown.modelWaitMs).toBeCloseTo(450, 9);
    expect(s.simulated.breakdown.modelStreamMs).toBeCloseTo(160, 9);
    expect(s.simulated.breakdown.toolMs).toBe(700);
    expect(s.simulated.breakdown.userMs).toBe(6300);
    expect(s.simulated.breakdown.harnessMs).toBe(1600);
    expect(s.speedup).toBeCloseTo(11500 / 9210, 12);
    expect(s.original).toEqual({ durationMs: 11500, breakdown: model.breakdown, critical: ['M1', 'M2', 'M3'] });
    expect(s.simulated.critical).toEqual(['M1', 'M2', 'M3']);
    expect(s.segments.map((x) => [x.kind, x.simStartMs, x.simEndMs].map((v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)))).toEqual([
      ['harness', 0, 1000],
      ['modelWait', 1000, 1150],
      ['modelStream', 1150, 1250],
      ['tool', 1250, 1950],
      ['modelWait', 1950, 2050],
      ['modelStream', 2050, 2100],
      ['user', 2100, 8400],
      ['modelWait', 8400, 8600],
      ['modelStream', 8600, 8610],
      ['harness', 8610, 9210],
    ]);
    expect(s.estimatedRequests).toEqual([]);
  });

  it('fast-mode: streams / 2.5', () => {
    const s = simulate(model, PROFILES['fast-mode']);
    expect(s.simulated.durationMs).toBeCloseTo(11500 - 2000 + 800, 9);
    expect(s.simulated.breakdown.modelWaitMs).toBeCloseTo(900, 9);
  });

  it('instant: no model time at all', () => {
    const s = simulate(model, PROFILES.instant);
    expect(s.simulated.durationMs).toBeCloseTo(11500 - 2900, 9);
    expect(s.simulated.breakdown.modelWaitMs).toBe(0);
    expect(s.simulated.breakdown.modelStreamMs).toBe(0);
    // Playback: the jump over M1 lands after its stream.
    expect(simToOrig(s.timeMap, 1000)).toBe(2300);
    expect(simToOrig(s.timeMap, 1350)).toBeCloseTo(2650, 9);
    expect(origToSim(s.timeMap, 1800)).toBe(1000);
  });

  it('custom values: harness × 0.5, ttft × 0', () => {
    const p = resolveProfile(undefined, { harnessScale: 0.5, ttftScale: 0 })!;
    expect(p.name).toBe('custom');
    const s = simulate(model, p);
    expect(s.simulated.durationMs).toBeCloseTo(11500 - 800 - 900, 9);
  });

  it('maps time both ways for playback', () => {
    const s = simulate(model, PROFILES.spark);
    expect(simToOrig(s.timeMap, 0)).toBe(0);
    expect(simToOrig(s.timeMap, 1150)).toBeCloseTo(1300, 9);
    expect(origToSim(s.timeMap, 2500)).toBeCloseTo(1450, 9); // in the tool gap, unchanged length
    expect(origToSim(s.timeMap, 1800)).toBeCloseTo(1200, 9); // half-way through M1's stream
    expect(simToOrig(s.timeMap, origToSim(s.timeMap, 7000))).toBeCloseTo(7000, 9);
    expect(simToOrig(s.timeMap, 1e9)).toBe(11500);
    expect(origToSim(s.timeMap, -5)).toBe(0);
  });

  it('estimates the stream from content when usage is missing, and says so', () => {
    const recs = byTime([sessionRecord()], exitAt(2000), anthropicTurn({ id: 'N', startMs: 100, headMs: 150, firstMs: 200, endMs: 1200, deltas: ['abcdefgh', 'abcd'], outputTokens: null }));
    const m = analyseRecords(recs);
    expect(m.requests[0].outputTokens).toBeNull();
    expect(m.requests[0].outputTokensEstimate).toBe(3);
    const s = simulate(m, { ...PROFILES.spark, ttftScale: 1 });
    expect(s.simulated.breakdown.modelStreamMs).toBeCloseTo(3, 9);
    expect(s.estimatedRequests).toEqual(['N']);
    expect(s.segments.find((x) => x.kind === 'modelStream')?.estimated).toBe(true);
  });
});

describe('profiles', () => {
  it('resolves presets and overrides', () => {
    expect(resolveProfile('nope')).toBeNull();
    expect(resolveProfile('spark')).toEqual(PROFILES.spark);
    expect(resolveProfile(undefined)).toEqual(PROFILES.original);
    expect(resolveProfile('spark', { tokensPerSecond: 2000 })).toMatchObject({ name: 'spark+custom', tokensPerSecond: 2000, ttftScale: 0.5 });
    expect(resolveProfile('spark', { speedFactor: 3 })).toMatchObject({ tokensPerSecond: null, speedFactor: 3 });
    expect(resolveProfile('instant', { harnessScale: 0 })).toMatchObject({ instant: true, harnessScale: 0 });
  });

  it('prints the design.md JSON shape', () => {
    const j = simulateJson(simulate(model, PROFILES.instant));
    expect(Object.keys(j)).toEqual(['profile', 'original', 'simulated', 'speedup']);
    expect(j.profile).toEqual({ name: 'instant', tokensPerSecond: null, speedFactor: null, ttftScale: 0, harnessScale: 1, persistent: false, tokenOverheadScale: 1 });
    expect(Object.keys(j.simulated.breakdown)).toEqual(['modelWaitMs', 'modelStreamMs', 'toolMs', 'userMs', 'harnessMs']);
    expect(j.speedup).toBeCloseTo(11500 / 8600, 3);
  });
});
