// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) in the shape Chrome DevTools exports and
// imports: one entry per HTTP exchange with its rebuilt bodies, WebSockets as `_webSocketMessages`,
// SSE events with their arrival times as `_sseEvents`. Pure: no node: imports.
import { formatSse, parseSseText } from '../../format/sse.js';
import type { NetworkTiming, RequestModel, SocketWire } from '../../analysis/model.js';
import type { HttpRequestRecord } from '../../format/types.js';
import type { HttpExchange, Socket } from '../../analysis/handlers/exchanges.js';
import {
  headerPairs,
  headerValue,
  safeText,
  startedAtOf,
  toBase64,
  upstreamUrl,
  utf8Length,
  type ExportInput,
} from './input.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  receive: number;
  ssl: number;
}

export interface HarSseEvent {
  /** Arrival at the proxy, seconds since the epoch (as Chrome's `_webSocketMessages`). */
  time: number;
  event?: string;
  id?: string;
  data: string;
}

export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  time: number;
  opcode: 1 | 2;
  data: string;
}

export interface HarEntry {
  pageref: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; params: HarNameValue[]; comment?: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; compression?: number; mimeType: string; text?: string; encoding?: 'base64'; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: HarTimings;
  comment?: string;
  _resourceType: 'fetch' | 'websocket' | 'other';
  _sseEvents?: HarSseEvent[];
  _webSocketMessages?: HarWebSocketMessage[];
  /** lapse's figures for a model exchange (ms; offsets from the session start). */
  _lapse?: Record<string, unknown>;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: Array<{ startedDateTime: string; id: string; title: string; pageTimings: { onContentLoad: number; onLoad: number }; comment?: string }>;
    entries: HarEntry[];
    comment?: string;
  };
}

const PAGE_ID = 'lapse-session';
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

export function toHar(input: ExportInput): Har {
  const t0 = startedAtOf(input);
  const { http, sockets: ws } = input.exchanges;
  const byId = new Map<string, RequestModel>(input.model.requests.map((r) => [r.id, r] as const));
  const total = http.length + ws.length;
  const entries: Array<{ at: number; entry: HarEntry }> = [];
  let done = 0;
  for (const x of http) {
    if (!x.request) continue;
    entries.push({ at: x.request.t, entry: httpEntry(x, x.request, byId.get(x.id) ?? null, t0) });
    if (++done % 50 === 0) input.onProgress?.(done, total);
  }
  for (const x of ws) {
    const own = new Set(x.turns);
    const responses = input.model.requests.filter((r) => own.has(r.id));
    entries.push({ at: x.open.t, entry: wsEntry(x, responses, t0, input.model.transport?.sockets.find((w) => w.id === x.id)) });
    if (++done % 50 === 0) input.onProgress?.(done, total);
  }
  input.onProgress?.(total, total);
  entries.sort((a, b) => a.at - b.at);
  const s = input.model.session;
  const title = s ? `lapse session: ${s.argv.join(' ') || s.harness || 'agent'}` : 'lapse session';
  return {
    log: {
      version: '1.2',
      creator: { name: 'lapse', version: input.lapseVersion ?? s?.lapseVersion ?? '0.0.0' },
      pages: [{ startedDateTime: iso(t0), id: PAGE_ID, title, pageTimings: { onContentLoad: -1, onLoad: -1 } }],
      entries: entries.map((e) => e.entry),
      comment: 'Recorded by lapse through its loopback proxy: times are when frames reached the proxy.',
    },
  };
}

function iso(epochMs: number): string {
  return new Date(Math.round(epochMs)).toISOString();
}

function queryOf(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const out: HarNameValue[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(q + 1))) out.push({ name, value });
  return out;
}

/**
 * HAR's phases. With wire timing (format 1.2) the proxy's own: blocked = the hand-over to a connection,
 * dns, connect (TCP and TLS: HAR counts ssl inside connect), ssl, send = the upload, wait = the rest
 * until the response head; without it (older traces, imports) all of the wait is `wait`.
 */
