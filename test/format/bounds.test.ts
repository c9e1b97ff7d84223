// Work bounded by the input: an inflate bomb stops at the reader's cap, a frame delivered in many
// chunks is assembled once, and a patch against a body the trace lacks is damage, not an empty body.
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { readTrace, TraceEncoder, TraceStreamReader } from '../../format/index.js';
import { ChunkQueue } from '../../format/chunks.js';
import { buildFrame, Codec } from '../../format/frame.js';
import { packr } from '../../format/packr.js';
import { concatBytes } from '../../format/bytes.js';
import { DEFAULT_MAX_INFLATE } from '../../format/reader.js';
import { rng, session } from './helpers.js';
import { brotliCompressSync, constants } from 'node:zlib';
import { nodeBrotli } from '../../cli/trace/brotli.js';

/** Header + session frame, then `frames` copies of one codec-2 frame that inflates to a `size`-byte marker. */
function bomb(frames: number, size: number): Uint8Array {
  const head = new TraceEncoder().encodeHeader(session());
  const plain = packr.pack({ kind: 'marker', label: 'a'.repeat(size), t: 0 });
  // A deflate stream that never reaches back before its own start decodes the same with any
  // dictionary, so one compressed payload serves every frame.
  const packed = deflateSync(plain, { level: 1 });
  const payload = new Uint8Array(4 + packed.length);
  new DataView(payload.buffer).setUint32(0, plain.length, true);
  payload.set(packed, 4);
  const frame = buildFrame(payload, Codec.DeflateChainedSized);
  return concatBytes([head, ...Array.from({ length: frames }, () => frame)]);
}

describe('bounded reading', () => {
  it('stops an inflate bomb at 32 MiB + 32× the file, with a one-line reason', () => {
    const bytes = bomb(600, 4 << 20); // ~2.5 MB that would inflate to 2.4 GB
    const reader = new TraceStreamReader();
    let markers = 0;
    for (let o = 0; o < bytes.length; o += 64 * 1024) markers += reader.push(bytes.subarray(o, o + 64 * 1024)).filter((r) => r.kind === 'marker').length;
    const end = reader.end();
    expect(end.truncated).toBe(true);
    expect(end.damage).toMatch(/would inflate past 32× the file plus 32 MiB/);
    expect(end.damage).not.toContain('\n');
    expect(reader.inflatedBytes).toBeLessThanOrEqual(DEFAULT_MAX_INFLATE.base + DEFAULT_MAX_INFLATE.ratio * bytes.length);
    expect(markers).toBeGreaterThan(0); // what fits under the cap is read
    expect(markers).toBeLessThan(600);
  });

  it('refuses a frame declaring more plaintext than deflate can hold', () => {
    const bytes = bomb(1, 1000);
    // rewrite the declared length (payload offset: header 8 + session frame + frame header 9) and its crc
    const sessionLen = new DataView(bytes.buffer).getUint32(8, true) + 9;
    const at = 8 + sessionLen;
    const payload = bytes.slice(at + 9);
    new DataView(payload.buffer).setUint32(0, 1 << 29, true);
    const forged = concatBytes([bytes.subarray(0, at), buildFrame(payload, Codec.DeflateChainedSized)]);
    const r = readTrace(forged);
    expect(r.truncated).toBe(true);
    expect(r.damage).toMatch(/cannot decompress/);
  });

  it('a Brotli frame is held to the cap too: to its declared length, and the reader limit before it', () => {
    const head = new TraceEncoder().encodeHeader(session());
    const plain = packr.pack({ kind: 'marker', label: 'a'.repeat(40 << 20), t: 0 });
    const stream = brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }); // 40 MiB from a few KB
    const frame = (declared: number) => {
      const payload = new Uint8Array(4 + stream.length);
      new DataView(payload.buffer).setUint32(0, declared, true);
      payload.set(stream, 4);
      return buildFrame(payload, Codec.Brotli);
    };
    for (const brotli of [undefined, nodeBrotli]) {
      const lying = readTrace(concatBytes([head, frame(1000)]), { brotli });
      expect(lying.truncated).toBe(true);
      expect(lying.damage).toMatch(/cannot decompress/);
      const honest = readTrace(concatBytes([head, frame(plain.length)]), { brotli });
      expect(honest.damage).toMatch(/would inflate past 32× the file plus 32 MiB/);
    }
  });

  it('a caller can raise the cap', () => {
    const bytes = bomb(20, 4 << 20);
    expect(readTrace(bytes).damage).toMatch(/inflate past/);
    const r = readTrace(bytes, { maxInflate: { base: 1 << 30, ratio: 0 } });
    expect(r.records.filter((x) => x.kind === 'marker')).toHaveLength(20);
    expect(r.truncated).toBe(false);
  });

  it('ChunkQueue: takes and peeks across any chunking give the bytes in order', () => {
    const random = rng(3);
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 255);
    for (let round = 0; round < 30; round++) {
      const q = new ChunkQueue();
      for (let o = 0; o < data.length; ) {
        const n = 1 + Math.floor(random() * 200);
        q.push(data.subarray(o, o + n));
        o += n;
      }
      let pos = 0;
      while (q.length > 0) {
        const n = Math.min(q.length, 1 + Math.floor(random() * 400));
        if (n >= 4) expect(q.u32(0)).toBe(new DataView(data.buffer).getUint32(pos, true));
        expect(q.at(n - 1)).toBe(data[pos + n - 1]);
        expect(Array.from(q.take(n))).toEqual(Array.from(data.subarray(pos, pos + n)));
        pos += n;
      }
      expect(pos).toBe(data.length);
    }
  });

  it('a patch whose base the trace lacks is damage, not an empty body', () => {
    const e = new TraceEncoder({ redact: false });
    const head = e.encodeHeader(session());
    const patch = { kind: 'http-request', id: 'r2', method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: {}, body: { enc: 'patch', base: 'r1', ops: [{ op: 'replace', path: '/a', value: 2 }] }, t: 5 };
    const bytes = concatBytes([head, buildFrame(packr.pack(patch), Codec.Plain)]);
    const r = readTrace(bytes);
    expect(r.records.some((x) => x.kind === 'http-request')).toBe(false);
    expect(r.truncated).toBe(true);
    expect(r.damage).toMatch(/patch against r1, which the trace does not hold/);
  });
});
