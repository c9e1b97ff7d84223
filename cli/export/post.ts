// Node side: sending an OTLP/JSON export to a collector's OTLP/HTTP endpoint.
import { UsageError } from '../util/errors.js';

/** The URL to POST to: `/v1/traces` appended when the given URL has no path of its own. */
export function tracesUrl(endpoint: string): URL {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new UsageError(`--otlp-endpoint is not a URL: ${endpoint}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--otlp-endpoint must be http:// or https://, got ${endpoint}`);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/traces';
  return u;
}

export interface PostResult {
  status: number;
  /** Spans the collector said it rejected (OTLP partial success), 0 when none. */
  rejectedSpans: number;
  message: string | null;
}

export async function postOtlp(endpoint: string, body: string, timeoutMs = 30_000): Promise<PostResult> {
  const url = tracesUrl(endpoint);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new UsageError(`cannot send to collector at ${url.href}: ${why}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const line = text.trim().split('\n')[0].slice(0, 200);
    throw new UsageError(`collector at ${url.href} answered ${res.status} ${res.statusText}${line ? `: ${line}` : ''}`);
  }
  let rejectedSpans = 0;
  let message: string | null = null;
  try {
    const j = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    rejectedSpans = Number(j.partialSuccess?.rejectedSpans ?? 0) || 0;
    message = j.partialSuccess?.errorMessage || null;
  } catch {
    // an empty or non-JSON 2xx body is a success without details
  }
  return { status: res.status, rejectedSpans, message };
}
