// The trace writer's thread (see worker-sink.ts): encoding, framing and writing happen here, so
// their cost never lands on the proxy's event loop.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { TraceRecord } from '../../format/types.js';
import { TraceWriter, type WriterInit } from '../trace/writer.js';

export type ToWorker = { type: 'records'; records: TraceRecord[] } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; now: number; hr: string }
  | { type: 'error'; message: string }
  | { type: 'warn'; message: string }
  | { type: 'ack'; records: number }
  | { type: 'closed'; degraded: string | null; records: number };

const port = parentPort!;
// On Linux this lowers only this thread: when the CPU is short, the relay's thread goes first and
// the trace catches up later (or sheds payloads, see worker-sink.ts).
try {
  setPriority(19);
} catch {
  // not permitted here: same priority as the relay
}
const { path, init } = workerData as { path: string; init: WriterInit };
const send = (m: FromWorker) => port.postMessage(m);

let writer: TraceWriter;
try {
  writer = TraceWriter.create(path, init, { onWarn: (message) => send({ type: 'warn', message }) });
  // One instant on both clocks, so the proxy's thread can stamp records on the writer's time line.
  send({ type: 'ready', now: writer.now(), hr: process.hrtime.bigint().toString() });
} catch (err) {
  send({ type: 'error', message: (err as Error).message });
  port.close();
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'records') {
    for (const r of m.records) writer.write(r);
    send({ type: 'ack', records: m.records.length });
    return;
  }
  void writer.close().then(
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