function timings(startMs: number, firstByteMs: number | null, endMs: number, n: NetworkTiming | null = null): HarTimings {
  const fb = firstByteMs ?? endMs;
  const total = Math.max(0, fb - startMs);
  const receive = round3(Math.max(0, endMs - fb));
  if (!n) return { blocked: -1, dns: -1, connect: -1, send: 0, wait: round3(total), receive, ssl: -1 };
  const tcpTls = n.connectMs === null && n.tlsMs === null ? null : (n.connectMs ?? 0) + (n.tlsMs ?? 0);
  const blocked = Math.max(0, n.setupMs - (n.dnsMs ?? 0) - (tcpTls ?? 0));
  const send = Math.min(n.uploadMs, Math.max(0, total - n.setupMs));
  return {
    blocked: round3(blocked),
    dns: n.dnsMs === null ? -1 : round3(n.dnsMs),
    connect: tcpTls === null ? -1 : round3(tcpTls),
    send: round3(send),
    wait: round3(Math.max(0, total - n.setupMs - send)),
    receive,
    ssl: n.tlsMs === null ? -1 : round3(n.tlsMs),
  };
}

/** A WebSocket's handshake as HAR phases: DNS, connect (TLS included, as HAR counts it), the upgrade as the wait, the open socket as receiving. */
function socketTimings(w: SocketWire, openMs: number, endMs: number): HarTimings {
  const tcpTls = w.connectMs === null && w.tlsMs === null ? null : (w.connectMs ?? 0) + (w.tlsMs ?? 0);
  const wait = w.upgradeMs ?? 0;
  return {
    blocked: round3(Math.max(0, w.setupMs - (w.dnsMs ?? 0) - (tcpTls ?? 0) - wait)),
    dns: w.dnsMs === null ? -1 : round3(w.dnsMs),
    connect: tcpTls === null ? -1 : round3(tcpTls),
    send: 0,
    wait: round3(wait),
    receive: round3(Math.max(0, endMs - openMs)),
    ssl: w.tlsMs === null ? -1 : round3(w.tlsMs),
  };
}

