// Code mode: a harness that offers one freeform tool taking JavaScript source, which calls the
// harness's real tools from a `tools` global (Codex on its newest models: `exec`, a Responses
// `custom` tool offered in an `additional_tools` input item). The nested tools are only described in
// that tool's description, as TypeScript declarations:
//   declare const tools: { exec_command(args: {
//     // Shell command to execute.
//     cmd: string;
//     …
//   }): Promise<{ output: string; … }>; };
// The scripted model reads those declarations and calls a nested tool with a line of JavaScript.
import type { Conversation } from './conversation.js';
import type { ToolCallSpec } from './script.js';

export interface CodeMode {
  /** The freeform tool that runs the source (`exec`). */
  tool: string;
  /** Each nested tool's argument keys, in declaration order, by name. */
  nested: Record<string, string[]>;
}

const DECLARATION = /declare const tools: \{ ([A-Za-z_$][\w$]*)\(([\s\S]*?)\): Promise/g;

/** The first freeform tool that declares nested tools on a `tools` global, or null. */
export function codeMode(c: Conversation): CodeMode | null {
  for (const tool of c.freeformTools) {
    const nested: Record<string, string[]> = {};
    for (const m of (c.toolDescriptions[tool] ?? '').matchAll(DECLARATION)) {
      // `args: { // comment\n  cmd: string;\n  workdir?: string; … }` → ['cmd', 'workdir']
      nested[m[1]] = [...m[2].matchAll(/^\s*([A-Za-z_$][\w$]*)\??:/gm)].map((k) => k[1]);
    }
    if (Object.keys(nested).length > 0) return { tool, nested };
  }
  return null;
}

/**
 * The code-mode call that runs `name(args)` and hands its output back: `text(…)` is how the
 * source returns something to the model (a result object's `output` when it has one).
 */
export function codeModeCall(cm: CodeMode, name: string, args: Record<string, unknown>): ToolCallSpec {
  const source = `const r = await tools.${name}(${JSON.stringify(args)});\ntext(typeof r === 'string' ? r : r.output ?? r);\n`;
  return { name: cm.tool, arguments: source };
}
