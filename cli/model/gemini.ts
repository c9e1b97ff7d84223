// Gemini API: `…/models/{model}:streamGenerateContent?alt=sse` (one GenerateContentResponse per
// `data:` line, no [DONE]; the last carries finishReason and usageMetadata) and `:generateContent`
// (one GenerateContentResponse). A function call is one whole part (Gemini does not stream arguments),
// so on this protocol a tool call is one token of the plan.
import type { Frame } from './frames.js';
import type { Plan } from './plan.js';

export interface GeminiCtx {
  responseId: string;
  model: string;
  inputTokens: number;
}

const FINISH = { end_turn: 'STOP', tool_use: 'STOP', max_tokens: 'MAX_TOKENS' } as const;

/** The plan as Gemini sends it: each tool call's arguments in one piece (one content frame, one token). */
export function geminiPlan(plan: Plan): Plan {
  const toolCalls = plan.toolCalls.map((c) => ({ ...c, pieces: [c.argsText] }));
  const outputTokens = plan.thinking.length + plan.text.length + toolCalls.length;
  return { ...plan, toolCalls, outputTokens };
}

function usage(ctx: GeminiCtx, plan: Plan, output: number): Record<string, unknown> {
  const thoughts = Math.min(plan.thinking.length, output);
  return {
    promptTokenCount: ctx.inputTokens,
    candidatesTokenCount: output - thoughts,
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    totalTokenCount: ctx.inputTokens + output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: ctx.inputTokens }],
  };
}

function functionCallPart(c: Plan['toolCalls'][number]): Record<string, unknown> {
  return { functionCall: { id: c.id, name: c.name, args: JSON.parse(c.argsText) } };
}

function response(ctx: GeminiCtx, parts: unknown[], extra: Record<string, unknown> = {}, candidate: Record<string, unknown> = {}): Record<string, unknown> {
  return { candidates: [{ content: { role: 'model', parts }, index: 0, ...candidate }], ...extra, modelVersion: ctx.model, responseId: ctx.responseId };
}

export function geminiFrames(plan: Plan, ctx: GeminiCtx): Frame[] {
  const f: Frame[] = [];
  for (const t of plan.thinking) f.push({ kind: 'content', data: response(ctx, [{ text: t, thought: true }]) });
  for (const t of plan.text) f.push({ kind: 'content', data: response(ctx, [{ text: t }]) });
  for (const c of plan.toolCalls) f.push({ kind: 'content', data: response(ctx, [functionCallPart(c)]) });
  // The real API's last chunk: an empty text part, the finish reason and the usage.
  f.push({ kind: 'struct', data: response(ctx, [{ text: '' }], { usageMetadata: usage(ctx, plan, plan.outputTokens) }, { finishReason: FINISH[plan.stopReason] }) });
  return f;
}

export function geminiResponse(plan: Plan, ctx: GeminiCtx): Record<string, unknown> {
  const parts: unknown[] = [];
  if (plan.thinking.length) parts.push({ text: plan.thinking.join(''), thought: true });
  if (plan.text.length) parts.push({ text: plan.text.join('') });
  for (const c of plan.toolCalls) parts.push(functionCallPart(c));
  return response(ctx, parts, { usageMetadata: usage(ctx, plan, plan.outputTokens) }, { finishReason: FINISH[plan.stopReason] });
}

export function geminiErrorBody(status: number, message: string): Record<string, unknown> {
  const name = status === 429 ? 'RESOURCE_EXHAUSTED' : status === 400 ? 'INVALID_ARGUMENT' : status === 404 ? 'NOT_FOUND' : status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
  return { error: { code: status, message, status: name } };
}

export function geminiErrorFrame(message: string): Frame {
  return { kind: 'struct', data: geminiErrorBody(500, message) };
}

/**
 * A JSON value that satisfies a response schema (structured output: `responseJsonSchema` or
 * `responseSchema`), for the side requests harnesses make that expect JSON back (a classifier, a
 * "who speaks next" check): required properties filled with the first enum value or an empty value.
 */
export function jsonForSchema(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 8) return null;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (Array.isArray(s.anyOf) && s.anyOf.length) return jsonForSchema(s.anyOf[0], depth + 1);
  const type = String(Array.isArray(s.type) ? s.type[0] : (s.type ?? 'object')).toLowerCase();
  if (type === 'object') {
    const props = (s.properties && typeof s.properties === 'object' ? s.properties : {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) out[k] = jsonForSchema(v, depth + 1);
    return out;
  }
  if (type === 'array') return [];
  if (type === 'string') return 'lapse scripted answer';
  if (type === 'number' || type === 'integer') return typeof s.minimum === 'number' ? s.minimum : typeof s.maximum === 'number' ? Math.min(0, s.maximum) : 0;
  if (type === 'boolean') return false;
  return null;
}

/** The project the scripted Code Assist account answers with. */
export const CODE_ASSIST_PROJECT = 'lapse-scripted';

/**
 * Gemini Code Assist's account calls (`/v1internal:METHOD`, Gemini CLI logged in with Google), answered
 * as an onboarded free-tier user with a project, so that the CLI goes on to its model calls; null for
 * a method that is not one of them. Only what the CLI reads is filled in.
 */
export function codeAssistAccount(method: string): Record<string, unknown> | null {
  const tier = { id: 'free-tier', name: 'lapse scripted', description: "lapse's scripted endpoint", userDefinedCloudaicompanionProject: false, isDefault: true, hasOnboardedPreviously: true };
  switch (method) {
    case 'loadCodeAssist':
      return { currentTier: tier, allowedTiers: [tier], cloudaicompanionProject: CODE_ASSIST_PROJECT };
    case 'onboardUser':
      return { name: 'operations/lapse', done: true, response: { cloudaicompanionProject: { id: CODE_ASSIST_PROJECT, name: CODE_ASSIST_PROJECT } } };
    case 'retrieveUserQuota':
      return { buckets: [] };
    case 'listExperiments':
      return { experimentIds: [], flags: [] };
    case 'fetchAdminControls':
    case 'recordCodeAssistMetrics':
    case 'getCodeAssistGlobalUserSetting':
    case 'setCodeAssistGlobalUserSetting':
      return {};
    default:
      return null;
  }
}
