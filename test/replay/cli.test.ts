// `lapse replay` as a user runs it (node bin/lapse.js, compiled dist/): printed URLs, per-request log
// lines, --record-to read back by `lapse stats`, and one-line errors with exit code 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dir, record, runAgent, type AgentResult, type Recorded } from './helpers.js';

const BIN = join(process.cwd(), 'bin', 'lapse.js');

function lapse(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAPSE_HOME: dir }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `lapse replay …` and resolves once it printed its base URLs. */
function startCli(args: string[]): Promise<{ child: ChildProcess; anthropic: string; openai: string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'replay', ...args], { env: { ...process.env, LAPSE_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URLs printed; stderr: ${err}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const a = /^ANTHROPIC_BASE_URL=(\S+)$/m.exec(out);
      const o = /^OPENAI_BASE_URL=(\S+)$/m.exec(out);
      if (a && o && /^codex: -c openai_base_url="http:\/\/127\.0\.0\.1:\d+\/v1"$/m.test(out)) {
        clearTimeout(timer);
        resolve({ child, anthropic: a[1], openai: o[1], stderr: () => err, exited });
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${err}`)));
  });
}

describe('lapse replay (CLI)', () => {
  let rec: Recorded<AgentResult>;

  beforeAll(async () => {
    expect(existsSync(join(process.cwd(), 'dist', 'cli', 'commands', 'replay.js'))).toBe(true);
    rec = await record('cli', (urls) => runAgent(urls, { workdir: '/tmp/cli-1', toolMs: 20 }));
  });
  afterAll(() => rec?.model.close());

  it('serves on 127.0.0.1, logs each request, and records the replay as a trace lapse stats reads', async () => {
    const out = join(dir, 'cli-replayed.lapse');
    const cli = await startCli([rec.path, '--instant', '--record-to', out]);
    const again = await runAgent({ anthropic: cli.anthropic, openai: cli.openai }, { workdir: '/tmp/cli-2', toolMs: 20 });
    expect(again.answers).toEqual(rec.result.answers);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const err = cli.stderr();
    expect(err.match(/ ← r\d+/g)).toHaveLength(5);
    expect(err).toMatch(/served 5 of 5 recorded responses/);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const orig = JSON.parse(lapse(['stats', rec.path, '--json']).stdout) as { requests: Array<{ protocol: string; outputTokens: number; toolCalls: string[] }> };
    const rep = lapse(['stats', out, '--json']);
    expect(rep.code).toBe(0);
    const replayed = JSON.parse(rep.stdout) as typeof orig;
    const shape = (s: typeof orig) => s.requests.map((q) => [q.protocol, q.outputTokens, q.toolCalls]);
    expect(shape(replayed)).toEqual(shape(orig));
  });

  it('rejects bad flags with one line and exit code 2', () => {
    for (const args of [
      ['replay', rec.path, '--speed', '0'],
      ['replay', rec.path, '--speed', '2', '--instant'],
      ['replay', rec.path, '--profile', 'warp'],
      ['replay', rec.path, '--threshold', '3'],
      ['replay', rec.path, '--port', 'x'],
      ['replay', join(dir, 'missing.lapse')],
    ]) {
      const r = lapse(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^lapse: /);
    }
  });

  it('teaches with examples in --help', () => {
    const r = lapse(['replay', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lapse replay run.lapse --profile spark');
    expect(r.stdout).toContain('--record-to');
  });
});
