// Re-framing a finished trace: while recording, frames are small (one per ~50 ms, for crash safety);
// once the session is over, the same plaintext in large frames compresses markedly better.
import { crc32 } from './crc32.js';
import { Codec, Dictionary, FILE_HEADER_LENGTH, FRAME_HEADER_LENGTH, buildFrame, deflateFrame, inflateFrame } from './frame.js';
import { concatBytes } from './bytes.js';
import { TraceFormatError } from './errors.js';

/** Plaintext per output frame. */
const TARGET = 256 * 1024;

/**
 * The same trace with its frames merged (the session frame stays first and plain). Returns null when
 * the input is truncated or damaged: such a file is left as it is.
 */
export function compactTrace(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < FILE_HEADER_LENGTH) throw new TraceFormatError('not a lapse trace (file too short for its header)');
  const plains: Uint8Array[] = [];
  const inDict = new Dictionary();
  let o = FILE_HEADER_LENGTH;
  while (o < bytes.length) {
    if (o + FRAME_HEADER_LENGTH > bytes.length) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset + o, FRAME_HEADER_LENGTH);
    const length = view.getUint32(0, true);
    const crc = view.getUint32(4, true);
    const codec = bytes[o + 8];
    const start = o + FRAME_HEADER_LENGTH;
    if (start + length > bytes.length) return null;
    const payload = bytes.subarray(start, start + length);
    if (crc32(payload) !== crc) return null;
    let plain: Uint8Array;
    try {
      plain = inflateFrame(payload, codec, inDict);
    } catch {
      return null;
    }
    inDict.append(plain);
    plains.push(plain);
    o = start + length;
  }
  if (plains.length === 0) return bytes;
  const out: Uint8Array[] = [bytes.subarray(0, FILE_HEADER_LENGTH)];
  const outDict = new Dictionary();
  const emit = (plain: Uint8Array, compress: boolean) => {
    let payload = plain;
    let codec = Codec.Plain;
    if (compress) {
      const packed = deflateFrame(plain, outDict, 9);
      if (packed) {
        payload = packed;
        codec = Codec.DeflateChainedSized;
      }
    }
    outDict.append(plain);
    out.push(buildFrame(payload, codec));
  };
  emit(plains[0], false); // the session record, readable without decompressing
  let group: Uint8Array[] = [];
  let size = 0;
  for (let i = 1; i < plains.length; i++) {
    group.push(plains[i]);
    size += plains[i].length;
    if (size >= TARGET) {
      emit(concatBytes(group), true);
      group = [];
      size = 0;
    }
  }
  if (group.length) emit(concatBytes(group), true);
  return concatBytes(out);
}
