// Record → bytes. Synchronous and cheap per record (the proxy calls it on its hot path);
// the costlier compression happens once per frame, when the writer flushes a batch.
import jsonpatch from 'fast-json-patch';
import { classifyBytes, classifyText } from './body.js';
import { applyPatchShared } from './patch.js';
import { concatBytes } from './bytes.js';
import { Codec, Dictionary, buildFrame, deflateFrame, fileHeader, type RawDeflate } from './frame.js';
import { StringRef, packr } from './packr.js';
import { redactArgv, redactHeaders, redactJsonParts, redactText, redactUrl } from './redact.js';
import { formatSse, structureSse } from './sse.js';
import type { Body, HttpDataRecord, JsonPatchOp, SessionRecord, SseEvent, SseRunRecord, StringRecord, SummaryRecord, TraceRecord } from './types.js';
import { shapeOf, type Shape } from './leaves.js';
import { FORMAT_VERSION } from './types.js';
import { latin1Decode, latin1Encode, utf8DecodeStrict } from './utf8.js';

export interface EncoderOptions {
  /** Replace secrets before encoding (default true). */
  redact?: boolean;
  /** Compress frames (default true). */
  compress?: boolean;
  /** How many earlier request bodies are tried as patch bases (default 4). */
  patchCandidates?: number;
  /** Strings at least this long are stored once in the string table (default 1024). */
  largeString?: number;
  /** Upper bound on string-table memory; past it, new large strings are stored inline (default 64 MiB). */
  stringTableBudget?: number;
  /** The DEFLATE implementation for frames (default fflate; the CLI's writer passes node:zlib's). */
  deflate?: RawDeflate;
}

interface Candidate {
  id: string;
  value: unknown;
  /** Length of the value's JSON text. */
  size: number;
}

/** Same-shape events of one stream being gathered into an `sse-run` record (see SPEC.md). */
interface OpenRun {
  streamId: string;
  key: string;
  event?: string;
  /** The leaves of the event before the run (the reader's base). */
  base: unknown[];
  leaves: unknown[][];
  ids: string[] | undefined;
  /** Stored time deltas, one per member. */
  dts: number[];
}

export class TraceEncoder {
  private readonly redact: boolean;
  private readonly compress: boolean;
  private readonly patchCandidates: number;
  private readonly largeString: number;
  private readonly stringTableBudget: number;
  private readonly deflate: RawDeflate | undefined;
  private readonly candidates: Candidate[] = [];
  /** Request bodies stored as patches, by id: what they repeat of their base (for `http-timing`). */
  private readonly repeats = new Map<string, { base: string; bytes: number }>();
  /** Parts of JSON bodies already redacted (see redactJsonParts): a resent history is not scanned again. */
  private readonly redactedParts = new WeakMap<object, unknown>();
  /** Parts of request bodies already serialised (see grownPatch). */
  private readonly parts: PartCache = new WeakMap();
  private readonly strings = new Map<string, number>();
  /** Per response stream: the last structured event's shape, by event name. */
  private readonly lastEvents = new Map<string, Map<string, Shape>>();
  private stringBytes = 0;
  private lastT = 0;
  private run: OpenRun | null = null;
  private readonly dictionary = new Dictionary();

  constructor(opts: EncoderOptions = {}) {
    this.redact = opts.redact ?? true;
    this.compress = opts.compress ?? true;
    this.patchCandidates = opts.patchCandidates ?? 4;
    this.largeString = opts.largeString ?? 1024;
    this.stringTableBudget = opts.stringTableBudget ?? 64 * 1024 * 1024;
    this.deflate = opts.deflate;
  }

