import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { TraceWriter } from '../../cli/trace/writer.js';
import { loadTrace } from '../../cli/trace/load.js';
import { UsageError } from '../../cli/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lapse-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const init = { argv: ['node', 'x.js'], cwd: dir, harness: 'node', upstreams: { anthropic: 'a', openai: 'o' }, redact: true };
const enc = new TextEncoder();
const root = join(import.meta.dirname, '..', '..');

describe('TraceWriter', () => {
  it('writes a 0600 file whose records reach the OS within ~50 ms, and reads back after close', async () => {
    const path = join(dir, 'a.lapse');
    const w = TraceWriter.create(path, init);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const t0 = w.now();
    w.write({ kind: 'http-request', t: w.now(), id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'a', headers: {}, body: { enc: 'bytes', bytes: enc.encode('{"a":1}') } });
    w.write({ kind: 'http-end', t: w.now(), id: 'r1', outcome: 'complete', bytes: 0 });
    const before = statSync(path).size;
    await new Promise((r) => setTimeout(r, 150));
    // not closed yet: the records are on disk already (a crash now would keep them)
    const mid = loadTrace(path);
    expect(statSync(path).size).toBeGreaterThan(before);
    expect(mid.records.map((r) => r.kind)).toEqual(['session', 'http-request', 'http-end']);
    // a copy taken now is what a kill -9 would leave: whole frames, but marked unfinished
    expect(mid.truncated).toBe(true);
    expect(mid.damage).toMatch(/did not finish/);
    w.marker('done');
    await w.close();
    await w.close();
    const back = loadTrace(path);
    expect(back.truncated).toBe(false);
    expect(back.records.map((r) => r.kind)).toEqual(['session', 'http-request', 'http-end', 'marker']);
    expect(back.records[1].t).toBeGreaterThanOrEqual(t0);
    expect(back.records[3].t).toBeGreaterThanOrEqual(back.records[2].t);
  });

  it('startedAt is the wall-clock time of t=0, however long the header takes to write', async () => {
    // a header of megabytes (a long command line) takes tens of ms to encode and write
    const path = join(dir, 'clock.lapse');
    const w = TraceWriter.create(path, { ...init, argv: ['node', 'x'.repeat(8 << 20)] });
    const wall = Date.now();
    const t = w.now();
    await w.close();
    const started = loadTrace(path).records[0];
    expect(started.kind).toBe('session');
    // whole milliseconds, and room for a preemption between the two clock reads; the header took ~180 ms
    expect(Math.abs((started as { startedAt: number }).startedAt + t / 1000 - wall)).toBeLessThan(20);
  });

  it('refuses an unwritable path with a one-line UsageError', () => {
    expect(() => TraceWriter.create(join(dir, 'no/such/dir/x.lapse'), init)).toThrow(UsageError);
  });

  it('on ENOSPC warns once, keeps accepting writes without throwing, and keeps what was written', async () => {
    const path = join(dir, 'full.lapse');
    const warnings: string[] = [];
    let calls = 0;
    const w = TraceWriter.create(path, init, {
      onWarn: (m) => warnings.push(m),
      flushMs: 5,
      writeImpl: ((fd: number, buf: Uint8Array, off: number, len: number, pos: null, cb: (e: NodeJS.ErrnoException | null, n: number) => void) => {
        calls++;
        if (calls > 1) {
          const e = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          return cb(e, 0);
        }
        return (require('node:fs') as typeof import('node:fs')).write(fd, buf, off, len, pos, cb);
      }) as never,
    });
    await new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 100; i++) w.write({ kind: 'marker', t: w.now(), label: `m${i}` });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 100; i++) w.write({ kind: 'marker', t: w.now(), label: `m${i}` });
    await w.close();
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/ENOSPC/);
    expect(w.degraded).toMatch(/ENOSPC/);
    const back = loadTrace(path);
    expect(back.records[0].kind).toBe('session');
  });

  it('sheds payloads, keeping timings, when the queue outgrows its bound', async () => {
    const path = join(dir, 'shed.lapse');
    const warnings: string[] = [];
    const w = TraceWriter.create(path, init, { maxQueueBytes: 10_000, onWarn: (m) => warnings.push(m) });
    for (let i = 0; i < 20; i++) {
      const big = enc.encode(JSON.stringify({ x: `${i}`.repeat(500) }));
      w.write({ kind: 'ws-message', t: w.now(), id: 'w', dir: 'down', binary: false, data: { enc: 'bytes', bytes: big } });
    }
    await w.close();
    const recs = loadTrace(path).records;
    const msgs = recs.filter((r) => r.kind === 'ws-message');
    expect(msgs.length).toBe(20);
    expect(msgs.some((r) => r.kind === 'ws-message' && r.data.enc === 'dropped')).toBe(true);
    expect(recs.at(-1)?.kind).toBe('drop');
    expect(warnings.length).toBe(1);
  });
});

describe('lapse dump', () => {
  it('prints records readably and as JSON lines, and a truncated line for a cut file', async () => {
    const path = join(dir, 'dump.lapse');
    const w = TraceWriter.create(path, init);
    w.write({ kind: 'http-request', t: w.now(), id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'a', headers: { 'x-api-key': 'sk-ant-' + 'k'.repeat(30) }, body: { enc: 'bytes', bytes: enc.encode('{"model":"m"}') } });
    w.write({ kind: 'http-data', t: w.now(), id: 'r1', sse: { form: 'raw', text: 'event: ping\ndata: {"type":"ping"}\n\n' } });
    await w.close();
    const text = execFileSync(process.execPath, [join(root, 'bin/lapse.js'), 'dump', path], { encoding: 'utf8' });
    expect(text).toMatch(/request +r1 POST \/v1\/messages/);
    expect(text).toMatch(/event: ping/);
    const lines = execFileSync(process.execPath, [join(root, 'bin/lapse.js'), 'dump', path, '--json'], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ kind: 'http-request', body: { model: 'm' } });
    expect(String(lines[1].headers['x-api-key'])).toMatch(/^\[redacted:[0-9a-f]{8}\]$/);
    const full = readFileSync(path);
    writeFileSync(join(dir, 'cut.lapse'), full.subarray(0, full.length - 3));
    const cut = spawnSync(process.execPath, [join(root, 'bin/lapse.js'), 'dump', join(dir, 'cut.lapse')], { encoding: 'utf8' });
    expect(cut.status).toBe(0);
    expect(cut.stdout).toMatch(/-- truncated/);
    const bad = spawnSync(process.execPath, [join(root, 'bin/lapse.js'), 'dump', join(dir, 'nope.lapse')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/no such trace/);
  });

  it('exits 0 quietly when its reader goes away (lapse dump | head -1)', () => {
    const fixture = join(root, 'fixtures/traces/anthropic.lapse');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${join(root, 'bin/lapse.js')}" dump "${fixture}" | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
