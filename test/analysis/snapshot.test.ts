// Live snapshots of the pass (a trace still being recorded): snapshot() after any prefix of the
// records is the analysis of that prefix, leaves the pass able to go on, and the final analysis after
// any number of snapshots is the one a single pass gives.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../format/types.js';
import { SessionBuilder, analyseRecordList } from '../../analysis/session.js';
import type { RequestModel, SessionModel } from '../../analysis/model.js';
import { sessionRecords } from '../factory/mixed-session.js';
import { syntheticRecords } from '../factory/agent-session.js';

/**
 * A finished analysis of a prefix ends the open responses as "the trace ended"; a snapshot says "in
 * progress", and leaves a plain JSON body unread until it is whole (it arrives whole at its end). The
 * rest agrees exactly.
 */
function sameAsPrefix(live: SessionModel, prefix: SessionModel): void {
  const open = new Set(live.requests.filter((r) => r.inProgress).map((r) => r.id));
  const norm = (r: RequestModel): unknown => {
    const { inProgress: _, ...rest } = r;
    if (!open.has(r.id)) return rest;
    return r.streamed ? { ...rest, error: 'open' } : { id: r.id, startMs: r.startMs, firstByteMs: r.firstByteMs, status: r.status };
  };
  expect({ ...live, requests: live.requests.map(norm), warnings: [] }).toEqual({ ...prefix, requests: prefix.requests.map(norm), warnings: [] });
}

describe.each([
  ['mixed session', sessionRecords],
  ['agent session', syntheticRecords],
])('snapshots of the %s', (_name, make) => {
  const records: TraceRecord[] = make();

  it('after every prefix equal the analysis of that prefix, and the final analysis is unchanged by them', () => {
    const b = new SessionBuilder();
    for (let i = 0; i < records.length; i++) {
      b.add(records[i], i);
      const live = b.snapshot({ version: { major: 1, minor: 0 } }).model;
      sameAsPrefix(live, analyseRecordList(records.slice(0, i + 1)).model);
    }
    expect(b.analysis({ version: { major: 1, minor: 0 } }).model).toEqual(analyseRecordList(records).model);
  });

  it('mark the responses still streaming, and only those', () => {
    const b = new SessionBuilder();
    let sawOpen = 0;
    for (let i = 0; i < records.length; i++) {
      b.add(records[i], i);
      const { model, exchanges } = b.snapshot();
      for (const r of model.requests) {
        const x = exchanges.byId.get(r.id)!;
        expect(r.inProgress === true).toBe(x.end === null);
        if (r.inProgress) sawOpen++;
      }
    }
    expect(sawOpen).toBeGreaterThan(0);
  });
});