  /**
   * The file's first bytes: magic and version, then the session record (and, for a compacted trace,
   * its summary) in a plain frame.
   */
  encodeHeader(session: SessionRecord, summary?: SummaryRecord): Uint8Array {
    const rec: SessionRecord = {
      ...session,
      formatVersion: { major: FORMAT_VERSION.major, minor: FORMAT_VERSION.minor },
      // a trace re-encoded from an already redacted one (compaction) keeps saying so
      redacted: this.redact || session.redacted,
      argv: this.redact ? redactArgv(session.argv) : session.argv,
      // a gateway URL may carry credentials (http://user:pass@gateway)
      upstreams: this.redact ? (Object.fromEntries(Object.entries(session.upstreams).map(([k, v]) => [k, redactUrl(v)])) as SessionRecord['upstreams']) : session.upstreams,
    };
    const records = [this.encode(rec)];
    if (summary) records.push(this.encode({ ...summary, t: 0 } as unknown as TraceRecord));
    const frame = this.frame(records, false, Codec.Plain);
    const head = fileHeader(FORMAT_VERSION.major, FORMAT_VERSION.minor);
    const out = new Uint8Array(head.length + frame.length);
    out.set(head, 0);
    out.set(frame, head.length);
    return out;
  }

  /**
   * One record's plaintext (msgpack), preceded by any string-table definitions it needs. Bodies given as
   * bytes and SSE given raw are turned into their compact lossless forms here; secrets are redacted.
   * A streamed event with the shape of the one before it is held back and gathered with the events of
   * the same shape that follow into one columnar `sse-run` record: the bytes returned then are empty,
   * and the run comes out with the next record of another kind, stream or shape, or with `frame()`.
   * `redacted`: a structured event already redacted whole (StreamRedactor.redacted) is not scanned again;
   * `shape`: its data's shape, when known (StreamRedactor.shapeOf), is not taken again.
   */
  encode(input: TraceRecord, redacted = false, shape?: Shape): Uint8Array {
    let sse: SseEvent | undefined;
    if (input.kind === 'http-data' && input.sse && !input.chunk && Object.keys(input).length === 4) {
      const taken = this.runMember(input, redacted, shape);
      if (taken instanceof Uint8Array) return taken;
      sse = taken;
    }
    // the open run ends before this record takes string-table entries: entries stay in index order
    const parts = this.closeRun();
    const defs: StringRecord[] = [];
    const rec = sse ? { ...(input as HttpDataRecord), sse: this.stored(sse, defs) } : this.prepare(input, defs);
    const t = Math.round(rec.t);
    // t last: the rest of a record often repeats the previous one byte for byte, and one long
    // deflate match is cheaper than two around a changing number.
    const { t: _t, ...rest } = rec;
    const stored = { ...rest, t: t - this.lastT } as TraceRecord;
    this.lastT = t;
    for (const d of defs) parts.push(packr.pack(d));
    parts.push(packr.pack(stored));
    return concatBytes(parts);
  }

  /**
   * Frames a batch of encoded records. Frames must be written in the order they are made: each
   * compressed frame uses the plaintext before it as its deflate dictionary. An open run ends here.
   */
  frame(records: Uint8Array[], compress = this.compress, plainCodec = Codec.Plain11): Uint8Array {
    const plain = concatBytes([...records, this.endRun()]);
    let payload = plain;
    let codec = plainCodec;
    if (compress && plain.length > 64) {
      const packed = deflateFrame(plain, this.dictionary, 6, this.deflate);
      if (packed) {
        payload = packed;
        codec = Codec.Deflate11;
      }
    }
    this.dictionary.append(plain);
    return buildFrame(payload, codec);
  }

