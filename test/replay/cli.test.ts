// `lapse replay` as a user runs it (node bin/lapse.js, compiled dist/): printed URLs, per-request log
// lines, --record-to read back by `lapse stats`, and one-line errors with exit code 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer } from '../../cli/model/server.js';
import { dir, record, runAgent, type AgentResult, type Recorded } from './helpers.js';

const BIN = join(process.cwd(), 'bin', 'lapse.js');

function lapse(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAPSE_HOME: dir }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (which may be serving the model the child talks to). */
function lapseAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LAPSE_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
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

  // The issue's own scenario: record the built-in scripted agent with `lapse record`, replay it to the
  // same agent with `lapse replay --strict -- …`: every request matches a recording (or the agent would
  // get a 409 and fail), the endpoint is gone, and the replay's trace has the same exchanges.
  it.each(['anthropic', 'openai-ws'])('replays a recorded scripted-agent session (%s) to the same agent, --strict', async (protocol) => {
    const model = await startModelServer({ ttftMs: 40, tokensPerSecond: 500, seed: 3 });
    const orig = join(dir, `agent-${protocol}.lapse`);
    const agent = ['node', join(process.cwd(), 'dist', 'cli', 'agent', 'main.js'), '--protocol', protocol, '--think-ms', '50', '--test-ms', '50', '--quiet'];
    let r: Awaited<ReturnType<typeof lapseAsync>>;
    try {
      r = await lapseAsync(['record', '-o', orig, '--no-watch', '-q', '--anthropic-upstream', model.url, '--openai-upstream', `${model.url}/v1`, '--', ...agent]);
    } finally {
      await model.close();
    }
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, `agent-${protocol}-replayed.lapse`);
    const rep = await lapseAsync(['replay', orig, '--strict', '--instant', '--record-to', out, '--', ...agent]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stderr, rep.stderr).not.toMatch(/lapse replay: warning|→ 409/);
    type Stats = { requests: Array<{ protocol: string; transport: string; outputTokens: number; toolCalls: string[]; status: string }> };
    // A side request (the title) runs beside the main loop: compare as sets, not in start order.
    const shape = (s: Stats) => s.requests.map((q) => JSON.stringify([q.protocol, q.transport, q.outputTokens, q.toolCalls, q.status])).sort();
    const statsOf = async (file: string): Promise<Stats> => {
      const x = await lapseAsync(['stats', file, '--json']);
      expect(x.code, x.stderr).toBe(0);
      return JSON.parse(x.stdout) as Stats;
    };
    const a = await statsOf(orig);
    const b = await statsOf(out);
    expect(a.requests.length).toBeGreaterThan(4);
    expect(shape(b)).toEqual(shape(a));
    if (protocol === 'openai-ws') expect(b.requests.some((q) => q.transport === 'websocket')).toBe(true);
    const served = rep.stderr.match(/served (\d+) of (\d+) recorded responses/)!;
    expect(served[1]).toBe(served[2]);
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
