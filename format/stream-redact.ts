// Secrets streamed piece by piece. A model that read a `.env` may stream a key back token by token, and
// a tool call's arguments arrive as JSON fragments: no single SSE event (or WebSocket message) holds
// the key, so redacting record by record would store it in the clear. Here the text of each content
// block (the concatenation of one delta field across the events of one response, e.g. Anthropic's
// `delta.text` of block 2, or Chat's `tool_calls[1].function.arguments`) is redacted as a whole, and the
// deltas are rewritten so that they rebuild the redacted text: the fingerprint goes in the delta where
// the secret starts, the rest of the secret is taken out of the deltas after it.
//
// A delta is held until its block's text is known up to a word boundary past it (a secret has no
// whitespace in it; a private key is held from its BEGIN line to its END line), until its block has
// seen no new delta for HOLD_RECORDS records of its stream, until HOLD_US have passed, or until the
// stream ends. Records of a stream keep their order: one that is held holds the ones behind it.
// Protocol knowledge is kept to a list of field names that carry streamed text, so that a new
// protocol's deltas are covered without code here knowing its events.
import { secretSpans, fingerprint, noKeyword, scanRest, type FoundSecret } from './redact.js';
import { canonicalParts, formatSse, startsJson, structureParts, structureSse } from './sse.js';
import { leafCount, shapeOf, type Shape } from './leaves.js';
import { learn, readByTemplate, type JsonTemplate } from './json-template.js';
import { utf8DecodeStrict, utf8Encode } from './utf8.js';
import type { Micros, SseEvent, TraceRecord } from './types.js';

/** Fields whose string values are streamed text, in any of the protocols lapse records. */
const DELTA_FIELDS = new Set(['text', 'delta', 'partial_json', 'arguments', 'content', 'thinking', 'refusal', 'transcript', 'reasoning', 'reasoning_content']);
/** Fields that tell two blocks of one response apart (Anthropic `index`, Responses `item_id`…). */
const IDENTITY_FIELDS = new Set(['index', 'output_index', 'content_index', 'item_id', 'summary_index']);

const HOLD_RECORDS = 16;
const HOLD_US = 500_000;
/** Past this much text without a word boundary, all but the last CARRY characters are released. */
const MAX_TOKEN = 8192;
const CARRY = 512;
/** Context kept before the first unreleased delta, so rules that need a name before a value (`AWS_SECRET_ACCESS_KEY=`) still see it. */
const CONTEXT = 80;
/** A private key is held whole up to this size. */
const MAX_KEY = 16384;

interface Leaf {
  /** Path of keys from the parsed data to the string. */
  path: (string | number)[];
  /** Its index among the data's leaves (see leaves.ts). */
  at: number;
  block: Block;
  /** Offsets of this piece in its block's text. */
  start: number;
  end: number;
  /** The piece's text once released: redacted, and with the rest of a secret that started earlier taken out. */
  value?: string;
}

interface Entry {
  rec: TraceRecord;
  /** The event came as text and `sse` is its structured reading (so it re-serialises to that text exactly). */
  parsed?: boolean;
  /** The parsed payload, when the record has delta leaves. */
  data?: unknown;
  leaves: Leaf[];
  /** How the payload goes back into the record. */
  kind?: 'sse' | 'ws';
  sse?: SseEvent;
  shape?: Shape;
}

/** An event found to hold no secret outside its deltas: its shape, and its leaves with the deltas blank. */
interface CleanRest {
  sig: string;
  /** Its whole numbers, and its strings to ones without a keyword, may change and it still holds no secret (see scanRest). */
  leavesMayChange: boolean;
  event: string | undefined;
  id: string | undefined;
  leaves: unknown[];
}

interface Block {
  /** Text from `base` on (original, unredacted). */
  text: string;
  base: number;
  /** Total length of the block's text so far (absolute end). */
  length: number;
  /** Pieces not yet released, in order. */
  pending: Leaf[];
  /** Secrets found earlier that reach past what was released. */
  carry: FoundSecret[];
  /** Where released text ends (absolute). */
  releasedTo: number;
  lastSeq: number;
  lastT: Micros;
}

