// Cost equals the price table's own calcPrice for the same usage: the table's extractors read the raw
// API usage (its own way of not double-billing cache tokens), lapse reads the same bytes through its
// decoders, and the two prices must agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calcPrice, extractUsage, findProvider } from '@pydantic/genai-prices';
import { analyseRecords } from '../../analysis/session.js';
import { statsJson } from '../../analysis/json.js';
import { PRICES, priceUsage, requestCost } from '../../analysis/cost.js';
import type { Protocol, RequestModel } from '../../analysis/model.js';
import type { TraceRecord } from '../../format/types.js';
import { byTime, exitAt, httpRecords, sessionRecord } from '../factory/records.js';

const STARTED_AT = 1_700_000_000_000; // the helpers' session record

function jsonExchange(id: string, url: string, body: unknown, response: unknown, startMs: number): TraceRecord[] {
  return httpRecords({ id, url, body, startMs, headMs: startMs + 100, eventMs: [startMs + 400], chunks: [JSON.stringify(response)], endMs: startMs + 410 });
}

function tablePrice(providerId: string, flavor: string | undefined, response: unknown, atMs: number): number {
  const { model, usage } = extractUsage(findProvider({ providerId })!, response, flavor);
  return calcPrice(usage, model!, { providerId, timestamp: new Date(atMs) })!.total_price;
}

