// Byte layout: magic, then frames. See SPEC.md.
import { deflateSync, inflateSync } from 'fflate';
import { crc32 } from './crc32.js';
import { FORMAT_MAGIC } from './types.js';

export const MAGIC_BYTES = new TextEncoder().encode(FORMAT_MAGIC); // 'LAPSE'
export const FILE_HEADER_LENGTH = MAGIC_BYTES.length + 3; // + major, minor, flags
/** Byte offset of the flags in the file header. */
export const FLAGS_OFFSET = MAGIC_BYTES.length + 2;
/** Set by the writer while the trace is being written, cleared when it closes it cleanly. */
export const FLAG_OPEN = 1;
export const FRAME_HEADER_LENGTH = 9; // u32 length, u32 crc32, u8 codec
export const MAX_FRAME_PAYLOAD = 256 * 1024 * 1024;
export const MAX_FRAME_PLAINTEXT = 1024 * 1024 * 1024;
/** Deflate dictionary: the last 32 KiB of plaintext before the frame. */
export const DICTIONARY_LENGTH = 32 * 1024;

export const enum Codec {
  Plain = 0,
  /** Raw deflate with the chained dictionary (version 1.0 writers). */
  DeflateChained = 1,
  /** The same, preceded by the plaintext length (u32le), so the reader inflates into one exact buffer. */
  DeflateChainedSized = 2,
}

/** Compresses a frame's plaintext (codec 2); null when that would not be smaller. */
export function deflateFrame(plain: Uint8Array, dictionary: Dictionary, level: 6 | 9): Uint8Array | null {
  const packed = deflateSync(plain, { level, dictionary: dictionary.bytes.length ? dictionary.bytes : undefined });
  if (packed.length + 4 >= plain.length) return null;
  const out = new Uint8Array(4 + packed.length);
  new DataView(out.buffer).setUint32(0, plain.length, true);
  out.set(packed, 4);
  return out;
}

/** The plaintext of a frame payload; throws on damage. */
export function inflateFrame(payload: Uint8Array, codec: number, dictionary: Dictionary): Uint8Array {
  const dict = dictionary.bytes.length ? dictionary.bytes : undefined;
  if (codec === Codec.Plain) return payload;
  if (codec === Codec.DeflateChained) return inflateSync(payload, { dictionary: dict });
  if (codec !== Codec.DeflateChainedSized || payload.length < 4) throw new Error(`unknown codec ${codec}`);
  const length = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  if (length > MAX_FRAME_PLAINTEXT) throw new Error('frame too large');
  const out = inflateSync(payload.subarray(4), { dictionary: dict, out: new Uint8Array(length) });
  // The checksum vouches for the length the writer put there; a stream that ends early is damage.
  if (out.length !== length) throw new Error('frame length mismatch');
  return out;
}

export function isKnownCodec(codec: number): boolean {
  return codec === Codec.Plain || codec === Codec.DeflateChained || codec === Codec.DeflateChainedSized;
}

export function fileHeader(major: number, minor: number): Uint8Array {
  const out = new Uint8Array(FILE_HEADER_LENGTH);
  out.set(MAGIC_BYTES, 0);
  out[MAGIC_BYTES.length] = major;
  out[MAGIC_BYTES.length + 1] = minor;
  out[MAGIC_BYTES.length + 2] = 0;
  return out;
}

/** Keeps the last DICTIONARY_LENGTH bytes of the plaintext stream, shared by writer and reader. */
export class Dictionary {
  private buf: Uint8Array = new Uint8Array(0);

  get bytes(): Uint8Array {
    return this.buf;
  }

  append(plain: Uint8Array): void {
    if (plain.length >= DICTIONARY_LENGTH) {
      this.buf = plain.slice(plain.length - DICTIONARY_LENGTH);
      return;
    }
    const keep = Math.min(this.buf.length, DICTIONARY_LENGTH - plain.length);
    const next = new Uint8Array(keep + plain.length);
    next.set(this.buf.subarray(this.buf.length - keep), 0);
    next.set(plain, keep);
    this.buf = next;
  }
}

/** length, checksum and codec in front of a payload. */
export function buildFrame(payload: Uint8Array, codec: Codec): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LENGTH + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out[8] = codec;
  out.set(payload, FRAME_HEADER_LENGTH);
  return out;
}
