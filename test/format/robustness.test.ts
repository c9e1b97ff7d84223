import { describe, expect, it } from 'vitest';
import { readTrace, TraceFormatError, TraceStreamReader } from '../../format/index.js';
import { rng, sampleRecords, writeTrace } from './helpers.js';

function readOrError(bytes: Uint8Array): { ok: true; n: number; truncated: boolean } | { ok: false } {
  try {
    const r = readTrace(bytes);
    return { ok: true, n: r.records.length, truncated: r.truncated };
  } catch (err) {
    expect(err).toBeInstanceOf(TraceFormatError);
    expect((err as Error).message).not.toContain('\n');
    return { ok: false };
  }
}

describe('a trace cut or damaged anywhere', () => {
  const full = writeTrace(sampleRecords(), { perFrame: 1 });
  const all = readTrace(full).records;

  it('returns every complete record before a cut at any byte, and says it was truncated', () => {
    // frame boundaries: the record counts seen while pushing one byte at a time
    let last = -1;
    for (let cut = 0; cut <= full.length; cut++) {
      const part = full.subarray(0, cut);
      const r = readOrError(part);
      if (cut < 8) {
        expect(r.ok).toBe(false);
        continue;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.n).toBeGreaterThanOrEqual(last); // never loses a record it had at a shorter cut
      last = r.n;
      if (cut < full.length) {
        // a cut inside a frame is truncated; a cut exactly at a frame boundary is a shorter, whole trace
        const wholeAtBoundary = readTrace(part).records.length < all.length && !r.truncated;
        if (!wholeAtBoundary) expect(r.truncated).toBe(true);
      } else {
        expect(r.truncated).toBe(false);
        expect(r.n).toBe(all.length);
      }
    }
  });

  it('streams: any chunking gives the same records as one push', () => {
    const random = rng(7);
    for (let round = 0; round < 50; round++) {
      const reader = new TraceStreamReader();
      let n = 0;
      for (let o = 0; o < full.length; ) {
        const size = 1 + Math.floor(random() * 300);
        n += reader.push(full.slice(o, o + size)).length;
        o += size;
      }
      expect(reader.end().truncated).toBe(false);
      expect(n).toBe(all.length);
    }
  });

  it('survives 5,000 random bit flips, insertions, deletions and garbage without throwing anything else', () => {
    const random = rng(42);
    let errors = 0;
    let partial = 0;
    for (let i = 0; i < 5000; i++) {
      let bytes = full.slice();
      const kind = i % 4;
      if (kind === 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
          const at = Math.floor(random() * bytes.length);
          bytes[at] ^= 1 << Math.floor(random() * 8);
        }
      } else if (kind === 1) {
        const at = Math.floor(random() * bytes.length);
        const ins = new Uint8Array(1 + Math.floor(random() * 16)).map(() => Math.floor(random() * 256));
        bytes = new Uint8Array([...bytes.subarray(0, at), ...ins, ...bytes.subarray(at)]);
      } else if (kind === 2) {
        const at = Math.floor(random() * bytes.length);
        bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + Math.floor(random() * 16))]);
      } else {
        bytes = new Uint8Array(Math.floor(random() * 2000)).map(() => Math.floor(random() * 256));
        if (random() < 0.5 && bytes.length >= 8) bytes.set(full.subarray(0, 8)); // valid header, garbage after
      }
      const r = readOrError(bytes);
      if (!r.ok) errors++;
      else if (r.truncated) partial++;
    }
    // most damage is detected (checksums); none of it crashes
    expect(errors + partial).toBeGreaterThan(4000);
  });
});