describe('cost', () => {
  it('pins the table version it reports', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(readFileSync(new URL('../../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(pkg.dependencies['@pydantic/genai-prices']).toBe(PRICES.version);
    expect(installed.version).toBe(PRICES.version);
  });

  it('an Anthropic session with cache reads, 5-minute and 1-hour writes', () => {
    const responses = [
      { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn',
        usage: { input_tokens: 12, cache_creation_input_tokens: 30_000, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 10_000, ephemeral_1h_input_tokens: 20_000 }, output_tokens: 420 } },
      { id: 'msg_2', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn',
        usage: { input_tokens: 7, cache_creation_input_tokens: 800, cache_read_input_tokens: 30_000, cache_creation: { ephemeral_5m_input_tokens: 800, ephemeral_1h_input_tokens: 0 }, output_tokens: 95 } },
    ];
    const body = { model: 'claude-sonnet-4-5-20250929', stream: false, messages: [{ role: 'user', content: 'hello' }] };
    const recs = byTime([sessionRecord()], jsonExchange('r1', '/v1/messages', body, responses[0], 0), jsonExchange('r2', '/v1/messages', body, responses[1], 2000), exitAt(3000));
    const s = statsJson(analyseRecords(recs));
    const expected = responses.map((r, i) => tablePrice('anthropic', 'default', r, STARTED_AT + i * 2000));
    expect(s.requests.map((r) => r.costUsd)).toEqual(expected.map((p) => expect.closeTo(p, 9)));
    expect(s.costUsd).toBeCloseTo(expected[0] + expected[1], 9);
    expect(s.requests.map((r) => [r.cacheReadTokens, r.cacheWriteTokens])).toEqual([[0, 30_000], [30_000, 800]]);
    // billing the cache twice (inside and beside input) or the 1-hour writes at the 5-minute rate would differ
    const naive = calcPrice({ input_tokens: 12 + 30_000, cache_write_tokens: 30_000, output_tokens: 420 }, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price;
    expect(s.requests[0].costUsd).toBeGreaterThan(naive);
    expect(s.prices).toEqual({ source: '@pydantic/genai-prices', version: PRICES.version });
  });

  it('an OpenAI Responses session with cached input (inside input_tokens)', () => {
    const response = { id: 'resp_1', object: 'response', model: 'gpt-5', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }],
      usage: { input_tokens: 50_000, input_tokens_details: { cached_tokens: 42_000 }, output_tokens: 900, output_tokens_details: { reasoning_tokens: 300 }, total_tokens: 50_900 } };
    const body = { model: 'gpt-5', stream: false, input: [{ role: 'user', content: 'hello' }] };
    const recs = byTime([sessionRecord()], jsonExchange('r1', '/v1/responses', body, response, 0), exitAt(1000));
    const s = statsJson(analyseRecords(recs));
    const expected = tablePrice('openai', 'responses', response, STARTED_AT);
    expect(s.requests[0].costUsd).toBeCloseTo(expected, 9);
    expect(s.costUsd).toBeCloseTo(expected, 9);
    expect(s.requests[0].cacheReadTokens).toBe(42_000);
  });

  it('an unknown model costs null, and so does the session', () => {
    const response = { id: 'resp_1', object: 'response', model: 'no-such-model-9', status: 'completed', output: [], usage: { input_tokens: 10, output_tokens: 5 } };
    const recs = byTime([sessionRecord()], jsonExchange('r1', '/v1/responses', { model: 'no-such-model-9', input: [] }, response, 0), exitAt(1000));
    const s = statsJson(analyseRecords(recs));
    expect(s.requests[0].costUsd).toBeNull();
    expect(s.costUsd).toBeNull();
  });

  it('a model met again is priced as calcPrice prices it (the match found once, by name)', () => {
    const request = (model: string, protocol: Protocol, inputTokens: number, outputTokens: number, cacheReadTokens: number | null = null, cacheWriteTokens: number | null = null, cacheWrite1hTokens: number | null = null) =>
      ({ model, protocol, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens }) as RequestModel;
    const PROVIDER = { 'anthropic-messages': 'anthropic', 'openai-chat': 'openai', 'openai-responses': 'openai', 'gemini-generate-content': 'google' } as const;
    const direct = (r: RequestModel, at: number): number | null => {
      const usage = priceUsage(r);
      const timestamp = new Date(at);
      try {
        const res = calcPrice(usage, r.model!, { providerId: PROVIDER[r.protocol], timestamp }) ?? calcPrice(usage, r.model!, { timestamp });
        return res ? res.total_price : null;
      } catch {
        return null;
      }
    };
    const day = Date.UTC(2025, 5, 1, 12); // o3's price changed on 2025-06-10; deepseek-chat's by the time of day
    const cases: Array<[RequestModel, number]> = [
      [request('claude-sonnet-4-5-20250929', 'anthropic-messages', 20_010, 2_505, 20_000), day],
      [request('claude-sonnet-4-5-20250929', 'anthropic-messages', 250_000, 900, 100_000, 30_000, 20_000), day], // past the 200k tier
      [request('claude-3-7-sonnet-20250219', 'anthropic-messages', 5_000, 70, 0, 4_000, 0), day],
      [request('o3', 'openai-responses', 50_000, 900, 42_000), day],
      [request('o3', 'openai-responses', 50_000, 900, 42_000), day + 30 * 86_400_000],
      [request('deepseek-chat', 'openai-chat', 9_000, 300, 1_000), day],
      [request('deepseek-chat', 'openai-chat', 9_000, 300, 1_000), day + 8 * 3_600_000],
      [request('gpt-4o-2024-08-06', 'openai-chat', 1_000, 10), day],
      [request('gemini-2.5-pro', 'gemini-generate-content', 300_000, 2_000, 10_000), day],
      [request('no-such-model-9', 'openai-responses', 10, 5), day],
      [request('gpt-5', 'openai-responses', 10, 5, 20), day], // more cached than input: the table refuses it
    ];
    const expected = cases.map(([r, at]) => direct(r, at));
    expect(expected.filter((c) => c === null)).toHaveLength(2);
    expect(new Set(expected).size).toBeGreaterThan(8); // the dates, tiers and times of day change prices
    // twice over: the first meeting of a model finds its entry, every later one uses it
    for (let round = 0; round < 2; round++) expect(cases.map(([r, at]) => requestCost(r, at))).toEqual(expected);
  });
});
