// Bytes → records, in one streaming pass. Runs in Node and in the browser (no node: imports).
import { applyPatchShared } from './patch.js';
import { TraceFormatError } from './errors.js';
import { Dictionary, FILE_HEADER_LENGTH, FLAGS_OFFSET, FLAG_OPEN, FRAME_HEADER_LENGTH, InflateLimitError, MAGIC_BYTES, MAX_FRAME_PAYLOAD, inflateFrame, isKnownCodec, type SizedBrotli, type SizedInflate } from './frame.js';
import { ChunkQueue } from './chunks.js';
import { crc32 } from './crc32.js';
import { packr, setWords, withStringTable } from './packr.js';
import type { HttpDataRecord, HttpRequestRecord, SseEvent, SseRunRecord, SseSameShape, SummaryRecord, TraceReadResult, TraceRecord } from './types.js';
import { withLeaves } from './leaves.js';
import { EventRun } from './runs.js';
import { FrameColumns, fromPlanes } from './columns.js';
import { recordProblem, runProblem } from './validate.js';
import { FORMAT_VERSION } from './types.js';

/** Latest record time a reader accepts: 2^53 µs, about 285 years into a session. */
const MAX_TIME_US = Number.MAX_SAFE_INTEGER;

export interface ReaderOptions {
  /** Rebuild `patch` request bodies into `json` ones (default true). */
  resolveBodies?: boolean;
  /**
   * Most plaintext a trace may inflate to: `base` bytes plus `ratio` × the bytes read so far (default
   * 32 MiB + 32×; real traces stay far below — their frames compress 5–20×). Past it reading stops, as at
   * damage, so a small file can never cost much more time or memory than its size.
   */
  maxInflate?: { base: number; ratio: number };
  /** The DEFLATE implementation for sized frames (default fflate; the CLI passes node:zlib's). */
  inflate?: SizedInflate;
  /** The Brotli decoder for codec 5 frames (default the one format/index.ts sets; the CLI passes node:zlib's). */
  brotli?: SizedBrotli;
}

export const DEFAULT_MAX_INFLATE = { base: 32 * 1024 * 1024, ratio: 32 } as const;

/**
 * Push bytes in any chunking; get back each record as soon as its frame is complete. Holds only the
 * current incomplete frame, the string table, and request bodies (patch bases).
 */
export class TraceStreamReader {
  private readonly pending = new ChunkQueue();
  private offset = 0; // file offset of the first pending byte
  private inflated = 0;
  private readonly maxInflate: { base: number; ratio: number };
  private readonly inflate: SizedInflate | undefined;
  private readonly brotli: SizedBrotli | undefined;
  private headerRead = false;
  private flags = 0;
  private t = 0;
  private readonly strings: string[] = [];
  private readonly bodies = new Map<string, unknown>();
  private readonly lastEvents = new Map<string, Map<string, unknown>>();
  private lastEventsId: string | null = null;
  private lastEventsOfId: Map<string, unknown> | undefined;
  private readonly dictionary = new Dictionary();
  private readonly resolveBodies: boolean;
  private stopped: string | null = null;
  /** A trace without its session record (cut right after the 8-byte header) is not complete. */
  private sawSession = false;
  version = { major: 0, minor: 0 };
  bytes = 0;
  /** The summary a compacted trace carries in its first frame, once read. */
  summary: SummaryRecord | null = null;
  /** The current frame's `columns` record (1.3), as runs take their values from it. */
  private frameColumns: FrameColumns | null = null;
  /** Records returned after the session record, to hold against the summary's count. */
  private counted = 0;

  constructor(opts: ReaderOptions = {}) {
    this.resolveBodies = opts.resolveBodies ?? true;
    this.maxInflate = opts.maxInflate ?? DEFAULT_MAX_INFLATE;
    this.inflate = opts.inflate;
    this.brotli = opts.brotli;
  }

