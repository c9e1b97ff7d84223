// One function per model request kind, independent of the transport: conversation → script step →
// plan → frames, then streamed (Sink) or answered as one JSON body.
import type { IncomingHttpHeaders } from 'node:http';
import { anthropicErrorBody, anthropicErrorFrame, anthropicFrames, anthropicMessage } from './anthropic.js';
import {
  type Conversation,
  anthropicConversation,
  chatConversation,
  geminiConversation,
  lastUserText,
  responsesConversation,
  responsesItems,
} from './conversation.js';
import type { Engine, RequestLogEntry, Sink } from './engine.js';
import { errorFor, pickFault } from './faults.js';
import type { Frame } from './frames.js';
import { chatCompletion, chatErrorFrame, chatFrames, openaiErrorBody } from './openai-chat.js';
import { responseObject, responseUsage, responsesErrorFrame, responsesFrames, sequencer } from './openai-responses.js';
import { type Plan, makePlan } from './plan.js';
import { geminiErrorBody, geminiErrorFrame, geminiFrames, geminiPlan, geminiResponse, jsonForSchema } from './gemini.js';
import { type ScriptStep, isSideRequest, resolveStep } from './script.js';

type Json = Record<string, unknown>;

/** What a handler needs from the transport. */
export interface Exchange {
  body: Json;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request arrived. */
  t0: number;
  transport: 'http' | 'websocket';
  path: string;
  /** Starts a streamed reply (SSE head, or nothing on a WebSocket). */
  openStream(requestId: string): Sink;
  /** A whole JSON reply (or, on a WebSocket, an `error` event for an error status). */
  json(status: number, body: Json | Json[], headers?: Record<string, string>): void;
  isClosed(): boolean;
}

interface Prepared {
  conv: Conversation;
  step: ScriptStep;
  plan: Plan;
  entry: RequestLogEntry;
}

type Style = 'anthropic' | 'openai' | 'gemini';

function errorBody(engine: Engine, style: Style, status: number, type: string | undefined, message: string): Json {
  const e = errorFor(status);
  if (style === 'anthropic') return anthropicErrorBody(type ?? e.anthropic, message, engine.ids.next('req_'));
  if (style === 'gemini') return geminiErrorBody(status, message);
  return openaiErrorBody(type ?? e.openai, message);
}

/** `over`: a step that replaces the script's (a structured-output answer); `stream` when the body does not say. */
function prepare(engine: Engine, ex: Exchange, conv: Conversation, callPrefix: string, over: { step?: ScriptStep; stream?: boolean } = {}): Prepared {
  const step = over.step ?? resolveStep(engine.script, conv);
  const fault = pickFault(step, ex.headers, lastUserText(conv));
  const plan0 = makePlan(step, conv, () => engine.ids.next(callPrefix), fault);
  const plan = conv.protocol === 'gemini' ? geminiPlan(plan0) : plan0;
  const agentId = ex.headers['x-claude-code-agent-id'];
  const entry = engine.begin(
    {
      protocol: conv.protocol,
      transport: ex.transport,
      path: ex.path,
      stream: over.stream ?? (ex.body.stream === true || ex.transport === 'websocket'),
      side: isSideRequest(conv),
      ...(typeof agentId === 'string' ? { agentId } : {}),
    },
    ex.t0,
  );
  return { conv, step, plan, entry };
}

/** Answers an injected HTTP error; true if it did. */
function httpFault(engine: Engine, ex: Exchange, p: Prepared, style: Style): boolean {
  const f = p.plan.fault;
  if (!f || f.kind !== 'http') return false;
  const body = errorBody(engine, style, f.status, f.type, f.message ?? errorFor(f.status).message);
  // A short retry-after keeps SDK retries (which are realistic) from slowing tests down.
  ex.json(f.status, body, { 'retry-after-ms': '200', 'x-should-retry': 'true' });
  engine.finish(p.entry, 'error', `injected HTTP ${f.status}`);
  return true;
}

