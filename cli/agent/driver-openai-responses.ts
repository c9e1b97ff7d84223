// OpenAI Responses through the openai SDK, over HTTP SSE or over the Responses WebSocket mode
// (`ResponsesWS`, which uses `ws`). Either way each request sends only the new items and continues
// the previous response by `previous_response_id`; tool results go back as function_call_output by call_id.
import OpenAI from 'openai';
import type { FunctionTool, Response, ResponseInputItem } from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { type Driver, type DriverConfig, type Reply, type RequestOptions, type ToolResult, SUBAGENT_PROMPT, TITLE_PROMPT, parseArgs } from './driver.js';
import { TOOL_SPECS } from './tools.js';

const MODEL = 'gpt-5';
const SIDE_MODEL = 'gpt-5-mini';
/** What Codex sends when it opens the Responses WebSocket. */
const WS_BETA = 'responses_websockets=2026-02-06';

/** From the output items (WebSocket events carry the raw response, without the SDK's `output_text`). */
function replyOf(r: Response): Reply {
  const toolCalls = r.output.flatMap((o) => (o.type === 'function_call' ? [{ id: o.call_id, name: o.name, input: parseArgs(o.arguments) }] : []));
  const text = r.output
    .flatMap((o) => (o.type === 'message' ? o.content.map((c) => (c.type === 'output_text' ? c.text : '')) : []))
    .join('');
  return { text, toolCalls };
}

export function openaiResponsesDriver(baseURL: string, apiKey: string, websocket: boolean, cfg: DriverConfig, shared?: OpenAI): Driver {
  const client = shared ?? new OpenAI({ baseURL, apiKey, maxRetries: 2 });
  const tools: FunctionTool[] = cfg.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: false }));
  let previous: string | undefined;
  let pending: ResponseInputItem[] = [];
  let socket: ResponsesWS | undefined;

  /** Sends one response.create on the socket and collects events until the response ends. */
  const overSocket = (event: Record<string, unknown>): Promise<Response> =>
    new Promise((resolve, reject) => {
      const ws = socket;
      if (!ws) return reject(new Error('the Responses WebSocket is not open'));
      const cleanup = (): void => {
        ws.off('event', onEvent as never);
        ws.off('error', onError as never);
        ws.off('close', onClose as never);
      };
      const onEvent = (e: { type: string; response?: Response }): void => {
        if (e.type === 'response.completed' || e.type === 'response.incomplete') {
          cleanup();
          resolve(e.response as Response);
        } else if (e.type === 'response.failed') {
          cleanup();
          reject(new Error(`response failed: ${JSON.stringify(e.response?.error ?? null)}`));
        }
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onClose = (code: number): void => {
        cleanup();
        reject(new Error(`the Responses WebSocket closed (code ${code}) before the response ended`));
      };
      ws.on('event', onEvent as never);
      ws.on('error', onError as never);
      ws.on('close', onClose as never);
      ws.send(event as never);
    });

  return {
    async open() {
      if (!websocket) return;
      socket = new ResponsesWS(client, { headers: { 'OpenAI-Beta': WS_BETA } });
      // Warm-up, as Codex does: instructions and tools, no output; the first turn continues from it.
      const warm = await overSocket({ type: 'response.create', model: MODEL, instructions: cfg.system, tools, input: [], generate: false });
      previous = warm.id;
    },
    user: (text) => void pending.push({ role: 'user', content: text }),
    perRequestOptions: !websocket,
    async next(opts?: RequestOptions): Promise<Reply> {
      const body = { model: MODEL, instructions: cfg.system, tools, input: pending, ...(previous ? { previous_response_id: previous } : {}) };
      const r = socket ? await overSocket({ type: 'response.create', ...body }) : await client.responses.stream(body, opts).finalResponse();
      previous = r.id;
      pending = [];
      return replyOf(r);
    },
    toolResults(results: ToolResult[]) {
      for (const r of results) pending.push({ type: 'function_call_output', call_id: r.id, output: r.output });
    },
    async title(firstPrompt) {
      // Over HTTP even in WebSocket mode: the socket serves one response at a time.
      const r = await client.responses.create({ model: SIDE_MODEL, instructions: TITLE_PROMPT, input: firstPrompt, max_output_tokens: 32, store: false });
      return replyOf(r).text.trim();
    },
    // Over HTTP even in WebSocket mode: the socket serves one response at a time, and the subagents run side by side.
    subagent: (agentId) => openaiResponsesDriver(baseURL, apiKey, false, { system: SUBAGENT_PROMPT, tools: TOOL_SPECS, claudeCodeMarks: false, agentId }, client),
    async close() {
      if (!socket) return;
      const ws = socket;
      socket = undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        ws.on('close', (() => {
          clearTimeout(t);
          resolve();
        }) as never);
        ws.close();
      });
    },
  };
}
