// The trace writer's thread (see worker-sink.ts): the relay's chunks are read into records here
// (tap-host.ts), then encoded, framed and written, so none of that lands on the proxy's event loop.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { TraceEncoder } from '../../format/encoder.js';
import { StreamRedactor } from '../../format/stream-redact.js';
import type { TraceRecord } from '../../format/types.js';
import { TraceWriter, type WriterInit } from '../trace/writer.js';
import { batchBytes, readBatch, type Batch } from './recording-queue.js';
import { TapHost } from './tap-host.js';
import { LiveOtlp } from './otlp-live.js';

export type ToWorker = { type: 'batch'; batch: Batch } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; now: number; hr: string }
  | { type: 'error'; message: string }
  | { type: 'warn'; message: string }
  | { type: 'closed'; degraded: string | null; records: number };

const port = parentPort!;
// On Linux this lowers only this thread: when the CPU is short, the relay's thread goes first (3:1)
// and the trace catches up later (or sheds payloads, see worker-sink.ts). Not lower: at nice 19 a
// machine busy with other work (load 40 on 2 cores, measured) starves this thread for seconds, and a
// kill -9 then loses everything since.
try {
  setPriority(5);
} catch {
  // not permitted here: same priority as the relay
}
const { path, init, otlpEndpoint, taken } = workerData as { path: string; init: WriterInit; otlpEndpoint?: string; taken: SharedArrayBuffer };
/** Payload bytes taken in so far, modulo 2^32 (the relay's thread reads it: see WorkerSink.behindBytes). */
const takenBytes = new Int32Array(taken);
const send = (m: FromWorker) => port.postMessage(m);

// --otlp-endpoint: spans made here, beside the writer, from the records it gets (see otlp-live.ts).
let live: LiveOtlp | null = null;
if (otlpEndpoint) {
  try {
    live = new LiveOtlp(otlpEndpoint, path, (message) => send({ type: 'warn', message }));
  } catch (err) {
    send({ type: 'warn', message: `--otlp-endpoint: ${(err as Error).message}` });
  }
}
const feedLive = (r: TraceRecord): void => {
  if (!live) return;
  try {
    live.add(r);
  } catch (err) {
    // the spans stop; the trace and the session go on
    send({ type: 'warn', message: `live OTLP spans stopped (the trace is not affected): ${(err as Error).message.split('\n')[0]}` });
    live = null;
  }
};

let writer: TraceWriter;
try {
  writer = TraceWriter.create(path, init, { onWarn: (message) => send({ type: 'warn', message }) });
  // the spans' session (ids, command line) is the trace's own, as stored: redacted
  if (writer.session) feedLive(writer.session);
  // One instant on both clocks, so the proxy's thread can stamp records on the writer's time line.
  send({ type: 'ready', now: writer.now(), hr: process.hrtime.bigint().toString() });
} catch (err) {
  send({ type: 'error', message: (err as Error).message });
  port.close();
}

let faulted = false;
const taps = new TapHost({
  write: (r) => {
    writer.write(r);
    feedLive(r);
  },
  fault: (err) => {
    // Once: the session goes on, and one line says the trace is missing something.
    if (faulted) return;
    faulted = true;
    const msg = err instanceof Error ? err.message : String(err);
    send({ type: 'warn', message: `recording degraded (the session is not affected): ${msg.split('\n')[0]}` });
  },
});

// A rehearsal of this thread's hot code (SSE splitting, encoding, framing) on a throwaway encoder,
// before the first batch: compiling it then would take this thread tens of milliseconds of CPU at the
// start of the session, just when the relay needs the machine (a stall measured in the first seconds).
{
  const encoder = new TraceEncoder({ redact: true });
  const encoded: Uint8Array[] = [];
  // through the stream redactor as the writer runs it (deferred, settled per batch)
  const streams = new StreamRedactor({ defer: true });
  const encodeAll = (rs: TraceRecord[]) => {
    for (const r of rs) encoded.push(encoder.encode(r, streams.redacted(r), streams.shapeOf(r)));
  };
  const rehearsal = new TapHost({ write: (r) => encodeAll(streams.push(r)), fault: () => undefined });
  rehearsal.control({ op: 'response-body', key: 1, id: 'r0', coding: null, sse: true });
  for (let i = 0; i < 300; i++) {
    const ev = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"warm ${i}"}}\n\n`;
    rehearsal.chunk(1, i, Buffer.from(i % 2 ? ev.slice(0, 20) : ev));
    if (i % 40 === 39) encodeAll(streams.settle());
  }
  encodeAll(streams.settle());
  rehearsal.control({ op: 'end', key: 1, rec: { kind: 'http-end', t: 300, id: 'r0', outcome: 'complete', bytes: 0 } });
  encoder.frame(encoded);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'batch') {
    readBatch(m.batch, taps);
    // the batch's streamed text is scanned for secrets once, not once per event
    writer.endBatch();
    Atomics.add(takenBytes, 0, batchBytes(m.batch));
    return;
  }
  void taps
    .settle()
    .then(() => writer.close())
    .then(() => live?.close().catch(() => undefined))
    .then(
    () => {
      send({ type: 'closed', degraded: writer.degraded, records: writer.records });
      port.close();
    },
    (err: Error) => {
      send({ type: 'warn', message: `closing the trace failed: ${err.message}` });
      send({ type: 'closed', degraded: err.message, records: writer.records });
      port.close();
    },
  );
});
