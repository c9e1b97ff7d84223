// Rehearsal exchanges through the relay code, against a throwaway loopback upstream, right after
// the proxy starts. Without them the harness's first real request pays for the relay's cold code
// (first compile of the relay, SSE tap and recording paths, first socket pool, first connect): 11–16
// ms of added TTFT measured on a first request to a loopback upstream, 3–4 ms after the rehearsal
// (later requests: ~1.6 ms). Nothing is recorded and nothing leaves the machine; a failure is ignored
// (the real traffic would warm the same code anyway).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { relayHttp } from './http-relay.js';
import { memoryLog } from './log.js';
import { newAgents, newStats, type RelayContext } from './relay-context.js';
import { GuardedSink, MemorySink } from './sink.js';

const EVENT = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"warm"}}\n\n';

export async function warmUpRelay(): Promise<void> {
  const log = memoryLog();
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(EVENT);
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
  });
  const front = http.createServer();
  try {
    await listen(upstream);
    const upPort = (upstream.address() as AddressInfo).port;
    const agents = newAgents();
    const ctx: RelayContext = {
      sink: new GuardedSink(new MemorySink(), log),
      upstreams: upstreamsAt(`http://127.0.0.1:${upPort}`),
      defaultApi: 'anthropic',
      agents,
      nextId: (prefix) => `${prefix}0`,
      stats: newStats(),
      log,
      live: new Set(),
    };
    front.on('request', (req, res) => relayHttp(ctx, req, res));
    await listen(front);
    const port = (front.address() as AddressInfo).port;
    await rehearse(port);
    // Then the path to an https upstream by name: the first name lookup (the C library's resolver
    // set-up and libuv's thread pool: 12–35 ms measured here), the TLS client's code and its CA
    // store (4–9 ms). `localhost` is looked up from the hosts file; the handshake meets the plain
    // HTTP rehearsal server and fails at once, which is all it needs to do.
    ctx.upstreams = upstreamsAt(`https://localhost:${upPort}`);
    await rehearse(port);
    await ctx.sink.settle();
    agents.http.destroy();
    agents.https.destroy();
  } catch {
    // a rehearsal only
  } finally {
    front.close();
    upstream.close();
    front.closeAllConnections?.();
    upstream.closeAllConnections?.();
  }
}

const upstreamsAt = (base: string): RelayContext['upstreams'] => ({ anthropic: base, openai: `${base}/v1`, gemini: base, codeAssist: base });

/** One streamed request through the relay front; resolves when it ends, fails or times out. */
function rehearse(port: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.setTimeout(2000, () => (req.destroy(), resolve()));
    req.end('{"model":"warm-up","messages":[{"role":"user","content":"hi"}],"stream":true}');
  });
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}
