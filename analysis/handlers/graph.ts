// The dependency graph of the session and the critical path through it: every request's
// dependencies, the chain the agent waited on, the segments that tile the session along it, the
// breakdown, the turns (rules in graph.ts, critical-path.ts and analysis/README.md).
import type { Handler, HandlerContext } from '../pipeline.js';
import type { Breakdown } from '../model.js';
import { breakdownOf } from '../critical-path.js';
import { buildGraph, type GraphResult } from '../graph.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    graph: GraphHandler;
  }
}

export interface GraphData extends GraphResult {
  breakdown: Breakdown;
  /** Request id → index into turns, for the critical requests. */
  turnOf: ReadonlyMap<string, number>;
}

export class GraphHandler implements Handler<GraphData> {
  readonly name = 'graph';
  readonly deps = ['meta', 'responses', 'threads'] as const;
  private result: GraphData | null = null;

  reset(): void {
    this.result = null;
  }

  handleEvent(): void {}

  finalize(ctx: HandlerContext): void {
    const { requests, prompts } = ctx.dep('responses').data();
    const { durationMs } = ctx.dep('meta').data();
    const threads = ctx.dep('threads').data();
    const g = buildGraph(requests, threads.links, threads, durationMs, prompts);
    const turnOf = new Map<string, number>();
    for (const t of g.turns) for (const id of t.requestIds) turnOf.set(id, t.index);
    this.result = { ...g, breakdown: breakdownOf(g.segments), turnOf };
  }

  data(): GraphData {
    if (!this.result) throw new Error('graph: data() before finalize()');
    return this.result;
  }
}
