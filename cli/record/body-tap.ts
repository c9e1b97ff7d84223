// The trace's copy of a response body. It runs beside the relay and never touches the bytes the
// harness receives: a compressed body is decoded on a side zlib stream, an SSE body is split into
// events. Each event is stamped with the arrival time of the wire chunk that completed it.
import { isUtf8 } from 'node:buffer';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Micros } from '../../format/types.js';
import { SseSplitter } from '../../format/sse.js';
import type { GuardedSink } from './sink.js';

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

export class ResponseTap {
  private splitter: SseSplitter | null;
  /** The bytes of a character cut by a chunk boundary, waiting for the rest of it. */
  private tail: Buffer = Buffer.alloc(0);
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
  private lastT: Micros = 0;
  private broken = false;
  private finished = false;

  constructor(
    private readonly sink: GuardedSink,
    private readonly id: string,
    sse: boolean,
    private readonly coding: BodyCoding | null,
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
      const inf = this.inflater ?? this.openInflater(chunk);
      this.pending.push(t);
      inf.write(chunk, () => {
        this.pending.shift();
      });
    } catch (err) {
      this.fail(err);
    }
  }

  /** The body ended (or was cut): flush what is decodable, then call `done` (always called once). */
  end(done: () => void): void {
    if (this.finished) return;
    this.finished = true;
    const finish = () => {
      this.sink.guard(() => this.flushText());
      done();
    };
    if (!this.inflater || this.broken) return finish();
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
    inf.on('data', (out: Buffer) => this.sink.guard(() => this.emit(out, this.pending[0] ?? this.lastT)));
    inf.on('error', (err) => this.fail(err));
    this.inflater = inf;
    return inf;
  }

  // Text is decoded by hand rather than with a TextDecoder: a decoder would drop a leading BOM and
  // turn bytes that are not UTF-8 into U+FFFD, and the trace must rebuild every byte of the body.
  private emit(bytes: Buffer, t: Micros): void {
    if (!this.splitter || this.bytesMode) return this.writeChunk(bytes, t);
    const data = this.tail.length ? Buffer.concat([this.tail, bytes]) : bytes;
    const cut = wholeCharacters(data);
    const whole = data.subarray(0, cut);
    if (!isUtf8(whole)) return this.keepBytes(data, t);
    this.tail = Buffer.from(data.subarray(cut));
    const text = whole.toString('utf8');
    // A long event arrives as many chunks without a line break; the splitter rescans what it holds on
    // every push, so they wait here and go in together (one scan instead of one per chunk).
    if (!this.endsInCR && text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
      if (text) this.waiting.push(text);
      return;
    }
    const all = this.waiting.length ? this.waiting.join('') + text : text;
    this.waiting = [];
    this.endsInCR = all.charCodeAt(all.length - 1) === 13;
    for (const ev of this.splitter.push(all)) this.sink.write({ kind: 'http-data', t, id: this.id, sse: { form: 'raw', text: ev } });
  }

  /** The splitter's pending text and the text waiting for it. */
  private takePending(): string {
    const pending = (this.splitter?.flush() ?? '') + this.waiting.join('');
    this.waiting = [];
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
