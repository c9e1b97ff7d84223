// One HTTP exchange: harness → proxy → upstream and back, streamed chunk by chunk with backpressure,
// recorded on the side. Rule of the house: the relay goes first, and its recording work per chunk is
// one copy with the arrival time (the chunk is read on the writer thread, see tap-host.ts);
// recording faults never reach the harness (GuardedSink).
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { EndOutcome, HttpTimingRecord, Micros } from '../../format/types.js';
import { decodableCoding, isEventStream } from './body-tap.js';
import { forwardHeaders, headerValue, recordHeaders } from './headers.js';
import type { RelayContext } from './relay-context.js';
import { watchAcked } from './send-queue.js';
import { stampConnect } from './connect-times.js';
import { route } from './upstreams.js';

const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** [name, value] pairs from a raw header list. */
function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

/** Methods a client may repeat (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Uploads at least this large are watched until acknowledged (send-queue.ts): smaller ones leave with the first flight. */
const WATCH_ACK_BYTES = 16 * 1024;
const NO_WATCH = () => {};

export function relayHttp(ctx: RelayContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const { sink } = ctx;
  const now = () => sink.now();
  const t0 = sink.now();
  const path = req.url ?? '/';
  let base: string;
  let target: URL;
  try {
    ({ base, target } = route(ctx.upstreams, path, req.headers, ctx.defaultApi));
  } catch (err) {
    // The proxy server refuses unsafe paths before this; this is the backstop, never a relay elsewhere.
    ctx.stats.refused++;
    req.resume();
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`lapse proxy: ${(err as Error).message}\n`);
    return;
  }
  const id = ctx.nextId('r');
  ctx.stats.requests++;
  const outHeaders = forwardHeaders(req.rawHeaders, { host: target.host, drop: ['expect'] });
  res.sendDate = false; // the upstream's own Date (or none), not ours

  const bodyChunks: Buffer[] = [];
  let bodyDone = false;
  let requestRecorded = false;
  let state: 'waiting' | 'streaming' | 'done' = 'waiting';
  let sent = 0;
  // The trace's streams: the request body's chunks and the response body's.
  const reqKey = sink.newKey();
  let resKey = 0;
  let attempts = 0;
  let upReq: http.ClientRequest;
  let reqPaused = false;
  let cutResponse: ((err?: Error) => void) | null = null;
  // The wire's moments for the http-timing record: clock reads at socket events, nothing else.
  const wire: Wire = { start: 0, reused: false, dns: -1, connect: -1, tls: -1, sendStart: -1, sendEnd: -1, acked: -1, head: -1, firstByte: -1, up0: 0, down0: 0, socket: null };
  let stopAckWatch = NO_WATCH;

  sink.stream({ op: 'request-body', key: reqKey });
  const recordRequest = () => {
    if (requestRecorded) return;
    requestRecorded = true;
    sink.guard(() =>
      sink.stream({
        op: 'request',
        key: reqKey,
        // the body is made from the stream's chunks
        rec: { kind: 'http-request', t: t0, id, method: req.method ?? 'GET', url: path, upstream: base, headers: recordHeaders(req.rawHeaders), body: { enc: 'bytes', bytes: new Uint8Array(0) } },
        contentEncoding: headerValue(req.headers, 'content-encoding'),
      }),
    );
  };

  const finish = (outcome: EndOutcome, message: string | undefined, t: Micros) => {
    if (state === 'done') return;
    state = 'done';
    ctx.live.delete(live);
    stopAckWatch();
    recordRequest();
    sink.guard(() => sink.write(timingRecord(id, t, wire, attempts)));
    // Written after the response body's last records (a compressed body's tail comes later).
    const rec = { kind: 'http-end' as const, t, id, outcome, bytes: sent, ...(message ? { message } : {}) };
    if (resKey) sink.stream({ op: 'end', key: resKey, rec });
    else sink.write(rec);
  };

  const resetClient = () => {
    const s = req.socket;
    if (s.destroyed) return;
    // The closest thing to "the upstream's connection failed" that a client of a proxy can see.
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  };

  const live = {
    abort(reason: string) {
      if (state === 'done') return;
      const t = sink.now();
      upReq.destroy();
      finish('aborted', reason, t);
      resetClient();
    },
  };
  ctx.live.add(live);

  const startUpstream = () => {
    attempts++;
    stopAckWatch();
    Object.assign(wire, { start: sink.now(), reused: false, dns: -1, connect: -1, tls: -1, sendStart: -1, sendEnd: -1, acked: -1, socket: null });
    const mod = target.protocol === 'https:' ? https : http;
    const r = mod.request({
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      path: target.pathname + target.search,
      method: req.method,
      headers: outHeaders,
      agent: target.protocol === 'https:' ? ctx.agents.https : ctx.agents.http,
    });
    upReq = r;
    let written = -1;
    r.on('socket', (s) => {
      s.setNoDelay(true);
      written = s.bytesWritten;
      if (r !== upReq) return;
      wire.socket = s;
      wire.up0 = s.bytesWritten;
      wire.down0 = s.bytesRead;
      wire.reused = r.reusedSocket;
      if (!s.connecting) {
        wire.sendStart = sink.now();
        return;
      }
      stampConnect(s, target.protocol === 'https:', now, wire);
    });
    r.on('finish', () => {
      if (r !== upReq) return;
      wire.sendEnd = sink.now();
      // the kernel took the last byte; on a slow uplink its send buffer still holds much of the body
      const s = wire.socket;
      if (s && state === 'waiting' && s.bytesWritten - wire.up0 >= WATCH_ACK_BYTES) stopAckWatch = watchAcked(s, now, (at) => (wire.acked = at)) ?? NO_WATCH;
    });
    // 1xx answers before the real one: 103 Early Hints go on to the harness as they came
    r.on('information', (info) => {
      if (r !== upReq || state !== 'waiting' || info.statusCode !== 103) return;
      try {
        res.writeEarlyHints(info.headers as Record<string, string | string[]>);
      } catch {
        // hints Node will not send (no Link header): the final answer still goes through
      }
    });
    r.on('response', (upRes) => {
      if (r !== upReq) return upRes.destroy();
      onResponse(upRes);
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (r !== upReq || state === 'done') return;
      // A kept-alive upstream socket that failed before any answer: sent again on a fresh connection
      // only if that is safe, i.e. the method is idempotent or not one byte of this request left
      // lapse (the upstream provably never saw it). A POST the upstream may have read is not
      // repeated: the harness sees the reset, as it would without lapse, and decides itself.
      const neverSent = written >= 0 && r.socket !== null && r.socket.bytesWritten === written;
      if (state === 'waiting' && r.reusedSocket && attempts < 3 && STALE_SOCKET_ERRORS.has(err.code ?? '') && (IDEMPOTENT.has((req.method ?? 'GET').toUpperCase()) || neverSent)) {
        startUpstream();
        return;
      }
      if (state === 'streaming') return void cutResponse?.(err);
      const t = sink.now();
      ctx.stats.errors++;
      finish('error', describeError(err, target), t);
      resetClient();
    });
    r.on('drain', () => {
      if (r === upReq && reqPaused) {
        reqPaused = false;
        req.resume();
      }
    });
    for (const c of bodyChunks) r.write(c);
    if (bodyDone) r.end();
    if (reqPaused) {
      reqPaused = false;
      req.resume();
    }
  };

  const onResponse = (upRes: http.IncomingMessage) => {
    if (state !== 'waiting') return void upRes.destroy();
    state = 'streaming';
    const tHead = sink.now();
    wire.head = tHead;
    // An answer means the upstream read the request (its ACKs ride on the answer): the upload is over.
    if (wire.sendEnd >= 0 && wire.acked < 0 && stopAckWatch !== NO_WATCH) wire.acked = tHead;
    stopAckWatch();
    stopAckWatch = NO_WATCH;
    const status = upRes.statusCode ?? 502;
    const statusText = upRes.statusMessage ?? '';
    res.writeHead(status, statusText, forwardHeaders(upRes.rawHeaders));
    // The harness sees the head (its "first byte") when the upstream sent it, not with the first chunk.
    res.flushHeaders();
    recordRequest();
    const coding = decodableCoding(headerValue(upRes.headers, 'content-encoding'));
    sink.guard(() => {
      sink.write({
        kind: 'http-response',
        t: tHead,
        id,
        status,
        statusText,
        headers: recordHeaders(upRes.rawHeaders),
        decoded: coding !== null && coding !== 'unknown',
      });
      const key = sink.newKey();
      sink.stream({
        op: 'response-body',
        key,
        id,
        coding: coding === 'unknown' ? null : coding,
        sse: coding !== 'unknown' && isEventStream(headerValue(upRes.headers, 'content-type')),
      });
      resKey = key;
    });

    upRes.on('data', (chunk: Buffer) => {
      const t = sink.now();
      if (wire.firstByte < 0) wire.firstByte = t;
      sent += chunk.length;
      ctx.stats.bytesDown += chunk.length;
      if (!res.write(chunk)) {
        upRes.pause();
        res.once('drain', () => upRes.resume());
      }
      if (resKey) sink.chunk(resKey, t, chunk);
    });
    upRes.on('end', () => {
      const t = sink.now();
      // trailers (after a chunked body) go on too
      if (upRes.rawTrailers.length) {
        try {
          res.addTrailers(pairs(upRes.rawTrailers));
        } catch {
          // not sendable on this response (not chunked): the body itself is whole
        }
      }
      res.end();
      finish('complete', undefined, t);
    });
    const cut = (err?: Error) => {
      if (state !== 'streaming' || upRes.complete) return;
      const t = sink.now();
      ctx.stats.errors++;
      const code = err ? (err as NodeJS.ErrnoException).code ?? err.message : '';
      finish('error', `upstream connection lost mid-response${code ? `: ${code}` : ''}`, t);
      resetClient();
    };
    cutResponse = cut;
    upRes.on('error', cut);
    upRes.on('close', () => cut());
  };

  req.on('data', (chunk: Buffer) => {
    bodyChunks.push(chunk);
    ctx.stats.bytesUp += chunk.length;
    if (!requestRecorded) sink.chunk(reqKey, 0, chunk);
    if (state === 'done') return;
    if (!upReq.write(chunk) && !reqPaused) {
      reqPaused = true;
      req.pause();
    }
  });
  req.on('end', () => {
    bodyDone = true;
    if (state !== 'done') upReq.end();
    recordRequest();
  });
  res.on('close', () => {
    if (state === 'done' || res.writableFinished) return;
    // The harness went away first (cancelled the request, or died): cancel upstream too.
    const t = sink.now();
    ctx.stats.aborted++;
    upReq.destroy();
    finish('aborted', 'the harness closed the connection', t);
  });

  startUpstream();
}

