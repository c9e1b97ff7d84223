import { describe, expect, it } from 'vitest';
import { IDLE_LIMITS_MS, PlayClock as ViewMap } from '../../analysis/playback.js';
import { SPEEDS } from '../../cli/tui/state.js';
import { simulate, PROFILES } from '../../analysis/simulate.js';
import { fixture } from './helpers.js';

// The synthetic session (test/tui/synthetic.ts), as analysed: 22 s; requests by start:
// 0 r0 1.0–3.0 s (Read) · 1 side 1.1–1.6 s · 2 r1 5.0–7.0 s (Edit) · 3 r2 9.0–10.0 s · 4 r3 20.0–21.5 s;
// tool gaps 3–5 s and 7–9 s, user gap 10–20 s.

describe('the view clock (original / simulated, idle limit)', () => {
  it('is the recorded session when no profile or limit is on', () => {
    const { model } = fixture();
    const v = new ViewMap(model, null, null);
    expect(v.durationMs).toBe(22_000);
    expect(v.identity).toBe(true);
    for (const t of [0, 1234, 9000, 22_000]) {
      expect(v.toView(t)).toBeCloseTo(t, 6);
      expect(v.toOrig(t)).toBeCloseTo(t, 6);
    }
  });

  it('follows the simulation under a profile', () => {
    const { model } = fixture();
    const sim = simulate(model, PROFILES.spark);
    const v = new ViewMap(model, sim, null);
    expect(v.durationMs).toBeCloseTo(sim.simulated.durationMs, 6);
    expect(v.toView(model.durationMs)).toBeCloseTo(sim.simulated.durationMs, 6);
    // Tool and user gaps keep their length.
    expect(v.toView(20_000) - v.toView(10_000)).toBeCloseTo(10_000, 6);
    let prev = -1;
    for (let t = 0; t <= 22_000; t += 250) {
      const x = v.toView(t);
      expect(x).toBeGreaterThanOrEqual(prev);
      prev = x;
    }
  });

  it('shortens tool and user gaps to the idle limit, linearly inside them', () => {
    const { model } = fixture();
    const v = new ViewMap(model, null, 1000);
    // Two 2 s tool gaps lose 1 s each, the 10 s user gap loses 9 s; harness time is kept.
    expect(v.durationMs).toBeCloseTo(11_000, 6);
    expect(v.toView(20_000)).toBeCloseTo(9_000, 6);
    expect(v.toView(4_000)).toBeCloseTo(3_500, 6);
    expect(v.segments.filter((s) => s.compressed).map((s) => s.kind)).toEqual(['tool', 'tool', 'user']);
  });

  it('jumps over model time that the instant profile removes', () => {
    const { model } = fixture();
    const v = new ViewMap(model, simulate(model, PROFILES.instant), null);
    const at = v.toView(5_000);
    expect(v.toView(7_000)).toBeCloseTo(at, 6);
    // At that instant the whole response has already arrived.
    expect(v.toOrig(at)).toBeCloseTo(7_000, 6);
    expect(v.segments[v.segmentAt(at)].kind).toBe('tool');
  });
});

describe('player state', () => {
  it('plays at the chosen speed and stops at the end', () => {
    const { state } = fixture();
    expect(state.playing).toBe(false);
    state.togglePlay();
    expect(state.tick(1000)).toBe(true);
    expect(state.playheadMs).toBeCloseTo(1000, 6);
    state.faster();
    expect(state.speed).toBe(2);
    state.tick(1000);
    expect(state.playheadMs).toBeCloseTo(3000, 6);
    state.seekTo(21_900);
    state.tick(1000);
    expect(state.playheadMs).toBe(22_000);
    expect(state.playing).toBe(false);
    expect(state.tick(1000)).toBe(false);
    // Play at the end starts over.
    state.togglePlay();
    expect(state.playing).toBe(true);
    expect(state.playheadMs).toBe(0);
  });

  it('keeps speed within 0.5× … 64×', () => {
    const { state } = fixture();
    for (let i = 0; i < 5; i++) state.slower();
    expect(state.speed).toBe(0.5);
    for (let i = 0; i < 20; i++) state.faster();
    expect(state.speed).toBe(64);
    expect(SPEEDS[0]).toBe(0.5);
  });

  it('seeks by 1% and 10% of the view, clamped to the session', () => {
    const { state } = fixture();
    state.step(1);
    expect(state.playheadMs).toBeCloseTo(220, 6);
    state.step(1, true);
    expect(state.playheadMs).toBeCloseTo(2420, 6);
    state.step(-1, true);
    state.step(-1, true);
    expect(state.playheadMs).toBe(0);
  });

  it('puts in focus the request being waited on, a side request in progress, else the one before the gap', () => {
    const { state } = fixture();
    expect(state.activeIndex()).toBe(-1);
    state.seekTo(1200); // r0 waiting for its first token; the side request is running too
    expect(state.activeIndex()).toBe(0);
    state.seekTo(4000); // tool gap after r0
    expect(state.activeIndex()).toBe(0);
    state.seekTo(8000); // tool gap after r1
    expect(state.activeIndex()).toBe(2);
    state.seekTo(15_000); // user gap after r2
    expect(state.activeIndex()).toBe(3);
    state.seekTo(21_000);
    expect(state.activeIndex()).toBe(4);
  });

  it('steps through requests with ] and [, side requests included', () => {
    const { state } = fixture();
    expect(state.nextRequest()).toBe(true);
    expect([state.activeIndex(), state.playheadMs]).toEqual([0, 1000]);
    state.nextRequest();
    expect([state.activeIndex(), state.playheadMs]).toEqual([1, 1100]);
    state.nextRequest();
    expect([state.activeIndex(), state.playheadMs]).toEqual([2, 5000]);
    state.prevRequest();
    expect(state.activeIndex()).toBe(1);
    state.seekTo(6000); // inside r1: [ goes back to its start first
    state.prevRequest();
    expect([state.activeIndex(), state.playheadMs]).toEqual([2, 5000]);
    state.seekTo(21_000);
    expect(state.nextRequest()).toBe(false);
  });

  it('keeps the same moment of the session when the profile or idle limit changes', () => {
    const { state } = fixture();
    state.seekTo(8000);
    state.cycleProfile();
    expect(state.profile.name).toBe('spark');
    expect(state.sim).not.toBeNull();
    expect(state.durationMs).toBeCloseTo(state.sim!.simulated.durationMs, 6);
    expect(state.origNow).toBeCloseTo(8000, 6);
    expect(state.activeIndex()).toBe(2);
    state.cycleIdle();
    expect(state.idleLimitMs).toBe(IDLE_LIMITS_MS[1]);
    expect(state.origNow).toBeCloseTo(8000, 6);
    state.cycleProfile();
    state.cycleProfile();
    expect(state.profile.name).toBe('instant');
    state.cycleProfile();
    expect(state.profile.name).toBe('original');
    expect(state.sim).toBeNull();
  });

  it('keeps a request chosen with ] in focus across a profile change', () => {
    const { state } = fixture();
    state.nextRequest();
    state.nextRequest(); // the side request
    state.cycleProfile();
    expect(state.activeIndex()).toBe(1);
    expect(state.playheadMs).toBeCloseTo(state.view.toView(1100), 6);
  });
});
