// File changes the watcher saw, placed on the critical path (the tool gap, and so the tool calls, they
// fall in), and the per-path totals.
import type { FileChangeRecord, TraceRecord } from '../../format/types.js';
import type { Handler, HandlerContext } from '../pipeline.js';
import type { FileChange, FileSummary } from '../model.js';
import { placeFileChanges, summarizeFiles } from '../files.js';

declare module '../pipeline.js' {
  interface HandlerMap {
    files: FilesHandler;
  }
}

export interface FilesData {
  files: readonly FileChange[];
  summary: readonly FileSummary[];
}

export class FilesHandler implements Handler<FilesData> {
  readonly name = 'files';
  readonly deps = ['graph', 'requests'] as const;
  private recs: FileChangeRecord[] = [];
  private result: FilesData | null = null;

  reset(): void {
    this.recs = [];
    this.result = null;
  }

  handleEvent(rec: TraceRecord): void {
    if (rec.kind === 'file') this.recs.push(rec);
  }

  /** Event runs are `http-data`: nothing here. */
  handleRun(): void {}

  finalize(ctx: HandlerContext): void {
    const files = placeFileChanges(this.recs, ctx.dep('graph').data().segments, ctx.dep('requests').data().byId);
    this.result = { files, summary: summarizeFiles(files) };
  }

  data(): FilesData {
    if (!this.result) throw new Error('files: data() before finalize()');
    return this.result;
  }
}
