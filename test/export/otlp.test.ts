import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toOtlp, type OtlpSpan, type OtlpTraces } from '../../cli/export/otlp.js';
import { tracesUrl } from '../../cli/export/post.js';
import { lapse, near, sessionOnDisk, statsOf, tempDir, type StatsJson } from './helpers.js';
import { STARTED_AT } from '../factory/mixed-session.js';
import { validateOtlp } from './validate-otlp.js';

type Any = Record<string, unknown>;

const tmp = tempDir();
let path: string;
let otlp: OtlpTraces;
let stats: StatsJson;

beforeAll(async () => {
  const s = sessionOnDisk(tmp.dir);
  path = s.path;
  otlp = toOtlp(s.input);
  stats = await statsOf(path);
});
afterAll(() => tmp.cleanup());

const spansOf = (doc: OtlpTraces): OtlpSpan[] => doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
function attr(s: OtlpSpan, key: string): unknown {
  const kv = s.attributes.find((a) => a.key === key);
  if (!kv) return undefined;
  const v = kv.value as Any;
  if ('intValue' in v) return Number(v.intValue);
  if ('arrayValue' in v) return (v.arrayValue as { values: Array<{ stringValue: string }> }).values.map((x) => x.stringValue);
  return Object.values(v)[0];
}
const ms = (nanos: string): number => Number(BigInt(nanos) - BigInt(STARTED_AT) * 1_000_000n) / 1e6;

describe('OTLP export', () => {
  it('follows the OTLP/JSON mapping: hex ids, string int64 times, AnyValue attributes, one root', () => {
    expect(validateOtlp(otlp)).toEqual([]);
    const spans = spansOf(otlp);
    const root = spans.find((s) => s.parentSpanId === undefined)!;
    expect(root.name).toBe('invoke_agent claude');
    expect(attr(root, 'gen_ai.operation.name')).toBe('invoke_agent');
    expect(attr(root, 'gen_ai.agent.name')).toBe('claude');
    expect(root.startTimeUnixNano).toBe(`${STARTED_AT}000000`);
    expect(near(ms(root.endTimeUnixNano), stats.durationMs)).toBe(true);
    const resource = otlp.resourceSpans[0].resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value).toEqual({ stringValue: 'claude' });
  });

  it('has a chat span per model call with the GenAI attributes, agreeing with lapse stats', () => {
    const chats = spansOf(otlp).filter((s) => attr(s, 'gen_ai.operation.name') === 'chat');
    expect(chats.length).toBe(stats.requests.length);
    for (const r of stats.requests) {
      const s = chats.find((c) => attr(c, 'lapse.request.id') === r.id)!;
      expect(s.kind).toBe(3); // CLIENT
      expect(near(ms(s.startTimeUnixNano), r.startMs)).toBe(true);
      expect(near(ms(s.endTimeUnixNano), r.endMs)).toBe(true);
      expect(attr(s, 'gen_ai.request.model')).toBe(r.model);
      expect(attr(s, 'gen_ai.usage.input_tokens')).toBe(r.inputTokens ?? undefined);
      expect(attr(s, 'gen_ai.usage.output_tokens')).toBe(r.outputTokens ?? undefined);
      expect(attr(s, 'gen_ai.response.finish_reasons')).toEqual(r.stopReason === null ? undefined : [r.stopReason]);
      if (r.ttftMs !== null) expect(near((attr(s, 'lapse.ttft_ms') as number), r.ttftMs)).toBe(true);
      expect(s.status.code === 2).toBe(r.status !== 'complete');
    }
    const r1 = chats.find((c) => attr(c, 'lapse.request.id') === 'r1')!;
    expect(r1.name).toBe('chat claude-sonnet-4-5');
    expect(attr(r1, 'gen_ai.provider.name')).toBe('anthropic');
    expect(attr(r1, 'gen_ai.response.model')).toBe('claude-sonnet-4-5-20250929');
    expect(attr(r1, 'gen_ai.response.id')).toBe('msg_01');
    expect(attr(r1, 'gen_ai.response.time_to_first_chunk')).toBeCloseTo(0.8, 9);
    expect(attr(r1, 'gen_ai.usage.cache_read.input_tokens')).toBe(800);
    expect(attr(r1, 'server.address')).toBe('api.anthropic.com');
    const ws = chats.find((c) => attr(c, 'lapse.request.id') === 'w1#1')!;
    expect(attr(ws, 'gen_ai.provider.name')).toBe('openai');
    expect(attr(ws, 'gen_ai.response.id')).toBe('resp_1');
    expect(attr(ws, 'gen_ai.request.max_tokens')).toBe(4000);
    const err = chats.find((c) => attr(c, 'lapse.request.id') === 'r3a')!;
    expect(attr(err, 'error.type')).toBe('529');
    // A plain JSON answer has no "first chunk" in the GenAI sense; lapse keeps its TTFT.
    const plain = chats.find((c) => attr(c, 'lapse.request.id') === 'r2')!;
    expect(attr(plain, 'gen_ai.response.time_to_first_chunk')).toBeUndefined();
  });

  it('has an execute_tool span per tool gap of the critical path, with the file changes in it', () => {
    const tools = spansOf(otlp).filter((s) => attr(s, 'gen_ai.operation.name') === 'execute_tool');
    expect(tools.map((s) => [s.name, attr(s, 'gen_ai.tool.name'), attr(s, 'gen_ai.tool.call.id')])).toEqual([
      ['execute_tool Bash', 'Bash', 'toolu_1'],
      ['execute_tool shell', 'shell', 'call_1'],
    ]);
    const total = tools.reduce((n, s) => n + (ms(s.endTimeUnixNano) - ms(s.startTimeUnixNano)), 0);
    expect(near(total, stats.breakdown.toolMs)).toBe(true);
    expect(tools[0].events.map((e) => [e.name, ms(e.timeUnixNano)])).toEqual([['file.modify', 2500]]);
    const users = spansOf(otlp).filter((s) => s.name === 'user');
    expect(near(users.reduce((n, s) => n + ms(s.endTimeUnixNano) - ms(s.startTimeUnixNano), 0), stats.breakdown.userMs)).toBe(true);
  });

  it('gives the same ids when the same trace is exported twice', () => {
    const again = toOtlp(sessionOnDisk(tmp.dir).input);
    expect(spansOf(again).map((s) => s.spanId)).toEqual(spansOf(otlp).map((s) => s.spanId));
    expect(spansOf(again)[0].traceId).toBe(spansOf(otlp)[0].traceId);
  });

  it('finds request and response fields again when the model was built without record lists', () => {
    const s = sessionOnDisk(tmp.dir);
    const lean = { ...s.input, model: { ...s.input.model, requests: s.input.model.requests.map((r) => ({ ...r, records: [] })) } };
    expect(toOtlp(lean)).toEqual(otlp);
  });

  it('appends /v1/traces only to a URL without a path', () => {
    expect(tracesUrl('http://127.0.0.1:4318').href).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://127.0.0.1:4318/').href).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/otlp/v1/traces').href).toBe('http://collector:4318/otlp/v1/traces');
  });
});

