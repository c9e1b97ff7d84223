// Which conversation each request belongs to (main, subagents, side calls) and which tool call started
// each subagent (rules in threads.ts). Also the explicit links the threads are read along.
import type { Handler, HandlerContext } from '../pipeline.js';
import { linkExplicit, type Link } from '../critical-path.js';
import { findThreads, type ThreadsResult } from '../threads.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    threads: ThreadsHandler;
  }
}

export interface ThreadsData extends ThreadsResult {
  /** Per request id: its explicit link (tool result, previous_response_id, retry) and inherited conversation key. */
  links: ReadonlyMap<string, Link>;
}

export class ThreadsHandler implements Handler<ThreadsData> {
  readonly name = 'threads';
  readonly deps = ['responses'] as const;
  private result: ThreadsData | null = null;

  reset(): void {
    this.result = null;
  }

  handleEvent(): void {}

  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const { requests, openings } = ctx.dep('responses').data();
    const links = linkExplicit(requests);
    this.result = { ...findThreads(requests, links, openings), links };
  }

  data(): ThreadsData {
    if (!this.result) throw new Error('threads: data() before finalize()');
    return this.result;
  }
}