interface Stream {
  queue: Entry[];
  blocks: Map<string, Block>;
  seq: number;
  /** The last event found to hold no secret outside its deltas: the next one most often differs only in them. */
  clean: CleanRest | null;
  /** The stream's events as templates, by event name (`\u0000ws` for WebSocket messages): see json-template.ts. */
  templates: Map<string, JsonTemplate>;
  /** Per delta place, the block its last delta went to (see blockOf). */
  lastBlocks: Map<DeltaPlace, { event: string; type: unknown; ids: unknown[]; key: string; block: Block }>;
  /** Events read by a template, and those it missed: a stream whose events keep missing stops trying. */
  hits: number;
  misses: number;
}

export interface StreamRedactorOptions {
  /**
   * Scan a block's new text once per batch of records (at `settle()`) instead of once per record:
   * each scan also reads CONTEXT characters before the new text, so per record that scanning was
   * most of the cost of a fast stream. Records then wait for `settle()` (or `release`, `flush`).
   */
  defer?: boolean;
}

export class StreamRedactor {
  private readonly streams = new Map<string, Stream>();
  private readonly defer: boolean;
  /** With `defer`: blocks with new text not yet scanned, and the streams they are in. */
  private readonly dirty = new Set<Block>();
  private readonly dirtyStreams = new Set<Stream>();
  /** When releaseOld last looked at every stream. */
  private swept = -Infinity;

  constructor(opts: StreamRedactorOptions = {}) {
    this.defer = opts.defer ?? false;
  }
  /** Events released wholly redacted (their deltas here, the rest of the event as a record), with their data's shape. */
  private readonly whole = new WeakMap<TraceRecord, Shape | null>();

  /**
   * Whether `rec` (a record this redactor returned) is redacted whole: the text of its deltas across
   * events, and the rest of it on its own. The encoder need not scan it again (it would scan the same
   * text a second time, the event's deltas and all: half of a streamed response's recording cost).
   */
  redacted(rec: TraceRecord): boolean {
    return this.whole.has(rec);
  }

  /** The shape of a wholly redacted event's data, when known (the encoder need not walk it again). */
  shapeOf(rec: TraceRecord): Shape | undefined {
    return this.whole.get(rec) ?? undefined;
  }

  /** Takes one record; returns those ready to be written (possibly none, possibly earlier ones too). */
  push(rec: TraceRecord, now: Micros = rec.t): TraceRecord[] {
    const out: TraceRecord[] = [];
    const key = streamKey(rec);
    if (key === null) {
      this.releaseOld(now, out);
      out.push(rec);
      return out;
    }
    if (rec.kind === 'http-end' || rec.kind === 'ws-close') {
      // the stream is over: everything it held is final
      const s = this.streams.get(key);
      if (s) this.finish(key, s, out);
      this.releaseOld(now, out);
      out.push(rec);
      return out;
    }
    let stream = this.streams.get(key);
    if (!stream) this.streams.set(key, (stream = { queue: [], blocks: new Map(), seq: 0, clean: null, templates: new Map(), lastBlocks: new Map(), hits: 0, misses: 0 }));
    stream.seq++;
    const entry = this.entry(rec, stream);
    stream.queue.push(entry);
    if (this.defer) {
      for (const leaf of entry.leaves) this.dirty.add(leaf.block);
      if (entry.leaves.length) this.dirtyStreams.add(stream);
    } else for (const block of new Set(entry.leaves.map((l) => l.block))) this.advance(block, false);
    // a block no new delta has reached for a while is over
    for (const block of stream.blocks.values()) if (block.pending.length && stream.seq - block.lastSeq > HOLD_RECORDS) this.advance(block, true);
    this.drain(stream, out);
    this.releaseOld(now, out);
    return out;
  }

  /** With `defer`: scans the text that came since the last call, and returns what that released. */
  settle(): TraceRecord[] {
    const out: TraceRecord[] = [];
    if (!this.dirty.size) return out;
    for (const b of this.dirty) this.advance(b, false);
    this.dirty.clear();
    for (const s of this.dirtyStreams) this.drain(s, out);
    this.dirtyStreams.clear();
    return out;
  }

  /** Releases what has been held longer than HOLD_US (a stream that went quiet). */
  release(now: Micros): TraceRecord[] {
    const out: TraceRecord[] = [];
    this.swept = -Infinity;
    this.releaseOld(now, out);
    return out;
  }

