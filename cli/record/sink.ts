// Where the proxy, the watcher and the child runner put their records. The real sink is the lead's
// TraceWriter (cli/trace/writer.ts); tests use MemorySink. GuardedSink makes sure no recording fault
// ever reaches the proxying: the harness's session matters more than the trace.
import type { Micros, TraceRecord } from '../../format/types.js';
import type { Log } from './log.js';
import { TapHost, type StreamOp } from './tap-host.js';

export interface RecordSink {
  /** Monotonic µs since the session start. */
  now(): Micros;
  write(rec: TraceRecord): void;
  /**
   * Streams of raw chunks (see tap-host.ts), for a sink that turns them into records elsewhere (the
   * writer thread). A sink without these gets them read in the caller's thread.
   */
  stream?(op: StreamOp): void;
  chunk?(key: number, t: Micros, bytes: Uint8Array): void;
}

export class GuardedSink implements RecordSink {
  /** Records lost to a fault in the sink (not counting the writer's own load shedding). */
  lost = 0;
  private readonly t0 = performance.now();
  private keys = 0;
  /** Reads the streams here when the inner sink cannot take them as they are. */
  private readonly local: TapHost | null;

  constructor(
    private readonly inner: RecordSink,
    private readonly log: Log,
  ) {
    this.local = inner.stream && inner.chunk ? null : new TapHost({ write: (r) => this.write(r), fault: (e) => this.fault(e) });
  }

  /** A key for a new stream of chunks. */
  newKey(): number {
    return ++this.keys;
  }

  stream(op: StreamOp): void {
    try {
      if (this.local) this.local.control(op);
      else this.inner.stream!(op);
    } catch (err) {
      this.fault(err);
    }
  }

  /** The relay's whole recording work for a chunk: hand it over with its arrival time. */
  chunk(key: number, t: Micros, bytes: Buffer): void {
    try {
      if (this.local) this.local.chunk(key, t, bytes);
      else this.inner.chunk!(key, t, bytes);
    } catch (err) {
      this.fault(err);
    }
  }

  /** Resolves when streams read in this thread have written their last records. */
  settle(): Promise<void> {
    return this.local?.settle() ?? Promise.resolve();
  }

  now(): Micros {
    try {
      return this.inner.now();
    } catch (err) {
      this.fault(err);
      return Math.round((performance.now() - this.t0) * 1000);
    }
  }

  write(rec: TraceRecord): void {
    try {
      this.inner.write(rec);
    } catch (err) {
      this.lost++;
      this.fault(err);
    }
  }

  /** Reports a fault in recording code (the sink, or a tap around it) once; the proxy goes on. */
  fault(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.log.warnOnce('record-fault', `recording degraded (the session is not affected): ${msg.split('\n')[0]}`);
  }

  /** Runs recording code so that a throw degrades the trace, never the caller. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fault(err);
    }
  }
}

/** Keeps records in memory; the clock is real. */
export class MemorySink implements RecordSink {
  readonly records: TraceRecord[] = [];
  private readonly t0 = performance.now();
  now(): Micros {
    return Math.round((performance.now() - this.t0) * 1000);
  }
  write(rec: TraceRecord): void {
    this.records.push(rec);
  }
}