function httpEntry(x: HttpExchange, req: HttpRequestRecord, r: RequestModel | null, t0: number): HarEntry {
  const { head: res, frames: data, end } = x;
  const startMs = req.t / 1000;
  const lastMs = (end?.t ?? data[data.length - 1]?.t ?? res?.t ?? req.t) / 1000;
  // Model exchanges take their figures from the session model, so the HAR agrees with `lapse stats`.
  const tm = r ? timings(r.startMs, r.firstByteMs, r.endMs, r.network) : timings(startMs, res ? res.t / 1000 : null, lastMs);
  const reqType = headerValue(req.headers, 'content-type') ?? 'application/octet-stream';
  const reqText = safeText(req.body);
  const reqLen = req.body.enc === 'bytes' ? req.body.bytes.length : req.body.enc === 'dropped' ? req.body.length : utf8Length(reqText);
  const entry: HarEntry = {
    pageref: PAGE_ID,
    startedDateTime: iso(t0 + (r?.startMs ?? startMs)),
    time: round3(Math.max(0, tm.blocked) + Math.max(0, tm.dns) + Math.max(0, tm.connect) + tm.send + tm.wait + tm.receive),
    request: {
      method: req.method,
      url: upstreamUrl(req.upstream, req.url),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerPairs(req.headers),
      queryString: queryOf(req.url),
      headersSize: -1,
      bodySize: reqLen,
    },
    response: {
      status: res?.status ?? 0,
      statusText: res?.statusText ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerPairs(res?.headers),
      content: { size: 0, mimeType: headerValue(res?.headers, 'content-type') ?? 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: end?.bytes ?? -1,
    },
    cache: {},
    timings: tm,
    _resourceType: r ? 'fetch' : 'other',
  };
  if (reqLen > 0 || req.body.enc === 'dropped') {
    entry.request.postData = { mimeType: reqType, text: reqText, params: [] };
    if (req.body.enc === 'dropped') entry.request.postData.comment = `body dropped by the recorder under load (${req.body.length} bytes)`;
  }
  if (!res) entry.response._error = end?.message ?? 'no response head reached the proxy';
  else if (end && end.outcome !== 'complete') entry.response._error = `${end.outcome}${end.message ? `: ${end.message}` : ''}`;
  fillContent(entry, x, t0);
  if (r) entry._lapse = lapseFigures(r);
  return entry;
}

/** The response body exactly as the harness received it (decoded), and the SSE events with times. */
function fillContent(entry: HarEntry, x: HttpExchange, t0: number): void {
  const content = entry.response.content;
  const parts: string[] = [];
  const binary: Uint8Array[] = [];
  let dropped = 0;
  const sse: HarSseEvent[] = [];
  for (const d of x.frames) {
    if (d.sse) {
      const text = formatSse(d.sse);
      parts.push(text);
      const p = parseSseText(text);
      const ev: HarSseEvent = { time: (t0 + d.t / 1000) / 1000, data: p.data };
      if (p.event !== undefined) ev.event = p.event;
      if (p.id !== undefined) ev.id = p.id;
      sse.push(ev);
    } else if (d.chunk) {
      if (d.chunk.enc === 'dropped') dropped += d.chunk.length;
      else if (d.chunk.enc === 'bytes' && !isUtf8Text(d.chunk.bytes)) binary.push(d.chunk.bytes);
      else parts.push(safeText(d.chunk));
    }
  }
  if (binary.length > 0) {
    // Not text: HAR carries it as base64 of the whole body (text chunks re-encoded in order).
    const enc = new TextEncoder();
    const all: Uint8Array[] = [];
    for (const d of x.frames) if (d.chunk && d.chunk.enc !== 'dropped') all.push(d.chunk.enc === 'bytes' ? d.chunk.bytes : enc.encode(safeText(d.chunk)));
    const n = all.reduce((a, b) => a + b.length, 0);
    const bytes = new Uint8Array(n);
    let o = 0;
    for (const b of all) {
      bytes.set(b, o);
      o += b.length;
    }
    content.size = n;
    content.text = toBase64(bytes);
    content.encoding = 'base64';
  } else {
    const text = parts.join('');
    content.size = utf8Length(text);
    if (text.length > 0) content.text = text;
  }
  if (dropped > 0) content.comment = `${dropped} bytes of this body were dropped by the recorder under load`;
  const wire = entry.response.bodySize;
  if (wire >= 0 && content.size > wire) content.compression = content.size - wire;
  if (sse.length > 0) {
    entry._sseEvents = sse;
    entry._resourceType = 'fetch';
  }
}

function isUtf8Text(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function wsEntry(x: Socket, responses: RequestModel[], t0: number, wire?: SocketWire): HarEntry {
  const { open, messages, close } = x;
  const openMs = open.t / 1000;
  // with its handshake's timing, the entry starts when the proxy asked for the connection
  const startMs = wire ? Math.min(wire.startMs, openMs) : openMs;
  const endMs = (close?.t ?? messages[messages.length - 1]?.t ?? open.t) / 1000;
  const msgs: HarWebSocketMessage[] = messages.map((m) => ({
    type: m.dir === 'up' ? 'send' : 'receive',
    time: (t0 + m.t / 1000) / 1000,
    opcode: m.binary ? 2 : 1,
    data: m.binary && m.data.enc === 'bytes' ? toBase64(m.data.bytes) : safeText(m.data),
  }));
  const status = open.status ?? 0;
  const entry: HarEntry = {
    pageref: PAGE_ID,
    startedDateTime: iso(t0 + startMs),
    time: round3(endMs - startMs),
    request: {
      method: 'GET',
      url: upstreamUrl(open.upstream, open.url, 'ws'),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerPairs(open.headers),
      queryString: queryOf(open.url),
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: status === 101 ? 'Switching Protocols' : '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerPairs(open.responseHeaders),
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    // The socket's life: Chrome shows the handshake as the wait and the open socket as receiving.
    timings: wire ? socketTimings(wire, openMs, endMs) : { blocked: -1, dns: -1, connect: -1, send: 0, wait: 0, receive: round3(endMs - startMs), ssl: -1 },
    _resourceType: 'websocket',
    _webSocketMessages: msgs,
  };
  if (close) entry.comment = `closed by ${close.by}: ${close.code}${close.reason ? ` ${close.reason}` : ''}`;
  if (responses.length > 0) entry._lapse = { responses: responses.map(lapseFigures) };
  return entry;
}

function lapseFigures(r: RequestModel): Record<string, unknown> {
  return {
    id: r.id,
    protocol: r.protocol,
    model: r.model,
    startMs: round3(r.startMs),
    ttftMs: r.ttftMs === null ? null : round3(r.ttftMs),
    streamMs: r.streamMs === null ? null : round3(r.streamMs),
    endMs: round3(r.endMs),
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    tokensPerSecond: r.tokensPerSecond === null ? null : Math.round(r.tokensPerSecond * 100) / 100,
    stopReason: r.stopReason,
    toolCalls: r.toolCalls.map((c) => c.name),
    status: r.status,
    critical: r.critical,
  };
}