  /** Everything still held, in order (the trace is closing). */
  flush(): TraceRecord[] {
    const out: TraceRecord[] = [];
    this.dirty.clear();
    this.dirtyStreams.clear();
    for (const [k, s] of this.streams) this.finish(k, s, out);
    return out;
  }

  /** Records held right now (for tests and back-pressure accounting). */
  get held(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.queue.length;
    return n;
  }

  private releaseOld(now: Micros, out: TraceRecord[]): void {
    // a sweep over every stream's blocks at most once a millisecond (the hold is half a second)
    if (now >= this.swept && now - this.swept < 1000) return;
    this.swept = now;
    for (const [k, s] of this.streams) {
      let any = false;
      for (const b of s.blocks.values()) {
        if (b.pending.length && now - b.lastT > HOLD_US) {
          this.advance(b, true);
          any = true;
        }
      }
      if (any) this.drain(s, out);
      if (!s.queue.length && s.blocks.size === 0) this.streams.delete(k);
    }
  }

  private finish(key: string, s: Stream, out: TraceRecord[]): void {
    for (const b of s.blocks.values()) this.advance(b, true);
    this.drain(s, out);
    this.streams.delete(key);
  }

  private entry(rec: TraceRecord, stream: Stream): Entry {
    const entry: Entry = { rec, leaves: [] };
    let data: unknown;
    // the shape, when reading the text gave it already (see json-template.ts)
    let shape: Shape | null = null;
    if (rec.kind === 'http-data' && rec.sse) {
      let sse = rec.sse;
      if (sse.form === 'raw') {
        const read = readSse(sse.text, stream);
        sse = read.sse;
        shape = read.shape;
      }
      if (sse.form !== 'structured' || typeof sse.data !== 'object' || sse.data === null) return entry;
      entry.kind = 'sse';
      entry.sse = sse;
      entry.parsed = rec.sse.form === 'raw';
      data = sse.data;
    } else if (rec.kind === 'ws-message' && rec.dir === 'down' && !rec.binary) {
      const text = rec.data.enc === 'bytes' ? utf8DecodeStrict(rec.data.bytes) : rec.data.enc === 'text' ? rec.data.text : undefined;
      if (rec.data.enc === 'json') data = rec.data.value;
      else if (text !== undefined && startsJson(text)) {
        const read = readJson(text, WS_TEMPLATE, stream);
        if (!read) return entry;
        data = read.value;
        shape = read.shape;
      } else return entry;
      if (typeof data !== 'object' || data === null) return entry;
      entry.kind = 'ws';
    } else return entry;
    entry.data = data;
    const type = (data as { type?: unknown }).type;
    const event = entry.sse?.form === 'structured' ? (entry.sse.event ?? '') : '';
    // where the deltas are, from the shape (taken once per event and handed to the encoder with the record)
    shape ??= shapeOf(data)!;
    const leaves = shape.leaves;
    entry.shape = shape;
    for (const d of planOf(shape.sig, data)) {
      const value = leaves[d.leaf];
      if (typeof value !== 'string' || !value.length) continue;
      const block = blockOf(stream, d, event, type, leaves, rec.t);
      const leaf: Leaf = { path: d.path, at: d.leaf, block, start: block.length, end: block.length + value.length };
      block.text += value;
      block.length += value.length;
      block.pending.push(leaf);
      block.lastSeq = stream.seq;
      block.lastT = rec.t;
      entry.leaves.push(leaf);
    }
    return entry;
  }

  /** Releases the block's pieces whose text is final (all of them when `final`). */
  private advance(b: Block, final: boolean): void {
    if (!b.pending.length) return;
    const cut = final ? b.length : safeCut(b);
    const ready = b.pending.filter((l) => l.end <= cut);
    if (!ready.length) return;
    const from = Math.max(b.base, b.pending[0].start - CONTEXT);
    const scanned = b.text.slice(from - b.base, cut - b.base);
    const found = secretSpans(scanned).map((s) => ({ ...s, start: s.start + from, end: s.end + from }));
    const spans = mergeSpans([...b.carry, ...found]);
    for (const leaf of ready) leaf.value = rewrite(b, leaf, spans);
    b.pending = b.pending.filter((l) => l.end > cut);
    b.releasedTo = ready[ready.length - 1].end;
    b.carry = spans.filter((s) => s.end > b.releasedTo);
    // keep CONTEXT characters before what is still pending
    const keepFrom = Math.max(b.base, Math.min(b.pending[0]?.start ?? b.length, ...b.carry.map((s) => s.start)) - CONTEXT);
    if (keepFrom > b.base) {
      b.text = b.text.slice(keepFrom - b.base);
      b.base = keepFrom;
    }
  }

