// The trace's copy of a body, made from the chunks the relay handed over (on the writer thread; see
// tap-host.ts): a compressed body is decoded on a side zlib stream, up to a bound, an SSE body is split
// into events. Each event is stamped with the arrival time of the wire chunk that completed it.
import { isUtf8 } from 'node:buffer';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Body, Micros } from '../../format/types.js';
import { SseSplitter } from '../../format/sse.js';
import type { TapTarget } from './tap-host.js';

/**
 * The most a body (or a WebSocket message) is decoded to for the trace: 1 MiB plus 16 times its
 * compressed size (real JSON and SSE gzip 5–10×), and never past 64 MiB. Past it decoding stops and
 * the trace says so: a small compressed body can expand a thousandfold (a 256 KB gzip bomb is 256 MB),
 * and the trace's reader refuses a file that inflates far past its size (see format/reader.ts).
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;
export function decodeBound(compressedBytes: number): number {
  return Math.min(MAX_DECODED_BYTES, 1024 * 1024 + 16 * compressedBytes);
}

export type BodyCoding = 'gzip' | 'deflate' | 'br';

/** The content codings the trace can decode; anything else is recorded as the raw wire bytes. */
export function decodableCoding(contentEncoding: string | undefined): BodyCoding | null | 'unknown' {
  const v = (contentEncoding ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return null;
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  if (v === 'br') return 'br';
  return 'unknown';
}

export function isEventStream(contentType: string | undefined): boolean {
  return (contentType ?? '').trim().toLowerCase().startsWith('text/event-stream');
}

const NO_BYTES = Buffer.alloc(0);

export class ResponseTap {
  private splitter: SseSplitter | null;
  /** The bytes of a character cut by a chunk boundary, waiting for the rest of it. */
  private tail: Buffer = NO_BYTES;
  /** The event stream turned out not to be UTF-8: the rest of the body is kept as raw chunks. */
  private bytesMode = false;
  /** The end of the last raw chunk when it may be the start of a key, held for the next one. */
  private held: Buffer | null = null;
  /** Text without a line break, not yet given to the splitter (it cannot end an event). */
  private waiting: string[] = [];
  /** The text given to the splitter last ended in CR (a CRLF or CR line ending may complete with any text). */
  private endsInCR = false;
  private inflater: Transform | null = null;
  /** Arrival times of wire chunks handed to the inflater and not yet fully decoded. */
  private pending: Micros[] = [];
  private waitingLength = 0;
  private lastT: Micros = 0;
  private decoded = 0;
  /** Compressed bytes handed to the decoder so far. */
  private wire = 0;
  /** Why decoding stopped (the bound, or a chunk the relay shed); later wire chunks are kept as lengths. */
  private stopped: string | null = null;
  private skipped = { records: 0, bytes: 0 };
  private broken = false;
  private finished = false;

  constructor(
    private readonly sink: TapTarget,
    private readonly id: string,
    sse: boolean,
    private readonly coding: BodyCoding | null,
    private readonly maxDecoded = MAX_DECODED_BYTES,
  ) {
    this.splitter = sse ? new SseSplitter() : null;
  }

  push(chunk: Buffer, t: Micros): void {
    if (this.broken) return;
    this.lastT = t;
    try {
      if (!this.coding) {
        this.emit(chunk, t);
        return;
      }
      if (this.stopped) return this.skip(chunk.length, t);
      this.wire += chunk.length;
      const inf = this.inflater ?? this.openInflater(chunk);
      this.pending.push(t);
      inf.write(chunk, () => {
        this.pending.shift();
      });
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * The relay shed a chunk (the writer thread was behind): what came before goes in as it was, the
   * chunk as its length. A compressed body cannot be decoded past a hole: the rest is kept as lengths.
   */
  gap(length: number, t: Micros): void {
    if (this.broken) return;
    this.lastT = t;
    try {
      if (this.coding) {
        if (!this.stopped) this.stop('a chunk was shed while the writer thread was behind');
        return this.skip(length, t);
      }
      this.flushText();
      this.sink.write({ kind: 'http-data', t, id: this.id, chunk: { enc: 'dropped', length } });
    } catch (err) {
      this.fail(err);
    }
  }

  /** The body ended (or was cut): flush what is decodable, then call `done` (always called once). */
  end(done: () => void): void {
    if (this.finished) return;
    this.finished = true;
    const finish = () => {
      try {
        this.flushText();
        if (this.stopped) {
          const reason = `response body of ${this.id} not decoded past ${this.decoded} bytes: ${this.stopped}`;
          this.sink.write({ kind: 'drop', t: this.lastT, records: this.skipped.records, bytes: this.skipped.bytes, reason });
        }
      } catch (err) {
        this.fail(err);
      }
      done();
    };
    if (!this.inflater || this.broken || this.stopped) return finish();
    const inf = this.inflater;
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      finish();
    };
    inf.once('end', once);
    inf.once('error', once);
    inf.once('close', once);
    try {
      inf.end();
    } catch {
      once();
    }
  }

  private openInflater(first: Buffer): Transform {
    let inf: Transform;
    // Z_SYNC_FLUSH lets a cut stream still give up what it has (an aborted response is still useful).
    const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    if (this.coding === 'gzip') inf = zlib.createGunzip(opts);
    else if (this.coding === 'br') inf = zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: a zlib header starts 0x78.
    else inf = (first[0] & 0x0f) === 8 && (first[0] << 8 | first[1]) % 31 === 0 ? zlib.createInflate(opts) : zlib.createInflateRaw(opts);
    inf.on('data', (out: Buffer) => {
      if (this.stopped) return;
      const t = this.pending[0] ?? this.lastT;
      try {
        const bound = Math.min(this.maxDecoded, decodeBound(this.wire));
        const room = bound - this.decoded;
        if (out.length > room) {
          if (room > 0) this.emit(out.subarray(0, room), t);
          this.decoded += Math.max(0, room);
          this.stop(`it decodes to more than ${bound} bytes from ${this.wire} compressed`);
          return;
        }
        this.decoded += out.length;
        this.emit(out, t);
      } catch (err) {
        this.fail(err);
      }
    });
    inf.on('error', (err) => {
      if (!this.stopped) this.fail(err);
    });
    this.inflater = inf;
    return inf;
  }

  private stop(why: string): void {
    this.stopped = why;
    this.inflater?.destroy();
  }

  /** A wire chunk past the point where decoding stopped: its time and length. */
  private skip(length: number, t: Micros): void {
    this.skipped.records++;
    this.skipped.bytes += length;
    this.sink.write({ kind: 'http-data', t, id: this.id, chunk: { enc: 'dropped', length } });
  }

  // Text is decoded by hand rather than with a TextDecoder: a decoder would drop a leading BOM and
  // turn bytes that are not UTF-8 into U+FFFD, and the trace must rebuild every byte of the body.
  private emit(bytes: Buffer, t: Micros): void {
    if (!this.splitter || this.bytesMode) return this.writeChunk(bytes, t);
    const data = this.tail.length ? Buffer.concat([this.tail, bytes]) : bytes;
    const cut = wholeCharacters(data);
    // most chunks end on a character boundary: no views or copies made for them
    const whole = cut === data.length ? data : data.subarray(0, cut);
    if (!isUtf8(whole)) return this.keepBytes(data, t);
    this.tail = cut === data.length ? NO_BYTES : Buffer.from(data.subarray(cut));
    const text = whole.toString('utf8');
    // A long event arrives as many chunks without a line break; the splitter rescans what it holds on
    // every push, so they wait here and go in together (one scan instead of one per chunk).
    if (!this.endsInCR && text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
      if (!text) return;
      this.waiting.push(text);
      this.waitingLength += text.length;
      // An "event" this long is no event: it is kept as the raw bytes it came in, and memory stays bounded.
      if (this.waitingLength + (this.splitter.pending) > this.maxDecoded) this.keepBytes(Buffer.alloc(0), t);
      return;
    }
    const all = this.waiting.length ? this.waiting.join('') + text : text;
    this.waiting = [];
    this.waitingLength = 0;
    this.endsInCR = all.charCodeAt(all.length - 1) === 13;
    for (const ev of this.splitter.push(all)) this.sink.write({ kind: 'http-data', t, id: this.id, sse: { form: 'raw', text: ev } });
  }

  /** The splitter's pending text and the text waiting for it. */
  private takePending(): string {
    const pending = (this.splitter?.flush() ?? '') + this.waiting.join('');
    this.waiting = [];
    this.waitingLength = 0;
    this.endsInCR = false;
    return pending;
  }

  /** Not UTF-8: what is pending and everything after it goes into the trace as raw bytes. */
  private keepBytes(data: Buffer, t: Micros): void {
    this.bytesMode = true;
    const pending = this.takePending();
    this.tail = Buffer.alloc(0);
    const bytes = pending ? Buffer.concat([Buffer.from(pending, 'utf8'), data]) : data;
    if (bytes.length) this.writeChunk(bytes, t);
  }

  /**
   * A raw chunk for the trace. Redaction works record by record, so a key cut by a chunk boundary
   * would be stored half in the clear: a chunk's end that may start a key (`sk-…`) is held back and
   * goes with the next chunk (the bytes and their order are unchanged).
   */
  private writeChunk(bytes: Buffer, t: Micros): void {
    const data = this.held ? Buffer.concat([this.held, bytes]) : bytes;
    this.held = null;
    const cut = keyStartAtEnd(data);
    if (cut < data.length) this.held = Buffer.from(data.subarray(cut));
    if (cut > 0) this.sink.write({ kind: 'http-data', t, id: this.id, chunk: { enc: 'bytes', bytes: cut < data.length ? data.subarray(0, cut) : data } });
  }

  /** An unterminated last event still goes into the trace, as the raw text it was (and a held chunk end). */
  private flushText(): void {
    if (this.held) {
      const held = this.held;
      this.held = null;
      this.sink.write({ kind: 'http-data', t: this.lastT, id: this.id, chunk: { enc: 'bytes', bytes: held } });
    }
    if (!this.splitter || this.bytesMode) return;
    if (this.tail.length) return this.keepBytes(this.tail, this.lastT); // the body ended inside a character
    const rest = this.takePending();
    if (rest) this.sink.write({ kind: 'http-data', t: this.lastT, id: this.id, sse: { form: 'raw', text: rest } });
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.inflater?.destroy();
    this.sink.fault(new Error(`response body of ${this.id} could not be decoded for the trace: ${(err as Error)?.message ?? err}`));
  }
}

/** How many leading bytes of `b` end on a character boundary (a UTF-8 sequence cut at the end is left out). */
function wholeCharacters(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back];
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > back ? b.length - back : b.length;
    }
  }
  return b.length;
}

