// The critical path as the analysis has read it so far: dependencies between requests (tool results,
// previous_response_id, retries, time order), the chain the agent waited on, the segments that tile
// the session along it, the breakdown, the turns (rules in critical-path.ts and analysis/README.md).
import type { Handler, HandlerContext } from '../pipeline.js';
import type { Breakdown, Segment, Turn } from '../model.js';
import { breakdownOf, buildSegments, buildTurns, criticalChain, linkDependencies, type Links } from '../critical-path.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    critical: CriticalHandler;
  }
}

export interface CriticalData {
  /** Per request id: what it waited on, and its conversation key inherited along explicit links. */
  links: Links;
  /** Ids of the chain the agent waited on, in start order. */
  chain: readonly string[];
  /** Tiles [0, durationMs]. */
  segments: readonly Segment[];
  breakdown: Breakdown;
  turns: readonly Turn[];
  /** Request id → index into turns, for the critical requests. */
  turnOf: ReadonlyMap<string, number>;
}

export class CriticalHandler implements Handler<CriticalData> {
  readonly name = 'critical';
  readonly deps = ['meta', 'responses'] as const;
  private result: CriticalData | null = null;

  reset(): void {
    this.result = null;
  }

  handleEvent(): void {}

  finalize(ctx: HandlerContext): void {
    const { requests, prompts } = ctx.dep('responses').data();
    const { durationMs } = ctx.dep('meta').data();
    const links = linkDependencies(requests);
    const chain = criticalChain(requests, links);
    const segments = buildSegments(chain, durationMs);
    const turns = buildTurns(chain, prompts);
    const turnOf = new Map<string, number>();
    for (const t of turns) for (const id of t.requestIds) turnOf.set(id, t.index);
    this.result = { links, chain: chain.map((r) => r.id), segments, breakdown: breakdownOf(segments), turns, turnOf };
  }

  data(): CriticalData {
    if (!this.result) throw new Error('critical: data() before finalize()');
    return this.result;
  }
}
