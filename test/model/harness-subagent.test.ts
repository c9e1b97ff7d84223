// The scripted model handing the hello session to a subagent through a real harness's own spawning
// tool, as the harnesses offer them on the wire: OpenCode's `task` (Anthropic tools) returns the
// subagent's answer; Codex's `spawn_agent` sits in a `multi_agent_v1` namespace, returns the agent's
// id, and the answer comes from `wait_agent` — so the call must name the namespace, and the model
// waits with the id it was given. The subagent, known by its task, plays the hello session.
import { describe, expect, it } from 'vitest';
import { anthropicConversation, responsesConversation } from '../../cli/model/conversation.js';
import { HARNESS_SPAWN_PROMPT, HARNESS_SUBAGENT_PROMPT, harnessStep } from '../../cli/model/harness-script.js';
import { makePlan } from '../../cli/model/plan.js';
import { responsesFrames } from '../../cli/model/openai-responses.js';

const fn = (name: string, properties: Record<string, unknown>, required: string[] = []) => ({ type: 'function', name, description: '', parameters: { type: 'object', properties, required } });
const CODEX_TOOLS = [
  fn('exec_command', { cmd: { type: 'string' } }, ['cmd']),
  {
    type: 'namespace',
    name: 'multi_agent_v1',
    description: 'Tools for spawning and managing sub-agents.',
    tools: [fn('spawn_agent', { message: { type: 'string' }, fork_context: { type: 'boolean' } }), fn('wait_agent', { targets: { type: 'array', items: { type: 'string' } }, timeout_ms: { type: 'number' } }, ['targets'])],
  },
];
const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const env = user('<environment_context>\n  <cwd>/tmp/work</cwd>\n</environment_context>');
const call = (name: string, id: string, args: unknown) => ({ type: 'function_call', namespace: 'multi_agent_v1', name, call_id: id, arguments: JSON.stringify(args) });
const output = (id: string, text: string) => ({ type: 'function_call_output', call_id: id, output: text });
const codex = (history: unknown[]) => responsesConversation({ model: 'gpt-5', tools: CODEX_TOOLS }, history as Record<string, unknown>[]);

