// Client-side faults: the harness aborts mid-stream (both SDKs), reads very slowly (backpressure:
// `lapse proxy`'s memory stays bounded, measured with bench/slow-reader), and sends 200 requests at once.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { bodyText, formatSse } from '../../format/index.js';
import { anthropicEvents, chatEvents, ofKind, outcome, recording, removeTmpDirs, sleep, startUpstream, type Handler } from './helpers.js';
// @ts-expect-error: a plain .mjs bench script, no types
import { measure } from '../../bench/slow-reader/run.mjs';

const MB = 1024 * 1024;
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

async function setup(handler: Handler) {
  const up = await startUpstream(handler);
  const rec = await recording(up.url);
  cleanup.push(() => up.close(), () => rec.finish());
  return { up, rec };
}

describe('client faults', () => {
  it('abort mid-stream (both SDKs): the same outcome; the upstream request is cancelled; the trace says aborted after the events seen', async () => {
    let closedEarly = 0;
    const { up, rec } = await setup(async (req, res) => {
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const anthropic = req.url!.startsWith('/v1/messages');
      const parts = Array.from({ length: 300 }, (_, i) => `t${i} `);
      const events = anthropic ? anthropicEvents(parts) : chatEvents(parts);
      for (const e of events) {
        if (res.destroyed) return;
        res.write(e);
        await sleep(5);
      }
      res.end();
    });
    const viaAnthropic = (baseURL: string) =>
      outcome(async (ev) => {
        const ctl = new AbortController();
        const s = await new Anthropic({ baseURL, apiKey: 'sk-ant-api03-abortabortabortabort', maxRetries: 0 }).messages.create({ model: 'm', max_tokens: 9, stream: true, messages: [{ role: 'user', content: 'go' }] }, { signal: ctl.signal });
        for await (const e of s) if (ev.push(e.type) === 5) ctl.abort();
        return 'ended';
      });
    const viaOpenAI = (baseURL: string) =>
      outcome(async (ev) => {
        const ctl = new AbortController();
        const s = await new OpenAI({ baseURL, apiKey: 'sk-proj-abortabortabortabort', maxRetries: 0 }).chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] }, { signal: ctl.signal });
        for await (const c of s) if (ev.push(c.choices[0]?.delta?.content ?? '') === 5) ctl.abort();
        return 'ended';
      });
    const a = [await viaAnthropic(up.url), await viaAnthropic(rec.anthropic)];
    const o = [await viaOpenAI(`${up.url}/v1`), await viaOpenAI(rec.openai)];
    expect(a[1]).toEqual(a[0]);
    expect(o[1]).toEqual(o[0]);
    expect(a[0].events).toHaveLength(5);
    expect(o[0].events).toHaveLength(5);
    // every one of the four streams was cut off at the upstream, long before its 300 events
    for (let i = 0; i < 50 && closedEarly < 4; i++) await sleep(20);
    expect(closedEarly).toBe(4);

    const trace = await rec.finish();
    const ends = ofKind(trace.records, 'http-end');
    expect(ends.map((e) => e.outcome)).toEqual(['aborted', 'aborted']);
    for (const id of ['r1', 'r2']) {
      const data = ofKind(trace.records, 'http-data').filter((d) => d.id === id);
      expect(data.length).toBeGreaterThanOrEqual(5);
      expect(data.length).toBeLessThan(300);
    }
  });

  it('a slow reader of a fast 200 MB stream: the upstream is held back, lapse proxy\'s memory stays bounded (bench/slow-reader)', async () => {
    // The first 50 MB at 25 MB/s, then the rest at full speed; the whole stream must arrive.
    const r = await measure({ totalBytes: 200 * MB, rateBytesPerSec: 25 * MB, fastAfterBytes: 50 * MB });
    const mb = (b: number) => (b / MB).toFixed(1);
    console.log(`slow reader: ${mb(r.bytes)} MB in ${(r.ms / 1000).toFixed(1)} s; lapse proxy RSS ${mb(r.baselineRss)} MB at rest, peak ${mb(r.peakRss)} MB (slow phase ${mb(r.slowPeakRss)} MB, kernel HWM ${mb(r.hwm)} MB); upstream at most ${mb(r.maxLead)} MB ahead of the reader`);
    expect(r.exitCode).toBe(0);
    expect(r.bytes).toBeGreaterThanOrEqual(200 * MB);
    // Backpressure, the sharp check: the upstream can only get socket buffers ahead of the reader.
    expect(r.slowMaxLead).toBeLessThan(48 * MB);
    // Memory, the generous bound: the writer may hold up to 64 MiB of payloads behind before it sheds.
    if (Number.isFinite(r.hwm)) expect(r.hwm - r.baselineRss).toBeLessThan(400 * MB);
  }, 120_000);

  it('200 concurrent requests: every one answered correctly through lapse as without it, every one recorded', async () => {
    const N = 200;
    const { up, rec } = await setup(async (_req, res, body) => {
      const marker = JSON.parse(body.toString()).messages[0].content as string;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of anthropicEvents([`echo `, marker])) {
        res.write(e);
        await sleep(1 + Math.floor(Math.random() * 5));
      }
      res.end();
    });
    const run = async (baseURL: string) => {
      const client = new Anthropic({ baseURL, apiKey: 'sk-ant-api03-concurrentconcurrent', maxRetries: 0 });
      return Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const s = client.messages.stream({ model: 'm', max_tokens: 9, messages: [{ role: 'user', content: `request-${i}` }] });
          return (await s.finalText()) as string;
        }),
      );
    };
    const expected = Array.from({ length: N }, (_, i) => `echo request-${i}`);
    const direct = await run(up.url);
    const proxied = await run(rec.anthropic);
    expect(direct).toEqual(expected);
    expect(proxied).toEqual(expected);
    expect(up.requests).toHaveLength(2 * N);

    const trace = await rec.finish();
    const reqs = ofKind(trace.records, 'http-request');
    expect(reqs).toHaveLength(N);
    const ends = ofKind(trace.records, 'http-end');
    expect(ends).toHaveLength(N);
    expect(ends.every((e) => e.outcome === 'complete')).toBe(true);
    // each exchange's body and events belong together
    const byId = new Map(reqs.map((r) => [r.id, JSON.parse(bodyText(r.body)).messages[0].content as string]));
    expect(new Set(byId.values()).size).toBe(N);
    const texts = new Map<string, string>();
    for (const d of ofKind(trace.records, 'http-data')) texts.set(d.id, (texts.get(d.id) ?? '') + formatSse(d.sse!));
    for (const [id, marker] of byId) expect(texts.get(id)).toBe(anthropicEvents(['echo ', marker]).join(''));
  }, 60_000);
});

