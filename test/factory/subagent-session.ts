// A session with two subagents started by one response (Claude Code's Agent tool), hand-timed; used
// by the analysis golden tests and the viewers' lane tests.
import type { TraceRecord } from '../../format/types.js';
import { anthropicTurn, byTime, exitAt, sessionRecord } from './records.js';

const BILLING = 'x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli;';
export const CHECKS = 'Run the checks and report.';
export const EXPLAIN = 'Explain math.js in detail.';
const agentArgs = (description: string, prompt: string): string => JSON.stringify({ description, prompt, subagent_type: 'general-purpose' });

// m1 (main) 100–400 asks for two Agent calls; t1 is a title (110–300). Subagent A: s1 420–600 runs a
// tool (600 → 1600), s3 1600–1700 reports. Subagent B: s2 430–2500, one long answer (200 tokens).
// m2 2550–2700 carries both results. Exit at 3000. `marks`: Claude Code's agent-id header and flag.
export function subagentSession(marks: boolean): TraceRecord[] {
  const sub = (agent: string) => (marks ? { headers: { 'x-claude-code-agent-id': agent }, systemBlocks: [`${BILLING} cc_is_subagent=true;`, 'You are a subagent.'] } : { system: 'You are a subagent.' });
  return byTime(
    [sessionRecord()],
    exitAt(3000),
    anthropicTurn({
      id: 'm1', startMs: 100, headMs: 150, firstMs: 200, endMs: 400, deltas: ['I will'], outputTokens: 20, prompt: 'check and explain', firstMessage: 'check and explain',
      tools: [{ id: 'a1', name: 'Agent', args: agentArgs('checks', CHECKS) }, { id: 'a2', name: 'Agent', args: agentArgs('explain', EXPLAIN) }],
    }),
    anthropicTurn({ id: 't1', startMs: 110, headMs: 150, firstMs: 200, endMs: 300, deltas: ['Title'], outputTokens: 3, system: 'Write a title.', firstMessage: 'check and explain' }),
    anthropicTurn({ id: 's1', startMs: 420, headMs: 450, firstMs: 500, endMs: 600, deltas: ['Running'], outputTokens: 5, opening: true, prompt: CHECKS, tools: [{ id: 'b1', name: 'Bash', args: '{"command":"check"}' }], ...sub('aaa') }),
    anthropicTurn({ id: 's2', startMs: 430, headMs: 450, firstMs: 510, endMs: 2500, deltas: ['long', 'answer'], outputTokens: 200, opening: true, prompt: EXPLAIN, ...sub('bbb') }),
    anthropicTurn({ id: 's3', startMs: 1600, headMs: 1620, firstMs: 1650, endMs: 1700, deltas: ['pass'], outputTokens: 5, firstMessage: CHECKS, answers: ['b1'], ...sub('aaa') }),
    anthropicTurn({ id: 'm2', startMs: 2550, headMs: 2570, firstMs: 2600, endMs: 2700, deltas: ['Done'], outputTokens: 10, firstMessage: 'check and explain', answers: ['a1', 'a2'], history: 1 }),
  );
}

