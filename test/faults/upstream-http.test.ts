// Upstream faults over HTTP, with the real SDK clients (and raw node:http where bytes matter): each
// case runs the client once straight at the scripted upstream and once through a real recording
// session (the startSession `lapse proxy` uses, writing a real trace file), then checks that the client
// saw the same thing both times and that the trace holds the request, the outcome and every event up
// to the failure.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { bodyBytes, formatSse, sseData } from '../../format/index.js';
import type { LoadedTrace } from '../../cli/trace/load.js';
import { anthropicEvents, chatEvents, deadPort, ofKind, outcome, recording, removeTmpDirs, sleep, sse, startUpstream, type Handler, type Outcome, type Upstream } from './helpers.js';

const ANTHROPIC_KEY = 'sk-ant-api03-faultsfaultsfaultsfaults';
const OPENAI_KEY = 'sk-proj-faultsfaultsfaultsfaults';
const PARAMS = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };
const CHAT = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

type Client = (base: { anthropic: string; openai: string }, events: unknown[]) => Promise<unknown>;

/**
 * The same client call, straight and through lapse. Returns both outcomes and the trace read back
 * from disk after the session finished.
 */
async function both(handler: Handler, client: Client, opts: { upstreamUrl?: string } = {}): Promise<{ direct: Outcome; proxied: Outcome; trace: LoadedTrace; up: Upstream | null }> {
  let up: Upstream | null = null;
  let url = opts.upstreamUrl;
  if (!url) {
    up = await startUpstream(handler);
    cleanup.push(() => up!.close());
    url = up.url;
  }
  const rec = await recording(url);
  cleanup.push(() => rec.finish());
  const direct = await outcome((ev) => client({ anthropic: url!, openai: `${url}/v1` }, ev));
  const proxied = await outcome((ev) => client({ anthropic: rec.anthropic, openai: rec.openai }, ev));
  const trace = await rec.finish();
  return { direct, proxied, trace, up };
}

const anthropic = (baseURL: string, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) => new Anthropic({ baseURL, apiKey: ANTHROPIC_KEY, maxRetries: 0, ...extra });
const openai = (baseURL: string, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) => new OpenAI({ baseURL, apiKey: OPENAI_KEY, maxRetries: 0, ...extra });

/** Streams an Anthropic message, noting each event's type (and text deltas). */
async function anthropicStream(baseURL: string, events: unknown[], extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}, signal?: AbortSignal): Promise<unknown> {
  const s = await anthropic(baseURL, extra).messages.create({ ...PARAMS, stream: true }, { signal });
  let text = '';
  for await (const ev of s) {
    events.push(ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? `delta:${ev.delta.text.length > 64 ? sha(ev.delta.text) : ev.delta.text}` : ev.type);
    if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
  }
  return { text: text.length > 64 ? `sha:${sha(text)}:${text.length}` : text };
}

async function chatStream(baseURL: string, events: unknown[], extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): Promise<unknown> {
  const s = await openai(baseURL, extra).chat.completions.create({ ...CHAT, stream: true, stream_options: { include_usage: true } });
  let text = '';
  for await (const ch of s) {
    const d = ch.choices[0]?.delta?.content ?? '';
    events.push(ch.choices.length ? `delta:${d}` : 'usage');
    text += d;
  }
  return { text };
}

/** Writes the events with a small gap, like a model would. */
async function stream(res: http.ServerResponse, events: Array<string | Buffer>, gapMs = 2): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_faults' });
  res.flushHeaders();
  for (const e of events) {
    if (res.destroyed) return;
    res.write(e);
    if (gapMs) await sleep(gapMs);
  }
}

function endOf(trace: LoadedTrace, n = 0) {
  return ofKind(trace.records, 'http-end')[n];
}

function sseTexts(trace: LoadedTrace, id: string): string[] {
  return ofKind(trace.records, 'http-data')
    .filter((d) => d.id === id && d.sse)
    .map((d) => formatSse(d.sse!));
}

