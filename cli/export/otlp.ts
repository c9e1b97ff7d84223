// OTLP/JSON traces following the OpenTelemetry GenAI semantic conventions: one `invoke_agent` root
// span for the session, a `chat` client span per model call, an `execute_tool` span per tool gap on
// the critical path (and a `user` span per wait for the person). Pure: no node: imports.
import { bodyJson } from '../../format/body.js';
import type { Protocol, RequestModel } from '../../analysis/model.js';
import type { Exchange, ExchangesData } from '../../analysis/handlers/exchanges.js';
import { decoderFor } from '../../analysis/protocols/index.js';
import { startedAtOf, type ExportInput } from './input.js';
import { attributes, spanIdFor, traceIdFor, unixNano, SPAN_KIND, STATUS_CODE, type AttrValue, type KeyValue } from './otlp-json.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: KeyValue[] }>;
  links: Array<{ traceId: string; spanId: string; attributes: KeyValue[] }>;
  status: { code?: number; message?: string };
}

export interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: KeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

/** `gen_ai.provider.name` well-known values. */
export function providerOf(p: Protocol): 'anthropic' | 'openai' | 'gcp.gemini' {
  return p === 'anthropic-messages' ? 'anthropic' : p === 'gemini-generate-content' ? 'gcp.gemini' : 'openai';
}

