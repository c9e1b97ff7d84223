// `lapse report` adds up what `stats --json` and `simulate --json` say of each session, per group.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, lapse, lapseJson } from '../import/helpers.js';

const home = mkdtempSync(join(tmpdir(), 'lapse-report-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
let traces: string[] = [];

beforeAll(() => {
  // two recordings and the imports of the same two sessions: four sessions, two harnesses, three models
  copyFileSync(join(FIXTURES, 'claude.lapse'), join(home, 'claude.lapse'));
  copyFileSync(join(FIXTURES, 'codex.lapse'), join(home, 'codex.lapse'));
  const imported = lapseJson(['import', FIXTURES], home);
  traces = [join(home, 'claude.lapse'), join(home, 'codex.lapse'), ...imported.imported.map((i: { trace: string }) => i.trace)];
}, 60_000);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('lapse report', () => {
  it('totals equal the sum of the sessions\' stats --json and simulate --json', () => {
    const r = lapseJson(['report', '--by', 'harness'], home);
    const stats = traces.map((t) => lapseJson(['stats', t], home));
    expect(r.sessions).toBe(4);
    expect(r.durationMs).toBeCloseTo(sum(stats.map((s) => s.durationMs)), 3);
    for (const k of ['modelWaitMs', 'modelStreamMs', 'toolMs', 'userMs', 'harnessMs']) expect(r.breakdown[k]).toBeCloseTo(sum(stats.map((s) => s.breakdown[k])), 3);
    const reqs = stats.flatMap((s) => s.requests);
    expect(r.tokens).toEqual({
      input: sum(reqs.map((q) => q.inputTokens ?? 0)),
      output: sum(reqs.map((q) => q.outputTokens ?? 0)),
      cacheRead: sum(reqs.map((q) => q.cacheReadTokens ?? 0)),
      cacheWrite: sum(reqs.map((q) => q.cacheWriteTokens ?? 0)),
    });
    const priced = stats.filter((s) => s.costUsd !== null);
    expect(priced.length).toBeGreaterThan(0);
    expect(r.costUsd).toBeCloseTo(sum(priced.map((s) => s.costUsd)), 9);
    expect(r.unpricedSessions).toBe(stats.length - priced.length);
    for (const profile of ['spark', 'fast-mode', 'instant', 'websocket']) {
      const sims = traces.map((t) => lapseJson(['simulate', t, '--profile', profile], home));
      expect(r.whatIf[profile].durationMs).toBeCloseTo(sum(sims.map((s) => s.simulated.durationMs)), 3);
      expect(r.whatIf[profile].savedMs).toBeCloseTo(sum(sims.map((s) => s.original.durationMs - s.simulated.durationMs)), 3);
    }
    // per group: the same sums over the group's sessions
    expect(r.groups.map((g: { key: string }) => g.key).sort()).toEqual(['claude', 'codex']);
    for (const g of r.groups) {
      const mine = stats.filter((s, i) => r.traces.find((t: { path: string }) => t.path === traces[i]).harness === g.key);
      expect(g.sessions).toBe(mine.length);
      expect(g.durationMs).toBeCloseTo(sum(mine.map((s) => s.durationMs)), 3);
    }
    expect(r.traces.map((t: { path: string }) => t.path).sort()).toEqual([...traces].sort());
    // websocket's measured part needs wire timing: the sessions that have it are counted
    expect(r.wireTimedSessions).toBe(stats.filter((s) => s.transport !== null).length);
    expect(r.traces.filter((t: { wireTimed: boolean }) => t.wireTimed).length).toBe(r.wireTimedSessions);
  }, 120_000);

  it('groups by day, project and model; --since and TRACE arguments narrow it', () => {
    const byDay = lapseJson(['report', '--by', 'day'], home);
    expect(byDay.groups.map((g: { key: string }) => g.key)).toEqual([new Date(byDay.traces[0].startedAt).toLocaleDateString('sv-SE')]);
    const byModel = lapseJson(['report', '--by', 'model'], home);
    expect(byModel.groups.map((g: { key: string }) => g.key).sort()).toEqual(['claude-opus-4-8', 'gpt-6.2-sol']);
    expect(lapseJson(['report', '--by', 'project'], home).groups.length).toBeGreaterThanOrEqual(1);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(lapseJson(['report', '--since', tomorrow], home).sessions).toBe(0);
    expect(lapseJson(['report', traces[0]], home).sessions).toBe(1);
  }, 60_000);

  it('prints totals, the what-if, groups and the slowest sessions for people; bad flags are one line, exit 2', () => {
    const r = lapse(['report'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 sessions · /);
    expect(r.stdout).toMatch(/spark\s+\S+ \S+\s+saves/);
    expect(r.stdout).toMatch(/websocket\s+\S+ \S+\s+saves/);
    expect(r.stdout).toContain('slowest sessions');
    const bad = lapse(['report', '--by', 'week'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
