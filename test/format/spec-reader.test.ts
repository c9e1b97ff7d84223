// The spec is complete: a reader written from format/SPEC.md alone (spec-reader.ts) reads every fixture,
// and each fixture re-encoded as format 1.1 (compacted: runs, summary, codec 4), exactly as lapse does.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactTrace, readTrace, TraceStreamReader } from '../../format/index.js';
import { specRead } from './spec-reader.js';
import { sampleRecords, writeTrace } from './helpers.js';

const dir = new URL('../../fixtures/traces/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.lapse'));

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
      expect(compacted![6]).toBe(1); // minor version 1
      const spec = specRead(compacted!);
      expect(spec.summary).not.toBeNull();
      expect(spec.summary!.records).toBe(spec.records.length - 1);
      agree(`${f} compacted`, compacted!);
    });
  }

  it('reads runs, the string table, patches and small frames as written while recording', () => {
    for (const perFrame of [1, 3, 50]) agree(`sample/${perFrame}`, writeTrace(sampleRecords(), { perFrame }));
  });
});
