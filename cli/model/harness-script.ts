// The session the scripted model plays with a real harness: it finds the harness's own tools for
// writing a file and running a command (Claude Code's Write/Bash, OpenCode's write/bash, Gemini CLI's
// and Qwen Code's write_file/run_shell_command, Codex's shell/exec_command, or Codex's code-mode `exec`
// calling exec_command, see code-mode.ts), fills their arguments from each tool's own schema, and
// plays: write `hello.js` → run it → summarise. Asked with HARNESS_SUBAGENT_PROMPT, it hands that
// work to a subagent with the harness's own spawning tool (OpenCode's `task`, Claude Code's `Agent`,
// Codex's `spawn_agent` then `wait_agent`), which plays it in its own conversation.
import { codeMode, codeModeCall } from './code-mode.js';
import { type Conversation, repliesThisTurn } from './conversation.js';
import type { ScriptStep, ToolCallSpec } from './script.js';

type Json = Record<string, unknown>;

const WRITE_TOOLS = ['write', 'write_file', 'writefile', 'create_file', 'file_write', 'create'];
const SHELL_TOOLS = ['bash', 'run_shell_command', 'shell', 'shell_command', 'exec_command', 'run_command', 'execute_command', 'run_terminal_cmd'];
const PATH_KEYS = ['file_path', 'filePath', 'path', 'absolute_path', 'filename', 'target_file'];
const CONTENT_KEYS = ['content', 'contents', 'text', 'file_text'];
const COMMAND_KEYS = ['command', 'cmd', 'script'];
const SPAWN_TOOLS = ['task', 'agent', 'spawn_agent'];
/** Codex's spawn returns at once with the agent's id; its answer comes back from this tool. */
const WAIT_TOOLS = ['wait_agent', 'wait'];
const SPAWN_PROMPT_KEYS = ['prompt', 'message', 'task', 'instructions'];
const SPAWN_NAME_KEYS = ['task_name', 'agent_name'];
const SPAWN_NAME = 'hello_js';
/** The keys a wait tool takes the agent by; Codex's default model waits on its whole mailbox, with none. */
const WAIT_TARGET_KEYS = ['targets', 'ids', 'agent_ids', 'id', 'target'];

export const HELLO_FILE = 'hello.js';
export const HELLO_OUTPUT = 'hello from lapse';
const HELLO_SOURCE = `console.log('${HELLO_OUTPUT}');\n`;

// Answers long enough (40–60 tokens) that a stream lasts a good second at harness-test speeds, so
// its rate can be measured to a few per cent on a busy machine.
const THINKING = 'The user wants a small script and proof that it runs. Write the file first, then run it with node and read the output.';
const FIRST = `I'll start by creating ${HELLO_FILE}: a one-line Node.js script that prints a greeting. Once the file is written I will run it, so we can see the greeting with our own eyes instead of trusting that it works.`;
const SECOND = `${HELLO_FILE} is written. Now I'm running it with node; whatever it prints comes back as the output of the command, and that tells us whether the script does what it should.`;
const LAST = `Done. ${HELLO_FILE} contains a single console.log call, and running it with node printed "${HELLO_OUTPUT}", exactly the greeting it was meant to print. Nothing else in the project was changed along the way.`;

/** The user's prompt that has the harness start a subagent for the hello session. */
export const HARNESS_SUBAGENT_PROMPT = `Have a subagent create ${HELLO_FILE} that prints a greeting and run it; tell me what it printed.`;
/** The subagent's task: its first user message, by which the scripted model knows it. */
export const HARNESS_SPAWN_PROMPT = `Create ${HELLO_FILE} that prints a greeting, then run it with node and report what it printed.`;
const DELEGATE = `I'll hand this to a subagent: it writes ${HELLO_FILE}, runs it with node and tells me what it printed, and I'll pass that on.`;
const RELAYED = `The subagent wrote ${HELLO_FILE} and ran it with node; it printed "${HELLO_OUTPUT}", so the script works as intended.`;

/** The spawning tool's arguments from its schema: the task, a short description, an agent type it lists. */
function spawnArgs(c: Conversation, tool: string): ToolCallSpec {
  const schema = c.toolSchemas[tool] ?? null;
  const p = props(schema);
  const args: Json = { [keyOf(schema, SPAWN_PROMPT_KEYS, 'prompt')]: HARNESS_SPAWN_PROMPT };
  if ('description' in p) args.description = `Create and run ${HELLO_FILE}`;
  // a name the harness refers to the agent by (Codex on its default model: lowercase, digits, underscores)
  for (const k of SPAWN_NAME_KEYS) if (k in p) args[k] = SPAWN_NAME;
  if ('subagent_type' in p) {
    // the general-purpose agent, by the name this harness gives it (`general`, `general-purpose`)
    const listed = /\b(general(?:-purpose)?)\b/.exec(c.toolDescriptions[tool] ?? '');
    args.subagent_type = listed ? listed[1] : 'general';
  }
  return { name: tool, arguments: fillRequired(schema, args, `Create and run ${HELLO_FILE}`) };
}

/** The agent id a spawn returned (Codex: JSON with `agent_id`, or an id in the text). */
function spawnedId(c: Conversation): string {
  const last = [...c.messages].reverse().find((m) => m.role === 'tool');
  const out = last && last.role === 'tool' ? last.output : '';
  try {
    const v = JSON.parse(out) as Json;
    for (const k of ['agent_id', 'id', 'target', 'nickname']) if (typeof v[k] === 'string') return v[k] as string;
  } catch {
    // not JSON: an id in the text
  }
  return /[0-9a-f]{8}-[0-9a-f-]{27,}|[A-Za-z0-9_/-]{6,}/.exec(out)?.[0] ?? out.trim();
}