  /**
   * A streamed event with the shape of the previous one of its name joins the open run (or starts one):
   * the bytes returned are empty, or the run it ended. Otherwise the event as it is to be stored alone.
   */
  private runMember(rec: HttpDataRecord, redacted: boolean, known: Shape | undefined): Uint8Array | SseEvent {
    // a structured event the stream redactor released whole is stored as it is (not scanned again)
    const whole = redacted && rec.sse?.form === 'structured';
    const e = whole ? (rec.sse as SseEvent) : this.redactedSse(rec.sse as SseEvent);
    if (e.form !== 'structured' || typeof e.data !== 'object' || e.data === null) return e;
    const shape = whole && known ? known : shapeOf(e.data);
    if (!shape) return e;
    const byName = this.eventsOf(rec.id);
    const key = sseKey(e);
    const prev = byName.get(key);
    byName.set(key, shape);
    if (!prev || prev.sig !== shape.sig) return e; // the first of its shape: stored whole
    let out: Uint8Array = EMPTY;
    if (this.run && (this.run.streamId !== rec.id || this.run.key !== key)) out = concatBytes(this.closeRun());
    if (!this.run) this.run = { streamId: rec.id, key, event: e.event, base: prev.leaves, leaves: [], ids: e.id === undefined ? undefined : [], dts: [] };
    const t = Math.round(rec.t);
    this.run.dts.push(t - this.lastT);
    this.lastT = t;
    this.run.leaves.push(shape.leaves);
    if (this.run.ids && e.id !== undefined) this.run.ids.push(e.id);
    return out;
  }

  /** The open run's bytes (empty when none): what a batch of encoded records needs at its end. */
  endRun(): Uint8Array {
    const parts = this.closeRun();
    return parts.length ? concatBytes(parts) : EMPTY;
  }

  /** The open run as bytes (its string definitions first), and no open run; [] when none. */
  private closeRun(): Uint8Array[] {
    const run = this.run;
    if (!run) return [];
    this.run = null;
    const n = run.leaves.length;
    // the leaves that change anywhere in the run, each as a column of its values
    const changing: number[] = [];
    const width = run.base.length;
    for (let i = 0; i < width; i++) {
      let prev = run.base[i];
      for (let k = 0; k < n; k++) {
        const v = run.leaves[k][i];
        if (v !== prev) {
          changing.push(i);
          break;
        }
        prev = v;
      }
    }
    const defs: StringRecord[] = [];
    const cols = changing.map((i) => joinStrings(run.leaves.map((l) => this.dedup(l[i], defs))));
    const dt = new Uint8Array(4 * (n - 1));
    const view = new DataView(dt.buffer);
    for (let k = 1; k < n; k++) view.setInt32(4 * (k - 1), run.dts[k], true);
    const stored: SseRunRecord = { kind: 'sse-run', id: run.streamId, n, leaves: changing, cols, dt, t: run.dts[0] };
    if (run.event !== undefined) stored.event = run.event;
    if (run.ids) stored.ids = run.ids;
    const parts = defs.map((d) => packr.pack(d));
    parts.push(packr.pack(reorderT(stored)));
    return parts;
  }

