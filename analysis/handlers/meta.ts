// What the trace says about the session itself: the session record, the processes, markers, what the
// writer shed, how many records and how long.
import type { TraceRecord } from '../../format/types.js';
import type { EventRun } from '../../format/runs.js';
import type { Handler } from '../pipeline.js';
import type { ProcessInfo, SessionInfo } from '../model.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    meta: MetaHandler;
  }
}

export interface MetaData {
  session: SessionInfo | null;
  processes: readonly ProcessInfo[];
  markers: ReadonlyArray<{ tMs: number; label: string }>;
  /** Records the writer shed the payloads of (timings kept). */
  droppedRecords: number;
  /** Records seen (string-table records included, as the reader returns them). */
  records: number;
  /** t=0 to the last record's time. */
  durationMs: number;
}

export class MetaHandler implements Handler<MetaData> {
  readonly name = 'meta';
  readonly deps = [] as const;
  private session: SessionInfo | null = null;
  private processes = new Map<number, ProcessInfo>();
  private markers: Array<{ tMs: number; label: string }> = [];
  private droppedRecords = 0;
  private count = 0;
  private maxT = 0;
  private result: MetaData | null = null;

  reset(): void {
    this.session = null;
    this.processes = new Map();
    this.markers = [];
    this.droppedRecords = 0;
    this.count = 0;
    this.maxT = 0;
    this.result = null;
  }

  handleEvent(rec: TraceRecord): void {
    this.count++;
    if (rec.t > this.maxT) this.maxT = rec.t;
    const tMs = rec.t / 1000;
    switch (rec.kind) {
      case 'process-start':
        this.processes.set(rec.pid, { pid: rec.pid, argv: rec.argv, startMs: tMs, endMs: null, code: null, signal: null });
        return;
      case 'process-exit': {
        const p = this.processes.get(rec.pid) ?? { pid: rec.pid, argv: [], startMs: 0, endMs: null, code: null, signal: null };
        this.processes.set(rec.pid, { ...p, endMs: tMs, code: rec.code, signal: rec.signal });
        return;
      }
      case 'marker':
        this.markers.push({ tMs, label: rec.label });
        return;
      case 'drop':
        this.droppedRecords += rec.records;
        return;
      case 'session':
        this.session = { startedAt: rec.startedAt, lapseVersion: rec.lapseVersion, argv: rec.argv, cwd: rec.cwd, harness: rec.harness, source: rec.source ?? 'proxy', interactive: rec.interactive ?? null };
        return;
      default:
        return;
    }
  }

  handleRun(run: EventRun): void {
    this.count += run.n;
    if (run.maxT > this.maxT) this.maxT = run.maxT;
  }

  finalize(): void {
    this.result = {
      session: this.session,
      processes: [...this.processes.values()],
      markers: this.markers.slice(),
      droppedRecords: this.droppedRecords,
      records: this.count,
      durationMs: this.maxT / 1000,
    };
  }

  data(): MetaData {
    if (!this.result) throw new Error('meta: data() before finalize()');
    return this.result;
  }
}
