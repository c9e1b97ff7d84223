// A realistic synthetic session, written as a real trace file with the real encoder: an Anthropic
// agent loop (text + a Bash tool call, a 529 retry, the answer), a side request (title) overlapping
// the first call, a GET /v1/models, a file change during the tool gap, a user gap, then an OpenAI
// Responses WebSocket with a tool round-trip, and a binary frame. Times are µs from the session start.
import { writeFileSync } from 'node:fs';
import type { SessionRecord, TraceRecord } from '../../format/index.js';
import { encodeTrace } from './encode.js';

const enc = new TextEncoder();
export const STARTED_AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const ms = (x: number): number => Math.round(x * 1000);

export function sessionRecord(): SessionRecord {
  return {
    kind: 'session',
    t: 0,
    formatVersion: { major: 1, minor: 0 },
    lapseVersion: 'test',
    startedAt: STARTED_AT,
    argv: ['claude', '-p', 'fix the failing test'],
    cwd: '/tmp/project',
    harness: 'claude',
    upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' },
    redacted: true,
  };
}

function sse(event: string, data: unknown): { form: 'raw'; text: string } {
  return { form: 'raw', text: `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` };
}

const SYSTEM = 'You are Claude Code, a coding agent. '.repeat(50);
const TOOLS = [{ name: 'Bash', description: 'run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }];

function anthropicRequest(id: string, tMs: number, body: unknown): TraceRecord {
  return {
    kind: 'http-request',
    t: ms(tMs),
    id,
    method: 'POST',
    url: '/v1/messages?beta=true',
    upstream: 'https://api.anthropic.com',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' },
    body: { enc: 'bytes', bytes: enc.encode(JSON.stringify(body)) },
  };
}

function data(id: string, tMs: number, event: string, d: unknown): TraceRecord {
  return { kind: 'http-data', t: ms(tMs), id, sse: sse(event, d) };
}

function sseHead(id: string, tMs: number): TraceRecord {
  return { kind: 'http-response', t: ms(tMs), id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream', 'request-id': `req_${id}` }, decoded: true };
}

function wsFrame(tMs: number, dir: 'up' | 'down', value: unknown): TraceRecord {
  return { kind: 'ws-message', t: ms(tMs), id: 'w1', dir, binary: false, data: { enc: 'bytes', bytes: enc.encode(JSON.stringify(value)) } };
}

export function sessionRecords(): TraceRecord[] {
  const user1 = { role: 'user', content: 'fix the failing test' };
  const body1 = { model: 'claude-sonnet-4-5', max_tokens: 32000, temperature: 1, system: SYSTEM, tools: TOOLS, messages: [user1], stream: true };
  const toolUse = { role: 'assistant', content: [{ type: 'text', text: 'Let me run the tests.' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'npm test' } }] };
  const toolResult = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '1 failing' }] };
  const body3 = { ...body1, messages: [user1, toolUse, toolResult] };
  const title = { model: 'claude-haiku-4-5', max_tokens: 50, system: 'Write a short title.', messages: [{ role: 'user', content: 'fix the failing test' }] };
  const r: TraceRecord[] = [];

  r.push({ kind: 'process-start', t: ms(5), pid: 4242, argv: ['claude', '-p', 'fix the failing test'] });
  // Not a model call: a plain GET the harness makes at start-up.
  r.push({ kind: 'http-request', t: ms(50), id: 'h0', method: 'GET', url: '/v1/models?limit=5', upstream: 'https://api.anthropic.com', headers: { accept: 'application/json' }, body: { enc: 'bytes', bytes: new Uint8Array(0) } });
  r.push({ kind: 'http-response', t: ms(80), id: 'h0', status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, decoded: true });
  r.push({ kind: 'http-data', t: ms(81), id: 'h0', chunk: { enc: 'bytes', bytes: enc.encode('{"data":[{"id":"claude-sonnet-4-5"}]}') } });
  r.push({ kind: 'http-end', t: ms(82), id: 'h0', outcome: 'complete', bytes: 37 });

  // r1: the first turn's call, ending in a tool call. TTFT = 900 - 100 = 800 ms.
  r.push(anthropicRequest('r1', 100, body1));
  // r2: a side request (title) overlapping r1, answered with plain JSON.
  r.push(anthropicRequest('r2', 150, title));
  r.push(sseHead('r1', 400));
  r.push(data('r1', 401, 'message_start', { type: 'message_start', message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 400, cache_read_input_tokens: 800, cache_creation_input_tokens: 0, output_tokens: 1 } } }));
  r.push(data('r1', 402, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  r.push({ kind: 'http-response', t: ms(500), id: 'r2', status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, decoded: true });
  r.push({ kind: 'http-data', t: ms(690), id: 'r2', chunk: { enc: 'bytes', bytes: enc.encode(JSON.stringify({ id: 'msg_t', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'Fix failing test' }], stop_reason: 'end_turn', usage: { input_tokens: 30, output_tokens: 5 } })) } });
  r.push({ kind: 'http-end', t: ms(700), id: 'r2', outcome: 'complete', bytes: 200 });
  r.push(data('r1', 900, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me' } }));
  r.push(data('r1', 950, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' run the tests.' } }));
  r.push(data('r1', 951, 'content_block_stop', { type: 'content_block_stop', index: 0 }));
  r.push(data('r1', 1000, 'content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} } }));
  r.push(data('r1', 1050, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"command":' } }));
  r.push(data('r1', 1100, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "npm test"}' } }));
  r.push(data('r1', 1101, 'content_block_stop', { type: 'content_block_stop', index: 1 }));
  r.push(data('r1', 1200, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 60 } }));
  r.push(data('r1', 1201, 'message_stop', { type: 'message_stop' }));
  r.push({ kind: 'http-end', t: ms(1220), id: 'r1', outcome: 'complete', bytes: 2400 });

  // The tool runs (1220 → 3000 ms) and edits a file.
  r.push({ kind: 'file', t: ms(2500), path: 'src/a.ts', op: 'modify', diff: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-export const a = 1;\n+export const a = 2;\n' });

  // r3a: overloaded, answered at once; r3: the retry that answers toolu_1, ending the turn.
  r.push(anthropicRequest('r3a', 3000, body3));
  r.push({ kind: 'http-response', t: ms(3100), id: 'r3a', status: 529, statusText: 'Overloaded', headers: { 'content-type': 'application/json' }, decoded: true });
  r.push({ kind: 'http-data', t: ms(3101), id: 'r3a', chunk: { enc: 'bytes', bytes: enc.encode('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}') } });
  r.push({ kind: 'http-end', t: ms(3102), id: 'r3a', outcome: 'complete', bytes: 75 });
  r.push(anthropicRequest('r3', 3300, body3));
  r.push(sseHead('r3', 3500));
  r.push(data('r3', 3501, 'message_start', { type: 'message_start', message: { id: 'msg_03', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 50, cache_read_input_tokens: 1300, output_tokens: 1 } } }));
  r.push(data('r3', 3502, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  for (let i = 0; i < 10; i++) r.push(data('r3', 3800 + i * 50, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${i} ` } }));
  r.push(data('r3', 4300, 'content_block_stop', { type: 'content_block_stop', index: 0 }));
  r.push(data('r3', 4400, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30 } }));
  r.push(data('r3', 4401, 'message_stop', { type: 'message_stop' }));
  r.push({ kind: 'http-end', t: ms(4500), id: 'r3', outcome: 'complete', bytes: 3000 });

  // The person reads and types (4500 → 8010 ms), then a Responses WebSocket turn with a tool round-trip.
  r.push({ kind: 'ws-open', t: ms(8000), id: 'w1', url: '/v1/responses', upstream: 'https://api.openai.com/v1', headers: { 'openai-beta': 'responses_websockets=2026-02-06' }, protocol: '', extensions: 'permessage-deflate', status: 101, responseHeaders: { upgrade: 'websocket' } });
  const input1 = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'now list the files' }] }];
  r.push(wsFrame(8010, 'up', { type: 'response.create', model: 'gpt-5-codex', instructions: 'You are Codex.', input: input1, max_output_tokens: 4000 }));
  r.push(wsFrame(8300, 'down', { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', model: 'gpt-5-codex-2026', status: 'in_progress' } }));
  r.push(wsFrame(8600, 'down', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '' } }));
  r.push(wsFrame(8700, 'down', { type: 'response.function_call_arguments.delta', sequence_number: 2, output_index: 0, item_id: 'fc_1', delta: '{"cmd":["ls"]}' }));
  r.push(wsFrame(8800, 'down', { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '{"cmd":["ls"]}' } }));
  r.push(wsFrame(9000, 'down', { type: 'response.completed', sequence_number: 4, response: { id: 'resp_1', model: 'gpt-5-codex-2026', status: 'completed', usage: { input_tokens: 900, output_tokens: 20, input_tokens_details: { cached_tokens: 0 } } } }));
  r.push({ kind: 'ws-message', t: ms(9100), id: 'w1', dir: 'down', binary: true, data: { enc: 'bytes', bytes: new Uint8Array([0, 255, 128, 7]) } });
  r.push(wsFrame(9500, 'up', { type: 'response.create', model: 'gpt-5-codex', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'a.ts\nb.ts' }] }));
  r.push(wsFrame(9700, 'down', { type: 'response.created', sequence_number: 0, response: { id: 'resp_2', model: 'gpt-5-codex-2026', status: 'in_progress' } }));
  for (let i = 0; i < 5; i++) r.push(wsFrame(9900 + i * 100, 'down', { type: 'response.output_text.delta', sequence_number: 1 + i, output_index: 0, item_id: 'msg_1', content_index: 0, delta: `file${i} ` }));
  r.push(wsFrame(10500, 'down', { type: 'response.completed', sequence_number: 9, response: { id: 'resp_2', model: 'gpt-5-codex-2026', status: 'completed', usage: { input_tokens: 950, output_tokens: 25 } } }));
  r.push({ kind: 'ws-close', t: ms(11000), id: 'w1', code: 1000, reason: 'bye', by: 'client' });
  r.push({ kind: 'marker', t: ms(11001), label: 'done' });
  r.push({ kind: 'process-exit', t: ms(11500), pid: 4242, code: 0, signal: null });
  return r;
}

/** The whole trace file, encoded the way the recorder writes it (redaction on, compressed frames). */
export function encodeSession(records: TraceRecord[] = sessionRecords(), session: SessionRecord = sessionRecord()): Uint8Array {
  return encodeTrace(session, records, 4);
}

export function writeSession(path: string, records?: TraceRecord[]): void {
  writeFileSync(path, encodeSession(records), { mode: 0o600 });
}
