// Presentation shared by every view (the text reports, the terminal viewer, the web viewer, the record
// summary): the five kinds of time with their names, glyphs and colours, the medians, and the number
// formatters. One place, so every screen gives the same figure the same way. Platform-neutral.
import type { Breakdown, RequestModel, SegmentKind, SimProfile, SocketWire } from './model.js';
import { BREAKDOWN_KEY } from './critical-path.js';

export { BREAKDOWN_KEY };

/** Display order: the model's part first, then what a faster model leaves. */
export const SEGMENT_KINDS: readonly SegmentKind[] = ['modelWait', 'modelStream', 'tool', 'user', 'harness'];

/** The name of each kind in legends and tables. */
export const SEGMENT_LABEL: Readonly<Record<SegmentKind, string>> = {
  modelWait: 'model wait (TTFT)',
  modelStream: 'model stream',
  tool: 'tools',
  user: 'user',
  harness: 'harness',
};

/** The short name, where a column or a lane is narrow. */
export const KIND_SHORT: Readonly<Record<SegmentKind, string>> = {
  modelWait: 'wait',
  modelStream: 'stream',
  tool: 'tool',
  user: 'user',
  harness: 'harness',
};

/** One glyph per kind, so a bar still reads without colour (NO_COLOR, a dumb terminal). */
export const KIND_GLYPH: Readonly<Record<SegmentKind, string>> = {
  modelWait: '░',
  modelStream: '█',
  tool: '▒',
  user: '─',
  harness: '·',
};

export type TermColor = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray' | 'white' | 'light-blue';

/** Terminal colour per kind: the nearest of the 16 to the web viewer's colour below. */
export const KIND_TERM_COLOR: Readonly<Record<SegmentKind, TermColor>> = {
  modelWait: 'yellow',
  modelStream: 'blue',
  tool: 'green',
  user: 'magenta',
  harness: 'gray',
};

/** Web colour per kind: distinct in hue and lightness, so they also separate for the common colour-vision deficiencies. */
export const KIND_HEX: Readonly<Record<SegmentKind, string>> = {
  modelWait: '#e69f00',
  modelStream: '#0072b2',
  tool: '#009e73',
  user: '#cc79a7',
  harness: '#8c8c8c',
};

/** The milliseconds of one kind in a breakdown. */
export function breakdownMs(b: Breakdown, k: SegmentKind): number {
  return b[BREAKDOWN_KEY[k]];
}

/** Median (the mean of the two middle values for an even count); null for no values. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function known(xs: ReadonlyArray<number | null>): number[] {
  return xs.filter((x): x is number => x !== null && Number.isFinite(x));
}

/** Median TTFT over every model request that produced content (warm-ups have none). */
export function medianTtftMs(requests: readonly RequestModel[]): number | null {
  return median(known(requests.map((r) => r.ttftMs)));
}

/** Median output speed over every request whose speed was measured. */
export function medianTokensPerSecond(requests: readonly RequestModel[]): number | null {
  return median(known(requests.map((r) => r.tokensPerSecond)));
}

/** The mark for an unknown value. */
export const UNKNOWN = '–';

/**
 * A duration: `850 ms`, `1.23 s`, `12.3 s`, `4 m 05 s`, `1 h 02 m`; `compact` drops the spaces
 * (`850ms`, `4m05s`) for narrow columns.
 */
export function formatDuration(ms: number | null | undefined, compact = false): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return UNKNOWN;
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  const sp = compact ? '' : ' ';
  let s: string;
  if (a === 0) s = `0${sp}ms`;
  else if (a < 1) s = `${a.toFixed(2)}${sp}ms`;
  else if (a < 1000) s = `${Math.round(a)}${sp}ms`;
  else if (a < 60_000) s = `${(a / 1000).toFixed(a < 10_000 ? 2 : 1)}${sp}s`;
  else if (a < 3_600_000) {
    let m = Math.floor(a / 60_000);
    let sec = Math.round((a - m * 60_000) / 1000);
    if (sec === 60) (m += 1), (sec = 0);
    s = `${m}${sp}m${sp}${String(sec).padStart(2, '0')}${sp}s`;
  } else {
    let h = Math.floor(a / 3_600_000);
    let m = Math.round((a - h * 3_600_000) / 60_000);
    if (m === 60) (h += 1), (m = 0);
    s = `${h}${sp}h${sp}${String(m).padStart(2, '0')}${sp}m`;
  }
  return sign + s;
}

/** 12,345 (thousands separated; not toLocaleString, which is slow over thousands of cells). */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return UNKNOWN;
  const s = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** 61 % (one decimal under 10 %). */
export function formatPct(part: number, whole: number): string {
  if (!(whole > 0)) return UNKNOWN;
  const p = (part / whole) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}

/** 98.7 tok/s (whole numbers from 100). */
export function formatRate(tps: number | null | undefined): string {
  if (tps === null || tps === undefined || !Number.isFinite(tps)) return UNKNOWN;
  return `${tps < 100 ? tps.toFixed(1) : formatInt(tps)} tok/s`;
}

/** 2.50× */
export function formatTimes(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return UNKNOWN;
  return `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×`;
}

