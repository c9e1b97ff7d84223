import { describe, expect, it } from 'vitest';
import { analyseRecords } from '../../analysis/session.js';
import type { SessionModel } from '../../analysis/model.js';
import type { TraceRecord } from '../../format/types.js';
import { anthropicTurn, byTime, exitAt, httpRecords, sessionRecord } from '../factory/records.js';
import { scenarioRecords } from './scenario.js';

function sumBreakdown(m: SessionModel): number {
  const b = m.breakdown;
  return b.modelWaitMs + b.modelStreamMs + b.toolMs + b.userMs + b.harnessMs;
}

function checkTiling(m: SessionModel): void {
  let cursor = 0;
  for (const s of m.criticalPath) {
    expect(s.startMs).toBeCloseTo(cursor, 9);
    expect(s.endMs).toBeGreaterThan(s.startMs);
    cursor = s.endMs;
  }
  expect(cursor).toBeCloseTo(m.durationMs, 9);
  expect(sumBreakdown(m)).toBeCloseTo(m.durationMs, 6);
}

describe('session model on a hand-timed session', () => {
  const m = analyseRecords(scenarioRecords());
  const req = (id: string) => m.requests.find((r) => r.id === id)!;

  it('has exact per-request figures', () => {
    expect(m.durationMs).toBe(11500);
    const m1 = req('M1');
    expect(m1.startMs).toBe(1000);
    expect(m1.firstByteMs).toBe(1200);
    expect(m1.ttftMs).toBe(300);
    expect(m1.streamMs).toBe(1000);
    expect(m1.endMs).toBe(2300);
    expect(m1.outputTokens).toBe(100);
    expect(m1.tokensPerSecond).toBeCloseTo(100, 9);
    expect(m1.inputTokens).toBe(100);
    expect(m1.stopReason).toBe('tool_use');
    expect(m1.toolCalls.map((c) => c.name)).toEqual(['Bash']);
    expect(req('M2').tokensPerSecond).toBeCloseTo(100, 9);
    expect(req('M3').ttftMs).toBe(400);
    expect(m.requests.map((r) => r.id)).toEqual(['M1', 'H1', 'M2', 'H2', 'M3', 'H3']);
    expect(m.requests.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps concurrent side requests off the critical path', () => {
    expect(m.requests.filter((r) => r.critical).map((r) => r.id)).toEqual(['M1', 'M2', 'M3']);
    expect(m.sideRequests).toEqual(['H1', 'H2', 'H3']);
    expect([req('M2').dependsOn, req('M2').dependency]).toEqual(['M1', 'tool-result']);
    // H2 ended later than M2 but belongs to another thread: M3 follows M2.
    expect([req('M3').dependsOn, req('M3').dependency]).toEqual(['M2', 'time-order']);
  });

  it('tiles the session along the critical path and sums the breakdown to the duration', () => {
    expect(m.criticalPath.map((s) => [s.kind, s.startMs, s.endMs, s.requestId])).toEqual([
      ['harness', 0, 1000, null],
      ['modelWait', 1000, 1300, 'M1'],
      ['modelStream', 1300, 2300, 'M1'],
      ['tool', 2300, 3000, 'M1'],
      ['modelWait', 3000, 3200, 'M2'],
      ['modelStream', 3200, 3700, 'M2'],
      ['user', 3700, 10000, 'M2'],
      ['modelWait', 10000, 10400, 'M3'],
      ['modelStream', 10400, 10900, 'M3'],
      ['harness', 10900, 11500, 'M3'],
    ]);
    expect(m.breakdown).toEqual({ modelWaitMs: 900, modelStreamMs: 2000, toolMs: 700, userMs: 6300, harnessMs: 1600 });
    checkTiling(m);
  });

  it('groups turns and their prompts', () => {
    expect(m.turns.map((t) => [t.requestIds, t.prompt, t.startMs, t.endMs, t.stopReason])).toEqual([
      [['M1', 'M2'], 'fix it', 1000, 3700, 'end_turn'],
      [['M3'], 'now the docs', 10000, 10900, 'end_turn'],
    ]);
    expect(req('M2').turn).toBe(0);
    expect(req('M3').turn).toBe(1);
    expect(req('H1').turn).toBeNull();
  });

  it('attributes file changes to the tool gap they fall in', () => {
    expect(m.files.map((f) => [f.path, f.segmentKind, f.requestId, f.toolNames])).toEqual([
      ['src/a.ts', 'tool', 'M1', ['Bash']],
      ['src/b.ts', 'tool', 'M1', ['Bash']], // 50 ms after the gap ended: the watcher's delay
      ['src/a.ts', 'user', 'M2', []],
    ]);
    expect(m.fileSummary).toEqual([
      { path: 'src/a.ts', changes: 2 },
      { path: 'src/b.ts', changes: 1 },
    ]);
  });

  it('keeps session, process and connection facts', () => {
    expect(m.session?.harness).toBe('claude');
    expect(m.processes).toEqual([{ pid: 42, argv: ['claude'], startMs: 1, endMs: 11500, code: 0, signal: null }]);
    expect(m.warnings).toEqual([]);
  });

  it('is plain JSON data (content deltas: their columns serialise as the plain list)', () => {
    expect(JSON.parse(JSON.stringify(m))).toEqual({ ...m, requests: m.requests.map((r) => ({ ...r, deltas: r.deltas.toArray() })) });
  });
});

describe('inter-token gaps and stalls', () => {
  it('computes p50/p99 and finds gaps over 10× the median', () => {
    // 21 deltas 10 ms apart, then one 400 ms pause before the last.
    const recs = anthropicTurn({ id: 'S', startMs: 0, headMs: 50, firstMs: 100, endMs: 800, lastDeltaMs: 300, deltas: Array.from({ length: 21 }, () => 'x') });
    // Move the last delta 400 ms later.
    const deltas = recs.filter((r) => r.kind === 'http-data' && r.sse && r.sse.form === 'structured' && (r.sse.data as { type: string }).type === 'content_block_delta');
    deltas[20].t = 700_000;
    const r = analyseRecords(recs).requests[0];
    expect(r.gaps?.count).toBe(20);
    expect(r.gaps?.p50Ms).toBeCloseTo(10, 9);
    expect(r.gaps?.maxMs).toBeCloseTo(410, 9);
    expect(r.gaps?.p99Ms).toBeCloseTo(410, 9);
    expect(r.stalls).toHaveLength(1);
    expect(r.stalls[0].startMs).toBeCloseTo(290, 9);
    expect(r.stalls[0].endMs).toBe(700);
  });

  it('has no gap figures for a single delta', () => {
    const r = analyseRecords(anthropicTurn({ id: 'S', startMs: 0, headMs: 5, firstMs: 10, endMs: 20, deltas: ['only'] })).requests[0];
    expect(r.gaps).toBeNull();
    expect(r.stalls).toEqual([]);
  });
});

describe('robustness', () => {
  it('sums the breakdown to the duration with many concurrent side requests', () => {
    // Deterministic pseudo-random sessions: a main chain plus overlapping side requests.
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const lists: TraceRecord[][] = [[sessionRecord()]];
      let t = 100 + rnd() * 500;
      let prevTool: string | null = null;
      const n = 3 + Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) {
        const id = `M${i}`;
        const first = t + 50 + rnd() * 500;
        const end = first + 10 + rnd() * 2000;
        const tool = rnd() < 0.7 ? `tu_${i}` : null;
        lists.push(anthropicTurn({ id, startMs: t, headMs: t + 20, firstMs: first, endMs: end, deltas: ['a', 'b'], tools: tool ? [{ id: tool, name: 'Bash', args: '{}' }] : [], answers: prevTool ? [prevTool] : [], prompt: 'p' }));
        if (rnd() < 0.6) {
          const s = t + rnd() * 300;
          lists.push(anthropicTurn({ id: `S${i}`, startMs: s, headMs: s + 10, firstMs: s + 20, endMs: s + 30 + rnd() * 3000, deltas: ['x'], system: 'side', firstMessage: 'side' }));
        }
        prevTool = tool;
        t = end + rnd() * 3000;
      }
      lists.push(exitAt(t + 10_000));
      const m = analyseRecords(byTime(...lists));
      checkTiling(m);
      expect(m.requests.filter((r) => r.critical && r.id.startsWith('S'))).toEqual([]);
    }
  });

  it('keeps the conversation on the path when a side request ends last', () => {
    const side = { system: 'Summarize.', firstMessage: 'summary please' };
    const recs = byTime(
      [sessionRecord()],
      exitAt(9000),
      anthropicTurn({ id: 'T', startMs: 100, headMs: 150, firstMs: 200, endMs: 400, deltas: ['t'], ...side }),
      anthropicTurn({ id: 'A', startMs: 500, headMs: 550, firstMs: 600, endMs: 1000, deltas: ['a'], tools: [{ id: 't1', name: 'Read', args: '{}' }], history: 2 }),
      anthropicTurn({ id: 'B', startMs: 1500, headMs: 1550, firstMs: 1600, endMs: 2000, deltas: ['b'], answers: ['t1'], history: 4 }),
      // overlaps B and ends after it
      anthropicTurn({ id: 'U', startMs: 1900, headMs: 1950, firstMs: 2000, endMs: 2500, deltas: ['u'], ...side }),
      // after everything: the harness waited on it
      anthropicTurn({ id: 'V', startMs: 3000, headMs: 3050, firstMs: 3100, endMs: 3300, deltas: ['v'], ...side }),
    );
    const m = analyseRecords(recs);
    expect(m.requests.filter((r) => r.critical).map((r) => r.id)).toEqual(['T', 'A', 'B', 'V']);
    expect(m.requests.find((r) => r.id === 'V')?.dependsOn).toBe('B');
    checkTiling(m);
  });

  it('handles a trace with no requests', () => {
    const m = analyseRecords(byTime([sessionRecord()], exitAt(500)));
    expect(m.criticalPath).toEqual([{ kind: 'harness', startMs: 0, endMs: 500, requestId: null }]);
    expect(m.breakdown.harnessMs).toBe(500);
    expect(m.turns).toEqual([]);
  });

  it('ends a request the trace stopped in as aborted at its last frame', () => {
    const recs = anthropicTurn({ id: 'X', startMs: 10, headMs: 20, firstMs: 30, endMs: 90, deltas: ['a', 'b', 'c'] }).filter((r) => r.kind !== 'http-end' && !(r.kind === 'http-data' && r.t >= 90_000));
    const m = analyseRecords(recs);
    expect(m.requests[0].status).toBe('aborted');
    expect(m.requests[0].endMs).toBeCloseTo(m.durationMs, 9);
    checkTiling(m);
  });
});

