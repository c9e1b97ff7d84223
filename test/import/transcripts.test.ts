// The importers on small transcripts written out line by line, read back through the same analysis
// as recordings (records → SessionModel).
import { describe, expect, it } from 'vitest';
import { analyseRecords } from '../../analysis/session.js';
import { statsJson } from '../../analysis/json.js';
import type { SessionRecord } from '../../format/types.js';
import { importClaudeCode } from '../../cli/import/claude-code.js';
import { importCodex } from '../../cli/import/codex.js';
import { sessionRecords } from '../../cli/import/records.js';
import type { ImportedSession } from '../../cli/import/model.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const ts = (ms: number) => new Date(T0 + ms).toISOString();
const jsonl = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

function model(s: ImportedSession) {
  const session: SessionRecord = { kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'test', startedAt: s.startMs, argv: [s.harness], cwd: s.cwd, harness: s.harness, upstreams: { anthropic: '', openai: '' }, redacted: true, source: s.source };
  return analyseRecords([session, ...sessionRecords(s)], { detail: false });
}

const usage = (out: number) => ({ input_tokens: 10, cache_creation_input_tokens: 2000, cache_read_input_tokens: 30000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2000 }, output_tokens: out });
const user = (ms: number, content: unknown, extra: object = {}) => ({ type: 'user', timestamp: ts(ms), sessionId: 'sess-1', cwd: '/home/me/app', version: '2.1.0', message: { role: 'user', content }, ...extra });
const assistant = (ms: number, id: string, block: object, out: number, extra: object = {}) => ({ type: 'assistant', timestamp: ts(ms), sessionId: 'sess-1', message: { id, model: 'claude-sonnet-4-5', role: 'assistant', content: [block], stop_reason: null, usage: usage(out) }, ...extra });