/** For a non-streamed reply whose plan has a mid-stream fault: an error status instead of the body. */
function nonStreamFault(engine: Engine, ex: Exchange, p: Prepared, style: Style): boolean {
  const f = p.plan.fault;
  if (!f || f.kind === 'http') return false;
  ex.json(500, errorBody(engine, style, 500, undefined, errorFor(500).message));
  engine.finish(p.entry, 'error', `injected ${f.kind}`);
  return true;
}

async function replyWhole(engine: Engine, ex: Exchange, p: Prepared, style: Style, body: () => Json | Json[]): Promise<boolean> {
  if (!(await engine.generateTime(p.plan, ex.t0, ex.isClosed))) {
    engine.finish(p.entry, 'aborted', 'client went away');
    return false;
  }
  if (nonStreamFault(engine, ex, p, style)) return false;
  ex.json(200, body());
  p.entry.outputTokens = p.plan.outputTokens;
  engine.finish(p.entry, 'complete');
  return true;
}

export async function serveAnthropic(engine: Engine, ex: Exchange): Promise<void> {
  const p = prepare(engine, ex, anthropicConversation(ex.body), 'toolu_');
  if (httpFault(engine, ex, p, 'anthropic')) return;
  const ctx = { id: engine.ids.next('msg_'), model: p.conv.model, inputTokens: p.conv.inputTokens };
  if (ex.body.stream !== true) {
    await replyWhole(engine, ex, p, 'anthropic', () => anthropicMessage(p.plan, ctx));
    return;
  }
  const sink = ex.openStream(engine.ids.next('req_'));
  await engine.stream(sink, anthropicFrames(p.plan, ctx), p.plan, ex.t0, p.entry, () => anthropicErrorFrame('overloaded_error', 'Overloaded'));
}

export function serveCountTokens(engine: Engine, ex: Exchange): void {
  const conv = anthropicConversation(ex.body);
  const entry = engine.begin({ protocol: 'count-tokens', transport: ex.transport, path: ex.path, stream: false, side: true }, ex.t0);
  ex.json(200, { input_tokens: conv.inputTokens });
  engine.finish(entry, 'complete');
}

export async function serveChat(engine: Engine, ex: Exchange): Promise<void> {
  const p = prepare(engine, ex, chatConversation(ex.body), 'call_');
  if (httpFault(engine, ex, p, 'openai')) return;
  const so = ex.body.stream_options as Json | undefined;
  const ctx = {
    id: engine.ids.next('chatcmpl-'),
    model: p.conv.model,
    created: Math.floor(Date.now() / 1000),
    inputTokens: p.conv.inputTokens,
    includeUsage: !!so && so.include_usage === true,
  };
  if (ex.body.stream !== true) {
    await replyWhole(engine, ex, p, 'openai', () => chatCompletion(p.plan, ctx));
    return;
  }
  const sink = ex.openStream(engine.ids.next('req_'));
  await engine.stream(sink, chatFrames(p.plan, ctx), p.plan, ex.t0, p.entry, () => chatErrorFrame('server_error', 'The server had an error while processing your request (injected by lapse)'));
}

