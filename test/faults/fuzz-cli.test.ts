// A sample of the bad-trace inputs through the real CLI (`node bin/lapse.js <cmd> FILE`): for every
// command that reads a trace, ~30 inputs (the committed fixtures, special files, mutated traces). Each
// run ends with exit code 2 and exactly one line on stderr, or exit 0 with a correct result; never a
// stack trace. replay and view are servers: a good trace must bring them up (and answer), SIGTERM must
// end them with 0. (`lapse tui` refuses without a terminal before it reads anything: its loader is
// covered in-process by fuzz-readers.test.ts, and on a terminal by test/tui.)
import { afterAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_MAGIC } from '../../format/types.js';
import { mutate, rng } from './trace-mutations.js';
import { baseTraces } from './base-traces.js';
import { checkSimulateJson, checkStatsJson, checkText } from './reader-paths.js';
import { cliEnv, isOneLineError, removeTmpDirs, runCli, startCli, tmpDir, type CliRun } from './helpers.js';
import { validateHar } from '../export/validate-har.js';
import { validateTraceEvents } from '../export/validate-chrome.js';
import { validateOtlp } from '../export/validate-otlp.js';

afterAll(() => removeTmpDirs());

const SAMPLE = 30;

/** The sample: fixtures as recorded, special files, then mutated traces up to SAMPLE. */
function sampleFiles(dir: string): string[] {
  const files: string[] = [];
  const put = (name: string, bytes: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    files.push(p);
  };
  const bases = baseTraces();
  bases.slice(0, 4).forEach((b, i) => put(`base-${i}.lapse`, b));
  put('empty.lapse', new Uint8Array(0));
  put('text.lapse', 'just some text, not a trace\n');
  put('magic-only.lapse', FORMAT_MAGIC);
  const newer = bases[0].slice(0, 64);
  newer[5] = 9; // major version 9
  put('newer-major.lapse', newer);
  // a frame header claiming 200 MiB that never comes
  const huge = new Uint8Array(bases[0].length + 9);
  huge.set(bases[0]);
  new DataView(huge.buffer).setUint32(bases[0].length, 200 * 1024 * 1024, true);
  put('huge-frame-claim.lapse', huge);
  mkdirSync(join(dir, 'a-directory.lapse'));
  files.push(join(dir, 'a-directory.lapse'));
  files.push(join(dir, 'does-not-exist.lapse'));
  const r = rng(77);
  for (let i = 0; files.length < SAMPLE; i++) put(`mutated-${i}.lapse`, mutate(r, bases[i % bases.length]));
  return files;
}

