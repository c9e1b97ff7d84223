// Same-shape runs (format 1.1): streamed events read back exactly, whatever interleaves them.
import { describe, expect, it } from 'vitest';
import { compactTrace, formatSse, readTrace, type TraceRecord } from '../../format/index.js';
import { packr, setWords, withRefsKept, withStringTable } from '../../format/packr.js';
import { Codec, brotliPayload, buildFrame } from '../../format/frame.js';
import { concatBytes } from '../../format/bytes.js';
import { nodeBrotli, nodeBrotliEncode } from '../../cli/trace/brotli.js';
import { rng, writeTrace } from './helpers.js';
import { specRead } from './spec-reader.js';

function delta(id: string, t: number, text: string, index = 0): TraceRecord {
  return { kind: 'http-data', t, id, sse: { form: 'raw', text: `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })}\n\n` } };
}

describe('same-shape runs', () => {
  const random = rng(11);
  const words = ['a', ' b', ' 🙂', ' naïve', '\n', ' "quoted"', '', ' 日本語', 'x'.repeat(1500)];
  const records: TraceRecord[] = [];
  let t = 1000;
  for (const id of ['r1', 'r2']) records.push({ kind: 'http-response', t: (t += 10), id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: false });
  for (let k = 0; k < 400; k++) {
    // mostly one stream, sometimes the other (parallel requests), sometimes a ping or a new block index
    const id = random() < 0.8 ? 'r1' : 'r2';
    if (random() < 0.05) records.push({ kind: 'http-data', t: (t += 5), id, sse: { form: 'raw', text: 'event: ping\ndata: {"type":"ping"}\n\n' } });
    records.push(delta(id, (t += Math.floor(random() * 30000)), words[Math.floor(random() * words.length)], random() < 0.1 ? 1 : 0));
  }
  records.push({ kind: 'http-data', t: (t += 5), id: 'r1', sse: { form: 'raw', text: 'event: content_block_delta\r\ndata: {}\r\n\r\n' } });
  for (const id of ['r1', 'r2']) records.push({ kind: 'http-end', t: (t += 10), id, outcome: 'complete', bytes: 0 });

  for (const perFrame of [1, 7, 1000]) {
    it(`every event's exact text and time come back (frames of ${perFrame})`, () => {
      const bytes = writeTrace(records, { perFrame, redact: false });
      const back = readTrace(bytes);
      expect(back.truncated).toBe(false);
      const got = back.records.slice(1);
      expect(got.length).toBe(records.length);
      for (let i = 0; i < records.length; i++) {
        const a = records[i];
        const b = got[i];
        expect(b.t).toBe(a.t);
        expect(b.kind).toBe(a.kind);
        if (a.kind === 'http-data' && b.kind === 'http-data') expect(formatSse(b.sse!)).toBe(formatSse(a.sse!));
      }
      expect(specRead(bytes).records).toEqual(back.records);
    });
  }

  it('stores them as runs with joined string columns', () => {
    const bytes = writeTrace(records, { perFrame: 1000, redact: false, compress: false });
    const kinds: string[] = [];
    let joined = 0;
    const table: string[] = [];
    const plain = bytes.subarray(8 + 9 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true) + 9);
    withStringTable(table, () =>
      packr.unpackMultiple(plain, (v: { kind: string; cols?: unknown[]; value?: string }) => {
        kinds.push(v.kind);
        if (v.kind === 'string') table.push(v.value!);
        if (v.kind === 'sse-run') joined += (v.cols ?? []).filter((c) => !Array.isArray(c)).length;
        return true;
      }),
    );
    const runs = kinds.filter((k) => k === 'sse-run').length;
    expect(runs).toBeGreaterThan(10);
    expect(kinds.filter((k) => k === 'http-data').length).toBeLessThan(40); // the first of each shape, per stream
    expect(joined).toBeGreaterThan(0);
  });

  // Words of random letters recurring across prose, as a harness's resent prompt and history do:
  // compaction's trial then picks the word-coded frame.
  const wordy: TraceRecord[] = [...records];
  {
    const pick = rng(5);
    const vocab = Array.from({ length: 300 }, () => Array.from({ length: 3 + Math.floor(pick() * 6) }, () => String.fromCharCode(97 + Math.floor(pick() * 26))).join(''));
    const prose = () => Array.from({ length: 300 }, () => vocab[Math.floor(vocab.length * pick() ** 2)]).join(' ');
    for (let i = 0; i < 30; i++) wordy.push({ kind: 'marker', t: (t += 1000), label: prose() });
  }

  it('compacted into one Brotli frame: words and columns first, runs without dt or lengths, the same records', () => {
    const bytes = writeTrace(wordy, { perFrame: 7, redact: false });
    const small = compactTrace(bytes, undefined, { brotli: nodeBrotliEncode })!;
    const head = 8 + 9 + new DataView(small.buffer, small.byteOffset).getUint32(8, true);
    expect(small[head + 8]).toBe(5);
    const payload = small.subarray(head + 9);
    const plain = nodeBrotli(payload.subarray(4), new DataView(payload.buffer, payload.byteOffset).getUint32(0, true));
    const kinds: string[] = [];
    let bare = 0;
    let afterColumns = 0;
    withRefsKept(() =>
      withStringTable([], () =>
        packr.unpackMultiple(plain, (v: { kind: string; dt?: unknown; words?: string[] }, _start: number, end: number) => {
          kinds.push(v.kind);
          if (kinds.length === 2) afterColumns = end;
          if (v.kind === 'words') setWords(v.words!);
          if (v.kind === 'sse-run' && v.dt === undefined) bare++;
          return true;
        }),
      ),
    );
    setWords(null);
    expect(kinds.slice(0, 2)).toEqual(['words', 'columns']);
    expect(bare).toBe(kinds.filter((k) => k === 'sse-run').length);
    const back = readTrace(small);
    expect(back.truncated).toBe(false);
    expect(back.records).toEqual(readTrace(bytes).records);
    expect(specRead(small).records).toEqual(back.records);
    // a frame whose only run has one member: no deltas, so no columns record
    const single: TraceRecord[] = [records[0], delta('r1', 5000, 'a'), delta('r1', 6000, 'b'), { kind: 'http-end', t: 7000, id: 'r1', outcome: 'complete', bytes: 0 }];
    const one = writeTrace(single, { perFrame: 1, redact: false });
    const oneSmall = compactTrace(one, undefined, { brotli: nodeBrotliEncode })!;
    expect(readTrace(oneSmall).records).toEqual(readTrace(one).records);
    expect(readTrace(oneSmall).truncated).toBe(false);
    expect(specRead(oneSmall).records).toEqual(readTrace(one).records);
    // a run whose frame holds too few times is damage, not a misread
    const cut = packr.pack({ kind: 'columns', dt: new Uint8Array(0), t: 0 });
    const forgedPlain = concatBytes([plain.subarray(0, afterColumns), cut, plain.subarray(afterColumns)]);
    const forged = concatBytes([small.subarray(0, head), buildFrame(brotliPayload(forgedPlain, nodeBrotliEncode(forgedPlain)), Codec.Brotli)]);
    const damaged = readTrace(forged);
    expect(damaged.truncated).toBe(true);
    expect(damaged.damage).toMatch(/damaged record/);
  });
});
