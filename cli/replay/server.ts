// The replay endpoint: one HTTP server on loopback that answers every model path the recording holds,
// HTTP (SSE and plain bodies) and Responses-API WebSocket mode alike.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Cassette } from './cassette.js';
import { ReplayContext, mismatchBody, type ReplayStats } from './context.js';
import { hostAllowed } from '../util/host-check.js';
import { serveHttp } from './http-serve.js';
import type { Pacing } from './pacing.js';
import type { TraceOut } from './trace-out.js';
import { SocketServer } from './ws-serve.js';

export interface ReplayOptions {
  cassette: Cassette;
  pacing: Pacing;
  /** Refuse mismatches (409 / error event) instead of serving the closest recording. */
  strict?: boolean;
  /** Similarity (0..1) under which a match counts as a mismatch (default 0.8). */
  threshold?: number;
  host?: string;
  port?: number;
  /** Record the replayed run as a trace. */
  out?: TraceOut | null;
  /** Log lines (default: stderr). */
  log?: (line: string) => void;
}

export interface ReplaySummary extends ReplayStats {
  /** Recorded requests/responses never served, by id. */
  unplayed: string[];
  recorded: number;
}

export interface ReplayServer {
  /** `http://HOST:PORT`: the Anthropic base URL; OpenAI clients use `${url}/v1`. */
  url: string;
  host: string;
  port: number;
  summary(): ReplaySummary;
  /** Stops playing, closes every connection and the trace (if recording). */
  close(): Promise<void>;
}

export const DEFAULT_THRESHOLD = 0.8;

export async function startReplayServer(opts: ReplayOptions): Promise<ReplayServer> {
  const host = opts.host ?? '127.0.0.1';
  const ctx = new ReplayContext(
    opts.cassette,
    opts.pacing,
    { strict: opts.strict ?? false, threshold: opts.threshold ?? DEFAULT_THRESHOLD },
    opts.out ?? null,
    opts.log ?? ((line) => process.stderr.write(line + '\n')),
  );
  const sockets = new SocketServer(ctx);
  let port = 0;
  // DNS rebinding and pages in a browser: only requests naming this server, and none from a web page.
  const refusal = (req: IncomingMessage): string | null => {
    if (!hostAllowed(req.headers.host, host, port)) return `Host ${JSON.stringify(req.headers.host ?? '')} is not this server`;
    if (req.headers.origin !== undefined) return `requests from a web page (Origin ${JSON.stringify(req.headers.origin)}) are not served`;
    return null;
  };
  const refuse = (why: string, write: (body: string) => void) => {
    ctx.stats.refused++;
    ctx.warn(`refused: ${why} → 403`);
    write(JSON.stringify(mismatchBody(why, null, 'forbidden')));
  };
  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    const why = refusal(req);
    if (why === null) return serveHttp(ctx, req, res);
    refuse(why, (body) => {
      res.writeHead(403, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'connection', 'close']);
      res.end(body);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const why = refusal(req);
    if (why === null) return sockets.upgrade(req, socket, head);
    refuse(why, (body) => socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`));
  });
  server.on('clientError', (_err, socket) => {
    if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    summary: () => {
      const unplayed = [...ctx.http.unplayed(), ...ctx.ws.unplayed()].sort((a, b) => a.order - b.order).map((x) => x.id);
      return { ...ctx.stats, unplayed, recorded: opts.cassette.http.length + opts.cassette.turns.length };
    },
    close: () =>
      (closing ??= (async () => {
        for (const stop of [...ctx.live]) stop();
        sockets.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of open) s.destroy();
        });
        await ctx.out?.close();
      })()),
  };
}