  /**
   * An entry's record with its deltas' redacted text. An SSE event read from its text (as the recorder
   * gives them) whose other fields hold no secret either (scanned with the deltas left out) comes back
   * structured, in the form the encoder would make of it, and counts as redacted whole.
   */
  private rebuild(e: Entry, s: Stream): TraceRecord {
    const { rec, data } = rebuild(e);
    if (e.kind !== 'sse' || !e.parsed || rec.kind !== 'http-data') return rec;
    const sse = e.sse as Extract<SseEvent, { form: 'structured' }>;
    // the text of everything but the deltas is the last clean one's when its other leaves are: not scanned again
    if (!sameRest(s.clean, e, sse)) {
      let rest = data;
      for (const leaf of e.leaves) rest = setPath(rest, leaf.path, '');
      const text = formatSse({ ...sse, data: rest });
      const scan = scanRest(text);
      if (scan.secret) return rec;
      s.clean = cleanRest(e, sse, scan.leavesMayChange);
    }
    const whole: TraceRecord = { ...rec, sse: data === sse.data ? sse : { ...sse, data } };
    // a leaf rewritten by redaction makes other leaves than the shape's
    this.whole.set(whole, data === e.data ? (e.shape ?? null) : null);
    return whole;
  }

  private drain(s: Stream, out: TraceRecord[]): void {
    while (s.queue.length) {
      const e = s.queue[0];
      if (e.leaves.some((l) => l.value === undefined)) break;
      s.queue.shift();
      out.push(e.leaves.length ? this.rebuild(e, s) : e.rec);
    }
    for (const [k, b] of s.blocks) if (!b.pending.length && !b.carry.length && s.seq - b.lastSeq > HOLD_RECORDS) s.blocks.delete(k);
  }
}

const WS_TEMPLATE = '\u0000ws';

/** A JSON text's value, and its shape when it is an object or array. */
interface Read {
  value: unknown;
  shape: Shape | null;
}

/** structureSse of an event's text (read by the stream's template for its name when it fits), and the data's shape. */
function readSse(text: string, s: Stream): { sse: SseEvent; shape: Shape | null } {
  const parts = canonicalParts(text);
  if (!parts || !startsJson(parts.data)) return { sse: structureSse(text), shape: null };
  const read = readJson(parts.data, parts.event ?? '', s, true);
  return { sse: structureParts(parts, read?.value), shape: read?.shape ?? null };
}

/**
 * The JSON text's value: by the stream's template `name` when the text fits it, else JSON.parse (and
 * the template learns from it). Undefined when the text is not JSON; with `canonical`, also when
 * JSON.stringify of the value does not give the text back (as structureSse keeps such data as text).
 */
