// A hand-timed session used by several tests: two turns, tool calls, concurrent side requests.
//
//   0 ─ harness ─ 1000 M1 (TTFT 300, stream 1000, 100 tok, asks Bash) 2300 ─ tool ─ 3000 M2 (200 / 500,
//   50 tok, end_turn) 3700 ─ user ─ 10000 M3 (400 / 500, 10 tok) 10900 ─ harness ─ 11500 exit
//   side: H1 1010–1400 (title, overlaps M1), H2 3650–5000 (other thread, ends before M3), H3 10005–10200
import type { TraceRecord } from '../../format/types.js';
import { anthropicTurn, byTime, exitAt, sessionRecord } from '../factory/records.js';

const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i} `);

export function scenarioRecords(): TraceRecord[] {
  const title = { system: 'Write a title for this conversation.', firstMessage: 'Summarize in 5 words' };
  return byTime(
    [sessionRecord()],
    exitAt(11500),
    anthropicTurn({ id: 'M1', startMs: 1000, headMs: 1200, firstMs: 1300, endMs: 2300, deltas: words(11), tools: [{ id: 'toolu_1', name: 'Bash', args: '{"command":"npm test"}' }], outputTokens: 100, prompt: 'fix it', firstMessage: 'fix it' }),
    anthropicTurn({ id: 'H1', startMs: 1010, headMs: 1100, firstMs: 1150, endMs: 1400, deltas: words(3), outputTokens: 5, ...title }),
    [{ kind: 'file', t: 2_500_000, path: 'src/a.ts', op: 'modify', diff: '@@ -1 +1 @@\n-a\n+b\n' }],
    [{ kind: 'file', t: 3_050_000, path: 'src/b.ts', op: 'create', diff: '+x\n' }],
    anthropicTurn({ id: 'M2', startMs: 3000, headMs: 3100, firstMs: 3200, endMs: 3700, deltas: words(6), outputTokens: 50, answers: ['toolu_1'], firstMessage: 'fix it' }),
    anthropicTurn({ id: 'H2', startMs: 3650, headMs: 3700, firstMs: 3800, endMs: 5000, deltas: words(4), outputTokens: 8, ...title }),
    [{ kind: 'file', t: 6_000_000, path: 'src/a.ts', op: 'modify', diff: '@@\n' }],
    anthropicTurn({ id: 'M3', startMs: 10000, headMs: 10100, firstMs: 10400, endMs: 10900, deltas: words(5), outputTokens: 10, prompt: 'now the docs', firstMessage: 'fix it' }),
    anthropicTurn({ id: 'H3', startMs: 10005, headMs: 10050, firstMs: 10100, endMs: 10200, deltas: words(2), outputTokens: 3, ...title }),
  );
}
