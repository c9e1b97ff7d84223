// The small ones: a trace cut right after its 8-byte header, or a closed one cut right after its
// session frame, reads as truncated; a record at t = 1e308
// is damage, not a BigInt error in the OTLP export or "Infinityh NaNm" in `ls`; a FIFO given as the
// trace is refused at once instead of hanging `stats` and `dump`; `--host ''` is refused by every
// server command instead of binding every interface.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { TraceWriter } from '../../cli/trace/writer.js';
import { readTrace } from '../../format/index.js';
import { writeTrace, sampleRecords } from '../format/helpers.js';
import { cliEnv, isOneLineError, removeTmpDirs, runCli, tmpDir } from './helpers.js';

afterAll(() => removeTmpDirs());

const ROOT = new URL('../../', import.meta.url).pathname;

describe('low items', () => {
  it('a trace cut at byte 8 (the header alone) reads as truncated', async () => {
    const bytes = writeTrace(sampleRecords());
    const cut = readTrace(bytes.slice(0, 8));
    expect(cut.truncated).toBe(true);
    expect(cut.damage).toMatch(/session record/);
    expect(readTrace(bytes).truncated).toBe(false);
    const dir = tmpDir();
    writeFileSync(join(dir, 'cut.lapse'), bytes.slice(0, 8));
    const r = await runCli(['stats', join(dir, 'cut.lapse'), '--json']);
    if (r.code === 0) expect(JSON.parse(r.stdout).trace.truncated).toBe(true);
    else expect({ code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ code: 2, oneLine: true });
  }, 60_000);

  it('a closed trace cut exactly at the end of its session frame reads as truncated (a recording and an import)', async () => {
    const dir = tmpDir();
    // a recording, closed cleanly (compacted, summary in the first frame)
    const rec = join(dir, 'recorded.lapse');
    const w = TraceWriter.create(rec, { argv: ['agent'], cwd: dir, harness: null, upstreams: { anthropic: 'http://127.0.0.1:1', openai: 'http://127.0.0.1:1/v1' }, redact: true });
    for (const r of sampleRecords()) if (r.kind !== 'session') w.write(r);
    await w.close();
    // an import of a committed transcript
    const env = cliEnv();
    const imp = await runCli(['import', join(ROOT, 'test/import/fixtures/claude-projects'), '--json'], { env });
    expect(imp.code).toBe(0);
    const imported = (JSON.parse(imp.stdout) as { imported: Array<{ trace: string }> }).imported[0].trace;
    for (const path of [rec, imported]) {
      const bytes = new Uint8Array(readFileSync(path));
      const whole = readTrace(bytes);
      expect(whole.truncated).toBe(false);
      expect(whole.records.length).toBeGreaterThan(3);
      // the session frame: the 8-byte header, then length:u32le crc:u32le codec:u8 and its payload
      const end = 8 + 9 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
      expect(end).toBeLessThan(bytes.length);
      const cut = readTrace(bytes.subarray(0, end));
      expect(cut.records.map((r) => r.kind)).toEqual(['session']);
      expect(cut.truncated).toBe(true);
      expect(cut.damage).toMatch(/ends after 0 of the \d+ records its summary counts/);
      const file = join(dir, `cut-${basename(path)}`);
      writeFileSync(file, bytes.subarray(0, end));
      const r = await runCli(['stats', file, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).trace.truncated).toBe(true);
    }
  }, 60_000);

  it('a record at t = 1e308 is damage; otlp export and ls stay sane', async () => {
    const env = cliEnv();
    mkdirSync(env.LAPSE_HOME!, { recursive: true });
    const trace = join(env.LAPSE_HOME!, 'far.lapse');
    const recs = sampleRecords();
    recs.push({ kind: 'marker', t: 1e308, label: 'far future' });
    writeFileSync(trace, writeTrace(recs));
    const read = readTrace(writeTrace(recs));
    expect(read.truncated).toBe(true);
    expect(read.damage).toMatch(/time past any session/);
    for (const args of [['export', trace, '--format', 'otlp'], ['export', trace, '--format', 'chrome'], ['stats', trace], ['ls'], ['ls', '--json']]) {
      const r = await runCli(args, { env });
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect({ args, bad: /BigInt|Infinity|NaN|RangeError/.exec(r.stdout + r.stderr)?.[0] ?? null }).toEqual({ args, bad: null });
    }
  }, 60_000);

  it('a FIFO as the trace is refused in one line instead of hanging', async () => {
    const dir = tmpDir();
    const fifo = join(dir, 'pipe.lapse');
    if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
    for (const cmd of ['stats', 'dump', 'simulate', 'export']) {
      const args = cmd === 'export' ? [cmd, fifo, '--format', 'har'] : [cmd, fifo];
      const t0 = Date.now();
      const r = await runCli(args, { timeoutMs: 20_000 });
      expect({ cmd, code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ cmd, code: 2, oneLine: true });
      expect(r.stderr).toMatch(/not a regular file/);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }
  }, 120_000);

  it("--host '' is refused by proxy, record, replay and view", async () => {
    const fixture = join(import.meta.dirname, '../../fixtures/traces/anthropic.lapse');
    for (const args of [['proxy', '--host', ''], ['record', '--host', '', '--no-watch', '--', process.execPath, '-e', '1'], ['replay', fixture, '--host', ''], ['view', fixture, '--no-open', '--host', '']]) {
      const r = await runCli(args, { timeoutMs: 20_000 });
      expect({ args: args[0], code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ args: args[0], code: 2, oneLine: true });
      expect(r.stderr).toMatch(/--host needs an address/);
    }
  }, 120_000);
});