  private prepare(rec: TraceRecord, defs: StringRecord[]): TraceRecord {
    switch (rec.kind) {
      case 'http-request': {
        const body = this.requestBody(rec.id, rec.body, defs);
        return { ...rec, url: this.redact ? redactUrl(rec.url) : rec.url, upstream: this.redact ? redactUrl(rec.upstream) : rec.upstream, headers: this.headers(rec.headers), body };
      }
      case 'http-response':
        return { ...rec, headers: this.headers(rec.headers) };
      case 'http-timing': {
        const repeat = this.repeats.get(rec.id);
        this.repeats.delete(rec.id);
        // a record read back (compaction) keeps what its writer found
        return repeat && rec.repeat === undefined ? { ...rec, repeat } : rec;
      }
      case 'http-data': {
        const out = { ...rec };
        if (rec.sse) out.sse = this.sse(rec.id, rec.sse, defs);
        if (rec.chunk) out.chunk = this.payload(rec.chunk, defs);
        return out;
      }
      case 'ws-open':
        return {
          ...rec,
          url: this.redact ? redactUrl(rec.url) : rec.url,
          upstream: this.redact ? redactUrl(rec.upstream) : rec.upstream,
          // a key can travel as a subprotocol (`openai-insecure-api-key.sk-…`)
          protocol: this.redact ? redactText(rec.protocol) : rec.protocol,
          headers: this.headers(rec.headers),
          responseHeaders: rec.responseHeaders ? this.headers(rec.responseHeaders) : undefined,
        };
      case 'ws-message':
        return { ...rec, data: this.payload(rec.data, defs) };
      case 'http-end':
        this.lastEvents.delete(rec.id);
        return this.redact && rec.message ? { ...rec, message: redactText(rec.message) } : rec;
      case 'ws-close':
        return this.redact ? { ...rec, reason: redactText(rec.reason) } : rec;
      case 'marker':
        return this.redact ? { ...rec, label: redactText(rec.label) } : rec;
      case 'drop':
        return this.redact ? { ...rec, reason: redactText(rec.reason) } : rec;
      case 'file':
        if (!this.redact) return rec;
        {
          const out = { ...rec, path: redactText(rec.path) };
          if (rec.from !== undefined) out.from = redactText(rec.from);
          if (rec.diff !== undefined) out.diff = redactText(rec.diff);
          return out;
        }
      case 'process-start':
        return this.redact ? { ...rec, argv: redactArgv(rec.argv) } : rec;
      case 'term-output':
        return { ...rec, data: this.payload(rec.data, defs) };
      case 'term-input':
        return this.redact && rec.text !== undefined ? { ...rec, text: redactText(rec.text) } : rec;
      default:
        return rec;
    }
  }

  private headers<H extends Record<string, string | string[]>>(h: H): H {
    return (this.redact ? redactHeaders(h) : h) as H;
  }

  /** Bytes → json/text/bytes, redacted, large strings into the table. */
  private payload(body: Body, defs: StringRecord[]): Body {
    const b = this.normalize(body);
    if (b.enc === 'json') return { enc: 'json', value: this.dedup(b.value, defs) };
    if (b.enc === 'text' && b.text.length >= this.largeString) return { enc: 'text', text: this.dedup(b.text, defs) as string };
    return b;
  }

  /** The redacted json/text/bytes form of a body (no string-table work). */
  private normalize(body: Body): Body {
    if (body.enc === 'bytes') {
      const text = utf8DecodeStrict(body.bytes);
      if (text !== undefined) return classifyText(this.redact ? redactText(text) : text);
      return this.redact ? { enc: 'bytes', bytes: latin1Encode(redactText(latin1Decode(body.bytes))) } : body;
    }
    if (!this.redact) return body;
    if (body.enc === 'text') return classifyText(redactText(body.text));
    if (body.enc === 'json') {
      const parts = redactJsonParts(body.value, this.redactedParts);
      if (parts !== undefined) return parts === body.value ? body : { enc: 'json', value: parts };
      const text = JSON.stringify(body.value);
      const red = redactText(text);
      return red === text ? body : classifyText(red);
    }
    return body;
  }

