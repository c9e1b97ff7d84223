// A small, realistic Anthropic session with known times, for the viewer's tests: thinking, text and
// tool calls streamed token by token; tool gaps with a file edit; a side (title) request overlapping
// the first one; a user gap; a second turn. Times below are in seconds from the session start.
import { writeFileSync } from 'node:fs';
import { encodeTrace } from './encode.js';
import type { SessionRecord, SseEvent, TraceRecord } from '../../format/types.js';

const us = (s: number): number => Math.round(s * 1_000_000);
const SYSTEM = 'You are a coding agent. '.repeat(40);

export const SESSION: SessionRecord = {
  kind: 'session',
  t: 0,
  formatVersion: { major: 1, minor: 0 },
  lapseVersion: 'test',
  startedAt: 1_700_000_000_000,
  argv: ['claude'],
  cwd: '/tmp/project',
  harness: 'claude',
  upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' },
  redacted: true,
};

interface Block {
  kind: 'thinking' | 'text' | 'tool';
  /** Text, thinking, or the tool's JSON arguments. */
  text: string;
  name?: string;
  id?: string;
}

interface Exchange {
  id: string;
  start: number;
  head: number;
  first: number;
  end: number;
  blocks: Block[];
  outputTokens: number;
  messages: unknown[];
  system?: string;
}

const ev = (data: Record<string, unknown>): SseEvent => ({ form: 'structured', event: String(data.type), data });

