// Golden tests of the pass: per handler, a small fixture in, its data() out, compared whole. The
// expected values are worked out by hand from the fixture's times (see the comments).
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../format/types.js';
import { Pipeline, runPipeline, sortByDeps, type Handler } from '../../analysis/pipeline.js';
import { standardHandlers, ExchangesHandler, MetaHandler } from '../../analysis/handlers/index.js';
import { analyseRecordList } from '../../analysis/session.js';
import { threadKey } from '../../analysis/events.js';
import type { ContentDelta, RequestModel } from '../../analysis/model.js';
import { anthropicTurn, sessionRecord } from '../factory/records.js';

const ms = (x: number): number => Math.round(x * 1000);

// r1 asks for a tool at 100 ms (head 200, content at 300/400/500, end 500); a GET /v1/models at 50;
// the tool runs 500 → 700 and edits a file at 650; r2 answers the tool call (700 → 900); exit at 1000.
function httpFixture(): TraceRecord[] {
  const r1 = anthropicTurn({ id: 'r1', startMs: 100, headMs: 200, firstMs: 300, endMs: 500, deltas: ['ab', 'cd'], tools: [{ id: 't1', name: 'Bash', args: '{"c":1}' }], outputTokens: 10 });
  const r2 = anthropicTurn({ id: 'r2', startMs: 700, headMs: 750, firstMs: 800, endMs: 900, deltas: ['done'], answers: ['t1'], outputTokens: 4 });
  return [
    sessionRecord(),
    { kind: 'process-start', t: ms(1), pid: 7, argv: ['claude'] },
    { kind: 'http-request', t: ms(50), id: 'g1', method: 'GET', url: '/v1/models', upstream: 'https://api.anthropic.com', headers: {}, body: { enc: 'text', text: '' } },
    { kind: 'http-response', t: ms(60), id: 'g1', status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, decoded: true },
    { kind: 'http-end', t: ms(61), id: 'g1', outcome: 'complete', bytes: 2 },
    ...r1,
    { kind: 'file', t: ms(650), path: 'a.ts', op: 'modify', diff: '-1\n+2\n' },
    ...r2,
    { kind: 'marker', t: ms(950), label: 'done' },
    { kind: 'process-exit', t: ms(1000), pid: 7, code: 0, signal: null },
  ];
}

// A Responses WebSocket: w1#1 opens at 10 and ends at 40 (terminal frame); a binary frame outside any
// response at 45; w1#2 opens at 50 and is cut by the close at 70.
function wsFixture(): TraceRecord[] {
  const f = (t: number, dir: 'up' | 'down', v: unknown): TraceRecord => ({ kind: 'ws-message', t: ms(t), id: 'w1', dir, binary: false, data: { enc: 'json', value: v } });
  return [
    { kind: 'ws-open', t: ms(5), id: 'w1', url: '/v1/responses', upstream: 'https://api.openai.com/v1', headers: {}, protocol: '', extensions: '', status: 101 },
    f(10, 'up', { type: 'response.create', model: 'gpt-x', input: 'hi' }),
    f(20, 'down', { type: 'response.created', response: { id: 'resp_1' } }),
    f(30, 'down', { type: 'response.output_text.delta', output_index: 0, delta: 'hello' }),
    f(40, 'down', { type: 'response.completed', response: { id: 'resp_1', status: 'completed', usage: { input_tokens: 5, output_tokens: 1 } } }),
    { kind: 'ws-message', t: ms(45), id: 'w1', dir: 'down', binary: true, data: { enc: 'bytes', bytes: new Uint8Array([1]) } },
    f(50, 'up', { type: 'response.create', model: 'gpt-x', previous_response_id: 'resp_1', input: [] }),
    f(60, 'down', { type: 'response.created', response: { id: 'resp_2' } }),
    { kind: 'ws-close', t: ms(70), id: 'w1', code: 1006, reason: '', by: 'upstream' },
  ];
}

const THREAD = threadKey('You are an agent.', { role: 'user', content: 'first prompt' });

