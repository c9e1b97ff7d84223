// The scripted model endpoint: a real HTTP + WebSocket server on loopback that speaks Anthropic
// Messages, OpenAI Chat Completions, OpenAI Responses (SSE and WebSocket mode) and the Gemini API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { anthropicErrorBody } from './anthropic.js';
import { Engine, type ModelServerOptions, type ModelServerStats, type Sink } from './engine.js';
import { type Frame, sseText } from './frames.js';
import { type Exchange, serveAnthropic, serveChat, serveCountTokens, serveGemini, serveResponses } from './handlers.js';
import { codeAssistAccount, geminiErrorBody } from './gemini.js';
import { openaiErrorBody } from './openai-chat.js';
import { serveResponsesSocket } from './responses-ws.js';

export type { ModelServerOptions, ModelServerStats, RequestLogEntry } from './engine.js';

export interface ModelServer {
  /** `http://127.0.0.1:PORT` — the Anthropic base URL; OpenAI clients use `${url}/v1`. */
  url: string;
  port: number;
  /** The Responses WebSocket URL: `ws://127.0.0.1:PORT/v1/responses`. */
  wsUrl: string;
  close(): Promise<void>;
  stats(): ModelServerStats;
}

const MODELS = ['lapse-scripted', 'claude-sonnet-4-6', 'gpt-5'];

/** `/responses` and `/v1/responses` alike (clients differ in whether the base URL ends in /v1). */
function normalizePath(rawUrl: string): string {
  const path = new URL(rawUrl, 'http://localhost').pathname.replace(/\/+$/, '') || '/';
  return path.startsWith('/v1/') || path === '/v1' ? path : `/v1${path}`;
}

/** Gemini API model methods, with any version prefix or none: `/v1beta/models/gemini-2.5-pro:streamGenerateContent`. */
const GEMINI_PATH = /^(?:\/(?:v1beta|v1alpha|v1))?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;
/** Gemini Code Assist (Gemini CLI logged in with Google): the same methods on `/v1internal`, the model in the body. */
const CODE_ASSIST_PATH = /^\/v1internal:(streamGenerateContent|generateContent|countTokens)$/;
/** Its account calls (`loadCodeAssist`, `onboardUser`, quota, experiments, settings). */
const CODE_ASSIST_ACCOUNT_PATH = /^\/v1internal:([A-Za-z]+)$/;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request body as a JSON object, or the one-line reason it is not one. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown> | string> {
  try {
    const parsed: unknown = JSON.parse((await readBody(req)).toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    return `invalid JSON body: ${(err as Error).message}`;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function notFound(res: ServerResponse, method: string, path: string): void {
  const message = `lapse scripted endpoint: no route for ${method} ${path}`;
  sendJson(res, 404, { ...anthropicErrorBody('not_found_error', message), ...openaiErrorBody('invalid_request_error', message) });
}

function sseSink(req: IncomingMessage, res: ServerResponse, requestId: string, anthropic: boolean): Sink {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    [anthropic ? 'request-id' : 'x-request-id']: requestId,
  });
  res.flushHeaders();
  return {
    send: (f: Frame) => void res.write(sseText(f)),
    end: () => res.end(),
    reset: () => req.socket.destroy(),
    isClosed: () => res.destroyed || res.writableEnded || req.socket.destroyed,
  };
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const engine = new Engine(opts);
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    const path = normalizePath(req.url ?? '/');
    const method = req.method ?? 'GET';
    // Requests that are not model calls are logged too: it helps to see a harness probe the wrong path.
    const other = (protocol: 'models' | 'account' | 'unknown') => engine.begin({ protocol, transport: 'http', path, stream: false, side: true }, t0);
    if (method === 'GET' && path === '/v1/models') {
      engine.finish(other('models'), 'complete');
      const created = Math.floor(Date.now() / 1000);
      const data = MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'lapse', type: 'model', display_name: id, created_at: new Date(created * 1000).toISOString() }));
      return sendJson(res, 200, { object: 'list', data, has_more: false, first_id: MODELS[0], last_id: MODELS[MODELS.length - 1] });
    }
    const stored = /^\/v1\/responses\/([^/]+)$/.exec(path);
    if (method === 'GET' && stored) {
      const r = engine.store.response(decodeURIComponent(stored[1]));
      return r ? sendJson(res, 200, r) : sendJson(res, 404, openaiErrorBody('invalid_request_error', `No response found with id '${stored[1]}'.`));
    }
    const rawPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    const account = CODE_ASSIST_ACCOUNT_PATH.exec(rawPath);
    const accountAnswer = account ? codeAssistAccount(account[1]) : null;
    if (accountAnswer) {
      if (method === 'POST') await readBody(req);
      engine.finish(other('account'), 'complete');
      return sendJson(res, 200, accountAnswer);
    }
    const gemini = GEMINI_PATH.exec(rawPath);
    const codeAssist = CODE_ASSIST_PATH.exec(rawPath);
    if ((gemini || codeAssist) && method === 'POST') {
      const outer = await jsonBody(req);
      if (typeof outer === 'string') return sendJson(res, 400, geminiErrorBody(400, outer));
      // Code Assist wraps the request as `{model, project, request}` and each response as `{response}`.
      const body = codeAssist ? ((outer.request && typeof outer.request === 'object' ? outer.request : {}) as Record<string, unknown>) : outer;
      const sse = new URL(req.url ?? '/', 'http://localhost').searchParams.get('alt') === 'sse';
      const ex: Exchange = {
        body,
        headers: req.headers,
        t0,
        transport: 'http',
        path: rawPath,
        openStream: (requestId) => sseSink(req, res, requestId, false),
        json: (status, b, headers) => sendJson(res, status, b, headers),
        isClosed: () => res.destroyed || req.socket.destroyed,
      };
      if (codeAssist) return serveGemini(engine, ex, typeof outer.model === 'string' ? outer.model : 'gemini-2.5-pro', codeAssist[1], sse, true);
      return serveGemini(engine, ex, decodeURIComponent(gemini![1]), gemini![2], sse);
    }
    const route =
      path === '/v1/messages' ? serveAnthropic
      : path === '/v1/messages/count_tokens' ? serveCountTokens
      : path === '/v1/chat/completions' ? serveChat
      : path === '/v1/responses' ? serveResponses
      : undefined;
    if (method !== 'POST' || !route) {
      engine.finish(other('unknown'), 'error', `no route for ${method} ${path}`);
      return notFound(res, method, path);
    }
    const anthropic = path.startsWith('/v1/messages');
    const body = await jsonBody(req);
    if (typeof body === 'string') {
      return sendJson(res, 400, anthropic ? anthropicErrorBody('invalid_request_error', body) : openaiErrorBody('invalid_request_error', body));
    }
    const ex: Exchange = {
      body,
      headers: req.headers,
      t0,
      transport: 'http',
      path,
      openStream: (requestId) => sseSink(req, res, requestId, anthropic),
      json: (status, b, headers) => sendJson(res, status, b, headers),
      isClosed: () => res.destroyed || req.socket.destroyed,
    };
    await route(engine, ex);
  };

  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, openaiErrorBody('server_error', `lapse scripted endpoint: ${(err as Error).message}`));
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    if (normalizePath(req.url ?? '/') !== '/v1/responses') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      engine.websockets++;
      serveResponsesSocket(engine, ws, req);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/responses`,
    stats: () => engine.stats(),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}
