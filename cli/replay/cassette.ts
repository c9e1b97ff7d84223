// The recorded exchanges of a trace, in the shape the replay server serves them: each HTTP exchange
// with its response head and body pieces (exact bytes, recorded times), each WebSocket response with
// its server frames. Times are ms from the trace's session start.
import type { Headers, TraceReadResult } from '../../format/types.js';
import { bodyBytes, bodyText, formatSse } from '../../format/index.js';
import type { RequestModel, SessionModel } from '../../analysis/model.js';
import { analyseTrace } from '../../analysis/session.js';
import { pathOf } from '../../analysis/decoders/index.js';
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

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/** The `type` of a JSON WebSocket frame, or null. */
export function frameType(text: string): string | null {
  if (text.charCodeAt(0) !== 123) return null;
  try {
    const v = JSON.parse(text) as { type?: unknown };
    return typeof v.type === 'string' ? v.type : null;
  } catch {
    return null;
  }
}

function headerValue(h: Headers, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function timingOf(r: RequestModel | undefined, endMs: number): Timing {
  if (!r) return { firstContentMs: null, endMs, outputTokens: null, outputTokensEstimate: 0 };
  return { firstContentMs: r.firstContentMs, endMs: r.endMs, outputTokens: r.outputTokens, outputTokensEstimate: r.outputTokensEstimate };
}

export function buildCassette(trace: TraceReadResult & { path?: string }): Cassette {
  let model: SessionModel | null = null;
  try {
    model = analyseTrace(trace);
  } catch {
    // Without the analysis only profile pacing is lost (it falls back to scaling the whole response).
  }
  const byId = new Map((model?.requests ?? []).map((r) => [r.id, r] as const));
  const http = new Map<string, RecordedHttp>();
  const sockets = new Map<string, RecordedSocket & { inFlight: RecordedTurn[]; creates: number }>();
  const turns: RecordedTurn[] = [];
  let order = 0;
  let maxT = 0;

  for (const rec of trace.records) {
    const tMs = rec.t / 1000;
    if (tMs > maxT) maxT = tMs;
    switch (rec.kind) {
      case 'http-request': {
        const text = rec.body.enc === 'dropped' || rec.body.enc === 'patch' ? '' : bodyText(rec.body);
        http.set(rec.id, {
          kind: 'http',
          id: rec.id,
          order: order++,
          method: rec.method.toUpperCase(),
          path: pathOf(rec.url),
          url: rec.url,
          startMs: tMs,
          features: bodyFeatures(text),
          pieces: [],
          endMs: tMs,
          timing: timingOf(undefined, tMs),
          played: 0,
          head: null,
          outcome: 'aborted',
          eventStream: false,
        });
        break;
      }
      case 'http-response': {
        const x = http.get(rec.id);
        if (!x) break;
        x.head = { tMs, status: rec.status, statusText: rec.statusText, headers: rec.headers, decoded: rec.decoded };
        x.eventStream = /^\s*text\/event-stream/i.test(headerValue(rec.headers, 'content-type'));
        x.endMs = tMs;
        break;
      }
      case 'http-data': {
        const x = http.get(rec.id);
        if (!x) break;
        if (rec.sse) {
          const text = formatSse(rec.sse);
          x.pieces.push({ tMs, bytes: new TextEncoder().encode(text), sse: text });
        } else if (rec.chunk) {
          x.pieces.push({ tMs, bytes: bodyBytes(rec.chunk) });
        }
        x.endMs = tMs;
        break;
      }
      case 'http-end': {
        const x = http.get(rec.id);
        if (!x) break;
        x.outcome = rec.outcome;
        x.endMs = tMs;
        break;
      }
      case 'ws-open': {
        sockets.set(rec.id, {
          id: rec.id,
          path: pathOf(rec.url),
          openMs: tMs,
          status: rec.status ?? null,
          protocol: rec.protocol,
          extensions: rec.extensions,
          responseHeaders: rec.responseHeaders ?? {},
          preamble: [],
          turns: [],
          inFlight: [],
          creates: 0,
        });
        break;
      }
      case 'ws-message': {
        const s = sockets.get(rec.id);
        if (!s || rec.data.enc === 'patch') break;
        const bytes = bodyBytes(rec.data);
        const text = rec.binary ? null : new TextDecoder().decode(bytes);
        if (rec.dir === 'up') {
          if (text === null || frameType(text) !== 'response.create') break;
          s.creates++;
          const turn: RecordedTurn = {
            kind: 'ws',
            id: `${s.id}#${s.creates}`,
            socketId: s.id,
            order: order++,
            method: 'WS',
            path: s.path,
            url: s.path,
            startMs: tMs,
            features: bodyFeatures(text),
            pieces: [],
            endMs: tMs,
            timing: timingOf(undefined, tMs),
            played: 0,
          };
          s.turns.push(turn);
          s.inFlight.push(turn);
          turns.push(turn);
          break;
        }
        const piece: Piece = { tMs, bytes, binary: rec.binary };
        // Server frames belong to the oldest response not yet finished (responses are served in order).
        const turn = s.inFlight[0];
        if (!turn) {
          if (s.turns.length === 0) s.preamble.push(piece);
          break;
        }
        turn.pieces.push(piece);
        turn.endMs = tMs;
        if (text !== null && TERMINAL.has(frameType(text) ?? '')) s.inFlight.shift();
        break;
      }
      default:
        break;
    }
  }
  for (const x of http.values()) x.timing = timingOf(byId.get(x.id), x.endMs);
  for (const t of turns) t.timing = timingOf(byId.get(t.id), t.endMs);
  return {
    http: [...http.values()],
    turns,
    sockets: [...sockets.values()].map(({ inFlight: _i, creates: _c, ...s }) => s),
    model,
    durationMs: maxT,
  };
}
