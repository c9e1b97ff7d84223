// Shared pieces of the recorder tests: scripted upstreams on 127.0.0.1, an acknowledgement channel
// that proves events are not buffered, an in-process proxy with an in-memory sink, and a fetch that
// keeps a copy of the exact bytes a client received.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { GuardedSink, MemorySink } from '../../cli/record/sink.js';
import { memoryLog } from '../../cli/record/log.js';
import { startProxy, type ProxyHandle } from '../../cli/record/proxy-server.js';
import type { Upstreams } from '../../cli/record/upstreams.js';
import type { TraceRecord } from '../../format/types.js';

/**
 * The upstream sends event i, then waits for the client to say it has seen event i before it sends
 * i+1. If anything between them held an event back, the wait times out and the test names the event.
 */
export class AckChannel {
  private seen = new Set<number>();
  private waiters = new Map<number, () => void>();

  signal(i: number): void {
    this.seen.add(i);
    this.waiters.get(i)?.();
  }

  wait(i: number, ms = 5000): Promise<void> {
    if (this.seen.has(i)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event ${i} did not reach the client within ${ms} ms (buffered?)`)), ms);
      this.waiters.set(i, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface Upstream {
  url: string;
  port: number;
  server: http.Server;
  /** Bytes each response wrote, in order (by request number). */
  sent: Buffer[][];
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string, write: (chunk: string | Buffer) => boolean) => void | Promise<void>;

export async function startUpstream(handler: UpstreamHandler, path = ''): Promise<Upstream> {
  const sent: Buffer[][] = [];
  const requests: Upstream['requests'] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const mine: Buffer[] = [];
    sent.push(mine);
    const write = (chunk: string | Buffer) => {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      mine.push(b);
      return res.write(b);
    };
    try {
      await handler(req, res, body, write);
    } catch (err) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(err));
    }
  });
  server.keepAliveTimeout = 5000; // Node clients keep a socket for (hint - 1 s): 1 s would mean never
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    server,
    sent,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface InProcessProxy {
  proxy: ProxyHandle;
  records: TraceRecord[];
  log: string[];
  close(): Promise<void>;
}

export async function inProcessProxy(upstreams: Upstreams): Promise<InProcessProxy> {
  const mem = new MemorySink();
  const log = memoryLog();
  const proxy = await startProxy({ sink: new GuardedSink(mem, log), upstreams, log });
  return { proxy, records: mem.records, log: log.lines, close: () => proxy.close('test over') };
}

/** A fetch that also collects the raw bytes of every response body the client reads. */
export function teeFetch(): { fetch: typeof fetch; bodies: Buffer[][] } {
  const bodies: Buffer[][] = [];
  const f: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    const mine: Buffer[] = [];
    bodies.push(mine);
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          mine.push(Buffer.from(value));
          controller.enqueue(value);
        } catch (err) {
          controller.error(err);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { fetch: f, bodies };
}

export function sse(event: string | null, data: unknown): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records of one exchange, by kind. */
export function recordsOf(records: TraceRecord[], id: string) {
  return records.filter((r) => 'id' in r && r.id === id);
}

/** Waits until `check` holds (records are written asynchronously after the relay). */
export async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** The events of an Anthropic streamed message with text and a tool call. */
export function anthropicToolStream(): string[] {
  const ev: string[] = [];
  ev.push(sse('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 42, output_tokens: 1 } } }));
  ev.push(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  for (const t of ['Let me ', 'look at ', 'the file.']) ev.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }));
  ev.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
  ev.push(sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: {} } }));
  for (const p of ['{"pa', 'th": "src/', 'main.ts"}']) ev.push(sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: p } }));
  ev.push(sse('content_block_stop', { type: 'content_block_stop', index: 1 }));
  ev.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 23 } }));
  ev.push(sse('message_stop', { type: 'message_stop' }));
  return ev;
}

/** ws 8 waits for its clients before it calls back: end them first. */
export function closeWss(wss: import('ws').WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  return new Promise<void>((r) => wss.close(() => r()));
}

/** The events of an OpenAI Responses stream with text and a function call (SSE data or WebSocket frames). */
export function responsesEvents(): object[] {
  const resp = { id: 'resp_1', object: 'response', status: 'in_progress', model: 'gpt-test', output: [] };
  const ev: object[] = [{ type: 'response.created', response: resp }];
  ev.push({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } });
  for (const d of ['Hello', ' there']) ev.push({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: d });
  ev.push({ type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '' } });
  for (const d of ['{"cmd":', '"ls"}']) ev.push({ type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 1, delta: d });
  ev.push({ type: 'response.completed', response: { ...resp, status: 'completed', usage: { input_tokens: 9, output_tokens: 7, total_tokens: 16 } } });
  return ev.map((e, i) => ({ ...e, sequence_number: i }));
}

const LAPSE_BIN = join(import.meta.dirname, '..', '..', 'bin/lapse.js');

/**
 * Runs the built `lapse proxy -o TRACE ARGS…` as its own process with only PATH and `env`, hands `fn`
 * the ANTHROPIC_BASE_URL it prints, and stops it with SIGTERM (so the trace is closed) when `fn` ends.
 */
export async function withLapseProxy(trace: string, args: string[], env: NodeJS.ProcessEnv, fn: (base: string) => Promise<void>, stderr: 'pipe' | 'inherit' = 'pipe'): Promise<void> {
  const child = spawn(process.execPath, [LAPSE_BIN, 'proxy', '-o', trace, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', stderr] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error('proxy exited')));
  });
  try {
    await fn(base);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
}