/** r1's response as the responses handler reads it (record indexes 5..13 of httpFixture). */
/** A request with its delta columns as the plain list they stand for. */
function plainDeltas(r: RequestModel): Omit<RequestModel, 'deltas'> & { deltas: ContentDelta[] } {
  return { ...r, deltas: r.deltas.toArray() };
}

function r1Draft(): Omit<RequestModel, 'deltas'> & { deltas: ContentDelta[] } {
  return {
    id: 'r1',
    index: 0,
    protocol: 'anthropic-messages',
    transport: 'http',
    url: '/v1/messages?beta=true',
    model: 'claude-test',
    startMs: 100,
    firstByteMs: 200,
    firstContentMs: 300,
    ttftMs: 200,
    endMs: 500,
    streamMs: 200,
    httpStatus: 200,
    inputTokens: 100,
    outputTokens: 10,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    cacheWrite1hTokens: null,
    // 'ab' 'cd' (1 token each) and '{"c":1}' (7 chars: 2 tokens).
    outputTokensEstimate: 4,
    // 10 tokens over the 200 ms stream.
    tokensPerSecond: 50,
    stopReason: 'tool_use',
    toolCalls: [{ id: 't1', name: 'Bash', arguments: '{"c":1}', block: 1, startMs: 500, endMs: 500 }],
    status: 'complete',
    error: null,
    streamed: true,
    estimated: false,
    warmup: false,
    messageCount: 2,
    answersToolCallIds: [],
    thread: THREAD,
    responseId: 'msg_r1',
    responseModel: 'claude-test',
    previousResponseId: null,
    critical: false,
    dependsOn: null,
    dependency: null,
    dependencies: [],
    agentId: null,
    subagentMark: false,
    turn: null,
    deltas: [
      { tMs: 300, kind: 'text', text: 'ab', tokens: 1, block: 0 },
      { tMs: 400, kind: 'text', text: 'cd', tokens: 1, block: 0 },
      { tMs: 500, kind: 'tool-args', text: '{"c":1}', tokens: 2, block: 1 },
    ],
    gaps: { count: 2, p50Ms: 100, p99Ms: 100, maxMs: 100 },
    stalls: [],
  };
}

describe('pipeline', () => {
  it('orders handlers by their deps and refuses a missing one or a cycle', () => {
    const names = sortByDeps(standardHandlers().reverse()).map((h) => h.name);
    // Given last-first, each handler still comes after what it reads.
    expect(names).toEqual(['terminal', 'meta', 'exchanges', 'responses', 'threads', 'graph', 'requests', 'files']);
    const lonely: Handler = { name: 'x', deps: ['exchanges'], reset() {}, handleEvent() {}, finalize() {}, data: () => null };
    expect(() => new Pipeline([lonely])).toThrow(/x needs exchanges/);
    const a: Handler = { name: 'a', deps: ['b' as never], reset() {}, handleEvent() {}, finalize() {}, data: () => null };
    const b: Handler = { name: 'b', deps: ['a' as never], reset() {}, handleEvent() {}, finalize() {}, data: () => null };
    expect(() => new Pipeline([a, b])).toThrow(/cycle/);
  });

  it('lets a handler read only what it declared', () => {
    const sneaky: Handler = { name: 'sneaky', deps: [], reset() {}, handleEvent: (_r, i, ctx) => void ctx.dep('exchanges').placed(i), finalize() {}, data: () => null };
    const p = new Pipeline([new ExchangesHandler(), sneaky]);
    expect(() => p.add(sessionRecord(), 0)).toThrow(/without declaring/);
  });
});

