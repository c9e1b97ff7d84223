// The recorded exchanges of a trace (the analysis's Exchanges), in the shape the replay server serves them: each HTTP exchange
// with its response head and body pieces (exact bytes, recorded times), each WebSocket response with
// its server frames. Times are ms from the trace's session start.
import type { Body, Headers, TraceReadResult, WsMessageRecord } from '../../format/types.js';
import { bodyBytes, bodyText, formatSse } from '../../format/index.js';
import type { RequestModel, SessionModel } from '../../analysis/model.js';
import { analyse } from '../../analysis/session.js';
import { runPipeline } from '../../analysis/pipeline.js';
import { ExchangesHandler, type ExchangesData } from '../../analysis/handlers/exchanges.js';
import { pathOf } from '../../analysis/protocols/index.js';
import { bodyFeatures, type BodyFeatures } from './similarity.js';

/** A piece of a response body (one SSE event, one chunk, or one WebSocket frame) and when it arrived. */
export interface Piece {
  tMs: number;
  bytes: Uint8Array;
  /** WebSocket only: sent as a binary frame. */
  binary?: boolean;
  /** The SSE event text, for recording the replay as a trace. */
  sse?: string;
}

/** What the model analysis says about one exchange (for profile pacing and the log line). */
export interface Timing {
  /** First content-bearing delta (ms from session start); null if none came. */
  firstContentMs: number | null;
  endMs: number;
  outputTokens: number | null;
  outputTokensEstimate: number;
  /** The wait's connection setup and re-sent upload, and the stream's gaps: what a `persistent` profile takes out. */
  network: RequestModel['network'];
  gaps: RequestModel['gaps'];
}

/** Something a client request can be matched with: an HTTP exchange or one response on a socket. */
export interface Recorded {
  /** The http-request id, or `<ws-open id>#<n>` (the analysis's ids). */
  id: string;
  /** Order of arrival in the recording (ties in similarity go to the earliest). */
  order: number;
  method: string;
  /** Path without query or trailing slash: what must match. */
  path: string;
  url: string;
  startMs: number;
  features: BodyFeatures;
  pieces: Piece[];
  /** When the response ended (http-end, the terminal frame, or the last piece). */
  endMs: number;
  timing: Timing;
  played: number;
}

export interface RecordedHttp extends Recorded {
  kind: 'http';
  /** null: the recording never got a response head (upstream unreachable): the replay resets. */
  head: { tMs: number; status: number; statusText: string; headers: Headers; decoded: boolean } | null;
  outcome: 'complete' | 'aborted' | 'error';
  eventStream: boolean;
}

export interface RecordedTurn extends Recorded {
  kind: 'ws';
  socketId: string;
}

export interface RecordedSocket {
  id: string;
  path: string;
  openMs: number;
  /** Handshake status: 101, or the refusal the upstream answered with (null: no answer at all). */
  status: number | null;
  protocol: string;
  extensions: string;
  responseHeaders: Headers;
  /** Server frames before the first response.create (greetings), sent right after the handshake. */
  preamble: Piece[];
  turns: RecordedTurn[];
}

export interface Cassette {
  http: RecordedHttp[];
  turns: RecordedTurn[];
  sockets: RecordedSocket[];
  model: SessionModel | null;
  durationMs: number;
}

