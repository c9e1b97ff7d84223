// The pure parts: similarity, cassette matching, pacing arithmetic, drift-free playback.
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { resolveProfile } from '../../analysis/simulate.js';
import type { Recorded } from '../../cli/replay/cassette.js';
import { Matcher } from '../../cli/replay/matcher.js';
import { planResponse } from '../../cli/replay/pacing.js';
import { Playback } from '../../cli/replay/playback.js';
import { bodyFeatures, similarity } from '../../cli/replay/similarity.js';

const SYSTEM = 'You are a coding agent. '.repeat(2000); // a big repeated prompt, like a harness's

function body(messages: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'm', system: SYSTEM, messages: messages.map((c, i) => ({ role: i % 2 ? 'assistant' : 'user', content: c })), ...extra });
}

function rec(id: string, order: number, text: string, over: Partial<Recorded> = {}): Recorded {
  return {
    id,
    order,
    method: 'POST',
    path: '/v1/messages',
    url: '/v1/messages',
    startMs: 0,
    features: bodyFeatures(text),
    pieces: [],
    endMs: 0,
    timing: { firstContentMs: null, endMs: 0, outputTokens: null, outputTokensEstimate: 0 },
    played: 0,
    ...over,
  };
}

describe('similarity', () => {
  it('scores a re-run with a different temp path high, and the next step of the conversation low', () => {
    const a = bodyFeatures(body(['fix the test in /tmp/abc123', 'ok', 'result of ls /tmp/abc123: a.js b.js']));
    const sameOtherPath = bodyFeatures(body(['fix the test in /tmp/zz9911', 'ok', 'result of ls /tmp/zz9911: a.js b.js']));
    const nextStep = bodyFeatures(body(['fix the test in /tmp/abc123', 'ok', 'result of ls /tmp/abc123: a.js b.js', 'reading a.js', 'contents: export const add = (a, b) => a - b']));
    expect(similarity(a, a)).toBe(1);
    expect(similarity(a, sameOtherPath)).toBeGreaterThan(0.8);
    expect(similarity(a, nextStep)).toBeLessThan(0.8);
    expect(similarity(a, sameOtherPath)).toBeGreaterThan(similarity(a, nextStep));
  });

  it('in 100 KB bodies, a changed word still matches and two more messages do not', () => {
    const msgs = Array.from({ length: 200 }, (_, i) => `message ${i} ${'lorem ipsum dolor '.repeat(20)}`);
    const big = body(msgs);
    expect(big.length).toBeGreaterThan(100_000);
    const f = bodyFeatures(big);
    const g = bodyFeatures(big.replace('message 199', 'message 1999'));
    const longer = bodyFeatures(body([...msgs, 'reply', 'tool output: 3 tests passed']));
    expect(similarity(f, g)).toBeGreaterThan(0.9);
    expect(similarity(f, longer)).toBeLessThan(similarity(f, g));
  });
});

describe('matcher', () => {
  it('plays identical requests in recorded order, then serves the closest again', () => {
    const text = body(['hello']);
    const m = new Matcher([rec('r2', 2, text), rec('r1', 1, text)]);
    const f = bodyFeatures(text);
    const opts = { strict: false, threshold: 0.8 };
    expect(m.match('POST', '/v1/messages', f, opts).item!.id).toBe('r1');
    expect(m.match('POST', '/v1/messages', f, opts).item!.id).toBe('r2');
    const third = m.match('POST', '/v1/messages', f, opts);
    expect(third.replayed).toBe(true);
    expect(third.refusal).toBeNull();
    expect(m.match('POST', '/v1/messages', f, { strict: true, threshold: 0.8 }).refusal).toMatch(/played/);
  });

  it('picks the most similar body among unplayed ones, whatever the order', () => {
    const a = body(['first task', 'ok', 'tool output one']);
    const b = body(['first task', 'ok', 'tool output one', 'more', 'tool output two']);
    const m = new Matcher([rec('r1', 1, a), rec('r2', 2, b)]);
    const got = m.match('POST', '/v1/messages', bodyFeatures(b.replace('two', 'deux')), { strict: true, threshold: 0.8 });
    expect(got.item!.id).toBe('r2');
    expect(got.refusal).toBeNull();
    expect(m.unplayed().map((x) => x.id)).toEqual(['r1']);
  });

  it('refuses under --strict below the threshold, and knows nothing of other paths', () => {
    const m = new Matcher([rec('r1', 1, body(['first task']))]);
    const other = bodyFeatures(body(['a poem about rain', 'sure', 'longer', 'fine', 'even longer']));
    const strict = m.match('POST', '/v1/messages', other, { strict: true, threshold: 0.8 });
    expect(strict.refusal).toMatch(/similar enough/);
    expect(strict.item!.id).toBe('r1');
    expect(m.unplayed()).toHaveLength(1); // a refusal does not use the recording up
    expect(m.match('POST', '/v1/complete', other, { strict: false, threshold: 0.8 }).item).toBeNull();
  });
});

