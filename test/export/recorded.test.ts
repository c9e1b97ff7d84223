// Exports of real recorded sessions: `lapse demo` drives the scripted agent (official SDKs) through the
// real recorder against the built-in model endpoint; each export is validated and checked against
// `lapse stats --json` of the same trace.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Har } from '../../cli/export/har.js';
import type { ChromeTrace } from '../../cli/export/chrome.js';
import type { OtlpTraces } from '../../cli/export/otlp.js';
import { lapse, near, statsOf, tempDir } from './helpers.js';
import { validateHar } from './validate-har.js';
import { validateTraceEvents } from './validate-chrome.js';
import { validateOtlp } from './validate-otlp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.each(['anthropic', 'openai-ws'])('exports of a recorded %s demo session', (protocol) => {
  it('are valid and agree with lapse stats', async () => {
    const trace = join(tmp.dir, `${protocol}.lapse`);
    const env = { LAPSE_HOME: tmp.dir };
    const demo = await lapse(['demo', '--protocol', protocol, '--ttft', '40', '--tps', '2000', '--think-ms', '100', '--test-ms', '100', '-o', trace], env);
    expect(demo.code, demo.stderr).toBe(0);
    const stats = await statsOf(trace);
    expect(stats.requests.length).toBeGreaterThan(2);

    for (const format of ['har', 'chrome', 'otlp']) {
      const r = await lapse(['export', trace, '--format', format, '-o', join(tmp.dir, `${protocol}.${format}`)], env);
      expect(r.code, r.stderr).toBe(0);
    }
    const har = JSON.parse(readFileSync(join(tmp.dir, `${protocol}.har`), 'utf8')) as Har;
    const chrome = JSON.parse(readFileSync(join(tmp.dir, `${protocol}.chrome`), 'utf8')) as ChromeTrace;
    const otlp = JSON.parse(readFileSync(join(tmp.dir, `${protocol}.otlp`), 'utf8')) as OtlpTraces;
    expect(validateHar(har)).toEqual([]);
    expect(validateTraceEvents(chrome)).toEqual([]);
    expect(validateOtlp(otlp)).toEqual([]);

    // HAR: each model call's timings; the response bodies are really there.
    const modelEntries = har.log.entries.flatMap((e) => (e._lapse ? (Array.isArray(e._lapse.responses) ? (e._lapse.responses as Array<Record<string, unknown>>) : [e._lapse]) : []));
    expect(modelEntries.map((x) => x.id).sort()).toEqual(stats.requests.map((r) => r.id).sort());
    for (const r of stats.requests) {
      const x = modelEntries.find((m) => m.id === r.id)!;
      expect(x).toMatchObject({ ttftMs: r.ttftMs, outputTokens: r.outputTokens, stopReason: r.stopReason });
    }
    if (protocol === 'anthropic') {
      const sse = har.log.entries.filter((e) => e._sseEvents && e._sseEvents.length > 0);
      expect(sse.length).toBeGreaterThan(0);
      expect(sse[0].response.content.text).toMatch(/^event: message_start\ndata: /);
    } else {
      const ws = har.log.entries.find((e) => e._resourceType === 'websocket')!;
      expect(ws._webSocketMessages!.some((m) => m.type === 'send' && m.data.includes('response.create'))).toBe(true);
    }

    // Chrome: the critical path sums to the session; OTLP: chat spans carry the stats' tokens.
    const crit = chrome.traceEvents.filter((e) => e.ph === 'X' && e.cat?.startsWith('critical'));
    expect(near(crit.reduce((n, e) => n + e.dur!, 0) / 1000, stats.durationMs, 0.01)).toBe(true);
    const spans = otlp.resourceSpans[0].scopeSpans[0].spans;
    const chats = spans.filter((s) => s.attributes.some((a) => a.key === 'gen_ai.operation.name' && (a.value as { stringValue?: string }).stringValue === 'chat'));
    expect(chats.length).toBe(stats.requests.length);
    const outTokens = (s: (typeof spans)[number]) => Number((s.attributes.find((a) => a.key === 'gen_ai.usage.output_tokens')?.value as { intValue?: string } | undefined)?.intValue ?? NaN);
    expect(chats.map(outTokens).reduce((a, b) => a + b, 0)).toBe(stats.requests.reduce((n, r) => n + (r.outputTokens ?? 0), 0));
    expect(spans.filter((s) => s.name.startsWith('execute_tool ')).length).toBeGreaterThan(0);
  });
});