describe('handlers, fixture in, data() out', () => {
  const recs = httpFixture();
  const pass = analyseRecordList(recs).pass;

  it('meta', () => {
    expect(runPipeline([new MetaHandler()], recs).get('meta').data()).toEqual({
      session: { startedAt: 1_700_000_000_000, lapseVersion: '0.1.0', argv: ['claude'], cwd: '/tmp/x', harness: 'claude', source: 'proxy', interactive: null },
      processes: [{ pid: 7, argv: ['claude'], startMs: 1, endMs: 1000, code: 0, signal: null }],
      markers: [{ tMs: 950, label: 'done' }],
      droppedRecords: 0,
      records: recs.length,
      durationMs: 1000,
    });
  });

  it('exchanges (HTTP): every request, model call or not, with its records', () => {
    const d = pass.get('exchanges').data();
    const g1 = { id: 'g1', transport: 'http', protocol: null, method: 'GET', url: '/v1/models', upstream: 'https://api.anthropic.com', startMs: 50, request: recs[2], head: recs[3], frames: [], end: recs[4], socket: null, lastMs: 61 };
    const r1 = { id: 'r1', transport: 'http', protocol: 'anthropic-messages', method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', startMs: 100, request: recs[5], head: recs[6], frames: recs.slice(7, 14), end: recs[14], socket: null, lastMs: 500 };
    const r2 = { id: 'r2', transport: 'http', protocol: 'anthropic-messages', method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', startMs: 700, request: recs[16], head: recs[17], frames: recs.slice(18, 22), end: recs[22], socket: null, lastMs: 900 };
    expect(d).toEqual({ exchanges: [g1, r1, r2], byId: new Map([['g1', g1], ['r1', r1], ['r2', r2]]), http: [g1, r1, r2], sockets: [], socketById: new Map() });
  });

  it('exchanges (WebSocket): turns w1#1, w1#2, the stray frame, the cut turn', () => {
    const w = wsFixture();
    const d = runPipeline([new ExchangesHandler()], w).get('exchanges').data();
    const t1 = { id: 'w1#1', transport: 'websocket', protocol: 'openai-responses', method: 'WS', url: '/v1/responses', upstream: 'https://api.openai.com/v1', startMs: 10, request: w[1], head: null, frames: [w[2], w[3], w[4]], end: w[4], socket: 'w1', lastMs: 40 };
    const t2 = { id: 'w1#2', transport: 'websocket', protocol: 'openai-responses', method: 'WS', url: '/v1/responses', upstream: 'https://api.openai.com/v1', startMs: 50, request: w[6], head: null, frames: [w[7]], end: w[8], socket: 'w1', lastMs: 70 };
    const socket = { id: 'w1', url: '/v1/responses', protocol: 'openai-responses', open: w[0], close: w[8], openMs: 5, messages: w.slice(1, 8), preamble: [], turns: ['w1#1', 'w1#2'] };
    expect(d).toEqual({ exchanges: [t1, t2], byId: new Map([['w1#1', t1], ['w1#2', t2]]), http: [], sockets: [socket], socketById: new Map([['w1', socket]]) });
  });

  it('exchanges without detail keep the grouping and times, no records', () => {
    const d = runPipeline([new ExchangesHandler(false)], httpFixture()).get('exchanges').data();
    expect(d.exchanges.map((x) => [x.id, x.request, x.head?.status, x.frames.length, x.lastMs])).toEqual([
      ['g1', null, 200, 0, 61],
      ['r1', null, 200, 0, 500],
      ['r2', null, 200, 0, 900],
    ]);
  });

  it('responses: the figures of each model call, nothing cross-request', () => {
    const d = pass.get('responses').data();
    expect(plainDeltas(d.requests[0])).toEqual(r1Draft());
    expect(d.requests.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(d.requests[1].answersToolCallIds).toEqual(['t1']);
    expect(d.requests[1].dependsOn).toBeNull();
    expect(d.prompts).toEqual(new Map([['r1', 'do it'], ['r2', null]]));
    expect(d.droppedBodies).toBe(0);
    expect(d.unknownTypes).toEqual([]);
  });

  it('responses on a socket: the terminal frame ends w1#1, the close cuts w1#2, the stray is noted', () => {
    const d = analyseRecordList(wsFixture()).pass.get('responses').data();
    expect(d.requests.map((r) => [r.id, r.status, r.error, r.httpStatus, r.firstByteMs, r.endMs, r.responseId, r.previousResponseId])).toEqual([
      ['w1#1', 'complete', null, 101, 20, 40, 'resp_1', null],
      ['w1#2', 'aborted', 'socket closed (1006) before the response ended', 101, 60, 70, 'resp_2', 'resp_1'],
    ]);
    expect(d.unknownTypes).toEqual(['websocket:non-json']);
  });

  it('threads: one main conversation, its explicit link', () => {
    expect(pass.get('threads').data()).toEqual({
      threads: [{ id: 'main', kind: 'main', parent: null, spawnedBy: null, spawnCallId: null, spawnTool: null, via: null, requests: ['r1', 'r2'], startMs: 100, endMs: 900, label: 'main' }],
      threadOf: new Map([['r1', 'main'], ['r2', 'main']]),
      spawns: [],
      main: 'main',
      links: new Map([
        ['r1', { dependsOn: null, dependency: null, thread: THREAD }],
        ['r2', { dependsOn: 'r1', dependency: 'tool-result', thread: THREAD }],
      ]),
    });
  });

  it('graph: r2 waited on r1 through its tool result; the segments tile [0, 1000]', () => {
    const d = pass.get('graph').data();
    expect(d).toEqual({
      deps: new Map([['r2', [{ id: 'r1', kind: 'tool-result', gap: 'tool' }]]]),
      edges: [{ from: 'r1', to: 'r2', kind: 'tool-result', gap: 'tool', leadMs: 200 }],
      nodes: [
        { kind: 'harness', requestId: 'r1', fromId: null, startMs: 0, endMs: 100 },
        { kind: 'modelWait', requestId: 'r1', fromId: null, startMs: 100, endMs: 300 },
        { kind: 'modelStream', requestId: 'r1', fromId: null, startMs: 300, endMs: 500 },
        { kind: 'tool', requestId: 'r2', fromId: 'r1', startMs: 500, endMs: 700 },
        { kind: 'modelWait', requestId: 'r2', fromId: null, startMs: 700, endMs: 800 },
        { kind: 'modelStream', requestId: 'r2', fromId: null, startMs: 800, endMs: 900 },
      ],
      chain: ['r1', 'r2'],
      segments: [
        { kind: 'harness', startMs: 0, endMs: 100, requestId: null },
        { kind: 'modelWait', startMs: 100, endMs: 300, requestId: 'r1' },
        { kind: 'modelStream', startMs: 300, endMs: 500, requestId: 'r1' },
        { kind: 'tool', startMs: 500, endMs: 700, requestId: 'r1' },
        { kind: 'modelWait', startMs: 700, endMs: 800, requestId: 'r2' },
        { kind: 'modelStream', startMs: 800, endMs: 900, requestId: 'r2' },
        { kind: 'harness', startMs: 900, endMs: 1000, requestId: 'r2' },
      ],
      breakdown: { modelWaitMs: 300, modelStreamMs: 300, toolMs: 200, userMs: 0, harnessMs: 200 },
      turns: [{ index: 0, startMs: 100, endMs: 900, requestIds: ['r1', 'r2'], prompt: 'do it', stopReason: 'end_turn' }],
      turnOf: new Map([['r1', 0], ['r2', 0]]),
      userDetail: null, // no terminal records, not an interactive session: today's rules
      userSpans: [],
    });
  });

  it('requests: new objects carrying the links; the drafts are left as they were', () => {
    const d = pass.get('requests').data();
    const r1 = { ...r1Draft(), critical: true, turn: 0, thread: 'main' };
    expect(plainDeltas(d.requests[0])).toEqual(r1);
    expect(d.requests[1]).toMatchObject({ id: 'r2', index: 1, critical: true, turn: 0, dependsOn: 'r1', dependency: 'tool-result', dependencies: [{ id: 'r1', kind: 'tool-result', gap: 'tool' }], thread: 'main' });
    expect(d.byId.get('r1')).toBe(d.requests[0]);
    expect(d.side).toEqual([]);
    const drafts = pass.get('responses').data().requests;
    expect(drafts[1]).not.toBe(d.requests[1]);
    expect([drafts[1].critical, drafts[1].dependsOn, drafts[1].turn]).toEqual([false, null, null]);
  });

  it('files: the change at 650 ms falls in r1’s tool gap', () => {
    expect(pass.get('files').data()).toEqual({
      files: [{ tMs: 650, path: 'a.ts', op: 'modify', from: null, diff: '-1\n+2\n', hash: null, size: null, segment: 3, segmentKind: 'tool', requestId: 'r1', toolNames: ['Bash'] }],
      summary: [{ path: 'a.ts', changes: 1 }],
    });
  });
});
