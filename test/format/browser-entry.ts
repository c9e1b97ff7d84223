// Bundled by platform.test.ts and run with no Node globals.
import { readTrace } from '../../format/index.js';
import { sampleRecords, writeTrace } from './helpers.js';

export function roundTrip(): { kinds: string[]; truncated: boolean; hasProcess: boolean } {
  const r = readTrace(writeTrace(sampleRecords()));
  return { kinds: r.records.map((x) => x.kind), truncated: r.truncated, hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined' };
}
