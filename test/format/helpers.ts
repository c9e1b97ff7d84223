import { TraceEncoder, type TraceRecord, type SessionRecord } from '../../format/index.js';
import { concatBytes } from '../../format/bytes.js';

/** Small deterministic PRNG so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const enc = new TextEncoder();

export function session(): SessionRecord {
  return {
    kind: 'session',
    t: 0,
    formatVersion: { major: 1, minor: 0 },
    lapseVersion: 'test',
    startedAt: 1_700_000_000_000,
    argv: ['claude', '-p', 'hi'],
    cwd: '/tmp/x',
    harness: 'claude',
    upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' },
    redacted: true,
  };
}

/** Encodes records into a whole trace, framing every `perFrame` records together. */
export function writeTrace(records: TraceRecord[], opts: { redact?: boolean; compress?: boolean; perFrame?: number } = {}): Uint8Array {
  const encoder = new TraceEncoder({ redact: opts.redact ?? true, compress: opts.compress ?? true });
  const parts: Uint8Array[] = [encoder.encodeHeader(session())];
  const per = opts.perFrame ?? 3;
  for (let i = 0; i < records.length; i += per) parts.push(encoder.frame(records.slice(i, i + per).map((r) => encoder.encode(r))));
  return concatBytes(parts);
}

export function sampleRecords(): TraceRecord[] {
  const system = 'You are Claude Code. '.repeat(200);
  const body1 = { model: 'claude-x', system, messages: [{ role: 'user', content: 'fix the test' }], stream: true };
  const body2 = {
    model: 'claude-x',
    system,
    messages: [
      { role: 'user', content: 'fix the test' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.ts' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'export const a = 1;\n' }] },
    ],
    stream: true,
  };
  return [
    { kind: 'process-start', t: 10, pid: 123, argv: ['claude'] },
    { kind: 'http-request', t: 1000, id: 'r1', method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, body: { enc: 'bytes', bytes: enc.encode(JSON.stringify(body1)) } },
    { kind: 'http-response', t: 300_000, id: 'r1', status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: false },
    { kind: 'http-data', t: 300_100, id: 'r1', sse: { form: 'raw', text: 'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":10}}}\n\n' } },
    { kind: 'http-data', t: 310_000, id: 'r1', sse: { form: 'raw', text: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n' } },
    { kind: 'http-data', t: 320_000, id: 'r1', sse: { form: 'raw', text: 'event: ping\ndata: {"type": "ping"}\n\n' } },
    { kind: 'http-data', t: 330_000, id: 'r1', sse: { form: 'raw', text: ': comment\r\ndata: [DONE]\r\n\r\n' } },
    { kind: 'http-end', t: 340_000, id: 'r1', outcome: 'complete', bytes: 400 },
    { kind: 'http-request', t: 2_000_000, id: 'r2', method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { authorization: 'Bearer sk-ant-api03-BBBBBBBBBBBBBBBBBBBBBBBBBBB' }, body: { enc: 'bytes', bytes: enc.encode(JSON.stringify(body2)) } },
    { kind: 'http-response', t: 2_100_000, id: 'r2', status: 500, statusText: 'Internal Server Error', headers: { 'content-type': 'application/json' }, decoded: false },
    { kind: 'http-data', t: 2_100_500, id: 'r2', chunk: { enc: 'bytes', bytes: enc.encode('{"type":"error","error":{"type":"api_error"}}') } },
    { kind: 'http-end', t: 2_101_000, id: 'r2', outcome: 'error', message: 'upstream 500', bytes: 44 },
    { kind: 'ws-open', t: 3_000_000, id: 'w1', url: '/v1/responses', upstream: 'wss://api.openai.com/v1', headers: { 'openai-beta': 'responses_websockets=2026-02-06' }, protocol: '', extensions: 'permessage-deflate', status: 101, responseHeaders: {} },
    { kind: 'ws-message', t: 3_000_100, id: 'w1', dir: 'up', binary: false, data: { enc: 'bytes', bytes: enc.encode('{"type":"response.create","model":"gpt-5","input":[]}') } },
    { kind: 'ws-message', t: 3_100_000, id: 'w1', dir: 'down', binary: true, data: { enc: 'bytes', bytes: new Uint8Array([0, 255, 128, 7]) } },
    { kind: 'ws-message', t: 3_100_001, id: 'w1', dir: 'down', binary: false, data: { enc: 'bytes', bytes: enc.encode('{ "spaced": true }') } },
    { kind: 'ws-close', t: 3_200_000, id: 'w1', code: 1000, reason: 'bye', by: 'client' },
    { kind: 'file', t: 3_300_000, path: 'src/a.ts', op: 'modify', diff: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-a\n+b\n' },
    { kind: 'file', t: 3_300_001, path: 'img.png', op: 'create', hash: 'ab'.repeat(32), size: 2_000_000 },
    { kind: 'file', t: 3_300_002, path: 'b.ts', op: 'rename', from: 'a.ts' },
    { kind: 'marker', t: 3_400_000, label: 'turn 2' },
    { kind: 'drop', t: 3_400_001, records: 2, bytes: 100, reason: 'test' },
    { kind: 'process-exit', t: 4_000_000, pid: 123, code: 0, signal: null },
  ];
}
