// `lapse stats` and `lapse simulate` end to end: a trace file written with the format encoder, the
// compiled CLI (node bin/lapse.js, build with `npx tsc -p .` first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TraceEncoder } from '../../format/encoder.js';
import type { SessionRecord, TraceRecord } from '../../format/types.js';
import { scenarioRecords } from './scenario.js';

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
    expect(Object.keys(j)).toEqual(['trace', 'durationMs', 'costUsd', 'prices', 'requests', 'breakdown', 'files', 'threads', 'userDetail']);
    expect(j.trace).toEqual({ path: tracePath, formatVersion: '1.1', truncated: false, records: scenarioRecords().length, source: 'proxy' });
    expect(j.costUsd).toBeNull(); // 'claude-test' is in no price table
    expect(j.prices.source).toBe('@pydantic/genai-prices');
    expect(j.userDetail).toBeNull(); // no terminal records in this trace
    expect(j.durationMs).toBe(11500);
    expect(j.breakdown).toEqual({ modelWaitMs: 900, modelStreamMs: 2000, toolMs: 700, userMs: 6300, harnessMs: 1600 });
    expect(j.requests).toHaveLength(6);
    expect(Object.keys(j.requests[0])).toEqual(['id', 'protocol', 'transport', 'model', 'startMs', 'firstByteMs', 'ttftMs', 'endMs', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costUsd', 'tokensPerSecond', 'stopReason', 'toolCalls', 'status', 'critical', 'thread', 'dependsOn', 'estimated']);
    expect(j.requests[0]).toEqual({ id: 'M1', protocol: 'anthropic-messages', transport: 'http', model: 'claude-test', startMs: 1000, firstByteMs: 1200, ttftMs: 300, endMs: 2300, inputTokens: 100, outputTokens: 100, cacheReadTokens: null, cacheWriteTokens: null, costUsd: null, tokensPerSecond: 100, stopReason: 'tool_use', toolCalls: ['Bash'], status: 'complete', critical: true, thread: 'main', dependsOn: [], estimated: false });
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
      profile: { name: 'spark', tokensPerSecond: 1000, speedFactor: null, ttftScale: 0.5, harnessScale: 1 },
      original: { durationMs: 11500, breakdown: { modelWaitMs: 900, modelStreamMs: 2000, toolMs: 700, userMs: 6300, harnessMs: 1600 }, critical: ['M1', 'M2', 'M3'] },
      simulated: { durationMs: 9210, breakdown: { modelWaitMs: 450, modelStreamMs: 160, toolMs: 700, userMs: 6300, harnessMs: 1600 }, critical: ['M1', 'M2', 'M3'] },
      speedup: Math.round((11500 / 9210) * 1000) / 1000,
    });
  });

  it('takes custom values', () => {
    const j = JSON.parse(lapse(['simulate', tracePath, '--tps', '500', '--ttft-scale', '0', '--harness-scale', '0.5', '--json']).stdout);
    expect(j.profile).toEqual({ name: 'custom', tokensPerSecond: 500, speedFactor: null, ttftScale: 0, harnessScale: 0.5 });
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
