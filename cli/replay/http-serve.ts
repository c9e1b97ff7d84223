// One HTTP request: read it whole, find its recording, and play the recorded response back (same
// status, headers and body bytes) at the paced times, measured from when the request head arrived.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { pathOf } from '../../analysis/protocols/index.js';
import type { RecordedHttp } from './cassette.js';
import { closestOf, mismatchBody, type ReplayContext } from './context.js';
import { recordHeaders, replayHeaders } from './headers.js';
import { planResponse } from './pacing.js';
import { Playback, type Step } from './playback.js';
import { bodyFeatures } from './similarity.js';
import { MAX_BODY_BYTES } from '../record/limits.js';

const LINGER_MS = 10_000;

export function serveHttp(ctx: ReplayContext, req: IncomingMessage, res: ServerResponse): void {
  const arrival = performance.now();
  const out = ctx.out;
  const tIn = out?.now() ?? 0;
  const outId = out?.nextId('r') ?? '';
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '/';
  res.sendDate = false; // the recorded Date header (or none), not ours
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c: Buffer) => {
    if (tooLarge) return;
    size += c.length;
    if (size <= MAX_BODY_BYTES) return void chunks.push(c);
    // Bodies are buffered to be matched: past the recorder's own limit, refuse instead of growing.
    tooLarge = true;
    chunks.length = 0;
    ctx.stats.refused++;
    const message = `request body over ${MAX_BODY_BYTES / 1024 / 1024} MiB: not buffered`;
    ctx.warn(`${method} ${url}: ${message} → 413`);
    const text = JSON.stringify(mismatchBody(message, null, 'request_too_large'));
    // No `connection: close` and no destroy on the answer: closing a socket with unread bytes in it
    // sends a reset that can reach the client before it has read the 413 (seen in CI). Node discards
    // the rest of the body; a client that never stops sending is cut off after LINGER_MS.
    res.writeHead(413, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))]);
    res.end(text);
    const linger = setTimeout(() => req.destroy(), LINGER_MS);
    linger.unref();
    req.once('close', () => clearTimeout(linger));
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    if (tooLarge) return;
    const body = Buffer.concat(chunks);
    out?.request(outId, tIn, method, url, recordHeaders(req.rawHeaders), body);
    const path = pathOf(url);
    const m = ctx.http.match(method, path, bodyFeatures(requestText(body, req.headers['content-encoding'])), ctx.match);
    if (m.refusal !== null || !m.item) {
      ctx.stats.refused++;
      const strict = ctx.match.strict && m.item !== null;
      const status = strict ? 409 : 404;
      const message = m.refusal ?? 'nothing was recorded for this method and path';
      ctx.warn(`${method} ${url}: ${message}${m.item ? `; closest is ${m.item.id} (similarity ${m.similarity.toFixed(2)})` : ''} → ${status}`);
      const text = JSON.stringify(mismatchBody(message, closestOf(m), strict ? 'replay_mismatch' : 'not_recorded'));
      const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))];
      res.writeHead(status, headers);
      res.end(text);
      out?.write({ kind: 'http-response', t: out.now(), id: outId, status, statusText: res.statusMessage, headers: recordHeaders(headers), decoded: false });
      out?.data(outId, out.now(), Buffer.from(text), undefined);
      out?.write({ kind: 'http-end', t: out.now(), id: outId, outcome: 'complete', bytes: Buffer.byteLength(text) });
      return;
    }
    ctx.noteMatch(method, url, m);
    ctx.stats.served++;
    play(ctx, req, res, m.item, arrival, { method, url, similarity: m.similarity, replayed: m.replayed, outId });
  });
}

function requestText(body: Buffer, coding: string | undefined): string {
  let bytes = body;
  try {
    const c = (coding ?? '').trim().toLowerCase();
    if (c === 'gzip' || c === 'x-gzip') bytes = zlib.gunzipSync(body);
    else if (c === 'br') bytes = zlib.brotliDecompressSync(body);
    else if (c === 'deflate') bytes = zlib.inflateSync(body);
  } catch {
    // compare what arrived
  }
  return bytes.toString('utf8');
}

