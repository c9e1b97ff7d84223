// One pass over the trace records (small handler per record kind), then finalize: the SessionModel.
// Feed records with add() as they are read (no need to keep them all), or call analyseTrace().
import type { FileChangeRecord, HttpDataRecord, TraceReadResult, TraceRecord, WsMessageRecord } from '../format/types.js';
import { bodyJson, bodyText } from '../format/body.js';
import { parseSseText, sseData, sseEventName, SseSplitter } from '../format/sse.js';
import type { SseEvent } from '../format/types.js';
import type { ProtocolDecoder, ResponseSink } from './events.js';
import { ExchangeBuilder } from './exchange.js';
import { decoderForUrl, openaiResponsesDecoder, pathOf, ResponsesSocketDecoder } from './decoders/index.js';
import type { Connection, ProcessInfo, RequestModel, SessionInfo, SessionModel } from './model.js';
import { breakdownOf, buildSegments, buildTurns, linkDependencies, markCriticalChain } from './critical-path.js';
import { placeFileChanges, summarizeFiles } from './files.js';

interface HttpState {
  b: ExchangeBuilder;
  decoder: ProtocolDecoder;
  sse: boolean;
  /** Plain body chunks, joined and parsed at the end. */
  chunks: string[] | null;
  /** For event-stream bodies recorded as raw chunks rather than split events. */
  splitter: SseSplitter | null;
}

interface SocketState {
  conn: Connection;
  demux: ResponsesSocketDecoder;
  count: number;
  handshakeStatus: number | null;
}

export interface TraceMeta {
  path?: string | null;
  version?: { major: number; minor: number };
  truncated?: boolean;
  bytes?: number;
  damage?: string;
}

/** The data of an SSE event: parsed JSON, else its text (e.g. `[DONE]`). */
function sseValue(ev: SseEvent): unknown {
  const v = sseData(ev);
  if (v !== undefined) return v;
  return ev.form === 'structured' ? ev.data : parseSseText(ev.text).data;
}

