// kill -9 of `lapse record` (no pseudo-terminal): the harness does not go on against a proxy that is
// gone; lapse's guard process ends it within seconds. On a normal end the guard leaves quietly.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, removeTmpDirs, sleep, startCli, startUpstream, tmpDir } from './helpers.js';

afterAll(() => removeTmpDirs());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('after kill -9 of lapse', () => {
  it('the harness is ended by the guard, not left running against a dead proxy', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const dir = tmpDir();
    const pidFile = join(dir, 'harness.pid');
    const script = join(dir, 'forever.mjs');
    writeFileSync(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconsole.log('harness up');\nfor (;;) { try { await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', body: '{}' }); } catch {} await new Promise((r) => setTimeout(r, 200)); }\n`);
    const lapse = await startCli(['record', '-o', join(dir, 't.lapse'), '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script], /harness up/, { env: cliEnv(), timeoutMs: 30_000 });
    expect(lapse.match).not.toBeNull();
    for (let i = 0; i < 50 && !existsSync(pidFile); i++) await sleep(100);
    const harnessPid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(harnessPid)).toBe(true);
    lapse.child.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      await sleep(100);
      gone = !alive(harnessPid);
    }
    if (!gone) process.kill(harnessPid, 'SIGKILL'); // leave nothing running whatever happened
    await up.close();
    expect(gone).toBe(true);
  }, 60_000);

  it('a normal session ends with the harness exit code and leaves no guard behind', async () => {
    const dir = tmpDir();
    const lapse = await startCli(['record', '-o', join(dir, 'n.lapse'), '--no-watch', '--', process.execPath, '-e', 'console.log("harness ran"); setTimeout(() => process.exit(3), 300)'], /harness ran/, { env: cliEnv(), timeoutMs: 30_000 });
    expect(lapse.match).not.toBeNull();
    const tag = `lapse-guard-${lapse.child.pid}`;
    const guards = () =>
      readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(tag);
        } catch {
          return false;
        }
      });
    expect(guards()).toHaveLength(1); // the guard is there while the harness runs
    expect((await lapse.done).code).toBe(3);
    await sleep(500);
    expect(guards()).toEqual([]);
  }, 60_000);
});
