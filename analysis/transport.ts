// What each round trip cost on the wire (http-timing records, format 1.2): a request's model wait split
// into connection setup, upload and server time, and the session's sums. Pure functions; the
// `transport` handler (handlers/transport.ts) runs them in the pass.
import type { HttpTimingRecord } from '../format/types.js';
import type { NetworkTiming, RequestModel, TransportSummary } from './model.js';

const ms = (from: number | undefined, to: number | undefined): number | null => (from === undefined || to === undefined ? null : Math.max(0, (to - from) / 1000));

/**
 * One request's wire timing. The wait (request start → first content, or → end without content) is
 * setup + upload + server: setup runs from the request's start until the connection was ready (on a
 * reused connection only the hand-over), upload until the last byte left, server the rest.
 */
export function networkTiming(r: Pick<RequestModel, 'startMs' | 'firstContentMs' | 'endMs'>, t: HttpTimingRecord): NetworkTiming {
  const waitMs = Math.max(0, (r.firstContentMs ?? r.endMs) - r.startMs);
  const startUs = r.startMs * 1000;
  const ready = t.sendStart ?? t.tls ?? t.connect;
  const setupMs = Math.min(waitMs, ms(startUs, ready) ?? 0);
  const uploadMs = Math.min(waitMs - setupMs, ms(t.sendStart, t.sendEnd) ?? 0);
  const resentBytes = t.repeat?.bytes ?? 0;
  return {
    reused: t.reused,
    dnsMs: ms(t.start, t.dns),
    connectMs: ms(t.dns ?? t.start, t.connect),
    tlsMs: ms(t.connect, t.tls),
    setupMs,
    uploadMs,
    serverMs: Math.max(0, waitMs - setupMs - uploadMs),
    headMs: ms(t.sendEnd, t.head),
    bytesUp: t.bytesUp,
    bytesDown: t.bytesDown,
    resentBytes,
    // the same bytes at the rate this upload went (none when it went too fast to measure)
    resentUploadMs: t.bytesUp > 0 ? (uploadMs * Math.min(resentBytes, t.bytesUp)) / t.bytesUp : 0,
    resentFrom: t.repeat?.base ?? null,
  };
}

/** The session's sums; the critical requests' part is what the session actually waited for. */
export function transportSummary(requests: ReadonlyArray<Pick<RequestModel, 'critical'> & { network: NetworkTiming | null }>): TransportSummary | null {
  const timed = requests.filter((r) => r.network !== null);
  if (timed.length === 0) return null;
  const s: TransportSummary = { requests: timed.length, newConnections: 0, setupMs: 0, uploadMs: 0, serverMs: 0, criticalSetupMs: 0, criticalUploadMs: 0, criticalResentUploadMs: 0, overheadMs: 0, bytesUp: 0, bytesDown: 0, resentBytes: 0, resentUploadMs: 0, uplinkBytesPerSecond: null };
  let rateBytes = 0;
  let rateMs = 0;
  for (const r of timed) {
    const n = r.network!;
    if (!n.reused) s.newConnections++;
    s.setupMs += n.setupMs;
    s.uploadMs += n.uploadMs;
    s.serverMs += n.serverMs;
    s.bytesUp += n.bytesUp;
    s.bytesDown += n.bytesDown;
    s.resentBytes += n.resentBytes;
    s.resentUploadMs += n.resentUploadMs;
    if (r.critical) {
      s.criticalSetupMs += n.setupMs;
      s.criticalUploadMs += n.uploadMs;
      s.criticalResentUploadMs += n.resentUploadMs;
    }
    // an upload that took under a millisecond says nothing about the uplink (loopback, a tiny body)
    if (n.uploadMs >= 1) {
      rateBytes += n.bytesUp;
      rateMs += n.uploadMs;
    }
  }
  s.overheadMs = s.criticalSetupMs + s.criticalUploadMs;
  s.uplinkBytesPerSecond = rateMs > 0 ? (rateBytes / rateMs) * 1000 : null;
  return s;
}