describe('Claude Code transcripts', () => {
  const main = jsonl([
    { type: 'queue-operation', operation: 'enqueue', timestamp: ts(-500), sessionId: 'sess-1' },
    user(0, 'run the tests'),
    // one message, three lines, usage repeated (output grows to its final count on the last line)
    assistant(900, 'msg_1', { type: 'thinking', thinking: 'Tests first.' }, 3),
    assistant(1200, 'msg_1', { type: 'text', text: 'Running them, and asking a helper.' }, 3),
    assistant(1500, 'msg_1', { type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'npm test' } }, 120),
    assistant(1600, 'msg_1', { type: 'tool_use', id: 'toolu_agent', name: 'Agent', input: { prompt: 'look at the logs' } }, 150),
    // parallel tool results on two lines: one next request, after the later one
    user(4500, [{ type: 'tool_result', tool_use_id: 'toolu_bash', content: 'ok' }]),
    user(6000, [{ type: 'tool_result', tool_use_id: 'toolu_agent', content: 'the logs are clean' }]),
    assistant(7000, 'msg_2', { type: 'text', text: 'All good.' }, 40),
    { type: 'system', subtype: 'turn_duration', durationMs: 7000, timestamp: ts(7010) },
    { type: 'assistant', timestamp: ts(7020), message: { id: 'x', model: '<synthetic>', content: [{ type: 'text', text: 'API Error' }] } },
    user(20_000, 'compact please'),
    { type: 'system', subtype: 'compact_boundary', compactMetadata: { trigger: 'manual', preTokens: 32000 }, timestamp: ts(26_000) },
    user(26_001, 'This session is being continued… (summary)', { isCompactSummary: true }),
    assistant(27_000, 'msg_3', { type: 'text', text: 'Continuing.' }, 5),
    // a duplicated earlier message (a resumed session's copied history) is not a second call
    assistant(27_100, 'msg_1', { type: 'text', text: 'Running them, and asking a helper.' }, 150),
  ]).concat('{"type":"user","timestamp":"2026-11-30T10:00:3'); // torn last line
  const sub = jsonl([
    { type: 'user', timestamp: ts(1700), isSidechain: true, agentId: 'a1', message: { role: 'user', content: 'look at the logs' } },
    assistant(2500, 'msg_s1', { type: 'tool_use', id: 'toolu_read', name: 'Read', input: { file_path: 'log.txt' } }, 30, { isSidechain: true }),
    user(3000, [{ type: 'tool_result', tool_use_id: 'toolu_read', content: '...' }], { isSidechain: true }),
    assistant(5800, 'msg_s2', { type: 'text', text: 'The logs are clean.' }, 60, { isSidechain: true }),
  ]);
  const s = importClaudeCode({ main: { path: '/x/sess-1.jsonl', text: main }, subagents: [{ agentId: 'a1', text: sub, meta: { toolUseId: 'toolu_agent' } }] })!;

  it('makes one call per message id, usage counted once, timed from its input to its last block', () => {
    expect(s.sessionId).toBe('sess-1');
    expect(s.cwd).toBe('/home/me/app');
    expect(s.startMs).toBe(T0); // the prompt, not the queue operation before it
    const main = s.calls.filter((c) => !c.headers['x-claude-code-agent-id']);
    expect(main.map((c) => [c.startMs - T0, c.endMs - T0, c.outputTokens])).toEqual([
      [0, 1600, 150],
      [6000, 7000, 40],
      [20_000, 26_000, null], // the compaction's summarising call: no usage in the transcript
      [26_001, 27_000, 5],
    ]);
    expect(main[0].blocks.map((b) => b.kind)).toEqual(['thinking', 'text', 'tool', 'tool']);
    // after the compaction the conversation restarts from the summary
    expect((main[3].request.messages as unknown[]).length).toBe(1);
    expect(s.markers.map((m) => m.label)).toEqual(expect.arrayContaining(['turn ended (7.0 s by Claude Code\'s count)', 'compacted (manual)', 'subagent a1 started by toolu_agent']));
  });

  it('gives the subagent its own thread, marked as Claude Code marks it', () => {
    const subCalls = s.calls.filter((c) => c.headers['x-claude-code-agent-id'] === 'a1');
    expect(subCalls.map((c) => [c.startMs - T0, c.endMs - T0])).toEqual([[1700, 2500], [3000, 5800]]);
    expect(JSON.stringify(subCalls[0].request.system)).toContain('cc_is_subagent=true');
    expect((subCalls[0].request.messages as Array<{ content: unknown }>)[0].content).toBe('look at the logs');
  });

  it('reads back through the analysis: tokens and cache parts, tool spans, no TTFT, cost', () => {
    const m = model(s);
    expect(m.session?.source).toBe('claude-code-transcript');
    expect(m.requests).toHaveLength(6);
    const r1 = m.requests[0];
    expect(r1.outputTokens).toBe(150);
    expect(r1.inputTokens).toBe(10 + 2000 + 30000);
    expect([r1.cacheReadTokens, r1.cacheWriteTokens, r1.cacheWrite1hTokens]).toEqual([30000, 2000, 2000]);
    expect(r1.toolCalls.map((c) => c.name)).toEqual(['Bash', 'Agent']);
    expect(m.requests.every((r) => r.ttftMs === null && r.tokensPerSecond === null && r.firstByteMs === null && r.estimated)).toBe(true);
    // the stream is the tokens at the assumed rate, ending at the last block, starting by the first block
    expect(r1.firstContentMs).toBeCloseTo(0, 3);
    expect(m.requests[1].firstContentMs).toBeCloseTo(2500 - (30 / 60) * 1000, 3);
    expect(m.durationMs).toBe(27_100); // the transcript's last line
    const j = statsJson(m);
    expect(j.trace.source).toBe('claude-code-transcript');
    expect(j.requests[0].costUsd).toBeGreaterThan(0);
    expect(j.costUsd).toBeGreaterThan(0);
  });

  it('reads inline sidechains (older Claude Code) as a thread of their own', () => {
    const text = jsonl([
      user(0, 'go'),
      assistant(1000, 'm1', { type: 'tool_use', id: 't1', name: 'Task', input: { prompt: 'sub' } }, 10),
      { ...user(1100, 'sub'), isSidechain: true, uuid: 'u1', parentUuid: null },
      { ...assistant(2000, 'm2', { type: 'text', text: 'sub done' }, 10), isSidechain: true, uuid: 'u2', parentUuid: 'u1' },
      user(2100, [{ type: 'tool_result', tool_use_id: 't1', content: 'sub done' }]),
      assistant(3000, 'm3', { type: 'text', text: 'done' }, 5),
    ]);
    const x = importClaudeCode({ main: { path: '/x/s.jsonl', text }, subagents: [] })!;
    expect(x.calls.map((c) => [c.startMs - T0, c.headers['x-claude-code-agent-id'] ?? 'main'])).toEqual([[0, 'main'], [1100, 'sidechain-1'], [2100, 'main']]);
  });

  it('returns null for a transcript with no model call', () => {
    expect(importClaudeCode({ main: { path: '/x/e.jsonl', text: jsonl([user(0, 'hi')]) }, subagents: [] })).toBeNull();
  });
});

