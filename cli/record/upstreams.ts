// Which upstream a request goes to, and the exact URL it is forwarded to (README "Routing").
// The proxy only ever talks to the configured upstream origins: every target URL is built as
// `upstream base + API path`, and a path that could step outside that base is refused first.
import { UsageError } from '../util/errors.js';

/** `codeAssist`: Gemini Code Assist, where Gemini CLI goes when logged in with Google. */
export type Api = 'anthropic' | 'openai' | 'gemini' | 'codeAssist';

export const APIS: readonly Api[] = ['anthropic', 'openai', 'gemini', 'codeAssist'];

export type Upstreams = Record<Api, string>;

export const OFFICIAL_UPSTREAMS: Upstreams = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
  codeAssist: 'https://cloudcode-pa.googleapis.com',
};

/** The environment variable each vendor's SDKs (and the harnesses built on them) read their base URL from. */
export const BASE_URL_ENV: Record<Api, string> = {
  anthropic: 'ANTHROPIC_BASE_URL',
  openai: 'OPENAI_BASE_URL',
  gemini: 'GOOGLE_GEMINI_BASE_URL',
  codeAssist: 'CODE_ASSIST_ENDPOINT',
};

const LABEL: Record<Api, string> = { anthropic: 'Anthropic', openai: 'OpenAI', gemini: 'Gemini', codeAssist: 'Gemini Code Assist' };