/** Splits text into word-sized deltas (keeping the spaces), like a real token stream. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function exchange(x: Exchange): TraceRecord[] {
  const recs: TraceRecord[] = [];
  recs.push({ kind: 'http-request', t: us(x.start), id: x.id, method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-' + 'A'.repeat(40) }, body: { enc: 'json', value: { model: 'claude-test', system: x.system ?? SYSTEM, messages: x.messages, stream: true, max_tokens: 4096 } } });
  recs.push({ kind: 'http-response', t: us(x.head), id: x.id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: true });
  const events: Array<[number, SseEvent]> = [];
  events.push([x.head, ev({ type: 'message_start', message: { id: `msg_${x.id}`, model: 'claude-test', usage: { input_tokens: 1200, output_tokens: 1 } } })]);
  const deltas: Array<{ block: number; ev: SseEvent }> = [];
  x.blocks.forEach((b, i) => {
    if (b.kind === 'tool') {
      deltas.push({ block: i, ev: ev({ type: 'content_block_start', index: i, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }) });
      for (const p of pieces(b.text)) deltas.push({ block: i, ev: ev({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: p } }) });
    } else {
      deltas.push({ block: i, ev: ev({ type: 'content_block_start', index: i, content_block: b.kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' } }) });
      for (const p of pieces(b.text)) deltas.push({ block: i, ev: ev({ type: 'content_block_delta', index: i, delta: b.kind === 'text' ? { type: 'text_delta', text: p } : { type: 'thinking_delta', thinking: p } }) });
    }
    deltas.push({ block: i, ev: ev({ type: 'content_block_stop', index: i }) });
  });
  // Deltas evenly from `first` to just before `end`.
  const span = x.end - 0.05 - x.first;
  deltas.forEach((d, i) => events.push([x.first + (deltas.length > 1 ? (span * i) / (deltas.length - 1) : 0), d.ev]));
  const hasTool = x.blocks.some((b) => b.kind === 'tool');
  events.push([x.end - 0.01, ev({ type: 'message_delta', delta: { stop_reason: hasTool ? 'tool_use' : 'end_turn' }, usage: { output_tokens: x.outputTokens } })]);
  events.push([x.end - 0.005, ev({ type: 'message_stop' })]);
  for (const [t, e] of events) recs.push({ kind: 'http-data', t: us(t), id: x.id, sse: e });
  recs.push({ kind: 'http-end', t: us(x.end), id: x.id, outcome: 'complete', bytes: 1000 });
  return recs;
}

export const PROMPT_1 = 'fix the failing test in src/a.test.ts';
export const PROMPT_2 = 'now run the whole test suite';
export const R0_THINKING = 'The user wants the failing test fixed. I should read the test first.';
export const R0_TEXT = 'I will read the failing test to see what it expects.';
export const R1_TEXT = 'The test expects a to equal 2 but the module exports 1. Fixing the constant.';
export const R2_TEXT = 'Done: src/a.ts now exports 2 and the test passes.';
export const R3_TEXT = 'Running the whole suite now; everything is green.';
export const READ_RESULT = 'import { a } from "./a";\nexpect(a).toBe(2);\n';
export const DIFF = '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-export const a = 1;\n+export const a = 2;\n';

/** Records of the whole session, in time order. Duration 22 s. */
export function syntheticRecords(): TraceRecord[] {
  const u1 = { role: 'user', content: PROMPT_1 };
  const a0 = { role: 'assistant', content: [{ type: 'text', text: R0_TEXT }, { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'src/a.test.ts' } }] };
  const t0 = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: READ_RESULT }] };
  const a1 = { role: 'assistant', content: [{ type: 'text', text: R1_TEXT }, { type: 'tool_use', id: 'toolu_2', name: 'Edit', input: { path: 'src/a.ts' } }] };
  const t1 = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'The file src/a.ts has been updated.' }] };
  const a2 = { role: 'assistant', content: [{ type: 'text', text: R2_TEXT }] };
  const u2 = { role: 'user', content: PROMPT_2 };
  const recs: TraceRecord[] = [
    { kind: 'process-start', t: us(0.05), pid: 4242, argv: ['claude'] },
    ...exchange({ id: 'r0', start: 1.0, head: 1.3, first: 1.8, end: 3.0, outputTokens: 60, messages: [u1], blocks: [{ kind: 'thinking', text: R0_THINKING }, { kind: 'text', text: R0_TEXT }, { kind: 'tool', name: 'Read', id: 'toolu_1', text: '{"path": "src/a.test.ts"}' }] }),
    ...exchange({ id: 'side', start: 1.1, head: 1.2, first: 1.3, end: 1.6, outputTokens: 5, system: 'Summarize the conversation as a title.', messages: [{ role: 'user', content: 'Title for: ' + PROMPT_1 }], blocks: [{ kind: 'text', text: 'Fix failing test' }] }),
    ...exchange({ id: 'r1', start: 5.0, head: 5.2, first: 5.6, end: 7.0, outputTokens: 50, messages: [u1, a0, t0], blocks: [{ kind: 'text', text: R1_TEXT }, { kind: 'tool', name: 'Edit', id: 'toolu_2', text: '{"path": "src/a.ts", "old": "a = 1", "new": "a = 2"}' }] }),
    { kind: 'file', t: us(7.8), path: 'src/a.ts', op: 'modify', diff: DIFF },
    ...exchange({ id: 'r2', start: 9.0, head: 9.1, first: 9.4, end: 10.0, outputTokens: 20, messages: [u1, a0, t0, a1, t1], blocks: [{ kind: 'text', text: R2_TEXT }] }),
    ...exchange({ id: 'r3', start: 20.0, head: 20.2, first: 20.5, end: 21.5, outputTokens: 25, messages: [u1, a0, t0, a1, t1, a2, u2], blocks: [{ kind: 'text', text: R3_TEXT }] }),
    { kind: 'process-exit', t: us(22.0), pid: 4242, code: 0, signal: null },
  ];
  return recs.sort((a, b) => a.t - b.t);
}

/** The session encoded as a trace file (header frame, then records a few per frame). */
export function syntheticTraceBytes(records: TraceRecord[] = syntheticRecords()): Uint8Array {
  return encodeTrace(SESSION, records, 8);
}

export function writeSyntheticTrace(path: string): void {
  writeFileSync(path, syntheticTraceBytes(), { mode: 0o600 });
}
