// The relay thread's recording queue and the writer thread's reading of it, joined here without a
// thread in between: chunks are copied at once with their times, batches go by size and by time,
// shed chunks keep their times, and the records made from the chunks come out in the relay's order
// with the arrival time of the chunk that completed each event.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { TraceRecord } from '../../format/types.js';
import { readBatch, RecordingQueue, type Batch } from '../../cli/record/recording-queue.js';
import { TapHost } from '../../cli/record/tap-host.js';

function joined(opts: { behind?: () => boolean; batchMs?: number } = {}) {
  const records: TraceRecord[] = [];
  const faults: unknown[] = [];
  const batches: Batch[] = [];
  const host = new TapHost({ write: (r) => records.push(r), fault: (e) => faults.push(e) });
  let shed = 0;
  const queue = new RecordingQueue(
    (batch, transfer) => {
      // what postMessage's transfer list needs: whole buffers, each once
      expect(transfer).toEqual([batch.bytes, batch.entries.buffer]);
      batches.push(batch);
      readBatch(batch, host);
    },
    { batchMs: opts.batchMs ?? 10, behind: opts.behind ?? (() => false), onShed: (n) => (shed += n) },
  );
  return { queue, host, records, faults, batches, shed: () => shed };
}

const data = (records: TraceRecord[]) => records.filter((r): r is Extract<TraceRecord, { kind: 'http-data' }> => r.kind === 'http-data');

