// The transport handler: http-timing records (format 1.2) read against their responses — each wait
// split into setup, upload and server time, the session's sums — and the websocket profile's retime.
import { describe, expect, it } from 'vitest';
import type { HttpTimingRecord, TraceRecord } from '../../format/types.js';
import { analyseRecordList } from '../../analysis/session.js';
import { PROFILES, recordedTiming, retimeRequest, simulate } from '../../analysis/simulate.js';
import { wirePhases } from '../../analysis/present.js';
import { anthropicTurn, sessionRecord } from '../factory/records.js';

const us = (ms: number): number => Math.round(ms * 1000);

// r1 (100 → first content 300 → 500) opens a TLS connection: TCP done at 120, TLS at 160, upload to
// 180. r2 (700 → 800 → 900) reuses it and re-sends 4,000 of its 5,000 bytes (upload 700.03 → 720).
function fixture(): TraceRecord[] {
  const r1 = anthropicTurn({ id: 'r1', startMs: 100, headMs: 200, firstMs: 300, lastDeltaMs: 400, endMs: 500, deltas: ['ab', 'cd', 'ef'], tools: [{ id: 't1', name: 'Bash', args: '{}' }], outputTokens: 10 });
  const r2 = anthropicTurn({ id: 'r2', startMs: 700, headMs: 750, firstMs: 800, endMs: 900, deltas: ['done'], answers: ['t1'], outputTokens: 4 });
  const t1: HttpTimingRecord = { kind: 'http-timing', t: us(500), id: 'r1', reused: false, start: us(100.05), connect: us(120), tls: us(160), sendStart: us(160), sendEnd: us(180), head: us(200), firstByte: us(200), bytesUp: 5000, bytesDown: 900, attempts: 1 };
  const t2: HttpTimingRecord = { kind: 'http-timing', t: us(900), id: 'r2', reused: true, start: us(700.02), sendStart: us(700.03), sendEnd: us(720), head: us(750), firstByte: us(750), bytesUp: 5000, bytesDown: 300, attempts: 1, repeat: { base: 'r1', bytes: 4000 } };
  return [sessionRecord(), { kind: 'process-start', t: us(1), pid: 7, argv: ['claude'] }, ...r1, t1, ...r2, t2, { kind: 'process-exit', t: us(1000), pid: 7, code: 0, signal: null }];
}