  /** Plaintext bytes inflated so far (bounded by `maxInflate`). */
  get inflatedBytes(): number {
    return this.inflated;
  }

  /** The header's open flag: the recorder was still writing the trace when its header was read. */
  get open(): boolean {
    return (this.flags & FLAG_OPEN) !== 0;
  }

  /**
   * The recorder cleared the open flag after the header was read: a reader that followed the file
   * while it was written (a live view) then reads it as finished, as it would read the file now.
   */
  markClosed(): void {
    this.flags &= ~FLAG_OPEN;
  }

  /** The reason reading stopped early (damage), if it did. */
  get damage(): string | null {
    return this.stopped;
  }

  push(chunk: Uint8Array): TraceRecord[] {
    const out: TraceRecord[] = [];
    this.pushEach(chunk, (r) => out.push(r));
    return out;
  }

  /**
   * Like push, but hands each record to `emit` as it is decoded (nothing is kept). With `emitRun`,
   * the members of an `sse-run` go to it as one EventRun instead of one `http-data` record each (they
   * still count as records in trace order: a run of n takes n indexes).
   */
  pushEach(chunk: Uint8Array, emit: (rec: TraceRecord) => void, emitRun?: (run: EventRun) => void): void {
    this.bytes += chunk.length;
    if (this.stopped) return;
    this.pending.push(chunk);
    if (!this.headerRead) {
      if (this.pending.length < FILE_HEADER_LENGTH) {
        this.checkMagicPrefix();
        return;
      }
      this.readFileHeader();
      this.consume(FILE_HEADER_LENGTH);
    }
    for (;;) {
      if (this.pending.length < FRAME_HEADER_LENGTH) break;
      const length = this.pending.u32(0);
      const crc = this.pending.u32(4);
      const codec = this.pending.at(8);
      if (length > MAX_FRAME_PAYLOAD || !isKnownCodec(codec)) {
        this.stop(`damaged frame header at byte ${this.offset}`);
        break;
      }
      if (this.pending.length < FRAME_HEADER_LENGTH + length) break;
      const frameOffset = this.offset;
      this.consume(FRAME_HEADER_LENGTH);
      const payload = this.pending.take(length);
      this.offset += length;
      if (crc32(payload) !== crc) {
        this.stop(`damaged frame at byte ${frameOffset} (checksum mismatch)`);
        break;
      }
      if (!this.decodeFrame(payload, codec, frameOffset, emit, emitRun)) break;
    }
  }

  /** Call after the last chunk: says whether the bytes ended inside a frame (or reading stopped on damage). */
  end(): { truncated: boolean; damage: string | null } {
    if (!this.headerRead) {
      if (this.bytes === 0) throw new TraceFormatError('empty file: not a lapse trace');
      throw new TraceFormatError('not a lapse trace (file too short for its header)');
    }
    // A writer that never closed the file (kill -9, a full disk) left its open flag set: the trace may
    // end at a frame boundary and still be missing its tail.
    const unfinished = (this.flags & FLAG_OPEN) !== 0 ? 'the recorder did not finish this trace (killed, or its disk filled up)' : null;
    const headless = this.sawSession ? null : 'the trace ends before its session record';
    // a closed trace cut at a frame boundary (a copy cut short): its summary counted more records
    const short = this.summary && this.counted < this.summary.records ? `the trace ends after ${this.counted} of the ${this.summary.records} records its summary counts` : null;
    const damage = this.stopped ?? (this.pending.length > 0 ? null : (unfinished ?? headless ?? short));
    return { truncated: this.stopped !== null || this.pending.length > 0 || unfinished !== null || headless !== null || short !== null, damage };
  }

  private checkMagicPrefix(): void {
    const n = Math.min(this.pending.length, MAGIC_BYTES.length);
    for (let i = 0; i < n; i++) if (this.pending.at(i) !== MAGIC_BYTES[i]) throw new TraceFormatError('not a lapse trace (bad magic bytes)');
  }

