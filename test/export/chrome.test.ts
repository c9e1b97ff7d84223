import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChromeTrace, type ChromeTrace, type TraceEvent } from '../../cli/export/chrome.js';
import { lapse, near, sessionOnDisk, statsOf, tempDir, type StatsJson } from './helpers.js';
import { validateTraceEvents } from './validate-chrome.js';

const tmp = tempDir();
let path: string;
let trace: ChromeTrace;
let stats: StatsJson;

beforeAll(async () => {
  const s = sessionOnDisk(tmp.dir);
  path = s.path;
  trace = toChromeTrace(s.input);
  stats = await statsOf(path);
});
afterAll(() => tmp.cleanup());

const ofPh = (ph: TraceEvent['ph']) => trace.traceEvents.filter((e) => e.ph === ph);
/** Async slices as [name, start µs, end µs] per request id (`args.id` of the outer begin). */
function asyncSlices(): Map<string, Array<[string, number, number]>> {
  const byAsyncId = new Map<string, string>();
  const out = new Map<string, Array<[string, number, number]>>();
  const begun = new Map<string, Array<[string, number]>>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'b' && e.ph !== 'e') continue;
    if (e.ph === 'b' && e.args && typeof e.args.id === 'string') byAsyncId.set(e.id!, e.args.id);
    const stack = begun.get(e.id!) ?? [];
    if (e.ph === 'b') stack.push([e.name, e.ts]);
    else {
      const [name, ts] = stack.pop()!;
      const rid = byAsyncId.get(e.id!)!;
      out.set(rid, [...(out.get(rid) ?? []), [name, ts, e.ts]]);
    }
    begun.set(e.id!, stack);
  }
  return out;
}

describe('Chrome trace export', () => {
  it('follows the Trace Event Format: phases, µs times in order, balanced nested async slices', () => {
    expect(validateTraceEvents(trace)).toEqual([]);
    expect(trace.displayTimeUnit).toBe('ms');
  });

  it('names the process and its threads', () => {
    const meta = ofPh('M');
    expect(meta.find((e) => e.name === 'process_name')?.args?.name).toBe('lapse: claude');
    const threads = meta.filter((e) => e.name === 'thread_name').map((e) => e.args?.name);
    expect(threads).toEqual(['critical path', 'model requests', 'file changes', 'processes']);
  });

  it('the critical path slices tile the session and sum to the stats breakdown', () => {
    const crit = ofPh('X').filter((e) => e.cat?.startsWith('critical'));
    let t = 0;
    const sums: Record<string, number> = {};
    for (const e of crit) {
      expect(e.ts).toBe(t);
      t = e.ts + e.dur!;
      const kind = String(e.args?.kind);
      sums[kind] = (sums[kind] ?? 0) + e.dur! / 1000;
    }
    expect(near(t / 1000, stats.durationMs)).toBe(true);
    expect(near(sums.modelWait ?? 0, stats.breakdown.modelWaitMs)).toBe(true);
    expect(near(sums.modelStream ?? 0, stats.breakdown.modelStreamMs)).toBe(true);
    expect(near(sums.tool ?? 0, stats.breakdown.toolMs)).toBe(true);
    expect(near(sums.user ?? 0, stats.breakdown.userMs)).toBe(true);
    expect(near(sums.harness ?? 0, stats.breakdown.harnessMs)).toBe(true);
    expect(crit.some((e) => e.name === 'tool: Bash')).toBe(true);
    expect(crit.some((e) => e.name === 'user')).toBe(true);
  });

  it('each request is an async slice with wait (= TTFT) and stream nested inside, overlapping requests apart', () => {
    const slices = asyncSlices();
    expect([...slices.keys()].sort()).toEqual(stats.requests.map((r) => r.id).sort());
    for (const r of stats.requests) {
      const s = slices.get(r.id)!;
      const outer = s[s.length - 1];
      expect(near((outer[2] - outer[1]) / 1000, r.endMs - r.startMs)).toBe(true);
      expect(near(outer[1] / 1000, r.startMs)).toBe(true);
      const wait = s.find((x) => x[0] === 'wait')!;
      if (r.ttftMs !== null) {
        expect(near((wait[2] - wait[1]) / 1000, r.ttftMs)).toBe(true);
        const stream = s.find((x) => x[0] === 'stream')!;
        expect(stream[1]).toBe(wait[2]);
        expect(stream[2]).toBe(outer[2]);
      } else expect(s.find((x) => x[0] === 'stream')).toBeUndefined();
    }
    // r1 and the side request r2 overlap in time but live on different async ids.
    const ids = new Set(trace.traceEvents.filter((e) => e.ph === 'b' && (e.args?.id === 'r1' || e.args?.id === 'r2')).map((e) => e.id));
    expect(ids.size).toBe(2);
  });

  it('marks file changes as instants and tokens/s as a counter', () => {
    const file = ofPh('i').find((e) => e.cat === 'file')!;
    expect(file).toMatchObject({ name: 'modify src/a.ts', ts: 2_500_000, s: 't' });
    expect(file.args?.tools).toBe('Bash');
    const counter = ofPh('C');
    expect(counter.length).toBeGreaterThan(2);
    const values = counter.map((e) => e.args!['tokens/s'] as number);
    // r1 streams alone at 187.5 tok/s until r2's stream joins; every stream ends at 0.
    expect(values).toContain(187.5);
    expect(values[values.length - 1]).toBe(0);
    const r1 = stats.requests.find((r) => r.id === 'r1')!;
    expect(r1.tokensPerSecond).toBe(187.5);
  });

  it('lapse export --format chrome prints the same trace on stdout', async () => {
    const r = await lapse(['export', path, '--format', 'chrome']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const fromCli = JSON.parse(r.stdout) as ChromeTrace;
    expect(validateTraceEvents(fromCli)).toEqual([]);
    expect(fromCli.traceEvents.length).toBe(trace.traceEvents.length);
  });
});