describe('upstream faults, HTTP', () => {
  it('connection refused: the same connection error, with and without retries; every attempt recorded as an error', async () => {
    const port = await deadPort();
    const url = `http://127.0.0.1:${port}`;
    const a = await both(() => undefined, (b, ev) => anthropicStream(b.anthropic, ev), { upstreamUrl: url });
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.error).toMatchObject({ name: 'APIConnectionError', message: 'Connection error.' });
    expect(ofKind(a.trace.records, 'http-request')).toHaveLength(1);
    expect(ofKind(a.trace.records, 'http-response')).toHaveLength(0);
    expect(endOf(a.trace)).toMatchObject({ outcome: 'error', bytes: 0 });
    expect(endOf(a.trace).message).toMatch(/ECONNREFUSED/);

    const o = await both(() => undefined, (b, ev) => chatStream(b.openai, ev, { maxRetries: 1 }), { upstreamUrl: url });
    expect(o.proxied).toEqual(o.direct);
    expect(o.direct.error?.name).toBe('APIConnectionError');
    // the SDK retried once through lapse as it does without it: two requests, two errors
    expect(ofKind(o.trace.records, 'http-end').map((e) => e.outcome)).toEqual(['error', 'error']);
    expect(ofKind(o.trace.records, 'http-request').map((r) => r.url)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });

  it('reset mid-stream: the same events, then the same error; the trace keeps every event before the reset', async () => {
    const events = anthropicEvents(['Hello', ' wor', 'ld'], 3);
    const handler: Handler = async (req, res) => {
      await stream(res, events.slice(0, 4));
      await sleep(200); // the events reach the client before the reset, in both runs
      req.socket.resetAndDestroy();
    };
    const a = await both(handler, (b, ev) => anthropicStream(b.anthropic, ev));
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.error).not.toBeNull();
    expect(a.direct.events).toEqual(['message_start', 'content_block_start', 'delta:Hello', 'delta: wor']);
    expect(sseTexts(a.trace, 'r1')).toEqual(events.slice(0, 4));
    expect(endOf(a.trace)).toMatchObject({ outcome: 'error', bytes: events.slice(0, 4).join('').length });
    expect(endOf(a.trace).message).toMatch(/mid-response/);

    const chat = chatEvents(['a', 'b', 'c']);
    const o = await both(async (req, res) => {
      await stream(res, chat.slice(0, 3));
      await sleep(200); // the events reach the client before the reset, in both runs
      req.socket.resetAndDestroy();
    }, (b, ev) => chatStream(b.openai, ev));
    expect(o.proxied).toEqual(o.direct);
    expect(o.direct.error).not.toBeNull();
    expect(o.direct.events).toEqual(['delta:', 'delta:a', 'delta:b']);
    expect(sseTexts(o.trace, 'r1')).toEqual(chat.slice(0, 3));
    expect(endOf(o.trace).outcome).toBe('error');
  });

  // The SDKs' own `timeout` covers the wait for the response head; mid-stream, harnesses use an idle
  // watchdog (Claude Code does). Both with short limits (1.5 s, not the 30 s of the issue) so the
  // suite stays fast; what matters is that the client's clock, not lapse, ends the request.
  it('stall: the client\'s own timeout fires as without lapse (1.5 s limits); the trace records the request as aborted', async () => {
    const LIMIT = 1500;
    const events = anthropicEvents(['x', 'y'], 2);
    const stallBeforeHead: Handler = (_req, res) => new Promise<void>((r) => res.on('close', () => r()));
    const t0 = performance.now();
    const head = await both(stallBeforeHead, (b, ev) => anthropicStream(b.anthropic, ev, { timeout: LIMIT }));
    expect(head.proxied).toEqual(head.direct);
    expect(head.direct.error).toMatchObject({ name: 'APIConnectionTimeoutError', message: 'Request timed out.' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * LIMIT - 50);
    expect(ofKind(head.trace.records, 'http-request')).toHaveLength(1);
    expect(endOf(head.trace)).toMatchObject({ outcome: 'aborted', bytes: 0 });

    const stallMidStream: Handler = async (_req, res) => {
      await stream(res, events.slice(0, 3));
      await new Promise<void>((r) => res.on('close', () => r()));
    };
    /** An idle watchdog around the SDK stream: LIMIT ms without an event aborts the request. */
    const watched = async (base: string, ev: unknown[]) => {
      const ctl = new AbortController();
      let timer = setTimeout(() => ctl.abort(), LIMIT);
      const s = await anthropic(base).messages.create({ ...PARAMS, stream: true }, { signal: ctl.signal });
      try {
        for await (const e of s) {
          ev.push(e.type);
          clearTimeout(timer);
          timer = setTimeout(() => ctl.abort(), LIMIT);
        }
      } finally {
        clearTimeout(timer);
      }
      return { aborted: ctl.signal.aborted };
    };
    const mid = await both(stallMidStream, (b, ev) => watched(b.anthropic, ev));
    expect(mid.proxied).toEqual(mid.direct);
    expect(mid.direct.events).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(sseTexts(mid.trace, 'r1')).toEqual(events.slice(0, 3));
    // The SDK ends its iteration quietly on an abort; whether its fetch closes the idle socket at once
    // is undici's business (it may wait for the next read): either way the exchange ends as aborted.
    expect(mid.direct.value).toEqual({ aborted: true });
    expect(endOf(mid.trace).outcome).toBe('aborted');

    // A raw client with a socket idle timeout: the same bytes, then the same timeout.
    const raw = await both(stallMidStream, (b) => rawPost(`${b.anthropic}/v1/messages`, JSON.stringify(PARAMS), { idleMs: LIMIT }));
    expect(raw.proxied).toEqual(raw.direct);
    expect(raw.direct.value).toMatchObject({ status: 200, error: 'idle timeout', bytes: events.slice(0, 3).join('') });
    expect(endOf(raw.trace).outcome).toBe('aborted');
  });

  it('429, 500 and 529 with bodies: the same API errors (status, message, body); responses recorded byte for byte', async () => {
    const bodies: Record<number, string> = {
      429: JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } }),
      500: JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }),
      529: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    };
    for (const status of [429, 500, 529]) {
      const handler: Handler = (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${status}`, 'retry-after': '30', 'x-should-retry': 'false' });
        res.end(bodies[status]);
      };
      const a = await both(handler, (b, ev) => anthropicStream(b.anthropic, ev));
      expect({ status, ...a.proxied }).toEqual({ status, ...a.direct });
      expect(a.direct.error).toMatchObject({ status, body: JSON.parse(bodies[status]) });
      expect(ofKind(a.trace.records, 'http-response')[0]).toMatchObject({ status, headers: { 'request-id': `req_${status}`, 'retry-after': '30' } });
      const data = ofKind(a.trace.records, 'http-data');
      expect(Buffer.concat(data.map((d) => bodyBytes(d.chunk!))).toString()).toBe(bodies[status]);
      expect(endOf(a.trace)).toMatchObject({ outcome: 'complete', bytes: bodies[status].length });
    }
    const oaiBody = JSON.stringify({ error: { message: 'Rate limit reached for gpt-test', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const o = await both((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'x-request-id': 'req_oai' });
      res.end(oaiBody);
    }, (b, ev) => chatStream(b.openai, ev));
    expect(o.proxied).toEqual(o.direct);
    expect(o.direct.error).toMatchObject({ name: 'RateLimitError', status: 429 });
  });

  it('529 then success: the SDK\'s retry (retry-after-ms) happens through lapse as without it; both attempts recorded', async () => {
    let n = 0;
    const handler: Handler = async (_req, res) => {
      if (n++ % 2 === 0) {
        res.writeHead(529, { 'content-type': 'application/json', 'retry-after-ms': '20' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        return;
      }
      await stream(res, anthropicEvents(['ok']));
      res.end();
    };
    const a = await both(handler, (b, ev) => anthropicStream(b.anthropic, ev, { maxRetries: 2 }));
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.value).toEqual({ text: 'ok' });
    expect(a.up!.requests).toHaveLength(4);
    expect(ofKind(a.trace.records, 'http-response').map((r) => r.status)).toEqual([529, 200]);
    expect(ofKind(a.trace.records, 'http-end').map((e) => e.outcome)).toEqual(['complete', 'complete']);
  });

  it('a mid-stream error event: the same error from both SDKs; the event is in the trace', async () => {
    const errEvent = sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const events = anthropicEvents(['par', 'tial']);
    const a = await both(async (_req, res) => {
      await stream(res, [...events.slice(0, 3), errEvent]);
      res.end();
    }, (b, ev) => anthropicStream(b.anthropic, ev));
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.error).toMatchObject({ name: 'APIError', body: { type: 'error', error: { type: 'overloaded_error' } } });
    expect(sseTexts(a.trace, 'r1')).toEqual([...events.slice(0, 3), errEvent]);
    // The SDK drops the connection as soon as it has the error event, often before the upstream's end.
    expect(['complete', 'aborted']).toContain(endOf(a.trace).outcome);

    const chatErr = sse(null, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
    const chat = chatEvents(['a']);
    const o = await both(async (_req, res) => {
      await stream(res, [...chat.slice(0, 2), chatErr]);
      res.end();
    }, (b, ev) => chatStream(b.openai, ev));
    expect(o.proxied).toEqual(o.direct);
    expect(o.direct.error?.message).toMatch(/server had an error/);
    expect(sseTexts(o.trace, 'r1')).toEqual([...chat.slice(0, 2), chatErr]);
  });

  it('malformed SSE: the same SDK error and the same raw bytes; the trace rebuilds every byte', async () => {
    const events = anthropicEvents(['fine']);
    const broken = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n';
    const a = await both(async (_req, res) => {
      await stream(res, [...events.slice(0, 2), broken, ...events.slice(2)]);
      res.end();
    }, (b, ev) => anthropicStream(b.anthropic, ev));
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.error).not.toBeNull();
    expect(a.direct.events).toEqual(['message_start', 'content_block_start']);

    // Everything a parser may meet: CR and CRLF line ends, no space after the colon, comments,
    // retry/id lines, a BOM, a 300 KB line, a data line split across writes, NUL, no final blank line.
    const weird = [
      '\uFEFFevent: message_start\r\ndata: {"type":"message_start"}\r\n\r\n',
      ': keep-alive comment\n\n',
      'retry: 1000\nid: 7\ndata:no-space\n\n',
      'data: line one\rdata: line two\r\r',
      `data: ${'x'.repeat(300_000)}\n\n`,
      'event: content_block_delta\ndata: {"a":',
      '1}\n\n',
      'data: nul\u0000inside\n\n',
      'event: \ndata\n\n',
      'data: {"unterminated": true}',
    ];
    const raw = await both(async (_req, res) => {
      await stream(res, weird, 5);
      res.end();
    }, (b) => rawPost(`${b.anthropic}/v1/messages`, JSON.stringify(PARAMS)));
    expect(raw.proxied).toEqual(raw.direct);
    const sent = weird.join('');
    expect((raw.direct.value as { bytes: string }).bytes).toBe(sha(sent));
    expect(sseTexts(raw.trace, 'r1').join('')).toBe(sent);
    expect(endOf(raw.trace)).toMatchObject({ outcome: 'complete', bytes: Buffer.byteLength(sent) });

    // Bytes that are not UTF-8 (and a character split across writes) in an event stream.
    const euro = Buffer.from('data: €uro\n\n');
    const pieces = [Buffer.from('data: ok\n\n'), euro.subarray(0, 7), euro.subarray(7), Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x0a, 0x0a])];
    const bin = await both(async (_req, res) => {
      await stream(res, pieces, 5);
      res.end();
    }, (b) => rawPost(`${b.anthropic}/v1/messages`, JSON.stringify(PARAMS)));
    expect(bin.proxied).toEqual(bin.direct);
    const binSent = Buffer.concat(pieces);
    const rebuilt = Buffer.concat(ofKind(bin.trace.records, 'http-data').map((d) => (d.sse ? Buffer.from(formatSse(d.sse)) : Buffer.from(bodyBytes(d.chunk!)))));
    expect(rebuilt.toString('hex')).toBe(binSent.toString('hex'));
  });

  it('a 50 MB request body: the upstream gets the same bytes; the trace holds them', async () => {
    // Incompressible-ish text (a hex stream), so neither the relay nor the trace gets an easy ride.
    const chunk = createHash('sha512');
    let big = '';
    for (let i = 0; big.length < 50 * 1024 * 1024; i++) big += chunk.update(String(i)).copy().digest('hex').repeat(64);
    big = big.slice(0, 50 * 1024 * 1024);
    const handler: Handler = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'msg_big', type: 'message', role: 'assistant', model: 'claude-test', content: [{ type: 'text', text: `${body.length}:${sha(body)}` }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } }));
    };
    const a = await both(handler, async (b) => {
      const msg = await anthropic(b.anthropic, { timeout: 60_000 }).messages.create({ ...PARAMS, messages: [{ role: 'user', content: big }] });
      return (msg.content[0] as { text: string }).text;
    });
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.error).toBeNull();
    const [first, second] = a.up!.requests;
    expect(second.body.equals(first.body)).toBe(true);
    expect(first.body.length).toBeGreaterThan(50 * 1024 * 1024);
    const req = ofKind(a.trace.records, 'http-request')[0];
    const stored = bodyBytes(req.body);
    expect(stored.length).toBe(first.body.length);
    expect(sha(stored)).toBe(sha(first.body));
    expect(endOf(a.trace).outcome).toBe('complete');
  }, 120_000);

  it('a 10 MB single event: the same message through lapse; the trace holds the event whole', async () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(400_000).slice(0, 10 * 1024 * 1024);
    const events = anthropicEvents([text], 2_000_000);
    const took: number[] = [];
    const a = await both(async (_req, res) => {
      await stream(res, events, 0);
      res.end();
    }, async (b, ev) => {
      const t0 = performance.now();
      const v = await anthropicStream(b.anthropic, ev);
      took.push(performance.now() - t0);
      return v;
    });
    expect(a.proxied).toEqual(a.direct);
    expect(a.direct.value).toEqual({ text: `sha:${sha(text)}:${text.length}` });
    // A tolerance, not a speed limit: the recording beside the relay must not hold the stream up for
    // seconds (it once rescanned the growing event on every chunk: ~7 s here).
    expect(took[1]).toBeLessThan(took[0] * 5 + 3000);
    const data = ofKind(a.trace.records, 'http-data');
    const big = data.find((d) => JSON.stringify(sseData(d.sse!) ?? '').length > 10_000_000);
    expect(big).toBeDefined();
    expect(sseTexts(a.trace, 'r1')).toEqual(events);
    expect(endOf(a.trace).outcome).toBe('complete');
  }, 60_000);
});

/**
 * A raw HTTP client (node:http): what it saw is the status, the exact bytes (a hash when long) and how
 * the body ended. With `idleMs`, the socket's idle timeout ends the request (as curl's --speed-time would).
 */
function rawPost(url: string, body: string, opts: { idleMs?: number } = {}): Promise<{ status: number; bytes: string; error: string | null }> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let settled = false;
    const settle = (status: number, chunks: Buffer[], error: string | null) => {
      if (settled) return;
      settled = true;
      const all = Buffer.concat(chunks);
      resolve({ status, bytes: all.length > 4096 ? sha(all) : all.toString(), error: timedOut ? 'idle timeout' : error });
    };
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => settle(res.statusCode ?? 0, chunks, null));
      res.on('error', (e: NodeJS.ErrnoException) => settle(res.statusCode ?? 0, chunks, e.code ?? e.message));
      res.on('close', () => settle(res.statusCode ?? 0, chunks, res.complete ? null : 'cut'));
    });
    if (opts.idleMs) {
      req.setTimeout(opts.idleMs, () => {
        timedOut = true;
        req.destroy();
      });
    }
    req.on('error', (e) => (timedOut ? settle(0, [], null) : reject(e)));
    req.end(body);
  });
}
