// Claude Code transcripts: `~/.claude/projects/<project>/<session>.jsonl`, one JSON object per line
// (`user`, `assistant`, `system`, `attachment`, …, each with a millisecond `timestamp`), and the
// session's subagents in `<session>/subagents/agent-<id>.jsonl` with `agent-<id>.meta.json`.
//
// An assistant message arrives as one line per content block, all sharing `message.id` and each
// repeating the usage: one message is one model call, its usage counted once. A call starts when the
// input it answers was written (the prompt, the last tool result of the step) and ends with its last
// block; the gap from a tool_use to the next call is the tool's run.
import type { ImportedBlock, ImportedCall, ImportedSession } from './model.js';
import { jsonLines, timeOf } from './model.js';

import { num, obj, str } from '../../analysis/events.js';

type Json = Record<string, unknown>;

export interface ClaudeFiles {
  /** The session's main transcript. */
  main: { path: string; text: string };
  /** Its subagents' transcripts with their `.meta.json` (null when absent or unreadable). */
  subagents: Array<{ agentId: string; text: string; meta: Json | null }>;
}

/** Claude Code marks a subagent's requests with this header and flag (its first system block). */
const SUBAGENT_HEADER = 'x-claude-code-agent-id';
const SUBAGENT_SYSTEM = [{ type: 'text', text: 'x-anthropic-billing-header: cc_is_subagent=true;' }];

interface Conversation {
  calls: ImportedCall[];
  markers: Array<{ atMs: number; label: string }>;
}

function blockOf(b: Json): ImportedBlock | null {
  switch (b.type) {
    case 'text':
      return str(b.text) ? { kind: 'text', text: String(b.text) } : null;
    case 'thinking':
      return str(b.thinking) ? { kind: 'thinking', text: String(b.thinking) } : null;
    case 'tool_use':
    case 'server_tool_use':
    case 'mcp_tool_use':
      return { kind: 'tool', id: str(b.id) ?? '', name: str(b.name) ?? '', input: JSON.stringify(b.input ?? {}), custom: false };
    default:
      return null;
  }
}

function asParts(content: unknown): unknown[] {
  return Array.isArray(content) ? content : [{ type: 'text', text: typeof content === 'string' ? content : JSON.stringify(content ?? '') }];
}

/** One agent's lines (the main conversation, a subagent, a sidechain) → its model calls. */
function conversation(lines: Json[], headers: Record<string, string>, system: unknown): Conversation {
  const calls: ImportedCall[] = [];
  const markers: Conversation['markers'] = [];
  const messages: Json[] = [];
  const seen = new Set<string>();
  let open: { call: ImportedCall; id: string; content: unknown[] } | null = null;
  let inputMs: number | null = null; // latest input written since the last call opened
  let lastEnd: number | null = null;

  const close = (): void => {
    if (!open) return;
    lastEnd = open.call.endMs;
    open = null;
  };

  for (const line of lines) {
    const t = timeOf(line.timestamp);
    const type = line.type;
    if (type === 'assistant') {
      const m = obj(line.message);
      const id = m && str(m.id);
      if (!m || !id || t === null || m.model === '<synthetic>') continue; // harness-made error notes, not model calls
      if (!open || open.id !== id) {
        if (seen.has(id)) continue; // copied history (a resumed session repeats earlier messages)
        close();
        seen.add(id);
        const content: unknown[] = [];
        const body: Json = { model: str(m.model), max_tokens: 32000, stream: true, messages: messages.slice() };
        if (system !== undefined) body.system = system;
        const call: ImportedCall = {
          startMs: inputMs ?? lastEnd ?? t,
          firstBlockMs: t,
          endMs: t,
          model: str(m.model),
          request: body,
          headers,
          blocks: [],
          usage: null,
          outputTokens: null,
          stopReason: null,
          responseId: id,
        };
        calls.push(call);
        messages.push({ role: 'assistant', content });
        open = { call, id, content };
        inputMs = null;
      }
      const call = open.call;
      call.endMs = Math.max(call.endMs, t);
      for (const part of Array.isArray(m.content) ? m.content : []) {
        const b = obj(part);
        if (!b) continue;
        open.content.push(b);
        const block = blockOf(b);
        if (block) call.blocks.push(block);
      }
      const u = obj(m.usage);
      if (u) {
        // every line repeats the message's usage; the last one is final (output only ever grows)
        const out = Math.max(num(u.output_tokens) ?? 0, call.outputTokens ?? 0);
        call.usage = { ...u, output_tokens: out };
        call.outputTokens = out;
      }
      if (str(m.stop_reason)) call.stopReason = String(m.stop_reason);
      continue;
    }
    if (type === 'user') {
      close();
      const m = obj(line.message);
      if (m) {
        const last = messages[messages.length - 1];
        // consecutive user lines (the results of parallel tool calls) form one API message
        if (last && last.role === 'user') last.content = [...asParts(last.content), ...asParts(m.content)];
        else messages.push({ role: 'user', content: m.content ?? '' });
      }
      if (t !== null) inputMs = Math.max(inputMs ?? t, t);
      continue;
    }
    if (type === 'attachment') {
      if (t !== null && !open) inputMs = Math.max(inputMs ?? t, t);
      continue;
    }
    if (type === 'system' && t !== null) {
      if (line.subtype === 'turn_duration') {
        const d = num(line.durationMs);
        markers.push({ atMs: t, label: d === null ? 'turn ended' : `turn ended (${(d / 1000).toFixed(1)} s by Claude Code's count)` });
      } else if (line.subtype === 'compact_boundary') {
        close();
        // the summarising call Claude Code made: from the last activity to the boundary (no usage logged)
        const from = inputMs ?? lastEnd;
        if (from !== null && from < t) {
          const body: Json = { model: calls[calls.length - 1]?.model ?? null, max_tokens: 32000, stream: true, messages: messages.slice() };
          calls.push({ startMs: from, firstBlockMs: t, endMs: t, model: calls[calls.length - 1]?.model ?? null, request: body, headers, blocks: [], usage: null, outputTokens: null, stopReason: 'end_turn', responseId: null });
        }
        const meta = obj(line.compactMetadata);
        markers.push({ atMs: t, label: `compacted${meta && str(meta.trigger) ? ` (${meta.trigger})` : ''}` });
        messages.length = 0; // the conversation goes on from the summary
        lastEnd = t;
        inputMs = null;
      }
    }
  }
  close();
  return { calls, markers };
}

