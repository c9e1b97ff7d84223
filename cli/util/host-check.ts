// DNS-rebinding defence: a page on evil.example whose name is re-pointed at 127.0.0.1 can reach a
// loopback server, but its requests carry `Host: evil.example`. Only Host values that name the address
// the server listens on (or `localhost` for a loopback server) are answered.
import { isIP } from 'node:net';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Splits a Host header into name and port ("[::1]:80" → ["::1", "80"]). */
export function parseHostHeader(value: string): { name: string; port: string | null } | null {
  const v = value.trim().toLowerCase();
  if (!v) return null;
  const m = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(v) ?? /^([^:\[\]]+)(?::(\d+))?$/.exec(v);
  if (!m) return null;
  return { name: m[1], port: m[2] ?? null };
}

/**
 * Whether a request's Host header is one this server answers to. `listenHost` is what it bound to and
 * `port` its actual port. A wildcard bind accepts IP literals only (a rebinding attack needs a name).
 */
export function hostAllowed(header: string | undefined, listenHost: string, port: number): boolean {
  if (!header) return false;
  const h = parseHostHeader(header);
  if (!h || h.port !== String(port)) return false;
  const listen = listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (isWildcard(listen)) return isIP(h.name) !== 0;
  if (h.name === listen) return true;
  // `localhost` names loopback on every system; accept it for a loopback server only.
  return h.name === 'localhost' && isLoopback(listen);
}

/**
 * Whether a request was sent by a web page: browsers add `Origin` to cross-origin requests and
 * WebSocket handshakes, and `Sec-Fetch-Site` to every request. No harness or SDK sends either.
 */
export function fromBrowser(headers: Record<string, string | string[] | undefined>): string | null {
  const origin = headers.origin;
  if (origin !== undefined) return `Origin ${String(origin).slice(0, 100)}`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'none') return `Sec-Fetch-Site ${String(site).slice(0, 40)}`;
  return null;
}
