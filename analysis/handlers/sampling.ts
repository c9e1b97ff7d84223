// The sampling parameters each model call asked for (max tokens, temperature, top_p), read by its
// protocol from the request body or the `response.create` frame. Not a standard handler: the OTLP spans
// carry them, and a pass without detail (the live OTLP sender's) keeps no request bodies to read them from later.
import type { TraceRecord } from '../../format/types.js';
import { bodyJson } from '../../format/body.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import type { Protocol } from '../model.js';
import { decoderFor } from '../protocols/index.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    sampling: SamplingHandler;
  }
}

export interface Sampling {
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
}

/** What a request body (parsed JSON, or undefined) asks for, as its protocol reads it. */
export function samplingOf(protocol: Protocol, body: unknown): Sampling {
  const info = decoderFor(protocol).request(body);
  return { maxTokens: info.maxTokens, temperature: info.temperature, topP: info.topP };
}

export interface SamplingData {
  /** By request id (`r3`, `w1#2`). */
  byId: ReadonlyMap<string, Sampling>;
}

export class SamplingHandler implements Handler<SamplingData> {
  readonly name = 'sampling';
  readonly deps = ['exchanges'] as const;
  private byId = new Map<string, Sampling>();
  private result: SamplingData | null = null;

  reset(): void {
    this.byId = new Map();
    this.result = null;
  }

  handleEvent(rec: TraceRecord, index: number, ctx: HandlerContext): void {
    const p = ctx.dep('exchanges').placed(index);
    if (!p) return;
    if (p.role === 'request' && rec.kind === 'http-request' && p.exchange.protocol !== null) this.byId.set(p.exchange.id, samplingOf(p.exchange.protocol, bodyJson(rec.body)));
    else if (p.role === 'open' && p.exchange.protocol !== null) this.byId.set(p.exchange.id, samplingOf(p.exchange.protocol, p.value));
  }

  finalize(ctx: HandlerContext): void {
    this.result = { byId: ctx.final ? this.byId : new Map(this.byId) };
  }

  data(): SamplingData {
    if (!this.result) throw new Error('sampling: data() before finalize()');
    return this.result;
  }
}
