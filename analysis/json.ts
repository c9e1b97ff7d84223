// The JSON contracts of design.md ("lapse stats --json", "lapse simulate --json"), built from the model.
// Exactly the documented fields: unknown values are null, never missing.
import type { TraceSource } from '../format/types.js';
import type { Breakdown, DependencyKind, NetworkTiming, SessionModel, SimulationResult, ThreadKind, TransportSummary } from './model.js';
import { PRICES, sessionCost } from './cost.js';

export interface StatsJson {
  trace: { path: string | null; formatVersion: string; truncated: boolean; records: number; source: TraceSource };
  durationMs: number;
  costUsd: number | null;
  prices: { source: string; version: string };
  requests: Array<{
    id: string;
    protocol: string;
    transport: string;
    model: string | null;
    startMs: number;
    firstByteMs: number | null;
    ttftMs: number | null;
    endMs: number;
    inputTokens: number | null;
    outputTokens: number | null;
    cacheReadTokens: number | null;
    cacheWriteTokens: number | null;
    costUsd: number | null;
    tokensPerSecond: number | null;
    stopReason: string | null;
    toolCalls: string[];
    status: string;
    critical: boolean;
    /** Id of its thread in `threads`. */
    thread: string | null;
    /** What it waited for; the binding one (ended latest) first. */
    dependsOn: Array<{ id: string; kind: DependencyKind }>;
    /** Imported from a transcript: no TTFT or rate, the wait/stream split estimated from the tokens. */
    estimated: boolean;
    /** The wait split on the wire (format 1.2 traces recorded through the proxy); null otherwise. */
    network: NetworkJson | null;
  }>;
  breakdown: Breakdown;
  files: Array<{ path: string; changes: number }>;
  threads: Array<{ id: string; kind: ThreadKind; parent: string | null; spawnedBy: string | null; requests: string[]; startMs: number; endMs: number }>;
  /** The user time measured from the terminal: reading (answer drawn → first key) and typing (→ Enter); null without terminal records. */
  userDetail: { readingMs: number; typingMs: number } | null;
  /** The session's round trips on the wire; null when the trace has no wire timing. */
  transport: TransportSummary | null;
}

export type NetworkJson = Omit<NetworkTiming, 'resentFrom'>;

export interface SimulateJson {
  profile: { name: string; tokensPerSecond: number | null; speedFactor: number | null; ttftScale: number; harnessScale: number; persistent: boolean; tokenOverheadScale: number };
  /** `critical`: request ids of the critical path in start order, recorded and simulated (it may run through another branch). */
  original: { durationMs: number; breakdown: Breakdown; critical: string[] };
  simulated: { durationMs: number; breakdown: Breakdown; critical: string[] };
  speedup: number | null;
}

/** Rounds to µs: the trace's resolution (avoids printing float noise like 299.99999999997). */
function us(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
function usOrNull(ms: number | null): number | null {
  return ms === null ? null : us(ms);
}
function breakdownJson(b: Breakdown): Breakdown {
  return { modelWaitMs: us(b.modelWaitMs), modelStreamMs: us(b.modelStreamMs), toolMs: us(b.toolMs), userMs: us(b.userMs), harnessMs: us(b.harnessMs) };
}

/** Dollars to 1e-9 (sub-cent request costs stay exact enough to add up; no float noise). */
function usd(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1e9) / 1e9;
}

export function statsJson(m: SessionModel): StatsJson {
  const cost = sessionCost(m);
  return {
    trace: { path: m.trace.path, formatVersion: m.trace.formatVersion, truncated: m.trace.truncated, records: m.trace.records, source: m.session?.source ?? 'proxy' },
    durationMs: us(m.durationMs),
    costUsd: usd(cost.totalUsd),
    prices: { source: PRICES.source, version: PRICES.version },
    requests: m.requests.map((r) => ({
      id: r.id,
      protocol: r.protocol,
      transport: r.transport,
      model: r.model,
      startMs: us(r.startMs),
      firstByteMs: usOrNull(r.firstByteMs),
      ttftMs: usOrNull(r.ttftMs),
      endMs: us(r.endMs),
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cacheReadTokens: r.cacheReadTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      costUsd: usd(cost.requests.get(r.id) ?? null),
      tokensPerSecond: r.tokensPerSecond === null ? null : Math.round(r.tokensPerSecond * 100) / 100,
      stopReason: r.stopReason,
      toolCalls: r.toolCalls.map((c) => c.name),
      status: r.status,
      critical: r.critical,
      thread: r.thread,
      dependsOn: r.dependencies.map((d) => ({ id: d.id, kind: d.kind })),
      estimated: r.estimated,
      network: r.network ? networkJson(r.network) : null,
    })),
    breakdown: breakdownJson(m.breakdown),
    files: m.fileSummary.map((f) => ({ path: f.path, changes: f.changes })),
    threads: m.threads.map((t) => ({ id: t.id, kind: t.kind, parent: t.parent, spawnedBy: t.spawnedBy, requests: [...t.requests], startMs: us(t.startMs), endMs: us(t.endMs) })),
    userDetail: m.userDetail ? { readingMs: us(m.userDetail.readingMs), typingMs: us(m.userDetail.typingMs) } : null,
    transport: m.transport ? transportJson(m.transport) : null,
  };
}

function networkJson(n: NetworkTiming): NetworkJson {
  return {
    reused: n.reused,
    socket: n.socket,
    dnsMs: usOrNull(n.dnsMs),
    connectMs: usOrNull(n.connectMs),
    tlsMs: usOrNull(n.tlsMs),
    setupMs: us(n.setupMs),
    uploadMs: us(n.uploadMs),
    uploadEnd: n.uploadEnd,
    serverMs: us(n.serverMs),
    headMs: usOrNull(n.headMs),
    bytesUp: n.bytesUp,
    bytesDown: n.bytesDown,
    resentBytes: n.resentBytes,
    resentUploadMs: us(n.resentUploadMs),
  };
}

function transportJson(t: TransportSummary): TransportSummary {
  const ms = ['setupMs', 'uploadMs', 'serverMs', 'criticalSetupMs', 'criticalUploadMs', 'criticalResentUploadMs', 'overheadMs', 'resentUploadMs'] as const;
  const out = { ...t, uplinkBytesPerSecond: t.uplinkBytesPerSecond === null ? null : Math.round(t.uplinkBytesPerSecond), socketSetupMs: us(t.socketSetupMs) };
  for (const k of ms) out[k] = us(t[k]);
  out.sockets = t.sockets.map((w) => ({ ...w, startMs: us(w.startMs), openMs: us(w.openMs), dnsMs: usOrNull(w.dnsMs), connectMs: usOrNull(w.connectMs), tlsMs: usOrNull(w.tlsMs), upgradeMs: usOrNull(w.upgradeMs), setupMs: us(w.setupMs) }));
  return out;
}

export function simulateJson(s: SimulationResult): SimulateJson {
  const p = s.profile;
  return {
    profile: { name: p.name, tokensPerSecond: p.tokensPerSecond, speedFactor: p.speedFactor, ttftScale: p.instant ? 0 : p.ttftScale, harnessScale: p.harnessScale, persistent: p.persistent, tokenOverheadScale: p.tokenOverheadScale },
    original: { durationMs: us(s.original.durationMs), breakdown: breakdownJson(s.original.breakdown), critical: [...s.original.critical] },
    simulated: { durationMs: us(s.simulated.durationMs), breakdown: breakdownJson(s.simulated.breakdown), critical: [...s.simulated.critical] },
    speedup: s.speedup === null ? null : Math.round(s.speedup * 1000) / 1000,
  };
}
