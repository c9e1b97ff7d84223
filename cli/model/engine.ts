// State shared by every request of one server: options, ids, the response store, the request log,
// and the one routine that streams a plan to a client on schedule.
import { performance } from 'node:perf_hooks';
import type { Protocol } from './conversation.js';
import { cutPoint } from './faults.js';
import type { Frame } from './frames.js';
import { IdMaker } from './ids.js';
import { type Pace, type PaceOutcome, type Schedule, makeSchedule, runPaced, waitUntil } from './pacing.js';
import type { Plan } from './plan.js';
import { mixSeed, mulberry32 } from './rng.js';
import { ResponseStore } from './openai-responses.js';
import { type Script, defaultScript } from './script.js';

export interface ModelServerOptions {
  /** 0 or omitted: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time from request arrival to the first content delta. Default 300. */
  ttftMs?: number;
  /** Content deltas (one token each) per second. Default 100. */
  tokensPerSecond?: number;
  /** 0..1, spread of each token interval around its mean. Default 0. */
  jitter?: number;
  /** Makes jitter and ids reproducible. */
  seed?: number;
  /** Default: the built-in coding session (script.ts). */
  script?: Script;
  /** Called once per finished request (for a log line). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export type RequestStatus = 'complete' | 'aborted' | 'error';

export interface RequestLogEntry {
  id: string;
  protocol: Protocol | 'models' | 'count-tokens' | 'account' | 'unknown';
  transport: 'http' | 'websocket';
  path: string;
  stream: boolean;
  /** A side request (title, topic), answered outside the script. */
  side: boolean;
  /** A subagent's request: the `x-claude-code-agent-id` header it carried. */
  agentId?: string;
  /** ms since the server started. */
  arrivedAt: number;
  firstContentAt: number | null;
  endedAt: number | null;
  /** Content deltas actually sent (for a complete response: the usage reported). */
  outputTokens: number;
  status: RequestStatus;
  /** Set for injected faults and client errors. */
  error?: string;
}

export interface ModelServerStats {
  requests: number;
  completed: number;
  aborted: number;
  errors: number;
  outputTokens: number;
  websockets: number;
  log: RequestLogEntry[];
}

/** A way to put frames in front of a client: an SSE response or a WebSocket. */
export interface Sink {
  send(f: Frame): void;
  /** The response is complete (SSE: end the body; WebSocket: nothing, the socket stays open). */
  end(): void;
  /** Drop the connection without a proper end. */
  reset(): void;
  isClosed(): boolean;
}

export class Engine {
  readonly ttftMs: number;
  readonly tokensPerSecond: number;
  readonly jitter: number;
  readonly seed: number;
  readonly script: Script;
  readonly ids: IdMaker;
  readonly store = new ResponseStore();
  readonly log: RequestLogEntry[] = [];
  readonly startedAt = performance.now();
  websockets = 0;
  private requestCount = 0;

  constructor(private readonly opts: ModelServerOptions) {
    this.ttftMs = opts.ttftMs ?? 300;
    this.tokensPerSecond = opts.tokensPerSecond ?? 100;
    this.jitter = opts.jitter ?? 0;
    if (!(this.ttftMs >= 0) || !Number.isFinite(this.ttftMs)) throw new RangeError(`ttftMs must be a number ≥ 0 (got ${opts.ttftMs})`);
    if (!(this.tokensPerSecond > 0) || !Number.isFinite(this.tokensPerSecond)) throw new RangeError(`tokensPerSecond must be a number > 0 (got ${opts.tokensPerSecond})`);
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError(`jitter must be between 0 and 1 (got ${opts.jitter})`);
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.script = opts.script ?? defaultScript;
    this.ids = new IdMaker(this.seed);
  }

  now(): number {
    return performance.now() - this.startedAt;
  }

  /** A new log entry (the request is counted from here). */
  begin(e: Omit<RequestLogEntry, 'id' | 'arrivedAt' | 'firstContentAt' | 'endedAt' | 'outputTokens' | 'status'>, t0: number): RequestLogEntry {
    const entry: RequestLogEntry = {
      id: `r${++this.requestCount}`,
      ...e,
      arrivedAt: t0 - this.startedAt,
      firstContentAt: null,
      endedAt: null,
      outputTokens: 0,
      status: 'complete',
    };
    this.log.push(entry);
    return entry;
  }

  finish(entry: RequestLogEntry, status: RequestStatus, error?: string): void {
    if (entry.endedAt !== null) return;
    entry.status = status;
    entry.endedAt = this.now();
    if (error) entry.error = error;
    this.opts.onRequest?.(entry);
  }

  /** Each request gets its own jitter stream, so one request's length does not shift the next's. */
  pace(): Pace {
    return { ttftMs: this.ttftMs, tokensPerSecond: this.tokensPerSecond, jitter: this.jitter, rng: mulberry32(mixSeed(this.seed, this.requestCount)) };
  }

  schedule(plan: Plan): Schedule {
    return makeSchedule(plan.outputTokens, this.pace());
  }

  /** Streams `frames` on schedule, applying the plan's mid-stream fault if any. */
  async stream(sink: Sink, frames: Frame[], plan: Plan, t0: number, entry: RequestLogEntry, errorFrame: () => Frame): Promise<PaceOutcome> {
    const schedule = this.schedule(plan);
    const fault = plan.fault && plan.fault.kind !== 'http' ? plan.fault : undefined;
    const run = runPaced({
      frames,
      t0,
      schedule,
      send: (f) => sink.send(f),
      isClosed: () => sink.isClosed(),
      onContent: (at) => {
        if (entry.firstContentAt === null) entry.firstContentAt = at - this.startedAt;
        entry.outputTokens++;
      },
      cut: fault
        ? {
            tokens: cutPoint(fault, plan.outputTokens),
            action: () => {
              if (fault.kind === 'reset') sink.reset();
              else {
                sink.send(errorFrame());
                sink.end();
              }
            },
          }
        : undefined,
    });
    const outcome = await run.done;
    if (outcome === 'complete') sink.end();
    if (outcome === 'complete') this.finish(entry, 'complete');
    else if (outcome === 'aborted') this.finish(entry, 'aborted', 'client went away');
    else this.finish(entry, fault?.kind === 'reset' ? 'aborted' : 'error', `injected ${fault?.kind}`);
    return outcome;
  }

  /** For a non-streamed answer: waits as long as generating it would take. False if the client left. */
  async generateTime(plan: Plan, t0: number, isClosed: () => boolean): Promise<boolean> {
    return waitUntil(t0 + this.schedule(plan).end, isClosed);
  }

  stats(): ModelServerStats {
    return {
      requests: this.log.length,
      completed: this.log.filter((e) => e.status === 'complete').length,
      aborted: this.log.filter((e) => e.status === 'aborted').length,
      errors: this.log.filter((e) => e.status === 'error').length,
      outputTokens: this.log.reduce((n, e) => n + e.outputTokens, 0),
      websockets: this.websockets,
      log: this.log.map((e) => ({ ...e })),
    };
  }
}
