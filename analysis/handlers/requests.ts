// The RequestModels every view reads: each response's figures (responses) with what the reading of
// the whole session adds: its thread (threads), its dependencies, whether it is on the critical path
// and in which turn (graph), and how it went on the wire (transport). New objects; the responses handler's data is left as it was.
import type { Handler, HandlerContext } from '../pipeline.js';
import type { RequestModel } from '../model.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    requests: RequestsHandler;
  }
}

export interface RequestsData {
  /** In start order; `index` is the position here. */
  requests: readonly RequestModel[];
  byId: ReadonlyMap<string, RequestModel>;
  /** Ids of the requests off the critical path (titles, summaries, parallel subagents, warm-ups). */
  side: readonly string[];
}

/**
 * An imported transcript's response: what a transcript cannot know becomes null instead of a figure
 * taken from the importer's estimate (the wait/stream split itself stays, marked `estimated`).
 */
function estimated(): Pick<RequestModel, 'estimated' | 'firstByteMs' | 'ttftMs' | 'tokensPerSecond' | 'gaps' | 'stalls'> {
  return { estimated: true, firstByteMs: null, ttftMs: null, tokensPerSecond: null, gaps: null, stalls: [] };
}

export class RequestsHandler implements Handler<RequestsData> {
  readonly name = 'requests';
  readonly deps = ['meta', 'responses', 'threads', 'graph', 'transport'] as const;
  private result: RequestsData | null = null;

  reset(): void {
    this.result = null;
  }

  handleEvent(): void {}

  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const drafts = ctx.dep('responses').data().requests;
    const t = ctx.dep('threads').data();
    const g = ctx.dep('graph').data();
    const critical = new Set(g.chain);
    const wire = ctx.dep('transport').data().byId;
    const session = ctx.dep('meta').data().session;
    const imported = session !== null && session.source !== 'proxy';
    const requests = drafts.map((r): RequestModel => {
      const deps = g.deps.get(r.id) ?? [];
      return {
        ...r,
        ...(imported ? estimated() : {}),
        thread: t.threadOf.get(r.id) ?? null,
        dependsOn: deps.length ? deps[0].id : null,
        dependency: deps.length ? deps[0].kind : null,
        dependencies: deps.map((d) => ({ ...d })),
        critical: critical.has(r.id),
        turn: g.turnOf.get(r.id) ?? null,
        network: wire.get(r.id) ?? null,
      };
    });
    this.result = { requests, byId: new Map(requests.map((r) => [r.id, r] as const)), side: requests.filter((r) => !critical.has(r.id)).map((r) => r.id) };
  }

  data(): RequestsData {
    if (!this.result) throw new Error('requests: data() before finalize()');
    return this.result;
  }
}
