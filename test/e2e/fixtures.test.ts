// The committed fixture traces (fixtures/traces/, made by regenerate.mjs) still read and analyse as
// their README says: if the format or the analysis changes under them, this says so (regenerate them).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, node, type StatsJson } from './record-scripted.js';

const DIR = join(ROOT, 'fixtures', 'traces');
const LAPSE = join(ROOT, 'bin', 'lapse.js');

interface Expect {
  protocol: string;
  transport: string;
  /** Status of every request, in order. */
  statuses: string[];
  /** Requests on the critical path. */
  critical: number;
}

const complete = (n: number): string[] => Array<string>(n).fill('complete');
const FIXTURES: Record<string, Expect> = {
  'anthropic.lapse': { protocol: 'anthropic-messages', transport: 'http', statuses: complete(7), critical: 6 },
  'openai-chat.lapse': { protocol: 'openai-chat', transport: 'http', statuses: complete(7), critical: 6 },
  'openai-responses.lapse': { protocol: 'openai-responses', transport: 'http', statuses: complete(7), critical: 6 },
  // the warm-up (generate: false) is a request of its own on the socket
  'openai-ws.lapse': { protocol: 'openai-responses', transport: 'websocket', statuses: complete(8), critical: 6 },
  'faults.lapse': {
    protocol: 'anthropic-messages',
    transport: 'http',
    // 529 on request 2 (the SDK retries), request 4 cancelled and re-sent, request 5's stream errors and is re-sent
    statuses: ['complete', 'complete', 'error', 'complete', 'complete', 'aborted', 'complete', 'error', 'complete', 'complete'],
    // the three failed attempts (529, cancelled, mid-stream error) were waited on, then retried: all on the path
    critical: 9,
  },
};

async function lapseJson<T>(args: string[]): Promise<T> {
  const r = await node([LAPSE, ...args, '--json']);
  expect(r.stderr, `lapse ${args.join(' ')}`).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe.concurrent('committed fixture traces', () => {
  it('are the ones the README describes', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.lapse')).sort()).toEqual(Object.keys(FIXTURES).sort());
  });

  it.each(Object.keys(FIXTURES))('%s: stats and simulate read it whole, with the expected shape', async (file) => {
    const want = FIXTURES[file];
    const path = join(DIR, file);
    const [stats, sim] = await Promise.all([
      lapseJson<StatsJson & { trace: { truncated: boolean } }>(['stats', path]),
      lapseJson<{ original: { durationMs: number }; simulated: { durationMs: number } }>(['simulate', path, '--profile', 'spark']),
    ]);
    expect(stats.trace.truncated).toBe(false);
    expect(stats.requests.map((r) => r.status)).toEqual(want.statuses);
    expect(stats.requests.filter((r) => r.critical)).toHaveLength(want.critical);
    // every request but the title is the main model's, on the fixture's protocol
    const main = stats.requests.filter((r) => r.toolCalls.length > 0 || r.critical);
    expect(new Set(main.map((r) => `${r.protocol}/${r.transport}`))).toEqual(new Set([`${want.protocol}/${want.transport}`]));

    // the scripted session: 5 tool calls over 4 answered requests, 318 output tokens in the answers that completed
    const done = stats.requests.filter((r) => r.status === 'complete');
    expect(done.flatMap((r) => r.toolCalls).sort()).toEqual(['edit_file', 'read_file', 'read_file', 'run_command', 'write_file']);
    expect(done.reduce((n, r) => n + (r.outputTokens ?? 0), 0)).toBe(318);
    expect(stats.files.map((f) => f.path).sort()).toEqual(['CHANGELOG.md', 'src/math.js']);

    // recorded at TTFT 150 ms and 400 tokens/s: figures in the right region (a busy machine adds, never removes)
    for (const r of done.filter((x) => x.critical)) {
      expect(r.ttftMs).toBeGreaterThanOrEqual(150);
      expect(r.ttftMs).toBeLessThan(1000);
      expect(r.tokensPerSecond).toBeGreaterThan(100);
    }
    const b = stats.breakdown;
    expect(b.modelWaitMs + b.modelStreamMs + b.toolMs + b.userMs + b.harnessMs).toBeCloseTo(stats.durationMs, 1);
    expect(b.userMs).toBeGreaterThanOrEqual(700); // the agent's --think-ms pause
    expect(sim.original.durationMs).toBeCloseTo(stats.durationMs, 1);
    expect(sim.simulated.durationMs).toBeLessThan(sim.original.durationMs);
  });
});
