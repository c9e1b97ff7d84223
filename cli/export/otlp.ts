// OTLP/JSON traces following the OpenTelemetry GenAI semantic conventions: one `invoke_agent` root
// span for the session, a `chat` client span per model call, an `execute_tool` span per tool gap on
// the critical path (and a `user` span per wait for the person). Pure: no node: imports.
import type { TraceRecord } from '../../format/types.js';
import { bodyJson } from '../../format/body.js';
import { sseData } from '../../format/sse.js';
import type { Protocol, RequestModel } from '../../analysis/model.js';
import { groupExchanges, startedAtOf, type ExportInput, type HttpExchange } from './input.js';
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
  const upstreams = upstreamsById(input.records);
  const recordsOf = exchangeRecords(input);
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
    const own = recordsOf(r);
    const req = requestFields(own);
    const res = responseFields(own);
    const server = upstreams.get(r.transport === 'websocket' ? r.id.slice(0, r.id.lastIndexOf('#')) : r.id);
    const requestModel = req.model ?? r.model;
    const errored = r.status !== 'complete';
    const sp = span(`chat:${r.id}`, requestModel ? `chat ${requestModel}` : 'chat', SPAN_KIND.client, r.startMs, r.endMs, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': providerOf(r.protocol),
      'gen_ai.request.model': requestModel,
      'gen_ai.response.model': res.model ?? null,
      'gen_ai.response.id': res.id ?? r.responseId,
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

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Request parameters from the request body (HTTP) or the `response.create` frame (WebSocket). */
function requestFields(own: readonly TraceRecord[]): { model: string | null; maxTokens: number | null; temperature: number | null; topP: number | null } {
  const first = own[0];
  let body: Record<string, unknown> | null = null;
  if (first?.kind === 'http-request') body = obj(bodyJson(first.body));
  else if (first?.kind === 'ws-message' && first.dir === 'up' && !first.binary) body = obj(bodyJson(first.data));
  if (!body) return { model: null, maxTokens: null, temperature: null, topP: null };
  // A WebSocket `response.create` frame may nest the request under `response`.
  const nested = body.type === 'response.create' ? obj(body.response) : null;
  if (nested) body = { ...body, ...nested };
  return {
    model: str(body.model),
    maxTokens: num(body.max_tokens) ?? num(body.max_output_tokens) ?? num(body.max_completion_tokens),
    temperature: num(body.temperature),
    topP: num(body.top_p),
  };
}

/** Model and response id as the endpoint named them (first frame that says). */
function responseFields(own: readonly TraceRecord[]): { model?: string; id?: string } {
  const out: { model?: string; id?: string } = {};
  const chunks: string[] = [];
  const look = (v: unknown): boolean => {
    const o = obj(v);
    if (!o) return false;
    const inner = obj(o.message) ?? obj(o.response) ?? o;
    out.model ??= str(inner.model) ?? undefined;
    out.id ??= str(inner.id) ?? undefined;
    return out.model !== undefined && out.id !== undefined;
  };
  for (const rec of own) {
    if (rec?.kind === 'http-data') {
      if (rec.sse && look(sseData(rec.sse))) break;
      if (rec.chunk && rec.chunk.enc !== 'dropped' && rec.chunk.enc !== 'patch') chunks.push(rec.chunk.enc === 'json' ? JSON.stringify(rec.chunk.value) : rec.chunk.enc === 'text' ? rec.chunk.text : new TextDecoder().decode(rec.chunk.bytes));
    } else if (rec?.kind === 'ws-message' && rec.dir === 'down' && !rec.binary) {
      if (look(bodyJson(rec.data))) break;
    }
  }
  if (chunks.length > 0 && out.model === undefined) {
    try {
      look(JSON.parse(chunks.join('')));
    } catch {
      // not a JSON body: nothing to name
    }
  }
  return out;
}

/**
 * The records of one exchange, request first. The model lists them (`RequestModel.records`) unless it
 * was built without detail; then they are found again: an HTTP exchange by its id, the n-th response
 * on a socket as the n-th `response.create` frame and the server frames up to the next one.
 */
function exchangeRecords(input: ExportInput): (r: RequestModel) => TraceRecord[] {
  let grouped: ReturnType<typeof groupExchanges> | null = null;
  let http: Map<string, HttpExchange> | null = null;
  return (r) => {
    if (r.records.length > 0) return r.records.map((i) => input.records[i]).filter((x) => x !== undefined);
    grouped ??= groupExchanges(input.records);
    if (r.transport === 'http') {
      http ??= new Map(grouped.http.map((x) => [x.req.id, x] as const));
      const x = http.get(r.id);
      return x ? [x.req, ...x.data] : [];
    }
    const hash = r.id.lastIndexOf('#');
    const socket = grouped.ws.find((w) => w.open.id === r.id.slice(0, hash));
    const n = Number(r.id.slice(hash + 1));
    if (!socket || !(n >= 1)) return [];
    const out: TraceRecord[] = [];
    let seen = 0;
    for (const msg of socket.messages) {
      const create = msg.dir === 'up' && !msg.binary && obj(bodyJson(msg.data))?.type === 'response.create';
      if (create) seen++;
      if (seen > n) break;
      if (seen === n && (create || msg.dir === 'down')) out.push(msg);
    }
    return out;
  };
}

/** host and port of the upstream each exchange went to, by http-request / ws-open id. */
function upstreamsById(records: readonly TraceRecord[]): Map<string, { host: string; port: number }> {
  const out = new Map<string, { host: string; port: number }>();
  const seen = new Map<string, { host: string; port: number } | null>();
  for (const rec of records) {
    if (rec.kind !== 'http-request' && rec.kind !== 'ws-open') continue;
    let v = seen.get(rec.upstream);
    if (v === undefined) {
      v = parseHost(rec.upstream);
      seen.set(rec.upstream, v);
    }
    if (v) out.set(rec.id, v);
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

