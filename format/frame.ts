// Byte layout: magic, then frames. See SPEC.md.
import { Inflate, deflateSync, inflateSync } from 'fflate';
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
  /** Format 1.1: as Plain, but the records may be 1.1's (a 1.0 reader stops here instead of misreading). */
  Plain11 = 3,
  /** Format 1.1: as DeflateChainedSized, with 1.1 records. */
  Deflate11 = 4,
  /** Format 1.3: the plaintext length (u32le), then a Brotli stream of it (no dictionary): compacted traces. */
  Brotli = 5,
}

/**
 * Brotli of exactly `length` bytes; throws when the stream holds more or is damaged. The CLI passes
 * node:zlib's; format/index.ts sets the npm `brotli` package's pure-JavaScript one as the default
 * (the browser has no Brotli of its own), so a reader that only reads live traces never loads it.
 */
export type SizedBrotli = (compressed: Uint8Array, length: number) => Uint8Array;

/**
 * Raw DEFLATE with a preset dictionary. Any conforming encoder will do (readers only inflate); the
 * platform's own (node:zlib) is several times faster than fflate: the CLI's writer passes it in.
 */
export type RawDeflate = (plain: Uint8Array, dictionary: Uint8Array | undefined, level: 6 | 9) => Uint8Array;

const fflateDeflate: RawDeflate = (plain, dictionary, level) => deflateSync(plain, { level, dictionary });

/** Compresses a frame's plaintext (codec 2); null when that would not be smaller. */
export function deflateFrame(plain: Uint8Array, dictionary: Dictionary, level: 6 | 9, deflate: RawDeflate = fflateDeflate): Uint8Array | null {
  const packed = deflate(plain, dictionary.bytes.length ? dictionary.bytes : undefined, level);
  if (packed.length + 4 >= plain.length) return null;
  const out = new Uint8Array(4 + packed.length);
  new DataView(out.buffer).setUint32(0, plain.length, true);
  out.set(packed, 4);
  return out;
}

/**
 * DEFLATE cannot expand past ~1032:1 (a 258-byte match per 2 bits, at best): a frame declaring more
 * plaintext than this for its payload is damage, whatever its checksum says.
 */
export const MAX_DEFLATE_RATIO = 1032;

/** A frame would inflate past the limit the reader set (see ReaderOptions.maxInflate). */
export class InflateLimitError extends Error {}

/**
 * The plaintext of a frame payload; throws on damage. Never produces more than `limit` bytes (nor more
 * than the frame declares, nor more than DEFLATE can hold): an inflate bomb costs at most the limit.
 */
/**
 * Raw DEFLATE of exactly `length` bytes with a preset dictionary; throws when the stream holds more or
 * is damaged. The platform's own (node:zlib) is about twice as fast as fflate: the CLI passes it in.
 */
export type SizedInflate = (deflated: Uint8Array, dictionary: Uint8Array | undefined, length: number) => Uint8Array;

const fflateSized: SizedInflate = (deflated, dictionary, length) => inflateSync(deflated, { dictionary, out: new Uint8Array(length) });

export function inflateFrame(payload: Uint8Array, codec: number, dictionary: Dictionary, limit = MAX_FRAME_PLAINTEXT, sized: SizedInflate = fflateSized, brotli: SizedBrotli | undefined = defaultBrotli): Uint8Array {
  const dict = dictionary.bytes.length ? dictionary.bytes : undefined;
  if (codec === Codec.Plain || codec === Codec.Plain11) return payload;
  if (codec === Codec.Brotli) return unbrotliFrame(payload, limit, brotli);
  if (codec === Codec.DeflateChained) return inflateStreamCapped(payload, dict, Math.min(limit, MAX_DEFLATE_RATIO * payload.length + 1024));
  if ((codec !== Codec.DeflateChainedSized && codec !== Codec.Deflate11) || payload.length < 4) throw new Error(`unknown codec ${codec}`);
  const length = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  if (length > MAX_FRAME_PLAINTEXT || length > MAX_DEFLATE_RATIO * payload.length + 1024) throw new Error('frame declares more plaintext than its payload can hold');
  if (length > limit) throw new InflateLimitError(`frame would inflate to ${length} bytes, past the limit`);
  // Inflating into a buffer of the declared size stops there: a longer stream cannot grow it.
  const out = sized(payload.subarray(4), dict, length);
  // The checksum vouches for the length the writer put there; a stream that ends early is damage.
  if (out.length !== length) throw new Error('frame length mismatch');
  return out;
}

let defaultBrotli: SizedBrotli | undefined;

/** The Brotli decoder readers use when they are given none (format/index.ts sets the npm package's). */
export function setDefaultBrotli(decode: SizedBrotli): void {
  defaultBrotli = decode;
}

/**
 * Codec 5. Brotli has no useful bound on its ratio (one command can repeat 16 MiB), so a frame is held
 * to the reader's limit alone; the decoder writes into a buffer of the declared length and fails past it.
 */
function unbrotliFrame(payload: Uint8Array, limit: number, brotli: SizedBrotli | undefined): Uint8Array {
  if (payload.length < 4) throw new Error('short brotli frame');
  const length = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  if (length > MAX_FRAME_PLAINTEXT) throw new Error('frame declares more plaintext than a frame may hold');
  if (length > limit) throw new InflateLimitError(`frame would inflate to ${length} bytes, past the limit`);
  if (!brotli) throw new Error('a brotli frame, and no brotli decoder (import format/index.js, or pass one)');
  const out = brotli(payload.subarray(4), length);
  if (out.length !== length) throw new Error('frame length mismatch');
  return out;
}

/** Codec 5's payload: the length, then the stream. */
export function brotliPayload(plain: Uint8Array, compressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + compressed.length);
  new DataView(out.buffer).setUint32(0, plain.length, true);
  out.set(compressed, 4);
  return out;
}

/** Codec 1 has no declared length: inflate in pieces and give up as soon as the output passes `cap`. */
function inflateStreamCapped(payload: Uint8Array, dictionary: Uint8Array | undefined, cap: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate({ dictionary }, (data) => {
    total += data.length;
    if (total > cap) throw new InflateLimitError(`frame inflates past ${cap} bytes, the limit`);
    parts.push(data);
  });
  const PIECE = 16 * 1024;
  for (let o = 0; o < payload.length; o += PIECE) inflater.push(payload.subarray(o, o + PIECE), o + PIECE >= payload.length);
  if (payload.length === 0) inflater.push(payload, true);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

export function isKnownCodec(codec: number): boolean {
  return codec >= Codec.Plain && codec <= Codec.Brotli;
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
