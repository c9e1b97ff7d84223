// What a session cost: each request's tokens (cache reads and writes included) priced with
// @pydantic/genai-prices' table. Platform-neutral (the package imports nothing from Node).
//
// The table's usage convention is the OpenAI one, which is also the session model's: `input_tokens`
// is the whole prompt, cache reads and writes are parts of it. Anthropic reports its cache tokens
// outside `input_tokens`; the decoder already folded them in (model.ts `inputTokens`), so passing the
// model's figures through as they are bills every token once.
import { calcPrice, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import type { Protocol, RequestModel, SessionModel } from './model.js';

/** The price table: its package and the exact version pinned in package.json (a test checks they agree). */
export const PRICES = { source: '@pydantic/genai-prices', version: '0.1.8' } as const;

/** The table's provider for each wire protocol; a model the provider does not list is looked up by name alone. */
const PROVIDER: Record<Protocol, string> = {
  'anthropic-messages': 'anthropic',
  'openai-chat': 'openai',
  'openai-responses': 'openai',
  // Gemini reports cached tokens inside promptTokenCount, as OpenAI does
  'gemini-generate-content': 'google',
};

/** The usage record the table prices, in its own key names. */
export function priceUsage(r: Pick<RequestModel, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'cacheWrite1hTokens'>): Record<string, number> {
  const u: Record<string, number> = { input_tokens: r.inputTokens ?? 0, output_tokens: r.outputTokens ?? 0 };
  if (r.cacheReadTokens) u.cache_read_tokens = r.cacheReadTokens;
  if (r.cacheWriteTokens) {
    u.cache_write_tokens = r.cacheWriteTokens;
    // 1-hour writes cost more than 5-minute ones; the rest of the writes are 5-minute ones.
    if (r.cacheWrite1hTokens) {
      u.cache_write_1h_tokens = r.cacheWrite1hTokens;
      u.cache_write_5m_tokens = r.cacheWriteTokens - r.cacheWrite1hTokens;
    }
  }
  return u;
}

/**
 * The table's entry for each (provider, model name) met so far, or null when it has none. calcPrice
 * finds the provider and walks its models' match rules on every call, half of its time; the entry it
 * found prices later requests of the same model through a provider that holds only that model, so
 * the prices (their dates and tiers) and the arithmetic stay the table's own.
 */
const entries = new Map<string, Provider | null>();

function priced(usage: Record<string, number>, model: string, protocol: Protocol, timestamp: Date | undefined): number | null {
  const providerId = PROVIDER[protocol];
  const key = `${providerId}\u0000${model}`;
  const entry = entries.get(key);
  if (entry === null) return null; // the match depends on the names alone: unknown stays unknown
  if (entry !== undefined) return calcPrice(usage, model, { provider: entry, timestamp })!.total_price;
  const res = calcPrice(usage, model, { providerId, timestamp }) ?? calcPrice(usage, model, { timestamp });
  entries.set(key, res ? onlyModel(res.provider, res.model) : null);
  return res ? res.total_price : null;
}

/**
 * The provider with one model. Without its fallback providers: the model was found in the provider or
 * in one of them, by the name or by its date-normalized form, and the one model matches the same way.
 */
function onlyModel(provider: Provider, model: ModelInfo): Provider {
  const { fallback_model_providers: _, ...rest } = provider;
  return { ...rest, models: [model] };
}

/**
 * USD for one request; null when it names no model, reported no usage, or the table does not know the
 * model (never a guess). `at`: when it ran (ms since the epoch), for prices that changed over time.
 */
export function requestCost(r: RequestModel, at: number | null): number | null {
  if (r.model === null || (r.inputTokens === null && r.outputTokens === null)) return null;
  try {
    return priced(priceUsage(r), r.model, r.protocol, at === null ? undefined : new Date(at));
  } catch {
    return null; // a price entry the table cannot apply to this usage
  }
}

export interface SessionCost {
  /** Per request id: its cost, or null. */
  requests: Map<string, number | null>;
  /** The sum; null when any request that reported usage could not be priced (a partial sum would understate). */
  totalUsd: number | null;
}

export function sessionCost(m: SessionModel): SessionCost {
  const startedAt = m.session?.startedAt ?? null;
  const requests = new Map<string, number | null>();
  let total: number | null = 0;
  for (const r of m.requests) {
    const c = requestCost(r, startedAt === null ? null : startedAt + r.startMs);
    requests.set(r.id, c);
    const used = r.inputTokens !== null || r.outputTokens !== null;
    if (c === null) {
      if (used) total = null;
    } else if (total !== null) total += c;
  }
  return { requests, totalUsd: total };
}
