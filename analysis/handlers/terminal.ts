// The harness's terminal as the trace recorded it (what it drew, its sizes, when keys were pressed),
// for the user-time split (critical.ts) and the views' terminal pane. Rules in analysis/terminal.ts.
import type { TraceRecord } from '../../format/types.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import { TerminalCollector, type TerminalModel } from '../terminal.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    terminal: TerminalHandler;
  }
}

export interface TerminalData {
  /** Null when the trace has no terminal records (no pty: pipes, CI, --no-pty, older traces, imports). */
  terminal: Omit<TerminalModel, 'userSpans'> | null;
}

export class TerminalHandler implements Handler<TerminalData> {
  readonly name = 'terminal';
  readonly deps = [] as const;
  private collector: TerminalCollector;
  private result: TerminalData | null = null;

  constructor(private readonly detail: boolean) {
    this.collector = new TerminalCollector(detail);
  }

  reset(): void {
    this.collector = new TerminalCollector(this.detail);
    this.result = null;
  }

  handleEvent(rec: TraceRecord): void {
    if (rec.kind === 'term-output' || rec.kind === 'term-resize' || rec.kind === 'term-input') this.collector.add(rec, rec.t / 1000);
  }

  /** Event runs are `http-data`: nothing here. */
  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const t = this.collector.finish();
    // a live snapshot gets copies: the collector's lists go on growing
    this.result = { terminal: t && !ctx.final ? { sizes: t.sizes.slice(), output: t.output.slice(), keys: t.keys.slice() } : t };
  }

  data(): TerminalData {
    if (!this.result) throw new Error('terminal: data() before finalize()');
    return this.result;
  }
}
