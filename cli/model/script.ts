// What the scripted model answers: a deterministic function of the conversation so far.
import {
  type Conversation,
  assistantReplies,
  lastUserText,
  repliesThisTurn,
  userTurns,
} from './conversation.js';
import { harnessStep } from './harness-script.js';
import { scenarioStep } from './scenarios.js';

export interface ToolCallSpec {
  name: string;
  /** Any JSON value; streamed as its JSON text, split into tokens. For a freeform tool, its input text as is. */
  arguments: unknown;
}

/** A failure to inject instead of (or in the middle of) an answer. */
export type FaultSpec =
  /** An HTTP error status with an API-style JSON error body, before any stream starts. */
  | { kind: 'http'; status: number; type?: string; message?: string }
  /** An `error` event after `afterTokens` content deltas (default: half of them), then the stream ends. */
  | { kind: 'stream-error'; afterTokens?: number; type?: string; message?: string }
  /** The connection is destroyed after `afterTokens` content deltas (default: half of them). */
  | { kind: 'reset'; afterTokens?: number };

export interface ScriptStep {
  /** Thinking / reasoning text; sent only when the request asked for thinking (never on Chat Completions). */
  thinking?: string;
  text?: string;
  toolCalls?: ToolCallSpec[];
  /** Defaults to `tool_use` when there are tool calls, else `end_turn`. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  fault?: FaultSpec;
  /** Faults fire on a request's first attempt only (so an SDK's retry succeeds) unless this is set. */
  faultEveryAttempt?: boolean;
}

export type ScriptFn = (conversation: Conversation) => ScriptStep;
/** A function, or steps picked by the number of model replies already in the conversation. */
export type Script = ScriptFn | ScriptStep[];

export const SIDE_TITLE = 'Fix the failing add() test';

/** Small requests a harness makes next to the main loop (a title, a topic check): no tools, asks for a title. */
export function isSideRequest(c: Conversation): boolean {
  if (c.toolNames.length > 0 || assistantReplies(c) > 0 || userTurns(c) > 1) return false;
  return /\b(title|topic)\b/i.test(`${c.system}\n${lastUserText(c)}`);
}

export function resolveStep(script: Script, c: Conversation): ScriptStep {
  if (isSideRequest(c)) return { text: SIDE_TITLE };
  if (typeof script === 'function') return script(c);
  return script[assistantReplies(c)] ?? { text: 'Done.' };
}

// ---- the default script: a short, realistic coding session ----

export const DEMO_TOOLS = ['read_file', 'edit_file', 'write_file', 'run_command'] as const;

const GENERIC = `This is lapse's scripted model endpoint. It plays a short coding session when the client offers the tools ${DEMO_TOOLS.join(', ')}, or a tool to run shell commands with; this client offers neither, so here is a plain answer instead, streamed at the configured pace so the timing still looks like a real model.`;

/**
 * Turn 1 ("fix the failing test"): read two files → edit → run the tests → summary.
 * Turn 2: write a changelog entry → short answer. Later turns: a short answer.
 * The other scenarios (subagents, parallel tools) are recognised by their prompts (scenarios.ts).
 */
export function defaultScript(c: Conversation): ScriptStep {
  const offered = new Set(c.toolNames);
  // A real harness offers its own tools: play a short session with them (harness-script.ts).
  if (!DEMO_TOOLS.every((t) => offered.has(t))) return harnessStep(c) ?? { text: GENERIC };
  const other = scenarioStep(c);
  if (other) return other;
  const turn = userTurns(c);
  const r = repliesThisTurn(c);
  if (turn <= 1) {
    if (r === 0) {
      return {
        thinking: 'The user says a test fails. I should look at the test and the code it exercises before changing anything.',
        text: "I'll start by reading the failing test and the module it covers.",
        toolCalls: [
          { name: 'read_file', arguments: { path: 'test/math.test.js' } },
          { name: 'read_file', arguments: { path: 'src/math.js' } },
        ],
      };
    }
    if (r === 1) {
      return {
        text: 'The test expects `add(2, 3)` to be 5, but `add` subtracts its arguments. Fixing the operator in `src/math.js`.',
        toolCalls: [{ name: 'edit_file', arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' } }],
      };
    }
    if (r === 2) {
      return {
        text: 'Now running the test suite to confirm the fix.',
        toolCalls: [{ name: 'run_command', arguments: { command: 'node test/run.js' } }],
      };
    }
    return {
      text:
        'All tests pass now. The bug was in `src/math.js`: `add` returned `a - b` instead of `a + b`, so ' +
        '`add(2, 3)` gave -1. I changed the operator and re-ran the suite; the three tests in ' +
        '`test/math.test.js` all succeed.',
    };
  }
  if (turn === 2 && r === 0) {
    return {
      text: 'Adding a changelog entry for the fix.',
      toolCalls: [
        {
          name: 'write_file',
          arguments: { path: 'CHANGELOG.md', content: '# Changelog\n\n## Unreleased\n\n- Fix `add()` returning `a - b` instead of `a + b`.\n' },
        },
      ],
    };
  }
  if (turn === 2) return { text: 'Done: `CHANGELOG.md` now has an entry under "Unreleased" describing the `add()` fix.' };
  return { text: 'Nothing else to change; the tests pass and the changelog is up to date.' };
}
