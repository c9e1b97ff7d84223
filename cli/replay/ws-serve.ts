// Responses-API WebSocket mode: the handshake is answered as recorded (subprotocol, deflate, extra
// headers), then each client `response.create` frame is matched against the recorded ones on that
// path and answered with the recorded server frames, paced from the frame's arrival. Responses on one
// socket are served in order: one that arrives while another is playing waits for it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { pathOf, socketProtocolForUrl } from '../../analysis/protocols/index.js';
import { type Piece, type RecordedSocket, type RecordedTurn } from './cassette.js';
import { closestOf, mismatchBody, type ReplayContext } from './context.js';
import { handshakeExtras, recordHeaders } from './headers.js';
import { planResponse } from './pacing.js';
import { Playback, type Step } from './playback.js';
import { bodyFeatures } from './similarity.js';
import { MAX_BODY_BYTES } from '../record/limits.js';

interface Pending {
  turn: RecordedTurn;
  arrival: number;
  similarity: number;
  replayed: boolean;
  /** Arrived while another response was playing: its times count from when that one ended. */
  queued: boolean;
}

/** The client frame asks for a response (the protocol of the socket's path says how to tell). */
function opensResponse(url: string, text: string): boolean {
  const framing = socketProtocolForUrl(url)?.socket;
  if (!framing || text.charCodeAt(0) !== 123) return false;
  try {
    return framing.opens(JSON.parse(text));
  } catch {
    return false;
  }
}

/** What a client frame that opens no response is, for its error event. */
function describeUnserved(text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'a message that is not JSON';
  }
  const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? `a ${JSON.stringify(type).slice(0, 80)} message` : 'a JSON message without a type';
}

export class SocketServer {
  private readonly plain: WebSocketServer;
  private readonly deflate: WebSocketServer;
  private readonly chosen = new WeakMap<IncomingMessage, RecordedSocket>();

  constructor(private readonly ctx: ReplayContext) {
    const common = {
      noServer: true,
      maxPayload: MAX_BODY_BYTES,
      handleProtocols: (offered: Set<string>, req: IncomingMessage) => {
        const p = this.chosen.get(req)?.protocol ?? '';
        return p && offered.has(p) ? p : false;
      },
    };
    this.plain = new WebSocketServer({ ...common, perMessageDeflate: false });
    this.deflate = new WebSocketServer({ ...common, perMessageDeflate: true });
    for (const wss of [this.plain, this.deflate]) {
      wss.on('headers', (headers: string[], req: IncomingMessage) => {
        const s = this.chosen.get(req);
        if (s) headers.push(...handshakeExtras(s.responseHeaders));
      });
    }
  }

