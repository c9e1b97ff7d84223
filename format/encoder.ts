// Record → bytes. Synchronous and cheap per record (the proxy calls it on its hot path);
// the costlier compression happens once per frame, when the writer flushes a batch.
import jsonpatch from 'fast-json-patch';
import { classifyBytes, classifyText } from './body.js';
import { applyPatchShared } from './patch.js';
import { concatBytes } from './bytes.js';
import { Codec, Dictionary, buildFrame, deflateFrame, fileHeader } from './frame.js';
import { StringRef, packr } from './packr.js';
import { redactHeaders, redactText, redactUrl } from './redact.js';
import { formatSse, structureSse } from './sse.js';
import type { Body, JsonPatchOp, SessionRecord, SseEvent, SseSameShape, StringRecord, TraceRecord } from './types.js';
import { changedLeaves, shapeOf, type Shape } from './leaves.js';
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
}

interface Candidate {
  id: string;
  value: unknown;
}

export class TraceEncoder {
  private readonly redact: boolean;
  private readonly compress: boolean;
  private readonly patchCandidates: number;
  private readonly largeString: number;
  private readonly stringTableBudget: number;
  private readonly candidates: Candidate[] = [];
  private readonly strings = new Map<string, number>();
  /** Per response stream: the last structured event's shape, by event name. */
  private readonly lastEvents = new Map<string, Map<string, Shape>>();
  private stringBytes = 0;
  private lastT = 0;
  private readonly dictionary = new Dictionary();

  constructor(opts: EncoderOptions = {}) {
    this.redact = opts.redact ?? true;
    this.compress = opts.compress ?? true;
    this.patchCandidates = opts.patchCandidates ?? 4;
    this.largeString = opts.largeString ?? 1024;
    this.stringTableBudget = opts.stringTableBudget ?? 64 * 1024 * 1024;
  }

  /** The file's first bytes: magic and version, then the session record in a plain frame. */
  encodeHeader(session: SessionRecord): Uint8Array {
    const rec: SessionRecord = {
      ...session,
      formatVersion: { major: FORMAT_VERSION.major, minor: FORMAT_VERSION.minor },
      redacted: this.redact,
      argv: this.redact ? session.argv.map(redactText) : session.argv,
    };
    const head = fileHeader(FORMAT_VERSION.major, FORMAT_VERSION.minor);
    const frame = this.frame([this.encode(rec)], false);
    const out = new Uint8Array(head.length + frame.length);
    out.set(head, 0);
    out.set(frame, head.length);
    return out;
  }

  /**
   * One record's plaintext (msgpack), preceded by any string-table definitions it needs. Bodies given as
   * bytes and SSE given raw are turned into their compact lossless forms here; secrets are redacted.
   */
  encode(input: TraceRecord): Uint8Array {
    const defs: StringRecord[] = [];
    const rec = this.prepare(input, defs);
    const t = Math.round(rec.t);
    // t last: the rest of a record often repeats the previous one byte for byte, and one long
    // deflate match is cheaper than two around a changing number.
    const { t: _t, ...rest } = rec;
    const stored = { ...rest, t: t - this.lastT } as TraceRecord;
    this.lastT = t;
    if (defs.length === 0) return packr.pack(stored);
    const parts = defs.map((d) => packr.pack(d));
    parts.push(packr.pack(stored));
    return concatBytes(parts);
  }

  /**
   * Frames a batch of encoded records. Frames must be written in the order they are made: each
   * compressed frame uses the plaintext before it as its deflate dictionary.
   */
  frame(records: Uint8Array[], compress = this.compress): Uint8Array {
    const plain = concatBytes(records);
    let payload = plain;
    let codec = Codec.Plain;
    if (compress && plain.length > 64) {
      const packed = deflateFrame(plain, this.dictionary, 6);
      if (packed) {
        payload = packed;
        codec = Codec.DeflateChainedSized;
      }
    }
    this.dictionary.append(plain);
    return buildFrame(payload, codec);
  }

  private prepare(rec: TraceRecord, defs: StringRecord[]): TraceRecord {
    switch (rec.kind) {
      case 'http-request': {
        const body = this.requestBody(rec.id, rec.body, defs);
        return { ...rec, url: this.redact ? redactUrl(rec.url) : rec.url, headers: this.headers(rec.headers), body };
      }
      case 'http-response':
        return { ...rec, headers: this.headers(rec.headers) };
      case 'http-data': {
        const out = { ...rec };
        if (rec.sse) (out as { sse?: SseEvent | SseSameShape }).sse = this.sse(rec.id, rec.sse, defs);
        if (rec.chunk) out.chunk = this.payload(rec.chunk, defs);
        return out;
      }
      case 'ws-open':
        return {
          ...rec,
          url: this.redact ? redactUrl(rec.url) : rec.url,
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
      case 'file':
        return this.redact && rec.diff ? { ...rec, diff: redactText(rec.diff) } : rec;
      case 'process-start':
        return this.redact ? { ...rec, argv: rec.argv.map(redactText) } : rec;
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
      const text = JSON.stringify(body.value);
      const red = redactText(text);
      return red === text ? body : classifyText(red);
    }
    return body;
  }

  private requestBody(id: string, body: Body, defs: StringRecord[]): Body {
    const b = this.normalize(body);
    if (b.enc !== 'json') return this.payload(b, defs);
    const value = b.value;
    const text = JSON.stringify(value);
    let best: Body = { enc: 'json', value };
    let bestSize = text.length; // JSON text length approximates its msgpack size closely enough to rank
    for (let i = this.candidates.length - 1; i >= 0; i--) {
      const c = this.candidates[i];
      const ops = jsonpatch.compare(c.value as object, value as object) as JsonPatchOp[];
      const size = JSON.stringify(ops).length;
      if (size >= bestSize * 0.9) continue;
      // Key order is not part of JSON equality but is part of the bytes: keep a patch only if it rebuilds them.
      const rebuilt = applyPatchShared(c.value, ops);
      if (JSON.stringify(rebuilt) !== text) continue;
      best = { enc: 'patch', base: c.id, ops };
      bestSize = size;
    }
    this.candidates.push({ id, value });
    if (this.candidates.length > this.patchCandidates) this.candidates.shift();
    if (best.enc === 'patch') return { ...best, ops: best.ops.map((op) => ('value' in op ? { ...op, value: this.dedup(op.value, defs) } : op)) };
    return { enc: 'json', value: this.dedup(value, defs) };
  }

  private sse(streamId: string, ev: SseEvent, defs: StringRecord[]): SseEvent | SseSameShape {
    let e = ev;
    if (e.form === 'raw') e = structureSse(this.redact ? redactText(e.text) : e.text);
    else if (this.redact) e = structureSse(redactText(formatSse(e)));
    if (e.form !== 'structured' || typeof e.data !== 'object' || e.data === null) return e;
    const shape = shapeOf(e.data);
    if (shape) {
      let byName = this.lastEvents.get(streamId);
      if (!byName) this.lastEvents.set(streamId, (byName = new Map()));
      const key = e.id === undefined ? (e.event ?? '') : `${e.event ?? ''}\u0000id`;
      const prev = byName.get(key);
      byName.set(key, shape);
      if (prev && prev.sig === shape.sig) {
        const same: SseSameShape = { form: 'same', changes: changedLeaves(prev.leaves, shape.leaves).map(([i, v]) => [i, this.dedup(v, defs)]) };
        if (e.event !== undefined) same.event = e.event;
        if (e.id !== undefined) same.id = e.id;
        return same;
      }
    }
    return { ...e, data: this.dedup(e.data, defs) };
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

export { classifyBytes };