describe('pacing', () => {
  // Request at 1000 ms; head at 1100; first content at 2000; 10 content events to 4000; 200 tokens.
  const pieces = [{ tMs: 1100, bytes: new Uint8Array(1) }, ...Array.from({ length: 11 }, (_, i) => ({ tMs: 2000 + i * 200, bytes: new Uint8Array(1) }))];
  const r = rec('r1', 1, '{}', { startMs: 1000, endMs: 4000, pieces, timing: { firstContentMs: 2000, endMs: 4000, outputTokens: 200, outputTokensEstimate: 150 } });

  it('as recorded, and ÷ speed', () => {
    const p = planResponse(r, 1050, { kind: 'recorded', speed: 1 });
    expect(p.headMs).toBe(50);
    expect(p.pieceMs[0]).toBe(100);
    expect(p.ttftMs).toBe(1000);
    expect(p.endMs).toBe(3000);
    const fast = planResponse(r, 1050, { kind: 'recorded', speed: 4 });
    expect(fast.pieceMs).toEqual(p.pieceMs.map((x) => x / 4));
  });

  it('instant sends everything at once', () => {
    const p = planResponse(r, 1050, { kind: 'instant' });
    expect(new Set([p.headMs, ...p.pieceMs, p.endMs])).toEqual(new Set([0]));
  });

  it('spark: wait × 0.5, stream = 200 tokens at 1000/s, events spread over the new span', () => {
    const p = planResponse(r, 1050, { kind: 'profile', profile: resolveProfile('spark')! });
    expect(p.ttftMs).toBeCloseTo(500);
    expect(p.endMs).toBeCloseTo(700);
    expect(p.pieceMs[0]).toBeCloseTo(50); // inside the wait, proportionally
    expect(p.pieceMs[6]).toBeCloseTo(600); // halfway through the stream
    expect(p.headMs).toBeCloseTo(25);
  });

  it('websocket: as simulate has it — the connection setup and re-sent upload out of the wait, then × 0.5; the per-token overhead × 0.7', () => {
    // 300 ms of setup and 100 of re-sent upload in the 1000 ms wait; 10 gaps of 150 ms median in the 2000 ms stream: 500 ms overhead
    const network = { reused: false, socket: null, dnsMs: null, connectMs: 300, tlsMs: null, setupMs: 300, uploadMs: 120, uploadEnd: 'sent', serverMs: 580, headMs: 100, bytesUp: 5000, bytesDown: 900, resentUploadMs: 100 };
    const ws = rec('r1', 1, '{}', { startMs: 1000, endMs: 4000, pieces, timing: { ...r.timing, network, gaps: { count: 10, p50Ms: 150, p99Ms: 400, maxMs: 400 } } } as Partial<Recorded>);
    const p = planResponse(ws, null, { kind: 'profile', profile: resolveProfile('websocket')! });
    expect(p.ttftMs).toBeCloseTo((1000 - 300 - 100) * 0.5);
    expect(p.endMs).toBeCloseTo(300 + 2000 - 500 * 0.3);
  });

  it('fast-mode divides the stream, a custom rate uses the tokens, instant profile is zero', () => {
    const fm = planResponse(r, null, { kind: 'profile', profile: resolveProfile('fast-mode')! });
    expect(fm.ttftMs).toBeCloseTo(1000);
    expect(fm.endMs).toBeCloseTo(1000 + 2000 / 2.5);
    const custom = planResponse(r, null, { kind: 'profile', profile: resolveProfile(undefined, { tokensPerSecond: 50, ttftScale: 0.1 })! });
    expect(custom.ttftMs).toBeCloseTo(100);
    expect(custom.endMs).toBeCloseTo(100 + 4000);
    const inst = planResponse(r, null, { kind: 'profile', profile: resolveProfile('instant')! });
    expect(inst.endMs).toBe(0);
  });
});

describe('playback', () => {
  it('keeps to its offsets from the origin instead of accumulating lateness', async () => {
    const origin = performance.now();
    const at: number[] = [];
    const steps = Array.from({ length: 40 }, (_, i) => ({ atMs: i * 5, run: () => at.push(performance.now() - origin) }));
    const pb = new Playback(steps, origin);
    pb.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(at).toHaveLength(40);
    at.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(i * 5 - 1));
    // The last step is late by at most one wake-up, not by the sum of 40 timer delays.
    expect(at[39] - 195).toBeLessThan(60);
  });

  it('stops when cancelled', async () => {
    let n = 0;
    const pb = new Playback([{ atMs: 0, run: () => n++ }, { atMs: 30, run: () => n++ }], performance.now());
    pb.start();
    pb.cancel();
    await new Promise((r) => setTimeout(r, 60));
    expect(n).toBe(1);
  });
});
