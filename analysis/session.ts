// The session model: one pass of the standard handlers (pipeline.ts, handlers/) over the records,
// then their data assembled into the SessionModel every view reads. Feed records with add() as they
// are read (no need to keep them all), or call analyseTrace().
import type { TraceReadResult, TraceRecord } from '../format/types.js';
import type { EventRun } from '../format/runs.js';
import { Pipeline, type Handler, type PipelineResult } from './pipeline.js';
import { standardHandlers, type Exchange, type ExchangesData, type Placement } from './handlers/index.js';
import type { Connection, SessionModel } from './model.js';

export interface TraceMeta {
  path?: string | null;
  version?: { major: number; minor: number };
  truncated?: boolean;
  bytes?: number;
  damage?: string;
}

export interface AnalyseOptions {
  /**
   * Keep each request's content deltas and record indexes, and each exchange's records (default
   * true: the viewers, replay and exports need them). false keeps only the figures, for stats/simulate
   * on big traces.
   */
  detail?: boolean;
  /**
   * Work out each response's inter-token gaps and stalls (default true). `stats` prints neither, and on
   * a long stream they are a few passes over every delta's time.
   */
  gaps?: boolean;
  /** More handlers to run in the same pass (their data is in `Analysis.pass`). */
  handlers?: readonly Handler[];
}

/** What one pass gives: the session model, the exchanges it was read from, and every handler. */
export interface Analysis {
  model: SessionModel;
  exchanges: ExchangesData;
  pass: PipelineResult;
}

/** The SessionModel from a finished standard pass. */
export function sessionModel(pass: PipelineResult, meta: TraceMeta = {}): SessionModel {
  const m = pass.get('meta').data();
  const ex = pass.get('exchanges').data();
  const resp = pass.get('responses').data();
  const crit = pass.get('graph').data();
  const threads = pass.get('threads').data();
  const reqs = pass.get('requests').data();
  const files = pass.get('files').data();
  const term = pass.get('terminal').data().terminal;

  const warnings: string[] = [];
  if (meta.truncated) warnings.push(meta.damage ? `the trace is damaged (${meta.damage}); read up to there` : 'the trace was cut short (crash or still being written); read up to the cut');
  if (m.droppedRecords > 0) warnings.push(`the recorder shed the payloads of ${m.droppedRecords} records under load; their timings are kept`);
  if (resp.droppedBodies > 0) warnings.push(`${resp.droppedBodies} bodies or frames were dropped by the recorder: tokens and tool calls may be missing`);
  const unknown = resp.unknownTypes;
  if (unknown.length > 0) warnings.push(`ignored unknown events: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}`);

  const connections: Connection[] = ex.sockets
    .filter((s) => s.protocol !== null)
    .map((s) => ({ id: s.id, url: s.url, openMs: s.openMs, closeMs: s.close ? s.close.t / 1000 : null, closeCode: s.close ? s.close.code : null, requestIds: [...s.turns] }));

  const v = meta.version ?? { major: 0, minor: 0 };
  return {
    trace: { path: meta.path ?? null, formatVersion: `${v.major}.${v.minor}`, truncated: meta.truncated ?? false, records: m.records, bytes: meta.bytes ?? 0 },
    session: m.session,
    durationMs: m.durationMs,
    requests: [...reqs.requests],
    threads: threads.threads.map((t) => ({ ...t, requests: [...t.requests] })),
    criticalPath: [...crit.segments],
    breakdown: crit.breakdown,
    turns: [...crit.turns],
    sideRequests: [...reqs.side],
    files: [...files.files],
    fileSummary: [...files.summary],
    connections,
    processes: [...m.processes],
    markers: [...m.markers],
    droppedRecords: m.droppedRecords,
    terminal: term ? { ...term, userSpans: [...crit.userSpans] } : null,
    userDetail: crit.userDetail,
    warnings,
    transport: pass.get('transport').data().summary,
  };
}

export class SessionBuilder {
  private readonly pipeline: Pipeline;

  constructor(opts: AnalyseOptions = {}) {
    this.pipeline = new Pipeline([...standardHandlers({ detail: opts.detail, gaps: opts.gaps }), ...(opts.handlers ?? [])]);
  }

  add(rec: TraceRecord, index?: number): void {
    this.pipeline.add(rec, index);
  }

  /** The members of an event run (the reader's `emitRun`), as records index … index + run.n − 1. */
  addRun(run: EventRun, index?: number): void {
    this.pipeline.addRun(run, index);
  }

  /** Where the record just added went (exchanges' `placed`): a live consumer sees a response end. */
  placed(index: number): Placement | null {
    return this.pipeline.get('exchanges').placed(index);
  }

  /** The exchanges read so far (for a progress view while records are still coming). */
  exchangesSoFar(): readonly Exchange[] {
    return this.pipeline.get('exchanges').sofar();
  }

  /** Finishes the pass: the model, the exchanges and every handler. `meta` describes where the records came from. */
  analysis(meta: TraceMeta = {}): Analysis {
    const pass = this.pipeline.finish();
    return { model: sessionModel(pass, meta), exchanges: pass.get('exchanges').data(), pass };
  }

  /** Records added so far. */
  get records(): number {
    return this.pipeline.records;
  }

  /**
   * The analysis of the records added so far, while more may come (a trace still being recorded):
   * the pass goes on after it (add() again, snapshot() again, analysis() at the end). Costs about the
   * number of requests, not of records (see pipeline.ts).
   */
  snapshot(meta: TraceMeta = {}): Analysis {
    const pass = this.pipeline.snapshot();
    return { model: sessionModel(pass, meta), exchanges: pass.get('exchanges').data(), pass };
  }

  /** Builds the model. `meta` describes where the records came from. */
  finish(meta: TraceMeta = {}): SessionModel {
    return this.analysis(meta).model;
  }
}

function traceMeta(trace: TraceReadResult & { path?: string }): TraceMeta {
  return { path: trace.path ?? null, version: trace.version, truncated: trace.truncated, bytes: trace.bytes, damage: trace.damage };
}

/** The whole analysis of a read trace: model, exchanges, every handler's data. */
export function analyse(trace: TraceReadResult & { path?: string }, opts: AnalyseOptions = {}): Analysis {
  const b = new SessionBuilder(opts);
  const recs = trace.records;
  for (let i = 0; i < recs.length; i++) b.add(recs[i], i);
  return b.analysis(traceMeta(trace));
}

/** The session model of a whole read trace. */
export function analyseTrace(trace: TraceReadResult & { path?: string }, opts: AnalyseOptions = {}): SessionModel {
  return analyse(trace, opts).model;
}

/** The analysis of a bare record list (tests, synthetic sessions). */
export function analyseRecordList(records: readonly TraceRecord[], opts: AnalyseOptions = {}): Analysis {
  const b = new SessionBuilder(opts);
  for (let i = 0; i < records.length; i++) b.add(records[i], i);
  return b.analysis({ version: { major: 1, minor: 0 } });
}

/** The session model of a bare record list (tests, synthetic sessions). */
export function analyseRecords(records: readonly TraceRecord[], opts: AnalyseOptions = {}): SessionModel {
  return analyseRecordList(records, opts).model;
}
