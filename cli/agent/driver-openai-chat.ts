// OpenAI Chat Completions through the openai SDK: streamed turns, `tool` messages by tool_call_id.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { type Driver, type DriverConfig, type Reply, type RequestOptions, type ToolResult, SUBAGENT_PROMPT, TITLE_PROMPT, parseArgs } from './driver.js';
import { TOOL_SPECS } from './tools.js';

const MODEL = 'gpt-5';
const SIDE_MODEL = 'gpt-5-mini';

export function openaiChatDriver(baseURL: string, apiKey: string, cfg: DriverConfig, shared?: OpenAI): Driver {
  const client = shared ?? new OpenAI({ baseURL, apiKey, maxRetries: 2 });
  const tools: ChatCompletionTool[] = cfg.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: cfg.system }];
  return {
    open: async () => {},
    user: (text) => void messages.push({ role: 'user', content: text }),
    perRequestOptions: true,
    async next(opts?: RequestOptions): Promise<Reply> {
      const done = await client.chat.completions.stream({ model: MODEL, messages, tools, stream_options: { include_usage: true } }, opts).finalChatCompletion();
      const msg = done.choices[0]?.message;
      if (!msg) throw new Error('the model answered with no choices');
      const calls = (msg.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
      messages.push({
        role: 'assistant',
        content: msg.content ?? null,
        ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } })) } : {}),
      });
      return { text: msg.content ?? '', toolCalls: calls.map((c) => ({ id: c.id, name: c.function.name, input: parseArgs(c.function.arguments) })) };
    },
    toolResults(results: ToolResult[]) {
      for (const r of results) messages.push({ role: 'tool', tool_call_id: r.id, content: r.output });
    },
    async title(firstPrompt) {
      const done = await client.chat.completions.create({
        model: SIDE_MODEL,
        max_completion_tokens: 32,
        messages: [
          { role: 'system', content: TITLE_PROMPT },
          { role: 'user', content: firstPrompt },
        ],
      });
      return (done.choices[0]?.message.content ?? '').trim();
    },
    subagent: (agentId) => openaiChatDriver(baseURL, apiKey, { system: SUBAGENT_PROMPT, tools: TOOL_SPECS, claudeCodeMarks: false, agentId }, client),
    close: async () => {},
  };
}