function readJson(text: string, name: string, s: Stream, canonical = false): Read | undefined {
  const t = s.templates.get(name);
  if (t) {
    const read = readByTemplate(t, text);
    if (read) {
      s.hits++;
      return read;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const shape = shapeOf(value);
  // a template writes the text it reads, so one that learns from this text proves it canonical
  const next = !shape || (s.misses > 16 && s.misses * 2 > s.hits) ? undefined : learn(t, value, shape, text);
  s.misses++;
  if (next) s.templates.set(name, next);
  else if (canonical && JSON.stringify(value) !== text) return undefined;
  return { value, shape };
}

/**
 * The block a delta place's text goes to: one per event name, `type`, field path and identity
 * values. The block of the place's last delta is taken again when those are the same (most events),
 * without making its key.
 */
function blockOf(s: Stream, d: DeltaPlace, event: string, type: unknown, leaves: unknown[], t: Micros): Block {
  const last = s.lastBlocks.get(d);
  if (last && last.event === event && last.type === type && sameIds(last.ids, d, leaves) && s.blocks.get(last.key) === last.block) return last.block;
  let ids = '';
  for (const id of d.ids) {
    const x = leaves[id.leaf];
    if (typeof x === 'number' || typeof x === 'string') ids += ids ? `,${id.name}=${x}` : `${id.name}=${x}`;
  }
  const key = `${event}|${typeof type === 'string' ? type : ''}|${d.key}|${ids}`;
  let block = s.blocks.get(key);
  if (!block) s.blocks.set(key, (block = { text: '', base: 0, length: 0, pending: [], carry: [], releasedTo: 0, lastSeq: 0, lastT: t }));
  if (s.lastBlocks.size > 256) s.lastBlocks.clear();
  s.lastBlocks.set(d, { event, type, ids: d.ids.map((id) => leaves[id.leaf]), key, block });
  return block;
}

function sameIds(values: unknown[], d: DeltaPlace, leaves: unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== leaves[d.ids[i].leaf]) return false;
  return true;
}

/** The stream a record belongs to, or null for records that are never held. */
function streamKey(rec: TraceRecord): string | null {
  if (rec.kind === 'http-data' || rec.kind === 'http-end') return `h\u0000${rec.id}`;
  // both directions of a socket are one stream, so a held answer is not overtaken by the next request
  if (rec.kind === 'ws-message') return `w\u0000${rec.id}`;
  if (rec.kind === 'ws-close') return `w\u0000${rec.id}`;
  return null;
}

/**
 * Whether the event, its deltas left blank, renders as `c` did (same shape, names and other leaves), or
 * differs from it only in whole numbers, or in strings that hold no keyword, where `c` holds no keyword
 * (Responses' `sequence_number` counter and `obfuscation` padding: without this every such event was
 * scanned again, rendered whole).
 */
function sameRest(c: CleanRest | null, e: Entry, sse: SseEvent): boolean {
  if (!c || !e.shape || sse.form !== 'structured' || c.sig !== e.shape.sig || c.event !== sse.event || c.id !== sse.id) return false;
  const leaves = e.shape.leaves;
  let d = 0;
  for (let i = 0; i < leaves.length; i++) {
    if (d < e.leaves.length && e.leaves[d].at === i) {
      d++;
      if (c.leaves[i] !== '') return false;
    } else if (leaves[i] !== c.leaves[i] && !(c.leavesMayChange && mayChange(leaves[i], c.leaves[i]))) return false;
  }
  return true;
}

/** A leaf of a clean rest whose change keeps it clean (see scanRest): a whole number, or a string to one without a keyword. */
function mayChange(now: unknown, before: unknown): boolean {
  if (typeof now === 'string') return typeof before === 'string' && noKeyword(now);
  return Number.isSafeInteger(now) && Number.isSafeInteger(before);
}

function cleanRest(e: Entry, sse: SseEvent, leavesMayChange: boolean): CleanRest | null {
  if (!e.shape || sse.form !== 'structured') return null;
  const leaves = e.shape.leaves.slice();
  for (const leaf of e.leaves) leaves[leaf.at] = '';
  return { sig: e.shape.sig, leavesMayChange, event: sse.event, id: sse.id, leaves };
}

/** A delta field of a shape: its leaf, its path, the block key's path part, and the identity fields in scope. */
interface DeltaPlace {
  leaf: number;
  path: (string | number)[];
  key: string;
  ids: { name: string; leaf: number }[];
}

/**
 * Where a shape's delta fields are (by leaf index, in the order of the leaves): every string member
 * named in DELTA_FIELDS of an object, with the IDENTITY_FIELDS members of that object and of the
 * objects around it. Which of them hold text, and the identities' values, are read per event.
 * Shapes repeat (a stream is hundreds of one shape), so this walk runs once per shape.
 */
const plans = new Map<string, DeltaPlace[]>();

function planOf(sig: string, data: unknown): DeltaPlace[] {
  let plan = plans.get(sig);
  if (plan) return plan;
  plan = [];
  walkPlan(data, [], [], { n: 0 }, plan);
  if (plans.size >= 1024) plans.clear();
  plans.set(sig, plan);
  return plan;
}

/** Counts leaves as shapeOf does (depth-first, every scalar), noting the delta fields among them. */
function walkPlan(v: unknown, path: (string | number)[], ids: { name: string; leaf: number }[], at: { n: number }, plan: DeltaPlace[]): void {
  if (typeof v !== 'object' || v === null) {
    at.n++;
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walkPlan(v[i], [...path, i], ids, at, plan);
    return;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  // this object's identity fields (all of them, wherever they stand), by the leaf each will be
  const own = [...ids];
  let n = at.n;
  for (const k of keys) {
    const x = o[k];
    if (typeof x !== 'object' || x === null) {
      if (IDENTITY_FIELDS.has(k)) own.push({ name: k, leaf: n });
      n++;
    } else n += leafCount(x);
  }
  for (const k of keys) {
    const x = o[k];
    if ((typeof x !== 'object' || x === null) && DELTA_FIELDS.has(k)) {
      const p = [...path, k];
      plan.push({ leaf: at.n, path: p, key: p.filter((q) => typeof q === 'string').join('.'), ids: own });
    }
    walkPlan(x, [...path, k], own, at, plan);
  }
}


/** Where the block's text is final: after the last whitespace (a secret has none), before an unfinished private key. */
function safeCut(b: Block): number {
  const text = b.text;
  let cut = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      cut = i + 1;
      break;
    }
  }
  const firstPending = b.pending[0].start - b.base;
  if (cut === -1 || cut < firstPending) {
    // no boundary in what is pending: hold, unless it grew too long
    const pendingLen = text.length - firstPending;
    if (pendingLen <= MAX_TOKEN) return b.base + Math.max(0, cut);
    return b.base + text.length - CARRY;
  }
  const begin = text.lastIndexOf('-----BEGIN', text.length);
  if (begin !== -1 && begin + 10 > firstPending - CONTEXT) {
    const rest = text.slice(begin);
    const nl = rest.indexOf('\n');
    // the BEGIN line still arriving may yet say PRIVATE KEY
    const header = nl === -1 ? rest : rest.slice(0, nl);
    const maybeKey = /PRIVATE KEY/.test(header) || (nl === -1 && rest.length < 140);
    const end = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/.exec(rest);
    if (maybeKey && !end && rest.length <= MAX_KEY) return b.base + Math.min(cut, begin);
    // a whole key: its END line is a boundary even without whitespace after it
    if (end) return b.base + Math.max(cut, begin + end.index + end[0].length);
  }
  return b.base + cut;
}

