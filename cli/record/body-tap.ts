// The trace's copy of a response body. It runs beside the relay and never touches the bytes the
// harness receives: a compressed body is decoded on a side zlib stream, an SSE body is split into
// events. Each event is stamped with the arrival time of the wire chunk that completed it.
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
  private text: TextDecoder | null;
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
    // ignoreBOM keeps a leading BOM in the text (the default strips it): the trace must rebuild every byte.
    this.text = sse ? new TextDecoder('utf-8', { ignoreBOM: true }) : null;
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

  private emit(bytes: Buffer, t: Micros): void {
    if (!this.splitter || !this.text) {
      this.sink.write({ kind: 'http-data', t, id: this.id, chunk: { enc: 'bytes', bytes } });
      return;
    }
    const events = this.splitter.push(this.text.decode(bytes, { stream: true }));
    for (const text of events) this.sink.write({ kind: 'http-data', t, id: this.id, sse: { form: 'raw', text } });
  }

  /** An unterminated last event still goes into the trace, as the raw text it was. */
  private flushText(): void {
    if (!this.splitter || !this.text) return;
    const rest = this.splitter.push(this.text.decode());
    rest.push(this.splitter.flush());
    for (const text of rest) {
      if (text) this.sink.write({ kind: 'http-data', t: this.lastT, id: this.id, sse: { form: 'raw', text } });
    }
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.sink.fault(new Error(`response body of ${this.id} could not be decoded for the trace: ${(err as Error)?.message ?? err}`));
  }
}
