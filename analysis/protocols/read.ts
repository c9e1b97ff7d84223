// What every decoder does first with a streamed event or a whole body, and the usage fields the
// OpenAI APIs share: kept here so each protocol module holds only what its wire format says.
import type { ResponseSink, Usage } from '../events.js';
import { identify, num, obj, str } from '../events.js';

/**
 * A streamed event's JSON object and its type (its `type` field, else the SSE event name), or null
 * after telling the sink it could not read it.
 */
export function readEvent(data: unknown, name: string | undefined, sink: ResponseSink): { d: Record<string, unknown>; type: string } | null {
  const d = obj(data);
  if (!d) {
    sink.unknown(name || (typeof data === 'string' ? 'non-json' : 'untyped'));
    return null;
  }
  return { d, type: str(d.type) ?? name ?? '' };
}

/** A whole (non-streamed) body's JSON object, or null after telling the sink it is not one. */
export function readBody(body: unknown, sink: ResponseSink): Record<string, unknown> | null {
  const b = obj(body);
  if (!b) sink.unknown('non-json-body');
  return b;
}

/** The object under an event's key (`message`, `response`), after telling the sink its model and id. */
export function identifyIn(sink: ResponseSink, v: unknown): Record<string, unknown> | null {
  const o = obj(v);
  if (o) identify(sink, o.model, o.id);
  return o;
}

/** Token counts from an OpenAI usage object, whose field names differ per API. */
export function tokenUsage(u: Record<string, unknown>, input: string, output: string, details: string): Usage {
  const out: Usage = {};
  const i = num(u[input]);
  const o = num(u[output]);
  if (i !== null) out.inputTokens = i;
  if (o !== null) out.outputTokens = o;
  const cached = num(obj(u[details])?.cached_tokens);
  if (cached !== null) out.cacheReadTokens = cached;
  return out;
}
