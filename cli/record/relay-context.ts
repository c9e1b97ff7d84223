// What every relayed exchange shares: the sink, the upstreams, the upstream connection pools, ids
// and counters, and the set of live exchanges (so a shutdown can end them and record why).
import http from 'node:http';
import https from 'node:https';
import type { Log } from './log.js';
import type { GuardedSink } from './sink.js';
import type { Api, Upstreams } from './upstreams.js';

export interface ProxyStats {
  /** HTTP requests relayed. */
  requests: number;
  /** WebSocket connections relayed. */
  websockets: number;
  bytesUp: number;
  bytesDown: number;
  errors: number;
  aborted: number;
  /** Requests refused before relaying (foreign Host, a web page's Origin, a path outside the upstreams). */
  refused: number;
}

export interface LiveExchange {
  abort(reason: string): void;
}

export interface RelayContext {
  sink: GuardedSink;
  upstreams: Upstreams;
  defaultApi: Api;
  agents: { http: http.Agent; https: https.Agent };
  nextId(prefix: 'r' | 'w'): string;
  stats: ProxyStats;
  log: Log;
  live: Set<LiveExchange>;
}

export function newStats(): ProxyStats {
  return { requests: 0, websockets: 0, bytesUp: 0, bytesDown: 0, errors: 0, aborted: 0, refused: 0 };
}

export function newAgents(): RelayContext['agents'] {
  // lifo: reuse the most recently used connection, the one least likely to have been closed upstream.
  return {
    http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
}
