// Exchange → its protocol → ResponseSink → RequestModel: the figures of every model call (timings,
// tokens, tool calls, status), before any cross-request reading (dependencies, critical path).
import type { HttpDataRecord, TraceRecord } from '../../format/types.js';
import type { SseEvent } from '../../format/types.js';
import type { EventRun } from '../../format/runs.js';
import { bodyJson, bodyText } from '../../format/body.js';
import { parseSseText, sseData, sseEventName, SseSplitter } from '../../format/sse.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import type { ProtocolDecoder } from '../events.js';
import type { RequestModel } from '../model.js';
import { ResponseBuilder } from '../response-builder.js';
import { decoderFor } from '../protocols/index.js';
import { isModelCall, type Exchange } from './exchanges.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    responses: ResponsesHandler;
  }
}

export interface ResponsesData {
  /**
   * One RequestModel per model call, in start order, `index` set. Only the figures of the response
   * itself: `critical` false, `dependsOn`/`dependency`/`turn` null and `thread` the protocol's own
   * conversation key (the `requests` handler fills them in, as new objects).
   */
  requests: readonly RequestModel[];
  /** The user's prompt of each request that opens with one (kept off the model: turns show it). */
  prompts: ReadonlyMap<string, string | null>;
  /** The conversation's first user message of each request (spawn prompts are matched on it). */
  openings: ReadonlyMap<string, string | null>;
  /** Request bodies and frames the recorder dropped (their tokens and tool calls may be missing). */
  droppedBodies: number;
  /** Event types no decoder knows (`websocket:<type>` for frames outside any response). */
  unknownTypes: readonly string[];
}

