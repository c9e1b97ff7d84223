// Bytes → records → session model, in slices that yield to the browser so the page stays responsive
// and can paint a preview (request spans read so far) long before a large trace is fully read.
import { TraceStreamReader, TraceFormatError, type EventRun, type TraceRecord } from '../../format/index.js';
import { SessionBuilder } from '../../analysis/session.js';
import { isModelCall, type ExchangesData } from '../../analysis/handlers/exchanges.js';
import type { SessionModel } from '../../analysis/model.js';
import { nextTick } from './dom.js';
import { responseTo, served } from './early.js';

export interface LoadedSession {
  name: string;
  model: SessionModel;
  /** Every exchange with its records (what the inspector shows). */
  exchanges: ExchangesData;
  /** A trace still being recorded: the reader and the pass, to go on with what arrives (live.ts). */
  follow?: { reader: TraceStreamReader; builder: SessionBuilder; records: number };
}

/** What is known while reading: enough to draw the requests seen so far. */
export interface Preview {
  /** Bytes read / total, when the total is known. */
  fraction: number | null;
  records: number;
  /** Latest record time, ms. */
  lastMs: number;
  spans: Array<{ id: string; startMs: number; endMs: number; open: boolean }>;
}

export interface ByteSource {
  name: string;
  total: number | null;
  stream: ReadableStream<Uint8Array>;
  /** The server says a recorder is still writing this trace (its bytes so far are in `stream`). */
  live?: boolean;
}

/** A one-line reason the trace could not be read. */
export class LoadError extends Error {}

const SLICE_MS = 40;
const PREVIEW_EVERY_MS = 250;
const PIECE = 16 * 1024;

export async function loadProgressive(src: ByteSource, onPreview?: (p: Preview) => void | Promise<void>): Promise<LoadedSession> {
  const reader = new TraceStreamReader();
  const builder = new SessionBuilder();
  let records = 0;
  let lastMs = 0;
  let read = 0;
  let sliceStart = performance.now();
  let lastPreview = -Infinity;
  let previews = 0;
  const preview = async (): Promise<void> => {
    if (!onPreview) return;
    previews++;
    lastPreview = performance.now();
    // The model calls read so far, as the analysis groups them (the same requests the finished view shows).
    const spans = builder
      .exchangesSoFar()
      .filter(isModelCall)
      .map((x) => ({ id: x.id, startMs: x.startMs, endMs: x.lastMs, open: x.end === null }));
    await onPreview({ fraction: src.total ? read / src.total : null, records, lastMs, spans });
  };
  const take = (r: TraceRecord): void => {
    builder.add(r, records++);
    const tMs = r.t / 1000;
    if (tMs > lastMs) lastMs = tMs;
  };
  // Event runs go to the pass whole: its decoders read the runs' text columns, not a record per member.
  const takeRun = (run: EventRun): void => {
    builder.addRun(run, records);
    records += run.n;
    const tMs = run.t[run.n - 1] / 1000;
    if (tMs > lastMs) lastMs = tMs;
  };

  const rs = src.stream.getReader();
  try {
    for (;;) {
      const { done, value } = await rs.read();
      if (done) break;
      read += value.length;
      // Big chunks (a whole file handed over at once) are fed in pieces so that slices stay short: one
      // compressed piece can hold thousands of records.
      for (let o = 0; o < value.length; o += PIECE) {
        reader.pushEach(value.subarray(o, Math.min(value.length, o + PIECE)), take, takeRun);
        if (performance.now() - sliceStart > SLICE_MS) {
          // The first preview as early as possible (first paint), then a few per second.
          if (previews === 0 || performance.now() - lastPreview > PREVIEW_EVERY_MS) await preview();
          await nextTick();
          sliceStart = performance.now();
        }
      }
    }
    if (previews === 0) await preview();
    await nextTick();
    if (src.live && !reader.damage) {
      // still being recorded: a snapshot, and the pass stays open for what follows
      const { model, exchanges } = builder.snapshot({ path: src.name, version: reader.version, truncated: false, bytes: reader.bytes });
      return { name: src.name, model, exchanges, follow: { reader, builder, records } };
    }
    const end = reader.end();
    const { model, exchanges } = builder.analysis({ path: src.name, version: reader.version, truncated: end.truncated, bytes: reader.bytes, damage: end.damage ?? undefined });
    return { name: src.name, model, exchanges };
  } catch (err) {
    if (err instanceof TraceFormatError) throw new LoadError(`${src.name}: ${err.message}`);
    throw new LoadError(`${src.name}: cannot read the trace: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
  } finally {
    rs.releaseLock();
  }
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    total: bytes.length,
    stream: new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    }),
  };
}

export function fileSource(file: File): ByteSource {
  return { name: file.name, total: file.size, stream: file.stream() as ReadableStream<Uint8Array> };
}

/** The trace the lapse server offers next to the page (`url`: one of its sessions); null when there is none (static page). */
export async function serverSource(url: string): Promise<ByteSource | null> {
  if (!served()) return null;
  let res: Response;
  try {
    res = await responseTo(url);
  } catch {
    return null;
  }
  if (!res.ok || !res.body) return null;
  const header = res.headers.get('x-lapse-trace-name');
  let name = 'trace.lapse';
  try {
    if (header) name = decodeURIComponent(header);
  } catch {
    // a malformed name is only cosmetic
  }
  const len = Number(res.headers.get('content-length'));
  return { name, total: Number.isFinite(len) && len > 0 ? len : null, stream: res.body, live: res.headers.get('x-lapse-live') === '1' };
}
