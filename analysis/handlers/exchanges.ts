// The only grouping of trace records into exchanges: each HTTP request with its response head, body
// pieces and end; each WebSocket with its frames, and on a socket whose protocol frames responses
// (Responses API), each response ("turn") with the client frame that opened it and its server frames.
// One id scheme for every view: the http-request id (`r3`), or `<ws-open id>#<n>` (`w1#2`, n from 1).
import type {
  HttpDataRecord,
  HttpEndRecord,
  HttpRequestRecord,
  HttpResponseRecord,
  TraceRecord,
  WsCloseRecord,
  WsMessageRecord,
  WsOpenRecord,
} from '../../format/types.js';
import { bodyJson } from '../../format/body.js';
import { EventRun } from '../../format/runs.js';
import type { Handler } from '../pipeline.js';
import type { ProtocolDecoder } from '../events.js';
import type { Protocol } from '../model.js';
import { decoderForUrl, socketProtocolForUrl } from '../protocols/index.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    exchanges: ExchangesHandler;
  }
}

/** What every exchange has, HTTP or socket turn. */
interface ExchangeBase {
  /** `r3` (the http-request id) or `w1#2` (the 2nd response on socket w1). */
  id: string;
  /** The wire protocol of a model call; null for anything else (GET /v1/models, unknown paths). */
  protocol: Protocol | null;
  /** HTTP method; `WS` for a response on a socket. */
  method: string;
  /** Path and query as the harness sent it (a socket's URL for a turn). */
  url: string;
  upstream: string;
  /** The request record, or the client frame that opened the turn (ms from session start). */
  startMs: number;
  /** Latest record time of this exchange. */
  lastMs: number;
}

/** An HTTP request and its response. Record fields are the trace records themselves. */
export interface HttpExchange extends ExchangeBase {
  transport: 'http';
  /** null without detail (only the figures were asked for). */
  request: HttpRequestRecord | null;
  /** null when no response head arrived. */
  head: HttpResponseRecord | null;
  /**
   * Body pieces (SSE events or chunks), in order; empty without detail. The members of event runs
   * are made into records when this is first read (a viewer opens a few exchanges, not a million).
   */
  frames: HttpDataRecord[];
  end: HttpEndRecord | null;
  socket: null;
}

/** One response on a WebSocket: the client frame that asked for it and the server frames that answered. */
export interface SocketTurn extends ExchangeBase {
  transport: 'websocket';
  /** The client frame that opened the turn; null without detail. */
  request: WsMessageRecord | null;
  /** Always null (the handshake is the socket's). */
  head: null;
  /** Server frames, in order; empty without detail. */
  frames: WsMessageRecord[];
  /** The terminal server frame, or the ws-close that cut the turn; null if it never ended. */
  end: WsMessageRecord | WsCloseRecord | null;
  /** The socket id. */
  socket: string;
}

/**
 * One request and its response (mitmproxy's HTTPFlow): the one object replay, exports, the inspector
 * and the terminal request view read.
 */
export type Exchange = HttpExchange | SocketTurn;

/**
 * Whether an exchange is a model request: the one definition of "a request" that `stats`, `ls`, the
 * record summary and the viewers count (each becomes one RequestModel in the responses handler).
 */
export function isModelCall<X extends Exchange>(x: X): x is X & { protocol: Protocol } {
  return x.protocol !== null;
}

/** A WebSocket and everything that went over it. */
export interface Socket {
  id: string;
  url: string;
  /** Protocol whose responses it carries (turns are only cut for these); null otherwise. */
  protocol: Protocol | null;
  open: WsOpenRecord;
  close: WsCloseRecord | null;
  openMs: number;
  /** Every frame, both directions, in order (the HAR export's message list); empty without detail. */
  messages: WsMessageRecord[];
  /** Server frames before the first response was asked for (greetings); empty without detail. */
  preamble: WsMessageRecord[];
  /** Turn ids (`w1#1`, …), in order. */
  turns: string[];
}

export interface ExchangesData {
  /** Every HTTP exchange and socket turn, in start order. */
  exchanges: readonly Exchange[];
  byId: ReadonlyMap<string, Exchange>;
  http: readonly HttpExchange[];
  sockets: readonly Socket[];
  socketById: ReadonlyMap<string, Socket>;
}

/**
 * Where the record just handled went, for handlers that decode it (`placed(index)`):
 * - `request` / `head` / `data` / `end` of an HTTP exchange;
 * - `open` (a client frame that opened a turn; `value` is its parsed JSON), `frame` (a server frame of
 *   the turn; `value` parsed, undefined when binary, dropped or not JSON), `last` (its terminal frame);
 * - `close`: the socket closed; `cut` lists the turns still open, now ended by it;
 * - `stray`: a frame that belongs to no turn (`type` as the frame says).
 */
