// The built-in endpoint driving Codex's code mode, as Codex sends it on its default model: no `tools`,
// but an `additional_tools` input item whose `functions` namespace holds a freeform (`custom`) tool
// `exec` that runs JavaScript, the nested tools declared in its description. The endpoint answers
// with `custom_tool_call` items whose input is JavaScript calling `tools.exec_command`; the source is
// run here against a stand-in `tools` object to show it is valid and does what the session needs.
import { describe, expect, it } from 'vitest';
import { HELLO_OUTPUT } from '../../cli/model/harness-script.js';
import { parseSse, post, server } from './helpers.js';

// The shape of Codex 0.171's request (abridged description; the declarations as it writes them).
const EXEC_DESCRIPTION = `Run JavaScript code to orchestrate/compose tool calls
- All nested tools are available on the global \`tools\` object, for example \`await tools.exec_command(...)\`.

### \`exec_command\`
Runs a command in a PTY, returning output or a session ID for ongoing interaction.

exec tool declaration:
\`\`\`ts
declare const tools: { exec_command(args: {
  // Shell command to execute.
  cmd: string;
  // Working directory for the command. Defaults to the turn cwd.
  workdir?: string;
}): Promise<{
  // Command output text, possibly truncated.
  output: string;
}>; };
\`\`\`

### \`view_image\`
exec tool declaration:
\`\`\`ts
declare const tools: { view_image(args: {
  // Local filesystem path to an image file.
  path: string;
}): Promise<{ image_url: string; }>; };
\`\`\``;
const ADDITIONAL_TOOLS = {
  type: 'additional_tools',
  role: 'developer',
  tools: [
    { type: 'namespace', name: 'functions', description: '', tools: [{ type: 'custom', name: 'exec', description: EXEC_DESCRIPTION, format: { type: 'grammar', syntax: 'lark', definition: 'start: SOURCE\nSOURCE: /[\\s\\S]+/\n' } }] },
  ],
};
const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const ENV = user('<environment_context>\n  <cwd>/tmp/work</cwd>\n</environment_context>');

type Json = Record<string, any>;

/** Runs code-mode source with a `tools` stand-in; returns the nested calls it made and what it handed back. */
async function runSource(source: string, outputOf: (cmd: string) => string): Promise<{ calls: Array<[string, unknown]>; texts: string[] }> {
  const calls: Array<[string, unknown]> = [];
  const texts: string[] = [];
  const tools = new Proxy({}, { get: (_, name: string) => async (args: { cmd: string }) => (calls.push([name, args]), { output: outputOf(args.cmd), wall_time_seconds: 0 }) });
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
  await new AsyncFunction('tools', 'text', source)(tools, (v: unknown) => texts.push(String(v)));
  return { calls, texts };
}

describe('Codex code mode (a freeform exec tool in additional_tools)', async () => {
  const s = await server();

  async function turn(input: unknown[], previous?: string): Promise<{ id: string; events: Json[]; output: Json[] }> {
    const res = await post(s, '/v1/responses', { model: 'gpt-6.2-sol', stream: true, input, ...(previous ? { previous_response_id: previous } : {}) });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text()).map((e) => e.json as Json);
    const done = events.at(-1)!;
    expect(done.type).toBe('response.completed');
    return { id: done.response.id, events, output: done.response.output };
  }

  it('writes hello.js and runs it through tools.exec_command, then answers', async () => {
    const first = await turn([ADDITIONAL_TOOLS, ENV, user('Create hello.js that prints a greeting, then run it.')]);
    const call1 = first.output.find((o) => o.type === 'custom_tool_call')!;
    expect(call1).toMatchObject({ name: 'exec', namespace: 'functions' });
    // streamed as custom_tool_call_input deltas that add up to the input, one token each
    const deltas = first.events.filter((e) => e.type === 'response.custom_tool_call_input.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe(call1.input);
    expect(first.events.find((e) => e.type === 'response.custom_tool_call_input.done')?.input).toBe(call1.input);
    const ran1 = await runSource(call1.input, () => '');
    expect(ran1.calls).toHaveLength(1);
    expect(ran1.calls[0][0]).toBe('exec_command');
    expect((ran1.calls[0][1] as { cmd: string }).cmd).toMatch(/> hello\.js$/);

    const second = await turn([{ type: 'custom_tool_call_output', call_id: call1.call_id, output: [{ type: 'input_text', text: 'Script completed\n' }] }], first.id);
    const call2 = second.output.find((o) => o.type === 'custom_tool_call')!;
    const ran2 = await runSource(call2.input, (cmd) => (cmd === 'node hello.js' ? `${HELLO_OUTPUT}\n` : ''));
    expect(ran2.calls).toEqual([['exec_command', { cmd: 'node hello.js' }]]);
    expect(ran2.texts).toEqual([`${HELLO_OUTPUT}\n`]);

    const third = await turn([{ type: 'custom_tool_call_output', call_id: call2.call_id, output: [{ type: 'input_text', text: ran2.texts[0] }] }], second.id);
    expect(third.output.map((o) => o.type)).toEqual(['message']);
    expect(third.output[0].content[0].text).toContain(HELLO_OUTPUT);
    // usage counts every content delta, the freeform input's too
    const usage = first.events.at(-1)!.response.usage.output_tokens;
    expect(usage).toBe(first.events.filter((e) => /\.delta$/.test(e.type)).length);
  });
});