const KEY_START_AT_END = /(?<![A-Za-z0-9_])s(?:k(?:-[A-Za-z0-9_-]*)?)?$/;

/** Where a possible key (`sk-…`, or just `s`/`sk` that may become one) starts at the end of `b`; b.length if none. */
function keyStartAtEnd(b: Buffer): number {
  const from = Math.max(0, b.length - 256);
  const m = KEY_START_AT_END.exec(b.toString('latin1', from));
  return m ? from + m.index : b.length;
}

/**
 * A request body as the trace stores it: compressed bodies decoded (the analysis needs the JSON), up
 * to decodeBound; past that as sent, with a note saying why (and as sent when it does not decode).
 */
export function requestBody(chunks: Buffer[], contentEncoding: string | undefined, id: string): { body: Body; note?: string } {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const max = decodeBound(bytes.length);
  const coding = decodableCoding(contentEncoding);
  if (coding === null || coding === 'unknown' || bytes.length === 0) return { body: { enc: 'bytes', bytes } };
  try {
    const opts = { maxOutputLength: max };
    const out = coding === 'gzip' ? zlib.gunzipSync(bytes, opts) : coding === 'br' ? zlib.brotliDecompressSync(bytes, opts) : zlib.inflateSync(bytes, opts);
    return { body: { enc: 'bytes', bytes: out } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return { body: { enc: 'bytes', bytes } };
    return { body: { enc: 'bytes', bytes }, note: `request body of ${id} stored as sent (${coding}): it decodes to more than ${max} bytes` };
  }
}
