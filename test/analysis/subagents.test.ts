// Golden tests of the threads and graph handlers and of the simulator on sessions with subagents and
// parallel tool calls: a small fixture in, data() out, worked out by hand from the fixture's times.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../format/types.js';
import { analyseRecordList } from '../../analysis/session.js';
import { resolveProfile, simulate, PROFILES } from '../../analysis/simulate.js';
import { statsJson, simulateJson } from '../../analysis/json.js';
import { anthropicTurn, byTime, exitAt, sessionRecord } from '../factory/records.js';
import { CHECKS, EXPLAIN, subagentSession } from '../factory/subagent-session.js';

describe('threads: subagents by the harness marks, and by structure alone', () => {
  for (const marks of [true, false]) {
    it(marks ? 'Claude Code marks (agent-id header, cc_is_subagent)' : 'no marks: spawn prompt = first user message, inside the tool call', () => {
      const t = analyseRecordList(subagentSession(marks)).pass.get('threads').data();
      const a = marks ? 'agent-aaa' : 'sub-s1';
      const b = marks ? 'agent-bbb' : 'sub-s2';
      const via = marks ? 'agent-id' : 'spawn-prompt';
      expect(t.threads).toEqual([
        { id: 'main', kind: 'main', parent: null, spawnedBy: null, spawnCallId: null, spawnTool: null, via: null, requests: ['m1', 'm2'], startMs: 100, endMs: 2700, label: 'main' },
        { id: 'side-t1', kind: 'side', parent: 'main', spawnedBy: null, spawnCallId: null, spawnTool: null, via: null, requests: ['t1'], startMs: 110, endMs: 300, label: 'side' },
        { id: a, kind: 'subagent', parent: 'main', spawnedBy: 'm1', spawnCallId: 'a1', spawnTool: 'Agent', via, requests: ['s1', 's3'], startMs: 420, endMs: 1700, label: 'checks' },
        { id: b, kind: 'subagent', parent: 'main', spawnedBy: 'm1', spawnCallId: 'a2', spawnTool: 'Agent', via, requests: ['s2'], startMs: 430, endMs: 2500, label: 'explain' },
      ]);
      expect(t.spawns).toEqual([
        { spawner: 'm1', callId: 'a1', tool: 'Agent', description: 'checks', prompt: CHECKS, thread: a, answerer: 'm2', mixed: false },
        { spawner: 'm1', callId: 'a2', tool: 'Agent', description: 'explain', prompt: EXPLAIN, thread: b, answerer: 'm2', mixed: false },
      ]);
    });
  }

  it('a conversation that opens outside the spawning call, or with another prompt, is not its subagent', () => {
    const recs = subagentSession(false).filter((r) => !('id' in r) || r.id !== 's2');
    // The same long answer, but opening with a prompt nobody spawned.
    recs.push(...anthropicTurn({ id: 's2', startMs: 430, headMs: 450, firstMs: 510, endMs: 2500, deltas: ['x'], outputTokens: 200, opening: true, prompt: 'Something else.', system: 'You are a subagent.' }));
    const t = analyseRecordList(byTime(recs)).pass.get('threads').data();
    expect(t.threads.find((x) => x.requests.includes('s2'))).toMatchObject({ kind: 'side', spawnedBy: null });
    expect(t.spawns.map((s) => s.thread)).toEqual(['sub-s1', null]);
  });
});

describe('graph: subagent time is model time', () => {
  const pass = analyseRecordList(subagentSession(true)).pass;

  it('links spawns and subagent results; the critical path runs through the longer subagent', () => {
    const g = pass.get('graph').data();
    expect(g.deps).toEqual(
      new Map([
        ['s1', [{ id: 'm1', kind: 'spawn', gap: 'harness' }]],
        ['s2', [{ id: 'm1', kind: 'spawn', gap: 'harness' }]],
        ['s3', [{ id: 's1', kind: 'tool-result', gap: 'tool' }]],
        // The one that ended last first: B's answer.
        ['m2', [{ id: 's2', kind: 'subagent-result', gap: 'harness' }, { id: 's3', kind: 'subagent-result', gap: 'harness' }]],
      ]),
    );
    expect(g.chain).toEqual(['m1', 's2', 'm2']);
    expect(g.segments).toEqual([
      { kind: 'harness', startMs: 0, endMs: 100, requestId: null },
      { kind: 'modelWait', startMs: 100, endMs: 200, requestId: 'm1' },
      { kind: 'modelStream', startMs: 200, endMs: 400, requestId: 'm1' },
      { kind: 'harness', startMs: 400, endMs: 430, requestId: 'm1' },
      { kind: 'modelWait', startMs: 430, endMs: 510, requestId: 's2' },
      { kind: 'modelStream', startMs: 510, endMs: 2500, requestId: 's2' },
      { kind: 'harness', startMs: 2500, endMs: 2550, requestId: 's2' },
      { kind: 'modelWait', startMs: 2550, endMs: 2600, requestId: 'm2' },
      { kind: 'modelStream', startMs: 2600, endMs: 2700, requestId: 'm2' },
      { kind: 'harness', startMs: 2700, endMs: 3000, requestId: 'm2' },
    ]);
    // The subagent's stream is model stream, not tool time; one turn.
    expect(g.breakdown).toEqual({ modelWaitMs: 230, modelStreamMs: 2290, toolMs: 0, userMs: 0, harnessMs: 480 });
    expect(g.turns.map((t) => t.requestIds)).toEqual([['m1', 's2', 'm2']]);
  });

  it('stats --json: threads, and per request its thread and dependsOn', () => {
    const m = analyseRecordList(subagentSession(true)).model;
    const j = statsJson(m);
    expect(j.threads.map((t) => [t.id, t.kind, t.parent, t.spawnedBy, t.requests])).toEqual([
      ['main', 'main', null, null, ['m1', 'm2']],
      ['side-t1', 'side', 'main', null, ['t1']],
      ['agent-aaa', 'subagent', 'main', 'm1', ['s1', 's3']],
      ['agent-bbb', 'subagent', 'main', 'm1', ['s2']],
    ]);
    expect(j.requests.map((r) => [r.id, r.thread, r.dependsOn, r.critical])).toEqual([
      ['m1', 'main', [], true],
      ['t1', 'side-t1', [], false],
      ['s1', 'agent-aaa', [{ id: 'm1', kind: 'spawn' }], false],
      ['s2', 'agent-bbb', [{ id: 'm1', kind: 'spawn' }], true],
      ['s3', 'agent-aaa', [{ id: 's1', kind: 'tool-result' }], false],
      ['m2', 'main', [{ id: 's2', kind: 'subagent-result' }, { id: 's3', kind: 'subagent-result' }], true],
    ]);
  });
});

