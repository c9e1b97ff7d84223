// The `lapse view` server: the built viewer and one trace, nothing else, to loopback clients only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TraceStreamReader, TraceFormatError } from '../../format/index.js';
import { TraceTail, isRecording } from '../trace/tail.js';
import { UsageError } from '../util/errors.js';
import { hostAllowed } from '../util/host-check.js';
import type { ReportJson } from '../report/across.js';

export interface ViewServerOptions {
  /** The one trace to show; or, with `sessions`, none (the page opens on the sessions). */
  tracePath?: string;
  /** The sessions page: the report of these traces (`lapse report --json`); the page opens one by its index. */
  sessions?: ReportJson;
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** The built viewer (default: dist/viewer next to this module's compiled file). */
  viewerDir?: string;
}

export interface ViewServer {
  url: string;
  host: string;
  port: number;
  /** Hands every follower what is new in the trace now (its end, once the recorder closed it) and waits (≤ 1 s) until it is sent. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The trace URL the page fetches (relative to the page); with a sessions page, `?i=N` picks one. */
export const TRACE_ROUTE = '/trace.lapse';
/** The sessions page's figures (the `lapse report --json` contract). */
export const REPORT_ROUTE = '/report.json';
/**
 * A trace still being recorded: a WebSocket at `/live?from=N` sends the trace's bytes from offset N as
 * they are written (binary messages, in order), then `{"type":"end"}` once the recorder closed it.
 */
export const LIVE_ROUTE = '/live';
/** Set on the trace response while the recorder is still writing that trace: the page then follows it at LIVE_ROUTE. */
export const LIVE_HEADER = 'x-lapse-live';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The page needs its own scripts, styles and the trace; nothing from anywhere else, no framing.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function defaultViewerDir(): string {
  // compiled: dist/cli/view/server.js → dist/viewer/
  return fileURLToPath(new URL('../../viewer/', import.meta.url));
}

/** Every file of the built viewer, by URL path ("/assets/x.js"). */
function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return out;
  }
  for (const n of names) {
    const full = join(dir, n);
    try {
      if (!statSync(full).isFile()) continue;
    } catch {
      continue;
    }
    out.set('/' + relative(dir, full).split(sep).join('/'), full);
  }
  return out;
}

/** Reads the trace's header so a wrong file fails here, in the terminal, not later in the page. */
function checkTrace(path: string): number {
  let fd: number;
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${path} is a directory, not a trace`);
    size = st.size;
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such trace: ${path}` : `cannot read trace ${path}: ${code ?? (err as Error).message}`);
  }
  try {
    const head = new Uint8Array(64);
    const n = readSync(fd, head, 0, head.length, 0);
    const r = new TraceStreamReader();
    r.push(head.subarray(0, n));
    r.end();
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  } finally {
    closeSync(fd);
  }
  return size;
}

