// WebSocket (and any other Upgrade) relay. The handshake goes to the upstream as the harness sent it
// (same Sec-WebSocket-Key, protocols and extension offer), the upstream's answer comes back as it was,
// and from then on bytes flow through untouched both ways. So subprotocols, per-message-deflate
// parameters, pings, pongs and close codes are exactly the two ends' own. The trace gets each
// direction's chunks with their arrival times; WsTap reads the frames on the writer thread.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpTimingRecord, Micros, WsCloseRecord } from '../../format/types.js';
import { forwardHeaders, headerValue, recordHeaders, responseHead } from './headers.js';
import type { RelayContext } from './relay-context.js';
import { route } from './upstreams.js';
import { stampConnect } from './connect-times.js';

type By = WsCloseRecord['by'];

export function relayUpgrade(ctx: RelayContext, req: http.IncomingMessage, clientSock: Duplex, head: Buffer): void {
  const { sink } = ctx;
  const socket = clientSock as Socket;
  const path = req.url ?? '/';
  // Throws for a path outside the upstreams (the proxy server refuses those first): the caller destroys the socket.
  const { base, target } = route(ctx.upstreams, path, req.headers, ctx.defaultApi);
  const id = ctx.nextId('w');
  ctx.stats.websockets++;
  const isWebSocket = (headerValue(req.headers, 'upgrade') ?? '').toLowerCase() === 'websocket';
  socket.setNoDelay?.(true);

  let state: 'handshake' | 'open' | 'done' = 'handshake';
  let upSocket: Socket | null = null;
  /** The trace's streams of the two directions (0: not followed). */
  let upKey = 0;
  let downKey = 0;
  let firstGone: By | null = null;
  let closeReason = '';

  const resetSocket = (s: Socket | null) => {
    if (!s || s.destroyed) return;
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  };

  // The handshake on the wire (an http-timing record under the socket's id): clock reads at the
  // upstream socket's events, as for HTTP (http-relay.ts).
  const wire = { start: sink.now(), dns: -1, connect: -1, tls: -1, sendStart: -1, sendEnd: -1 };
  let wireSocket: Socket | null = null;
  const recordHandshake = (t: Micros) =>
    sink.guard(() => {
      const rec: HttpTimingRecord = { kind: 'http-timing', t, id, reused: false, start: wire.start, head: t, bytesUp: wireSocket?.bytesWritten ?? 0, bytesDown: wireSocket?.bytesRead ?? 0, attempts: 1 };
      for (const k of ['dns', 'connect', 'tls', 'sendStart', 'sendEnd'] as const) if (wire[k] >= 0) rec[k] = wire[k];
      sink.write(rec);
    });

  const recordOpen = (t: Micros, res?: http.IncomingMessage) =>
    sink.guard(() =>
      sink.write({
        kind: 'ws-open',
        t,
        id,
        url: path,
        upstream: base,
        headers: recordHeaders(req.rawHeaders),
        protocol: (res && headerValue(res.headers, 'sec-websocket-protocol')) ?? '',
        extensions: (res && headerValue(res.headers, 'sec-websocket-extensions')) ?? '',
        ...(res ? { status: res.statusCode, responseHeaders: recordHeaders(res.rawHeaders) } : {}),
      }),
    );

  const recordClose = (t: Micros, by: By, reason: string) =>
    sink.guard(() => sink.write({ kind: 'ws-close', t, id, code: 1006, reason, by }));

  // Before the upgrade: the handshake failed or the harness gave up; nothing was relayed yet.
  const failHandshake = (by: By, reason: string, res?: http.IncomingMessage) => {
    if (state !== 'handshake') return;
    state = 'done';
    ctx.live.delete(live);
    const t = sink.now();
    if (res) recordHandshake(t);
    recordOpen(t, res);
    recordClose(t, by, reason);
  };

  const live = {
    abort(reason: string) {
      if (state === 'handshake') {
        failHandshake('proxy', reason);
        upReq.destroy();
        resetSocket(socket);
        return;
      }
      if (state !== 'open') return;
      // One end already went: that is why it ended, not this shutdown.
      if (!firstGone) {
        firstGone = 'proxy';
        closeReason ||= reason;
      }
      resetSocket(upSocket);
      resetSocket(socket);
    },
  };
  ctx.live.add(live);

  socket.on('error', () => {
    firstGone ??= 'client';
    if (state === 'open') resetSocket(upSocket);
  });
  socket.on('close', () => {
    if (state === 'handshake') {
      upReq.destroy();
      failHandshake('client', 'the harness closed the connection during the handshake');
    }
  });

  const mod = target.protocol === 'https:' ? https : http;
  const upReq = mod.request({
    protocol: target.protocol,
    hostname: target.hostname.replace(/^\[|\]$/g, ''),
    port: target.port || undefined,
    path: target.pathname + target.search,
    method: req.method,
    headers: forwardHeaders(req.rawHeaders, { host: target.host, keepUpgrade: true }),
    agent: false, // an upgraded connection leaves any pool anyway
  });
  upReq.on('socket', (s: Socket) => {
    wireSocket = s;
    stampConnect(s, target.protocol === 'https:', () => sink.now(), wire);
  });
  upReq.on('finish', () => (wire.sendEnd = sink.now()));

  upReq.on('error', (err: NodeJS.ErrnoException) => {
    if (state !== 'handshake') return;
    ctx.stats.errors++;
    failHandshake('upstream', `upstream ${target.origin}: ${err.code ? `${err.code} ` : ''}${err.message}`);
    // As for HTTP: the harness's connection is reset, the nearest a proxy can come to "connection refused".
    resetSocket(socket);
  });

  // The upstream refused the upgrade (426, 401, 404…): the harness gets that answer, and can fall back.
  upReq.on('response', (res) => {
    if (state !== 'handshake') return void res.destroy();
    const body: Buffer[] = [];
    res.on('data', (c: Buffer) => body.push(c));
    res.on('error', () => resetSocket(socket));
    res.on('end', () => {
      const bytes = Buffer.concat(body);
      const headers = forwardHeaders(res.rawHeaders, { drop: ['content-length'] });
      headers.push('Content-Length', String(bytes.length), 'Connection', 'close');
      failHandshake('upstream', `upgrade refused: ${res.statusCode} ${res.statusMessage ?? ''}`.trim(), res);
      if (!socket.destroyed) socket.end(Buffer.concat([Buffer.from(responseHead(res.statusCode ?? 502, res.statusMessage ?? '', headers), 'latin1'), bytes]));
    });
  });

  upReq.on('upgrade', (res, up: Socket, upHead: Buffer) => {
    if (state !== 'handshake') return void up.destroy();
    state = 'open';
    upSocket = up;
    const t = sink.now();
    up.setNoDelay(true);
    socket.write(Buffer.from(responseHead(res.statusCode ?? 101, res.statusMessage ?? 'Switching Protocols', res.rawHeaders), 'latin1'));
    recordHandshake(t);
    recordOpen(t, res);
    if (isWebSocket) {
      upKey = sink.newKey();
      downKey = sink.newKey();
      sink.stream({ op: 'ws', up: upKey, down: downKey, id, extensions: headerValue(res.headers, 'sec-websocket-extensions') ?? '' });
    }
    if (upHead.length) {
      socket.write(upHead);
      if (downKey) sink.chunk(downKey, t, upHead);
    }
    if (head.length) {
      up.write(head);
      if (upKey) sink.chunk(upKey, t, head);
    }
    pump(socket, up, 'up');
    pump(up, socket, 'down');

    up.on('error', () => {
      firstGone ??= 'upstream';
      resetSocket(socket);
    });
    let closed = 0;
    const onClose = (by: By) => () => {
      firstGone ??= by;
      if (++closed < 2) return;
      state = 'done';
      ctx.live.delete(live);
      const tClose = sink.now();
      // Written unless the trace saw a close frame (which says who ended it, and why).
      const rec: WsCloseRecord = { kind: 'ws-close', t: tClose, id, code: 1006, reason: closeReason || 'connection closed without a close frame', by: firstGone ?? by };
      if (upKey) sink.stream({ op: 'ws-end', up: upKey, down: downKey, rec });
      else sink.write(rec);
    };
    socket.on('close', onClose('client'));
    up.on('close', onClose('upstream'));
  });

  /** Bytes from one end to the other at once, with backpressure; the trace gets a copy after the write. */
  function pump(from: Socket, to: Socket, dir: 'up' | 'down') {
    const key = dir === 'up' ? upKey : downKey;
    from.on('data', (chunk: Buffer) => {
      const t = sink.now();
      if (dir === 'up') ctx.stats.bytesUp += chunk.length;
      else ctx.stats.bytesDown += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      if (key) sink.chunk(key, t, chunk);
    });
    from.on('end', () => {
      firstGone ??= dir === 'up' ? 'client' : 'upstream';
      if (!to.destroyed) to.end();
    });
    from.on('close', () => {
      // The other end cannot go on alone; give a half-closed peer a moment, then let it go.
      if (!to.destroyed) setTimeout(() => to.destroy(), 2000).unref();
    });
  }

  upReq.end();
}
