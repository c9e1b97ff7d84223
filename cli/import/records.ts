// An imported session → the trace records a proxy recording of it would have: per model call an
// http-request (the conversation so far), a streamed response in the protocol's own events placed at
// the estimated times, and its end. The decoders then read them like any recording.
import type { HttpDataRecord, TraceRecord } from '../../format/types.js';
import type { ImportedCall, ImportedSession } from './model.js';
import { estimatedFirstContentMs } from './model.js';

interface Ev {
  tMs: number;
  data: Record<string, unknown>;
}

const ENDPOINT = {
  'anthropic-messages': { url: '/v1/messages', upstream: 'https://api.anthropic.com' },
  'openai-responses': { url: '/v1/responses', upstream: 'https://api.openai.com/v1' },
} as const;

/** Content block k of n is taken to arrive evenly between the first content and the end. */
function blockTimes(first: number, end: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (n <= 1 ? first : first + ((end - first) * k) / (n - 1)));
}

function anthropicEvents(c: ImportedCall, first: number): Ev[] {
  const u = c.usage ?? {};
  const startUsage = { ...u, output_tokens: 0 };
  const evs: Ev[] = [{ tMs: first, data: { type: 'message_start', message: { id: c.responseId, type: 'message', role: 'assistant', model: c.model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage } } }];
  const times = blockTimes(first, c.endMs, c.blocks.length);
  c.blocks.forEach((b, index) => {
    const tMs = times[index];
    if (b.kind === 'tool') {
      evs.push({ tMs, data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } } });
      evs.push({ tMs, data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: b.input } } });
    } else if (b.kind === 'thinking') {
      evs.push({ tMs, data: { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } } });
      evs.push({ tMs, data: { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: b.text } } });
    } else {
      evs.push({ tMs, data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
      evs.push({ tMs, data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } } });
    }
    evs.push({ tMs, data: { type: 'content_block_stop', index } });
  });
  evs.push({ tMs: c.endMs, data: { type: 'message_delta', delta: { stop_reason: c.stopReason, stop_sequence: null }, usage: c.usage ?? {} } });
  evs.push({ tMs: c.endMs, data: { type: 'message_stop' } });
  return evs;
}

function responsesEvents(c: ImportedCall, first: number): Ev[] {
  const response = { id: c.responseId, object: 'response', model: c.model };
  const evs: Ev[] = [{ tMs: first, data: { type: 'response.created', response: { ...response, status: 'in_progress' } } }];
  const times = blockTimes(first, c.endMs, c.blocks.length);
  c.blocks.forEach((b, output_index) => {
    const tMs = times[output_index];
    if (b.kind === 'tool') {
      const item = b.custom ? { type: 'custom_tool_call', call_id: b.id, name: b.name, input: b.input } : { type: 'function_call', call_id: b.id, name: b.name, arguments: b.input };
      const added = b.custom ? { ...item, input: '' } : { ...item, arguments: '' };
      evs.push({ tMs, data: { type: 'response.output_item.added', output_index, item: added } });
      evs.push({ tMs, data: { type: b.custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta', output_index, delta: b.input } });
      evs.push({ tMs, data: { type: 'response.output_item.done', output_index, item } });
    } else {
      const thinking = b.kind === 'thinking';
      evs.push({ tMs, data: { type: 'response.output_item.added', output_index, item: { type: thinking ? 'reasoning' : 'message' } } });
      evs.push({ tMs, data: { type: thinking ? 'response.reasoning_summary_text.delta' : 'response.output_text.delta', output_index, delta: b.text } });
      evs.push({ tMs, data: { type: 'response.output_item.done', output_index, item: { type: thinking ? 'reasoning' : 'message' } } });
    }
  });
  const status = c.stopReason?.startsWith('incomplete') ? 'incomplete' : 'completed';
  evs.push({ tMs: c.endMs, data: { type: `response.${status}`, response: { ...response, status, usage: c.usage } } });
  return evs;
}

/** µs from the session start, as every record's `t`. */
function at(s: ImportedSession, ms: number): number {
  return Math.max(0, Math.round((ms - s.startMs) * 1000));
}

export function sessionRecords(s: ImportedSession): TraceRecord[] {
  const out: TraceRecord[] = [];
  const ep = ENDPOINT[s.protocol];
  s.calls.forEach((c, i) => {
    const id = `r${i + 1}`;
    const first = estimatedFirstContentMs(c);
    out.push({ kind: 'http-request', t: at(s, c.startMs), id, method: 'POST', url: ep.url, upstream: ep.upstream, headers: { 'content-type': 'application/json', ...c.headers }, body: { enc: 'json', value: c.request } });
    out.push({ kind: 'http-response', t: at(s, first), id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream' }, decoded: true });
    const evs = s.protocol === 'anthropic-messages' ? anthropicEvents(c, first) : responsesEvents(c, first);
    for (const e of evs) out.push({ kind: 'http-data', t: at(s, e.tMs), id, sse: { form: 'structured', event: String(e.data.type), data: e.data } } satisfies HttpDataRecord);
    out.push({ kind: 'http-end', t: at(s, c.endMs), id, outcome: 'complete', bytes: 0 });
  });
  for (const m of s.markers) out.push({ kind: 'marker', t: at(s, m.atMs), label: m.label });
  // the session lasts to the transcript's last line (a prompt never answered, Claude Code's turn note)
  const last = out.reduce((n, r) => Math.max(n, r.t), 0);
  if (at(s, s.endMs) > last) out.push({ kind: 'marker', t: at(s, s.endMs), label: 'transcript ends' });
  // one time line: records in time order (stable, so each exchange keeps its own order)
  return out.map((r, i) => [r, i] as const).sort((a, b) => a[0].t - b[0].t || a[1] - b[1]).map(([r]) => r);
}
