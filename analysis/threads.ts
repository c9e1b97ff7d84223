// Which agent conversation each request belongs to: the main one, subagents (each linked to the tool
// call that started it), side calls (titles, summaries, warm-ups, checks). The harness's own marks
// come first (Claude Code: an agent-id header, a subagent flag in the first system block); structure
// second: a subagent's first user message is its spawn prompt, and it starts inside the spawning tool
// call (after the response that asked for it, before the request carrying its result).
import type { Link } from './critical-path.js';
import { obj, str } from './events.js';
import type { RequestModel, ThreadModel, ToolCall } from './model.js';

/**
 * Tool names that start a subagent: Claude Code's `Agent` (earlier `Task`), OpenCode's `task`, Codex's
 * `spawn_agent`. The prompt is in `prompt` (Codex: `message`).
 */
export const SPAWN_TOOLS: ReadonlySet<string> = new Set(['Agent', 'Task', 'task', 'spawn_agent']);

/**
 * Spawning tools that return at once (Codex's `spawn_agent` answers with the agent's id): the
 * subagent's answer comes back later, as the result of a wait tool (`wait_agent`) called from the
 * spawner's conversation, so the request carrying that result is the one that waited for it.
 */
const ASYNC_SPAWN_TOOLS: ReadonlySet<string> = new Set(['spawn_agent']);
const WAIT_TOOLS: ReadonlySet<string> = new Set(['wait_agent', 'wait']);

/** A tool call that started a subagent, and what became of it. */
export interface Spawn {
  /** The request whose response asked for it. */
  spawner: string;
  callId: string | null;
  tool: string;
  description: string | null;
  prompt: string | null;
  /** The subagent thread it started; null when none was found (then it is ordinary tool time). */
  thread: string | null;
  /** The request carrying the call's result; null when none did. */
  answerer: string | null;
  /** The answerer also carries results of ordinary tools from the same response. */
  mixed: boolean;
}

export interface ThreadsResult {
  /** Main first, then by start. */
  threads: ThreadModel[];
  /** Request id → thread id. */
  threadOf: ReadonlyMap<string, string>;
  spawns: Spawn[];
  /** The main thread's id; null when there are no requests. */
  main: string | null;
}

function argsOf(c: ToolCall): Record<string, unknown> {
  try {
    return obj(JSON.parse(c.arguments)) ?? {};
  } catch {
    return {};
  }
}

