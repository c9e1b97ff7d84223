// The agent program and `lapse demo`, run as users run them (compiled: `npx tsc -p .` first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../cli/model/server.js';
import { loadTrace } from '../../cli/trace/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AGENT = join(ROOT, 'dist/cli/agent/main.js');
const LAPSE = join(ROOT, 'bin/lapse.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, onStdout?: (s: string, kill: () => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

let server: ModelServer;
beforeAll(async () => {
  if (!existsSync(AGENT)) throw new Error('dist/ is missing: run `npx tsc -p .` before these tests');
  server = await startModelServer({ ttftMs: 20, tokensPerSecond: 2000 });
});
afterAll(async () => {
  await server?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('agent program', () => {
  it('says what is wrong in one line: exit 2 for bad arguments, 1 when the session fails', async () => {
    // a base URL whose routes all 404: the SDK does not retry, the session fails
    const [bad, fail] = await Promise.all([
      run([AGENT, '--protocol', 'carrier-pigeon']),
      run([AGENT, '--protocol', 'openai-chat', '--think-ms', '0'], { OPENAI_BASE_URL: `${server.url}/nowhere` }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lapse-agent: unknown --protocol carrier-pigeon .*\n$/);
    expect(fail.code).toBe(1);
    expect(fail.stderr.trim().split('\n')).toHaveLength(1);
    expect(fail.stderr).toMatch(/^lapse-agent: 404/);
  });
});

describe('lapse demo', () => {
  it('records the scripted agent through `lapse record` and prints stats when not on a TTY', async () => {
    const home = tmp('lapse-cli-home-');
    const trace = join(home, 'demo.lapse');
    const r = await run([LAPSE, 'demo', '--protocol', 'openai-ws', '--tps', '2000', '--ttft', '20', '--think-ms', '100', '--test-ms', '200', '-o', trace], { LAPSE_HOME: home });
    expect(r.code, `exit ${r.code}\nstderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-600)}`).toBe(0);
    expect(r.stderr).toMatch(/recording the scripted agent over openai-ws/);
    // the agent program ran under the recorder, on the proxy's OPENAI_BASE_URL, and said so on stdout
    expect(r.stdout).toMatch(/agent: 6 requests, 5 tool calls, title "Fix the failing add\(\) test"/);
    const t = loadTrace(trace);
    const kinds = new Set(t.records.map((x) => x.kind));
    expect(kinds.has('ws-open')).toBe(true);
    expect(kinds.has('http-request')).toBe(true); // the title, over HTTP
    const files = t.records.flatMap((x) => (x.kind === 'file' ? [x.path] : []));
    expect(files.some((p) => p.endsWith('src/math.js'))).toBe(true);
    expect(files.some((p) => p.endsWith('CHANGELOG.md'))).toBe(true);
    expect(files.some((p) => p.endsWith('test/run.js'))).toBe(false); // the seed is not a change
    expect(r.stdout).toMatch(/where the time went|not built yet/);
  });

  it('--serve-model prints the base URLs, serves until SIGTERM, then exits 0', async () => {
    let url = '';
    let answered = false;
    const r = await run([LAPSE, 'demo', '--serve-model', '--ttft', '0', '--tps', '5000', '-q'], {}, (out, kill) => {
      const m = /\(ANTHROPIC_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)\)/.exec(out);
      if (m && !url) {
        url = m[1];
        fetch(`${url}/v1/models`)
          .then((res) => res.json())
          .then((j: { data: unknown[] }) => (answered = j.data.length > 0))
          .finally(kill);
      }
    });
    expect(url).not.toBe('');
    expect(answered).toBe(true);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(r.stderr).toMatch(/stopped \(SIGTERM\) after 1 requests/);
  });

  it('rejects bad flags with one line and exit 2', async () => {
    const cases = [['--tps', '0'], ['--protocol', 'smoke-signals'], ['--serve-model', '--web']];
    const runs = await Promise.all(cases.map((args) => run([LAPSE, 'demo', ...args])));
    runs.forEach((r, i) => {
      expect(r.code, cases[i].join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^lapse: .+\n$/);
    });
  });
});