describe('recording queue → tap host', () => {
  it('copies each chunk when it is queued and posts the batch after its time', async () => {
    const { queue, records, batches } = joined({ batchMs: 15 });
    queue.control({ op: 'response-body', key: 1, id: 'r1', coding: null, sse: true });
    const chunk = Buffer.from('data: {"a":1}\n\nda');
    queue.chunk(1, 100, chunk);
    chunk.fill(0x21); // the caller's buffer is reused: the trace must not see it
    queue.chunk(1, 200, Buffer.from('ta: {"a":2}\n\n'));
    expect(batches).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(batches).toHaveLength(1);
    expect(data(records).map((r) => [r.t, r.sse])).toEqual([
      [100, { form: 'raw', text: 'data: {"a":1}\n\n' }],
      [200, { form: 'raw', text: 'data: {"a":2}\n\n' }], // the time of the chunk that completed it
    ]);
  });

  it('posts the batch with the chunk that arrives its time after the first, without waiting for the timer', () => {
    const { queue, records, batches } = joined({ batchMs: 20 });
    queue.control({ op: 'response-body', key: 1, id: 'r1', coding: null, sse: true });
    queue.chunk(1, 1_000, Buffer.from('data: 1\n\n'));
    queue.chunk(1, 20_999, Buffer.from('data: 2\n\n')); // 19.999 ms after the first: not yet
    expect(batches).toHaveLength(0);
    queue.chunk(1, 21_000, Buffer.from('data: 3\n\n'));
    expect(batches).toHaveLength(1);
    expect(data(records).map((r) => r.t)).toEqual([1_000, 20_999, 21_000]);
    // the next batch is timed from its own first chunk
    queue.chunk(1, 30_000, Buffer.from('data: 4\n\n'));
    queue.chunk(1, 49_000, Buffer.from('data: 5\n\n'));
    expect(batches).toHaveLength(1);
    queue.flush();
    expect(batches.map((b) => b.count)).toEqual([4, 2]);
  });

  it('posts at once past its size bound, and keeps the order of records and chunks', () => {
    const { queue, records, batches } = joined({ batchMs: 10_000 });
    queue.control({ op: 'response-body', key: 1, id: 'r1', coding: null, sse: false });
    const big = Buffer.alloc(300 * 1024, 0x61);
    for (let i = 0; i < 4; i++) {
      queue.control({ kind: 'marker', t: i, label: `m${i}` });
      queue.chunk(1, i, big);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1); // 1.2 MB queued: over the bound without waiting
    queue.flush();
    const order = records.map((r) => (r.kind === 'marker' ? r.label : r.kind === 'http-data' ? `c${r.t}` : r.kind));
    expect(order).toEqual(['m0', 'c0', 'm1', 'c1', 'm2', 'c2', 'm3', 'c3']);
    for (const r of data(records)) expect(r.chunk?.enc === 'bytes' && Buffer.from(r.chunk.bytes).equals(big)).toBe(true);
  });

  it('when the writer is behind, keeps only the length and time of a chunk; events before and after the hole are still recorded', () => {
    let behind = false;
    const { queue, records, shed } = joined({ behind: () => behind });
    queue.control({ op: 'response-body', key: 1, id: 'r1', coding: null, sse: true });
    queue.chunk(1, 10, Buffer.from('data: 1\n\ndata: 2'));
    behind = true;
    queue.chunk(1, 20, Buffer.from('xxxx\n\n'));
    behind = false;
    queue.chunk(1, 30, Buffer.from('data: 3\n\n'));
    queue.control({ op: 'end', key: 1, rec: { kind: 'http-end', t: 40, id: 'r1', outcome: 'complete', bytes: 31 } });
    queue.flush();
    expect(shed()).toBe(6);
    expect(records.map((r) => [r.t, r.kind === 'http-data' ? (r.sse ?? r.chunk) : r.kind])).toEqual([
      [10, { form: 'raw', text: 'data: 1\n\n' }],
      [20, { form: 'raw', text: 'data: 2' }], // what was pending goes in as it was, before the hole
      [20, { enc: 'dropped', length: 6 }],
      [30, { form: 'raw', text: 'data: 3\n\n' }],
      [40, 'http-end'],
    ]);
  });

  it('decodes a compressed body on the reading side; the end record waits for its tail', async () => {
    const { queue, host, records, faults } = joined();
    const events = Array.from({ length: 50 }, (_, i) => `data: {"i":${i}}\n\n`);
    const wire = gzipSync(events.join(''));
    queue.control({ op: 'response-body', key: 7, id: 'r2', coding: 'gzip', sse: true });
    queue.chunk(7, 1, wire.subarray(0, 20));
    queue.chunk(7, 2, wire.subarray(20));
    queue.control({ op: 'end', key: 7, rec: { kind: 'http-end', t: 3, id: 'r2', outcome: 'complete', bytes: wire.length } });
    queue.flush();
    await host.settle();
    expect(faults).toEqual([]);
    expect(data(records).map((r) => (r.sse as { text: string }).text)).toEqual(events);
    expect(records[records.length - 1].kind).toBe('http-end');
  });

  it('makes a request record from its body chunks, decoded', () => {
    const { queue, records } = joined();
    const body = gzipSync('{"model":"m","messages":[]}');
    queue.control({ op: 'request-body', key: 3 });
    queue.chunk(3, 0, body.subarray(0, 5));
    queue.chunk(3, 0, body.subarray(5));
    queue.control({ op: 'request', key: 3, contentEncoding: 'gzip', rec: { kind: 'http-request', t: 5, id: 'r3', method: 'POST', url: '/v1/messages', upstream: 'http://u', headers: {}, body: { enc: 'bytes', bytes: new Uint8Array(0) } } });
    queue.flush();
    expect(records).toHaveLength(1);
    const rec = records[0] as Extract<TraceRecord, { kind: 'http-request' }>;
    expect(rec.t).toBe(5);
    expect(Buffer.from((rec.body as { bytes: Uint8Array }).bytes).toString()).toBe('{"model":"m","messages":[]}');
  });

  it('keeps a WebSocket\'s two directions in arrival order: the harness\'s close frame does not overtake the last answer', async () => {
    const { queue, host, records } = joined();
    const text = (m: string) => Buffer.concat([Buffer.from([0x81, m.length]), Buffer.from(m)]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const closePayload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
    const closeFrame = Buffer.concat([Buffer.from([0x88, 0x80 | closePayload.length]), mask, Buffer.from(closePayload.map((b, i) => b ^ mask[i % 4]))]);
    queue.control({ op: 'ws', up: 1, down: 2, id: 'w1', extensions: '' });
    // one batch: many answers, then (within the same 20 ms) the harness closes
    for (let i = 0; i < 20; i++) queue.chunk(2, i, text(`{"i":${i}}`));
    queue.chunk(1, 20, closeFrame);
    queue.control({ op: 'ws-end', up: 1, down: 2, rec: { kind: 'ws-close', t: 21, id: 'w1', code: 1006, reason: 'connection closed without a close frame', by: 'client' } });
    queue.flush();
    await host.settle();
    expect(records.map((r) => r.kind)).toEqual([...Array(20).fill('ws-message'), 'ws-close']);
    expect(records[20]).toMatchObject({ code: 1000, reason: 'bye', by: 'client', t: 20 });
  });
});
