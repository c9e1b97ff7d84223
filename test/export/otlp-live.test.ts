// `lapse record --otlp-endpoint`: a tiny OTLP/HTTP receiver on loopback gets each request's spans while
// the session runs (the scripted agent, 10 requests, through the real recorder against the built-in
// endpoint), with the GenAI conventions' names and the ids `lapse export --format otlp` gives; and a
// receiver stopped halfway leaves the session as it was: every request answered, one warning, no wait.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OtlpSpan, OtlpTraces } from '../../cli/export/otlp.js';
import { lapse } from './helpers.js';
import { validateOtlp } from './validate-otlp.js';
import { checkLatencies, startLiveSession } from '../live-latency.js';

interface Arrival {
  wall: number;
  url: string;
  doc: OtlpTraces;
  spans: OtlpSpan[];
}

/** A collector: POST /v1/traces, OTLP/JSON in, 200 out; every arrival kept with its time. */
async function receiver(): Promise<{ url: string; arrivals: Arrival[]; stop(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const doc = JSON.parse(body) as OtlpTraces;
      arrivals.push({ wall: Date.now(), url: req.url ?? '', doc, spans: doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function attr(s: OtlpSpan, key: string): unknown {
  const v = s.attributes.find((a) => a.key === key)?.value as Record<string, unknown> | undefined;
  if (!v) return undefined;
  if ('intValue' in v) return Number(v.intValue);
  return Object.values(v)[0];
}

interface Session {
  code: number | null;
  stderr: string;
  exitedAt: number;
  trace: string;
  /** The endpoint's own log: when each model call's response ended (wall clock), in arrival order. */
  ends: number[];
}

/** Records the live session with `--otlp-endpoint`; `onEnd(n)` is called as the endpoint finishes the n-th response. */
async function record(dir: string, endpoint: string, onEnd?: (n: number) => void): Promise<Session> {
  const trace = join(dir, 'otlp.lapse');
  const live = await startLiveSession({ workspace: join(dir, 'ws'), recordArgs: ['-o', trace, '--otlp-endpoint', endpoint], ttftMs: 200, seed: 5, thinkMs: 600, testMs: 300, onEnd });
  try {
    return { ...(await live.exited), trace, ends: live.ends() };
  } finally {
    await live.close();
  }
}

describe('lapse record --otlp-endpoint', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('sends each request\'s spans to the collector as its response ends, with the export\'s names and ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-otlp-live-'));
    dirs.push(dir);
    const rx = await receiver();
    try {
      const s = await record(dir, rx.url);
      expect(s.code, s.stderr).toBe(0);
      expect(s.stderr).not.toMatch(/OTLP collector/);
      const spans = rx.arrivals.flatMap((a) => a.spans);
      expect(new Set(rx.arrivals.map((a) => a.url))).toEqual(new Set(['/v1/traces']));
      // every batch is OTLP/JSON with the session's resource; together they are one whole export
      const whole: OtlpTraces = { resourceSpans: [{ ...rx.arrivals[0].doc.resourceSpans[0], scopeSpans: [{ ...rx.arrivals[0].doc.resourceSpans[0].scopeSpans[0], spans }] }] };
      expect(validateOtlp(whole)).toEqual([]);
      const chats = spans.filter((sp) => attr(sp, 'gen_ai.operation.name') === 'chat');
      expect(chats.length).toBe(10);
      expect(s.ends.length).toBe(10);
      // during the session: the chat spans came in batches as responses ended, most before the recorder exited
      const arrivalOf = (sp: OtlpSpan): number => rx.arrivals.find((a) => a.spans.includes(sp))!.wall;
      const byStart = [...chats].sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
      checkLatencies('live OTLP (collector got the chat span)', byStart.map((sp, i) => ({ id: String(attr(sp, 'lapse.request.id')), endedAt: s.ends[i], shownAt: arrivalOf(sp), timed: true })));
      expect(rx.arrivals.length).toBeGreaterThan(3);
      // the conventions' current names
      for (const c of chats) {
        expect(c.name).toMatch(/^chat /);
        expect(attr(c, 'gen_ai.provider.name')).toBe('anthropic');
        // defined for streamed responses (the agent's own; its title request is a plain JSON one)
        if (attr(c, 'gen_ai.request.stream') === true) expect(attr(c, 'gen_ai.response.time_to_first_chunk')).toBeGreaterThan(0);
        expect(attr(c, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
        expect(attr(c, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
        expect(attr(c, 'gen_ai.request.max_tokens')).toBeGreaterThan(0);
      }
      expect(chats.filter((c) => attr(c, 'gen_ai.request.stream') === true).length).toBeGreaterThanOrEqual(9);
      const tools = spans.filter((sp) => attr(sp, 'gen_ai.operation.name') === 'execute_tool');
      expect(tools.length).toBeGreaterThan(0);
      const root = spans.filter((sp) => attr(sp, 'gen_ai.operation.name') === 'invoke_agent');
      expect(root.length).toBe(1);
      expect(rx.arrivals[rx.arrivals.length - 1].spans).toContain(root[0]);
      // the same spans as the export of the finished trace: one trace id, the same span ids and names
      const exp = await lapse(['export', s.trace, '--format', 'otlp']);
      expect(exp.code, exp.stderr).toBe(0);
      const exported = (JSON.parse(exp.stdout) as OtlpTraces).resourceSpans[0].scopeSpans[0].spans;
      expect(new Set(spans.map((sp) => sp.traceId))).toEqual(new Set([exported[0].traceId]));
      expect(spans.map((sp) => `${sp.spanId} ${sp.name}`).sort()).toEqual(exported.map((sp) => `${sp.spanId} ${sp.name}`).sort());
      const expChat = new Map(exported.map((sp) => [sp.spanId, sp] as const));
      for (const c of chats) {
        const e = expChat.get(c.spanId)!;
        for (const k of ['gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.response.time_to_first_chunk']) expect(attr(c, k), k).toEqual(attr(e, k));
        expect([c.startTimeUnixNano, c.endTimeUnixNano]).toEqual([e.startTimeUnixNano, e.endTimeUnixNano]);
      }
    } finally {
      await rx.stop();
    }
  }, 120_000);

  it('goes on unaffected when the collector stops halfway: every request answered, one warning, no wait at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-otlp-down-'));
    dirs.push(dir);
    const rx = await receiver();
    let stopped: Promise<void> | null = null;
    const s = await record(dir, rx.url, (n) => {
      if (n === 5) stopped = rx.stop();
    });
    await stopped;
    expect(s.code, s.stderr).toBe(0);
    const warnings = s.stderr.split('\n').filter((l) => /OTLP collector/.test(l));
    expect(warnings.length, s.stderr).toBe(1);
    expect(warnings[0]).toMatch(/the session is not affected/);
    // spans came while it was up
    expect(rx.arrivals.flatMap((a) => a.spans).filter((sp) => attr(sp, 'gen_ai.operation.name') === 'chat').length).toBeGreaterThanOrEqual(3);
    const st = await lapse(['stats', s.trace, '--json']);
    const stats = JSON.parse(st.stdout) as { requests: Array<{ status: string }> };
    expect(stats.requests.length).toBe(10);
    expect(stats.requests.every((r) => r.status === 'complete')).toBe(true);
    const tail = s.exitedAt - s.ends[s.ends.length - 1];
    process.stdout.write(`collector down: recorder exited ${Math.round(tail)} ms after the last response ended\n`);
    // closing never waits for a collector that is gone (the send budget at the end is 2 s)
    expect(tail).toBeLessThan(10_000);
  }, 120_000);
});
