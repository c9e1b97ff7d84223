// File changes placed on the critical path: the tool gap (and so the tool calls) they fall in.
import type { FileChangeRecord } from '../format/types.js';
import type { FileChange, FileSummary, RequestModel, Segment } from './model.js';

/**
 * A watcher reports a change a little after the tool wrote it; a change this soon after a tool gap
 * ended is still credited to that gap.
 */
export const FILE_GRACE_MS = 250;

/** Index of the segment containing tMs (the last one starting at or before it). */
export function segmentAt(segs: readonly Segment[], tMs: number): number {
  let lo = 0;
  let hi = segs.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segs[mid].startMs <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function placeFileChanges(recs: readonly FileChangeRecord[], segs: readonly Segment[], byId: ReadonlyMap<string, RequestModel>): FileChange[] {
  const out: FileChange[] = [];
  for (const f of recs) {
    const tMs = f.t / 1000;
    let i = segmentAt(segs, tMs);
    if (i > 0 && segs[i].kind !== 'tool' && segs[i - 1].kind === 'tool' && tMs - segs[i - 1].endMs <= FILE_GRACE_MS) i--;
    const seg = i >= 0 ? segs[i] : null;
    const req = seg && seg.requestId !== null ? byId.get(seg.requestId) : undefined;
    out.push({
      tMs,
      path: f.path,
      op: f.op,
      from: f.from ?? null,
      diff: f.diff ?? null,
      hash: f.hash ?? null,
      size: f.size ?? null,
      segment: i,
      segmentKind: seg ? seg.kind : 'harness',
      requestId: seg ? seg.requestId : null,
      toolNames: seg && seg.kind === 'tool' && req ? req.toolCalls.map((c) => c.name) : [],
    });
  }
  return out;
}

/** Per path, number of changes, in order of first change. */
export function summarizeFiles(files: readonly FileChange[]): FileSummary[] {
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.path, (counts.get(f.path) ?? 0) + 1);
  return [...counts].map(([path, changes]) => ({ path, changes }));
}