function findTool(c: Conversation, names: string[]): string | null {
  for (const want of names) {
    const hit = c.toolNames.find((n) => n.toLowerCase() === want);
    if (hit) return hit;
  }
  return null;
}

function props(schema: Json | null): Json {
  const p = schema && schema.properties;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Json) : {};
}

function keyOf(schema: Json | null, keys: string[], fallback: string): string {
  const p = props(schema);
  return keys.find((k) => k in p) ?? fallback;
}

/** Required string properties the script knows nothing about get a short description. */
function fillRequired(schema: Json | null, args: Json, what: string): Json {
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : [];
  const p = props(schema);
  for (const k of required) {
    if (typeof k !== 'string' || k in args) continue;
    const t = (p[k] as Json | undefined)?.type;
    args[k] = t === 'boolean' ? false : t === 'number' || t === 'integer' ? 0 : t === 'array' ? [] : what;
  }
  return args;
}

/** The harness's working directory, from what it tells the model (system prompt or first message). */
export function workingDirectory(c: Conversation): string | null {
  const text = [c.system, ...c.messages.filter((m) => m.role === 'user').map((m) => m.text)].join('\n');
  const m = /(?:working directory|working in the directory|current directory|cwd|workspace root|project root)[^\n/]{0,40}?(\/[^\s'"`<>,;)]*[^\s'"`<>,;).:])/i.exec(text);
  return m ? m[1] : null;
}

function commandArgs(c: Conversation, tool: string, command: string, what: string): ToolCallSpec {
  const schema = c.toolSchemas[tool] ?? null;
  const key = keyOf(schema, COMMAND_KEYS, 'command');
  const type = (props(schema)[key] as Json | undefined)?.type;
  // Codex's `shell` takes an argv array; everyone else a command line.
  const value = type === 'array' ? ['bash', '-lc', command] : command;
  return { name: tool, arguments: fillRequired(schema, { [key]: value }, what) };
}

/** The step for this point of the conversation, or null if the harness offers no tool to run commands with. */
export function harnessStep(c: Conversation): ScriptStep | null {
  const spawn = findTool(c, SPAWN_TOOLS);
  // Harnesses put context of their own before the user's prompt (Codex: its environment), so any
  // user message may carry it; a subagent may see its parent's prompt too, but only it has the task.
  const said = (text: string) => c.messages.some((m) => m.role === 'user' && m.text.includes(text));
  if (spawn && said(HARNESS_SUBAGENT_PROMPT) && !said(HARNESS_SPAWN_PROMPT)) {
    // By what it already called, not by replies: a harness may add messages of its own in between.
    const called = (name: string | null) => name !== null && c.messages.some((m) => m.role === 'assistant' && m.toolCalls.some((t) => t.name === name));
    if (!called(spawn)) return { text: DELEGATE, toolCalls: [spawnArgs(c, spawn)] };
    const wait = findTool(c, WAIT_TOOLS);
    if (wait && !called(wait)) {
      const schema = c.toolSchemas[wait] ?? null;
      const p = props(schema);
      const byTarget = Object.keys(p).length === 0 || WAIT_TARGET_KEYS.some((k) => k in p);
      const key = keyOf(schema, WAIT_TARGET_KEYS, 'targets');
      const id = spawnedId(c);
      const type = (p[key] as Json | undefined)?.type;
      return { text: 'Waiting for the subagent to finish.', toolCalls: [{ name: wait, arguments: fillRequired(schema, byTarget ? { [key]: type === 'array' ? [id] : id } : {}, 'wait') }] };
    }
    return { text: RELAYED };
  }
  // A command: with its shell tool, or from code mode (Codex's `exec`) through the nested shell tool.
  const shell = findTool(c, SHELL_TOOLS);
  const cm = shell ? null : codeMode(c);
  const nestedShell = cm ? SHELL_TOOLS.find((t) => t in cm.nested) : undefined;
  let run: (command: string, what: string) => ToolCallSpec;
  if (shell) run = (command, what) => commandArgs(c, shell, command, what);
  else if (cm && nestedShell) run = (command) => codeModeCall(cm, nestedShell, { [COMMAND_KEYS.find((k) => cm.nested[nestedShell].includes(k)) ?? 'cmd']: command });
  else return null;
  const write = shell ? findTool(c, WRITE_TOOLS) : null;
  const cwd = workingDirectory(c);
  const file = cwd ? `${cwd.replace(/\/+$/, '')}/${HELLO_FILE}` : HELLO_FILE;
  const r = repliesThisTurn(c);
  if (r === 0) {
    if (write) {
      const schema = c.toolSchemas[write] ?? null;
      const args = fillRequired(schema, { [keyOf(schema, PATH_KEYS, 'file_path')]: file, [keyOf(schema, CONTENT_KEYS, 'content')]: HELLO_SOURCE }, `Create ${HELLO_FILE}`);
      return { thinking: THINKING, text: FIRST, toolCalls: [{ name: write, arguments: args }] };
    }
    return { thinking: THINKING, text: FIRST, toolCalls: [run(`printf '%s\\n' "console.log('${HELLO_OUTPUT}');" > ${HELLO_FILE}`, `Create ${HELLO_FILE}`)] };
  }
  if (r === 1) return { text: SECOND, toolCalls: [run(`node ${HELLO_FILE}`, `Run ${HELLO_FILE}`)] };
  return { text: LAST };
}
