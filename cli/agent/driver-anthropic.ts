// Anthropic Messages through @anthropic-ai/sdk: streamed turns, tool_result blocks by tool_use_id.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { type Driver, type DriverConfig, type Reply, type RequestOptions, type ToolResult, SUBAGENT_PROMPT, TITLE_PROMPT, billingLine } from './driver.js';
import { TOOL_SPECS } from './tools.js';

const MODEL = 'claude-sonnet-4-6';
const SIDE_MODEL = 'claude-haiku-4-5';

export function anthropicDriver(baseURL: string, apiKey: string, cfg: DriverConfig, shared?: Anthropic): Driver {
  const client = shared ?? new Anthropic({ baseURL, apiKey, maxRetries: 2 });
  const tools: Tool[] = cfg.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
  const messages: MessageParam[] = [];
  const sub = cfg.agentId !== undefined;
  const system: string | TextBlockParam[] = cfg.claudeCodeMarks
    ? [
        { type: 'text', text: billingLine(sub) },
        { type: 'text', text: cfg.system },
      ]
    : cfg.system;
  const headers: Record<string, string> = cfg.claudeCodeMarks && sub ? { 'x-claude-code-agent-id': cfg.agentId! } : {};
  return {
    open: async () => {},
    user: (text) => void messages.push({ role: 'user', content: text }),
    perRequestOptions: true,
    async next(opts?: RequestOptions): Promise<Reply> {
      const o = { ...opts, headers: { ...headers, ...opts?.headers } };
      const msg = await client.messages.stream({ model: MODEL, max_tokens: 4096, system, tools, messages }, o).finalMessage();
      messages.push({ role: 'assistant', content: msg.content });
      const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      const toolCalls = msg.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: (b.input ?? {}) as Record<string, unknown> }] : []));
      return { text, toolCalls };
    },
    toolResults(results: ToolResult[]) {
      messages.push({
        role: 'user',
        content: results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.output, is_error: r.isError })),
      });
    },
    async title(firstPrompt) {
      const msg = await client.messages.create({ model: SIDE_MODEL, max_tokens: 32, system: TITLE_PROMPT, messages: [{ role: 'user', content: firstPrompt }] });
      return msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('').trim();
    },
    subagent: (agentId) => anthropicDriver(baseURL, apiKey, { system: SUBAGENT_PROMPT, tools: TOOL_SPECS, claudeCodeMarks: cfg.claudeCodeMarks, agentId }, client),
    close: async () => {},
  };
}
