// A WebSocket frame reader (RFC 6455 §5.2) for the trace's copy of a relayed connection. The relay
// itself forwards bytes untouched; this only reads along.
import { MAX_BODY_BYTES } from './limits.js';

export interface WsFrame {
  fin: boolean;
  /** Per-message-deflate marks the first frame of a compressed message with RSV1. */
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Frames larger than this are not kept for the trace (the relay still forwards them). */
const MAX_FRAME = MAX_BODY_BYTES;

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Bytes of a frame not complete yet. */
  get pending(): number {
    return this.buffered;
  }

  /** Feeds bytes in; returns the frames they completed. Throws on a frame the trace cannot follow. */
  push(chunk: Buffer): WsFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: WsFrame[] = [];
    for (;;) {
      const f = this.next();
      if (!f) break;
      out.push(f);
    }
    return out;
  }

  private next(): WsFrame | null {
    if (this.buffered < 2) return null;
    const head = this.peek(Math.min(this.buffered, 14));
    const b0 = head[0];
    const b1 = head[1];
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (head.length < 4) return null;
      len = head.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (head.length < 10) return null;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(MAX_FRAME)) throw new Error(`WebSocket frame of ${big} bytes is too large to record`);
      len = Number(big);
      off = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskAt = off;
    if (masked) off += 4;
    if (this.buffered < off + len) return null;
    const all = this.take(off + len);
    const payload = Buffer.from(all.subarray(off, off + len));
    if (masked) {
      const m0 = all[maskAt];
      const m1 = all[maskAt + 1];
      const m2 = all[maskAt + 2];
      const m3 = all[maskAt + 3];
      for (let i = 0; i < payload.length; i++) {
        const k = i & 3;
        payload[i] ^= k === 0 ? m0 : k === 1 ? m1 : k === 2 ? m2 : m3;
      }
    }
    return { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, payload };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const out = first.subarray(0, n);
    const rest = first.subarray(n);
    if (rest.length) this.chunks[0] = rest;
    else this.chunks.shift();
    this.buffered -= n;
    return out;
  }
}

/** Builds a frame (used by tests and the benchmark to speak WebSocket without a library). */
export function encodeFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; rsv1?: boolean; mask?: boolean } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const maskLen = opts.mask ? 4 : 0;
  const out = Buffer.alloc(2 + ext + maskLen + len);
  out[0] = (fin ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opcode;
  out[1] = (opts.mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) out.writeUInt16BE(len, 2);
  else if (ext === 8) out.writeBigUInt64BE(BigInt(len), 2);
  const at = 2 + ext;
  if (opts.mask) {
    const key = [0x12, 0x34, 0x56, 0x78];
    for (let i = 0; i < 4; i++) out[at + i] = key[i];
    for (let i = 0; i < len; i++) out[at + 4 + i] = payload[i] ^ key[i & 3];
  } else {
    payload.copy(out, at);
  }
  return out;
}