interface HttpState {
  b: ResponseBuilder;
  decoder: ProtocolDecoder;
  sse: boolean;
  /** Plain body chunks, joined and parsed at the end. */
  chunks: string[] | null;
  /** For event-stream bodies recorded as raw chunks rather than split events. */
  splitter: SseSplitter | null;
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

function tryParse(s: string): unknown {
  const c = s.charCodeAt(0);
  if (c !== 123 && c !== 91) return s;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

export class ResponsesHandler implements Handler<ResponsesData> {
  readonly name = 'responses';
  readonly deps = ['exchanges'] as const;
  private http = new Map<string, HttpState>();
  private turns = new Map<string, ResponseBuilder>();
  private builders: ResponseBuilder[] = [];
  private unknownTypes = new Set<string>();
  private droppedBodies = 0;
  private result: ResponsesData | null = null;

  /** `detail: false` keeps only the figures (no content deltas, no record indexes); `gaps: false` leaves out the gap figures. */
  constructor(
    private readonly detail = true,
    private readonly gaps = true,
  ) {}

  reset(): void {
    this.http = new Map();
    this.turns = new Map();
    this.builders = [];
    this.unknownTypes = new Set();
    this.droppedBodies = 0;
    this.result = null;
  }

  handleEvent(rec: TraceRecord, index: number, ctx: HandlerContext): void {
    const p = ctx.dep('exchanges').placed(index);
    if (!p) return;
    const tMs = rec.t / 1000;
    switch (p.role) {
      case 'request': {
        const x = p.exchange;
        if (!isModelCall(x) || rec.kind !== 'http-request') return;
        const decoder = decoderFor(x.protocol);
        if (rec.body.enc === 'dropped') this.droppedBodies++;
        const b = this.begin(x, tMs, decoder.request(bodyJson(rec.body), rec.headers));
        this.http.set(x.id, { b, decoder, sse: false, chunks: null, splitter: null });
        return;
      }
      case 'head': {
        const s = this.http.get(p.exchange.id);
        if (!s || rec.kind !== 'http-response') return;
        const r = s.b.req;
        r.httpStatus = rec.status;
        r.firstByteMs = tMs;
        s.b.touch(tMs);
        s.sse = /text\/event-stream/i.test(headerValue(rec.headers, 'content-type'));
        r.streamed = s.sse;
        return;
      }
      case 'data': {
        const s = this.http.get(p.exchange.id);
        if (s && rec.kind === 'http-data') this.onData(s, rec, tMs, index);
        return;
      }
      case 'end': {
        const s = this.http.get(p.exchange.id);
        if (!s || rec.kind !== 'http-end') return;
        this.endHttp(s, tMs, rec.outcome, rec.message ?? null);
        return;
      }
      case 'open': {
        const x = p.exchange;
        if (!isModelCall(x)) return;
        // The socket's handshake headers stand for each of its requests' (Codex marks sub-agents there).
        const b = this.begin(x, x.startMs, decoderFor(x.protocol).request(p.value, p.socket.open.headers));
        b.req.streamed = true;
        b.req.httpStatus = p.socket.open.status ?? null;
        this.turns.set(x.id, b);
        return;
      }
      case 'frame':
      case 'last': {
        const b = this.turns.get(p.exchange.id);
        if (!b || rec.kind !== 'ws-message') return;
        if (rec.data.enc === 'dropped') {
          this.droppedBodies++;
          return;
        }
        if (b.req.firstByteMs === null) b.req.firstByteMs = tMs;
        b.touch(tMs);
        decoderFor(p.exchange.protocol!).event(tMs, p.value, undefined, b);
        if (p.role === 'last') b.finish(tMs, 'complete', null);
        return;
      }
      case 'close': {
        if (rec.kind !== 'ws-close') return;
        for (const x of p.cut) {
          const b = this.turns.get(x.id);
          if (!b) continue;
          b.finish(tMs, 'aborted', `socket closed (${rec.code}${rec.reason ? ' ' + rec.reason : ''}) before the response ended`);
        }
        return;
      }
      case 'stray':
        if (rec.kind === 'ws-message' && rec.data.enc === 'dropped') this.droppedBodies++;
        else if (p.dir === 'down' && p.socket.protocol !== null) this.unknownTypes.add(`websocket:${p.type}`);
        return;
    }
  }

  /** An event run's members: as handleEvent of each (decoders that know the run's shape read only its columns). */
  handleRun(run: EventRun, index: number, ctx: HandlerContext): void {
    const p = ctx.dep('exchanges').placed(index);
    if (!p || p.role !== 'data') return;
    const s = this.http.get(p.exchange.id);
    if (!s) return;
    const b = s.b;
    const tMs = run.ms();
    b.touch(run.maxT / 1000);
    b.req.streamed = true;
    if (s.decoder.eventRun) s.decoder.eventRun(tMs, run, b);
    else for (let k = 0; k < run.n; k++) s.decoder.event(tMs[k], run.data(k), run.event, b);
  }

  private begin(x: Exchange, tMs: number, info: ReturnType<ProtocolDecoder['request']>): ResponseBuilder {
    const b = new ResponseBuilder(x.id, x.protocol!, x.transport, x.url, tMs, info, this.detail, this.gaps);
    this.builders.push(b);
    return b;
  }

  private onData(s: HttpState, rec: HttpDataRecord, tMs: number, index: number): void {
    const b = s.b;
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

  finalize(ctx: HandlerContext): void {
    let requests: RequestModel[];
    if (ctx.final) {
      // Exchanges the trace stopped in the middle of.
      for (const s of [...this.http.values()]) this.endHttp(s, s.b.lastMs, 'aborted', 'the trace ended before the response did');
      for (const b of this.turns.values()) b.finish(b.lastMs, 'aborted', 'the trace ended before the response did');
      requests = this.builders.map((b) => b.req);
    } else {
      // A live snapshot: a response still streaming is shown as it stands (to its latest frame), its
      // builder left to go on; ended ones are final already.
      requests = this.builders.map((b) => (b.ended ? { ...b.req } : b.snapshot()));
    }
    requests.sort((a, b) => a.startMs - b.startMs);
    requests.forEach((r, i) => (r.index = i));
    const unknownTypes = new Set(this.unknownTypes);
    for (const b of this.builders) if (b.unknownTypes) for (const t of b.unknownTypes) unknownTypes.add(t);
    this.result = {
      requests,
      prompts: new Map(this.builders.map((b) => [b.req.id, b.prompt] as const)),
      openings: new Map(this.builders.map((b) => [b.req.id, b.opening] as const)),
      droppedBodies: this.droppedBodies,
      unknownTypes: [...unknownTypes],
    };
  }

  data(): ResponsesData {
    if (!this.result) throw new Error('responses: data() before finalize()');
    return this.result;
  }
}
