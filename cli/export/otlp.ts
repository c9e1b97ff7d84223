// OTLP/JSON traces following the OpenTelemetry GenAI semantic conventions: one `invoke_agent` root
// span for the session, a `chat` client span per model call, an `execute_tool` span per tool gap on
// the critical path (and a `user` span per wait for the person). Pure: no node: imports.
import { bodyJson } from '../../format/body.js';
import type { Protocol, RequestModel, Segment, SessionInfo, SessionModel } from '../../analysis/model.js';
import { samplingOf, type Sampling } from '../../analysis/handlers/sampling.js';
import type { Exchange, ExchangesData } from '../../analysis/handlers/exchanges.js';
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

/**
 * What every span of one session shares: its trace id and root span, and its clock. The ids depend only
 * on the session's start, command line and directory, so the spans `lapse record --otlp-endpoint`
 * sends while the session runs and a later `lapse export --format otlp` of its trace are the same spans
 * (a collector that gets both sees each once, twice over), never two traces.
 */
export interface OtlpSession {
  traceId: string;
  rootId: string;
  /** Session ms → OTLP's unix nanoseconds string. */
  at(ms: number): string;
  /** The harness (`service.name`, `gen_ai.agent.name`). */
  agent: string;
}

export function otlpSession(session: SessionInfo | null, startedAt: number): OtlpSession {
  const traceId = traceIdFor(`${startedAt}|${session?.argv.join('\u0000') ?? ''}|${session?.cwd ?? ''}`);
  return { traceId, rootId: spanIdFor(traceId, 'root'), at: (ms) => unixNano(startedAt + ms), agent: session?.harness ?? session?.argv[0] ?? 'agent' };
}

function makeSpan(o: OtlpSession, key: string, name: string, kind: number, startMs: number, endMs: number, attrs: Record<string, AttrValue>): OtlpSpan {
  const sp: OtlpSpan = {
    traceId: o.traceId,
    spanId: key === 'root' ? o.rootId : spanIdFor(o.traceId, key),
    name,
    kind,
    startTimeUnixNano: o.at(startMs),
    endTimeUnixNano: o.at(Math.max(startMs, endMs)),
    attributes: attributes(attrs),
    events: [],
    links: [],
    status: {},
  };
  if (key !== 'root') sp.parentSpanId = o.rootId;
  return sp;
}

const chatKey = (id: string): string => `chat:${id}`;

/** The `invoke_agent` span: the whole session, its totals and breakdown. */
export function rootSpan(o: OtlpSession, m: SessionModel): OtlpSpan {
  const providers = [...new Set(m.requests.map((r) => providerOf(r.protocol)))];
  const sum = (f: (r: RequestModel) => number | null): number | null => {
    const known = m.requests.map(f).filter((v): v is number => v !== null);
    return known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
  };
  return makeSpan(o, 'root', `invoke_agent ${o.agent}`, SPAN_KIND.internal, 0, m.durationMs, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': o.agent,
    'gen_ai.provider.name': providers.length === 1 ? providers[0] : null,
    'gen_ai.usage.input_tokens': sum((r) => r.inputTokens),
    'gen_ai.usage.output_tokens': sum((r) => r.outputTokens),
    'gen_ai.usage.cache_read.input_tokens': sum((r) => r.cacheReadTokens),
    'gen_ai.usage.cache_creation.input_tokens': sum((r) => r.cacheWriteTokens),
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
}

/** A `chat` client span: one model call. `sampling` from its request body, `server` the upstream it went to. */
/** A float attribute, or null (dropped) when the figure is unknown: OTLP tells doubles from ints. */
const double = (v: number | null): AttrValue => (v !== null ? { double: v } : null);

export function chatSpan(o: OtlpSession, r: RequestModel, sampling: Sampling, server: { host: string; port: number } | null): OtlpSpan {
  const requestModel = r.model;
  const errored = r.status !== 'complete';
  const sp = makeSpan(o, chatKey(r.id), requestModel ? `chat ${requestModel}` : 'chat', SPAN_KIND.client, r.startMs, r.endMs, {
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
    'gen_ai.request.max_tokens': sampling.maxTokens,
    'gen_ai.request.temperature': double(sampling.temperature),
    'gen_ai.request.top_p': double(sampling.topP),
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
    'lapse.ttft_ms': double(r.ttftMs),
    'lapse.stream_ms': double(r.streamMs),
    'lapse.tokens_per_second': double(r.tokensPerSecond),
    'lapse.tool_calls': r.toolCalls.length > 0 ? r.toolCalls.map((c) => c.name) : null,
    'lapse.stalls': r.stalls.length,
  });
  if (r.firstContentMs !== null) sp.events.push({ timeUnixNano: o.at(r.firstContentMs), name: 'gen_ai.first_chunk', attributes: [] });
  if (r.dependsOn) sp.links.push({ traceId: o.traceId, spanId: spanIdFor(o.traceId, chatKey(r.dependsOn)), attributes: attributes({ 'lapse.dependency': r.dependency }) });
  if (errored) sp.status = { code: STATUS_CODE.error, message: r.error ?? r.status };
  return sp;
}

/** The key a critical-path gap's span is named by: stable as the session grows (live) and in the export. */
export function gapKey(seg: Segment): string {
  return `${seg.kind}:${seg.requestId ?? '-'}:${Math.round(seg.startMs * 1000)}`;
}

/**
 * The span of a critical-path segment `seg` (index `i` in m.criticalPath): `execute_tool` for a tool
 * gap (with the file changes in it), `user` for a wait for the person; null for the other kinds.
 */
export function gapSpan(o: OtlpSession, m: SessionModel, seg: Segment, i: number, byId: ReadonlyMap<string, RequestModel>): OtlpSpan | null {
  if (seg.kind !== 'tool' && seg.kind !== 'user') return null;
  const r = seg.requestId ? byId.get(seg.requestId) : undefined;
  if (seg.kind === 'user') return makeSpan(o, gapKey(seg), 'user', SPAN_KIND.internal, seg.startMs, seg.endMs, { 'lapse.segment': 'user', 'lapse.after_request': seg.requestId });
  const calls = r?.toolCalls ?? [];
  const names = [...new Set(calls.map((c) => c.name))];
  const toolName = names.length > 0 ? names.join(', ') : 'unknown';
  // One span per gap: the trace shows how long the harness ran tools, not how it split that time among them.
  const sp = makeSpan(o, gapKey(seg), `execute_tool ${toolName}`, SPAN_KIND.internal, seg.startMs, seg.endMs, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': toolName,
    'gen_ai.tool.type': 'function',
    'gen_ai.tool.call.id': calls.length === 1 ? calls[0].id : null,
    'lapse.segment': 'tool',
    'lapse.tool.calls': calls.length,
    'lapse.tool.call_ids': calls.length > 1 ? calls.map((c) => c.id ?? '') : null,
  });
  if (r) sp.links.push({ traceId: o.traceId, spanId: spanIdFor(o.traceId, chatKey(r.id)), attributes: attributes({ 'lapse.dependency': 'requested-by' }) });
  for (const f of m.files) {
    if (f.segment !== i) continue;
    sp.events.push({ timeUnixNano: o.at(f.tMs), name: `file.${f.op}`, attributes: attributes({ 'file.path': f.path, 'lapse.file.from': f.from }) });
  }
  return sp;
}