export async function startViewServer(o: ViewServerOptions): Promise<ViewServer> {
  const host = o.host ?? '127.0.0.1';
  const viewerDir = o.viewerDir ?? defaultViewerDir();
  const files = listFiles(viewerDir);
  if (!files.has('/index.html')) throw new UsageError(`the web viewer is not built (no ${join(viewerDir, 'index.html')}); run \`npm run build\` in the lapse folder`);
  if (o.tracePath) checkTrace(o.tracePath);
  else if (!o.sessions) throw new UsageError('nothing to show: no trace and no sessions');
  const report = o.sessions ? Buffer.from(JSON.stringify(o.sessions)) : null;
  let port = 0;

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req.headers.host, host, port)) return send(res, 403, 'lapse view: this server only answers requests addressed to its own loopback address\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'lapse view: read-only\n');
    }
    let path: string;
    let query: URLSearchParams;
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      path = decodeURIComponent(u.pathname);
      query = u.searchParams;
    } catch {
      return send(res, 400, 'lapse view: bad path\n');
    }
    if (path === REPORT_ROUTE) {
      // one trace, no sessions page: "nothing" without an error status (the page asks every time)
      if (!report) {
        res.writeHead(204, SECURITY_HEADERS);
        return void res.end();
      }
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'content-length': report.length });
      return void res.end(req.method === 'HEAD' ? undefined : report);
    }
    if (path === '/') path = '/index.html';
    let file: string | undefined;
    let type: string;
    const extra: Record<string, string> = {};
    if (path === TRACE_ROUTE) {
      // only the one trace, or one of the sessions by its index: never a path from the request
      const i = query.get('i');
      // the sessions page with no trace of its own: "nothing" without an error status (the page asks
      // for its trace before it knows it is the sessions page, see viewer/src/early.ts)
      if (i === null && !o.tracePath) {
        res.writeHead(204, SECURITY_HEADERS);
        return void res.end();
      }
      file = i === null ? o.tracePath : /^\d+$/.test(i) ? o.sessions?.traces[Number(i)]?.path : undefined;
      type = 'application/octet-stream';
      if (file) extra['x-lapse-trace-name'] = encodeURIComponent(basename(file));
      if (file && i === null && isRecording(file)) extra[LIVE_HEADER] = '1';
    } else {
      // Only files that exist in the built viewer: no path is ever joined from the request.
      file = files.get(path);
      type = TYPES[extname(path)] ?? 'application/octet-stream';
    }
    if (!file) return send(res, 404, 'lapse view: not found\n');
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return send(res, 404, 'lapse view: not found\n');
    }
    res.writeHead(200, { ...SECURITY_HEADERS, ...extra, 'content-type': type, 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    // A trace still being recorded grows: send exactly the bytes the length header announced.
    if (size === 0) return void res.end();
    const stream = createReadStream(file, { start: 0, end: size - 1 });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const server: Server = createServer(handle);
  server.on('clientError', (_err, socket) => socket.destroy());
  const live = new WebSocketServer({ noServer: true });
  const tails = new Set<TraceTail>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let u: URL;
    try {
      u = new URL(req.url ?? '/', 'http://x');
    } catch {
      return void socket.destroy();
    }
    // Only this page may follow the trace: its own Host, and its own origin (a page elsewhere may open
    // WebSockets to loopback; the browser sends its Origin, which names it).
    const origin = req.headers.origin;
    const own = origin !== undefined && (() => {
      try {
        return hostAllowed(new URL(origin).host, host, port);
      } catch {
        return false;
      }
    })();
    if (u.pathname !== LIVE_ROUTE || !o.tracePath || !hostAllowed(req.headers.host, host, port) || !own) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const from = Number(u.searchParams.get('from') ?? '0');
    live.handleUpgrade(req, socket, head, (ws) => follow(ws, o.tracePath!, Number.isSafeInteger(from) && from >= 0 ? from : 0));
  });
  const follow = (ws: WebSocket, path: string, from: number): void => {
    let tail: TraceTail;
    try {
      tail = new TraceTail(path, {
        bytes: (chunk) => ws.send(chunk, { binary: true }),
        end: (why) => {
          tails.delete(tail);
          ws.send(JSON.stringify({ type: 'end', closed: why.closed, error: why.error }));
          ws.close(1000, 'the recording ended');
        },
      }, { from });
    } catch (err) {
      ws.close(1011, String((err as Error).message).slice(0, 100));
      return;
    }
    tails.add(tail);
    ws.on('close', () => {
      tail.stop();
      tails.delete(tail);
    });
    ws.on('error', () => tail.stop());
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UsageError(`port ${o.port} is in use; pick another with --port, or omit it for a free one`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new UsageError(`cannot listen on ${host}: no such local address`));
      else if (err.code === 'EACCES') reject(new UsageError(`not allowed to listen on ${host}:${o.port}`));
      else reject(new UsageError(`cannot start the viewer server: ${err.message}`));
    });
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    settle: async () => {
      for (const t of [...tails]) t.poll();
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline && [...live.clients].some((c) => c.bufferedAmount > 0 || c.readyState === c.CLOSING)) await new Promise((r) => setTimeout(r, 20));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of tails) t.stop();
        for (const c of live.clients) c.terminate();
        live.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