describe('the transport handler', () => {
  const { pass, model } = analyseRecordList(fixture());

  it('splits each wait into setup, upload and server time, and sums the session', () => {
    const d = pass.get('transport').data();
    expect(Object.fromEntries(d.byId)).toEqual({
      r1: { reused: false, socket: null, uploadEnd: 'sent', dnsMs: null, connectMs: expect.closeTo(19.95, 9), tlsMs: 40, setupMs: 60, uploadMs: 20, serverMs: 120, headMs: 20, bytesUp: 5000, bytesDown: 900, resentBytes: 0, resentUploadMs: 0, resentFrom: null },
      r2: { reused: true, socket: null, uploadEnd: 'sent', dnsMs: null, connectMs: null, tlsMs: null, setupMs: expect.closeTo(0.03, 9), uploadMs: expect.closeTo(19.97, 9), serverMs: 80, headMs: 30, bytesUp: 5000, bytesDown: 300, resentBytes: 4000, resentUploadMs: expect.closeTo(15.976, 9), resentFrom: 'r1' },
    });
    expect(d.summary).toEqual({
      requests: 2,
      newConnections: 1,
      setupMs: expect.closeTo(60.03, 9),
      uploadMs: expect.closeTo(39.97, 9),
      serverMs: 200,
      criticalSetupMs: expect.closeTo(60.03, 9),
      criticalUploadMs: expect.closeTo(39.97, 9),
      criticalResentUploadMs: expect.closeTo(15.976, 9),
      overheadMs: expect.closeTo(100, 9),
      bytesUp: 10_000,
      bytesDown: 1200,
      resentBytes: 4000,
      resentUploadMs: expect.closeTo(15.976, 9),
      uplinkBytesPerSecond: expect.closeTo((10_000 / 39.97) * 1000, 6),
      sockets: [],
      socketSetupMs: 0,
    });
    // the request models carry it; the session model has the sums
    expect(model.requests.map((r) => r.network?.setupMs)).toEqual([60, expect.closeTo(0.03, 9)]);
    expect(model.transport).toEqual(d.summary);
  });

  it('lays out the waterfall in order, each phase after the one before', () => {
    const r1 = model.requests[0];
    expect(wirePhases(r1)).toEqual([
      { phase: 'handover', startMs: 0, ms: expect.closeTo(0.05, 9), resentMs: 0 },
      { phase: 'connect', startMs: expect.closeTo(0.05, 9), ms: expect.closeTo(19.95, 9), resentMs: 0 },
      { phase: 'tls', startMs: expect.closeTo(20, 9), ms: 40, resentMs: 0 },
      { phase: 'upload', startMs: expect.closeTo(60, 9), ms: 20, resentMs: 0 },
      { phase: 'server', startMs: expect.closeTo(80, 9), ms: 120, resentMs: 0 },
      { phase: 'download', startMs: expect.closeTo(200, 9), ms: 200, resentMs: 0 },
    ]);
    expect(wirePhases(model.requests[1])!.map((p) => p.phase)).toEqual(['handover', 'upload', 'server', 'download']);
    expect(wirePhases({ network: null, streamMs: 10 })).toBeNull();
  });

  it('websocket: no setup, no re-sent upload, then TTFT × 0.5; the stream beyond its median gap × 0.7', () => {
    const [r1, r2] = model.requests;
    const t1 = recordedTiming(r1);
    const t2 = recordedTiming(r2);
    expect(retimeRequest(PROFILES.websocket, t1).waitMs).toBeCloseTo((200 - 60) * 0.5, 9);
    expect(retimeRequest(PROFILES.websocket, t2).waitMs).toBeCloseTo((100 - 0.03 - 15.976) * 0.5, 9);
    // r1's content (3 text deltas, a tool call) arrives 300 → 400 at a steady pace, then 100 ms more
    // until the end: that is the stream's time beyond the model's pace, and it shrinks by 30 %
    expect(r1.gaps!.count * r1.gaps!.p50Ms).toBeCloseTo(100, 2);
    expect(t1.tokenOverheadMs).toBeCloseTo(100, 2);
    expect(retimeRequest(PROFILES.websocket, t1).streamMs).toBeCloseTo(200 - 30, 2);
    // spark and the others never touch the wire figures
    expect(retimeRequest(PROFILES.spark, t1).waitMs).toBeCloseTo(100, 9);
    expect(retimeRequest(PROFILES.original, t2)).toEqual({ waitMs: 100, streamMs: 100, estimated: false });
    const sim = simulate(model, PROFILES.websocket);
    expect(sim.simulated.durationMs).toBeLessThan(model.durationMs - 60 - 15.976);
  });

  it('ends an upload when the upstream acknowledged it, where the proxy saw that', () => {
    const acked = fixture().map((r) => (r.kind === 'http-timing' && r.id === 'r1' ? { ...r, acked: us(190) } : r));
    const [r1, r2] = analyseRecordList(acked).model.requests;
    expect(r1.network).toMatchObject({ uploadEnd: 'acked', uploadMs: 30, serverMs: 110 });
    expect(r2.network).toMatchObject({ uploadEnd: 'sent', uploadMs: expect.closeTo(19.97, 9) });
  });

  it('leaves a trace without http-timing records as it was', () => {
    const plain = analyseRecordList(fixture().filter((r) => r.kind !== 'http-timing')).model;
    expect(plain.transport).toBeNull();
    expect(plain.requests.every((r) => r.network === null)).toBe(true);
    const t = recordedTiming(plain.requests[0]);
    expect([t.setupMs, t.resentUploadMs]).toEqual([0, 0]);
  });
});

