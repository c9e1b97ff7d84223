// The session the scripted model plays with a real harness: it finds the harness's own tools for
// writing a file and running a command (Claude Code's Write/Bash, OpenCode's write/bash, Gemini CLI's
// and Qwen Code's write_file/run_shell_command, Codex's shell/exec_command…), fills their arguments
// from each tool's own schema, and plays: write `hello.js` → run it → summarise.
import { type Conversation, repliesThisTurn } from './conversation.js';
import type { ScriptStep, ToolCallSpec } from './script.js';

type Json = Record<string, unknown>;

const WRITE_TOOLS = ['write', 'write_file', 'writefile', 'create_file', 'file_write', 'create'];
const SHELL_TOOLS = ['bash', 'run_shell_command', 'shell', 'shell_command', 'exec_command', 'run_command', 'execute_command', 'run_terminal_cmd'];
const PATH_KEYS = ['file_path', 'filePath', 'path', 'absolute_path', 'filename', 'target_file'];
const CONTENT_KEYS = ['content', 'contents', 'text', 'file_text'];
const COMMAND_KEYS = ['command', 'cmd', 'script'];

export const HELLO_FILE = 'hello.js';
export const HELLO_OUTPUT = 'hello from lapse';
const HELLO_SOURCE = `console.log('${HELLO_OUTPUT}');\n`;

// Answers long enough (40–60 tokens) that a stream lasts a good second at harness-test speeds, so
// its rate can be measured to a few per cent on a busy machine.
const THINKING = 'The user wants a small script and proof that it runs. Write the file first, then run it with node and read the output.';
const FIRST = `I'll start by creating ${HELLO_FILE}: a one-line Node.js script that prints a greeting. Once the file is written I will run it, so we can see the greeting with our own eyes instead of trusting that it works.`;
const SECOND = `${HELLO_FILE} is written. Now I'm running it with node; whatever it prints comes back as the output of the command, and that tells us whether the script does what it should.`;
const LAST = `Done. ${HELLO_FILE} contains a single console.log call, and running it with node printed "${HELLO_OUTPUT}", exactly the greeting it was meant to print. Nothing else in the project was changed along the way.`;

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
  const shell = findTool(c, SHELL_TOOLS);
  if (!shell) return null;
  const write = findTool(c, WRITE_TOOLS);
  const cwd = workingDirectory(c);
  const file = cwd ? `${cwd.replace(/\/+$/, '')}/${HELLO_FILE}` : HELLO_FILE;
  const r = repliesThisTurn(c);
  if (r === 0) {
    if (write) {
      const schema = c.toolSchemas[write] ?? null;
      const args = fillRequired(schema, { [keyOf(schema, PATH_KEYS, 'file_path')]: file, [keyOf(schema, CONTENT_KEYS, 'content')]: HELLO_SOURCE }, `Create ${HELLO_FILE}`);
      return { thinking: THINKING, text: FIRST, toolCalls: [{ name: write, arguments: args }] };
    }
    return {
      thinking: THINKING,
      text: FIRST,
      toolCalls: [commandArgs(c, shell, `printf '%s\\n' "console.log('${HELLO_OUTPUT}');" > ${HELLO_FILE}`, `Create ${HELLO_FILE}`)],
    };
  }
  if (r === 1) return { text: SECOND, toolCalls: [commandArgs(c, shell, `node ${HELLO_FILE}`, `Run ${HELLO_FILE}`)] };
  return { text: LAST };
}
