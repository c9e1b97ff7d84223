// One rehearsal exchange through the relay code, against a throwaway loopback upstream, right after
// the proxy starts. Without it the harness's first real request pays for the relay's cold code
// (first compile of the relay, SSE tap and recording paths, first socket pool): ~15–20 ms of added
// TTFT measured on the first request here, ~2 ms after this rehearsal. Nothing is recorded and nothing
// leaves the machine; a failure is ignored (the real traffic would warm the same code anyway).
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
    const upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const agents = newAgents();
    const ctx: RelayContext = {
      sink: new GuardedSink(new MemorySink(), log),
      upstreams: { anthropic: upUrl, openai: `${upUrl}/v1`, gemini: upUrl, codeAssist: upUrl },
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
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      req.setTimeout(2000, () => (req.destroy(), resolve()));
      req.end('{"model":"warm-up","messages":[{"role":"user","content":"hi"}],"stream":true}');
    });
    await ctx.sink.settle();
    agents.http.destroy();
  } catch {
    // a rehearsal only
  } finally {
    front.close();
    upstream.close();
    front.closeAllConnections?.();
    upstream.closeAllConnections?.();
  }
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}
