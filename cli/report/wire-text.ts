// The wire in the text reports: `lapse stats`'s round-trip lines and `lapse simulate --profile
// websocket`'s answer to "what would WebSocket mode save this session".
import type { SessionModel, SimulationResult } from '../../analysis/model.js';
import { formatBytes } from '../../analysis/present.js';
import { formatInt, formatMs, formatPct, paint, type TextOptions } from './format.js';

/** The session's round trips as the proxy saw them on its upstream connections; none without wire timing. */
export function transportLines(o: TextOptions, m: Pick<SessionModel, 'transport' | 'durationMs'>): string[] {
  const t = m.transport;
  if (!t) return [];
  const pct = (part: number, whole: number) => (whole > 0 ? ` (${formatPct(part, whole)})` : '');
  return [
    paint(o, 'bold', 'round trips on the wire') + paint(o, 'dim', ' (HTTP requests, as the proxy saw its upstream connections)'),
    `  connections  ${formatInt(t.newConnections)} new for ${formatInt(t.requests)} requests · setup ${formatMs(t.setupMs)} · upload ${formatMs(t.uploadMs)} · server ${formatMs(t.serverMs)}`,
    `  waited for   ${formatMs(t.overheadMs)} of round-trip overhead on the critical path${pct(t.overheadMs, m.durationMs)}: connection setup ${formatMs(t.criticalSetupMs)}, upload ${formatMs(t.criticalUploadMs)}`,
    `  uploaded     ${formatBytes(t.bytesUp)}, ${formatBytes(t.resentBytes)} of it repeating an earlier request${pct(t.resentBytes, t.bytesUp)} · downloaded ${formatBytes(t.bytesDown)}${t.uplinkBytesPerSecond !== null ? ` · uplink ≈ ${formatBytes(t.uplinkBytesPerSecond)}/s` : ''}`,
  ];
}

/** For a persistent-connection profile: what it saves, and how much of that is the measured wire. */
export function persistentLines(o: TextOptions, s: SimulationResult, m: Pick<SessionModel, 'transport'>): string[] {
  if (!s.profile.persistent) return [];
  const saved = s.original.durationMs - s.simulated.durationMs;
  const t = m.transport;
  const head = `What WebSocket mode would save this session: ${formatMs(Math.max(0, saved))}${s.original.durationMs > 0 ? ` (${formatPct(Math.max(0, saved), s.original.durationMs)} of it)` : ''}.`;
  if (!t) {
    return [head, paint(o, 'dim', 'This trace has no wire timing (recorded before trace format 1.2, imported, or already over a WebSocket): only the published TTFT × 0.5 and per-token overhead × 0.7 were applied, no measured connection setup or upload.')];
  }
  return [
    head,
    `Measured on the critical path: ${formatMs(t.criticalSetupMs)} of connection setup and ${formatMs(t.criticalResentUploadMs)} re-sending what the endpoint already had (${formatBytes(t.resentBytes)} in the whole session) are gone; the rest is the published TTFT × 0.5 and per-token overhead × 0.7.`,
    paint(o, 'dim', 'Assumption: per-token overhead is the stream time beyond its median inter-event gap; the published factors are the ones OpenAI gave for its WebSocket harness.'),
  ];
}