/** The OTLP/JSON document: the session's resource (the harness, its command line, lapse) around `spans`. */
export function otlpTraces(o: OtlpSession, m: SessionModel, spans: OtlpSpan[], lapseVersion?: string): OtlpTraces {
  const s = m.session;
  const version = lapseVersion ?? s?.lapseVersion ?? null;
  const resource: Record<string, AttrValue> = {
    'service.name': o.agent,
    'process.command_args': s && s.argv.length > 0 ? s.argv : null,
    'lapse.version': version,
    'lapse.trace.file': m.trace.path ? (m.trace.path.split(/[\\/]/).pop() ?? null) : null,
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [{ scope: { name: 'lapse', version: version ?? '0.0.0' }, spans }],
      },
    ],
  };
}

export function toOtlp(input: ExportInput): OtlpTraces {
  const m = input.model;
  const o = otlpSession(m.session, startedAtOf(input));
  const upstreams = upstreamsById(input.exchanges);
  const byId = new Map(m.requests.map((r) => [r.id, r] as const));
  const spans: OtlpSpan[] = [rootSpan(o, m)];
  m.requests.forEach((r, i) => {
    spans.push(chatSpan(o, r, requestParams(input.exchanges.byId.get(r.id), r), upstreams.get(r.id) ?? null));
    if (i % 200 === 199) input.onProgress?.(i + 1, m.requests.length);
  });
  m.criticalPath.forEach((seg, i) => {
    const sp = gapSpan(o, m, seg, i, byId);
    if (sp) spans.push(sp);
  });
  input.onProgress?.(m.requests.length, m.requests.length);
  return otlpTraces(o, m, spans, input.lapseVersion);
}

/** Sampling parameters of a request, as its protocol reads them from the body (or `response.create` frame). */
function requestParams(x: Exchange | undefined, r: RequestModel): Sampling {
  const rec = x?.request;
  const body = rec ? (rec.kind === 'http-request' ? rec.body : rec.binary ? null : rec.data) : null;
  return samplingOf(r.protocol, body ? bodyJson(body) : undefined);
}

/** host and port of the upstream each exchange went to, by exchange id. */
export function upstreamsById(ex: ExchangesData): Map<string, { host: string; port: number }> {
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

export function parseHost(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === 'http:' || u.protocol === 'ws:' ? 80 : 443;
    return { host: u.hostname, port };
  } catch {
    return null;
  }
}