/** Flags win, then the caller's own base URLs (so lapse chains in front of any gateway), then the official endpoints. */
export function resolveUpstreams(flags: Partial<Record<`${Api}Upstream`, string>>, env: NodeJS.ProcessEnv = process.env): Upstreams {
  const out = {} as Upstreams;
  for (const api of APIS) out[api] = checkBase(flags[`${api}Upstream`] ?? (env[BASE_URL_ENV[api]] || OFFICIAL_UPSTREAMS[api]), LABEL[api]);
  return out;
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
  // A gateway URL may carry user:password (some corporate gateways want it); it is accepted and only
  // its origin is dialled. The trace stores the URL redacted (format/redact.ts), never the password.
  return raw.replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// API paths. A harness may send them with their version prefix (`/v1/messages`) or without it,
// because its SDK treats the base URL as ending in the version (the AI SDK's `…/v1` + `/messages`).

/** Anthropic's paths after `/v1`. */
const ANTHROPIC_REST = /^\/(messages|complete)(?=\/|$)/;
/** OpenAI's paths after `/v1`. */
const OPENAI_REST = /^\/(responses|chat\/completions|completions|embeddings|models)(?=\/|$)/;
/** Gemini's model methods after the version (`/models/gemini-2.5-pro:streamGenerateContent`). */
const GEMINI_REST = /^\/models\/[^/:]+:[A-Za-z]+$/;
const GEMINI_VERSION = /^\/(v1beta|v1alpha|v1)(?=\/|$)/;
/** Code Assist's methods and operations: `/v1internal:streamGenerateContent`, `/v1internal:loadCodeAssist`, `/v1internal/operations/…`. */
const CODE_ASSIST = /^\/v1internal(?=[:/]|$)/;

export interface Route {
  api: Api;
  /** The upstream base it goes to. */
  base: string;
  /** The exact URL: the base, its own path kept, then the API path. */
  target: URL;
}

/**
 * Why a path must not be relayed, or null. Anything that a URL parser would resolve to another host
 * (`//host`, `/\host`) or above the upstream base's path (`..`, `%2e%2e`) is refused, not normalised:
 * no harness sends such paths, so whoever did is not a harness.
 */
export function unsafePath(pathAndQuery: string): string | null {
  if (!pathAndQuery.startsWith('/')) return 'the request target is not a path';
  const path = pathAndQuery.split(/[?#]/, 1)[0];
  if (path.startsWith('//')) return 'the path starts with //';
  if (path.includes('\\') || /%5c/i.test(path)) return 'the path contains a backslash';
  for (const seg of path.split('/')) {
    const s = seg.replace(/%2e/gi, '.');
    if (s === '.' || s === '..') return 'the path contains a dot segment';
  }
  return null;
}

/** The API a path belongs to by its shape alone, or null (`/`, `/api/…`). */
export function apiOfPath(path: string): Api | null {
  const p = path.split(/[?#]/, 1)[0];
  if (CODE_ASSIST.test(p)) return 'codeAssist';
  const gv = GEMINI_VERSION.exec(p);
  const rest = gv ? p.slice(gv[0].length) : p;
  if (GEMINI_REST.test(rest)) return 'gemini';
  if (gv && gv[1] !== 'v1') return 'gemini'; // only Google's APIs use v1beta / v1alpha
  if (gv && gv[1] === 'v1' && rest === '') return null;
  if (ANTHROPIC_REST.test(rest)) return 'anthropic';
  if (OPENAI_REST.test(rest)) return 'openai';
  return null;
}

/**
 * The API by path; for paths that name none (`/v1/models`, `HEAD /`), by the SDK's own headers
 * (Anthropic's `anthropic-version`/`x-api-key`, Google's `x-goog-api-key` or `?key=`), failing that
 * the session's default (the harness's vendor).
 */
export function chooseApi(pathAndQuery: string, headers: Record<string, unknown>, fallback: Api = 'openai'): Api {
  const byPath = apiOfPath(pathAndQuery);
  // `/v1/models` is both OpenAI's and Anthropic's model list: the headers decide.
  if (byPath && !(byPath === 'openai' && /^\/(v1\/)?models(\/|\?|$)/.test(pathAndQuery))) return byPath;
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined || headers['anthropic-beta'] !== undefined) return 'anthropic';
  if (headers['x-goog-api-key'] !== undefined || /[?&]key=/.test(pathAndQuery)) return 'gemini';
  return byPath ?? fallback;
}

/**
 * The upstream URL for a path the harness sent to the proxy, mapped onto the upstream base's own path.
 * - Anthropic and Gemini bases are roots (`https://api.anthropic.com`): the versioned path is appended,
 *   `/messages` becoming `/v1/messages`; a base that already ends in the version (`https://gw/v1`)
 *   does not get it twice.
 * - OpenAI bases end in their version (`https://api.openai.com/v1`, or a gateway's `…/openai`): the
 *   part after `/v1` is appended.
 * - A path of no known API goes to the chosen upstream's origin + base path unchanged (OpenAI: its
 *   origin, since its base path is the version).
 * Throws if the result is not under the base (callers check `unsafePath` first; this is the backstop).
 */
export function targetUrl(base: string, api: Api, pathAndQuery: string): URL {
  const b = new URL(base);
  const basePath = b.pathname.replace(/\/+$/, '');
  const rest0 = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  const q = rest0.search(/[?#]/);
  const path = q === -1 ? rest0 : rest0.slice(0, q);
  const query = q === -1 ? '' : rest0.slice(q);
  const known = apiOfPath(path) === api || (api === 'anthropic' && /^\/(v1\/)?models(\/|$)/.test(path));
  let out: string;
  if (api === 'codeAssist') {
    // A root (`https://cloudcode-pa.googleapis.com`); the harness's path names the version itself.
    out = basePath + path;
  } else if (api === 'openai') {
    if (known || hasPrefix(path, '/v1')) {
      const after = hasPrefix(path, '/v1') ? path.slice(3) : path;
      out = basePath + after;
    } else {
      return contained(new URL(b.origin + path + query), b.origin, '');
    }
  } else if (api === 'anthropic') {
    const after = hasPrefix(path, '/v1') ? path.slice(3) : known ? path : null;
    out = after === null ? basePath + path : /\/v1$/.test(basePath) ? basePath + after : `${basePath}/v1${after}`;
  } else {
    const gv = GEMINI_VERSION.exec(path);
    const version = gv ? gv[1] : 'v1beta';
    const after = gv ? path.slice(gv[0].length) : path;
    const baseHasVersion = GEMINI_VERSION.test(basePath.slice(basePath.lastIndexOf('/')));
    out = !known && !gv ? basePath + path : baseHasVersion ? basePath + after : `${basePath}/${version}${after}`;
  }
  // The harness pointed at `…/v1` asked for `…/v1` itself (rare): keep the upstream base as is.
  if (out === '') out = basePath || '/';
  return contained(new URL(b.origin + (out.startsWith('/') ? out : `/${out}`) + query), b.origin, basePath);
}

function contained(u: URL, origin: string, basePath: string): URL {
  if (u.origin !== origin || !(u.pathname === basePath || u.pathname.startsWith(`${basePath}/`) || basePath === '')) {
    throw new Error(`refused: ${u.href} is outside the upstream ${origin}${basePath}`);
  }
  return u;
}

function hasPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/** Where one request goes: its API, that API's upstream base, and the exact URL. */
export function route(upstreams: Upstreams, pathAndQuery: string, headers: Record<string, unknown>, fallback: Api): Route {
  const api = chooseApi(pathAndQuery, headers, fallback);
  const base = upstreams[api];
  return { api, base, target: targetUrl(base, api, pathAndQuery) };
}

/** The base URLs a harness should use to reach the proxy (a wildcard bind is reached on 127.0.0.1). */
export function proxyBaseUrls(port: number, host = '127.0.0.1'): ProxyUrls {
  const h = host.replace(/^\[|\]$/g, '');
  const reach = h === '0.0.0.0' || h === '' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h;
  return baseUrlsAt(`http://${reach}:${port}`);
}

/** The base URLs of a server at `origin` that speaks every API at its root (the proxy, replay). */
export function baseUrlsAt(origin: string): ProxyUrls {
  return { origin, anthropic: origin, openai: `${origin}/v1`, gemini: origin, codeAssist: origin };
}

/** What a harness is given: the Anthropic, Gemini and Code Assist bases are the proxy's root, OpenAI's is `/v1`. */
export interface ProxyUrls extends Record<Api, string> {
  origin: string;
}
