// Re-encoding a finished trace: while recording, frames are small (one per ~50 ms, for crash safety),
// so same-shape event runs are cut every few events and each frame's deflate starts nearly cold. Once
// the session is over its records are encoded again into large frames (runs whole, up to a frame),
// and the first frame gains a `summary` record, so a listing reads the figures without the rest.
import { TraceEncoder } from './encoder.js';
import { TraceStreamReader } from './reader.js';
import { TraceFormatError } from './errors.js';
import { Codec, brotliPayload, buildFrame } from './frame.js';
import { concatBytes } from './bytes.js';
import { packForBrotli } from './columns.js';
import { FORMAT_VERSION, type SessionRecord, type SummaryRecord, type TraceRecord } from './types.js';

/**
 * Plaintext per output frame: 256 KiB, after first frames of 16, 32, 64 and 128 KiB. A reader hands
 * records on per frame, so a small first frame is what lets a viewer draw the start of a large trace
 * at once; the deflate dictionary chains across frames, so the small ones cost almost nothing.
 */
const TARGET = 256 * 1024;
const FIRST_TARGET = 16 * 1024;

export function emptySummary(): SummaryRecord {
  return { kind: 'summary', t: 0, records: 0, lastT: 0, httpRequests: 0, wsMessagesUp: 0 };
}

/** Counts one record that follows the first frame into a summary (SPEC.md, Summary). */
export function countInSummary(summary: SummaryRecord, r: TraceRecord): void {
  summary.records++;
  if (r.t > summary.lastT) summary.lastT = r.t;
  if (r.kind === 'http-request') summary.httpRequests++;
  else if (r.kind === 'ws-message' && r.dir === 'up') summary.wsMessagesUp++;
}

/**
 * Counts the model requests as the records go by, for the summary's `requests` (the analysis'
 * `RequestCounter`: format/ does not know which paths are model calls).
 */
export interface RequestCount {
  add(r: TraceRecord): void;
  readonly requests: number;
}

/**
 * Records plaintext up to which a compacted trace holds its records in one Brotli frame (codec 5)
 * rather than chained DEFLATE frames: Brotli's window spans the whole session (DEFLATE's 32 KiB
 * does not reach back to the start of a conversation) and its literals are context-modelled — the
 * 20-step session of bench/trace-size is ~30 % smaller. The bound is the browser's: it has no Brotli,
 * so the viewer decodes with a JavaScript one (~11 MB/s, one-shot), and 1 MiB of plaintext is ~0.1 s
 * before the first record; larger traces keep frames a reader hands on one by one.
 */
export const BROTLI_MAX_PLAINTEXT = 1024 * 1024;

/**
 * A Brotli encoder (format/ has none of its own: the CLI passes node:zlib's); `quick`: a fast setting,
 * only to compare two plaintexts' sizes.
 */
export type BrotliEncode = (plain: Uint8Array, quick?: boolean) => Uint8Array;

export interface CompactOptions {
  /** With it, a trace of at most BROTLI_MAX_PLAINTEXT of records is written as one Brotli frame. */
  brotli?: BrotliEncode;
}

/**
 * The same trace re-encoded in large frames with a summary in its first frame (the session frame
 * stays first and plain). Returns null when the input is truncated or damaged: such a file is left as
 * it is. Request bodies keep their stored forms (patches stay patches against the same bases).
 * With `count`, the summary also carries `requests`.
 */
export function compactTrace(bytes: Uint8Array, count?: RequestCount, opts: CompactOptions = {}): Uint8Array | null {
  const reader = new TraceStreamReader({ resolveBodies: false });
  // Bodies and secrets were already redacted when the trace was recorded: re-encode them as they are.
  const encoder = new TraceEncoder({ redact: false });
  let session: SessionRecord | null = null;
  const groups: Uint8Array[][] = [];
  let group: Uint8Array[] = [];
  let size = 0;
  const summary = emptySummary();
  const take = (r: TraceRecord) => {
    count?.add(r);
    if (r.kind === 'session' && !session) {
      session = r;
      return;
    }
    countInSummary(summary, r);
    const b = encoder.encode(r);
    if (b.length) {
      group.push(b);
      size += b.length;
    }
    if (size >= Math.min(TARGET, FIRST_TARGET * 2 ** groups.length)) {
      group.push(encoder.endRun());
      groups.push(group);
      group = [];
      size = 0;
    }
  };
  let end;
  try {
    reader.pushEach(bytes, take);
    end = reader.end();
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    return null;
  }
  if (end.truncated || !session) return null;
  if (count) summary.requests = count.requests;
  group.push(encoder.endRun());
  groups.push(group);
  // The head and the frames after it are compressed by a second encoder, whose deflate dictionary
  // then chains from the head, as a reader's does.
  const framer = new TraceEncoder({ redact: false });
  const out: Uint8Array[] = [framer.encodeHeader({ ...(session as SessionRecord), formatVersion: { ...FORMAT_VERSION } }, summary)];
  let total = 0;
  for (const g of groups) for (const b of g) total += b.length;
  if (opts.brotli && total > 0 && total <= BROTLI_MAX_PLAINTEXT) {
    const records = concatBytes(groups.flat());
    // Word coding pays where words recur as they are (bench/trace-size: −2.2 KB), but costs a real
    // Claude Code session ~10 %: its English and code is what Brotli's own dictionary and letter
    // contexts model, and codes hide it. The quick setting ranks the two; the smaller is written.
    const [coded, plain] = [packForBrotli(records, true), packForBrotli(records, false)];
    const pick = opts.brotli(coded, true).length < opts.brotli(plain, true).length ? coded : plain;
    out.push(buildFrame(brotliPayload(pick, opts.brotli(pick)), Codec.Brotli));
  } else for (const g of groups) if (g.some((b) => b.length)) out.push(framer.frame(g, true));
  let n = 0;
  for (const b of out) n += b.length;
  const all = new Uint8Array(n);
  let o = 0;
  for (const b of out) (all.set(b, o), (o += b.length));
  return all;
}