describe('the scripted model starting a subagent', () => {
  it('codex: spawn_agent named with its namespace, wait_agent with the id it returned, then the relayed answer', () => {
    const c0 = codex([env, user(HARNESS_SUBAGENT_PROMPT)]);
    expect(c0.toolNamespaces).toEqual({ spawn_agent: 'multi_agent_v1', wait_agent: 'multi_agent_v1' });
    const spawn = harnessStep(c0)!;
    expect(spawn.toolCalls).toEqual([{ name: 'spawn_agent', arguments: { message: HARNESS_SPAWN_PROMPT } }]);
    let n = 0;
    const plan = makePlan(spawn, c0, () => `call_${++n}`, undefined);
    const { output: items } = responsesFrames(plan, { id: 'resp_1', model: 'gpt-5', createdAt: 0, inputTokens: 10, body: {}, itemId: (p) => `${p}${++n}` });
    expect(items.filter((i) => i.type === 'function_call').map((i) => [i.namespace, i.name])).toEqual([['multi_agent_v1', 'spawn_agent']]);

    const agent = '01a234fd-016d-7703-b76a-6d15e2d590a1';
    const c1 = codex([env, user(HARNESS_SUBAGENT_PROMPT), call('spawn_agent', 'c1', { message: HARNESS_SPAWN_PROMPT }), output('c1', JSON.stringify({ agent_id: agent, nickname: 'Bacon' }))]);
    expect(harnessStep(c1)!.toolCalls).toEqual([{ name: 'wait_agent', arguments: { targets: [agent] } }]);
    // Codex tells of the answer in a user message of its own after the wait's output: not a new turn
    const c2 = codex([...[env, user(HARNESS_SUBAGENT_PROMPT), call('spawn_agent', 'c1', {}), output('c1', '{}')], call('wait_agent', 'c2', { targets: [agent] }), output('c2', '{"status":{}}'), user('<subagent_notification>{}</subagent_notification>')]);
    const last = harnessStep(c2)!;
    expect(last.toolCalls ?? []).toEqual([]);
    expect(last.text).toMatch(/The subagent wrote hello\.js/);
  });

  it('codex on its default model: spawn_agent with a task name, wait_agent on the mailbox, the task arriving as an agent_message', () => {
    // tools in an additional_tools item (code mode); the agent tools in a `collaboration` namespace
    const exec = { type: 'custom', name: 'exec', description: 'declare const tools: { exec_command(args: {\n  cmd: string;\n}): Promise<{ output: string }>; };' };
    const collaboration = {
      type: 'namespace',
      name: 'collaboration',
      tools: [
        fn('spawn_agent', { fork_turns: { type: 'string' }, message: { type: 'string' }, model: { type: 'string' }, task_name: { type: 'string' } }, ['task_name', 'message']),
        fn('wait_agent', { timeout_ms: { type: 'number' } }),
      ],
    };
    const tools = { type: 'additional_tools', tools: [{ type: 'namespace', name: 'functions', tools: [exec] }, collaboration] };
    const v2 = (history: unknown[]) => responsesConversation({ model: 'gpt-6.2-sol', tools: [] }, [tools, ...history] as Record<string, unknown>[]);
    const spawn = harnessStep(v2([env, user(HARNESS_SUBAGENT_PROMPT)]))!;
    expect(spawn.toolCalls).toEqual([{ name: 'spawn_agent', arguments: { message: HARNESS_SPAWN_PROMPT, task_name: 'hello_js' } }]);
    const spawned = { type: 'function_call', namespace: 'collaboration', name: 'spawn_agent', call_id: 'c1', arguments: '{}' };
    const wait = harnessStep(v2([env, user(HARNESS_SUBAGENT_PROMPT), spawned, output('c1', '{"task_name":"/root/hello_js"}')]))!;
    expect(wait.toolCalls).toEqual([{ name: 'wait_agent', arguments: {} }]);
    // the sub-agent inherits the parent's history (fork_turns: all); its task is the agent_message after it
    const task = { type: 'agent_message', author: '/root', recipient: '/root/hello_js', content: [{ type: 'input_text', text: 'Message Type: NEW_TASK\nPayload:\n' }, { type: 'encrypted_content', encrypted_content: HARNESS_SPAWN_PROMPT }] };
    const child = harnessStep(v2([env, user(HARNESS_SUBAGENT_PROMPT), spawned, output('c1', 'aborted'), task]))!;
    expect(child.toolCalls!.map((t) => t.name)).toEqual(['exec']);
    expect(String(child.toolCalls![0].arguments)).toContain('hello.js');
  });

  it('codex: the sub-agent, known by its task, plays the hello session with its shell', () => {
    const step = harnessStep(codex([env, user(HARNESS_SPAWN_PROMPT)]))!;
    expect(step.toolCalls!.map((t) => t.name)).toEqual(['exec_command']);
    expect(JSON.stringify(step.toolCalls![0].arguments)).toContain('hello.js');
  });

  it('opencode: task with the agent type its description lists, then the relayed answer', () => {
    const task = { name: 'task', description: 'Available agent types:\n- explore: …\n- general: General-purpose agent', input_schema: { type: 'object', properties: { description: { type: 'string' }, prompt: { type: 'string' }, subagent_type: { type: 'string' } }, required: ['description', 'prompt', 'subagent_type'] } };
    const tools = [task, { name: 'bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }];
    const c0 = anthropicConversation({ model: 'claude', tools, messages: [{ role: 'user', content: HARNESS_SUBAGENT_PROMPT }] });
    expect(harnessStep(c0)!.toolCalls).toEqual([{ name: 'task', arguments: { prompt: HARNESS_SPAWN_PROMPT, description: 'Create and run hello.js', subagent_type: 'general' } }]);
    const c1 = anthropicConversation({
      model: 'claude',
      tools,
      messages: [
        { role: 'user', content: HARNESS_SUBAGENT_PROMPT },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'task', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'hello from lapse' }] },
      ],
    });
    expect(harnessStep(c1)!.text).toMatch(/The subagent wrote hello\.js/);
  });
});
