// The wire: each HTTP request's http-timing record (format 1.2) read against its response, so its
// model wait splits into connection setup, upload and server time; each WebSocket's handshake timing
// (an http-timing record under the socket's id) as that connection's setup, and each response asked
// for over it split into its message's upload and server time; and the session's sums, with the
// critical requests' part (rules in analysis/transport.ts).
import type { HttpTimingRecord, TraceRecord } from '../../format/types.js';
import { bodyLength } from '../../format/body.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import type { NetworkTiming, SocketWire, TransportSummary } from '../model.js';
import { networkTiming, socketWire, transportSummary, turnTiming } from '../transport.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    transport: TransportHandler;
  }
}

export interface TransportData {
  /** Request id → its wire timing (HTTP requests with an http-timing record; turns on a socket with one). */
  byId: ReadonlyMap<string, NetworkTiming>;
  /** Null when the trace has no wire timing at all. */
  summary: TransportSummary | null;
}

export class TransportHandler implements Handler<TransportData> {
  readonly name = 'transport';
  readonly deps = ['exchanges', 'responses', 'graph'] as const;
  private timings = new Map<string, HttpTimingRecord>();
  /** Turn id → its opening message: where it began and ended arriving (µs), its payload bytes. */
  private messages = new Map<string, { socket: string; startUs: number; endUs: number; bytes: number }>();
  private result: TransportData | null = null;

  reset(): void {
    this.timings = new Map();
    this.messages = new Map();
    this.result = null;
  }

  handleEvent(rec: TraceRecord, index: number, ctx: HandlerContext): void {
    if (rec.kind === 'http-timing') {
      this.timings.set(rec.id, rec);
      return;
    }
    if (rec.kind !== 'ws-message' || rec.dir !== 'up') return;
    const p = ctx.dep('exchanges').placed(index);
    if (p?.role !== 'open') return;
    this.messages.set(p.exchange.id, { socket: p.socket.id, startUs: rec.start ?? rec.t, endUs: rec.t, bytes: bodyLength(rec.data) });
  }

  /** Event runs are `http-data`: nothing here. */
  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const byId = new Map<string, NetworkTiming>();
    const critical = new Set(ctx.dep('graph').data().chain);
    const rows: Array<{ critical: boolean; network: NetworkTiming | null }> = [];
    const turnsOn = new Map<string, number>();
    for (const r of ctx.dep('responses').data().requests) {
      const t = this.timings.get(r.id);
      const m = t ? undefined : this.messages.get(r.id);
      // a turn is timed only on a socket whose handshake was (the recorder that times the wire also stamps message starts)
      const n = t ? networkTiming(r, t) : m && this.timings.has(m.socket) ? turnTiming(r, m.socket, m) : null;
      if (!n) continue;
      if (n.socket !== null) turnsOn.set(n.socket, (turnsOn.get(n.socket) ?? 0) + 1);
      byId.set(r.id, n);
      rows.push({ critical: critical.has(r.id), network: n });
    }
    const sockets: SocketWire[] = [];
    for (const s of ctx.dep('exchanges').data().sockets) {
      const t = this.timings.get(s.id);
      if (t) sockets.push(socketWire(t, turnsOn.get(s.id) ?? 0));
    }
    this.result = { byId, summary: transportSummary(rows, sockets) };
  }

  data(): TransportData {
    if (!this.result) throw new Error('transport: data() before finalize()');
    return this.result;
  }
}
