// Following a trace while it is written: the tail hands on every record as its frame lands, resumes
// after an incomplete last frame, ends when the writer clears the open flag, and keeps reading the
// original file when the writer compacts it into a new one renamed over the path.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrace, type TraceRecord } from '../../format/index.js';
import { TraceWriter } from '../../cli/trace/writer.js';
import { TraceTail, isRecording, newestRecording } from '../../cli/trace/tail.js';

const dir = mkdtempSync(join(tmpdir(), 'lapse-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const init = { argv: ['agent'], cwd: '/w', harness: 'agent', upstreams: { anthropic: 'https://a', openai: 'https://o' }, redact: true };
const until = async (test: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!test()) throw new Error(`timed out waiting for ${what}`);
};

describe('TraceTail', () => {
  it('hands on records as the writer flushes them, and ends when it closes (and compacts) the trace', async () => {
    const path = join(dir, 'live.lapse');
    const w = TraceWriter.create(path, init, { flushMs: 5 });
    const got: TraceRecord[] = [];
    let ended: { closed: boolean; error: string | null } | null = null;
    const tail = new TraceTail(path, { records: (r) => got.push(...r), end: (why) => (ended = why) });
    await until(() => got.some((r) => r.kind === 'session'), 'the session record');
    expect(isRecording(path)).toBe(true);
    expect(newestRecording({ LAPSE_HOME: dir })).toBe(path);
    for (let i = 0; i < 5; i++) {
      w.marker(`m${i}`);
      await until(() => got.filter((r) => r.kind === 'marker').length === i + 1, `marker ${i}`);
    }
    expect(ended).toBeNull();
    await w.close();
    tail.poll();
    await until(() => ended !== null, 'the end');
    expect(ended).toEqual({ closed: true, error: null });
    expect(isRecording(path)).toBe(false);
    expect(newestRecording({ LAPSE_HOME: dir })).toBeNull();
    // exactly the records of the finished (compacted) file, and the reader says it is whole
    expect(got).toEqual(readTrace(new Uint8Array(readFileSync(path))).records);
    expect(tail.traceReader!.end()).toEqual({ truncated: false, damage: null });
  });

  it('stops at an incomplete last frame and goes on when the rest lands', async () => {
    const src = join(dir, 'src.lapse');
    const w = TraceWriter.create(src, init, { flushMs: 5, compactOnClose: false });
    for (let i = 0; i < 20; i++) w.marker(`m${i}`);
    await w.close();
    const bytes = readFileSync(src);
    // the copy keeps the open flag set, as a trace still being written has it
    const open = Buffer.from(bytes);
    open[7] |= 1;
    const path = join(dir, 'cut.lapse');
    const cut = open.length - 7;
    writeFileSync(path, open.subarray(0, cut));
    const got: TraceRecord[] = [];
    const chunks: number[] = [];
    const tail = new TraceTail(path, { bytes: (c) => chunks.push(c.length), records: (r) => got.push(...r) });
    tail.poll();
    const before = got.length;
    expect(before).toBeLessThan(readTrace(new Uint8Array(bytes)).records.length);
    appendFileSync(path, open.subarray(cut));
    tail.poll();
    expect(got).toEqual(readTrace(new Uint8Array(bytes)).records);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(open.length);
    expect(tail.done).toBe(false);
    tail.stop();
  });

  it('ends, saying so, when the recorder is killed with the open flag still set (and isRecording turns false)', async () => {
    const path = join(dir, 'killed.lapse');
    // A real separate writer process (the built one, as `lapse record` runs it), killed with SIGKILL.
    const writer = pathToFileURL(resolve('dist/cli/trace/writer.js')).href;
    const script = `import { TraceWriter } from ${JSON.stringify(writer)};
      const w = TraceWriter.create(${JSON.stringify(path)}, ${JSON.stringify(init)}, { flushMs: 5 });
      w.marker('before the kill');
      setTimeout(() => process.stdout.write('ready\\n'), 50);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await until(() => out.includes('ready'), 'the writer process');
    const got: TraceRecord[] = [];
    let ended: { closed: boolean; error: string | null } | null = null;
    const tail = new TraceTail(path, { records: (r) => got.push(...r), end: (why) => (ended = why) });
    await until(() => got.some((r) => r.kind === 'marker'), 'the marker');
    expect(isRecording(path)).toBe(true);
    const session = got.find((r) => r.kind === 'session') as { writer?: { pid: number } } | undefined;
    expect(session?.writer?.pid).toBe(child.pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    for (let i = 0; i < 50 && ended === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ended).not.toBeNull();
    expect(ended!.closed).toBe(false);
    expect(ended!.error).toMatch(/recorder stopped without closing/);
    expect(isRecording(path)).toBe(false);
    expect(newestRecording({ LAPSE_HOME: dir })).not.toBe(path);
    tail.stop();
  });
});
