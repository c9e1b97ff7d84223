// The critical path: which requests the agent actually waited on, and the segments that tile the
// session along them (design.md "What the figures mean").
import type { Breakdown, DependencyKind, GapKind, RequestModel, Segment, SegmentKind, Turn } from './model.js';

/** What linkExplicit decides for one request. */
export interface Link {
  dependsOn: string | null;
  dependency: DependencyKind | null;
  /** The conversation key, inherited along explicit links (previous_response_id requests carry only new items, so their own key differs). */
  thread: string | null;
}

/**
 * Explicit links, in start order. A request depends on the latest-ending response whose tool calls
 * it answers, else on the response named by previous_response_id — or on a failed attempt at that
 * same step that ended before it started (a retry). Along these the conversation key is inherited
 * (previous_response_id requests carry only new items, so their own key differs). Warm-ups neither
 * depend nor are depended on. Requests with no explicit link get `dependsOn: null` here (see
 * linkTimeOrder). Reads the requests, edits none.
 */
export function linkExplicit(requests: readonly RequestModel[]): Map<string, Link> {
  const byToolId = new Map<string, RequestModel>();
  const byResponseId = new Map<string, RequestModel>();
  const links = new Map<string, Link>();
  for (const r of requests) links.set(r.id, { dependsOn: null, dependency: null, thread: r.thread });
  const link = (r: RequestModel): Link => links.get(r.id)!;
  const real = requests.filter((r) => !r.warmup);
  for (const r of real) {
    for (const c of r.toolCalls) if (c.id !== null) byToolId.set(c.id, r);
    if (r.responseId !== null) byResponseId.set(r.responseId, r);
  }
  /** Failed or aborted requests by the request they answered: candidates for a later retry. */
  const failedAttempts = new Map<string, RequestModel[]>();
  for (const r of real) {
    const l = link(r);
    let dep: RequestModel | null = null;
    for (const id of r.answersToolCallIds) {
      const d = byToolId.get(id);
      // Only its own agent's calls: a forked sub-agent (Codex on its default model) starts from its
      // parent's history, the spawn call among it, results it inherited rather than waited for.
      if (d && d !== r && d.agentId === r.agentId && d.startMs <= r.startMs && (dep === null || d.endMs > dep.endMs)) dep = d;
    }
    if (dep) {
      l.dependsOn = dep.id;
      l.dependency = 'tool-result';
    } else if (r.previousResponseId !== null) {
      const d = byResponseId.get(r.previousResponseId);
      if (d && d !== r && d.startMs <= r.startMs) {
        dep = d;
        l.dependsOn = d.id;
        l.dependency = 'previous-response';
      }
    }
    if (!dep) continue;
    // A failed attempt at the same step that ended before this one started was waited on too.
    const attempts = failedAttempts.get(dep.id);
    let retryOf: RequestModel | null = null;
    if (attempts) for (const f of attempts) if (f.endMs <= r.startMs && (retryOf === null || f.endMs > retryOf.endMs)) retryOf = f;
    if (retryOf) {
      l.dependsOn = retryOf.id;
      l.dependency = 'retry';
    }
    if (r.status !== 'complete') {
      const list = failedAttempts.get(dep.id) ?? [];
      list.push(r);
      failedAttempts.set(dep.id, list);
    }
    const inherited = link(dep).thread;
    if (inherited !== null) l.thread = inherited;
  }
  return links;
}

/**
 * The time-order fallback for a request with no other link: the latest response that ended before
 * it started — unless that one is a side request (another thread than the main one) that overlapped
 * the main thread's latest response that ended before it started: then that one. A title or summary
 * request that ran alongside the conversation must not take the conversation's place. Null if none.
 */
