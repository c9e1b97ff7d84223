// One outgoing event, and how it is written on each transport.

/**
 * `head`: sent as soon as the request arrives (message_start, response.created);
 * `content`: carries exactly one token, sent at its scheduled time;
 * `struct`: bookkeeping (block start/stop, usage), sent together with the next content frame,
 * or at the end of the stream when no content follows.
 */
export type FrameKind = 'head' | 'struct' | 'content';

export interface Frame {
  kind: FrameKind;
  /** SSE `event:` name (omitted for Chat Completions). */
  event?: string;
  /** A JSON value, or a raw string written as is (`[DONE]`). */
  data: unknown;
}

/** Same shape as format/sse.ts `formatSse` writes, so the recorder can store events compactly. */
export function sseText(f: Frame): string {
  const data = typeof f.data === 'string' ? f.data : JSON.stringify(f.data);
  return (f.event !== undefined ? `event: ${f.event}\n` : '') + `data: ${data}\n\n`;
}

export function wsText(f: Frame): string {
  return typeof f.data === 'string' ? f.data : JSON.stringify(f.data);
}
