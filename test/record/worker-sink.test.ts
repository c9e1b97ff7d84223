// The trace writer on its own thread: records arrive in the file in order with the proxy's times,
// a file that cannot be created is a one-line usage error, and a dead writer thread only degrades.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerSink } from '../../cli/record/worker-sink.js';
import { loadTrace } from '../../cli/trace/load.js';
import { UsageError } from '../../cli/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lapse-wsink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const init = { argv: ['test'], cwd: dir, harness: 'test', upstreams: { anthropic: 'http://a', openai: 'http://o/v1' }, redact: true };

describe('WorkerSink', () => {
  it('writes every record, in order, stamped on the writer’s clock', async () => {
    expect(existsSync(join(import.meta.dirname, '../../dist/cli/record/writer-worker.js'))).toBe(true); // else it runs in-thread
    const warnings: string[] = [];
    const path = join(dir, 'a.lapse');
    const sink = await WorkerSink.start(path, init, (m) => warnings.push(m));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const t0 = sink.now();
    for (let i = 0; i < 3000; i++) sink.write({ kind: 'marker', t: sink.now(), label: `m${i}` });
    await new Promise((r) => setTimeout(r, 30));
    const t1 = sink.now();
    expect(t1).toBeGreaterThan(t0);
    await sink.close();
    expect(sink.degraded).toBeNull();
    const t = loadTrace(path);
    const markers = t.records.filter((r) => r.kind === 'marker');
    expect(markers.map((m) => (m as { label: string }).label)).toEqual(Array.from({ length: 3000 }, (_, i) => `m${i}`));
    for (let i = 1; i < markers.length; i++) expect(markers[i].t).toBeGreaterThanOrEqual(markers[i - 1].t);
    expect(markers[0].t).toBeGreaterThanOrEqual(0);
    expect(markers[markers.length - 1].t).toBeLessThanOrEqual(t1);
    expect(warnings).toEqual([]);
  });

  it('sheds payloads but keeps every timing when the writer thread falls behind, and says so in the trace', async () => {
    const warnings: string[] = [];
    const path = join(dir, 'shed.lapse');
    // a bound below zero: always "behind", so every payload is shed
    const sink = await WorkerSink.start(path, init, (m) => warnings.push(m), { maxBehindBytes: -1 });
    sink.write({ kind: 'http-data', t: sink.now(), id: 'r1', sse: { form: 'raw', text: 'data: {"a":1}\n\n' } });
    sink.write({ kind: 'ws-message', t: sink.now(), id: 'w1', dir: 'down', binary: false, data: { enc: 'bytes', bytes: new TextEncoder().encode('hello') } });
    sink.write({ kind: 'marker', t: sink.now(), label: 'no payload' });
    sink.write({ kind: 'term-output', t: sink.now(), data: { enc: 'bytes', bytes: new TextEncoder().encode('drawn') } });
    sink.write({ kind: 'term-input', t: sink.now(), key: 'printable', count: 2, text: 'hi' });
    await sink.close();
    const recs = loadTrace(path).records;
    expect(recs.find((r) => r.kind === 'http-data')).toMatchObject({ chunk: { enc: 'dropped', length: 15 } });
    expect(recs.find((r) => r.kind === 'ws-message')).toMatchObject({ data: { enc: 'dropped', length: 5 } });
    expect(recs.find((r) => r.kind === 'marker')).toMatchObject({ label: 'no payload' });
    expect(recs.find((r) => r.kind === 'term-output')).toMatchObject({ data: { enc: 'dropped', length: 5 } });
    const typed = recs.find((r) => r.kind === 'term-input');
    expect(typed).toMatchObject({ key: 'printable', count: 2 });
    expect(typed && 'text' in typed && typed.text !== undefined).toBe(false);
    expect(recs.find((r) => r.kind === 'drop')).toMatchObject({ records: 4, bytes: 27 });
    expect(warnings[0]).toMatch(/falling behind/);
  });

  it('catches up: once the writer thread has taken in what it was handed, chunks are recorded again', async () => {
    const warnings: string[] = [];
    const path = join(dir, 'catch-up.lapse');
    const sink = (await WorkerSink.start(path, init, (m) => warnings.push(m), { maxBehindBytes: 1000 })) as WorkerSink;
    sink.stream({ op: 'response-body', key: 1, id: 'r1', coding: null, sse: false });
    const chunk = Buffer.alloc(600, 0x61);
    const t0 = sink.now();
    sink.chunk(1, t0, chunk);
    sink.chunk(1, t0 + 20_000, chunk); // a batch's time after the first: this posts the batch
    expect([1200, 0]).toContain(sink.behindBytes); // handed over (or already taken in)
    // the writer thread runs at a low priority: on a loaded machine it may take a while
    const posted = Date.now();
    while (sink.behindBytes !== 0 && Date.now() - posted < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(sink.behindBytes).toBe(0);
    sink.chunk(1, sink.now(), chunk); // 1,200 B handed over before it, all taken in
    sink.stream({ op: 'end', key: 1, rec: { kind: 'http-end', t: sink.now(), id: 'r1', outcome: 'complete', bytes: 1800 } });
    await sink.close();
    const chunks = loadTrace(path).records.filter((r) => r.kind === 'http-data').map((r) => (r as { chunk: { enc: string } }).chunk.enc);
    expect(chunks).toEqual(['text', 'text', 'text']); // none 'dropped'
    expect(warnings).toEqual([]);
  });

  it('posts copies of byte payloads: the buffers they came from (pooled, maybe still being sent) stay intact', async () => {
    const path = join(dir, 'views.lapse');
    const sink = await WorkerSink.start(path, init, () => undefined);
    const pool = Buffer.from('0123456789abcdefghij');
    sink.write({ kind: 'ws-message', t: sink.now(), id: 'w1', dir: 'up', binary: true, data: { enc: 'bytes', bytes: pool.subarray(2, 5) } });
    sink.write({ kind: 'http-data', t: sink.now(), id: 'r1', chunk: { enc: 'bytes', bytes: pool.subarray(10, 12) } });
    await new Promise((r) => setTimeout(r, 60)); // posted by now
    expect(pool.toString()).toBe('0123456789abcdefghij');
    expect(pool.buffer.byteLength).toBeGreaterThan(0);
    await sink.close();
    const recs = loadTrace(path).records;
    const ws = recs.find((r) => r.kind === 'ws-message') as { data: { enc: string; bytes?: Uint8Array; text?: string } };
    expect(Buffer.from(ws.data.bytes ?? Buffer.from(ws.data.text ?? '')).toString()).toBe('234');
  });

  it('reports a trace it cannot create as a usage error', async () => {
    await expect(WorkerSink.start(join(dir, 'no/such/dir/x.lapse'), init, () => undefined)).rejects.toThrow(UsageError);
  });

  it('goes on without recording (and says so once) if the writer thread dies', async () => {
    const warnings: string[] = [];
    const sink = await WorkerSink.start(join(dir, 'b.lapse'), init, (m) => warnings.push(m));
    await (sink as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    sink.write({ kind: 'marker', t: sink.now(), label: 'after' });
    await sink.close();
    expect(warnings).toEqual(['trace writer thread exited']);
    expect(sink.degraded).toBe('trace writer thread exited');
  });
});
