import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { makeSchedule } from '../../cli/model/pacing.js';
import { mulberry32 } from '../../cli/model/rng.js';
import { countTokens, tokenize } from '../../cli/model/tokens.js';
import { openai, parseSse, post, server } from './helpers.js';

const LONG = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} explains the change.`).join(' ');

describe('tokens', () => {
  it('splits text into word-ish pieces that join back exactly', () => {
    for (const s of ['', 'hello', '  lead and trail  ', LONG, '{"path":"src/math.js","n":[1,2]}', 'ünïcödé — 漢字 ok\n\nnext']) {
      expect(tokenize(s).join('')).toBe(s);
      expect(countTokens(s)).toBe(tokenize(s).length);
    }
    expect(tokenize('Fix the add function.')).toEqual(['Fix', ' the', ' add', ' function', '.']);
  });
});

describe('schedule', () => {
  it('is deterministic with a seed and keeps the mean rate under jitter', () => {
    const pace = (seed: number) => ({ ttftMs: 300, tokensPerSecond: 100, jitter: 0.8, rng: mulberry32(seed) });
    const a = makeSchedule(2000, pace(7));
    expect(makeSchedule(2000, pace(7))).toEqual(a);
    expect(makeSchedule(2000, pace(8))).not.toEqual(a);
    expect(a.content[0]).toBe(300);
    expect((a.end - 300) / 2000).toBeCloseTo(10, 0); // mean interval 10 ms
    const gaps = a.content.slice(1).map((t, i) => t - a.content[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2 - 1e-9);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(18 + 1e-9);
  });

  it('without jitter: the end is one interval after the last token', () => {
    const s = makeSchedule(5, { ttftMs: 50, tokensPerSecond: 100, jitter: 0, rng: Math.random });
    expect(s.content).toEqual([50, 60, 70, 80, 90]);
    expect(s.end).toBe(100);
  });
});

/**
 * Within ±15 % of the expected value, plus 25 ms for the measuring client's own scheduling (the
 * server-side log is checked without that allowance).
 */
function expectNear(measured: number, expected: number): void {
  expect(measured).toBeGreaterThan(expected * 0.85);
  expect(measured).toBeLessThan(expected * 1.15 + 25);
}

/**
 * The test machine is shared and can be very busy; load only ever adds delay. So a timing check
 * gets up to three tries and passes on the first that holds (a pacing bug fails all three).
 */
async function bestOfThree(attempt: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i === 3) throw err;
    }
  }
}

describe('pacing measured by a client', async () => {
  const ttftMs = 200;
  const tokensPerSecond = 200;
  const s = await server({ ttftMs, tokensPerSecond, script: () => ({ text: LONG }) });

  // Timed with plain fetch: an SDK client's first calls spend tens of ms setting itself up, which is
  // the client's time, not the model's.
  it('Anthropic SSE: TTFT and token rate match the settings (±15 %), usage = deltas', async () => {
    await (await fetch(`${s.url}/v1/models`)).json(); // fetch's own first-use set-up, kept out of the timing
    await bestOfThree(async () => {
      const t0 = performance.now();
      const res = await post(s, '/v1/messages', { model: 'm', max_tokens: 4000, stream: true, messages: [{ role: 'user', content: 'go' }] });
      const reader = res.body!.getReader();
      const splitter = new TextDecoder();
      let text = '';
      let first = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += splitter.decode(value, { stream: true });
        if (!first && text.includes('"text_delta"')) first = performance.now();
      }
      const end = performance.now();
      const events = parseSse(text);
      const n = events.filter((e) => e.event === 'content_block_delta').length;
      expect(events.find((e) => e.event === 'message_delta')!.json.usage.output_tokens).toBe(n);
      expect(n).toBe(countTokens(LONG));
      expectNear(first - t0, ttftMs);
      expectNear(((end - first) / n) * tokensPerSecond, 1000); // stream time per token vs 1/rate
      // the server's own log, free of client-side scheduling noise, holds to the setting tightly
      const e = s.stats().log.at(-1)!;
      expect(e.firstContentAt! - e.arrivedAt).toBeGreaterThanOrEqual(ttftMs - 1);
      expect(e.firstContentAt! - e.arrivedAt).toBeLessThan(ttftMs * 1.15);
      expect(e.outputTokens).toBe(n);
    });
  });

  it('Responses: the non-streamed body arrives after TTFT + tokens / rate', async () => {
    const client = openai(s);
    await client.models.list();
    await bestOfThree(async () => {
      const t0 = performance.now();
      const r = await client.responses.create({ model: 'm', input: 'go' });
      expectNear(performance.now() - t0, ttftMs + (r.usage!.output_tokens / tokensPerSecond) * 1000);
    });
  });

  it('stops sending when the client aborts', async () => {
    // slow enough (about 5 s of tokens) that even a busy client aborts long before the end
    const slow = await server({ ttftMs: 0, tokensPerSecond: 20, script: () => ({ text: LONG }) });
    const ac = new AbortController();
    const stream = await openai(slow).chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] }, { signal: ac.signal });
    let n = 0;
    // the SDK ends the iteration quietly on abort
    for await (const c of stream) {
      if (c.choices[0]?.delta.content && ++n === 5) ac.abort();
    }
    await new Promise((r) => setTimeout(r, 100));
    const entry = slow.stats().log.at(-1)!;
    expect(entry.status).toBe('aborted');
    expect(entry.outputTokens).toBeLessThan(countTokens(LONG) / 2);
  });
});