  private requestBody(id: string, body: Body, defs: StringRecord[]): Body {
    const b = this.normalize(body);
    // a stored patch (a trace being compacted) keeps its base
    if (b.enc === 'patch') return { ...b, ops: b.ops.map((op) => ('value' in op ? { ...op, value: this.dedup(op.value, defs) } : op)) };
    if (b.enc !== 'json') return this.payload(b, defs);
    const value = b.value;
    // A conversation resent with messages appended (the usual next request) gets its patch from the
    // new parts alone; anything else is compared and checked against its whole JSON text.
    let text: string | undefined;
    const grown = this.candidates.map((c) => grownPatch(c.value, c.size, value, this.parts));
    let size: number | undefined;
    for (let i = grown.length - 1; i >= 0 && size === undefined; i--) size = grown[i]?.size;
    if (size === undefined) size = (text = JSON.stringify(value)).length;
    let best: Body = { enc: 'json', value };
    let bestSize = size; // JSON text length approximates its msgpack size closely enough to rank
    for (let i = this.candidates.length - 1; i >= 0; i--) {
      const c = this.candidates[i];
      const g = grown[i];
      const ops = g ? g.ops : (jsonpatch.compare(c.value as object, value as object) as JsonPatchOp[]);
      const opsSize = g ? g.opsSize : JSON.stringify(ops).length;
      if (opsSize >= bestSize * 0.9) continue;
      // Key order is not part of JSON equality but is part of the bytes: keep a patch only if it
      // rebuilds them (a grown conversation's always does).
      if (!g) {
        text ??= JSON.stringify(value);
        if (JSON.stringify(applyPatchShared(c.value, ops)) !== text) continue;
      }
      best = { enc: 'patch', base: c.id, ops };
      bestSize = opsSize;
    }
    this.candidates.push({ id, value, size });
    if (this.candidates.length > this.patchCandidates) this.candidates.shift();
    if (best.enc === 'patch') {
      // What an incremental upload would not have sent again: the body less its patch (JSON text
      // lengths, as measured for the choice above: no second serialisation of a large body).
      this.repeats.set(id, { base: best.base, bytes: Math.max(0, size - bestSize) });
      if (this.repeats.size > 64) this.repeats.delete(this.repeats.keys().next().value as string);
    }
    if (best.enc === 'patch') return { ...best, ops: best.ops.map((op) => ('value' in op ? { ...op, value: this.dedup(op.value, defs) } : op)) };
    return { enc: 'json', value: this.dedup(value, defs) };
  }

  private redactedSse(ev: SseEvent): SseEvent {
    if (ev.form === 'raw') return structureSse(this.redact ? redactText(ev.text) : ev.text);
    return this.redact ? structureSse(redactText(formatSse(ev))) : ev;
  }

  private eventsOf(streamId: string): Map<string, Shape> {
    let byName = this.lastEvents.get(streamId);
    if (!byName) this.lastEvents.set(streamId, (byName = new Map()));
    return byName;
  }

  /** An event of a record that is not a plain run candidate: redacted, structured, remembered as a base. */
  private sse(streamId: string, ev: SseEvent, defs: StringRecord[]): SseEvent {
    const e = this.redactedSse(ev);
    if (e.form === 'structured' && typeof e.data === 'object' && e.data !== null) {
      const shape = shapeOf(e.data);
      if (shape) this.eventsOf(streamId).set(sseKey(e), shape);
    }
    return this.stored(e, defs);
  }

  /** The event with its large strings in the string table. */
  private stored(e: SseEvent, defs: StringRecord[]): SseEvent {
    return e.form === 'structured' ? { ...e, data: this.dedup(e.data, defs) } : e;
  }

  /** Replaces large strings with table references, defining new entries in `defs`. Never mutates. */
  private dedup(value: unknown, defs: StringRecord[]): unknown {
    if (typeof value === 'string') {
      if (value.length < this.largeString) return value;
      let index = this.strings.get(value);
      if (index === undefined) {
        if (this.stringBytes + value.length > this.stringTableBudget) return value;
        index = this.strings.size;
        this.strings.set(value, index);
        this.stringBytes += value.length;
        defs.push({ kind: 'string', t: 0, index, value });
      }
      return new StringRef(index);
    }
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = this.dedup(value[i], defs);
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    for (const [k, v0] of Object.entries(value as Record<string, unknown>)) {
      const v = this.dedup(v0, defs);
      if (v !== v0) (out ??= { ...(value as Record<string, unknown>) })[k] = v;
    }
    return out ?? value;
  }
}

const EMPTY = new Uint8Array(0);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type PartCache = WeakMap<object, { length: number; copy: unknown }>;

