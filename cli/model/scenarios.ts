// The scripted sessions besides the default one, shared by the model (which answers them) and the
// scripted agent (which starts them with these prompts). A scripted model knows which session it
// is in from the conversation only, as a real one would: the prompt, the tools offered, and for a
// subagent its spawn prompt (its first user message).
import { type Conversation, firstUserText, repliesThisTurn } from './conversation.js';
import type { ScriptStep } from './script.js';
import { countTokens } from './tokens.js';

export type ScenarioName = 'default' | 'subagents' | 'parallel-tools';
export const SCENARIOS: ScenarioName[] = ['default', 'subagents', 'parallel-tools'];

/** Claude Code's subagent tool (earlier `Task`): description, prompt, subagent_type. */
export const AGENT_TOOL = 'Agent';

/** First user message of each scenario (one turn each). */
export const SCENARIO_PROMPTS: Record<Exclude<ScenarioName, 'default'>, string> = {
  subagents: 'check the project and explain src/math.js to me; use subagents for both',
  'parallel-tools': 'run the test suite and the slow checks at the same time',
};

/** The spawn prompts: the subagents' first user messages. */
export const SPAWN_PROMPTS = {
  /** Tool-bound: one ~3 s command, then a short answer. */
  checks: 'Run the project checks with `node scripts/check.js 3000` and report in one sentence whether they pass.',
  /** Model-bound: a ~500-token answer, no tools. */
  explain: 'Explain in detail what src/math.js does, function by function, for a newcomer. Do not use tools.',
} as const;

/** How long the parallel-tools scenario's check runs (its test run takes --test-ms). */
export const PARALLEL_CHECK_MS = 800;

/** A deterministic explanation of about `tokens` tokens (the model-bound subagent's answer). */
export function longAnswer(tokens: number): string {
  const sentences = [
    'The module src/math.js exports two small helpers, add and mul, that the tests import.',
    'The add function takes two numbers and returns their sum once the operator is right.',
    'The mul function multiplies its two arguments and has no special cases to consider.',
    'Neither function checks its input types, so strings would be concatenated or coerced.',
    'Both are pure: they read only their arguments and change nothing outside themselves.',
    'The test file calls each helper with a few values and compares the result exactly.',
  ];
  let out = '';
  for (let i = 0; countTokens(out) < tokens; i++) out += (out ? ' ' : '') + sentences[i % sentences.length];
  return out;
}

/** The step for a conversation of one of these scenarios; null when it is none of them. */
export function scenarioStep(c: Conversation): ScriptStep | null {
  const first = firstUserText(c);
  const r = repliesThisTurn(c);
  if (first === SCENARIO_PROMPTS.subagents && c.toolNames.includes(AGENT_TOOL)) {
    if (r === 0) {
      return {
        text: 'I will run the checks and write the explanation in parallel, with one subagent each.',
        toolCalls: [
          { name: AGENT_TOOL, arguments: { description: 'Run the checks', prompt: SPAWN_PROMPTS.checks, subagent_type: 'general-purpose' } },
          { name: AGENT_TOOL, arguments: { description: 'Explain math.js', prompt: SPAWN_PROMPTS.explain, subagent_type: 'general-purpose' } },
        ],
      };
    }
    return { text: 'Both subagents are done: the checks pass, and the explanation of src/math.js is above.' };
  }
  if (first === SPAWN_PROMPTS.checks) {
    if (r === 0) return { text: 'Running the checks.', toolCalls: [{ name: 'run_command', arguments: { command: 'node scripts/check.js 3000' } }] };
    return { text: 'The checks pass.' };
  }
  if (first === SPAWN_PROMPTS.explain) return { text: longAnswer(500) };
  if (first === SCENARIO_PROMPTS['parallel-tools']) {
    if (r === 0) {
      return {
        text: 'Running both at once.',
        toolCalls: [
          { name: 'run_command', arguments: { command: 'node test/run.js' } },
          { name: 'run_command', arguments: { command: `node scripts/check.js ${PARALLEL_CHECK_MS}` } },
        ],
      };
    }
    return { text: 'The checks pass; the test suite still fails on add(), as expected before the fix.' };
  }
  return null;
}