describe('Codex rollouts', () => {
  const line = (ms: number, type: string, payload: object) => ({ timestamp: ts(ms), type, payload });
  const tokens = (input: number, cached: number, output: number, total: number) => ({ type: 'token_count', info: { total_token_usage: { total_tokens: total }, last_token_usage: { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: 4, total_tokens: input + output } } });
  const text = jsonl([
    line(0, 'session_meta', { id: 'cx-1', cwd: '/home/me/app', cli_version: '0.171.0', base_instructions: { text: 'You are Codex.' } }),
    line(10, 'turn_context', { model: 'gpt-5-codex' }),
    line(20, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] }),
    line(800, 'response_item', { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Look first.' }] }),
    line(1000, 'response_item', { type: 'function_call', name: 'shell', arguments: '{"command":["npm","test"]}', call_id: 'call_1' }),
    line(1010, 'event_msg', tokens(5000, 4000, 60, 5060)),
    line(1011, 'event_msg', tokens(5000, 4000, 60, 5060)), // repeated for a rate-limit update: not a second response
    line(3500, 'response_item', { type: 'function_call_output', call_id: 'call_1', output: 'ok' }),
    line(4200, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Fixed.' }] }),
    line(4210, 'event_msg', tokens(5200, 5000, 8, 10268)),
    line(4300, 'event_msg', { type: 'task_complete' }),
  ]);
  const s = importCodex('/x/rollout-1.jsonl', text)!;

  it('makes one call per response, closed by its token_count', () => {
    expect(s.sessionId).toBe('cx-1');
    expect(s.calls.map((c) => [c.startMs - T0, c.endMs - T0, c.outputTokens, c.model])).toEqual([
      [20, 1010, 60, 'gpt-5-codex'],
      [3500, 4210, 8, 'gpt-5-codex'],
    ]);
    expect(s.calls[0].request.instructions).toBe('You are Codex.');
    expect((s.calls[1].request.input as unknown[]).length).toBe(4);
  });

  it('reads back with cached input inside input (not added again), the tool span and a price', () => {
    const m = model(s);
    expect(m.requests.map((r) => [r.inputTokens, r.cacheReadTokens, r.outputTokens])).toEqual([[5000, 4000, 60], [5200, 5000, 8]]);
    expect(m.requests[0].toolCalls.map((c) => [c.id, c.name])).toEqual([['call_1', 'shell']]);
    expect(m.requests[1].answersToolCallIds).toEqual(['call_1']);
    expect(m.breakdown.toolMs).toBeCloseTo(3500 - 1010, 3);
    expect(m.durationMs).toBe(4300);
    expect(statsJson(m).costUsd).toBeGreaterThan(0);
  });
});
