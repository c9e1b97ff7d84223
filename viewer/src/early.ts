// The page's two requests to the lapse server (the report, the trace), started as soon as the head is
// parsed: the build also emits this file alone as `assets/early.js` (a tiny async classic script in the
// head, see viewer/vite.config.ts), so both are on their way while the ~500 KB viewer bundle is still
// being fetched, compiled and evaluated (300–500 ms on a 2-core machine). No runtime imports: it is
// compiled on its own. The bundle holds this module too: whichever runs first starts the requests, the
// other finds them.

interface Early {
  response: Promise<Response>;
  abort: AbortController;
}

declare global {
  interface Window {
    __lapseEarly?: Map<string, Early>;
  }
}

/** The sessions page's figures (the server's REPORT_ROUTE, relative to the page). */
export const REPORT_URL = 'report.json';

/** The trace URL the page fetches for its own address (`?i=N`: one of the sessions of the sessions page). */
export function traceUrl(search: string): string {
  const pick = new URLSearchParams(search).get('i');
  return pick === null ? 'trace.lapse' : `trace.lapse?i=${encodeURIComponent(pick)}`;
}

function request(url: string, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { cache: 'no-store', signal });
}

/** A page served by lapse (a static page, from a file, has no server to ask). */
export function served(): boolean {
  return location.protocol === 'http:' || location.protocol === 'https:';
}

/** Starts the report's and this page's trace's requests, once. */
export function startRequests(): void {
  if (window.__lapseEarly) return;
  const early = new Map<string, Early>();
  window.__lapseEarly = early;
  if (!served()) return;
  for (const url of [REPORT_URL, traceUrl(location.search)]) {
    const abort = new AbortController();
    const response = request(url, abort.signal);
    // a failure is handled by whoever takes it; until then it must not count as unhandled
    response.catch(() => {});
    early.set(url, { response, abort });
  }
}

/** The response to `url`: the early request's when there was one (each is taken once), else a new request. */
export function responseTo(url: string): Promise<Response> {
  const e = window.__lapseEarly?.get(url);
  if (!e) return request(url);
  window.__lapseEarly!.delete(url);
  return e.response;
}

/** The page will not read `url` (the sessions page has no trace to show): stop its download. */
export function dropRequest(url: string): void {
  window.__lapseEarly?.get(url)?.abort.abort();
  window.__lapseEarly?.delete(url);
}

// not in Node (tests import load.ts, which imports this, to read traces as the viewer does)
if (typeof window !== 'undefined') startRequests();
