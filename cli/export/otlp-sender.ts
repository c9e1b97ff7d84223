// Node side of the live OTLP export (`lapse record --otlp-endpoint`): spans are queued as the session
// makes them and POSTed to the collector one batch at a time. A collector that is down, slow or
// refusing never holds anything up: the queue is bounded (the oldest spans go first when it is full),
// each POST has a short timeout, and the first failure is said once — the session goes on.
import type { OtlpSpan, OtlpTraces } from './otlp.js';
import { postOtlp, tracesUrl } from './post.js';

export interface SenderOptions {
  /** Most spans waiting to be sent (default 4096). */
  maxQueue?: number;
  /** Most spans per POST (default 512). */
  batch?: number;
  /** Longest one POST may take (default 3 s). */
  timeoutMs?: number;
  /** After a failed POST, wait this long before the next (default 1 s): a collector that is down is not hammered. */
  retryMs?: number;
  warn: (message: string) => void;
}

export class OtlpSender {
  private queue: OtlpSpan[] = [];
  private sending: Promise<void> | null = null;
  private warned = false;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Spans the collector accepted, and spans given up on (queue full, failed POSTs). */
  sent = 0;
  dropped = 0;
  readonly url: string;

  /** `wrap` puts the spans of one POST into a whole OTLP/JSON document (the session's resource). Throws UsageError for a bad URL. */
  constructor(
    endpoint: string,
    private readonly wrap: (spans: OtlpSpan[]) => OtlpTraces,
    private readonly opts: SenderOptions,
  ) {
    this.url = tracesUrl(endpoint).href;
  }

  /** Queues spans to send (never blocks). */
  send(spans: OtlpSpan[]): void {
    if (this.closed || spans.length === 0) return;
    this.queue.push(...spans);
    const max = this.opts.maxQueue ?? 4096;
    if (this.queue.length > max) {
      const over = this.queue.length - max;
      this.queue.splice(0, over);
      this.drop(over, `more than ${max} spans waiting`);
    }
    this.pump();
  }

  /**
   * Sends what is queued, for at most `ms`, then gives up on the rest: the session is over and must not
   * hang on a collector. A collector that failed lately is not tried again.
   */
  async close(ms = 2000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + ms;
    const until = (p: Promise<unknown>): Promise<unknown> => Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    if (this.sending) await until(this.sending);
    while (this.queue.length && Date.now() < deadline && this.pausedUntil <= Date.now()) {
      this.pump(deadline - Date.now());
      if (!this.sending) break;
      await until(this.sending);
    }
    if (this.queue.length) {
      this.drop(this.queue.length, 'the session ended before the collector took them');
      this.queue = [];
    }
  }

  private pump(budgetMs?: number): void {
    if (this.sending || this.queue.length === 0) return;
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      this.timer.unref?.();
      return;
    }
    const batch = this.queue.splice(0, this.opts.batch ?? 512);
    const timeout = Math.max(100, Math.min(this.opts.timeoutMs ?? 3000, budgetMs ?? Infinity));
    this.sending = postOtlp(this.url, JSON.stringify(this.wrap(batch)), timeout).then(
      (r) => {
        this.sent += batch.length - r.rejectedSpans;
        if (r.rejectedSpans) this.drop(r.rejectedSpans, `the collector rejected ${r.rejectedSpans} spans${r.message ? `: ${r.message}` : ''}`);
      },
      (err: Error) => {
        this.pausedUntil = Date.now() + (this.opts.retryMs ?? 1000);
        this.drop(batch.length, err.message.replace(/^cannot send to collector at \S+: /, ''));
      },
    ).finally(() => {
      this.sending = null;
      if (!this.closed) this.pump();
    });
  }

  private drop(n: number, why: string): void {
    this.dropped += n;
    if (this.warned) return;
    this.warned = true;
    this.opts.warn(`OTLP collector at ${this.url}: ${why}; spans are dropped while it cannot take them (the session is not affected)`);
  }
}
