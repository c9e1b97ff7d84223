// Recordings a live endpoint rarely gives on demand, written with TraceWriter: a compressed response the
// trace holds decoded, a stream the upstream cut, an upstream that never answered, a refused upgrade.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TraceWriter } from '../../cli/trace/writer.js';
import type { TraceRecord } from '../../format/types.js';
import { dir, replay } from './helpers.js';

const enc = (s: string) => ({ enc: 'bytes' as const, bytes: new TextEncoder().encode(s) });
const req = (content: string) => JSON.stringify({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content }] });
const JSON_ANSWER = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'compressed hello' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 2 } });

let path: string;

beforeAll(async () => {
  path = join(dir, 'edges.lapse');
  const w = TraceWriter.create(path, { argv: ['edges'], cwd: '/', harness: 'edges', upstreams: { anthropic: 'http://up', openai: 'http://up/v1' }, redact: true });
  const recs: TraceRecord[] = [
    // r1: gzip on the wire, decoded in the trace, with a Set-Cookie that was redacted.
    { kind: 'http-request', t: 1000, id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'http://up', headers: {}, body: enc(req('gzip please')) },
    { kind: 'http-response', t: 5000, id: 'r1', status: 200, statusText: 'OK', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '99', 'set-cookie': 'session=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789', connection: 'keep-alive', 'x-request-id': 'req_1' }, decoded: true },
    { kind: 'http-data', t: 6000, id: 'r1', chunk: enc(JSON_ANSWER) },
    { kind: 'http-end', t: 6000, id: 'r1', outcome: 'complete', bytes: 99 },
    // r2: an SSE stream the upstream cut after two events.
    { kind: 'http-request', t: 10000, id: 'r2', method: 'POST', url: '/v1/messages', upstream: 'http://up', headers: {}, body: enc(req('stream and break')) },
    { kind: 'http-response', t: 12000, id: 'r2', status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: false },
    { kind: 'http-data', t: 13000, id: 'r2', sse: { form: 'raw', text: 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":3,"output_tokens":1}}}\n\n' } },
    { kind: 'http-data', t: 14000, id: 'r2', sse: { form: 'raw', text: 'event: ping\ndata: {"type": "ping"}\n\n' } },
    { kind: 'http-end', t: 20000, id: 'r2', outcome: 'error', message: 'upstream connection lost mid-response', bytes: 150 },
    // r3: the upstream never answered.
    { kind: 'http-request', t: 30000, id: 'r3', method: 'POST', url: '/v1/messages', upstream: 'http://up', headers: {}, body: enc(req('nobody home')) },
    { kind: 'http-end', t: 31000, id: 'r3', outcome: 'error', message: 'upstream http://up: ECONNREFUSED', bytes: 0 },
    // r4: a status Node refuses to send (a damaged or hand-made trace).
    { kind: 'http-request', t: 35000, id: 'r4', method: 'POST', url: '/v1/messages', upstream: 'http://up', headers: {}, body: enc(req('odd status')) },
    { kind: 'http-response', t: 36000, id: 'r4', status: 1234, statusText: 'Odd', headers: {}, decoded: false },
    { kind: 'http-end', t: 36000, id: 'r4', outcome: 'complete', bytes: 0 },
    // A refused WebSocket upgrade on /v1/responses (the harness then fell back to HTTP).
    { kind: 'ws-open', t: 40000, id: 'w1', url: '/v1/responses', upstream: 'http://up/v1', headers: {}, protocol: '', extensions: '', status: 426, responseHeaders: {} },
    { kind: 'ws-close', t: 40000, id: 'w1', code: 1006, reason: 'upgrade refused: 426', by: 'upstream' },
  ];
  for (const r of recs) w.write(r);
  await w.close();
});

const post = (url: string, content: string) => fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: req(content) });

describe('replaying unusual recordings', () => {
  it('serves a body recorded decoded without its content-encoding, framed afresh, redacted values kept', async () => {
    const r = await replay(path, { kind: 'instant' });
    try {
      const res = await post(r.server.url, 'gzip please');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBeNull();
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(JSON_ANSWER)));
      expect(res.headers.get('x-request-id')).toBe('req_1');
      expect(res.headers.get('set-cookie')).not.toContain('abcdefghijklmnop'); // the trace holds a fingerprint
      expect(await res.text()).toBe(JSON_ANSWER);
    } finally {
      await r.server.close();
    }
  });

  it('cuts a stream where the recording was cut, after the recorded events', async () => {
    const r = await replay(path, { kind: 'instant' });
    try {
      const res = await post(r.server.url, 'stream and break');
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      const err = await (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return null;
            text += new TextDecoder().decode(value);
          }
        } catch (e) {
          return e;
        }
      })();
      expect(err).not.toBeNull();
      expect(text).toContain('"message_start"');
      expect(text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    } finally {
      await r.server.close();
    }
    expect(r.lines.some((l) => l.includes('cut as recorded'))).toBe(true);
  });

  it('fails the connection when the recorded upstream never answered', async () => {
    const r = await replay(path, { kind: 'instant' });
    try {
      await expect(post(r.server.url, 'nobody home')).rejects.toThrow();
    } finally {
      await r.server.close();
    }
  });

  it('survives a recording it cannot send: that request fails, the server goes on', async () => {
    const r = await replay(path, { kind: 'instant' });
    try {
      await expect(post(r.server.url, 'odd status')).rejects.toThrow();
      expect(r.lines.some((l) => l.includes('cannot replay r4'))).toBe(true);
      expect((await post(r.server.url, 'gzip please')).status).toBe(200);
    } finally {
      await r.server.close();
    }
  });

  it('refuses a WebSocket upgrade the recording saw refused', async () => {
    const r = await replay(path, { kind: 'instant' });
    try {
      const ws = new WebSocket(`${r.server.url.replace('http', 'ws')}/v1/responses`);
      const status = await new Promise<number>((res) => {
        ws.on('unexpected-response', (_q, resp) => res(resp.statusCode ?? 0));
        ws.on('error', () => res(-1));
      });
      expect(status).toBe(426);
    } finally {
      await r.server.close();
    }
  });
});
