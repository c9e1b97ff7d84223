// Trace files: sessions started in the same second each keep their own trace (unique names, O_EXCL),
// a trace is never overwritten, a trace directory that cannot be made is one line, and --no-redact
// says what it does even with --quiet.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readTrace } from '../../format/index.js';
import { cliEnv, isOneLineError, removeTmpDirs, runCli, startUpstream, tmpDir, type Upstream } from './helpers.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

const ONE_REQUEST = `
const r = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'session ' + process.argv[2] }] }) });
console.log('harness ' + process.argv[2] + ': ' + (await r.json()).content[0].text);
`;

async function answering(): Promise<Upstream> {
  const up = await startUpstream((_req, res, body) => {
    const n = /session (\d+)/.exec(body.toString())?.[1];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', content: [{ type: 'text', text: `answer ${n}` }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }));
  });
  cleanup.push(() => up.close());
  return up;
}

describe('trace files', () => {
  it('three lapse record started in the same second each keep their own trace', async () => {
    const up = await answering();
    const dir = tmpDir();
    const script = join(dir, 'one.mjs');
    writeFileSync(script, ONE_REQUEST);
    const env = cliEnv();
    const runs = await Promise.all([1, 2, 3].map((n) => runCli(['record', '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script, String(n)], { env })));
    runs.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`harness ${i + 1}: answer ${i + 1}`);
    });
    const names = readdirSync(env.LAPSE_HOME!).filter((n) => n.endsWith('.lapse'));
    expect(names).toHaveLength(3);
    // each trace holds its own session's one request
    const held = names.map((n) => {
      const recs = readTrace(new Uint8Array(readFileSync(join(env.LAPSE_HOME!, n)))).records;
      const reqs = recs.filter((x) => x.kind === 'http-request');
      expect(reqs).toHaveLength(1);
      return /session (\d+)/.exec(JSON.stringify(reqs[0]))![1];
    });
    expect(held.sort()).toEqual(['1', '2', '3']);
    for (const r of runs) expect(r.stderr).not.toMatch(/0 model requests/);
  }, 60_000);

  it('a trace is never overwritten: -o of an existing file is refused in one line, the file untouched', async () => {
    const dir = tmpDir();
    const existing = join(dir, 'kept.lapse');
    writeFileSync(existing, 'an earlier trace');
    const marker = join(dir, 'ran');
    const r = await runCli(['record', '-o', existing, '--no-watch', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`]);
    expect({ code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ code: 2, oneLine: true });
    expect(r.stderr).toMatch(/already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('an earlier trace');
    expect(existsSync(marker)).toBe(false);
    const p = await runCli(['proxy', '-o', existing]);
    expect({ code: p.code, oneLine: isOneLineError(p.stderr) }).toEqual({ code: 2, oneLine: true });
    expect(readFileSync(existing, 'utf8')).toBe('an earlier trace');
  }, 60_000);

  it('a trace directory that cannot be created (read-only filesystem, not a directory): one line, exit 2', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'file'), 'x');
    const homes = [join(dir, 'file', 'traces')];
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status === 0) {
      cleanup.push(() => void spawnSync('umount', [ro]));
      homes.push(join(ro, 'traces'));
    } else console.log('no read-only tmpfs here (mount not allowed): ENOTDIR and /proc cases only');
    for (const home of homes) {
      const r = await runCli(['record', '--no-watch', '--', process.execPath, '-e', '1'], { env: cliEnv({ LAPSE_HOME: home }) });
      expect({ home, code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ home, code: 2, oneLine: true });
      expect(r.stderr).toMatch(/cannot create the trace directory/);
      expect(r.stderr).not.toMatch(/\bmkdir\b/);
    }
  }, 60_000);

  it('--no-redact says loudly what it does, even with --quiet', async () => {
    const up = await answering();
    const dir = tmpDir();
    const script = join(dir, 'one.mjs');
    writeFileSync(script, ONE_REQUEST);
    const r = await runCli(['record', '-q', '--no-redact', '-o', join(dir, 'clear.lapse'), '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script, '7']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/WARNING: --no-redact: .*IN THE CLEAR/);
    const quiet = await runCli(['record', '-q', '-o', join(dir, 'redacted.lapse'), '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script, '8']);
    expect(quiet.stderr).toBe('');
  }, 60_000);
});
