// Bundled by platform.test.ts and run with no Node globals.
import { readTrace } from '../../format/index.js';
import { sampleRecords, writeTrace } from './helpers.js';

/** Kinds of the records of a trace given as bytes (a Brotli-compacted one: the package's decoder). */
export function kindsOf(bytes: number[]): { kinds: string[]; truncated: boolean } {
  const r = readTrace(new Uint8Array(bytes));
  return { kinds: r.records.map((x) => x.kind), truncated: r.truncated };
}

export function roundTrip(): { kinds: string[]; truncated: boolean; hasProcess: boolean } {
  const r = readTrace(writeTrace(sampleRecords()));
  return { kinds: r.records.map((x) => x.kind), truncated: r.truncated, hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined' };
}