export function timeOrderDependency(
  r: RequestModel,
  byEnd: readonly RequestModel[],
  isMain: (id: string) => boolean,
): RequestModel | null {
  // Binary search: the first response with endMs > r.startMs.
  let lo = 0;
  let hi = byEnd.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byEnd[mid].endMs <= r.startMs) lo = mid + 1;
    else hi = mid;
  }
  let latest: RequestModel | null = null;
  let ofMain: RequestModel | null = null;
  for (let i = lo - 1; i >= 0 && lo - 1 - i <= 64; i--) {
    const d = byEnd[i];
    if (d === r) continue;
    latest ??= d;
    if (isMain(d.id)) {
      ofMain = d;
      break;
    }
  }
  return ofMain !== null && latest !== null && latest.startMs < ofMain.endMs ? ofMain : latest;
}

/** What the gap after a critical response is: the agent running tools, the person, or the harness. */
export function gapKindAfter(r: RequestModel): GapKind {
  if (r.toolCalls.length > 0 && r.status !== 'error') return 'tool';
  if (r.status === 'error') return 'harness'; // retries, back-off
  return 'user';
}

/**
 * Segments tiling [0, durationMs] along the chain (start order). Zero-length segments are left out.
 * `gapKind(prev, next)`: what the gap between two chain requests is (default: gapKindAfter(prev)).
 */
export function buildSegments(
  chain: readonly RequestModel[],
  durationMs: number,
  gapKind: (prev: RequestModel, next: RequestModel) => SegmentKind = (prev) => gapKindAfter(prev),
): Segment[] {
  const segs: Segment[] = [];
  let cursor = 0;
  const push = (kind: SegmentKind, end: number, requestId: string | null): void => {
    if (end > cursor) {
      segs.push({ kind, startMs: cursor, endMs: end, requestId });
      cursor = end;
    }
  };
  let prev: RequestModel | null = null;
  for (const r of chain) {
    push(prev ? gapKind(prev, r) : 'harness', Math.min(r.startMs, durationMs), prev ? prev.id : null);
    push('modelWait', Math.min(r.firstContentMs ?? r.endMs, durationMs), r.id);
    push('modelStream', Math.min(r.endMs, durationMs), r.id);
    prev = r;
  }
  push('harness', durationMs, prev ? prev.id : null);
  return segs;
}

export function emptyBreakdown(): Breakdown {
  return { modelWaitMs: 0, modelStreamMs: 0, toolMs: 0, userMs: 0, harnessMs: 0 };
}

export const BREAKDOWN_KEY: Record<SegmentKind, keyof Breakdown> = {
  modelWait: 'modelWaitMs',
  modelStream: 'modelStreamMs',
  tool: 'toolMs',
  user: 'userMs',
  harness: 'harnessMs',
};

export function breakdownOf(segs: readonly { kind: SegmentKind; startMs: number; endMs: number }[]): Breakdown {
  const b = emptyBreakdown();
  for (const s of segs) b[BREAKDOWN_KEY[s.kind]] += s.endMs - s.startMs;
  return b;
}

/** Turns: a new one opens at the first critical request and after each response that ended a turn. */
export function buildTurns(
  chain: readonly RequestModel[],
  prompts: ReadonlyMap<string, string | null>,
  gapKind: (prev: RequestModel, next: RequestModel) => SegmentKind = (prev) => gapKindAfter(prev),
): Turn[] {
  const turns: Turn[] = [];
  let cur: Turn | null = null;
  let prev: RequestModel | null = null;
  for (const r of chain) {
    if (cur === null || (prev !== null && gapKind(prev, r) === 'user')) {
      const p = prompts.get(r.id) ?? null;
      cur = { index: turns.length, startMs: r.startMs, endMs: r.endMs, requestIds: [], prompt: p === null ? null : p.slice(0, 500), stopReason: null };
      turns.push(cur);
    }
    cur.requestIds.push(r.id);
    cur.endMs = Math.max(cur.endMs, r.endMs);
    cur.stopReason = r.stopReason;
    prev = r;
  }
  return turns;
}