function headerValue(h: Headers, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function timingOf(r: RequestModel | undefined, endMs: number): Timing {
  if (!r) return { firstContentMs: null, endMs, outputTokens: null, outputTokensEstimate: 0, network: null, gaps: null };
  return { firstContentMs: r.firstContentMs, endMs: r.endMs, outputTokens: r.outputTokens, outputTokensEstimate: r.outputTokensEstimate, network: r.network, gaps: r.gaps };
}

/** The text of a request body or client frame ('' when dropped or an unrebuilt patch). */
function requestText(body: Body): string {
  return body.enc === 'dropped' || body.enc === 'patch' ? '' : bodyText(body);
}

/** A server frame as the replay sends it; null for a patch the reader could not rebuild. */
function framePiece(rec: WsMessageRecord): Piece | null {
  if (rec.data.enc === 'patch') return null;
  return { tMs: rec.t / 1000, bytes: bodyBytes(rec.data), binary: rec.binary };
}

/** The analysis's exchanges (or, if the analysis fails, the grouping alone: only profile pacing is lost). */
function exchangesOf(trace: TraceReadResult & { path?: string }): { model: SessionModel | null; exchanges: ExchangesData } {
  try {
    const a = analyse(trace);
    return { model: a.model, exchanges: a.exchanges };
  } catch {
    return { model: null, exchanges: runPipeline([new ExchangesHandler()], trace.records).get('exchanges').data() };
  }
}

export function buildCassette(trace: TraceReadResult & { path?: string }): Cassette {
  const { model, exchanges } = exchangesOf(trace);
  const byId = new Map((model?.requests ?? []).map((r) => [r.id, r] as const));
  const http: RecordedHttp[] = [];
  const turns: RecordedTurn[] = [];
  const turnById = new Map<string, RecordedTurn>();
  exchanges.exchanges.forEach((x, order) => {
    const req = x.request;
    if (!req) return;
    if (x.transport === 'http' && req.kind === 'http-request') {
      const pieces: Piece[] = [];
      for (const rec of x.frames) {
        if (rec.kind !== 'http-data') continue;
        if (rec.sse) {
          const text = formatSse(rec.sse);
          pieces.push({ tMs: rec.t / 1000, bytes: new TextEncoder().encode(text), sse: text });
        } else if (rec.chunk) pieces.push({ tMs: rec.t / 1000, bytes: bodyBytes(rec.chunk) });
      }
      const head = x.head;
      http.push({
        kind: 'http',
        id: x.id,
        order,
        method: x.method.toUpperCase(),
        path: pathOf(x.url),
        url: x.url,
        startMs: x.startMs,
        features: bodyFeatures(requestText(req.body)),
        pieces,
        endMs: x.lastMs,
        timing: timingOf(byId.get(x.id), x.lastMs),
        played: 0,
        head: head ? { tMs: head.t / 1000, status: head.status, statusText: head.statusText, headers: head.headers, decoded: head.decoded } : null,
        outcome: x.end && x.end.kind === 'http-end' ? x.end.outcome : 'aborted',
        eventStream: head ? /^\s*text\/event-stream/i.test(headerValue(head.headers, 'content-type')) : false,
      });
    } else if (req.kind === 'ws-message' && x.socket !== null) {
      const pieces = x.frames.flatMap((rec) => (rec.kind === 'ws-message' ? (framePiece(rec) ?? []) : []));
      const endMs = pieces.length ? pieces[pieces.length - 1].tMs : x.startMs;
      const path = pathOf(x.url);
      const turn: RecordedTurn = {
        kind: 'ws',
        id: x.id,
        socketId: x.socket,
        order,
        method: 'WS',
        path,
        url: path,
        startMs: x.startMs,
        features: bodyFeatures(requestText(req.data)),
        pieces,
        endMs,
        timing: timingOf(byId.get(x.id), endMs),
        played: 0,
      };
      turns.push(turn);
      turnById.set(x.id, turn);
    }
  });
  const sockets: RecordedSocket[] = exchanges.sockets.map((s) => ({
    id: s.id,
    path: pathOf(s.url),
    openMs: s.openMs,
    status: s.open.status ?? null,
    protocol: s.open.protocol,
    extensions: s.open.extensions,
    responseHeaders: s.open.responseHeaders ?? {},
    preamble: s.preamble.flatMap((rec) => framePiece(rec) ?? []),
    turns: s.turns.flatMap((id) => turnById.get(id) ?? []),
  }));
  const last = trace.records.length ? trace.records.reduce((m, r) => (r.t > m ? r.t : m), 0) : 0;
  return { http, turns, sockets, model, durationMs: model ? model.durationMs : last / 1000 };
}
