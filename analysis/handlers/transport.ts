// The wire: each HTTP request's http-timing record (format 1.2) read against its response, so its
// model wait splits into connection setup, upload and server time; and the session's sums, with the
// critical requests' part (rules in analysis/transport.ts).
import type { HttpTimingRecord, TraceRecord } from '../../format/types.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import type { NetworkTiming, TransportSummary } from '../model.js';
import { networkTiming, transportSummary } from '../transport.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    transport: TransportHandler;
  }
}

export interface TransportData {
  /** Request id → its wire timing (only requests that have an http-timing record). */
  byId: ReadonlyMap<string, NetworkTiming>;
  /** Null when the trace has no http-timing records. */
  summary: TransportSummary | null;
}

export class TransportHandler implements Handler<TransportData> {
  readonly name = 'transport';
  readonly deps = ['responses', 'graph'] as const;
  private timings = new Map<string, HttpTimingRecord>();
  private result: TransportData | null = null;

  reset(): void {
    this.timings = new Map();
    this.result = null;
  }

  handleEvent(rec: TraceRecord): void {
    if (rec.kind === 'http-timing') this.timings.set(rec.id, rec);
  }

  /** Event runs are `http-data`: nothing here. */
  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const byId = new Map<string, NetworkTiming>();
    const critical = new Set(ctx.dep('graph').data().chain);
    const rows: Array<{ critical: boolean; network: NetworkTiming | null }> = [];
    for (const r of ctx.dep('responses').data().requests) {
      const t = this.timings.get(r.id);
      if (!t) continue;
      const n = networkTiming(r, t);
      byId.set(r.id, n);
      rows.push({ critical: critical.has(r.id), network: n });
    }
    this.result = { byId, summary: transportSummary(rows) };
  }

  data(): TransportData {
    if (!this.result) throw new Error('transport: data() before finalize()');
    return this.result;
  }
}
