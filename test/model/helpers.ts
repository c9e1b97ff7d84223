// Shared set-up for the endpoint tests: a fast server, SDK clients pointed at it, a custom script.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll } from 'vitest';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../cli/model/server.js';
import type { ScriptStep } from '../../cli/model/script.js';
export { TOOLS_ANTHROPIC, TOOLS_CHAT, TOOLS_RESPONSES } from '../factory/sdk-tools.js';

export const FAST = { ttftMs: 20, tokensPerSecond: 2000 } as const;

/** A server that is closed when the test file ends. */
export async function server(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const s = await startModelServer({ ...FAST, seed: 1, ...opts });
  afterAll(() => s.close());
  return s;
}

export function anthropic(s: ModelServer, maxRetries = 0): Anthropic {
  return new Anthropic({ baseURL: s.url, apiKey: 'sk-ant-test', maxRetries });
}

export function openai(s: ModelServer, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'sk-test', maxRetries });
}

export const TOOL_STEP: ScriptStep = {
  text: 'Let me look at both files.',
  toolCalls: [
    { name: 'read_file', arguments: { path: 'src/math.js' } },
    { name: 'read_file', arguments: { path: 'test/math.test.js', lines: [1, 20] } },
  ],
};
export const TEXT_STEP: ScriptStep = { text: 'All done: the add function now adds.' };

/** Step 0 asks for two tools, step 1 answers in text. */
export const TWO_STEPS: ScriptStep[] = [TOOL_STEP, TEXT_STEP];

/** Raw HTTP, for what SDKs hide (exact SSE text, status codes). */
export async function post(s: ModelServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Splits SSE text into events with their name and parsed data. */
export function parseSse(text: string): Array<{ event?: string; data: string; json?: any }> {
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      const d = data.join('\n');
      let json: any;
      try {
        json = JSON.parse(d);
      } catch {
        json = undefined;
      }
      return { event, data: d, json };
    });
}
