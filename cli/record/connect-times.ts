// The moments of a new upstream connection, stamped at the socket events Node emits anyway (one
// clock read each): name resolved, TCP connected, TLS done — and so when the request could go out.
// Shared by the HTTP relay (http-timing per exchange) and the WebSocket relay (the handshake's).
import type { Socket } from 'node:net';
import type { Micros } from '../../format/types.js';

/** Session times (µs, -1: not yet) that connectTimes fills in. */
export interface ConnectMoments {
  dns: Micros;
  connect: Micros;
  tls: Micros;
  /** The connection was ready: after TCP for http, after TLS for https. */
  sendStart: Micros;
}

export function stampConnect(s: Socket, secure: boolean, now: () => Micros, w: ConnectMoments): void {
  s.once('lookup', () => (w.dns = now()));
  s.once('connect', () => {
    w.connect = now();
    if (!secure) w.sendStart = w.connect;
  });
  if (secure) s.once('secureConnect', () => (w.tls = w.sendStart = now()));
}
