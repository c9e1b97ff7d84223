// Injected failures: from the script step, an `x-lapse-fault` request header, or a marker in the
// last user message (`[lapse-fault:overloaded]`, `[lapse-fault:stream-error:5]`, `[lapse-fault:reset]`).
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultSpec, ScriptStep } from './script.js';

const MARKER_RE = /\[lapse-fault:([a-z0-9-]+)(?::(\d+))?\]/i;

/** `overloaded` 529, `rate-limit` 429, `server-error` 500, `http-NNN`, `stream-error[:N]`, `reset[:N]`. */
export function parseFault(name: string, n?: number): FaultSpec | undefined {
  const k = name.toLowerCase();
  if (k === 'overloaded') return { kind: 'http', status: 529 };
  if (k === 'rate-limit') return { kind: 'http', status: 429 };
  if (k === 'server-error') return { kind: 'http', status: 500 };
  const http = /^http-(\d{3})$/.exec(k);
  if (http) return { kind: 'http', status: Number(http[1]) };
  if (k === 'stream-error') return { kind: 'stream-error', afterTokens: n };
  if (k === 'reset') return { kind: 'reset', afterTokens: n };
  return undefined;
}

function fromText(s: string): FaultSpec | undefined {
  const m = MARKER_RE.exec(s);
  return m ? parseFault(m[1], m[2] !== undefined ? Number(m[2]) : undefined) : undefined;
}

/**
 * The fault for this request, if any. Faults fire on the first attempt only (SDKs send
 * `x-stainless-retry-count`), so a client's automatic retry gets a normal answer — unless the step
 * says `faultEveryAttempt`.
 */
export function pickFault(step: ScriptStep, headers: IncomingHttpHeaders, lastUserText: string): FaultSpec | undefined {
  const h = headers['x-lapse-fault'];
  const fault = step.fault ?? (typeof h === 'string' ? fromText(`[lapse-fault:${h}]`) : undefined) ?? fromText(lastUserText);
  if (!fault) return undefined;
  const retry = Number(headers['x-stainless-retry-count'] ?? 0);
  if (retry > 0 && !step.faultEveryAttempt) return undefined;
  return fault;
}

/** API-style error type and message for an HTTP status. */
export function errorFor(status: number): { anthropic: string; openai: string; message: string } {
  switch (status) {
    case 400:
      return { anthropic: 'invalid_request_error', openai: 'invalid_request_error', message: 'Invalid request' };
    case 401:
      return { anthropic: 'authentication_error', openai: 'invalid_request_error', message: 'Invalid API key' };
    case 404:
      return { anthropic: 'not_found_error', openai: 'invalid_request_error', message: 'Not found' };
    case 429:
      return { anthropic: 'rate_limit_error', openai: 'rate_limit_exceeded', message: 'Rate limit reached (injected by lapse)' };
    case 529:
      return { anthropic: 'overloaded_error', openai: 'server_error', message: 'Overloaded' };
    default:
      return { anthropic: 'api_error', openai: 'server_error', message: `Internal server error (injected by lapse, status ${status})` };
  }
}

/** Where a mid-stream fault cuts in: the given token count, else half way, never past the end. */
export function cutPoint(fault: FaultSpec, tokens: number): number {
  const want = fault.kind === 'http' ? 0 : fault.afterTokens ?? Math.floor(tokens / 2);
  return Math.max(0, Math.min(tokens, want));
}
