// Which upstream a request goes to, and the exact URL it is forwarded to (design.md "Upstreams").
import { PROTOCOLS } from '../../analysis/protocols/index.js';
import { UsageError } from '../util/errors.js';

export type Api = 'anthropic' | 'openai';

export interface Upstreams {
  anthropic: string;
  openai: string;
}

export const OFFICIAL_UPSTREAMS: Upstreams = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
};

/** Flags win, then the caller's own base URLs (so lapse chains in front of any gateway), then the official endpoints. */
export function resolveUpstreams(
  flags: { anthropicUpstream?: string; openaiUpstream?: string },
  env: NodeJS.ProcessEnv = process.env,
): Upstreams {
  return {
    anthropic: checkBase(flags.anthropicUpstream ?? (env.ANTHROPIC_BASE_URL || OFFICIAL_UPSTREAMS.anthropic), 'Anthropic'),
    openai: checkBase(flags.openaiUpstream ?? (env.OPENAI_BASE_URL || OFFICIAL_UPSTREAMS.openai), 'OpenAI'),
  };
}

function checkBase(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${what} upstream is not a URL: ${raw}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${what} upstream must be http:// or https://, got ${raw}`);
  }
  if (u.search || u.hash) throw new UsageError(`${what} upstream must not have a query or fragment: ${raw}`);
  return raw.replace(/\/+$/, '');
}

/**
 * A path one of the protocols routes (by prefix, analysis/protocols) goes to that protocol's vendor;
 * anything else (/v1/models, HEAD /, …) by the Anthropic SDK's own headers, and failing that the
 * session's default (the harness's vendor).
 */
export function chooseApi(path: string, headers: Record<string, unknown>, fallback: Api = 'openai'): Api {
  for (const p of PROTOCOLS) if (p.routes.some((r) => hasPrefix(path, r))) return p.vendor;
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined || headers['anthropic-beta'] !== undefined) {
    return 'anthropic';
  }
  return fallback;
}

function hasPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/**
 * The upstream URL for a path the harness sent to the proxy. The proxy's Anthropic base is its root
 * and its OpenAI base is `/v1`, so the part after that base is appended to the upstream base:
 * `/v1/messages` → `https://api.anthropic.com/v1/messages`, `/v1/responses` → `https://api.openai.com/v1/responses`
 * (and `https://gw.example/openai` + `/v1/responses` → `https://gw.example/openai/responses`).
 * An OpenAI-routed path outside `/v1` goes to the upstream's origin unchanged.
 */
export function targetUrl(base: string, api: Api, pathAndQuery: string): URL {
  const b = new URL(base);
  const basePath = b.pathname.replace(/\/+$/, '');
  let rest = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  if (api === 'openai') {
    if (hasPrefix(rest, '/v1')) rest = rest.slice(3);
    else return new URL(rest, b.origin);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
    // The harness pointed at `…/v1` asked for `…/v1` itself (rare): keep the upstream base as is.
    return new URL(b.origin + basePath + (rest === '/' ? '' : rest));
  }
  return new URL(b.origin + basePath + rest);
}

/** The base URLs a harness should use to reach the proxy (a wildcard bind is reached on 127.0.0.1). */
export function proxyBaseUrls(port: number, host = '127.0.0.1'): { anthropic: string; openai: string; origin: string } {
  const h = host.replace(/^\[|\]$/g, '');
  const reach = h === '0.0.0.0' || h === '' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h;
  const origin = `http://${reach}:${port}`;
  return { origin, anthropic: origin, openai: `${origin}/v1` };
}

/** Whether an address (what --host names) is loopback only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
