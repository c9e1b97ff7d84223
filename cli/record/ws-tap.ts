// Reads a relayed WebSocket connection along for the trace: both directions' frames are parsed,
// messages reassembled, per-message-deflate undone (with the parameters the upstream accepted), and
// each message recorded with the arrival time of the chunk that completed it (and of the one that
// held its first byte, when that was earlier: the message's way through the proxy). Anything it cannot
// follow stops the trace's copy of this connection, never the connection.
import zlib from 'node:zlib';
import type { Micros } from '../../format/types.js';
import { FrameReader, OP_BINARY, OP_CLOSE, OP_CONT, OP_TEXT, type WsFrame } from './ws-frames.js';
import { decodeBound } from './body-tap.js';
import type { TapTarget } from './tap-host.js';

export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
}

/** Reads the upstream's Sec-WebSocket-Extensions answer; null when per-message-deflate is off. */
export function parseDeflate(header: string | undefined): DeflateParams | null {
  if (!header) return null;
  for (const ext of header.split(',')) {
    const parts = ext.split(';').map((p) => p.trim().toLowerCase());
    if (parts[0] !== 'permessage-deflate') continue;
    return {
      serverNoContextTakeover: parts.includes('server_no_context_takeover'),
      clientNoContextTakeover: parts.some((p) => p.startsWith('client_no_context_takeover')),
    };
  }
  return null;
}

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

type Dir = 'up' | 'down';

/** One direction: frames → messages → (inflated, in order) records. */
class DirectionReader {
  private frames = new FrameReader();
  private parts: Buffer[] = [];
  private msgOpcode = 0;
  private msgCompressed = false;
  private inflater: zlib.InflateRaw | null = null;

  constructor(
    /**
     * Inflation is asynchronous; messages of both directions are recorded strictly in the order they
     * arrived through this one chain (the harness's close frame must not overtake the last answer).
     */
    private readonly order: { chain: Promise<void> },
    private readonly dir: Dir,
    private readonly deflate: DeflateParams | null,
    private readonly onMessage: (dir: Dir, t: Micros, data: Buffer, binary: boolean, start: Micros) => void,
    private readonly onClose: (dir: Dir, t: Micros, code: number, reason: string) => void,
    private readonly onFail: (err: unknown) => void,
  ) {}

  private failed = false;
  /** A chunk of this direction was shed: frames cannot be found past it. */
  lost = false;
  /** Arrival of the chunk holding the first byte of the message being read; -1 between messages. */
  private msgStart: Micros = -1;

  push(chunk: Buffer, t: Micros): void {
    if (this.failed || this.lost) return;
    if (this.msgStart < 0) this.msgStart = t;
    for (const f of this.frames.push(chunk)) this.frame(f, t);
    if (this.parts.length === 0 && this.frames.pending === 0) this.msgStart = -1;
  }

  private frame(f: WsFrame, t: Micros): void {
    if (f.opcode === OP_CLOSE) {
      const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
      const reason = f.payload.length > 2 ? f.payload.subarray(2).toString('utf8') : '';
      this.enqueue(async () => this.onClose(this.dir, t, code, reason));
      return;
    }
    if (f.opcode >= 0x8) {
      // ping/pong: relayed, not recorded; between messages, the next one begins in this chunk at the earliest
      if (this.parts.length === 0) this.msgStart = t;
      return;
    }
    if (f.opcode === OP_TEXT || f.opcode === OP_BINARY) {
      this.parts = [];
      this.msgOpcode = f.opcode;
      this.msgCompressed = f.rsv1 && this.deflate !== null;
    } else if (f.opcode !== OP_CONT) {
      return; // unknown data opcode: nothing to record
    }
    this.parts.push(f.payload);
    if (!f.fin) return;
    const payload = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    const binary = this.msgOpcode === OP_BINARY;
    const start = this.msgStart;
    this.msgStart = t; // what follows in this chunk is the next message's
    if (!this.msgCompressed) {
      this.enqueue(async () => this.onMessage(this.dir, t, payload, binary, start));
      return;
    }
    this.enqueue(async () => this.onMessage(this.dir, t, await this.inflate(payload), binary, start));
  }