/** Lines in the main file that belong to an inline sidechain (older Claude Code) → one list per chain. */
function splitSidechains(lines: Json[]): { main: Json[]; chains: Json[][] } {
  const main: Json[] = [];
  const chains: Json[][] = [];
  const chainOf = new Map<string, Json[]>();
  for (const l of lines) {
    if (l.isSidechain !== true) {
      main.push(l);
      continue;
    }
    const parent = str(l.parentUuid);
    let chain = parent ? chainOf.get(parent) : undefined;
    if (!chain) {
      chain = [];
      chains.push(chain);
    }
    const uuid = str(l.uuid);
    if (uuid) chainOf.set(uuid, chain);
    chain.push(l);
  }
  return { main, chains };
}

export function importClaudeCode(files: ClaudeFiles): ImportedSession | null {
  const lines = jsonLines(files.main.text);
  const { main, chains } = splitSidechains(lines);
  let sessionId: string | null = null;
  let cwd = '';
  let version: string | null = null;
  let startMs = Infinity;
  let endMs = -Infinity;
  const scan = (ls: Json[]): void => {
    for (const l of ls) {
      sessionId ??= str(l.sessionId);
      if (!cwd && str(l.cwd)) cwd = String(l.cwd);
      version ??= str(l.version);
      const t = timeOf(l.timestamp);
      // queue operations are written before the prompt is taken up; the session starts with the prompt
      if (t === null || l.type === 'queue-operation') continue;
      if (t < startMs) startMs = t;
      if (t > endMs) endMs = t;
    }
  };
  scan(lines);
  const parts: Conversation[] = [conversation(main, {}, undefined)];
  chains.forEach((c, i) => parts.push(conversation(c, { [SUBAGENT_HEADER]: `sidechain-${i + 1}` }, SUBAGENT_SYSTEM)));
  for (const s of files.subagents) {
    const ls = jsonLines(s.text);
    scan(ls);
    const part = conversation(ls, { [SUBAGENT_HEADER]: s.agentId }, SUBAGENT_SYSTEM);
    // the meta file names the parent's Agent tool call that started it
    const spawnedBy = s.meta && str(s.meta.toolUseId);
    if (part.calls.length) part.markers.push({ atMs: part.calls[0].startMs, label: `subagent ${s.agentId}${spawnedBy ? ` started by ${spawnedBy}` : ''}` });
    parts.push(part);
  }
  const calls = parts.flatMap((p) => p.calls).sort((a, b) => a.startMs - b.startMs);
  if (!Number.isFinite(startMs) || calls.length === 0) return null;
  return {
    source: 'claude-code-transcript',
    protocol: 'anthropic-messages',
    sessionId: sessionId ?? files.main.path.replace(/^.*\//, '').replace(/\.jsonl$/, ''),
    harness: 'claude',
    cwd,
    version,
    startMs,
    endMs,
    calls,
    markers: parts.flatMap((p) => p.markers),
  };
}