export type Placement =
  | { role: 'request' | 'head' | 'data' | 'end'; exchange: HttpExchange }
  | { role: 'open' | 'frame' | 'last'; exchange: SocketTurn; value: unknown; socket: Socket }
  | { role: 'close'; socket: Socket; cut: SocketTurn[] }
  | { role: 'stray'; socket: Socket; dir: 'up' | 'down'; type: string };

interface SocketState {
  socket: Socket;
  decoder: ProtocolDecoder | null;
  inFlight: SocketTurn[];
}

/** The parsed JSON of a text frame; undefined for binary, dropped or non-JSON frames. */
function frameValue(rec: WsMessageRecord): unknown {
  if (rec.binary || rec.data.enc === 'dropped' || rec.data.enc === 'patch') return undefined;
  return bodyJson(rec.data);
}

function frameTypeOf(v: unknown): string {
  if (v === undefined) return 'non-json';
  const t = v !== null && typeof v === 'object' ? (v as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? t : '';
}

/** Exchanges whose `frames` are still to be made: the records and runs, in order. */
const LAZY = new WeakMap<HttpExchange, Array<HttpDataRecord | EventRun>>();

/** Adds a run's members to an exchange's frames, as records made when `frames` is first read. */
function framesLater(x: HttpExchange, run: EventRun): void {
  let pending = LAZY.get(x);
  if (!pending) {
    const list: Array<HttpDataRecord | EventRun> = (pending = x.frames.slice());
    LAZY.set(x, list);
    Object.defineProperty(x, 'frames', {
      configurable: true,
      enumerable: true,
      get(): HttpDataRecord[] {
        const frames: HttpDataRecord[] = [];
        for (const p of list) {
          if (p instanceof EventRun) for (let k = 0; k < p.n; k++) frames.push(p.record(k));
          else frames.push(p);
        }
        // from now on a plain array again: later pieces are pushed onto it
        LAZY.delete(x);
        Object.defineProperty(x, 'frames', { value: frames, writable: true, configurable: true, enumerable: true });
        return frames;
      },
    });
  }
  pending.push(run);
}

export class ExchangesHandler implements Handler<ExchangesData> {
  readonly name = 'exchanges';
  readonly deps = [] as const;
  private list: Exchange[] = [];
  private byId = new Map<string, Exchange>();
  private open = new Map<string, HttpExchange>();
  private sockets = new Map<string, SocketState>();
  /** The latest record's placement; `n` records from `index` (an event run's members share one). */
  private last: { index: number; n: number; placement: Placement } | null = null;
  private result: ExchangesData | null = null;

  /** `detail: false` keeps no records (request bodies, frames): only the grouping and times. */
  constructor(private readonly detail = true) {}

  reset(): void {
    this.list = [];
    this.byId = new Map();
    this.open = new Map();
    this.sockets = new Map();
    this.last = null;
    this.result = null;
  }

  /** The exchanges seen so far, while the pass runs (a progress view; the list grows). */
  sofar(): readonly Exchange[] {
    return this.list;
  }

  /** Where record `index` went; null when it is not part of an exchange (or not the latest record). */
  placed(index: number): Placement | null {
    const last = this.last;
    return last !== null && index >= last.index && index < last.index + last.n ? last.placement : null;
  }

  private place(index: number, placement: Placement): void {
    this.last = { index, n: 1, placement };
  }

  private note(x: Exchange, tMs: number): void {
    if (tMs > x.lastMs) x.lastMs = tMs;
  }

  handleEvent(rec: TraceRecord, index: number): void {
    this.last = null;
    const tMs = rec.t / 1000;
    switch (rec.kind) {
      case 'http-request': {
        const method = rec.method.toUpperCase();
        const decoder = method === 'POST' ? decoderForUrl(rec.url) : null;
        const x: HttpExchange = {
          id: rec.id,
          transport: 'http',
          protocol: decoder ? decoder.protocol : null,
          method: rec.method,
          url: rec.url,
          upstream: rec.upstream,
          startMs: tMs,
          request: this.detail ? rec : null,
          head: null,
          frames: [],
          end: null,
          socket: null,
          lastMs: tMs,
        };
        this.note(x, tMs);
        this.list.push(x);
        this.byId.set(x.id, x);
        this.open.set(x.id, x);
        this.place(index, { role: 'request', exchange: x });
        return;
      }
      case 'http-response': {
        const x = this.open.get(rec.id);
        if (!x) return;
        x.head = rec;
        this.note(x, tMs);
        this.place(index, { role: 'head', exchange: x });
        return;
      }
      case 'http-data': {
        const x = this.open.get(rec.id);
        if (!x) return;
        if (this.detail) {
          const pending = LAZY.get(x);
          if (pending) pending.push(rec);
          else x.frames.push(rec);
        }
        this.note(x, tMs);
        this.place(index, { role: 'data', exchange: x });
        return;
      }
      case 'http-end': {
        const x = this.open.get(rec.id);
        if (!x) return;
        x.end = rec;
        this.note(x, tMs);
        this.open.delete(rec.id);
        this.place(index, { role: 'end', exchange: x });
        return;
      }
      case 'ws-open': {
        const decoder = socketProtocolForUrl(rec.url);
        const socket: Socket = { id: rec.id, url: rec.url, protocol: decoder ? decoder.protocol : null, open: rec, close: null, openMs: tMs, messages: [], preamble: [], turns: [] };
        this.sockets.set(rec.id, { socket, decoder, inFlight: [] });
        return;
      }
      case 'ws-message': {
        const s = this.sockets.get(rec.id);
        if (!s) return;
        if (this.detail) s.socket.messages.push(rec);
        this.onFrame(s, rec, tMs, index);
        return;
      }
      case 'ws-close': {
        const s = this.sockets.get(rec.id);
        if (!s) return;
        s.socket.close = rec;
        const cut = s.inFlight.splice(0);
        for (const x of cut) {
          x.end = rec;
          this.note(x, tMs);
        }
        this.place(index, { role: 'close', socket: s.socket, cut });
        return;
      }
      default:
        return;
    }
  }

  /** An event run's members: `http-data` of one exchange, placed as its `data` (each member's index). */
  handleRun(run: EventRun, index: number): void {
    this.last = null;
    const x = this.open.get(run.id);
    if (!x) return;
    if (this.detail) framesLater(x, run);
    this.note(x, run.maxT / 1000);
    this.last = { index, n: run.n, placement: { role: 'data', exchange: x } };
  }

  private onFrame(s: SocketState, rec: WsMessageRecord, tMs: number, index: number): void {
    const framing = s.decoder?.socket;
    // Dropped payloads cannot open or end a turn; a dropped server frame still belongs to the open one.
    const value = frameValue(rec);
    if (rec.dir === 'up') {
      if (!framing || value === undefined || !framing.opens(value)) {
        this.place(index, { role: 'stray', socket: s.socket, dir: 'up', type: frameTypeOf(value) });
        return;
      }
      const n = s.socket.turns.length + 1;
      const x: SocketTurn = {
        id: `${s.socket.id}#${n}`,
        transport: 'websocket',
        protocol: s.decoder ? s.decoder.protocol : null,
        method: 'WS',
        url: s.socket.url,
        upstream: s.socket.open.upstream,
        startMs: tMs,
        request: this.detail ? rec : null,
        head: null,
        frames: [],
        end: null,
        socket: s.socket.id,
        lastMs: tMs,
      };
      this.note(x, tMs);
      s.socket.turns.push(x.id);
      s.inFlight.push(x);
      this.list.push(x);
      this.byId.set(x.id, x);
      this.place(index, { role: 'open', exchange: x, value, socket: s.socket });
      return;
    }
    const x = s.inFlight[0];
    if (!x) {
      if (this.detail && s.socket.turns.length === 0) s.socket.preamble.push(rec);
      this.place(index, { role: 'stray', socket: s.socket, dir: 'down', type: frameTypeOf(value) });
      return;
    }
    if (this.detail) x.frames.push(rec);
    this.note(x, tMs);
    if (framing && value !== undefined && framing.ends(value)) {
      s.inFlight.shift();
      x.end = rec;
      this.place(index, { role: 'last', exchange: x, value, socket: s.socket });
    } else this.place(index, { role: 'frame', exchange: x, value, socket: s.socket });
  }

  finalize(): void {
    this.last = null;
    // Copies of the lists (a live snapshot must not grow with later records); the exchanges themselves
    // are the live objects: one still streaming gains frames and its end after a snapshot.
    this.result = {
      exchanges: this.list.slice(),
      byId: new Map(this.byId),
      http: this.list.filter((x): x is HttpExchange => x.transport === 'http'),
      sockets: [...this.sockets.values()].map((s) => s.socket),
      socketById: new Map([...this.sockets].map(([id, s]) => [id, s.socket] as const)),
    };
  }

  data(): ExchangesData {
    if (!this.result) throw new Error('exchanges: data() before finalize()');
    return this.result;
  }
}
