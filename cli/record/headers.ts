// Header handling for the relay: raw header arrays keep the harness's and the upstream's names, case
// and order; only hop-by-hop headers (which describe one connection, not the message) are dropped.
import type { IncomingHttpHeaders } from 'node:http';
import type { Headers } from '../../format/types.js';

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Names listed in the Connection header are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionTokens(raw: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue;
    for (const tok of raw[i + 1].split(',')) {
      const t = tok.trim().toLowerCase();
      if (t) out.add(t);
    }
  }
  return out;
}

export interface ForwardOptions {
  /** Replace the Host header with this value (the upstream's host). */
  host?: string;
  /** Keep Connection/Upgrade (a WebSocket handshake needs them end to end). */
  keepUpgrade?: boolean;
  /** Further lower-case names to drop. */
  drop?: Iterable<string>;
}

/** A flat [name, value, name, value…] list fit for http.request / writeHead. */
export function forwardHeaders(raw: string[], opts: ForwardOptions = {}): string[] {
  const listed = opts.keepUpgrade ? new Set<string>() : connectionTokens(raw);
  const drop = new Set(opts.drop ?? []);
  const out: string[] = [];
  let sawHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    if (drop.has(lower)) continue;
    if (lower === 'host') {
      if (opts.host === undefined) out.push(name, raw[i + 1]);
      else if (!sawHost) out.push(name, opts.host);
      sawHost = true;
      continue;
    }
    if (opts.keepUpgrade && (lower === 'connection' || lower === 'upgrade')) {
      out.push(name, raw[i + 1]);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out.push(name, raw[i + 1]);
  }
  if (!sawHost && opts.host !== undefined) out.unshift('Host', opts.host);
  return out;
}

/** The upstream's Host header value: the port only when it is not the scheme's default. */
export function hostHeader(url: URL): string {
  return url.host;
}

/** Header object for a trace record: lower-case names, repeated headers as arrays. */
export function recordHeaders(raw: string[]): Headers {
  const out: Headers = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** First value of a header from Node's parsed header object. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A raw HTTP/1.1 response head, for answering on a bare socket (the upgrade path). */
export function responseHead(status: number, statusText: string, raw: string[]): string {
  let s = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i < raw.length; i += 2) s += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return s + '\r\n';
}