export function toOtlp(input: ExportInput): OtlpTraces {
  const m = input.model;
  const t0 = startedAtOf(input);
  const at = (ms: number): string => unixNano(t0 + ms);
  const s = m.session;
  const agent = s?.harness ?? s?.argv[0] ?? 'agent';
  const traceId = traceIdFor(`${t0}|${s?.argv.join('\u0000') ?? ''}|${s?.cwd ?? ''}|${m.durationMs}|${m.trace.records}`);
  const rootId = spanIdFor(traceId, 'root');
  const chatId = (id: string): string => spanIdFor(traceId, `chat:${id}`);
  const upstreams = upstreamsById(input.exchanges);
  const byId = new Map(m.requests.map((r) => [r.id, r] as const));
  const spans: OtlpSpan[] = [];
  const span = (key: string, name: string, kind: number, startMs: number, endMs: number, attrs: Record<string, AttrValue>): OtlpSpan => {
    const sp: OtlpSpan = {
      traceId,
      spanId: key === 'root' ? rootId : spanIdFor(traceId, key),
      name,
      kind,
      startTimeUnixNano: at(startMs),
      endTimeUnixNano: at(Math.max(startMs, endMs)),
      attributes: attributes(attrs),
      events: [],
      links: [],
      status: {},
    };
    if (key !== 'root') sp.parentSpanId = rootId;
    spans.push(sp);
    return sp;
  };

  const providers = [...new Set(m.requests.map((r) => providerOf(r.protocol)))];
  const sum = (f: (r: RequestModel) => number | null): number | null => {
    const known = m.requests.map(f).filter((v): v is number => v !== null);
    return known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
  };
  span('root', `invoke_agent ${agent}`, SPAN_KIND.internal, 0, m.durationMs, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': agent,
    'gen_ai.provider.name': providers.length === 1 ? providers[0] : null,
    'gen_ai.usage.input_tokens': sum((r) => r.inputTokens),
    'gen_ai.usage.output_tokens': sum((r) => r.outputTokens),
    'lapse.duration_ms': { double: m.durationMs },
    'lapse.breakdown.model_wait_ms': { double: m.breakdown.modelWaitMs },
    'lapse.breakdown.model_stream_ms': { double: m.breakdown.modelStreamMs },
    'lapse.breakdown.tool_ms': { double: m.breakdown.toolMs },
    'lapse.breakdown.user_ms': { double: m.breakdown.userMs },
    'lapse.breakdown.harness_ms': { double: m.breakdown.harnessMs },
    'lapse.requests': m.requests.length,
    'lapse.side_requests': m.sideRequests.length,
    'lapse.turns': m.turns.length,
    'lapse.trace.truncated': m.trace.truncated,
  });

  m.requests.forEach((r, i) => {
    const req = requestParams(input.exchanges.byId.get(r.id), r);
    const server = upstreams.get(r.id);
    const requestModel = r.model;
    const errored = r.status !== 'complete';
    const sp = span(`chat:${r.id}`, requestModel ? `chat ${requestModel}` : 'chat', SPAN_KIND.client, r.startMs, r.endMs, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': providerOf(r.protocol),
      'gen_ai.request.model': requestModel,
      'gen_ai.response.model': r.responseModel,
      'gen_ai.response.id': r.responseId,
      'gen_ai.response.finish_reasons': r.stopReason !== null ? [r.stopReason] : null,
      // Defined for streaming responses only; lapse.ttft_ms carries it for plain JSON ones too.
      'gen_ai.response.time_to_first_chunk': r.ttftMs !== null && r.streamed ? { double: r.ttftMs / 1000 } : null,
      'gen_ai.usage.input_tokens': r.inputTokens,
      'gen_ai.usage.output_tokens': r.outputTokens,
      'gen_ai.usage.cache_read.input_tokens': r.cacheReadTokens,
      'gen_ai.usage.cache_creation.input_tokens': r.cacheWriteTokens,
      'gen_ai.request.max_tokens': req.maxTokens,
      'gen_ai.request.temperature': req.temperature !== null ? { double: req.temperature } : null,
      'gen_ai.request.top_p': req.topP !== null ? { double: req.topP } : null,
      'gen_ai.request.stream': r.streamed,
      'gen_ai.conversation.id': r.thread,
      'server.address': server?.host ?? null,
      'server.port': server?.port ?? null,
      'http.response.status_code': r.transport === 'http' ? r.httpStatus : null,
      'error.type': errored ? (r.httpStatus !== null && r.httpStatus >= 400 ? String(r.httpStatus) : r.status) : null,
      'lapse.request.id': r.id,
      'lapse.protocol': r.protocol,
      'lapse.transport': r.transport,
      'lapse.critical': r.critical,
      'lapse.ttft_ms': r.ttftMs !== null ? { double: r.ttftMs } : null,
      'lapse.stream_ms': r.streamMs !== null ? { double: r.streamMs } : null,
      'lapse.tokens_per_second': r.tokensPerSecond !== null ? { double: r.tokensPerSecond } : null,
      'lapse.tool_calls': r.toolCalls.length > 0 ? r.toolCalls.map((c) => c.name) : null,
      'lapse.stalls': r.stalls.length,
    });
    if (r.firstContentMs !== null) sp.events.push({ timeUnixNano: at(r.firstContentMs), name: 'gen_ai.first_chunk', attributes: [] });
    if (r.dependsOn) sp.links.push({ traceId, spanId: chatId(r.dependsOn), attributes: attributes({ 'lapse.dependency': r.dependency }) });
    if (errored) sp.status = { code: STATUS_CODE.error, message: r.error ?? r.status };
    if (i % 200 === 199) input.onProgress?.(i + 1, m.requests.length);
  });

  m.criticalPath.forEach((seg, i) => {
    if (seg.kind !== 'tool' && seg.kind !== 'user') return;
    const r = seg.requestId ? byId.get(seg.requestId) : undefined;
    if (seg.kind === 'user') {
      span(`user:${i}`, 'user', SPAN_KIND.internal, seg.startMs, seg.endMs, { 'lapse.segment': 'user', 'lapse.after_request': seg.requestId });
      return;
    }
    const calls = r?.toolCalls ?? [];
    const names = [...new Set(calls.map((c) => c.name))];
    const toolName = names.length > 0 ? names.join(', ') : 'unknown';
    // One span per gap: the trace shows how long the harness ran tools, not how it split that time among them.
    const sp = span(`tool:${i}`, `execute_tool ${toolName}`, SPAN_KIND.internal, seg.startMs, seg.endMs, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': toolName,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': calls.length === 1 ? calls[0].id : null,
      'lapse.segment': 'tool',
      'lapse.tool.calls': calls.length,
      'lapse.tool.call_ids': calls.length > 1 ? calls.map((c) => c.id ?? '') : null,
    });
    if (r) sp.links.push({ traceId, spanId: chatId(r.id), attributes: attributes({ 'lapse.dependency': 'requested-by' }) });
    for (const f of m.files) {
      if (f.segment !== i) continue;
      sp.events.push({ timeUnixNano: at(f.tMs), name: `file.${f.op}`, attributes: attributes({ 'file.path': f.path, 'lapse.file.from': f.from }) });
    }
  });
  input.onProgress?.(m.requests.length, m.requests.length);

  const resource: Record<string, AttrValue> = {
    'service.name': agent,
    'process.command_args': s && s.argv.length > 0 ? s.argv : null,
    'lapse.version': input.lapseVersion ?? s?.lapseVersion ?? null,
    'lapse.trace.file': m.trace.path ? (m.trace.path.split(/[\\/]/).pop() ?? null) : null,
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [{ scope: { name: 'lapse', version: input.lapseVersion ?? s?.lapseVersion ?? '0.0.0' }, spans }],
      },
    ],
  };
}

/** Sampling parameters of a request, as its protocol reads them from the body (or `response.create` frame). */
function requestParams(x: Exchange | undefined, r: RequestModel): { maxTokens: number | null; temperature: number | null; topP: number | null } {
  const rec = x?.request;
  const body = rec ? (rec.kind === 'http-request' ? rec.body : rec.binary ? null : rec.data) : null;
  const info = decoderFor(r.protocol).request(body ? bodyJson(body) : undefined);
  return { maxTokens: info.maxTokens, temperature: info.temperature, topP: info.topP };
}

/** host and port of the upstream each exchange went to, by exchange id. */
function upstreamsById(ex: ExchangesData): Map<string, { host: string; port: number }> {
  const out = new Map<string, { host: string; port: number }>();
  const seen = new Map<string, { host: string; port: number } | null>();
  for (const x of ex.exchanges) {
    let v = seen.get(x.upstream);
    if (v === undefined) {
      v = parseHost(x.upstream);
      seen.set(x.upstream, v);
    }
    if (v) out.set(x.id, v);
  }
  return out;
}

function parseHost(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === 'http:' || u.protocol === 'ws:' ? 80 : 443;
    return { host: u.hostname, port };
  } catch {
    return null;
  }
}

