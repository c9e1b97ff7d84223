// How many model requests a trace holds, counted while its records stream by: the exchanges handler
// alone (no decoding, no records kept), so the trace writer's summary and `lapse ls` count exactly the
// requests `lapse stats` lists, at a fraction of the analysis' cost.
import type { TraceRecord } from '../format/types.js';
import { ExchangesHandler, isModelCall } from './handlers/exchanges.js';
import { MetaHandler } from './handlers/meta.js';
import { Pipeline } from './pipeline.js';

export class RequestCounter {
  private readonly pass = new Pipeline([new MetaHandler(), new ExchangesHandler(false)]);

  add(rec: TraceRecord): void {
    this.pass.add(rec);
  }

  /** Model requests among the records added so far (see `isModelCall`). */
  get requests(): number {
    let n = 0;
    for (const x of this.pass.get('exchanges').sofar()) if (isModelCall(x)) n++;
    return n;
  }

  /** The session's duration as the analysis measures it (t=0 to the last record); ends the count. */
  finish(): { requests: number; durationMs: number } {
    const requests = this.requests;
    return { requests, durationMs: this.pass.finish().get('meta').data().durationMs };
  }
}