function headerValue(h: Record<string, string | string[]>, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

export interface AnalyseOptions {
  /**
   * Keep each request's content deltas and record indexes (default true: the viewers need them).
   * false keeps only the figures, for stats/simulate on big traces.
   */
  detail?: boolean;
}

export class SessionBuilder {
  private readonly detail: boolean;
  private readonly http = new Map<string, HttpState>();
  private readonly sockets = new Map<string, SocketState>();
  private readonly builders: ExchangeBuilder[] = [];
  private readonly prompts = new Map<string, string | null>();
  private readonly fileRecs: FileChangeRecord[] = [];
  private readonly processes = new Map<number, ProcessInfo>();
  private readonly markers: Array<{ tMs: number; label: string }> = [];
  private readonly warnings = new Set<string>();
  private readonly unknownTypes = new Set<string>();
  private session: SessionInfo | null = null;
  private droppedRecords = 0;
  private droppedBodies = 0;
  private maxT = 0;
  private count = 0;

  constructor(opts: AnalyseOptions = {}) {
    this.detail = opts.detail ?? true;
  }

  add(rec: TraceRecord, index: number = this.count): void {
    this.count++;
    if (rec.t > this.maxT) this.maxT = rec.t;
    const tMs = rec.t / 1000;
    switch (rec.kind) {
      case 'http-data': {
        const s = this.http.get(rec.id);
        if (s) this.onData(s, rec, tMs, index);
        return;
      }
      case 'ws-message': {
        const s = this.sockets.get(rec.id);
        if (s) this.onWsMessage(s, rec, tMs, index);
        return;
      }
      case 'http-request': {
        const decoder = rec.method === 'POST' ? decoderForUrl(rec.url) : null;
        if (!decoder) return;
        if (rec.body.enc === 'dropped') this.droppedBodies++;
        const info = decoder.request(bodyJson(rec.body));
        const b = new ExchangeBuilder(rec.id, decoder.protocol, 'http', rec.url, tMs, info, this.detail);
        b.record(index);
        this.builders.push(b);
        this.prompts.set(rec.id, info.prompt);
        this.http.set(rec.id, { b, decoder, sse: false, chunks: null, splitter: null });
        return;
      }
      case 'http-response': {
        const s = this.http.get(rec.id);
        if (!s) return;
        const r = s.b.req;
        s.b.record(index);
        r.httpStatus = rec.status;
        r.firstByteMs = tMs;
        s.b.touch(tMs);
        s.sse = /text\/event-stream/i.test(headerValue(rec.headers, 'content-type'));
        r.streamed = s.sse;
        return;
      }
      case 'http-end': {
        const s = this.http.get(rec.id);
        if (!s) return;
        s.b.record(index);
        this.endHttp(s, tMs, rec.outcome, rec.message ?? null);
        return;
      }
      case 'ws-open': {
        if (!openaiResponsesDecoder.matchesPath(pathOf(rec.url))) return;
        const conn: Connection = { id: rec.id, url: rec.url, openMs: tMs, closeMs: null, closeCode: null, requestIds: [] };
        const state: SocketState = { conn, count: 0, handshakeStatus: rec.status ?? null, demux: null as unknown as ResponsesSocketDecoder };
        state.demux = new ResponsesSocketDecoder(this.socketHost(state, rec.url));
        this.sockets.set(rec.id, state);
        return;
      }
      case 'ws-close': {
        const s = this.sockets.get(rec.id);
        if (!s) return;
        s.conn.closeMs = tMs;
        s.conn.closeCode = rec.code;
        for (const sink of s.demux.pending()) {
          const b = sink as ExchangeBuilder;
          b.record(index);
          b.finish(tMs, 'aborted', `socket closed (${rec.code}${rec.reason ? ' ' + rec.reason : ''}) before the response ended`);
        }
        return;
      }
      case 'file':
        this.fileRecs.push(rec);
        return;
      case 'process-start':
        this.processes.set(rec.pid, { pid: rec.pid, argv: rec.argv, startMs: tMs, endMs: null, code: null, signal: null });
        return;
      case 'process-exit': {
        const p = this.processes.get(rec.pid) ?? { pid: rec.pid, argv: [], startMs: 0, endMs: null, code: null, signal: null };
        p.endMs = tMs;
        p.code = rec.code;
        p.signal = rec.signal;
        this.processes.set(rec.pid, p);
        return;
      }
      case 'marker':
        this.markers.push({ tMs, label: rec.label });
        return;
      case 'drop':
        this.droppedRecords += rec.records;
        return;
      case 'session':
        this.session = { startedAt: rec.startedAt, lapseVersion: rec.lapseVersion, argv: rec.argv, cwd: rec.cwd, harness: rec.harness, source: rec.source ?? 'proxy' };
        return;
      case 'string':
        return;
    }
  }

  private onData(s: HttpState, rec: HttpDataRecord, tMs: number, index: number): void {
    const b = s.b;
    b.record(index);
    b.touch(tMs);
    if (rec.sse) {
      b.req.streamed = true;
      s.decoder.event(tMs, sseValue(rec.sse), sseEventName(rec.sse), b);
      return;
    }
    if (!rec.chunk) return;
    if (rec.chunk.enc === 'dropped') {
      this.droppedBodies++;
      return;
    }
    const text = bodyText(rec.chunk);
    if (s.sse) {
      s.splitter ??= new SseSplitter();
      for (const ev of s.splitter.push(text)) {
        const p = parseSseText(ev);
        s.decoder.event(tMs, tryParse(p.data), p.event, b);
      }
      return;
    }
    (s.chunks ??= []).push(text);
  }

  private endHttp(s: HttpState, tMs: number, outcome: 'complete' | 'aborted' | 'error', message: string | null): void {
    const b = s.b;
    if (s.chunks) {
      const text = s.chunks.join('');
      s.chunks = null;
      const body = tryParse(text);
      // A plain JSON body is usable only once complete: its content counts as arriving at the end
      // (so the whole exchange is model wait, and no stream rate is claimed).
      if (typeof body === 'object' && body !== null) s.decoder.json(tMs, body, b);
      else if (text.trim() && b.req.httpStatus !== null && b.req.httpStatus >= 400) b.error(text.trim().split('\n')[0].slice(0, 300));
    }
    if (s.splitter) {
      const rest = s.splitter.flush();
      if (rest.trim()) {
        const p = parseSseText(rest);
        s.decoder.event(tMs, tryParse(p.data), p.event, b);
      }
    }
    b.finish(tMs, outcome, message);
    this.http.delete(b.req.id);
  }

  private socketHost(state: SocketState, url: string) {
    return {
      begin: (tMs: number, info: ReturnType<ProtocolDecoder['request']>): ResponseSink => {
        state.count++;
        const id = `${state.conn.id}#${state.count}`;
        const b = new ExchangeBuilder(id, 'openai-responses', 'websocket', url, tMs, info, this.detail);
        b.req.streamed = true;
        b.req.httpStatus = state.handshakeStatus;
        b.record(this.currentIndex);
        this.builders.push(b);
        this.prompts.set(id, info.prompt);
        state.conn.requestIds.push(id);
        return b;
      },
      frame: (sink: ResponseSink, tMs: number): void => {
        const b = sink as ExchangeBuilder;
        if (b.req.firstByteMs === null) b.req.firstByteMs = tMs;
        b.record(this.currentIndex);
        b.touch(tMs);
      },
      end: (sink: ResponseSink, tMs: number): void => {
        (sink as ExchangeBuilder).finish(tMs, 'complete', null);
      },
      stray: (dir: 'up' | 'down', type: string): void => {
        if (dir === 'down') this.unknownTypes.add(`websocket:${type}`);
      },
    };
  }

  private currentIndex = 0;

  private onWsMessage(s: SocketState, rec: WsMessageRecord, tMs: number, index: number): void {
    this.currentIndex = index;
    if (rec.data.enc === 'dropped') {
      this.droppedBodies++;
      return;
    }
    const frame = rec.binary ? undefined : bodyJson(rec.data);
    if (rec.dir === 'up') s.demux.up(tMs, frame);
    else s.demux.down(tMs, frame);
  }

  /** Builds the model. `meta` describes where the records came from. */
  finish(meta: TraceMeta = {}): SessionModel {
    const durationMs = this.maxT / 1000;
    // Exchanges the trace stopped in the middle of.
    for (const s of this.http.values()) this.endHttp(s, s.b.lastMs, 'aborted', 'the trace ended before the response did');
    this.http.clear();
    for (const s of this.sockets.values()) {
      for (const sink of s.demux.pending()) {
        const b = sink as ExchangeBuilder;
        b.finish(b.lastMs, 'aborted', 'the trace ended before the response did');
      }
    }
    const requests = this.builders.map((b) => b.req).sort((a, b) => a.startMs - b.startMs);
    requests.forEach((r, i) => (r.index = i));
    if (this.session && this.session.source !== 'proxy') for (const r of requests) markEstimated(r);
    for (const b of this.builders) if (b.unknownTypes) for (const t of b.unknownTypes) this.unknownTypes.add(t);

    const main = linkDependencies(requests);
    const chain = markCriticalChain(requests, main);
    const criticalPath = buildSegments(chain, durationMs);
    const turns = buildTurns(chain, this.prompts);
    const byId = new Map(requests.map((r) => [r.id, r] as const));
    const files = placeFileChanges(this.fileRecs, criticalPath, byId);

    const warnings = [...this.warnings];
    if (meta.truncated) warnings.push(meta.damage ? `the trace is damaged (${meta.damage}); read up to there` : 'the trace was cut short (crash or still being written); read up to the cut');
    if (this.droppedRecords > 0) warnings.push(`the recorder shed the payloads of ${this.droppedRecords} records under load; their timings are kept`);
    if (this.droppedBodies > 0) warnings.push(`${this.droppedBodies} bodies or frames were dropped by the recorder: tokens and tool calls may be missing`);
    if (this.unknownTypes.size > 0) warnings.push(`ignored unknown events: ${[...this.unknownTypes].slice(0, 10).join(', ')}${this.unknownTypes.size > 10 ? ', …' : ''}`);

    const v = meta.version ?? { major: 0, minor: 0 };
    return {
      trace: { path: meta.path ?? null, formatVersion: `${v.major}.${v.minor}`, truncated: meta.truncated ?? false, records: this.count, bytes: meta.bytes ?? 0 },
      session: this.session,
      durationMs,
      requests,
      criticalPath,
      breakdown: breakdownOf(criticalPath),
      turns,
      sideRequests: requests.filter((r) => !r.critical).map((r) => r.id),
      files,
      fileSummary: summarizeFiles(files),
      connections: [...this.sockets.values()].map((s) => s.conn),
      processes: [...this.processes.values()],
      markers: this.markers,
      droppedRecords: this.droppedRecords,
      warnings,
    };
  }
}

/** An imported transcript's response: what it cannot know becomes null instead of a figure taken from the importer's estimate. */
function markEstimated(r: RequestModel): void {
  r.estimated = true;
  r.firstByteMs = null;
  r.ttftMs = null;
  r.tokensPerSecond = null;
  r.gaps = null;
  r.stalls = [];
}

function tryParse(s: string): unknown {
  const c = s.charCodeAt(0);
  if (c !== 123 && c !== 91) return s;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

/** The session model of a whole read trace. */
export function analyseTrace(trace: TraceReadResult & { path?: string }, opts: AnalyseOptions = {}): SessionModel {
  const b = new SessionBuilder(opts);
  const recs = trace.records;
  for (let i = 0; i < recs.length; i++) b.add(recs[i], i);
  return b.finish({ path: trace.path ?? null, version: trace.version, truncated: trace.truncated, bytes: trace.bytes, damage: trace.damage });
}

/** The session model of a bare record list (tests, synthetic sessions). */
export function analyseRecords(records: readonly TraceRecord[], opts: AnalyseOptions = {}): SessionModel {
  const b = new SessionBuilder(opts);
  for (let i = 0; i < records.length; i++) b.add(records[i], i);
  return b.finish({ version: { major: 1, minor: 0 } });
}
