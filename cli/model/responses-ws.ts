// Responses API WebSocket mode: the client sends `{"type":"response.create", …}` text frames; each is
// answered with the same event objects as the SSE variant, one per text frame, on a socket that stays
// open across turns. Requests on one socket are served one after another, as the real API does.
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { Engine, Sink } from './engine.js';
import { wsText } from './frames.js';
import { type Exchange, serveResponses } from './handlers.js';

export function serveResponsesSocket(engine: Engine, ws: WebSocket, req: IncomingMessage): void {
  const queue: Array<{ text: string; at: number }> = [];
  let busy = false;
  const open = (): boolean => ws.readyState === WebSocket.OPEN;

  const sendError = (status: number, type: string, code: string | null, message: string, param: string | null = null): void => {
    if (open()) ws.send(JSON.stringify({ type: 'error', status, error: { type, code, message, param } }));
  };

  const serveOne = async (text: string, at: number): Promise<void> => {
    let msg: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
      msg = v as Record<string, unknown>;
    } catch (err) {
      return sendError(400, 'invalid_request_error', 'invalid_json', `invalid JSON message: ${(err as Error).message}`);
    }
    if (msg.type !== 'response.create') {
      return sendError(400, 'invalid_request_error', 'unknown_event_type', `unsupported client event type '${String(msg.type)}'`, 'type');
    }
    const { type: _type, ...body } = msg;
    const sink: Sink = {
      send: (f) => {
        if (open()) ws.send(wsText(f));
      },
      end: () => {},
      reset: () => ws.terminate(),
      isClosed: () => !open(),
    };
    const ex: Exchange = {
      body,
      headers: req.headers,
      // A request queued behind another starts its clock when it is taken up.
      t0: Math.max(at, performance.now()),
      transport: 'websocket',
      path: '/v1/responses',
      openStream: () => sink,
      json: (status, b) => {
        if (status === 200) {
          if (open()) ws.send(JSON.stringify(b));
          return;
        }
        const e = ((Array.isArray(b) ? {} : b.error) ?? {}) as Record<string, unknown>;
        sendError(status, String(e.type ?? 'server_error'), (e.code as string | null) ?? null, String(e.message ?? 'error'), (e.param as string | null) ?? null);
      },
      isClosed: () => !open(),
    };
    await serveResponses(engine, ex);
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (let next = queue.shift(); next && open(); next = queue.shift()) {
        await serveOne(next.text, next.at).catch((err: unknown) =>
          sendError(500, 'server_error', null, `lapse scripted endpoint: ${(err as Error).message}`),
        );
      }
    } finally {
      busy = false;
    }
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return sendError(400, 'invalid_request_error', 'binary_frame', 'binary frames are not supported');
    queue.push({ text: Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'), at: performance.now() });
    void pump();
  });
  ws.on('error', () => {});
}
