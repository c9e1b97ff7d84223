// WebSocket endings (the Responses WebSocket transport codex uses), with the real `ws` client: the
// upstream drops the socket (1006, with and without a TCP reset) or closes with 1000, 1011 or
// 4000 + reason; the client closes with a code. Each case straight and through a recording session:
// the client sees the same messages, the same bytes on its socket, the same close code and reason; the
// trace holds every message before the end and the close as it happened.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { bodyText } from '../../format/index.js';
import { ofKind, recording, removeTmpDirs, sleep, startUpstream } from './helpers.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

const EVENTS = [
  { type: 'response.created', response: { id: 'resp_ws', status: 'in_progress' } },
  { type: 'response.output_text.delta', delta: 'Hel' },
  { type: 'response.output_text.delta', delta: 'lo' },
].map((e, i) => JSON.stringify({ ...e, sequence_number: i }));

type Ending = (srv: WebSocket, client: () => WebSocket) => void;

interface Seen {
  messages: string[];
  close: { code: number; reason: string };
  errors: string[];
  /** Every byte the client's socket received after the handshake. */
  bytes: string;
}

/** One session: the client sends response.create, the upstream answers with EVENTS, then `ending`. */
async function session(url: string, wss: WebSocketServer, ending: Ending): Promise<Seen> {
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', (s) => r(s)));
  const ws = new WebSocket(url, { headers: { authorization: 'Bearer sk-proj-wsfaultswsfaultswsfaults', 'openai-beta': 'responses_websockets=2026-02-06' } });
  const seen: Seen = { messages: [], close: { code: 0, reason: '' }, errors: [], bytes: '' };
  const closed = new Promise<void>((resolve) => ws.on('close', (code, reason) => ((seen.close = { code, reason: reason.toString() }), resolve())));
  ws.on('message', (d) => seen.messages.push(d.toString()));
  ws.on('error', (e: NodeJS.ErrnoException) => seen.errors.push(e.code ?? e.message));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const sock = (ws as unknown as { _socket: Socket })._socket;
  const raw: Buffer[] = [];
  sock.on('data', (c: Buffer) => raw.push(c));
  const srv = await serverSide;
  const asked = new Promise<void>((r) => srv.once('message', () => r()));
  ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-test', input: [{ role: 'user', content: 'hi' }] }));
  await asked;
  for (const e of EVENTS) srv.send(e);
  await sleep(50); // let them reach the client before the ending
  ending(srv, () => ws);
  await closed;
  seen.bytes = Buffer.concat(raw).toString('hex');
  return seen;
}

async function both(ending: Ending) {
  const up = await startUpstream(() => undefined);
  const wss = new WebSocketServer({ server: up.server });
  cleanup.push(
    () => up.close(),
    () => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((r) => wss.close(() => r()));
    },
  );
  const rec = await recording(up.url);
  cleanup.push(() => rec.finish());
  const direct = await session(`ws://127.0.0.1:${up.port}/v1/responses`, wss, ending);
  const proxied = await session(`${rec.openai.replace('http:', 'ws:')}/responses`, wss, ending);
  const trace = await rec.finish();
  return { direct, proxied, trace };
}

const rawSocket = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

describe('upstream faults, WebSocket', () => {
  const cases: Array<{ name: string; ending: Ending; code: number; reason: string; by: 'upstream' | 'client' }> = [
    { name: 'the upstream destroys its socket (no close frame)', ending: (srv) => rawSocket(srv).destroy(), code: 1006, reason: '', by: 'upstream' },
    { name: 'the upstream resets its socket (TCP RST)', ending: (srv) => rawSocket(srv).resetAndDestroy(), code: 1006, reason: '', by: 'upstream' },
    { name: 'the upstream closes normally (1000)', ending: (srv) => srv.close(1000), code: 1000, reason: '', by: 'upstream' },
    { name: 'the upstream closes with 1011 (internal error)', ending: (srv) => srv.close(1011, 'internal error'), code: 1011, reason: 'internal error', by: 'upstream' },
    { name: 'the upstream closes with 4000 and a reason', ending: (srv) => srv.close(4000, 'session expired: reconnect'), code: 4000, reason: 'session expired: reconnect', by: 'upstream' },
    { name: 'the client closes with 4000 and a reason', ending: (_srv, ws) => ws().close(4000, 'harness done'), code: 4000, reason: 'harness done', by: 'client' },
  ];
  for (const c of cases) {
    it(`${c.name}: the client sees the same; the trace holds the messages and the close`, async () => {
      const { direct, proxied, trace } = await both(c.ending);
      expect(proxied).toEqual(direct);
      expect(direct.messages).toEqual(EVENTS);
      expect(direct.close).toEqual({ code: c.code, reason: c.reason });

      const open = ofKind(trace.records, 'ws-open');
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ url: '/v1/responses', status: 101 });
      const msgs = ofKind(trace.records, 'ws-message');
      expect(msgs.filter((m) => m.dir === 'down').map((m) => bodyText(m.data))).toEqual(EVENTS);
      expect(msgs.filter((m) => m.dir === 'up')).toHaveLength(1);
      const close = ofKind(trace.records, "ws-close");
      expect(close).toHaveLength(1);
      expect(close[0]).toMatchObject({ code: c.code, by: c.by });
      if (c.code !== 1006) expect(close[0].reason).toBe(c.reason);
      else expect(close[0].reason).toMatch(/without a close frame/);
      expect(close[0].t).toBeGreaterThanOrEqual(msgs[msgs.length - 1].t);
    });
  }
});
