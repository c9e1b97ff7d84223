// The full view of one request (enter): timings, headers (as recorded, so already redacted), the
// body, and every response event with its time. Logical lines; the layout wraps and scrolls them.
import type { RequestModel } from '../../analysis/model.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';
import type { Body, Headers, TraceRecord } from '../../format/types.js';
import { bodyJson, bodyLength, bodyText } from '../../format/body.js';
import { formatSse, sseEventName } from '../../format/sse.js';
import type { Color } from './palette.js';
import { fmtDur } from './text.js';

export interface InfoLine {
  text: string;
  color?: Color;
  bold?: boolean;
}

/** Caps so that a 75 KB system prompt or a 10k-event stream opens instantly and stays scrollable. */
const MAX_BODY_LINES = 4000;
const MAX_EVENT_CHARS = 400;

function headerLines(h: Headers | undefined, out: InfoLine[]): void {
  if (!h || Object.keys(h).length === 0) {
    out.push({ text: '  (none)', color: 'gray' });
    return;
  }
  for (const [k, v] of Object.entries(h)) out.push({ text: `  ${k}: ${Array.isArray(v) ? v.join(', ') : v}` });
}

function bodyLines(b: Body, out: InfoLine[]): void {
  if (b.enc === 'dropped') {
    out.push({ text: `  (payload of ${b.length} bytes shed by the recorder under load)`, color: 'gray' });
    return;
  }
  if (b.enc === 'patch') {
    out.push({ text: '  (stored as a patch; open the trace with body rebuilding on)', color: 'gray' });
    return;
  }
  const json = bodyJson(b);
  const text = json !== undefined ? JSON.stringify(json, null, 2) : b.enc === 'bytes' ? `(${b.bytes.length} bytes of binary data)` : bodyText(b);
  const lines = text.split('\n');
  const shown = lines.length > MAX_BODY_LINES ? lines.slice(0, MAX_BODY_LINES) : lines;
  for (const l of shown) out.push({ text: '  ' + l });
  if (shown.length < lines.length) out.push({ text: `  … ${lines.length - shown.length} more lines (see \`lapse dump\`)`, color: 'gray' });
}

function clipOne(s: string): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  return one.length > MAX_EVENT_CHARS ? one.slice(0, MAX_EVENT_CHARS) + '…' : one;
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`;
}

/** The full view: the head (timings, headers, body) as logical lines; events one line each, made on demand. */
export interface RequestView {
  head: InfoLine[];
  eventCount: number;
  /** Event i (0-based) as one line: its time from the request start, then what it carried. */
  event(i: number): InfoLine;
}

export function requestView(exchanges: ExchangesData | null, r: RequestModel): RequestView {
  const out: InfoLine[] = [];
  const rel = (t: number | null): string => (t === null ? '—' : `+${fmtDur(t - r.startMs)}`);
  const x = exchanges?.byId.get(r.id);
  const upstream = x ? ` → ${x.upstream}` : '';
  out.push({ text: `${r.id}  ${x && x.transport === 'http' ? x.method : 'WS'} ${r.url}${upstream}`, bold: true });
  out.push({ text: `${r.protocol} over ${r.transport} · model ${r.model ?? '?'} · ${r.critical ? 'critical path' : 'side request'}${r.warmup ? ' · warm-up' : ''}` });
  out.push({ text: `started ${fmtDur(r.startMs)} into the session · first byte ${rel(r.firstByteMs)} · first token ${rel(r.firstContentMs)} · end ${rel(r.endMs)}` });
  const tps = r.tokensPerSecond !== null ? ` · ${r.tokensPerSecond.toFixed(0)} tok/s` : '';
  const cache = r.cacheReadTokens !== null || r.cacheWriteTokens !== null ? ` (cache read ${r.cacheReadTokens ?? 0}, write ${r.cacheWriteTokens ?? 0})` : '';
  out.push({ text: `tokens in ${r.inputTokens ?? '?'}${cache} · out ${r.outputTokens ?? `~${r.outputTokensEstimate}`}${tps} · stop ${r.stopReason ?? '—'} · ${r.status}${r.httpStatus !== null ? ` (HTTP ${r.httpStatus})` : ''}` });
  if (r.error) out.push({ text: `error: ${r.error}`, color: 'red' });
  if (r.dependsOn) out.push({ text: `waited on ${r.dependsOn} (${r.dependency})` });
  if (r.gaps) out.push({ text: `inter-token gaps: p50 ${fmtDur(r.gaps.p50Ms)} · p99 ${fmtDur(r.gaps.p99Ms)} · max ${fmtDur(r.gaps.maxMs)}${r.stalls.length ? ` · ${r.stalls.length} stalls` : ''}` });
  if (!x || !x.request) {
    out.push({ text: '(the trace records are not loaded)', color: 'gray' });
    return { head: out, eventCount: 0, event: () => ({ text: '' }) };
  }

  const events: TraceRecord[] = [];
  if (x.transport === 'http') {
    const req = x.request!;
    out.push({ text: '' }, { text: '── request headers', color: 'cyan', bold: true });
    headerLines(req.headers, out);
    out.push({ text: `── request body (${size(bodyLength(req.body))})`, color: 'cyan', bold: true });
    bodyLines(req.body, out);
    if (x.head) {
      out.push({ text: `── response ${x.head.status} ${x.head.statusText} at ${rel(x.head.t / 1000)}`, color: 'cyan', bold: true });
      headerLines(x.head.headers, out);
    }
    events.push(...x.frames);
  } else {
    const open = exchanges?.socketById.get(x.socket)?.open;
    out.push({ text: '' }, { text: `── socket ${x.socket} handshake headers`, color: 'cyan', bold: true });
    headerLines(open?.headers, out);
    out.push({ text: `── response.create frame (${size(bodyLength(x.request!.data))})`, color: 'cyan', bold: true });
    bodyLines(x.request!.data, out);
    events.push(...x.frames);
  }
  if (x.end && x.end.kind !== 'ws-message') events.push(x.end);
  out.push({ text: `── events (${events.length})`, color: 'cyan', bold: true });
  return {
    head: out,
    eventCount: events.length,
    event(i: number): InfoLine {
      const rec = events[i];
      const at = `${rel(rec.t / 1000).padStart(9)}  `;
      switch (rec.kind) {
        case 'http-data':
          if (rec.sse) return { text: at + clipOne(`${sseEventName(rec.sse) ?? 'data'}  ${formatSse(rec.sse).replace(/^event:.*\n/, '').replace(/^data: ?/gm, '')}`) };
          if (rec.chunk) return { text: at + clipOne(rec.chunk.enc === 'bytes' ? `(${rec.chunk.bytes.length} bytes)` : rec.chunk.enc === 'dropped' ? `(${rec.chunk.length} bytes shed)` : bodyText(rec.chunk)) };
          return { text: at };
        case 'ws-message':
          return { text: at + clipOne(`${rec.dir === 'up' ? '↑' : '↓'} ${rec.binary ? `(${bodyLength(rec.data)} bytes binary)` : rec.data.enc === 'dropped' ? '(shed)' : bodyText(rec.data)}`) };
        case 'http-end':
          return { text: at + `end: ${rec.outcome}${rec.message ? ` — ${rec.message}` : ''} · ${size(rec.bytes)}`, color: rec.outcome === 'complete' ? undefined : 'red' };
        case 'ws-close':
          return { text: at + `socket closed ${rec.code} ${rec.reason} by ${rec.by}`, color: 'gray' };
        default:
          return { text: at };
      }
    },
  };
}
