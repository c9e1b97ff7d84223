// Byte layout: magic, then frames. See SPEC.md.
import { crc32 } from './crc32.js';
import { FORMAT_MAGIC } from './types.js';

export const MAGIC_BYTES = new TextEncoder().encode(FORMAT_MAGIC); // 'LAPSE'
export const FILE_HEADER_LENGTH = MAGIC_BYTES.length + 3; // + major, minor, flags
export const FRAME_HEADER_LENGTH = 9; // u32 length, u32 crc32, u8 codec
export const MAX_FRAME_PAYLOAD = 256 * 1024 * 1024;
/** Deflate dictionary: the last 32 KiB of plaintext before the frame. */
export const DICTIONARY_LENGTH = 32 * 1024;

export const enum Codec {
  Plain = 0,
  DeflateChained = 1,
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
