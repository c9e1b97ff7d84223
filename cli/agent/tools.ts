// The agent's four tools, as JSON schemas for the model and as real actions on the workspace.
import { spawn } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export interface ToolSpec {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

export const TOOL_SPECS: ToolSpec[] = [
  {
    name: 'read_file',
    description: 'Read a UTF-8 text file in the workspace.',
    parameters: { type: 'object', properties: { path: { type: 'string', description: 'Path relative to the workspace' } }, required: ['path'] },
  },
  {
    name: 'edit_file',
    description: 'Replace one exact occurrence of old_string with new_string in a file.',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, old_string: { type: 'string' }, new_string: { type: 'string' } },
      required: ['path', 'old_string', 'new_string'],
    },
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file with the given content.',
    parameters: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
  },
  {
    name: 'run_command',
    description: 'Run a node command (e.g. `node test/run.js`) in the workspace and return its output.',
    parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
];

/** Claude Code's subagent tool: the agent runs it by starting a subagent on `prompt` (session.ts). */
export const AGENT_TOOL_SPEC: ToolSpec = {
  name: 'Agent',
  description: 'Start a subagent on a task; its final answer comes back as this tool result.',
  parameters: {
    type: 'object',
    properties: { description: { type: 'string' }, prompt: { type: 'string' }, subagent_type: { type: 'string' } },
    required: ['description', 'prompt'],
  },
};

export interface ToolContext {
  workspace: string;
  /** How long the demo test suite takes (DEMO_TEST_MS for test/run.js). */
  testRunMs: number;
}

export interface ToolOutcome {
  output: string;
  isError: boolean;
}

/** A path inside the workspace, or an error: the model never reaches outside it. */
function inside(ws: string, p: unknown): string {
  if (typeof p !== 'string' || !p) throw new Error('path must be a non-empty string');
  const abs = resolve(ws, p);
  const rel = relative(ws, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`path ${p} is outside the workspace`);
  return abs;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new Error(`${name} must be a string`);
  return v;
}

/**
 * Only `node …` commands run (with this Node binary, no shell): enough for the demo's test run and
 * no way for a model to run anything else on the user's machine.
 */
function runNode(ctx: ToolContext, command: string): Promise<ToolOutcome> {
  const argv = command.trim().split(/\s+/);
  if (argv[0] !== 'node' || argv.length < 2) return Promise.resolve({ output: `only \`node <script> …\` commands can run here (got: ${command})`, isError: true });
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, argv.slice(1), {
      cwd: ctx.workspace,
      env: { ...process.env, DEMO_TEST_MS: String(ctx.testRunMs) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ output: `could not start: ${err.message}`, isError: true });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ output: `${out}${out.endsWith('\n') || !out ? '' : '\n'}exit code ${code ?? signal}`, isError: code !== 0 });
    });
  });
}

export async function runTool(ctx: ToolContext, name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
  try {
    switch (name) {
      case 'read_file':
        return { output: await readFile(inside(ctx.workspace, input.path), 'utf8'), isError: false };
      case 'edit_file': {
        const p = inside(ctx.workspace, input.path);
        const text = await readFile(p, 'utf8');
        const from = str(input.old_string, 'old_string');
        const at = text.indexOf(from);
        if (at < 0) return { output: `old_string not found in ${String(input.path)}`, isError: true };
        await writeFile(p, text.slice(0, at) + str(input.new_string, 'new_string') + text.slice(at + from.length));
        return { output: `edited ${String(input.path)}`, isError: false };
      }
      case 'write_file': {
        const p = inside(ctx.workspace, input.path);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, str(input.content, 'content'));
        return { output: `wrote ${String(input.path)}`, isError: false };
      }
      case 'run_command':
        return await runNode(ctx, str(input.command, 'command'));
      default:
        return { output: `unknown tool ${name}`, isError: true };
    }
  } catch (err) {
    return { output: (err as Error).message, isError: true };
  }
}

/** One short line describing a call, for the agent's console output. */
export function describeCall(name: string, input: Record<string, unknown>): string {
  const arg = input.path ?? input.command ?? input.description ?? '';
  return `${name} ${String(arg)}`.trim();
}