/** A JSON value's text length and its copy through JSON (what jsonpatch.compare puts in an op); undefined for what JSON leaves out. */
function part(v: unknown, cache: PartCache): { length: number; copy: unknown } | undefined {
  if (typeof v !== 'object' || v === null) {
    const text = JSON.stringify(v) as string | undefined;
    return text === undefined ? undefined : { length: text.length, copy: v };
  }
  let p = cache.get(v);
  if (!p) {
    const text = JSON.stringify(v) as string | undefined;
    if (text === undefined) return undefined;
    cache.set(v, (p = { length: text.length, copy: JSON.parse(text) }));
  }
  return p;
}

const ADD = '{"op":"add","path":,"value":}'.length;
const REPLACE = '{"op":"replace","path":,"value":}'.length;
const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The patch from `base` to `value` when `value` is `base` grown the way a conversation grows: the
 * same keys in the same order, every member the same (===) as the base's, a changed scalar, or the
 * base's array (the same elements) with elements appended — with its size and the value's JSON
 * length, from the base's length and the new parts alone. The ops are those jsonpatch.compare gives
 * (the same order, the same copies), and they rebuild the exact bytes. Undefined for anything else.
 */
function grownPatch(base: unknown, baseSize: number, value: unknown, cache: PartCache): { ops: JsonPatchOp[]; opsSize: number; size: number } | undefined {
  if (!isRecord(base) || !isRecord(value)) return undefined;
  const bk = Object.keys(base);
  const vk = Object.keys(value);
  if (bk.length !== vk.length) return undefined;
  for (let i = 0; i < bk.length; i++) if (vk[i] !== bk[i]) return undefined;
  const ops: JsonPatchOp[] = [];
  let opsSize = 0;
  let size = baseSize;
  // compare walks the keys from the last; an array's appends come in index order
  for (let i = bk.length - 1; i >= 0; i--) {
    const k = bk[i];
    const a = base[k];
    const v = value[k];
    if (a === v) continue;
    if (Array.isArray(a) && Array.isArray(v)) {
      if (v.length < a.length) return undefined;
      for (let j = 0; j < a.length; j++) if (a[j] !== v[j]) return undefined;
      for (let j = a.length; j < v.length; j++) {
        const p = v[j] === undefined ? undefined : part(v[j], cache);
        if (!p) return undefined;
        const path = `/${escapePointer(k)}/${j}`;
        ops.push({ op: 'add', path, value: p.copy });
        opsSize += ADD + JSON.stringify(path).length + p.length;
        size += p.length + (j > 0 ? 1 : 0);
      }
      continue;
    }
    const scalar = (x: unknown) => x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
    if (!scalar(a) || !scalar(v)) return undefined;
    const path = `/${escapePointer(k)}`;
    const n = JSON.stringify(v).length;
    ops.push({ op: 'replace', path, value: v });
    opsSize += REPLACE + JSON.stringify(path).length + n;
    size += n - JSON.stringify(a).length;
  }
  opsSize += 2 + Math.max(0, ops.length - 1); // [ , ]
  return { ops, opsSize, size };
}

/**
 * A column of strings is stored as one string and the pieces' lengths: the text streamed in deltas
 * then lies contiguous in the trace, and the next request, which resends it in its history, finds it
 * as one long deflate match instead of paying for it again.
 */
function joinStrings(col: unknown[]): unknown[] | { joined: string; lengths: number[] } {
  for (const v of col) if (typeof v !== 'string') return col;
  const strings = col as string[];
  return { joined: strings.join(''), lengths: strings.map((x) => x.length) };
}

/** Events are compared with the previous one of the same name and the same `id:` presence. */
function sseKey(e: { event?: string; id?: string }): string {
  return e.id === undefined ? (e.event ?? '') : `${e.event ?? ''}\u0000id`;
}

/** The run's fields with `t` last (as every record is stored). */
function reorderT(r: SseRunRecord): SseRunRecord {
  const { t, ...rest } = r;
  return { ...rest, t } as SseRunRecord;
}

export { classifyBytes };
