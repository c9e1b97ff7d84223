// Valid traces the fuzzers start from: the committed fixtures when present, else synthetic sessions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleRecords, writeTrace } from '../format/helpers.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'traces');

export function baseTraces(): Uint8Array[] {
  const out: Uint8Array[] = [];
  try {
    for (const f of readdirSync(FIXTURES)) if (f.endsWith('.lapse')) out.push(new Uint8Array(readFileSync(join(FIXTURES, f))));
  } catch {
    // no fixtures yet
  }
  out.push(writeTrace(sampleRecords(), { perFrame: 2 }));
  return out;
}