/** A playhead clock: `m:ss.t` to the nearest tenth (or `h:mm:ss`); fixed width, so it does not jitter while playing. */
export function formatClock(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = Math.floor((tenths % 600) / 10);
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return `${m}:${String(s).padStart(2, '0')}.${tenths % 10}`;
}

/** How much faster a simulation runs: "2.93× faster", "1.25× slower", "∞× faster" (no time left). */
export function formatSpeedup(x: number | null): string {
  if (x === null) return '∞× faster';
  return x >= 1 ? `${formatTimes(x)} faster` : `${formatTimes(1 / x)} slower`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function num(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The phases of one round trip, in the order they happen (Chrome DevTools' timing tab's names). */
export type WirePhase = 'handover' | 'dns' | 'connect' | 'tls' | 'upload' | 'server' | 'download';

export const WIRE_PHASE_LABEL: Readonly<Record<WirePhase, string>> = {
  handover: 'Queueing',
  dns: 'DNS lookup',
  connect: 'Initial connection',
  tls: 'TLS handshake',
  upload: 'Request sent',
  server: 'Waiting for server',
  download: 'Content download',
};

/** Colours of the waterfall: the connection's in greys and greens, the wait in the model wait's colour, the download in the stream's. */
export const WIRE_PHASE_HEX: Readonly<Record<WirePhase, string>> = {
  handover: '#bdbdbd',
  dns: '#56b4e9',
  connect: '#e69f00',
  tls: '#cc79a7',
  upload: '#009e73',
  server: KIND_HEX.modelWait,
  download: KIND_HEX.modelStream,
};

/** Which part of the model wait a phase is: network (connection setup, upload) or the server's own. */
export const WIRE_PHASE_SIDE: Readonly<Record<WirePhase, 'network' | 'server' | 'stream'>> = {
  handover: 'network',
  dns: 'network',
  connect: 'network',
  tls: 'network',
  upload: 'network',
  server: 'server',
  download: 'stream',
};

/**
 * A request's waterfall: each phase's offset from the request's start and its length (ms), phases that
 * did not happen left out; null without wire timing. `resentMs` is the upload's share for bytes an
 * earlier request had sent already.
 */
export function wirePhases(r: Pick<RequestModel, 'network' | 'streamMs'>): Array<{ phase: WirePhase; startMs: number; ms: number; resentMs: number }> | null {
  const n = r.network;
  if (!n) return null;
  const parts: Array<[WirePhase, number]> = [
    // a turn on a WebSocket has no setup of its own (the socket's is socketSetupSentence's)
    ['handover', n.socket !== null ? -1 : Math.max(0, n.setupMs - (n.dnsMs ?? 0) - (n.connectMs ?? 0) - (n.tlsMs ?? 0))],
    ['dns', n.dnsMs ?? -1],
    ['connect', n.connectMs ?? -1],
    ['tls', n.tlsMs ?? -1],
    ['upload', n.uploadMs],
    ['server', n.serverMs],
    ['download', r.streamMs ?? -1],
  ];
  const out: Array<{ phase: WirePhase; startMs: number; ms: number; resentMs: number }> = [];
  let at = 0;
  for (const [phase, ms] of parts) {
    if (ms < 0) continue;
    out.push({ phase, startMs: at, ms, resentMs: phase === 'upload' ? n.resentUploadMs : 0 });
    at += ms;
  }
  return out;
}

/** A WebSocket's connection, set up once: "WebSocket w1: one connection for 5 responses, set up in 812 ms (connect 1 ms, TLS 805 ms, upgrade 6 ms)". */
export function socketSetupSentence(w: SocketWire): string {
  const parts: string[] = [];
  if (w.dnsMs !== null) parts.push(`DNS ${formatDuration(w.dnsMs)}`);
  if (w.connectMs !== null) parts.push(`connect ${formatDuration(w.connectMs)}`);
  if (w.tlsMs !== null) parts.push(`TLS ${formatDuration(w.tlsMs)}`);
  if (w.upgradeMs !== null) parts.push(`upgrade ${formatDuration(w.upgradeMs)}`);
  return `WebSocket ${w.id}: one connection for ${formatInt(w.responses)} response${w.responses === 1 ? '' : 's'}, set up in ${formatDuration(w.setupMs)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** What a profile does: "1,000 tok/s, TTFT × 0.5". */
export function describeProfile(p: SimProfile): string {
  if (p.instant) return `no model time at all${p.harnessScale !== 1 ? `, harness × ${num(p.harnessScale)}` : ''}`;
  const parts: string[] = [];
  if (p.tokensPerSecond !== null) parts.push(`${num(p.tokensPerSecond)} tok/s`);
  else if (p.speedFactor !== null) parts.push(`streams ${num(p.speedFactor)}× faster`);
  if (p.persistent) parts.push('one persistent connection, only new input uploaded');
  if (p.ttftScale !== 1) parts.push(`TTFT × ${num(p.ttftScale)}`);
  if (p.tokenOverheadScale !== 1) parts.push(`per-token overhead × ${num(p.tokenOverheadScale)}`);
  if (p.harnessScale !== 1) parts.push(`harness × ${num(p.harnessScale)}`);
  return parts.length ? parts.join(', ') : 'as recorded';
}
