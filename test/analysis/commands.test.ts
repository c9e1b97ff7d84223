// `lapse stats` and `lapse simulate` end to end: a trace file written with the format encoder, the
// compiled CLI (node bin/lapse.js, build with `npx tsc -p .` first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TraceEncoder } from '../../format/encoder.js';
import { FORMAT_VERSION, type SessionRecord, type TraceRecord } from '../../format/types.js';
import { scenarioRecords } from './scenario.js';
import { byTime, exitAt, httpRecords, sessionRecord } from '../factory/records.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir = '';
let tracePath = '';

function writeTrace(path: string, records: TraceRecord[]): void {
  const e = new TraceEncoder();
  const [head, ...rest] = records;
  const parts = [e.encodeHeader(head as SessionRecord)];
  for (let i = 0; i < rest.length; i += 50) parts.push(e.frame(rest.slice(i, i + 50).map((r) => e.encode(r))));
  writeFileSync(path, Buffer.concat(parts));
}

function lapse(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/lapse.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LAPSE_HOME: dir, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lapse-analysis-'));
  tracePath = join(dir, 'scenario.lapse');
  writeTrace(tracePath, scenarioRecords());
});

describe('lapse stats', () => {
  it('prints the design.md JSON', () => {
    const r = lapse(['stats', tracePath, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['trace', 'durationMs', 'costUsd', 'prices', 'requests', 'breakdown', 'files', 'threads', 'userDetail', 'transport']);
    expect(j.trace).toEqual({ path: tracePath, formatVersion: `${FORMAT_VERSION.major}.${FORMAT_VERSION.minor}`, truncated: false, records: scenarioRecords().length, source: 'proxy' });
    expect(j.costUsd).toBeNull(); // 'claude-test' is in no price table
    expect(j.prices.source).toBe('@pydantic/genai-prices');
    expect(j.userDetail).toBeNull(); // no terminal records in this trace
    expect(j.transport).toBeNull(); // no http-timing records in this trace
    expect(j.durationMs).toBe(11500);
    expect(j.breakdown).toEqual({ modelWaitMs: 900, modelStreamMs: 2000, toolMs: 700, userMs: 6300, harnessMs: 1600 });
    expect(j.requests).toHaveLength(6);
    expect(Object.keys(j.requests[0])).toEqual(['id', 'protocol', 'transport', 'model', 'startMs', 'firstByteMs', 'ttftMs', 'endMs', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costUsd', 'tokensPerSecond', 'stopReason', 'toolCalls', 'status', 'critical', 'thread', 'dependsOn', 'estimated', 'network']);
    expect(j.requests[0]).toEqual({ id: 'M1', protocol: 'anthropic-messages', transport: 'http', model: 'claude-test', startMs: 1000, firstByteMs: 1200, ttftMs: 300, endMs: 2300, inputTokens: 100, outputTokens: 100, cacheReadTokens: null, cacheWriteTokens: null, costUsd: null, tokensPerSecond: 100, stopReason: 'tool_use', toolCalls: ['Bash'], status: 'complete', critical: true, thread: 'main', dependsOn: [], estimated: false, network: null });
    expect(j.files).toEqual([{ path: 'src/a.ts', changes: 2 }, { path: 'src/b.ts', changes: 1 }]);
  });

  it('prints totals, the bar, the request table and files for people (newest trace by default)', () => {
    const r = lapse(['stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('11.5 s');
    expect(r.stdout).toMatch(/[▒█▓░·]{20,}/);
    expect(r.stdout).toMatch(/user\s+6\.30 s\s+55 %/);
    expect(r.stdout).toMatch(/1\s+1\.00 s\s+claude-test\s+300 ms\s+1\.00 s\s+100\.0\s+100\s+100\s+tool_use\s+Bash/);
    expect(r.stdout).toContain('2 × src/a.ts');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('fails with one line and exit 2 on a missing or bad trace', () => {
    const missing = lapse(['stats', join(dir, 'nope.lapse')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const bad = join(dir, 'bad.lapse');
    writeFileSync(bad, 'not a trace at all');
    const r = lapse(['stats', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('lapse simulate', () => {
  it('prints the design.md JSON for a preset', () => {
    const r = lapse(['simulate', tracePath, '--profile', 'spark', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({
      profile: { name: 'spark', tokensPerSecond: 1000, speedFactor: null, ttftScale: 0.5, harnessScale: 1, persistent: false, tokenOverheadScale: 1 },
      original: { durationMs: 11500, breakdown: { modelWaitMs: 900, modelStreamMs: 2000, toolMs: 700, userMs: 6300, harnessMs: 1600 }, critical: ['M1', 'M2', 'M3'] },
      simulated: { durationMs: 9210, breakdown: { modelWaitMs: 450, modelStreamMs: 160, toolMs: 700, userMs: 6300, harnessMs: 1600 }, critical: ['M1', 'M2', 'M3'] },
      speedup: Math.round((11500 / 9210) * 1000) / 1000,
    });
  });

  it('takes custom values', () => {
    const j = JSON.parse(lapse(['simulate', tracePath, '--tps', '500', '--ttft-scale', '0', '--harness-scale', '0.5', '--json']).stdout);
    expect(j.profile).toEqual({ name: 'custom', tokensPerSecond: 500, speedFactor: null, ttftScale: 0, harnessScale: 0.5, persistent: false, tokenOverheadScale: 1 });
    // streams: 160 tokens / 500 tok/s = 320 ms; waits 0; harness 800
    expect(j.simulated.durationMs).toBeCloseTo(320 + 700 + 6300 + 800, 6);
  });

  it('explains the result in a sentence', () => {
    const r = lapse(['simulate', tracePath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1.25× faster');
    // The scenario's 6.3 s user gap is 68 % of the simulated 9.21 s; the viewers print the same words.
    expect(r.stdout).toContain('Biggest remaining share is user: 6.30 s, 68 % of the simulated session — no model speed-up touches it.');
  });

  it('rejects bad flags with one line and exit 2', () => {
    for (const args of [['--profile', 'warp'], ['--tps', '0'], ['--tps', 'fast'], ['--ttft-scale', '-1']]) {
      const r = lapse(['simulate', tracePath, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

/** Requests the price table prices every way it can: cache reads and writes, 1-hour writes, a tier past 200k tokens, dated and time-of-day prices, unknown. */
function pricedRecords(): TraceRecord[] {
  const anthropic = (id: string, model: string, usage: Record<string, unknown>) => ({ id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage });
  const chat = (id: string, model: string, prompt: number, cached: number, completion: number) => ({ id, object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: prompt, completion_tokens: completion, prompt_tokens_details: { cached_tokens: cached } } });
  const responses = (id: string, model: string, input: number, cached: number, output: number) => ({ id, object: 'response', model, status: 'completed', output: [], usage: { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: output } });
  const calls: Array<[string, string, unknown]> = [
    ['/v1/messages', 'claude-sonnet-4-5-20250929', anthropic('m1', 'claude-sonnet-4-5-20250929', { input_tokens: 12, cache_creation_input_tokens: 30_000, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 10_000, ephemeral_1h_input_tokens: 20_000 }, output_tokens: 420 })],
    ['/v1/messages', 'claude-sonnet-4-5-20250929', anthropic('m2', 'claude-sonnet-4-5-20250929', { input_tokens: 900, cache_creation_input_tokens: 800, cache_read_input_tokens: 230_000, output_tokens: 95 })],
    ['/v1/messages', 'claude-3-5-haiku-latest', anthropic('m3', 'claude-3-5-haiku-latest', { input_tokens: 5_000, cache_read_input_tokens: 2_000, output_tokens: 70 })],
    ['/v1/chat/completions', 'gpt-4o-2024-08-06', chat('c1', 'gpt-4o-2024-08-06', 9_000, 4_096, 300)],
    ['/v1/chat/completions', 'deepseek-chat', chat('c2', 'deepseek-chat', 9_000, 1_000, 300)],
    ['/v1/responses', 'o3', responses('r1', 'o3', 50_000, 42_000, 900)],
    ['/v1/responses', 'gpt-5', responses('r2', 'gpt-5', 50_000, 42_000, 900)],
    ['/v1/responses', 'no-such-model-9', responses('r3', 'no-such-model-9', 10, 0, 5)],
  ];
  const exchanges = calls.map(([url, model, response], i) =>
    httpRecords({ id: `q${i}`, url, body: { model, stream: false, messages: [{ role: 'user', content: `hello ${i}` }] }, startMs: i * 1000, headMs: i * 1000 + 100, eventMs: [i * 1000 + 400], chunks: [JSON.stringify(response)], endMs: i * 1000 + 410 }),
  );
  return byTime([sessionRecord()], ...exchanges, exitAt(calls.length * 1000));
}

describe('the bundled read commands (dist/bundle, scripts/bundle-cli.mjs)', () => {
  it('print what the unbundled CLI prints, costs to the last digit', () => {
    // bin/lapse.js runs a bundle only when it is newer than dist/: otherwise this would compare dist/ with itself
    const bundle = statSync(join(ROOT, 'dist/bundle/stats.cjs'), { throwIfNoEntry: false });
    expect(bundle && bundle.mtimeMs >= statSync(join(ROOT, 'dist/cli/program.js')).mtimeMs, 'the bundles are older than dist/: run `npm run build`').toBe(true);
    const priced = join(dir, 'priced.lapse');
    writeTrace(priced, pricedRecords());
    const fixtures = readdirSync(join(ROOT, 'fixtures/traces')).filter((f) => f.endsWith('.lapse')).map((f) => join(ROOT, 'fixtures/traces', f));
    const unbundled = (args: string[]) => spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LAPSE_HOME: dir, NO_COLOR: '1' } });
    // stats on every trace, simulate on the priced one, dump on one with format 1.0 frames (fflate reads those)
    const old = fixtures.find((f) => f.endsWith('anthropic.lapse'))!;
    const runs = [...[priced, ...fixtures].map((t) => ['stats', t]), ['simulate', priced], ['dump', old]];
    for (const [command, trace] of runs) {
      const a = lapse([command, '--json', trace]);
      const b = unbundled([command, '--json', trace]);
      expect(a.code, `${command} ${trace}`).toBe(0);
      expect(a.stdout, `${command} ${trace}`).toBe(b.stdout);
    }
    const costs = (JSON.parse(lapse(['stats', '--json', priced]).stdout) as { requests: Array<{ costUsd: number | null }> }).requests.map((r) => r.costUsd);
    expect(costs).toHaveLength(8);
    expect(costs.filter((c) => c !== null && c > 0)).toHaveLength(7);
  });
});

