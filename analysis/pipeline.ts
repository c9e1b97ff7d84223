// One pass over the trace records through a list of small handlers (the shape of the Chrome DevTools
// trace engine). Each handler:
//   reset()                      forget everything (a pipeline can be run again)
//   handleEvent(rec, index, ctx) see one record, in trace order; may ask a declared dependency about
//                                the same record (the dependency has already seen it)
//   handleRun?(run, index, ctx)  optional: see the n members of a stored event run (format 1.1
//                                `sse-run`, records index … index+n-1) at once, exactly as n handleEvent
//                                calls would have; a pass whose handlers all have it reads runs without
//                                building a record per member (the reader's `emitRun`)
//   finalize(ctx)                after the last record (ctx.final), or at a live snapshot (!ctx.final:
//                                more records follow); the dependencies are already finalized
//   data()                       typed, read-only results; valid after finalize
// and declares `deps`, the handlers it reads. The pipeline orders handlers by their deps, so a handler
// always runs after what it depends on. finalize builds new objects: it never edits another handler's
// data (a view, or a later handler, may hold it).
//
// Live traces (a recording still being written): `snapshot()` runs every finalize with `ctx.final`
// false and the pass goes on. So finalize may run many times; with `final` false it must leave what
// handleEvent continues from untouched (results are built from copies: an exchange still streaming is
// shown as it stands, not ended), and it should cost about the size of its results, never a walk over
// the records seen. A record then costs O(1) in handleEvent; a snapshot O(requests), taken a few times
// a second at most, whatever the record count.
//
// A handler module registers its type in HandlerMap (declaration merging), so `ctx.dep('exchanges')`
// is typed:
//   declare module '../pipeline.js' { interface HandlerMap { exchanges: ExchangesHandler } }
import type { TraceRecord } from '../format/types.js';
import type { EventRun } from '../format/runs.js';

/** Handler name → handler type. Each handler module adds itself (see above). */
export interface HandlerMap {}

export type HandlerName = keyof HandlerMap & string;

/** What a handler sees of the others: only its declared dependencies. */
export interface HandlerContext {
  dep<K extends HandlerName>(name: K): HandlerMap[K];
  /** In finalize: true after the last record; false at a live snapshot (more records follow). */
  readonly final: boolean;
}

export interface Handler<D = unknown> {
  readonly name: string;
  readonly deps: readonly HandlerName[];
  reset(): void;
  handleEvent(rec: TraceRecord, index: number, ctx: HandlerContext): void;
  /** The members of an event run (records index … index + run.n − 1), as handleEvent of each would. */
  handleRun?(run: EventRun, index: number, ctx: HandlerContext): void;
  finalize(ctx: HandlerContext): void;
  data(): D;
}

/** The finished pass: every handler, by name. */
export interface PipelineResult {
  get<K extends HandlerName>(name: K): HandlerMap[K];
  has(name: string): boolean;
}

/** Orders handlers so that each comes after its deps (stable otherwise); throws on a missing dep or a cycle. */
export function sortByDeps(handlers: readonly Handler[]): Handler[] {
  const byName = new Map(handlers.map((h) => [h.name, h] as const));
  if (byName.size !== handlers.length) throw new Error('two handlers share a name');
  const out: Handler[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (h: Handler, from: string | null): void => {
    const s = state.get(h.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`handler dependency cycle through ${h.name}`);
    state.set(h.name, 'visiting');
    for (const d of h.deps) {
      const dep = byName.get(d);
      if (!dep) throw new Error(`handler ${h.name} needs ${d}, which is not in the pipeline${from ? ` (via ${from})` : ''}`);
      visit(dep, h.name);
    }
    state.set(h.name, 'done');
    out.push(h);
  };
  for (const h of handlers) visit(h, null);
  return out;
}

export class Pipeline implements PipelineResult {
  private readonly order: Handler[];
  private readonly ctxs: HandlerContext[];
  private readonly byName: Map<string, Handler>;
  private count = 0;
  /** Every handler takes runs whole (else a run is added member by member). */
  private readonly takesRuns: boolean;
  private finished = false;
  private final = false;

  constructor(handlers: readonly Handler[]) {
    this.order = sortByDeps(handlers);
    this.byName = new Map(this.order.map((h) => [h.name, h] as const));
    const pipeline = this;
    this.ctxs = this.order.map((h) => {
      const allowed = new Set<string>(h.deps);
      return {
        dep: <K extends HandlerName>(name: K): HandlerMap[K] => {
          if (!allowed.has(name)) throw new Error(`handler ${h.name} reads ${name} without declaring it in deps`);
          return this.byName.get(name) as HandlerMap[K];
        },
        get final(): boolean {
          return pipeline.final;
        },
      };
    });
    this.takesRuns = this.order.every((h) => h.handleRun !== undefined);
    for (const h of this.order) h.reset();
  }

  /** One record, in trace order. `index` is its position in the trace's record list. */
  add(rec: TraceRecord, index: number = this.count): void {
    if (this.finished) throw new Error('pipeline: add() after finish() (use snapshot() while records may still come)');
    this.count++;
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i].handleEvent(rec, index, this.ctxs[i]);
  }

  /** The n members of an event run, as records index … index + n − 1 (the same as adding each member). */
  addRun(run: EventRun, index: number = this.count): void {
    if (!this.takesRuns) {
      for (let k = 0; k < run.n; k++) this.add(run.record(k), index + k);
      return;
    }
    if (this.finished) throw new Error('pipeline: addRun() after finish() (use snapshot() while records may still come)');
    this.count += run.n;
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i].handleRun!(run, index, this.ctxs[i]);
  }

  /** Records added so far. */
  get records(): number {
    return this.count;
  }

  /** Finalizes every handler (deps first). Call once, after the last record. */
  finish(): PipelineResult {
    if (!this.finished) {
      this.finished = true;
      this.final = true;
      this.order.forEach((h, i) => h.finalize(this.ctxs[i]));
    }
    return this;
  }

  /**
   * Every handler's data as of the records added so far, while more may follow (a trace still being
   * recorded). Non-destructive: add() goes on after it, and a later snapshot() or finish() sees
   * everything. Each handler's data() is then this snapshot's until the next one.
   */
  snapshot(): PipelineResult {
    if (this.finished) return this;
    this.order.forEach((h, i) => h.finalize(this.ctxs[i]));
    return this;
  }

  get<K extends HandlerName>(name: K): HandlerMap[K] {
    const h = this.byName.get(name);
    if (!h) throw new Error(`no handler ${name} in this pipeline`);
    return h as HandlerMap[K];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
}

/** Runs a whole record list through the handlers. */
export function runPipeline(handlers: readonly Handler[], records: readonly TraceRecord[]): PipelineResult {
  const p = new Pipeline(handlers);
  for (let i = 0; i < records.length; i++) p.add(records[i], i);
  return p.finish();
}
