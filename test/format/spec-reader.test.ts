// The spec is complete: a reader written from format/SPEC.md alone (spec-reader.ts) reads every fixture,
// and each fixture re-encoded as lapse compacts it (runs, summary; codec 4 frames, or one Brotli frame, codec 5).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactTrace, readTrace, TraceStreamReader } from '../../format/index.js';
import { FORMAT_VERSION, type HttpTimingRecord, type TraceRecord } from '../../format/types.js';
import { specRead } from './spec-reader.js';
import { sampleRecords, writeTrace } from './helpers.js';
import { nodeBrotliEncode } from '../../cli/trace/brotli.js';

const dir = new URL('../../fixtures/traces/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.lapse'));

/** The codec of each frame. */
function codecs(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 8; o < bytes.length; o += 9 + new DataView(bytes.buffer, bytes.byteOffset + o).getUint32(0, true)) out.push(bytes[o + 8]);
  return out;
}

function agree(name: string, bytes: Uint8Array): void {
  const ours = readTrace(bytes);
  const spec = specRead(bytes);
  expect(spec.truncated, name).toBe(ours.truncated);
  expect(spec.version, name).toEqual([ours.version.major, ours.version.minor]);
  expect(spec.records.length, name).toBe(ours.records.length);
  expect(spec.records, name).toEqual(ours.records);
  const reader = new TraceStreamReader();
  reader.push(bytes);
  expect(spec.summary, name).toEqual(reader.summary);
}

describe('a reader written from SPEC.md alone', () => {
  it('finds fixtures to read', () => expect(fixtures.length).toBeGreaterThanOrEqual(5));

  for (const f of fixtures) {
    it(`reads ${f} as lapse does, and its 1.1 compaction`, () => {
      const bytes = new Uint8Array(readFileSync(new URL(f, dir)));
      agree(f, bytes);
      const compacted = compactTrace(bytes);
      expect(compacted).not.toBeNull();
      expect(compacted![6]).toBe(FORMAT_VERSION.minor);
      const spec = specRead(compacted!);
      expect(spec.summary).not.toBeNull();
      expect(spec.summary!.records).toBe(spec.records.length - 1);
      agree(`${f} compacted`, compacted!);
      // as `lapse record` compacts it: one Brotli frame after the head
      const small = compactTrace(bytes, undefined, { brotli: nodeBrotliEncode })!;
      expect(codecs(small)).toEqual([0, 5]);
      agree(`${f} compacted with brotli`, small);
      expect(specRead(small).records).toEqual(specRead(compacted!).records);
    });
  }

  it('reads runs, the string table, patches and small frames as written while recording', () => {
    for (const perFrame of [1, 3, 50]) agree(`sample/${perFrame}`, writeTrace(sampleRecords(), { perFrame }));
  });

  it('reads http-timing records (1.2): absolute times, and what the writer found repeated', () => {
    const recs: TraceRecord[] = [];
    for (const r of sampleRecords()) {
      recs.push(r);
      if (r.kind !== 'http-end') continue;
      const t0 = r.id === 'r1' ? 1000 : 2_000_000;
      const timing: HttpTimingRecord = r.id === 'r1'
        ? { kind: 'http-timing', t: r.t, id: r.id, reused: false, start: t0 + 50, dns: t0 + 2050, connect: t0 + 40_050, tls: t0 + 120_000, sendStart: t0 + 120_000, sendEnd: t0 + 121_500, head: 300_000, firstByte: 300_100, bytesUp: 4800, bytesDown: 900, attempts: 1 }
        : { kind: 'http-timing', t: r.t, id: r.id, reused: true, start: t0 + 40, sendStart: t0 + 41, sendEnd: t0 + 3000, head: 2_100_000, firstByte: 2_100_500, bytesUp: 5100, bytesDown: 300, attempts: 2 };
      recs.push(timing);
    }
    for (const perFrame of [1, 4, 50]) {
      const bytes = writeTrace(recs, { perFrame });
      agree(`timing/${perFrame}`, bytes);
      const timings = specRead(bytes).records.filter((r) => r.kind === 'http-timing');
      expect(timings.map((r) => [r.id, r.start, r.sendEnd])).toEqual([['r1', 1050, 122_500], ['r2', 2_000_040, 2_003_000]]);
      // r2's body is stored as a patch against r1's: the writer says how much of it repeats
      const repeat = timings[1].repeat as { base: string; bytes: number };
      expect(repeat.base).toBe('r1');
      expect(repeat.bytes).toBeGreaterThan(4000);
      expect(timings[0].repeat).toBeUndefined();
      agree(`timing/${perFrame} compacted`, compactTrace(bytes)!);
    }
  });
});