  /** The HTTP server's `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ctx = this.ctx;
    const url = req.url ?? '/';
    const path = pathOf(url);
    const recorded = ctx.cassette.sockets.filter((s) => s.path === path);
    const accepted = recorded.filter((s) => s.status === 101 || s.turns.length > 0);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || accepted.length === 0) {
      ctx.stats.refused++;
      const refused = recorded.find((s) => s.status !== null && s.status !== 101);
      if (refused) {
        // The recording's upstream refused the upgrade: so does the replay (the harness falls back to HTTP).
        ctx.log(`WS ${url}: refused with ${refused.status} as recorded (${refused.id})`);
        return void writeRaw(socket, refused.status ?? 426, 'Refused', '');
      }
      const message = `no WebSocket was recorded on ${path}; use HTTP`;
      ctx.warn(`WS ${url}: ${message} → 426`);
      return void writeRaw(socket, 426, 'Upgrade Required', JSON.stringify(mismatchBody(message, null, 'not_recorded')));
    }
    // The socket whose handshake is copied: the first one with responses not yet played.
    const s = accepted.find((x) => x.turns.some((t) => t.played === 0)) ?? accepted[0];
    this.chosen.set(req, s);
    const wss = /permessage-deflate/i.test(s.extensions) ? this.deflate : this.plain;
    const arrival = performance.now();
    const tOpen = ctx.out?.now() ?? 0;
    wss.handleUpgrade(req, socket, head, (ws) => this.connection(ws, req, s, arrival, tOpen));
  }

  private connection(ws: WebSocket, req: IncomingMessage, s: RecordedSocket, openedAt: number, tOpen: number): void {
    const ctx = this.ctx;
    const out = ctx.out;
    const outId = out?.nextId('w') ?? '';
    const url = req.url ?? '/';
    out?.write({
      kind: 'ws-open',
      t: tOpen,
      id: outId,
      url,
      upstream: out.source,
      headers: recordHeaders(req.rawHeaders),
      protocol: ws.protocol,
      extensions: ws.extensions,
      status: 101,
      responseHeaders: s.responseHeaders,
    });
    const queue: Pending[] = [];
    let current: { playback: Playback; stop: () => void } | null = null;
    let closed = false;
    let closedByUs = false;

    const send = (p: Piece) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(p.bytes, { binary: p.binary === true });
      out?.write({ kind: 'ws-message', t: out.now(), id: outId, dir: 'down', data: { enc: 'bytes', bytes: p.bytes }, binary: p.binary === true });
    };

    if (s.preamble.length > 0) {
      const steps = s.preamble.map((p) => ({ atMs: ctx.pacing.kind === 'instant' ? 0 : Math.max(0, p.tMs - s.openMs) / (ctx.pacing.kind === 'recorded' ? ctx.pacing.speed : 1), run: () => send(p) }));
      new Playback(steps, openedAt).start();
    }

    const next = () => {
      if (current || closed) return;
      const job = queue.shift();
      if (!job) return;
      const { turn } = job;
      // A response queued behind another starts when that one ends.
      const origin = job.queued ? performance.now() : job.arrival;
      const plan = planResponse(turn, null, ctx.pacing);
      let servedTtft: number | null = null;
      let done = false;
      const finish = (outcome: 'complete' | 'aborted') => {
        if (done) return;
        done = true;
        current = null;
        ctx.live.delete(stop);
        ctx.served({
          method: 'WS',
          url,
          recorded: turn,
          similarity: job.similarity,
          replayed: job.replayed,
          status: null,
          recordedTtftMs: turn.timing.firstContentMs === null ? null : turn.timing.firstContentMs - turn.startMs,
          servedTtftMs: servedTtft,
          recordedMs: turn.endMs - turn.startMs,
          servedMs: performance.now() - job.arrival,
          pieces: turn.pieces.length,
          unit: 'frame',
          outcome,
        });
        if (outcome === 'complete') next();
      };
      const steps: Step[] = turn.pieces.map((p, i) => ({
        atMs: plan.pieceMs[i],
        run: () => {
          send(p);
          if (i === plan.firstContentPiece) servedTtft = performance.now() - job.arrival;
        },
      }));
      steps.push({ atMs: plan.endMs, run: () => finish('complete') });
      const playback = new Playback(steps, origin, (err) => {
        ctx.warn(`WS ${url}: cannot replay ${turn.id}: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
        finish('aborted');
        ws.terminate();
      });
      const stop = () => {
        playback.cancel();
        finish('aborted');
      };
      current = { playback, stop };
      ctx.live.add(stop);
      playback.start();
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const arrival = performance.now();
      const bytes = toBuffer(data);
      out?.write({ kind: 'ws-message', t: out.now(), id: outId, dir: 'up', data: { enc: 'bytes', bytes }, binary: isBinary });
      const text = isBinary ? '' : bytes.toString('utf8');
      if (isBinary || !opensResponse(url, text)) {
        // Never leave the client waiting: a message the replay cannot answer gets an error event.
        const what = isBinary ? 'a binary message' : describeUnserved(text);
        ctx.stats.refused++;
        ctx.warn(`WS ${url}: ${what} cannot be replayed → error event`);
        send({ tMs: 0, bytes: Buffer.from(JSON.stringify({ ...mismatchBody(`${what} cannot be replayed`, null, 'unsupported_message'), status: 400 })) });
        return;
      }
      const m = ctx.ws.match('WS', pathOf(url), bodyFeatures(text), ctx.match);
      if (m.refusal !== null || !m.item) {
        ctx.stats.refused++;
        const message = m.refusal ?? `nothing recorded for WS ${pathOf(url)}`;
        ctx.warn(`WS ${url} response.create: ${message}${m.item ? `; closest is ${m.item.id} (similarity ${m.similarity.toFixed(2)})` : ''} → error event`);
        const ev = { ...mismatchBody(message, closestOf(m), m.item ? 'replay_mismatch' : 'not_recorded'), status: 409 };
        send({ tMs: 0, bytes: Buffer.from(JSON.stringify(ev)) });
        return;
      }
      ctx.noteMatch('WS', url, m);
      ctx.stats.served++;
      queue.push({ turn: m.item, arrival, similarity: m.similarity, replayed: m.replayed, queued: current !== null || queue.length > 0 });
      next();
    });

    const closeAll = () => {
      closed = true;
      queue.length = 0;
      current?.stop();
    };
    const stopSocket = () => {
      closeAll();
      closedByUs = true;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1001, 'lapse replay is stopping');
    };
    ctx.live.add(stopSocket);
    ws.on('close', (code: number, reason: Buffer) => {
      ctx.live.delete(stopSocket);
      closeAll();
      out?.write({ kind: 'ws-close', t: out.now(), id: outId, code, reason: reason.toString('utf8'), by: closedByUs ? 'proxy' : 'client' });
    });
    ws.on('error', () => undefined);
  }

  close(): void {
    this.plain.close();
    this.deflate.close();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}


function writeRaw(socket: Duplex, status: number, text: string, body: string): void {
  const bytes = Buffer.from(body);
  const head =
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: ${bytes.length}\r\n` +
    (body ? 'Content-Type: application/json\r\n' : '') +
    '\r\n';
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), bytes]));
}