/** Session times (µs, -1: not yet) of the current attempt, and the socket's byte counts when it was assigned. */
interface Wire {
  start: Micros;
  reused: boolean;
  dns: Micros;
  connect: Micros;
  tls: Micros;
  sendStart: Micros;
  sendEnd: Micros;
  /** The upstream's TCP acknowledged the last request byte (Linux, large uploads; send-queue.ts). */
  acked: Micros;
  head: Micros;
  firstByte: Micros;
  up0: number;
  down0: number;
  socket: Socket | null;
}

/** The record of how the exchange went on the wire (the moments that never came are left out). */
function timingRecord(id: string, t: Micros, w: Wire, attempts: number): HttpTimingRecord {
  const rec: HttpTimingRecord = {
    kind: 'http-timing',
    t,
    id,
    reused: w.reused,
    start: Math.round(w.start),
    bytesUp: w.socket ? w.socket.bytesWritten - w.up0 : 0,
    bytesDown: w.socket ? w.socket.bytesRead - w.down0 : 0,
    attempts,
  };
  for (const k of ['dns', 'connect', 'tls', 'sendStart', 'sendEnd', 'acked', 'head', 'firstByte'] as const) if (w[k] >= 0) rec[k] = Math.round(w[k]);
  return rec;
}

function describeError(err: NodeJS.ErrnoException, target: URL): string {
  const code = err.code ? `${err.code} ` : '';
  return `upstream ${target.origin}: ${code}${err.message}`.replace(/\s+/g, ' ').trim();
}