  private readFileHeader(): void {
    this.checkMagicPrefix();
    const major = this.pending.at(MAGIC_BYTES.length);
    const minor = this.pending.at(MAGIC_BYTES.length + 1);
    if (major > FORMAT_VERSION.major) {
      throw new TraceFormatError(
        `trace format ${major}.${minor} is newer than this lapse reads (${FORMAT_VERSION.major}.x): upgrade lapse to read it`,
      );
    }
    if (major < 1) throw new TraceFormatError(`not a lapse trace (format version ${major}.${minor} does not exist)`);
    this.version = { major, minor };
    this.flags = this.pending.at(FLAGS_OFFSET);
    this.headerRead = true;
  }

  private consume(n: number): void {
    this.pending.take(n);
    this.offset += n;
  }

  private stop(reason: string): void {
    this.stopped = reason;
    this.pending.clear();
  }

  /**
   * Decodes a frame and hands each record on as soon as it is decoded: keeping a whole frame's records
   * alive together (tens of thousands) would push them all into the old generation of the GC.
   */
  private decodeFrame(payload: Uint8Array, codec: number, frameOffset: number, emit: (rec: TraceRecord) => void, emitRun: ((run: EventRun) => void) | undefined): boolean {
    let plain: Uint8Array;
    const limit = this.maxInflate.base + this.maxInflate.ratio * this.bytes - this.inflated;
    try {
      plain = inflateFrame(payload, codec, this.dictionary, Math.max(0, limit), this.inflate, this.brotli);
    } catch (err) {
      if (err instanceof InflateLimitError) {
        const { base, ratio } = this.maxInflate;
        this.stop(`frame at byte ${frameOffset} would inflate past ${ratio}× the file plus ${Math.round(base / 1048576)} MiB: not read (an inflate bomb?)`);
      } else this.stop(`damaged frame at byte ${frameOffset} (cannot decompress)`);
      return false;
    }
    if (codec !== 0) this.inflated += plain.length;
    this.dictionary.append(plain);
    this.frameColumns = null;
    let ok = true;
    let consumerError: { err: unknown } | null = null;
    const onValue = (v: unknown): boolean => {
      // string records define entries used by the records after them in the same frame
      if (isStringRecord(v)) {
        this.strings.push(v.value);
        return true;
      }
      if ((v as { kind?: unknown })?.kind === 'words') {
        const problem = recordProblem(v);
        if (problem) {
          this.stop(`damaged record in frame at byte ${frameOffset} (${problem})`);
          return (ok = false);
        }
        setWords((v as { words: string[] }).words);
        return true;
      }
      if ((v as { kind?: unknown })?.kind === 'columns') {
        const problem = recordProblem(v);
        const c = v as { dt?: Uint8Array; lengths?: number[] };
        const dt = problem || !c.dt ? null : fromPlanes(c.dt);
        if (problem || (c.dt && !dt)) {
          this.stop(`damaged record in frame at byte ${frameOffset} (${problem ?? 'malformed columns record (dt)'})`);
          return (ok = false);
        }
        this.frameColumns = new FrameColumns(dt, c.lengths ?? null);
        return true;
      }
      if ((v as { kind?: unknown })?.kind === 'sse-run') {
        try {
          if (!this.acceptRun(v, frameOffset, emit, emitRun)) return (ok = false);
        } catch (err) {
          consumerError = { err };
          return (ok = false);
        }
        return true;
      }
      const rec = this.accept(v, frameOffset);
      if (!rec) return (ok = false);
      if ((rec.kind as string) === 'summary') {
        // figures about the trace, not an event in it: kept aside for listings
        this.summary = rec as unknown as SummaryRecord;
        return true;
      }
      if (rec.kind !== 'session') this.counted++;
      try {
        emit(rec);
      } catch (err) {
        consumerError = { err };
        return (ok = false);
      }
      return true;
    };
    try {
      // a frame's word table (1.3) holds for that frame only
      setWords(null);
      withStringTable(this.strings, () => packr.unpackMultiple(plain, onValue));
    } catch (err) {
      if (consumerError) throw (consumerError as { err: unknown }).err;
      this.stop(`damaged record in frame at byte ${frameOffset}: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
      return false;
    } finally {
      setWords(null);
    }
    if (consumerError) throw (consumerError as { err: unknown }).err;
    return ok;
  }

  /** Validates a decoded value, makes its time absolute and rebuilds its stored forms; null on damage. */
  private accept(v: unknown, frameOffset: number): TraceRecord | null {
    const rec = this.validate(v, frameOffset);
    if (!rec) return null;
    this.t += rec.t;
    if (this.t < 0) {
      // records may be written slightly out of order, but nothing happens before the session starts
      this.stop(`damaged record in frame at byte ${frameOffset} (time before the session start)`);
      return null;
    }
    if (!(this.t <= MAX_TIME_US)) {
      // a time past any session (t = 1e308, Infinity) would turn every figure after it into nonsense
      this.stop(`damaged record in frame at byte ${frameOffset} (time past any session)`);
      return null;
    }
    if (rec.kind === 'session') this.sawSession = true;
    rec.t = this.t;
    if (rec.kind === 'http-data' && rec.sse) {
      if (!this.resolveSse(rec)) {
        this.stop(`damaged record in frame at byte ${frameOffset} (event shape without a previous event)`);
        return null;
      }
    } else if (rec.kind === 'http-request' && this.resolveBodies) {
      const problem = this.resolveRequestBody(rec);
      if (problem) {
        this.stop(`damaged record in frame at byte ${frameOffset} (${problem})`);
        return null;
      }
    } else if (rec.kind === 'http-end') {
      this.lastEvents.delete(rec.id);
      if (this.lastEventsId === rec.id) this.lastEventsId = null;
    }
    return rec;
  }

  /**
   * Hands on a run: whole to `emitRun` when the consumer takes runs, else each member as an
   * `http-data` record; false on damage.
   */
  private acceptRun(v: unknown, frameOffset: number, emit: (rec: TraceRecord) => void, emitRun: ((run: EventRun) => void) | undefined): boolean {
    const damaged = (why: string) => {
      this.stop(`damaged record in frame at byte ${frameOffset} (${why})`);
      return false;
    };
    // joined columns stored without their lengths (1.3) take them from the frame's columns record
    const cols = (v as { cols?: unknown })?.cols;
    if (Array.isArray(cols)) {
      for (const c of cols) {
        if (!c || typeof c !== 'object' || Array.isArray(c) || (c as { lengths?: unknown }).lengths !== undefined) continue;
        const lengths = this.frameColumns?.takeLengths((v as { n: number }).n);
        if (!lengths) return damaged('a joined column without its lengths');
        (c as { lengths: number[] }).lengths = lengths;
      }
    }
    const problem = runProblem(v);
    if (problem) return damaged(problem);
    const run = v as SseRunRecord;
    const byName = this.eventsOf(run.id);
    const key = run.ids === undefined ? (run.event ?? '') : `${run.event ?? ''}\u0000id`;
    const base = byName.get(key);
    if (base === undefined) return damaged('event run without a previous event of its shape');
    const n = run.n;
    const times = new Float64Array(n);
    let dt: ArrayLike<number>;
    if (run.dt) dt = int32le(run.dt);
    else {
      // a run of one needs no deltas: its frame may have no columns record at all
      const taken = n === 1 ? EMPTY_DELTAS : this.frameColumns?.takeDeltas(n - 1);
      if (!taken) return damaged('event run without its times');
      dt = taken;
    }
    let t = this.t + run.t;
    times[0] = t;
    let min = t;
    for (let k = 1; k < n; k++) {
      t += dt[k - 1];
      times[k] = t;
      if (t < min) min = t;
    }
    if (min < 0) return damaged('time before the session start');
    const members = new EventRun(run.id, run.event, run.ids, n, times, base, run.leaves, run.cols);
    const misfit = members.problem();
    if (misfit) return damaged(misfit);
    this.t = t;
    this.counted += n;
    byName.set(key, members.data(n - 1));
    if (emitRun) emitRun(members);
    else for (let k = 0; k < n; k++) emit(members.record(k));
    return true;
  }

  private eventsOf(id: string): Map<string, unknown> {
    let byName = id === this.lastEventsId ? this.lastEventsOfId : this.lastEvents.get(id);
    if (!byName) this.lastEvents.set(id, (byName = new Map()));
    // consecutive events mostly belong to one stream: skip the map lookup for them
    this.lastEventsId = id;
    this.lastEventsOfId = byName;
    return byName;
  }

  private validate(v: unknown, frameOffset: number): TraceRecord | null {
    const problem = recordProblem(v);
    if (problem) {
      this.stop(`damaged record in frame at byte ${frameOffset} (${problem})`);
      return null;
    }
    return v as TraceRecord;
  }

  /** Turns a stored `same`-shape event back into a structured one; remembers structured events. */
  private resolveSse(rec: HttpDataRecord): boolean {
    const ev = rec.sse as SseEvent | SseSameShape;
    if (ev.form === 'raw') return true;
    const byName = this.eventsOf(rec.id);
    const key = ev.id === undefined ? (ev.event ?? '') : `${ev.event ?? ''}\u0000id`;
    if (ev.form === 'same') {
      const prev = byName.get(key);
      if (prev === undefined || !Array.isArray(ev.changes)) return false;
      const data = withLeaves(prev, ev.changes);
      const out: SseEvent = { form: 'structured', data };
      if (ev.event !== undefined) out.event = ev.event;
      if (ev.id !== undefined) out.id = ev.id;
      rec.sse = out;
      byName.set(key, data);
    } else if (typeof ev.data === 'object' && ev.data !== null) {
      byName.set(key, ev.data);
    }
    return true;
  }

  /** Rebuilds a patch body (and remembers JSON bodies as bases); what is wrong, when it cannot. */
  private resolveRequestBody(rec: HttpRequestRecord): string | null {
    const body = rec.body;
    if (body.enc === 'json') {
      this.bodies.set(rec.id, body.value);
    } else if (body.enc === 'patch') {
      const base = this.bodies.get(body.base);
      if (base === undefined) return `request ${rec.id} is a patch against ${body.base}, which the trace does not hold`;
      let value: unknown;
      try {
        value = applyPatchShared(base, body.ops);
      } catch (err) {
        return `request ${rec.id}: its patch does not apply (${String((err as Error)?.message ?? err).split('\n')[0]})`;
      }
      this.bodies.set(rec.id, value);
      rec.body = { enc: 'json', value };
    }
    return null;
  }
}

const EMPTY_DELTAS = new Int32Array(0);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Little-endian int32s as an array (a copy: the bytes need not be aligned). */
function int32le(bytes: Uint8Array): ArrayLike<number> {
  if (LITTLE_ENDIAN) return new Int32Array(bytes.slice().buffer, 0, bytes.length >> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length >> 2 }, (_, i) => view.getInt32(4 * i, true));
}

function isStringRecord(v: unknown): v is { kind: 'string'; index: number; value: string } {
  const r = v as { kind?: unknown; value?: unknown };
  return !!r && typeof r === 'object' && r.kind === 'string' && typeof r.value === 'string';
}

/** Reads a whole trace held in memory. Throws TraceFormatError when the bytes are not a trace. */
export function readTrace(bytes: Uint8Array, opts: ReaderOptions = {}): TraceReadResult {
  const reader = new TraceStreamReader(opts);
  const records = reader.push(bytes);
  const { truncated, damage } = reader.end();
  const result: TraceReadResult = { version: reader.version, records, truncated, bytes: bytes.length };
  if (damage) result.damage = damage;
  return result;
}