describe('retries', () => {
  it('puts a failed attempt the harness waited on, and its retry, on the critical path', () => {
    const body = { model: 'claude-test', stream: true, system: 'You are an agent.', messages: [{ role: 'user', content: 'first prompt' }, { role: 'assistant', content: 'x' }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }] };
    const m = analyseRecords(
      byTime(
        [sessionRecord()],
        anthropicTurn({ id: 'A', startMs: 100, headMs: 120, firstMs: 300, endMs: 500, deltas: ['a'], tools: [{ id: 't1', name: 'Bash', args: '{}' }] }),
        // the tool ran 500–1000; the answer's first attempt gets a 529 …
        httpRecords({ id: 'F', body, startMs: 1000, headMs: 1050, eventMs: [1050], chunks: ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'], endMs: 1050, status: 529, outcome: 'complete' }),
        // … the SDK backs off and retries
        anthropicTurn({ id: 'B', startMs: 1600, headMs: 1620, firstMs: 1800, endMs: 2000, deltas: ['done'], answers: ['t1'], history: 1 }),
        exitAt(2100),
      ),
    );
    const byId = new Map(m.requests.map((r) => [r.id, r]));
    expect(byId.get('F')!.status).toBe('error');
    expect(byId.get('F')!.critical).toBe(true);
    expect(byId.get('F')!.dependsOn).toBe('A');
    expect(byId.get('B')!.dependsOn).toBe('F');
    expect(byId.get('B')!.dependency).toBe('retry');
    expect(m.sideRequests).not.toContain('F');
    // the attempt's 50 ms are model wait; the back-off until the retry is the harness's
    const f = m.criticalPath.filter((s) => s.requestId === 'F');
    expect(f.map((s) => s.kind)).toEqual(['modelWait', 'harness']);
    expect(f[1].endMs - f[1].startMs).toBeCloseTo(550, 6);
    checkTiling(m);
  });
});
