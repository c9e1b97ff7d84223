// Records → trace file bytes, the way the recorder writes them (redaction on, compressed frames).
import { TraceEncoder, type SessionRecord, type TraceRecord } from '../../format/index.js';

export function encodeTrace(session: SessionRecord, records: readonly TraceRecord[], perFrame = 4): Uint8Array {
  const encoder = new TraceEncoder({ redact: true, compress: true });
  const parts: Uint8Array[] = [encoder.encodeHeader(session)];
  for (let i = 0; i < records.length; i += perFrame) parts.push(encoder.frame(records.slice(i, i + perFrame).map((x) => encoder.encode(x))));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
