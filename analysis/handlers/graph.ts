// The dependency graph of the session and the critical path through it: every request's
// dependencies, the chain the agent waited on, the segments that tile the session along it, the
// breakdown, the turns (rules in graph.ts, critical-path.ts and analysis/README.md).
import type { Handler, HandlerContext } from '../pipeline.js';
import type { Breakdown } from '../model.js';
import { breakdownOf } from '../critical-path.js';
import { buildGraph, type GraphResult } from '../graph.js';
import { measureUserTime, type TerminalModel, type UserDetail } from '../terminal.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    graph: GraphHandler;
  }
}

export interface GraphData extends GraphResult {
  breakdown: Breakdown;
  /** Request id → index into turns, for the critical requests. */
  turnOf: ReadonlyMap<string, number>;
  /** User time split into reading and typing, measured from the terminal; null without terminal records. */
  userDetail: UserDetail | null;
  /** The measured reading and typing stretches (empty without terminal records). */
  userSpans: TerminalModel['userSpans'];
}

export class GraphHandler implements Handler<GraphData> {
  readonly name = 'graph';
  readonly deps = ['meta', 'responses', 'threads', 'terminal'] as const;
  private result: GraphData | null = null;

  reset(): void {
    this.result = null;
  }

  handleEvent(): void {}

  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const { requests, prompts } = ctx.dep('responses').data();
    const { durationMs, session, processes } = ctx.dep('meta').data();
    const threads = ctx.dep('threads').data();
    const g = buildGraph(requests, threads.links, threads, durationMs, prompts);
    // The person's reading and typing split the path's lead-in, user gaps and tail (or, without a
    // terminal, the interactive lead-in/tail rule). The graph's gap nodes keep their whole-gap kind.
    const byId = new Map(requests.map((r) => [r.id, r] as const));
    const user = measureUserTime(g.segments, g.chain.map((id) => byId.get(id)!), requests, ctx.dep('terminal').data().terminal, {
      interactive: session?.interactive === true,
      exitMs: processes[0]?.endMs ?? null,
    });
    const turnOf = new Map<string, number>();
    for (const t of g.turns) for (const id of t.requestIds) turnOf.set(id, t.index);
    this.result = { ...g, segments: user.segments, breakdown: breakdownOf(user.segments), turnOf, userDetail: user.userDetail, userSpans: user.userSpans };
  }

  data(): GraphData {
    if (!this.result) throw new Error('graph: data() before finalize()');
    return this.result;
  }
}