function mergeSpans(spans: FoundSecret[]): FoundSecret[] {
  if (spans.length < 2) return spans;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: FoundSecret[] = [{ ...sorted[0] }];
  for (const s of sorted.slice(1)) {
    const last = out[out.length - 1];
    if (s.start === last.start && s.end === last.end) continue;
    if (s.start < last.end) {
      if (s.end > last.end) {
        last.secret += s.secret.slice(last.end - s.start);
        last.end = s.end;
      }
    } else out.push({ ...s });
  }
  return out;
}

/** A piece's text with secrets taken out: a fingerprint where a secret starts, nothing where it goes on. */
function rewrite(b: Block, leaf: Leaf, spans: FoundSecret[]): string {
  let out = '';
  let at = leaf.start;
  for (const s of spans) {
    if (s.end <= leaf.start || s.start >= leaf.end) continue;
    if (s.start > at) out += b.text.slice(at - b.base, s.start - b.base);
    if (s.start >= leaf.start) out += fingerprint(s.secret);
    at = Math.min(leaf.end, s.end);
  }
  if (at < leaf.end) out += b.text.slice(at - b.base, leaf.end - b.base);
  return out;
}

function rebuild(e: Entry): { rec: TraceRecord; data: unknown } {
  let changed = false;
  let data = e.data;
  for (const leaf of e.leaves) {
    const value = leaf.value!;
    // an entry with delta leaves always has its shape (see entry)
    const original = e.shape!.leaves[leaf.at];
    if (value === original) continue;
    changed = true;
    data = setPath(data, leaf.path, value);
  }
  if (!changed) return { rec: e.rec, data };
  if (e.kind === 'sse' && e.rec.kind === 'http-data') {
    const sse = e.sse as Extract<SseEvent, { form: 'structured' }>;
    return { rec: { ...e.rec, sse: { form: 'raw', text: formatSse({ ...sse, data }) } }, data };
  }
  if (e.kind === 'ws' && e.rec.kind === 'ws-message') return { rec: { ...e.rec, data: { enc: 'bytes', bytes: utf8Encode(JSON.stringify(data)) } }, data };
  return { rec: e.rec, data };
}

/** A copy of `v` with the value at `path` replaced (copies only along the path). */
function setPath(v: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = setPath(copy[head], rest, value);
  return copy;
}

