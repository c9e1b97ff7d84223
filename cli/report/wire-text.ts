// The wire in the text reports: `lapse stats`'s round-trip lines and `lapse simulate --profile
// websocket`'s answer to "what would WebSocket mode save this session".
import type { SessionModel, SimulationResult } from '../../analysis/model.js';
import { formatBytes, socketSetupSentence } from '../../analysis/present.js';
import { formatInt, formatMs, formatPct, paint, type TextOptions } from './format.js';

/** The session's round trips as the proxy saw them on its upstream connections; none without wire timing. */
export function transportLines(o: TextOptions, m: Pick<SessionModel, 'transport' | 'durationMs'>): string[] {
  const t = m.transport;
  if (!t) return [];
  const pct = (part: number, whole: number) => (whole > 0 ? ` (${formatPct(part, whole)})` : '');
  const turns = t.sockets.reduce((n, w) => n + w.responses, 0);
  const httpRequests = t.requests - turns;
  const phases = `setup ${formatMs(t.setupMs)} · upload ${formatMs(t.uploadMs)} · server ${formatMs(t.serverMs)}`;
  const out = [paint(o, 'bold', 'round trips on the wire') + paint(o, 'dim', ' (as the proxy saw its upstream connections)')];
  if (httpRequests > 0 || turns === 0) out.push(`  connections  ${formatInt(t.newConnections)} new for ${formatInt(httpRequests)} requests · ${phases}`);
  if (t.sockets.length > 0) {
    out.push(`  websockets   ${formatInt(t.sockets.length)} for ${formatInt(turns)} responses, set up once in ${formatMs(t.socketSetupMs)} (in no response's wait)${httpRequests > 0 ? '' : ` · ${phases}`}`);
    for (const w of t.sockets.slice(0, 3)) out.push(paint(o, 'dim', `               ${socketSetupSentence(w)}`));
    if (t.sockets.length > 3) out.push(paint(o, 'dim', `               … ${t.sockets.length - 3} more (see --json)`));
  }
  out.push(
    `  waited for   ${formatMs(t.overheadMs)} of round-trip overhead on the critical path${pct(t.overheadMs, m.durationMs)}: connection setup ${formatMs(t.criticalSetupMs)}, upload ${formatMs(t.criticalUploadMs)}`,
    `  uploaded     ${formatBytes(t.bytesUp)}, ${formatBytes(t.resentBytes)} of it repeating an earlier request${pct(t.resentBytes, t.bytesUp)} · downloaded ${formatBytes(t.bytesDown)}${turns > 0 ? ' (HTTP responses)' : ''}${t.uplinkBytesPerSecond !== null ? ` · uplink ≈ ${formatBytes(t.uplinkBytesPerSecond)}/s` : ''}`,
  );
  return out;
}

/** For a persistent-connection profile: what it saves, and how much of that is the measured wire. */
export function persistentLines(o: TextOptions, s: SimulationResult, m: Pick<SessionModel, 'transport' | 'requests'>): string[] {
  if (!s.profile.persistent) return [];
  const saved = s.original.durationMs - s.simulated.durationMs;
  const t = m.transport;
  const head = `What WebSocket mode would save this session: ${formatMs(Math.max(0, saved))}${s.original.durationMs > 0 ? ` (${formatPct(Math.max(0, saved), s.original.durationMs)} of it)` : ''}.`;
  if (!t) {
    return [head, paint(o, 'dim', 'This trace has no wire timing (recorded before trace format 1.2, or imported): only the published TTFT × 0.5 and per-token overhead × 0.7 were applied, no measured connection setup or upload.'), ...onSocketLine(o, m)];
  }
  return [
    head,
    `Measured on the critical path: ${formatMs(t.criticalSetupMs)} of connection setup and ${formatMs(t.criticalResentUploadMs)} re-sending what the endpoint already had (${formatBytes(t.resentBytes)} in the whole session) are gone; the rest is the published TTFT × 0.5 and per-token overhead × 0.7.`,
    paint(o, 'dim', 'Assumption: per-token overhead is the stream time beyond its median inter-event gap; the published factors are the ones OpenAI gave for its WebSocket harness.'),
    ...onSocketLine(o, m),
  ];
}

/** Responses already on a WebSocket, which a `persistent` profile leaves as recorded (analysis/simulate.ts). */
function onSocketLine(o: TextOptions, m: Pick<SessionModel, 'requests'>): string[] {
  const n = m.requests.filter((r) => r.transport === 'websocket').length;
  if (n === 0) return [];
  const all = n === m.requests.length;
  return [paint(o, 'dim', `${all ? `All ${n}` : `${n} of ${m.requests.length}`} responses already came over a WebSocket: they keep their recorded times (the published factors were measured against HTTP).`)];
}