// A Responses WebSocket: the proxy asked for the connection at 50, TCP at 51, TLS at 90, the upgrade
// request out then and the 101 at 130. Turn 1's message arrived 200 → 260 (several chunks), its first
// content at 400; turn 2's came in one chunk at 1000, content at 1100.
function socketFixture(withTiming: boolean): TraceRecord[] {
  const ev = (t: number, v: object, dir: 'up' | 'down' = 'down', start?: number): TraceRecord => ({ kind: 'ws-message', t: us(t), id: 'w1', dir, binary: false, data: { enc: 'json', value: v }, ...(start !== undefined ? { start: us(start) } : {}) });
  const resp = (id: string) => ({ id, object: 'response', status: 'in_progress', model: 'gpt-test', output: [] });
  const turn = (id: string, t0: number, first: number, end: number, start?: number, input = 'hello') => [
    ev(t0, { type: 'response.create', model: 'gpt-test', input: [{ role: 'user', content: input }] }, 'up', start),
    ev(t0 + 20, { type: 'response.created', response: resp(id) }),
    ev(first, { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'hi' }),
    ev(end, { type: 'response.completed', response: { ...resp(id), status: 'completed', usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 } } }),
  ];
  const timing: HttpTimingRecord = { kind: 'http-timing', t: us(130), id: 'w1', reused: false, start: us(50), connect: us(51), tls: us(90), sendStart: us(90), sendEnd: us(90.5), head: us(130), bytesUp: 400, bytesDown: 200, attempts: 1 };
  return [
    sessionRecord(),
    ...(withTiming ? [timing] : []),
    { kind: 'ws-open', t: us(130), id: 'w1', url: '/v1/responses', upstream: 'https://api.openai.com/v1', headers: {}, protocol: '', extensions: '', status: 101, responseHeaders: {} },
    ...turn('resp_1', 260, 400, 500, 200, 'x'.repeat(3000)),
    ...turn('resp_2', 1000, 1100, 1200),
    { kind: 'ws-close', t: us(1300), id: 'w1', code: 1000, reason: '', by: 'client' },
  ];
}

describe('the transport handler on a WebSocket', () => {
  it('times the socket once, and each turn from its message\'s first chunk: upload, then the server', () => {
    const { model } = analyseRecordList(socketFixture(true));
    const [a, b] = model.requests;
    expect(a.startMs).toBe(200); // the message began arriving then (ws-message start)
    expect(a.network).toMatchObject({ reused: true, socket: 'w1', uploadEnd: 'sent', setupMs: 0, uploadMs: 60, serverMs: 140, bytesDown: null, resentBytes: 0 });
    expect(a.network!.bytesUp).toBeGreaterThan(3000);
    expect(a.network!.setupMs + a.network!.uploadMs + a.network!.serverMs).toBeCloseTo(a.ttftMs!, 9);
    expect(b.startMs).toBe(1000);
    expect(b.network).toMatchObject({ socket: 'w1', uploadMs: 0, serverMs: 100 });
    expect(model.transport!.sockets).toEqual([{ id: 'w1', startMs: 50, openMs: 130, dnsMs: null, connectMs: 1, tlsMs: 39, upgradeMs: 40, setupMs: 80, bytesUp: 400, bytesDown: 200, responses: 2 }]);
    expect(model.transport).toMatchObject({ requests: 2, newConnections: 0, socketSetupMs: 80, setupMs: 0, uploadMs: 60 });
    // no phase of connection setup in a turn's waterfall: the socket's is its own
    expect(wirePhases(a)!.map((p) => p.phase)).toEqual(['upload', 'server', 'download']);
  });

  it('the websocket profile leaves a session already on a WebSocket as it was; a model speed still retimes it', () => {
    const { model } = analyseRecordList(socketFixture(true));
    const [a, b] = model.requests;
    for (const r of [a, b]) {
      const t = recordedTiming(r);
      expect(t.onWebSocket).toBe(true);
      expect(retimeRequest(PROFILES.websocket, t)).toEqual(retimeRequest(PROFILES.original, t));
      expect(retimeRequest({ ...PROFILES.websocket, tokensPerSecond: 1000 }, t).streamMs).toBeCloseTo((r.outputTokens! / 1000) * 1000, 9);
    }
    expect(simulate(model, PROFILES.websocket).simulated.durationMs).toBeCloseTo(model.durationMs, 9);
    // the same turns over HTTP would have lost half their wait
    const overHttp = recordedTiming({ ...a, transport: 'http' });
    expect(retimeRequest(PROFILES.websocket, overHttp).waitMs).toBeCloseTo(a.ttftMs! * 0.5, 9);
  });

  it('leaves a socket recorded without wire timing as it was (the turn starts with its whole message)', () => {
    const { model } = analyseRecordList(socketFixture(false).map((r) => (r.kind === 'ws-message' ? { ...r, start: undefined } : r)));
    expect(model.transport).toBeNull();
    expect(model.requests.map((r) => [r.startMs, r.network])).toEqual([
      [260, null],
      [1000, null],
    ]);
  });
});
