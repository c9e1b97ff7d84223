// The same real sessions seen twice: recorded through `lapse record` (fixtures/*.lapse) and written
// by the harness itself as its transcript (fixtures/claude-projects, fixtures/codex-sessions; both
// made by make-fixtures.mjs with the real Claude Code and Codex CLIs against lapse's scripted
// endpoint). Importing the transcript must tell the same story as the recording.
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, lapse, lapseJson } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'lapse-import-real-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Stats {
  trace: { source: string };
  durationMs: number;
  breakdown: { toolMs: number };
  requests: Array<{ startMs: number; endMs: number; outputTokens: number | null; ttftMs: number | null; estimated: boolean; toolCalls: string[] }>;
}

/** The recording's span from its first request to its last response: what the transcript covers. */
function span(s: Stats): number {
  return Math.max(...s.requests.map((r) => r.endMs)) - Math.min(...s.requests.map((r) => r.startMs));
}
const outputTokens = (s: Stats) => s.requests.reduce((n, r) => n + (r.outputTokens ?? 0), 0);

describe('import of a real session', () => {
  it('Claude Code: same output tokens, tool time within 20 %, duration within 15 % of the recording', () => {
    const res = lapseJson(['import', join(FIXTURES, 'claude-projects')], home);
    expect(res.errors).toEqual([]);
    expect(res.imported).toHaveLength(1);
    expect(res.imported[0].source).toBe('claude-code-transcript');
    const imported = lapseJson<Stats>(['stats', res.imported[0].trace], home);
    const recorded = lapseJson<Stats>(['stats', join(FIXTURES, 'claude.lapse')], home);
    expect(imported.trace.source).toBe('claude-code-transcript');
    expect(recorded.trace.source).toBe('proxy');
    expect(imported.requests.length).toBe(recorded.requests.length);
    expect(imported.requests.map((r) => r.toolCalls)).toEqual(recorded.requests.map((r) => r.toolCalls));
    expect(outputTokens(imported)).toBe(outputTokens(recorded));
    expect(recorded.breakdown.toolMs).toBeGreaterThan(1500); // the scripted Bash sleeps 1.5 s
    expect(Math.abs(imported.breakdown.toolMs - recorded.breakdown.toolMs) / recorded.breakdown.toolMs).toBeLessThan(0.2);
    expect(Math.abs(imported.durationMs - span(recorded)) / span(recorded)).toBeLessThan(0.15);
    // what a transcript cannot know is null, and the estimate says so
    expect(imported.requests.every((r) => r.ttftMs === null && r.estimated)).toBe(true);
  });

  // Codex writes its rollout only after its prewarm request (a `generate:false` warm-up) is under way,
  // so the rollout's session starts later than the recording's first request: the span of the model
  // calls (first request to last response) is compared on both sides, the warm-up left out.
  it('Codex: same output tokens, request span within 15 % of the recording (its warm-up excluded: the rollout does not log it)', () => {
    const res = lapseJson(['import', join(FIXTURES, 'codex-sessions')], home);
    expect(res.errors).toEqual([]);
    expect(res.imported).toHaveLength(1);
    const imported = lapseJson<Stats>(['stats', res.imported[0].trace], home);
    const recorded = lapseJson<Stats>(['stats', join(FIXTURES, 'codex.lapse')], home);
    expect(imported.trace.source).toBe('codex-rollout');
    expect(outputTokens(imported)).toBe(outputTokens(recorded));
    const answered = { ...recorded, requests: recorded.requests.filter((r) => r.outputTokens) };
    expect(imported.requests).toHaveLength(answered.requests.length);
    expect(Math.abs(span(imported) - span(answered)) / span(answered)).toBeLessThan(0.15);
    expect(imported.durationMs).toBeGreaterThanOrEqual(span(imported));
  });

  it('importing twice leaves one trace per session', () => {
    const again = lapseJson(['import', FIXTURES], home);
    expect(again.imported).toEqual([]);
    expect(again.skipped).toBe(2);
    expect(readdirSync(home).filter((n) => n.endsWith('.lapse'))).toHaveLength(2);
    const r = lapse(['import', FIXTURES], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 0 sessions .* 2 unchanged/);
  });

  it('a session that grew replaces its earlier import; --since leaves older ones out', () => {
    const src = mkdtempSync(join(tmpdir(), 'lapse-import-grow-'));
    const own = mkdtempSync(join(tmpdir(), 'lapse-import-grow-home-'));
    try {
      cpSync(join(FIXTURES, 'claude-projects'), src, { recursive: true });
      const first = lapseJson(['import', src], own);
      expect(first.imported[0].requests).toBe(3);
      const file = join(src, readdirSync(src)[0]);
      const jsonl = join(file, readdirSync(file).find((n) => n.endsWith('.jsonl'))!);
      const last = readFileSync(jsonl, 'utf8').trim().split('\n').filter((l) => l.includes('"assistant"')).pop()!;
      const later = JSON.parse(last);
      later.message.id = 'msg_grown';
      later.timestamp = new Date(Date.parse(later.timestamp) + 4000).toISOString();
      appendFileSync(jsonl, JSON.stringify({ type: 'user', timestamp: new Date(Date.parse(later.timestamp) - 1000).toISOString(), message: { role: 'user', content: 'one more thing' } }) + '\n' + JSON.stringify(later) + '\n');
      const second = lapseJson(['import', src], own);
      expect(second.imported).toHaveLength(1);
      expect(second.imported[0].requests).toBe(4);
      expect(second.imported[0].trace).toBe(first.imported[0].trace);
      expect(readdirSync(own).filter((n) => n.endsWith('.lapse'))).toHaveLength(1);
      expect(lapseJson<Stats>(['stats', second.imported[0].trace], own).requests).toHaveLength(4);
      const none = lapseJson(['import', src, '--since', '2h'], mkdtempSync(join(tmpdir(), 'lapse-import-since-')));
      expect(none.imported).toHaveLength(1); // just written: changed within the last 2 hours
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(lapseJson(['import', src, '--since', tomorrow], mkdtempSync(join(tmpdir(), 'lapse-import-since-'))).imported).toHaveLength(0);
      const bad = lapse(['import', src, '--since', 'last tuesday'], own);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(lapse(['import', join(src, 'nope')], own).code).toBe(2);
    } finally {
      rmSync(src, { recursive: true, force: true });
      rmSync(own, { recursive: true, force: true });
    }
  });
});