  private enqueue(step: () => Promise<void>): void {
    // Never a rejected chain (an unhandled rejection would end the process): a failure stops this
    // direction's recording and is reported once.
    this.order.chain = this.order.chain.then(step).catch((err) => {
      this.failed = true;
      this.onFail(err);
    });
  }

  private inflate(payload: Buffer): Promise<Buffer> {
    const noTakeover = this.dir === 'down' ? this.deflate!.serverNoContextTakeover : this.deflate!.clientNoContextTakeover;
    if (!this.inflater) this.inflater = zlib.createInflateRaw({ windowBits: 15 });
    const inf = this.inflater;
    return new Promise<Buffer>((resolve, reject) => {
      const out: Buffer[] = [];
      let size = 0;
      const bound = decodeBound(payload.length);
      const onData = (b: Buffer) => {
        out.push(b);
        size += b.length;
        if (size > bound) inf.destroy(new Error(`a message decodes to more than ${bound} bytes`));
      };
      const onError = (err: Error) => {
        inf.off('data', onData);
        this.inflater = null;
        reject(err);
      };
      inf.on('data', onData);
      inf.once('error', onError);
      inf.write(payload);
      inf.write(TRAILER);
      inf.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        inf.off('data', onData);
        inf.off('error', onError);
        if (noTakeover) inf.reset();
        resolve(out.length === 1 ? out[0] : Buffer.concat(out));
      });
    });
  }

  whenIdle(): Promise<void> {
    return this.order.chain;
  }

  close(): void {
    this.inflater?.close();
    this.inflater = null;
  }
}

export class WsTap {
  private up: DirectionReader;
  private down: DirectionReader;
  private broken = false;
  closeSeen = false;

  constructor(
    private readonly sink: TapTarget,
    private readonly id: string,
    deflate: DeflateParams | null,
  ) {
    const message = (dir: Dir, t: Micros, data: Buffer, binary: boolean, start: Micros) => {
      this.sink.write({ kind: 'ws-message', t, id: this.id, dir, data: { enc: 'bytes', bytes: data }, binary, ...(start >= 0 && start < t ? { start } : {}) });
    };
    const close = (dir: Dir, t: Micros, code: number, reason: string) => {
      // The first close frame says who ended the conversation; the answering one adds nothing.
      if (this.closeSeen) return;
      this.closeSeen = true;
      this.sink.write({ kind: 'ws-close', t, id: this.id, code, reason, by: dir === 'up' ? 'client' : 'upstream' });
    };
    const fail = (err: unknown) => this.fail(err);
    const order = { chain: Promise.resolve() };
    this.up = new DirectionReader(order, 'up', deflate, message, close, fail);
    this.down = new DirectionReader(order, 'down', deflate, message, close, fail);
  }

  push(dir: Dir, chunk: Buffer, t: Micros): void {
    if (this.broken) return;
    try {
      (dir === 'up' ? this.up : this.down).push(chunk, t);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The relay shed a chunk of `dir` (the writer thread was behind): that direction's messages stop here. */
  gap(dir: Dir, t: Micros, length: number): void {
    const reader = dir === 'up' ? this.up : this.down;
    if (this.broken || reader.lost) return;
    reader.lost = true;
    const reason = `WebSocket ${this.id}: messages ${dir === 'up' ? 'to' : 'from'} the upstream after a shed chunk are not recorded`;
    this.sink.write({ kind: 'drop', t, records: 0, bytes: length, reason });
  }

  /** Resolves when every message read so far has been recorded (or the tap gave up). */
  async settle(): Promise<void> {
    await this.up.whenIdle(); // one chain for both directions
    this.up.close();
    this.down.close();
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.sink.fault(new Error(`WebSocket ${this.id} could not be followed for the trace: ${(err as Error)?.message ?? err}`));
  }
}