/** Runs `count` tasks with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i], i);
      }
    }),
  );
}

interface Verdict {
  file: string;
  args: string;
  code: number | null;
  kind: 'refused' | 'ok' | 'bad';
  why: string;
}

function judge(file: string, args: string[], r: CliRun, check: (stdout: string) => string): Verdict {
  const base = { file: file.split('/').pop()!, args: args.join(' '), code: r.code };
  if (/^\s+at .+\(.*:\d+:\d+\)/m.test(r.stderr)) return { ...base, kind: 'bad', why: `stack trace: ${r.stderr.slice(0, 200)}` };
  if (r.code === 2) return isOneLineError(r.stderr) ? { ...base, kind: 'refused', why: r.stderr.trim() } : { ...base, kind: 'bad', why: `exit 2 but stderr: ${JSON.stringify(r.stderr.slice(0, 300))}` };
  if (r.code !== 0) return { ...base, kind: 'bad', why: `exit ${r.code} (${r.signal}): ${r.stderr.slice(0, 200)}` };
  let why = '';
  try {
    why = check(r.stdout);
  } catch (err) {
    why = `output: ${(err as Error).message}`;
  }
  if (!why && /error|cannot/i.test(r.stderr) && !/note: the trace was cut short|warning/.test(r.stderr)) why = `exit 0 but stderr: ${r.stderr.slice(0, 200)}`;
  return why ? { ...base, kind: 'bad', why } : { ...base, kind: 'ok', why: '' };
}

const CHECKS: Record<string, { args: (i: number) => string[]; check: (out: string, i: number) => string }> = {
  stats: { args: (i) => (i % 2 ? ['--json'] : []), check: (o, i) => (i % 2 ? checkStatsJson(JSON.parse(o)) : checkText(o, 'stats')) },
  simulate: { args: (i) => ['--profile', ['spark', 'fast-mode', 'instant', 'original'][i % 4], ...(i % 2 ? ['--json'] : [])], check: (o, i) => (i % 2 ? checkSimulateJson(JSON.parse(o)) : checkText(o, 'simulate')) },
  dump: {
    args: (i) => (i % 2 ? ['--json'] : []),
    check: (o, i) => {
      const lines = o.split('\n');
      if (lines.pop() !== '' || lines.length === 0) return 'dump: no lines';
      if (i % 2) for (const l of lines) JSON.parse(l);
      return '';
    },
  },
  export: {
    args: (i) => ['--format', ['har', 'chrome', 'otlp'][i % 3]],
    check: (o, i) => {
      const doc = JSON.parse(o);
      const problems = [validateHar, validateTraceEvents, validateOtlp][i % 3](doc);
      return problems.length ? problems.slice(0, 2).join('; ') : '';
    },
  },
};

describe(`bad traces through the CLI (${SAMPLE} inputs per command)`, () => {
  const dir = tmpDir();
  const files = sampleFiles(dir);

  for (const [cmd, spec] of Object.entries(CHECKS)) {
    it(`lapse ${cmd}: exit 2 with one line, or exit 0 with a correct result`, async () => {
      const verdicts: Verdict[] = [];
      await pool(files, 4, async (file, i) => {
        const args = [cmd, file, ...spec.args(i)];
        const r = await runCli(args, { timeoutMs: 30_000 });
        verdicts.push(judge(file, args, r, (o) => spec.check(o, i)));
      });
      const bad = verdicts.filter((v) => v.kind === 'bad');
      console.log(`cli ${cmd}: ${verdicts.length} inputs, ${verdicts.filter((v) => v.kind === 'ok').length} results, ${verdicts.filter((v) => v.kind === 'refused').length} one-line refusals, ${bad.length} bad`);
      expect(bad).toEqual([]);
      expect(verdicts.some((v) => v.kind === 'ok')).toBe(true);
      expect(verdicts.some((v) => v.kind === 'refused')).toBe(true);
    }, 180_000);
  }

  /** Servers: a good trace brings them up; then one request, then SIGTERM ends them with 0. */
  async function server(cmd: 'replay' | 'view', file: string): Promise<Verdict> {
    const args = cmd === 'replay' ? ['replay', file, '--instant', '--port', '0'] : ['view', file, '--no-open', '--port', '0'];
    const name = file.split('/').pop()!;
    const up = await startCli(args, cmd === 'replay' ? /ANTHROPIC_BASE_URL=(http:\/\/\S+)\n/ : /(http:\/\/\S+\/)\n/, { timeoutMs: 20_000 });
    // It ended without coming up: it must have refused properly.
    if (!up.match) return judge(file, args, up.early!, () => 'exited 0 without serving');
    const url = up.match[1];
    let why = '';
    if (cmd === 'view') {
      const page = await fetch(url);
      const trace = await fetch(`${url}trace.lapse`);
      const bytes = Buffer.from(await trace.arrayBuffer());
      if (page.status !== 200) why = `view: page ${page.status}`;
      else if (!bytes.equals(readFileSync(file))) why = 'view: served trace differs from the file';
    } else {
      // any recorded answer, a 404/409 or a reset: the server must stay up and answer the next one
      await rawRequest(`${url}/v1/messages`).catch(() => undefined);
      const again = await rawRequest(`${url}/v1/models`).catch((e: Error) => e.message);
      if (typeof again === 'string' && !/ECONNRESET|socket hang up/.test(again)) why = `replay: ${again}`;
    }
    up.child.kill('SIGTERM');
    const r = await up.done;
    const v = judge(file, args, { ...r, stdout: '' }, () => why);
    if (r.code !== 0) return { file: name, args: args.join(' '), code: r.code, kind: 'bad', why: `did not stop cleanly on SIGTERM: ${r.stderr.slice(-200)}` };
    return v;
  }

  for (const cmd of ['replay', 'view'] as const) {
    it(`lapse ${cmd}: exit 2 with one line, or it serves the trace and stops cleanly`, async () => {
      const verdicts: Verdict[] = [];
      await pool(files, 3, async (file) => {
        verdicts.push(await server(cmd, file));
      });
      const bad = verdicts.filter((v) => v.kind === 'bad');
      console.log(`cli ${cmd}: ${verdicts.length} inputs, ${verdicts.filter((v) => v.kind === 'ok').length} served, ${verdicts.filter((v) => v.kind === 'refused').length} one-line refusals, ${bad.length} bad`);
      expect(bad).toEqual([]);
      expect(verdicts.some((v) => v.kind === 'ok')).toBe(true);
      expect(verdicts.some((v) => v.kind === 'refused')).toBe(true);
    }, 180_000);
  }

  it('lapse ls: lists every file of a trace directory full of bad traces, exit 0', async () => {
    const home = tmpDir('lapse-home-');
    for (const f of files) {
      try {
        writeFileSync(join(home, f.split('/').pop()!), readFileSync(f));
      } catch {
        // the directory and the missing file are not files
      }
    }
    const n = readdirSync(home).length;
    const r = await runCli(['ls', '--json'], { env: cliEnv({ LAPSE_HOME: home }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toHaveLength(n);
    const text = await runCli(['ls'], { env: cliEnv({ LAPSE_HOME: home }) });
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(n + 1);
  });
});

function rawRequest(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: url.endsWith('/models') ? 'GET' : 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('replay did not answer in 10 s')));
    req.end(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
  });
}

