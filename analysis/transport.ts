// What each round trip cost on the wire (http-timing records, format 1.2): a request's model wait split
// into connection setup, upload and server time; a WebSocket's connection set up once, and the turns
// on it (no setup of their own, the upload their message's way through the proxy); the session's
// sums. Pure functions; the `transport` handler (handlers/transport.ts) runs them in the pass.
import type { HttpTimingRecord } from '../format/types.js';
import type { NetworkTiming, RequestModel, SocketWire, TransportSummary } from './model.js';

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
  // the acknowledgement when the proxy saw it (see SPEC: HTTP timing), else the kernel's taking the last byte
  const uploadEnd = t.acked !== undefined && t.sendEnd !== undefined ? 'acked' : 'sent';
  const uploadMs = Math.min(waitMs - setupMs, ms(t.sendStart, uploadEnd === 'acked' ? Math.max(t.acked!, t.sendEnd!) : t.sendEnd) ?? 0);
  const resentBytes = t.repeat?.bytes ?? 0;
  return {
    reused: t.reused,
    socket: null,
    uploadEnd,
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
export function transportSummary(requests: ReadonlyArray<Pick<RequestModel, 'critical'> & { network: NetworkTiming | null }>, sockets: readonly SocketWire[] = []): TransportSummary | null {
  const timed = requests.filter((r) => r.network !== null);
  if (timed.length === 0 && sockets.length === 0) return null;
  const s: TransportSummary = { requests: timed.length, newConnections: 0, setupMs: 0, uploadMs: 0, serverMs: 0, criticalSetupMs: 0, criticalUploadMs: 0, criticalResentUploadMs: 0, overheadMs: 0, bytesUp: 0, bytesDown: 0, resentBytes: 0, resentUploadMs: 0, uplinkBytesPerSecond: null, sockets: [...sockets], socketSetupMs: 0 };
  for (const w of sockets) s.socketSetupMs += w.setupMs;
  let rateBytes = 0;
  let rateMs = 0;
  for (const r of timed) {
    const n = r.network!;
    if (!n.reused) s.newConnections++;
    s.setupMs += n.setupMs;
    s.uploadMs += n.uploadMs;
    s.serverMs += n.serverMs;
    s.bytesUp += n.bytesUp;
    s.bytesDown += n.bytesDown ?? 0;
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

/**
 * A response asked for over a WebSocket: the socket is already open (no setup of its own); the upload
 * is its message's way through the proxy — the chunk holding its first byte arrived (`startUs`, the
 * turn's start) → the one completing it (`endUs`), each written upstream as it came; the server time
 * the rest of the wait.
 */
export function turnTiming(r: Pick<RequestModel, 'startMs' | 'firstContentMs' | 'endMs'>, socket: string, msg: { startUs: number; endUs: number; bytes: number }): NetworkTiming {
  const waitMs = Math.max(0, (r.firstContentMs ?? r.endMs) - r.startMs);
  const uploadMs = Math.min(waitMs, ms(msg.startUs, msg.endUs) ?? 0);
  return {
    reused: true,
    socket,
    uploadEnd: 'sent',
    dnsMs: null,
    connectMs: null,
    tlsMs: null,
    setupMs: 0,
    uploadMs,
    serverMs: Math.max(0, waitMs - uploadMs),
    headMs: null,
    bytesUp: msg.bytes,
    bytesDown: null,
    // messages are stored whole (no patch against the previous one): nothing is known to repeat
    resentBytes: 0,
    resentUploadMs: 0,
    resentFrom: null,
  };
}

/** A WebSocket's handshake (its http-timing record) as the connection's setup, with the responses it carried. */
export function socketWire(t: HttpTimingRecord, responses: number): SocketWire {
  const open = t.head ?? t.t;
  return {
    id: t.id,
    startMs: t.start / 1000,
    openMs: open / 1000,
    dnsMs: ms(t.start, t.dns),
    connectMs: ms(t.dns ?? t.start, t.connect),
    tlsMs: ms(t.connect, t.tls),
    upgradeMs: ms(t.sendStart, t.head),
    setupMs: ms(t.start, open) ?? 0,
    bytesUp: t.bytesUp,
    bytesDown: t.bytesDown,
    responses,
  };
}