describe('simulation re-lays the graph', () => {
  const m = analyseRecordList(subagentSession(true)).model;

  it('as recorded, everything lands where it was', () => {
    const s = simulate(m, PROFILES.original);
    expect(s.simulated.durationMs).toBeCloseTo(3000, 9);
    for (const r of s.requests) {
      const o = m.requests.find((q) => q.id === r.id)!;
      expect([r.startMs, r.endMs]).toEqual([expect.closeTo(o.startMs, 9), expect.closeTo(o.endMs, 9)]);
    }
    expect(s.simulated.critical).toEqual(['m1', 's2', 'm2']);
  });

  it('at 1,000 tok/s and TTFT × 0.1 the tool-bound subagent becomes the critical branch', () => {
    const s = simulate(m, resolveProfile(undefined, { tokensPerSecond: 1000, ttftScale: 0.1 })!);
    // m1 100 → 110 → 130; t1 110 → 119 → 122; s1 150 → 158 → 163; s2 160 → 168 → 368; tool 1000 ms: s3 1163 → 1168 → 1173;
    // m2 after the later of its subagents (s3) and its own 50 ms lead: 1223 → 1228 → 1238; exit 300 later.
    expect(s.requests.map((r) => [r.id, r.startMs, r.endMs].map((v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)))).toEqual([
      ['m1', 100, 130],
      ['t1', 110, 122],
      ['s1', 150, 163],
      ['s2', 160, 368],
      ['s3', 1163, 1173],
      ['m2', 1223, 1238],
    ]);
    expect(s.simulated.durationMs).toBeCloseTo(1538, 9);
    expect(s.original.critical).toEqual(['m1', 's2', 'm2']);
    expect(s.simulated.critical).toEqual(['m1', 's1', 's3', 'm2']);
    expect(s.simulated.breakdown.toolMs).toBeCloseTo(1000, 9);
    expect(s.simulated.breakdown.harnessMs).toBeCloseTo(100 + 20 + 50 + 300, 9);
    const sum = Object.values(s.simulated.breakdown).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(s.simulated.durationMs, 9);
    expect(simulateJson(s).simulated.critical).toEqual(['m1', 's1', 's3', 'm2']);
  });
});

describe('parallel tool calls of one response', () => {
  // r1 (0.1–0.5 s) asks for two tools; both results come back in r2 at 2.5 s; exit at 3 s.
  const recs = byTime(
    [sessionRecord()],
    exitAt(3000),
    anthropicTurn({ id: 'r1', startMs: 100, headMs: 150, firstMs: 200, endMs: 500, deltas: ['both'], outputTokens: 30, tools: [{ id: 'x1', name: 'Bash', args: '{}' }, { id: 'x2', name: 'Bash', args: '{}' }] }),
    anthropicTurn({ id: 'r2', startMs: 2500, headMs: 2550, firstMs: 2600, endMs: 2800, deltas: ['ok'], outputTokens: 20, answers: ['x1', 'x2'] }),
  );
  const m = analyseRecordList(recs).model;

  it('are one tool stretch, counted once, kept whole by the simulation', () => {
    expect(m.breakdown.toolMs).toBe(2000);
    const s = simulate(m, PROFILES.spark);
    expect(s.simulated.breakdown.toolMs).toBe(2000);
    // 100 + (50 + 30) + 2000 + (50 + 20) + 200
    expect(s.simulated.durationMs).toBeCloseTo(2450, 9);
  });
});

describe('simulate text names the branch', () => {
  it('says when another subagent becomes the critical branch, and says nothing without subagents', async () => {
    const { branchSentence } = await import('../../analysis/verdict.js');
    const m = analyseRecordList(subagentSession(true)).model;
    const fast = simulate(m, resolveProfile(undefined, { tokensPerSecond: 1000, ttftScale: 0.1 })!);
    expect(branchSentence(m, fast)).toBe('The critical path now runs through subagent "checks" (recorded: subagent "explain").');
    expect(branchSentence(m, simulate(m, PROFILES.original))).toBe('The critical path still runs through subagent "explain".');
    const plainSession = analyseRecordList(byTime([sessionRecord()], exitAt(1000), anthropicTurn({ id: 'r1', startMs: 100, headMs: 150, firstMs: 200, endMs: 400, deltas: ['x'] }))).model;
    expect(branchSentence(plainSession, simulate(plainSession, PROFILES.spark))).toBeNull();
  });
});