/** Responses over HTTP (SSE or JSON) and over WebSocket (`response.create` frames). */
export async function serveResponses(engine: Engine, ex: Exchange): Promise<void> {
  const body = ex.body;
  const prev = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
  const earlier = prev ? engine.store.history(prev) : [];
  if (!earlier) {
    const entry = engine.begin({ protocol: 'openai-responses', transport: ex.transport, path: ex.path, stream: false, side: false }, ex.t0);
    ex.json(400, openaiErrorBody('invalid_request_error', `Previous response with id '${prev}' not found.`, 'previous_response_not_found', 'previous_response_id'));
    engine.finish(entry, 'error', 'previous_response_not_found');
    return;
  }
  const history = [...earlier, ...responsesItems(body.input)];
  const conv = responsesConversation(body, history);
  const mkCtx = () => ({
    id: engine.ids.next('resp_'),
    model: conv.model,
    createdAt: Math.floor(Date.now() / 1000),
    inputTokens: conv.inputTokens,
    body,
    itemId: (prefix: string) => engine.ids.next(prefix),
  });

  // WebSocket warm-up: a response with no output, answered at once, that later requests can continue.
  if (body.generate === false) {
    const entry = engine.begin({ protocol: 'openai-responses', transport: ex.transport, path: ex.path, stream: ex.transport === 'websocket', side: true }, ex.t0);
    const ctx = mkCtx();
    const done = responseObject(ctx, 'completed', [], responseUsage(conv.inputTokens, 0, 0));
    engine.store.put(ctx.id, history, done);
    if (ex.transport === 'websocket' || body.stream === true) {
      const sink = ex.openStream(engine.ids.next('req_'));
      let n = 0;
      const ev = (type: string, response: Json): Frame => ({ kind: 'head', event: type, data: { type, sequence_number: n++, response } });
      sink.send(ev('response.created', responseObject(ctx, 'in_progress', [], null)));
      sink.send(ev('response.completed', done));
      sink.end();
    } else ex.json(200, done);
    engine.finish(entry, 'complete');
    return;
  }

  const p = prepare(engine, ex, conv, 'call_');
  if (httpFault(engine, ex, p, 'openai')) return;
  const ctx = mkCtx();
  const { frames, output, final } = responsesFrames(p.plan, ctx);
  if (ex.transport === 'http' && body.stream !== true) {
    if (await replyWhole(engine, ex, p, 'openai', () => final)) engine.store.put(ctx.id, [...history, ...output], final);
    return;
  }
  const sink = ex.openStream(engine.ids.next('req_'));
  const stamp = sequencer();
  const stamped: Sink = { ...sink, send: (f) => sink.send(stamp(f)) };
  const outcome = await engine.stream(stamped, frames, p.plan, ex.t0, p.entry, () =>
    responsesErrorFrame('server_error', 'The server had an error while processing your request (injected by lapse)'),
  );
  if (outcome === 'complete') engine.store.put(ctx.id, [...history, ...output], final);
}

/**
 * Gemini API `models/{model}:generateContent`, `:streamGenerateContent` (SSE with `alt=sse`, else one
 * JSON array), `:countTokens`. A request that asks for JSON output with a schema (a harness's
 * classifier or "who speaks next" check) gets a JSON value that fits it.
 */
export async function serveGemini(engine: Engine, ex: Exchange, model: string, method: string, sse: boolean, codeAssist = false): Promise<void> {
  const conv = geminiConversation(ex.body, model);
  // Code Assist's answers are the same GenerateContentResponses inside `{response}`.
  const wrap = (r: Json): Json => (codeAssist ? { response: r } : r);
  if (method === 'countTokens') {
    const entry = engine.begin({ protocol: 'count-tokens', transport: ex.transport, path: ex.path, stream: false, side: true }, ex.t0);
    ex.json(200, { totalTokens: conv.inputTokens });
    engine.finish(entry, 'complete');
    return;
  }
  const gen = (ex.body.generationConfig ?? {}) as Json;
  const schema = gen.responseJsonSchema ?? gen.responseSchema;
  const structured = gen.responseMimeType === 'application/json' && schema ? { text: JSON.stringify(jsonForSchema(schema)) } : undefined;
  const p = prepare(engine, ex, conv, 'call_', { step: structured, stream: method === 'streamGenerateContent' && sse });
  if (structured) p.entry.side = true;
  if (httpFault(engine, ex, p, 'gemini')) return;
  const ctx = { responseId: engine.ids.next('resp_'), model: conv.model, inputTokens: conv.inputTokens };
  if (method !== 'streamGenerateContent' || !sse) {
    const whole = wrap(geminiResponse(p.plan, ctx));
    await replyWhole(engine, ex, p, 'gemini', () => (method === 'streamGenerateContent' ? [whole] : whole));
    return;
  }
  const sink = ex.openStream(engine.ids.next('req_'));
  const frames = geminiFrames(p.plan, ctx).map((f) => ({ ...f, data: wrap(f.data as Json) }));
  await engine.stream(sink, frames, p.plan, ex.t0, p.entry, () => geminiErrorFrame('Internal error (injected by lapse)'));
}
