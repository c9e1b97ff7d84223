// Event runs read whole (the reader's emitRun → SessionBuilder.addRun, what `lapse stats` does) give
// the same analysis as their members read one record at a time: on every fixture trace, on the
// synthetic sessions compacted (runs whole), with and without detail, and with a handler that does
// not take runs (the pass then adds the members one by one).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceStreamReader, compactTrace, type TraceRecord } from '../../format/index.js';
import { SessionBuilder } from '../../analysis/session.js';
import type { Handler } from '../../analysis/pipeline.js';
import type { SessionModel } from '../../analysis/model.js';
import { syntheticTraceBytes } from '../factory/agent-session.js';
import { encodeSession } from '../factory/mixed-session.js';
import { httpRecords, spread } from '../factory/records.js';
import { writeTrace } from '../format/helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/traces');

function analyse(bytes: Uint8Array, runs: boolean, detail: boolean, handlers: Handler[] = [], gaps = true) {
  const reader = new TraceStreamReader();
  const b = new SessionBuilder({ detail, handlers, gaps });
  let index = 0;
  let taken = 0;
  reader.pushEach(
    bytes,
    (r) => b.add(r, index++),
    runs
      ? (run) => {
          taken += run.n;
          b.addRun(run, index);
          index += run.n;
        }
      : undefined,
  );
  const end = reader.end();
  const a = b.analysis({ version: reader.version, truncated: end.truncated, bytes: bytes.length });
  // exchanges with their records, as the inspector reads them
  const frames = a.exchanges.exchanges.map((x) => x.frames.map((f) => [f.t, (f as { sse?: unknown }).sse ?? null]));
  return { model: JSON.parse(JSON.stringify(a.model)), frames, taken, records: index };
}

/** A handler that sees every record itself (no handleRun): it counts what it saw. */
function counter(): Handler & { seen: TraceRecord[] } {
  const seen: TraceRecord[] = [];
  return { name: 'counter', deps: [], seen, reset() {}, handleEvent: (r) => void seen.push(r), finalize() {}, data: () => seen.length };
}

/**
 * Streams whose runs store their text every way the writer does: joined, as a plain column (a long
 * repeated string is a string-table reference), unchanged (one text repeated), with empty deltas,
 * thinking and tool arguments, two streams interleaved.
 */
function oddStreams(): TraceRecord[] {
  const long = 'y'.repeat(1500);
  const delta = (index: number, type: string, field: string, text: string) => ({ form: 'structured' as const, event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type, [field]: text } } });
  const events = (texts: string[]) => [
    { form: 'structured' as const, event: 'message_start', data: { type: 'message_start', message: { id: 'm', model: 'claude-x', usage: { input_tokens: 5 } } } },
    ...texts.map((t, k) => delta(0, k % 3 === 0 ? 'thinking_delta' : 'text_delta', k % 3 === 0 ? 'thinking' : 'text', t)),
    { form: 'structured' as const, event: 'content_block_start', data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'tu', name: 'Edit', input: {} } } },
    ...texts.map((t) => delta(1, 'input_json_delta', 'partial_json', t)),
    { form: 'structured' as const, event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } } },
    { form: 'structured' as const, event: 'message_stop', data: { type: 'message_stop' } },
  ];
  const a = ['a', ' b', '', long, ' c', long, long, '', ' d', ' e', ' f', ' g'];
  const b = Array.from({ length: 12 }, () => 'same');
  const xa = events(a);
  const xb = events(b);
  return [
    ...httpRecords({ id: 'r1', body: { model: 'claude-x', messages: [{ role: 'user', content: 'go' }] }, startMs: 10, headMs: 20, eventMs: spread(xa.length, 30, 900), events: xa, endMs: 950 }),
    ...httpRecords({ id: 'r2', body: { model: 'claude-x', messages: [{ role: 'user', content: 'also' }] }, startMs: 15, headMs: 25, eventMs: spread(xb.length, 31, 901), events: xb, endMs: 960 }),
  ].sort((x, y) => x.t - y.t);
}

const traces: Array<[string, Uint8Array]> = [
  ['odd streams, compacted', compactTrace(writeTrace(oddStreams(), { perFrame: 5, redact: false }))],
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.lapse'))
    .map((f): [string, Uint8Array] => [f, new Uint8Array(readFileSync(join(FIXTURES, f)))]),
  ['agent session, compacted', compactTrace(syntheticTraceBytes())],
  ['mixed session, compacted', compactTrace(encodeSession())],
];

describe('event runs read whole', () => {
  it('the traces under test hold runs', () => {
    const withRuns = traces.filter(([, bytes]) => analyse(bytes, true, false).taken > 0);
    expect(withRuns.length).toBeGreaterThanOrEqual(2);
  });

  for (const [name, bytes] of traces) {
    for (const detail of [false, true]) {
      it(`${name}: the same model and exchanges as record by record (detail ${detail})`, () => {
        const one = analyse(bytes, false, detail);
        const whole = analyse(bytes, true, detail);
        expect(whole.records).toBe(one.records);
        expect(whole.model).toEqual(one.model);
        expect(whole.frames).toEqual(one.frames);
      });
    }

    it(`${name}: a handler without handleRun sees every member as a record`, () => {
      const a = counter();
      const b = counter();
      const one = analyse(bytes, false, true, [a]);
      const whole = analyse(bytes, true, true, [b]);
      expect(b.seen.length).toBe(one.records);
      expect(b.seen).toEqual(a.seen);
      expect(whole.model).toEqual(one.model);
    });
  }

  it('without gaps (what stats reads): the same model, each request without gap figures or stalls', () => {
    let withGaps = 0;
    for (const [, bytes] of traces) {
      const full = analyse(bytes, true, false).model as SessionModel;
      const bare = analyse(bytes, true, false, [], false).model as SessionModel;
      withGaps += full.requests.filter((r) => r.gaps !== null).length;
      expect(bare.requests.every((r) => r.gaps === null && r.stalls.length === 0)).toBe(true);
      expect(bare).toEqual({ ...full, requests: full.requests.map((r) => ({ ...r, gaps: null, stalls: [] })) });
    }
    expect(withGaps).toBeGreaterThan(5);
  });

  it('frames read while the pass goes on (a live view) keep growing as a plain list', () => {
    const bytes = compactTrace(writeTrace(oddStreams(), { perFrame: 5, redact: false }));
    const reader = new TraceStreamReader();
    const b = new SessionBuilder();
    let index = 0;
    let runs = 0;
    const seen: number[] = [];
    reader.pushEach(
      bytes,
      (r) => {
        b.add(r, index++);
        if (r.kind === 'http-data' && runs > 0) seen.push(b.exchangesSoFar().find((x) => x.id === r.id)!.frames.length);
      },
      (run) => {
        runs++;
        b.addRun(run, index);
        index += run.n;
      },
    );
    const whole = analyse(bytes, false, true);
    const a = b.analysis({ version: reader.version });
    expect(runs).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(a.exchanges.exchanges.map((x) => x.frames.map((f) => [f.t, (f as { sse?: unknown }).sse ?? null]))).toEqual(whole.frames);
  });
});
