// `lapse record --otlp-endpoint` / `lapse proxy --otlp-endpoint`: the session's GenAI spans sent to an
// OTLP/HTTP collector while it runs. Runs on the trace writer's thread (writer-worker.ts), fed every
// record the writer gets, never on the proxy's relay thread. The records go through one pass of the
// analysis (no detail: only the figures are kept, so memory stays small); when a response ends, a
// snapshot of the pass (analysis/pipeline.ts) gives its `chat` span and the tool and user gaps that
// have closed since; at the end, the rest and the `invoke_agent` span. The spans are the export's own
// (cli/export/otlp.ts), with the same ids, so `lapse export --format otlp` of the trace repeats them.
import type { TraceRecord } from '../../format/types.js';
import { SessionBuilder, type Analysis } from '../../analysis/session.js';
import { SamplingHandler } from '../../analysis/handlers/sampling.js';
import type { SessionModel } from '../../analysis/model.js';
import { chatSpan, gapKey, gapSpan, otlpSession, otlpTraces, parseHost, rootSpan, type OtlpSession, type OtlpSpan } from '../export/otlp.js';
import { OtlpSender } from '../export/otlp-sender.js';
import { LAPSE_VERSION } from '../util/version.js';

/** A response that ended waits this long for others ending with it: one snapshot, one POST. */
const COALESCE_MS = 50;

export class LiveOtlp {
  private readonly builder = new SessionBuilder({ detail: false, handlers: [new SamplingHandler()] });
  private readonly sender: OtlpSender;
  private n = 0;
  private o: OtlpSession | null = null;
  private model: SessionModel | null = null;
  private readonly sentChats = new Set<string>();
  private readonly sentGaps = new Set<string>();
  private readonly upstreams = new Map<string, { host: string; port: number } | null>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  /** Throws UsageError for an endpoint that is not an http(s) URL. */
  constructor(
    endpoint: string,
    private readonly tracePath: string,
    warn: (message: string) => void,
  ) {
    this.sender = new OtlpSender(endpoint, (spans) => otlpTraces(this.o!, this.model!, spans, LAPSE_VERSION), { warn });
  }

  get url(): string {
    return this.sender.url;
  }

  /** Every record the trace gets, in the writer's order. */
  add(rec: TraceRecord): void {
    if (this.closed) return;
    const i = this.n++;
    // times as the trace stores them (whole µs), so the spans are the export's to the nanosecond
    this.builder.add({ ...rec, t: Math.round(rec.t) }, i);
    if (rec.kind === 'http-request' && !this.upstreams.has(rec.upstream)) this.upstreams.set(rec.upstream, parseHost(rec.upstream));
    const p = this.builder.placed(i);
    const ended = p !== null && (p.role === 'end' || p.role === 'last' || (p.role === 'close' && p.cut.length > 0));
    if (ended && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush(this.builder.snapshot(this.meta()), false);
      }, COALESCE_MS);
      this.timer.unref?.();
    }
  }

  /** The session is over: the remaining spans and the session's, then the sender gets ≤ 2 s to deliver them. */
  async close(): Promise<{ sent: number; dropped: number }> {
    if (!this.closed) {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.flush(this.builder.analysis(this.meta()), true);
      await this.sender.close(2000);
    }
    return { sent: this.sender.sent, dropped: this.sender.dropped };
  }

  private meta(): { path: string; truncated: false; version: { major: number; minor: number } } {
    return { path: this.tracePath, truncated: false, version: { major: 1, minor: 1 } };
  }

  private flush(a: Analysis, final: boolean): void {
    const m = a.model;
    this.model = m;
    this.o ??= otlpSession(m.session, m.session?.startedAt ?? 0);
    const o = this.o;
    const sampling = a.pass.get('sampling').data().byId;
    const spans: OtlpSpan[] = [];
    const byId = new Map(m.requests.map((r) => [r.id, r] as const));
    for (const r of m.requests) {
      if (r.inProgress || this.sentChats.has(r.id)) continue;
      this.sentChats.add(r.id);
      const x = a.exchanges.byId.get(r.id);
      spans.push(chatSpan(o, r, sampling.get(r.id) ?? { maxTokens: null, temperature: null, topP: null }, x ? (this.upstreams.get(x.upstream) ?? null) : null));
    }
    // A tool or user gap is over once the request after it started (or the session ended).
    const lastStart = m.requests.length ? m.requests[m.requests.length - 1].startMs : 0;
    m.criticalPath.forEach((seg, i) => {
      if (!final && seg.endMs > lastStart) return;
      const key = gapKey(seg);
      if (this.sentGaps.has(key)) return;
      const sp = gapSpan(o, m, seg, i, byId);
      if (!sp) return;
      this.sentGaps.add(key);
      spans.push(sp);
    });
    if (final) spans.push(rootSpan(o, m));
    this.sender.send(spans);
  }
}
