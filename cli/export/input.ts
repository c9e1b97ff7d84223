// What every exporter reads: the session model (figures) plus the analysis's exchanges (bodies,
// frames). Platform-neutral: no node: imports, so the web viewer can reuse the exporters.
import type { Body, Headers } from '../../format/types.js';
import { bodyText } from '../../format/body.js';
import type { SessionModel } from '../../analysis/model.js';
import type { Analysis } from '../../analysis/session.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';

export interface ExportInput {
  model: SessionModel;
  /** Every exchange with its records (analysed with detail, so request bodies and frames are kept). */
  exchanges: ExchangesData;
  /** Wall-clock time of t=0 (ms since the epoch). Defaults to the session record's `startedAt`. */
  startedAt?: number;
  /** Version string written into the exports' creator fields. */
  lapseVersion?: string;
  /** Called now and then while converting: `done` of `total` units (requests, exchanges…). */
  onProgress?: (done: number, total: number) => void;
}

/** The input of an analysis (the rest is optional). */
export function exportInput(a: Pick<Analysis, 'model' | 'exchanges'>, rest: Partial<Omit<ExportInput, 'model' | 'exchanges'>> = {}): ExportInput {
  return { model: a.model, exchanges: a.exchanges, ...rest };
}

/** t=0 on the wall clock: the caller's value, else the session record's, else the epoch. */
export function startedAtOf(input: ExportInput): number {
  return input.startedAt ?? input.model.session?.startedAt ?? 0;
}

/** Text of a body; '' for dropped payloads and for patches the reader could not rebuild. */
export function safeText(body: Body): string {
  if (body.enc === 'patch' || body.enc === 'dropped') return '';
  return bodyText(body);
}

/** A header's value as one string (repeated headers joined the way HTTP folds them). */
export function headerValue(h: Headers | undefined, name: string): string | undefined {
  const v = h?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Headers as name/value pairs, a repeated header giving one pair per value. */
export function headerPairs(h: Headers | undefined): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  if (!h) return out;
  for (const [name, v] of Object.entries(h)) {
    if (Array.isArray(v)) for (const one of v) out.push({ name, value: one });
    else out.push({ name, value: v });
  }
  return out;
}

export { utf8Length } from '../../format/utf8.js';

/** Base64 of bytes, with the platform's btoa (Node 16+ and browsers). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The absolute URL a request went to: the upstream base plus the path the harness sent. The proxy's
 * OpenAI base is `/v1`, so a `/v1…` path under an upstream base ending in `/v1` is not doubled
 * (the recorder's own rule, cli/record/upstreams.ts).
 */
export function upstreamUrl(upstream: string, pathAndQuery: string, scheme?: 'ws'): string {
  let base = upstream.replace(/\/+$/, '');
  const path = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  let rest = path;
  if (/\/v1$/.test(base) && /^\/v1(?=[/?]|$)/.test(path)) rest = path.slice(3);
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  if (scheme === 'ws') base = base.replace(/^http(s?):/i, 'ws$1:');
  return base + (rest === '/' && /\/v1$/.test(base) ? '' : rest);
}