function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The opening is the spawn prompt (harnesses may wrap it with context, so either may contain the other's start). */
function promptMatches(opening: string | null, prompt: string | null): boolean {
  if (!opening || !prompt) return false;
  const o = norm(opening);
  const p = norm(prompt);
  if (!o || !p) return false;
  return o.includes(p.slice(0, 300)) || p.includes(o.slice(0, 300));
}

interface Group {
  key: string;
  requests: RequestModel[];
  opener: RequestModel;
  marked: 'agent-id' | 'subagent-flag' | null;
  spawn: Spawn | null;
  kind: ThreadModel['kind'];
  id: string;
}

/**
 * `links`: the explicit links (tool results, previous_response_id, retries) with the conversation key
 * each request inherits along them; `openings`: each request's first user message.
 */
export function findThreads(requests: readonly RequestModel[], links: ReadonlyMap<string, Link>, openings: ReadonlyMap<string, string | null>): ThreadsResult {
  // Conversations: the harness's agent id when it sends one, else the inherited conversation key.
  const groups = new Map<string, Group>();
  const groupOf = new Map<string, Group>();
  for (const r of requests) {
    const conv = links.get(r.id)?.thread ?? r.thread;
    const key = r.agentId !== null ? `agent:${r.agentId}` : conv !== null ? `conv:${conv}` : `req:${r.id}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, requests: [], opener: r, marked: r.agentId !== null ? 'agent-id' : null, spawn: null, kind: 'side', id: '' };
      groups.set(key, g);
    }
    if (g.marked === null && r.subagentMark) g.marked = 'subagent-flag';
    g.requests.push(r);
    groupOf.set(r.id, g);
  }

  // The calls that start subagents, with the window a subagent of theirs must start in.
  const callerOf = new Map<string, RequestModel>();
  for (const r of requests) for (const c of r.toolCalls) if (c.id !== null) callerOf.set(c.id, r);
  // by the caller's own agent (a forked sub-agent carries its parent's results in its history)
  const answererOf = new Map<string, RequestModel>();
  for (const r of requests) for (const id of r.answersToolCallIds) if (!answererOf.has(id) && callerOf.get(id)?.agentId === r.agentId) answererOf.set(id, r);
  const spawns: Spawn[] = [];
  const windows: Array<{ from: number; to: number }> = [];
  /** The request carrying the result of the first wait call its conversation made after `r`. */
  const waitAnswerer = (r: RequestModel): RequestModel | null => {
    const g = groupOf.get(r.id)!;
    for (const q of g.requests) {
      if (q.startMs < r.startMs) continue;
      const wait = q.toolCalls.find((c) => WAIT_TOOLS.has(c.name) && c.id !== null);
      if (wait) return answererOf.get(wait.id!) ?? null;
    }
    return null;
  };
  for (const r of requests) {
    if (r.warmup) continue;
    const spawnIds = new Set(r.toolCalls.filter((c) => SPAWN_TOOLS.has(c.name)).map((c) => c.id));
    for (const c of r.toolCalls) {
      if (!SPAWN_TOOLS.has(c.name)) continue;
      const a = argsOf(c);
      const async = ASYNC_SPAWN_TOOLS.has(c.name);
      const answerer = async ? waitAnswerer(r) : c.id !== null ? (answererOf.get(c.id) ?? null) : null;
      const mixed = !async && answerer !== null && answerer.answersToolCallIds.some((id) => !spawnIds.has(id) && r.toolCalls.some((x) => x.id === id));
      spawns.push({
        spawner: r.id,
        callId: c.id,
        tool: c.name,
        description: str(a.description),
        prompt: str(a.prompt) ?? str(a.message) ?? str(a.task),
        thread: null,
        answerer: answerer ? answerer.id : null,
        mixed,
      });
      // Harnesses may start a tool while its arguments stream in; never before the call appeared.
      windows.push({ from: Math.min(c.endMs ?? r.endMs, r.endMs) - 1, to: answerer ? answerer.startMs : Infinity });
    }
  }

  // Each spawn takes the earliest conversation opening in its window whose first message is its
  // prompt; failing that, the earliest one the harness marked as a subagent.
  const taken = new Set<Group>();
  // A conversation opens with its first real request (Codex warms a subagent's socket up first).
  const firstReal = (g: Group): RequestModel | undefined => g.requests.find((r) => !r.warmup);
  const openers = [...groups.values()]
    .filter((g) => {
      const f = firstReal(g);
      return f !== undefined && links.get(f.id)?.dependency == null;
    })
    .sort((a, b) => firstReal(a)!.startMs - firstReal(b)!.startMs);
  const spawnerGroup = (s: Spawn): Group | undefined => groupOf.get(s.spawner);
  for (const pass of ['prompt', 'mark'] as const) {
    spawns.forEach((s, i) => {
      if (s.thread !== null) return;
      const w = windows[i];
      const g = openers.find(
        (o) =>
          !taken.has(o) &&
          o !== spawnerGroup(s) &&
          firstReal(o)!.startMs >= w.from &&
          firstReal(o)!.startMs <= w.to &&
          (pass === 'prompt' ? promptMatches(openings.get(firstReal(o)!.id) ?? null, s.prompt) : o.marked !== null),
      );
      if (!g) return;
      taken.add(g);
      g.spawn = s;
      g.kind = 'subagent';
      s.thread = g.key; // replaced by the thread id below
    });
  }
  for (const g of groups.values()) if (g.marked !== null) g.kind = 'subagent';

  // Main: the conversation of the request with the longest input, among those not subagents.
  let best: RequestModel | null = null;
  for (const r of requests) {
    if (r.warmup || groupOf.get(r.id)!.kind === 'subagent') continue;
    if (best === null || (r.messageCount ?? 0) > (best.messageCount ?? 0)) best = r;
  }
  const mainGroup = best ? groupOf.get(best.id)! : null;
  if (mainGroup) mainGroup.kind = 'main';

  for (const g of groups.values()) {
    if (g.kind === 'main') g.id = 'main';
    else if (g.kind === 'subagent') g.id = g.opener.agentId !== null ? `agent-${g.opener.agentId}` : `sub-${g.opener.id}`;
    else g.id = `side-${g.opener.id}`;
  }
  const byKey = new Map([...groups.values()].map((g) => [g.key, g] as const));
  for (const s of spawns) if (s.thread !== null) s.thread = byKey.get(s.thread)!.id;

  const threads: ThreadModel[] = [...groups.values()].map((g) => {
    const spawnerThread = g.spawn ? groupOf.get(g.spawn.spawner)!.id : null;
    return {
      id: g.id,
      kind: g.kind,
      parent: g.kind === 'main' ? null : g.kind === 'subagent' ? (spawnerThread ?? (mainGroup ? 'main' : null)) : mainGroup && mainGroup !== g ? 'main' : null,
      spawnedBy: g.spawn ? g.spawn.spawner : null,
      spawnCallId: g.spawn ? g.spawn.callId : null,
      spawnTool: g.spawn ? g.spawn.tool : null,
      via: g.kind !== 'subagent' ? null : g.marked ?? 'spawn-prompt',
      requests: g.requests.map((r) => r.id),
      startMs: g.opener.startMs,
      endMs: Math.max(...g.requests.map((r) => r.endMs)),
      label: g.kind === 'main' ? 'main' : g.kind === 'subagent' ? (g.spawn?.description ?? g.opener.agentId ?? 'subagent') : g.opener.warmup ? 'warm-up' : 'side',
    };
  });
  threads.sort((a, b) => (a.kind === 'main' ? -1 : b.kind === 'main' ? 1 : a.startMs - b.startMs));
  const threadOf = new Map<string, string>();
  for (const [id, g] of groupOf) threadOf.set(id, g.id);
  return { threads, threadOf, spawns, main: mainGroup ? 'main' : null };
}