/** Recorded headers that Node would refuse (the trace may hold anything) are left out rather than failing. */
function validHeaders(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    try {
      validateHeaderName(flat[i]);
      validateHeaderValue(flat[i], flat[i + 1]);
      out.push(flat[i], flat[i + 1]);
    } catch {
      // skipped
    }
  }
  return out;
}

interface Arrived {
  method: string;
  url: string;
  similarity: number;
  replayed: boolean;
  outId: string;
}

function play(ctx: ReplayContext, req: IncomingMessage, res: ServerResponse, x: RecordedHttp, arrival: number, a: Arrived): void {
  const out = ctx.out;
  const plan = planResponse(x, x.head?.tMs ?? null, ctx.pacing);
  const status = x.head?.status ?? null;
  const bodyless = a.method === 'HEAD' || status === 204 || status === 304 || (status !== null && status < 200);
  let sent = 0;
  let servedTtft: number | null = null;
  let finished = false;
  const steps: Step[] = [];

  const finish = (outcome: 'complete' | 'aborted' | 'error') => {
    if (finished) return;
    finished = true;
    ctx.live.delete(cancel);
    const servedMs = performance.now() - arrival;
    out?.write({ kind: 'http-end', t: out.now(), id: a.outId, outcome, bytes: sent, ...(outcome === 'complete' ? {} : { message: outcome === 'aborted' ? 'the client closed the connection' : 'cut as in the recording' }) });
    ctx.served({
      method: a.method,
      url: a.url,
      recorded: x,
      similarity: a.similarity,
      replayed: a.replayed,
      status,
      recordedTtftMs: x.timing.firstContentMs === null ? null : x.timing.firstContentMs - x.startMs,
      servedTtftMs: servedTtft,
      recordedMs: x.endMs - x.startMs,
      servedMs,
      pieces: x.pieces.length,
      unit: x.eventStream ? 'event' : 'chunk',
      outcome,
    });
  };
  const resetClient = () => {
    const s = req.socket;
    if (s.destroyed) return;
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  };

  if (!x.head) {
    // The recording never got an answer (upstream unreachable): the client sees its connection fail.
    steps.push({ atMs: plan.endMs, run: () => (finish('error'), resetClient()) });
  } else {
    const head = x.head;
    steps.push({
      atMs: plan.headMs,
      run: () => {
        const headers = validHeaders(replayHeaders(head.headers, head.decoded));
        if (x.outcome === 'complete' && !bodyless) {
          const total = x.pieces.reduce((n, p) => n + p.bytes.length, 0);
          headers.push('content-length', String(total));
        }
        if (head.statusText) res.writeHead(head.status, head.statusText, headers);
        else res.writeHead(head.status, headers);
        res.flushHeaders();
        out?.write({ kind: 'http-response', t: out.now(), id: a.outId, status: head.status, statusText: head.statusText, headers: recordHeaders(headers), decoded: false });
      },
    });
    if (!bodyless) {
      x.pieces.forEach((p, i) =>
        steps.push({
          atMs: plan.pieceMs[i],
          run: () => {
            res.write(p.bytes);
            sent += p.bytes.length;
            if (i === plan.firstContentPiece) servedTtft = performance.now() - arrival;
            out?.data(a.outId, out.now(), p.bytes, p.sse);
          },
        }),
      );
    }
    steps.push({
      atMs: plan.endMs,
      run: () => {
        if (x.outcome === 'error') {
          // The recorded upstream connection broke mid-response: so does this one. A FIN after the
          // bytes already written (not a reset, which could discard them) and no last chunk: the
          // client gets everything that was recorded, then a premature end.
          finish('error');
          req.socket.end();
          return;
        }
        finish('complete');
        res.end();
      },
    });
  }

  const playback = new Playback(steps, arrival, (err) => {
    ctx.warn(`${a.method} ${a.url}: cannot replay ${x.id}: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    finish('error');
    resetClient();
  });
  const cancel = () => {
    playback.cancel();
    if (!finished) finish('aborted');
    resetClient();
  };
  ctx.live.add(cancel);
  res.on('close', () => {
    if (finished) return;
    playback.cancel();
    finish('aborted');
  });
  playback.start();
}