describe('lapse export --otlp-endpoint', () => {
  let server: Server;
  let port: number;
  const received: Array<{ method: string; url: string; type: string; body: string }> = [];
  let answer: { status: number; body: string } = { status: 200, body: '{}' };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', type: String(req.headers['content-type']), body });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('POSTs the export to a local collector, which decodes it', async () => {
    received.length = 0;
    answer = { status: 200, body: '{"partialSuccess":{}}' };
    const r = await lapse(['export', path, '--otlp-endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`sent ${spansOf(otlp).length} spans to http://127.0.0.1:${port}/v1/traces`));
    expect(received.length).toBe(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/traces', type: 'application/json' });
    const decoded = JSON.parse(received[0].body) as OtlpTraces;
    expect(validateOtlp(decoded)).toEqual([]);
    expect(spansOf(decoded).map((s) => [s.spanId, s.name, s.startTimeUnixNano])).toEqual(spansOf(otlp).map((s) => [s.spanId, s.name, s.startTimeUnixNano]));
  });

  it('reports spans the collector rejected', async () => {
    answer = { status: 200, body: '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}' };
    const r = await lapse(['export', path, '--otlp-endpoint', `http://127.0.0.1:${port}/v1/traces`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/rejected 2 spans: too old/);
  });

  it('turns a collector error, an unreachable collector and bad flags into one line and exit 2', async () => {
    answer = { status: 400, body: '{"code":3,"message":"bad span"}\nmore' };
    const bad = await lapse(['export', path, '--otlp-endpoint', `http://127.0.0.1:${port}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lapse: collector at http:\/\/127\.0\.0\.1:\d+\/v1\/traces answered 400 Bad Request: \{"code":3,"message":"bad span"\}\n$/);

    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = await lapse(['export', path, '--otlp-endpoint', `http://127.0.0.1:${closed}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^lapse: cannot send to collector at .*: ECONNREFUSED\n$/);

    for (const args of [
      ['export', path, '--otlp-endpoint', 'not a url'],
      ['export', path, '--format', 'har', '--otlp-endpoint', `http://127.0.0.1:${port}`],
      ['export', path],
      ['export', path, '--format', 'pdf'],
      ['export', `${tmp.dir}/missing.lapse`, '--format', 'otlp'],
    ]) {
      const r = await lapse(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').length, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--help teaches with examples', async () => {
    const r = await lapse(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--format har -o session\.har/);
    expect(r.stdout).toMatch(/--otlp-endpoint/);
  });
});
