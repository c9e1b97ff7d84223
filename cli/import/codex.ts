// Codex rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, one `{timestamp, type,
// payload}` per line: `session_meta` (id, cwd, instructions), `turn_context` (the model),
// `response_item` (the conversation in Responses API items: messages, reasoning, function calls and
// their outputs), `event_msg` (`token_count` after each model response, with that response's usage in
// `last_token_usage`; cached input is counted inside `input_tokens` there, as on the API).
//
// A model call opens with the first output item after some input and closes with its token_count (or
// the next input); it starts when its last input item was written.
import type { ImportedBlock, ImportedCall, ImportedSession } from './model.js';
import { jsonLines, timeOf } from './model.js';

import { num, obj, str } from '../../analysis/events.js';

type Json = Record<string, unknown>;

const OUTPUT_ITEMS = new Set(['reasoning', 'function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call', 'mcp_call']);
/** Codex's own bookkeeping inside items: not what went over the wire. */
const LOCAL_KEYS = new Set(['metadata', 'internal_chat_message_metadata_passthrough']);

function wireItem(p: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(p)) if (!LOCAL_KEYS.has(k)) out[k] = v;
  return out;
}

function partsText(list: unknown): string {
  if (!Array.isArray(list)) return '';
  return list.map((x) => str(obj(x)?.text) ?? '').filter(Boolean).join('\n');
}

function blockOf(p: Json): ImportedBlock | null {
  switch (p.type) {
    case 'message': {
      const t = partsText(p.content);
      return t ? { kind: 'text', text: t } : null;
    }
    case 'reasoning': {
      const t = partsText(p.summary) || partsText(p.content);
      return t ? { kind: 'thinking', text: t } : null;
    }
    case 'function_call':
      return { kind: 'tool', id: str(p.call_id) ?? str(p.id) ?? '', name: str(p.name) ?? 'function', input: str(p.arguments) ?? '', custom: false };
    case 'custom_tool_call':
      return { kind: 'tool', id: str(p.call_id) ?? str(p.id) ?? '', name: str(p.name) ?? 'custom', input: str(p.input) ?? '', custom: true };
    case 'local_shell_call':
      return { kind: 'tool', id: str(p.call_id) ?? str(p.id) ?? '', name: 'local_shell', input: JSON.stringify(p.action ?? {}), custom: false };
    default:
      return null;
  }
}

/** Codex's token_count usage → the Responses API usage object (what the protocol's stream reports). */
function responsesUsage(u: Json): Json {
  return {
    input_tokens: num(u.input_tokens) ?? 0,
    input_tokens_details: { cached_tokens: num(u.cached_input_tokens) ?? 0 },
    output_tokens: num(u.output_tokens) ?? 0,
    output_tokens_details: { reasoning_tokens: num(u.reasoning_output_tokens) ?? 0 },
    total_tokens: num(u.total_tokens) ?? (num(u.input_tokens) ?? 0) + (num(u.output_tokens) ?? 0),
  };
}

export function importCodex(path: string, text: string): ImportedSession | null {
  const lines = jsonLines(text);
  let sessionId: string | null = null;
  let cwd = '';
  let version: string | null = null;
  let instructions: string | null = null;
  let model: string | null = null;
  let startMs = Infinity;
  let endMs = -Infinity;
  const calls: ImportedCall[] = [];
  const markers: ImportedSession['markers'] = [];
  const history: Json[] = [];
  let open: ImportedCall | null = null;
  let inputMs: number | null = null;
  let lastEnd: number | null = null;
  let lastTotals = '';

  const close = (): void => {
    if (!open) return;
    lastEnd = open.endMs;
    open = null;
  };

  for (const line of lines) {
    const t = timeOf(line.timestamp);
    if (t !== null) {
      startMs = Math.min(startMs, t);
      endMs = Math.max(endMs, t);
    }
    const p = obj(line.payload);
    if (!p) continue;
    switch (line.type) {
      case 'session_meta':
        sessionId ??= str(p.id) ?? str(p.session_id);
        cwd ||= str(p.cwd) ?? '';
        version ??= str(p.cli_version);
        instructions ??= str(obj(p.base_instructions)?.text) ?? str(p.instructions);
        continue;
      case 'turn_context':
        model = str(p.model) ?? model;
        continue;
      case 'compacted': {
        close();
        history.length = 0;
        if (Array.isArray(p.replacement_history)) for (const it of p.replacement_history) if (obj(it)) history.push(wireItem(obj(it)!));
        if (t !== null) markers.push({ atMs: t, label: 'compacted' });
        continue;
      }
      case 'response_item': {
        if (t === null) continue;
        const type = str(p.type) ?? '';
        const output = OUTPUT_ITEMS.has(type) || (type === 'message' && p.role === 'assistant');
        if (!output) {
          if (type === 'additional_tools') continue; // the tool list, sent beside the input
          close();
          history.push(wireItem(p));
          inputMs = Math.max(inputMs ?? t, t);
          continue;
        }
        if (!open) {
          const request: Json = { model, stream: true, input: history.slice() };
          if (instructions !== null) request.instructions = instructions;
          open = { startMs: inputMs ?? lastEnd ?? t, firstBlockMs: t, endMs: t, model, request, headers: {}, blocks: [], usage: null, outputTokens: null, stopReason: 'completed', responseId: null };
          calls.push(open);
          inputMs = null;
        }
        open.endMs = Math.max(open.endMs, t);
        const block = blockOf(p);
        if (block) open.blocks.push(block);
        history.push(wireItem(p));
        continue;
      }
      case 'token_usage_record':
        if (open && str(p.response_id)) open.responseId = String(p.response_id);
        continue;
      case 'event_msg': {
        if (p.type === 'token_count') {
          const info = obj(p.info);
          const last = info && obj(info.last_token_usage);
          if (!last) continue;
          // Codex repeats a token_count when only the rate limits changed: same totals, no new response
          const totals = JSON.stringify(info.total_token_usage ?? null);
          if (totals === lastTotals) continue;
          lastTotals = totals;
          const target: ImportedCall | null = open ?? (calls.length && calls[calls.length - 1].usage === null ? calls[calls.length - 1] : null);
          if (!target) continue;
          target.usage = responsesUsage(last);
          target.outputTokens = num(last.output_tokens);
          if (t !== null && target === open) target.endMs = Math.max(target.endMs, t);
          close();
        } else if (p.type === 'task_complete' || p.type === 'turn_aborted') {
          if (p.type === 'turn_aborted' && open) open.stopReason = 'incomplete:aborted';
          close();
        }
        continue;
      }
      default:
        continue;
    }
  }
  close();
  if (!Number.isFinite(startMs) || calls.length === 0) return null;
  return {
    source: 'codex-rollout',
    protocol: 'openai-responses',
    sessionId: sessionId ?? path.replace(/^.*\//, '').replace(/\.jsonl$/, ''),
    harness: 'codex',
    cwd,
    version,
    startMs,
    endMs,
    calls,
    markers,
  };
}
