// Responses API over a WebSocket (Codex's `ws://…/v1/responses`): the socket stays open across turns;
// each client `response.create` frame starts a response (full input, or previous_response_id + new
// items, or a `generate:false` warm-up); server frames are the Responses SSE event objects, one per
// frame, ending with response.completed / incomplete / failed or error. Responses are served in order,
// so server frames belong to the oldest response not yet finished.
import type { RequestInfo, ResponseSink } from '../events.js';
import { obj, str } from '../events.js';
import { openaiResponsesDecoder } from './openai-responses.js';

/** What the socket demultiplexer needs from whoever builds the responses. */
export interface SocketHost {
  /** A `response.create` arrived: start a response; returns the sink its events go to. */
  begin(tMs: number, info: RequestInfo): ResponseSink;
  /** A server frame for `sink`'s response arrived (before it is decoded): lets the host note first-byte time. */
  frame(sink: ResponseSink, tMs: number): void;
  /** The response behind `sink` ended (terminal event) at tMs. */
  end(sink: ResponseSink, tMs: number): void;
  /** A frame that belongs to no response (or a client frame other than response.create). */
  stray(dir: 'up' | 'down', type: string): void;
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

export class ResponsesSocketDecoder {
  private readonly inFlight: ResponseSink[] = [];

  constructor(private readonly host: SocketHost) {}

  /** A client → server frame (parsed JSON, or undefined if not JSON). */
  up(tMs: number, frame: unknown): void {
    const f = obj(frame);
    const type = f ? (str(f.type) ?? '') : 'non-json';
    if (type !== 'response.create') {
      this.host.stray('up', type);
      return;
    }
    this.inFlight.push(this.host.begin(tMs, openaiResponsesDecoder.request(f)));
  }

  /** A server → client frame. */
  down(tMs: number, frame: unknown): void {
    const f = obj(frame);
    const type = f ? (str(f.type) ?? '') : 'non-json';
    const sink = this.inFlight[0];
    if (!sink) {
      this.host.stray('down', type);
      return;
    }
    this.host.frame(sink, tMs);
    openaiResponsesDecoder.event(tMs, f ?? frame, undefined, sink);
    if (TERMINAL.has(type)) {
      this.inFlight.shift();
      this.host.end(sink, tMs);
    }
  }

  /** Responses still in flight (to be marked aborted when the socket closes). */
  pending(): readonly ResponseSink[] {
    return this.inFlight;
  }
}
