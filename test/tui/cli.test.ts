// `lapse tui` outside a terminal and with bad input: one line on stderr, exit code 2, no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticTrace } from '../factory/agent-session.js';

const BIN = new URL('../../bin/lapse.js', import.meta.url).pathname;

function lapse(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

describe('lapse tui on the command line', () => {
  let dir: string;
  let trace: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-tui-cli-'));
    trace = join(dir, 'session.lapse');
    writeSyntheticTrace(trace);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says it needs a terminal and suggests lapse stats when stdout is not a TTY', () => {
    const r = lapse(['tui', trace]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not a TTY/);
    expect(lines[0]).toContain('lapse stats');
  });

  it('rejects an unknown profile, and fails any bad input in one line', () => {
    const bad = lapse(['tui', trace, '--profile', 'warp']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('unknown profile "warp"');
    const junk = join(dir, 'junk.lapse');
    writeFileSync(junk, 'not a trace at all');
    const r = lapse(['tui', junk]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('teaches with examples in --help', () => {
    const r = lapse(['tui', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('lapse tui run.lapse --profile spark');
    expect(r.stdout).toContain('NO_COLOR');
  });
});
