// The session as a graph. Nodes: each model request (its wait, then its stream) and the gaps between
// them — tool runs (a response's tool calls → the request carrying their results), the person (user),
// the harness (start-up, spawning, back-off). Edges: what each request waited for — tool results,
// previous_response_id, a retried attempt, spawn (a subagent's first request waits for the response
// that started it), subagent-result (the request carrying an `Agent` call's result waits for the
// subagent's answer), else time order. A tool call that started a subagent is not tool time: the
// subagent's requests stand in its place. The critical path follows, from the session's last main
// request back, the dependency that ended latest (the one the request really waited on last).
import { buildSegments, buildTurns, gapKindAfter, type Link, timeOrderDependency } from './critical-path.js';
import type { Dependency, DependencyKind, GapKind, RequestModel, Segment, SegmentKind, Turn } from './model.js';
import type { ThreadsResult } from './threads.js';

/** One dependency: `to` could start only after `from` ended; the `leadMs` between is a `gap`. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: DependencyKind;
  gap: GapKind;
  /** to.startMs − from.endMs as recorded (negative when they overlapped). */
  leadMs: number;
}

/** A node of the graph, for views and exports: a request's wait or stream, or a gap before a request. */
export interface GraphNode {
  kind: SegmentKind;
  /** The request (wait, stream) or the request the gap leads to. */
  requestId: string;
  /** For a gap: the request it follows (null: from the session start). */
  fromId: string | null;
  startMs: number;
  endMs: number;
}

export interface GraphResult {
  /** Per request id, everything it waited for (with the gap before it); binding first. */
  deps: ReadonlyMap<string, readonly Dependency[]>;
  edges: readonly GraphEdge[];
  nodes: readonly GraphNode[];
  /** Request ids of the critical path, in start order. */
  chain: readonly string[];
  segments: Segment[];
  turns: Turn[];
}

/**
 * `links`: the explicit links (linkExplicit); `threads`: findThreads over the same requests.
 * `prompts`: each request's user prompt (for turns).
 */
export function buildGraph(
  requests: readonly RequestModel[],
  links: ReadonlyMap<string, Link>,
  threads: ThreadsResult,
  durationMs: number,
  prompts: ReadonlyMap<string, string | null>,
): GraphResult {
  const byId = new Map(requests.map((r) => [r.id, r] as const));
  const isMain = (id: string): boolean => threads.threadOf.get(id) === 'main';
  const real = requests.filter((r) => !r.warmup);
  const byEnd = real.slice().sort((a, b) => a.endMs - b.endMs);
  const threadById = new Map(threads.threads.map((t) => [t.id, t] as const));

  // Spawns by the subagent thread they started, and by the request collecting their results.
  const spawnOfThread = new Map(threads.spawns.filter((s) => s.thread !== null).map((s) => [s.thread!, s] as const));
  const collected = new Map<string, typeof threads.spawns>();
  for (const s of threads.spawns) {
    if (s.thread === null || s.answerer === null) continue;
    const list = collected.get(s.answerer) ?? [];
    list.push(s);
    collected.set(s.answerer, list);
  }

  const deps = new Map<string, Dependency[]>();
  const edges: GraphEdge[] = [];
  const add = (r: RequestModel, from: RequestModel, kind: DependencyKind, gap: GapKind): void => {
    const list = deps.get(r.id) ?? [];
    if (list.some((d) => d.id === from.id)) return;
    list.push({ id: from.id, kind, gap });
    deps.set(r.id, list);
    edges.push({ from: from.id, to: r.id, kind, gap, leadMs: r.startMs - from.endMs });
  };

  for (const r of real) {
    const l = links.get(r.id);
    const thread = threadById.get(threads.threadOf.get(r.id) ?? '');
    // A subagent's first real request (Codex warms each new socket up first) waits for its spawn.
    const spawn = thread && thread.requests.find((id) => !byId.get(id)!.warmup) === r.id ? spawnOfThread.get(thread.id) : undefined;
    const subs = collected.get(r.id);
    if (subs) {
      // The subagents' answers, not the tool call, are what this request waited for.
      for (const s of subs) {
        const t = threadById.get(s.thread!)!;
        let last: RequestModel | null = null;
        for (const id of t.requests) {
          const q = byId.get(id)!;
          if (!q.warmup && q.endMs <= r.startMs + 1 && (last === null || q.endMs > last.endMs)) last = q;
        }
        // Ordinary tools of the same response may have run longer: then the wait after the last answer is tool time.
        if (last) add(r, last, 'subagent-result', s.mixed ? 'tool' : 'harness');
      }
      const spawner = byId.get(subs[0].spawner);
      const direct = l?.dependsOn ? byId.get(l.dependsOn) : undefined;
      // A retried step or another response it answers stays a dependency; the spawning response only
      // when no subagent answer was found.
      if (direct && (direct !== spawner || !deps.has(r.id))) add(r, direct, l!.dependency!, gapKindAfter(direct));
      continue;
    }
    if (l?.dependsOn) {
      const d = byId.get(l.dependsOn)!;
      add(r, d, l.dependency!, gapKindAfter(d));
      continue;
    }
    if (spawn) {
      add(r, byId.get(spawn.spawner)!, 'spawn', 'harness');
      continue;
    }
    const d = timeOrderDependency(r, byEnd, isMain);
    if (d) add(r, d, 'time-order', gapKindAfter(d));
  }

  // The binding dependency first: the one that ended latest.
  for (const list of deps.values()) list.sort((a, b) => byId.get(b.id)!.endMs - byId.get(a.id)!.endMs);

  // The chain ends at the latest-ending main request, or at a later request that only started after it ended.
  let mainLast: RequestModel | null = null;
  for (const r of real) if (isMain(r.id) && (mainLast === null || r.endMs >= mainLast.endMs)) mainLast = r;
  let last: RequestModel | null = mainLast;
  for (const r of real) {
    if (mainLast !== null && r.startMs < mainLast.endMs) continue;
    if (last === null || r.endMs > last.endMs || (r.endMs === last.endMs && r.startMs > last.startMs)) last = r;
  }
  const chain: RequestModel[] = [];
  const seen = new Set<string>();
  for (let r: RequestModel | undefined = last ?? undefined; r && !seen.has(r.id); ) {
    seen.add(r.id);
    chain.push(r);
    const b = deps.get(r.id)?.[0];
    r = b ? byId.get(b.id) : undefined;
  }
  chain.reverse();

  const gapBetween = (prev: RequestModel, next: RequestModel): SegmentKind => deps.get(next.id)?.find((d) => d.id === prev.id)?.gap ?? gapKindAfter(prev);
  const segments = buildSegments(chain, durationMs, gapBetween);
  const turns = buildTurns(chain, prompts, gapBetween);

  const nodes: GraphNode[] = [];
  for (const r of requests) {
    const b = deps.get(r.id)?.[0];
    const from = b ? byId.get(b.id)! : null;
    const gapStart = from ? from.endMs : 0;
    if (r.startMs > gapStart) nodes.push({ kind: b ? b.gap : 'harness', requestId: r.id, fromId: from ? from.id : null, startMs: gapStart, endMs: r.startMs });
    const fc = r.firstContentMs ?? r.endMs;
    nodes.push({ kind: 'modelWait', requestId: r.id, fromId: null, startMs: r.startMs, endMs: fc });
    if (r.endMs > fc) nodes.push({ kind: 'modelStream', requestId: r.id, fromId: null, startMs: fc, endMs: r.endMs });
  }

  return { deps, edges, nodes, chain: chain.map((r) => r.id), segments, turns };
}
