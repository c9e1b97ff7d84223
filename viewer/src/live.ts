// Following a trace that is still being recorded: the lapse server sends the file's new bytes over a
// WebSocket (`/live?from=N`, N = the bytes already read) as the recorder writes them. They go through
// the same streaming reader and the same pass as the first load; the model is a snapshot of the pass
// (analysis/pipeline.ts), taken at most every SNAPSHOT_MS, so a record costs O(1) and the page never
// re-reads the trace. When the recorder closes the trace the server says so, and the pass is finished.
import type { TraceStreamReader } from '../../format/index.js';
import type { SessionBuilder } from '../../analysis/session.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';
import type { SessionModel } from '../../analysis/model.js';

/** Longest a new record waits before the views show it (the recorder itself writes within ~50 ms). */
const SNAPSHOT_MS = 100;

export type LiveStatus = 'live' | 'ended' | 'lost';

export interface LiveUpdate {
  model: SessionModel;
  exchanges: ExchangesData;
  status: LiveStatus;
}

export class LiveFollow {
  private ws: WebSocket | null = null;
  private timer: number | null = null;
  private records: number;
  private status: LiveStatus = 'live';
  /** Wall-clock time (ms since the epoch) each request id was first in a snapshot (tests read it). */
  readonly seen = new Map<string, number>();
  /** Wall-clock time of the last snapshot handed on. */
  lastUpdate = 0;

  constructor(
    private readonly name: string,
    private readonly reader: TraceStreamReader,
    private readonly builder: SessionBuilder,
    records: number,
    private readonly onUpdate: (u: LiveUpdate) => void,
  ) {
    this.records = records;
  }

  start(model: SessionModel): void {
    this.note(model);
    const url = new URL('live', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = `?from=${this.reader.bytes}`;
    const ws = new WebSocket(url.href);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) return this.take(new Uint8Array(ev.data));
      let msg: { type?: string; error?: string | null } = {};
      try {
        msg = JSON.parse(String(ev.data)) as { type?: string; error?: string | null };
      } catch {
        return;
      }
      if (msg.type === 'end') this.end(msg.error ?? null);
    };
    ws.onclose = () => {
      if (this.status === 'live') {
        this.status = 'lost';
        this.flush();
      }
    };
    this.ws = ws;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.ws?.close();
    this.ws = null;
  }

  private take(bytes: Uint8Array): void {
    for (const r of this.reader.push(bytes)) this.builder.add(r, this.records++);
    this.timer ??= window.setTimeout(() => this.flush(), SNAPSHOT_MS);
  }

  private meta(): { path: string; version: { major: number; minor: number }; bytes: number } {
    return { path: this.name, version: this.reader.version, bytes: this.reader.bytes };
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const { model, exchanges } = this.builder.snapshot({ ...this.meta(), truncated: false });
    this.hand(model, exchanges);
  }

  /** The recording ended: closed by its recorder, or (`error`) the recorder died without closing it. */
  private end(error: string | null): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.status = 'ended';
    this.reader.markClosed();
    const end = this.reader.end();
    const { model, exchanges } = this.builder.analysis({ ...this.meta(), truncated: end.truncated, damage: end.damage ?? error ?? undefined });
    this.hand(model, exchanges);
  }

  private hand(model: SessionModel, exchanges: ExchangesData): void {
    this.note(model);
    this.lastUpdate = Date.now();
    this.onUpdate({ model, exchanges, status: this.status });
  }

  private note(model: SessionModel): void {
    const now = Date.now();
    for (const r of model.requests) if (!r.inProgress && !this.seen.has(r.id)) this.seen.set(r.id, now);
  }
}
