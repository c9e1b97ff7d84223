// Where the relay's raw chunks become records (on the writer thread, see writer-worker.ts; in the
// caller's thread for a sink that has none). The relay only names its streams and hands over bytes
// with their arrival times; everything that reads them (SSE splitting, UTF-8, decompression, WebSocket
// frames, request bodies) happens here, in the order the relay saw things.
import type { HttpRequestRecord, Micros, TraceRecord, WsCloseRecord } from '../../format/types.js';
import { requestBody, ResponseTap, type BodyCoding } from './body-tap.js';
import type { Control } from './recording-queue.js';
import { parseDeflate, WsTap } from './ws-tap.js';

/** What the relay says about its streams (a key names one stream of chunks). */
export type StreamOp =
  /** The chunks of `key` are a request body… */
  | { op: 'request-body'; key: number }
  /** …recorded as `rec` (its body taken from those chunks) once the relay says so. */
  | { op: 'request'; key: number; rec: HttpRequestRecord; contentEncoding: string | undefined }
  /** The chunks of `key` are a response body, as the wire carries it. */
  | { op: 'response-body'; key: number; id: string; coding: BodyCoding | null; sse: boolean }
  /** `rec` is written once every record of `key`'s body is (a compressed body's tail comes later). */
  | { op: 'end'; key: number; rec: TraceRecord }
  /** A WebSocket connection: `up` carries the harness's bytes, `down` the upstream's. */
  | { op: 'ws'; up: number; down: number; id: string; extensions: string }
  /** The connection ended: `rec` is written unless a close frame already said why. */
  | { op: 'ws-end'; up: number; down: number; rec: WsCloseRecord };

/** Where records go, and where a fault in reading a stream is reported (the relay never hears of it). */
export interface TapTarget {
  write(rec: TraceRecord): void;
  fault(err: unknown): void;
}

interface RequestStream {
  type: 'request';
  chunks: Buffer[];
  dropped: number;
}
type Stream = RequestStream | { type: 'response'; tap: ResponseTap } | { type: 'ws'; tap: WsTap; dir: 'up' | 'down' };

export class TapHost {
  private streams = new Map<number, Stream>();
  private pending = new Set<Promise<void>>();

  constructor(private readonly out: TapTarget) {}

  control(c: Control): void {
    if ('kind' in c) return this.out.write(c); // a finished record (a file record has an `op` too)
    try {
      this.op(c);
    } catch (err) {
      this.out.fault(err);
    }
  }

  chunk(key: number, t: Micros, bytes: Buffer): void {
    const s = this.streams.get(key);
    if (!s) return;
    try {
      if (s.type === 'request') s.chunks.push(bytes);
      else if (s.type === 'response') s.tap.push(bytes, t);
      else s.tap.push(s.dir, bytes, t);
    } catch (err) {
      this.out.fault(err);
    }
  }

  /** A chunk the relay shed (the writer was behind): only its length and time are known. */
  dropped(key: number, t: Micros, length: number): void {
    const s = this.streams.get(key);
    if (!s) return;
    if (s.type === 'request') s.dropped += length;
    else if (s.type === 'response') s.tap.gap(length, t);
    else s.tap.gap(s.dir, t, length);
  }

  /** Resolves when every stream that ended has written its last record. */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private op(c: StreamOp): void {
    switch (c.op) {
      case 'request-body':
        this.streams.set(c.key, { type: 'request', chunks: [], dropped: 0 });
        return;
      case 'request': {
        const s = this.streams.get(c.key);
        this.streams.delete(c.key);
        if (s?.type !== 'request') return this.out.write(c.rec);
        if (s.dropped) return this.out.write({ ...c.rec, body: { enc: 'dropped', length: s.dropped + size(s.chunks) } });
        const { body, note } = requestBody(s.chunks, c.contentEncoding, c.rec.id);
        this.out.write({ ...c.rec, body });
        if (note) this.out.write({ kind: 'drop', t: c.rec.t, records: 0, bytes: 0, reason: note });
        return;
      }
      case 'response-body':
        this.streams.set(c.key, { type: 'response', tap: new ResponseTap(this.out, c.id, c.sse, c.coding) });
        return;
      case 'end': {
        const s = this.streams.get(c.key);
        this.streams.delete(c.key);
        if (s?.type !== 'response') return this.out.write(c.rec);
        this.track(new Promise<void>((resolve) => s.tap.end(() => (this.out.write(c.rec), resolve()))));
        return;
      }
      case 'ws': {
        const tap = new WsTap(this.out, c.id, parseDeflate(c.extensions));
        this.streams.set(c.up, { type: 'ws', tap, dir: 'up' });
        this.streams.set(c.down, { type: 'ws', tap, dir: 'down' });
        return;
      }
      case 'ws-end': {
        const s = this.streams.get(c.up);
        this.streams.delete(c.up);
        this.streams.delete(c.down);
        if (s?.type !== 'ws') return this.out.write(c.rec);
        const tap = s.tap;
        const finish = () => {
          if (!tap.closeSeen) this.out.write(c.rec);
        };
        this.track(tap.settle().then(finish, finish));
        return;
      }
    }
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err) => this.out.fault(err));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

function size(chunks: Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
