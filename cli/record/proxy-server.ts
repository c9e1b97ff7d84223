// The recording proxy: a node:http server on 127.0.0.1 that relays HTTP (http-relay.ts) and upgrades
// (ws-relay.ts) to the upstreams, recording into a sink.
import http from 'node:http';
import type { Socket } from 'node:net';
import { relayHttp } from './http-relay.js';
import type { Log } from './log.js';
import { newAgents, newStats, type ProxyStats, type RelayContext } from './relay-context.js';
import type { GuardedSink } from './sink.js';
import { proxyBaseUrls, unsafePath, type Api, type ProxyUrls, type Upstreams } from './upstreams.js';
import { fromBrowser, hostAllowed } from '../util/host-check.js';
import { relayUpgrade } from './ws-relay.js';
import { warmUpRelay } from './warm-up.js';
import { UsageError } from '../util/errors.js';

export interface ProxyOptions {
  sink: GuardedSink;
  upstreams: Upstreams;
  log: Log;
  /** 0 or undefined: an ephemeral port. */
  port?: number;
  /** Address to listen on (default 127.0.0.1; the commands warn about anything that is not loopback). */
  host?: string;
  /** Where paths that are neither Anthropic's nor OpenAI's go (the harness's vendor). */
  defaultApi?: Api;
  /** Rehearse one exchange through the relay code at start (default true; see warm-up.ts). */
  warmUp?: boolean;
}

export interface ProxyHandle {
  port: number;
  /** `http://127.0.0.1:PORT` (ANTHROPIC_BASE_URL) and `…/v1` (OPENAI_BASE_URL), with --host's address if given. */
  anthropicBaseUrl: string;
  openaiBaseUrl: string;
  /** Every base URL a harness may be given (Gemini's too). */
  urls: ProxyUrls;
  stats: ProxyStats;
  /** Stops listening, ends live exchanges (recorded as aborted with `reason`), closes pools. */
  close(reason?: string): Promise<void>;
}

export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  let n = 0;
  const ctx: RelayContext = {
    sink: opts.sink,
    upstreams: opts.upstreams,
    defaultApi: opts.defaultApi ?? 'openai',
    agents: newAgents(),
    nextId: (prefix) => `${prefix}${++n}`,
    stats: newStats(),
    log: opts.log,
    live: new Set(),
  };
  const server = http.createServer({
    // A model can think for minutes before it answers; only the harness decides when to give up.
    requestTimeout: 0,
    noDelay: true,
    keepAliveTimeout: 30_000,
  });
  // Set once listening; requests cannot arrive before.
  let port = 0;
  const host = opts.host ?? '127.0.0.1';
  const refuse = (req: http.IncomingMessage): Refusal | null => {
    const r = refusal(req, host, port);
    if (r) {
      ctx.stats.refused++;
      opts.log.warnOnce(`refused:${r.status}`, `warning: refused a request (${r.reason}); shown once`);
    }
    return r;
  };
  server.on('request', (req, res) => {
    const r = refuse(req);
    if (r) {
      req.resume();
      res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`lapse proxy: ${r.reason}\n`);
      return;
    }
    try {
      relayHttp(ctx, req, res);
    } catch (err) {
      opts.log.warnOnce('relay-bug', `proxy fault: ${(err as Error).message}`);
      req.socket.destroy();
    }
  });
  server.on('upgrade', (req, socket, head) => {
    const r = refuse(req);
    if (r) {
      const body = `lapse proxy: ${r.reason}\n`;
      socket.end(`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    try {
      relayUpgrade(ctx, req, socket, head);
    } catch (err) {
      opts.log.warnOnce('relay-bug', `proxy fault: ${(err as Error).message}`);
      socket.destroy();
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${opts.port} is already in use on ${host}`)
          : new UsageError(`cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? err.message}`),
      ),
    );
    server.listen(opts.port ?? 0, host.replace(/^\[|\]$/g, ''), () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const urls = proxyBaseUrls(port, host);
  // Not awaited: the harness may start at once; its first request then finds the relay warm, or
  // at worst warms it itself, as it would without the rehearsal.
  if (opts.warmUp !== false) void warmUpRelay();

  let closing: Promise<void> | null = null;
  return {
    port,
    anthropicBaseUrl: urls.anthropic,
    openaiBaseUrl: urls.openai,
    urls,
    stats: ctx.stats,
    close(reason = 'lapse stopped') {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const ex of [...ctx.live]) ex.abort(reason);
        for (const s of sockets) s.destroy();
        ctx.agents.http.destroy();
        ctx.agents.https.destroy();
        await closed;
        // Sockets emit 'close' a loop turn or two after destroy(), and a WebSocket's close record is
        // made then. The trace must not close before it (the writer thread finishes its own work).
        const deadline = Date.now() + 2000;
        while (ctx.live.size && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 5));
        await Promise.race([opts.sink.settle(), new Promise<void>((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      })();
      return closing;
    },
  };
}

interface Refusal {
  status: 400 | 403;
  reason: string;
}

/**
 * Requests the proxy does not relay: one whose Host is not the proxy's own address (a DNS-rebinding
 * page), one sent by a web page (Origin), and one whose path could leave the upstream base.
 */
export function refusal(req: http.IncomingMessage, listenHost: string, port: number): Refusal | null {
  if (!hostAllowed(req.headers.host, listenHost, port)) {
    return { status: 403, reason: `Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not this proxy's address` };
  }
  const browser = fromBrowser(req.headers);
  if (browser) return { status: 403, reason: `requests from web pages are not relayed (${browser})` };
  const bad = unsafePath(req.url ?? '');
  if (bad) return { status: 400, reason: `${bad}; only API paths under the configured upstreams are relayed` };
  return null;
}
