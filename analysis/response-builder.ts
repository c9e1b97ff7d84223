// Builds one RequestModel from the normalized events of its response (it is the decoders' sink).
import type { RequestInfo, ResponseSink, Usage } from './events.js';
import type { DeltaKind, Protocol, RequestModel, RequestStatus, ToolCall, Transport } from './model.js';
import { gapStats } from './gaps.js';
import { ContentDeltas, estimateTokens, estimateTokensOfLength } from './deltas.js';

interface CallState {
  call: ToolCall;
  /** Argument fragments have been streamed (so a final `arguments` only confirms them). */
  streamed: boolean;
}

export class ResponseBuilder implements ResponseSink {
  readonly req: RequestModel;
  /** The user's prompt, when this request opens a turn (kept off the model: only turns show it). */
  readonly prompt: string | null;
  /** The conversation's first user message (a subagent's spawn prompt), for the threads handler. */
  readonly opening: string | null;
  /** The terminal event was seen. */
  finishedMs: number | null = null;
  /** Time of the latest frame of this exchange (its end when the trace stops mid-response). */
  lastMs: number;
  ended = false;
  unknownTypes: Set<string> | null = null;
  private readonly calls = new Map<number, CallState>();
  private readonly errors: string[] = [];
  /**
   * Arrival times of the content deltas (for the gap figures), grown by doubling; dropped at finish.
   * With detail the deltas' own time column serves, and without gaps nothing needs them (null then).
   */
  private times: Float64Array | null;
  private nTimes = 0;
  /** Content deltas so far and the latest one's time: whether the content was spread over time. */
  private nContent = 0;
  private lastContentMs = 0;

  /**
   * `detail`: keep the content deltas and record indexes (what the viewers need). Without it only
   * the figures are kept: a response of a million deltas then costs a few hundred bytes. `gaps`: work
   * out the inter-token gaps and stalls at the end.
   */
  constructor(id: string, protocol: Protocol, transport: Transport, url: string, startMs: number, info: RequestInfo, readonly detail = true, private readonly gaps = true) {
    this.prompt = info.prompt;
    this.opening = info.opening;
    this.lastMs = startMs;
    this.times = detail || !gaps ? null : new Float64Array(64);
    this.req = {
      id,
      index: -1,
      protocol,
      transport,
      url,
      model: info.model,
      startMs,
      firstByteMs: null,
      firstContentMs: null,
      ttftMs: null,
      endMs: startMs,
      streamMs: null,
      httpStatus: null,
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      cacheWrite1hTokens: null,
      outputTokensEstimate: 0,
      tokensPerSecond: null,
      stopReason: null,
      toolCalls: [],
      status: 'complete',
      error: null,
      streamed: false,
      estimated: false,
      warmup: info.warmup,
      messageCount: info.messageCount,
      answersToolCallIds: info.answersToolCallIds,
      thread: info.thread,
      dependencies: [],
      agentId: info.agentId,
      subagentMark: info.subagent,
      responseId: null,
      previousResponseId: info.previousResponseId,
      responseModel: null,
      critical: false,
      dependsOn: null,
      dependency: null,
      turn: null,
      deltas: new ContentDeltas(),
      gaps: null,
      stalls: [],
      network: null,
    };
  }

  /** A frame of this exchange arrived (any kind): keeps lastMs. */
  touch(tMs: number): void {
    if (tMs > this.lastMs) this.lastMs = tMs;
  }

  content(tMs: number, kind: DeltaKind, text: string, block: number): void {
    const tokens = estimateTokens(text);
    if (this.detail) this.req.deltas.push(tMs, kind, text, block);
    let times = this.times;
    if (times !== null) {
      if (this.nTimes === times.length) {
        const grown = new Float64Array(times.length * 2);
        grown.set(times);
        this.times = times = grown;
      }
      times[this.nTimes++] = tMs;
    }
    this.nContent++;
    this.lastContentMs = tMs;
    this.req.outputTokensEstimate += tokens;
    if (this.req.firstContentMs === null) this.req.firstContentMs = tMs;
    if (kind === 'tool-args') {
      const s = this.callAt(tMs, block);
      s.call.arguments += text;
      s.streamed = true;
    }
  }

  contentRun(tMs: ArrayLike<number>, kind: DeltaKind, joined: string, lengths: ArrayLike<number>, block: number): void {
    // As content() for each non-empty piece, without cutting the pieces out of the joined text: the
    // figures need only their lengths, the deltas' own column is a joined text too.
    const n = lengths.length;
    let first = -1;
    let last = -1;
    let count = 0;
    let tokens = 0;
    for (let k = 0; k < n; k++) {
      const len = lengths[k];
      if (len <= 0) continue;
      if (first < 0) first = k;
      last = k;
      count++;
      tokens += estimateTokensOfLength(len);
    }
    if (first < 0) return;
    if (this.detail) this.req.deltas.pushRun(tMs, kind, joined, lengths, block);
    let times = this.times;
    if (times !== null) {
      if (this.nTimes + count > times.length) {
        const grown = new Float64Array(Math.max(times.length * 2, this.nTimes + count));
        grown.set(times.subarray(0, this.nTimes));
        this.times = times = grown;
      }
      let i = this.nTimes;
      for (let k = first; k < n; k++) if (lengths[k] > 0) times[i++] = tMs[k];
      this.nTimes = i;
    }
    this.nContent += count;
    this.lastContentMs = tMs[last];
    this.req.outputTokensEstimate += tokens;
    if (this.req.firstContentMs === null) this.req.firstContentMs = tMs[first];
    if (kind === 'tool-args') {
      const s = this.callAt(tMs[first], block);
      s.call.arguments += joined;
      s.streamed = true;
    }
  }

  toolCall(tMs: number, block: number, id: string | null, name: string): void {
    const s = this.calls.get(block);
    if (s) {
      // Chat servers may repeat id/name on later chunks of the same call.
      if (s.call.id === null && id !== null) s.call.id = id;
      if (!s.call.name && name) s.call.name = name;
      return;
    }
    this.callAt(tMs, block, id, name);
  }

  toolCallDone(tMs: number, block: number, args: string | null): void {
    const s = this.calls.get(block);
    if (!s) return; // content_block_stop of a text block
    if (args !== null) {
      // Arguments that only arrive whole are content too: they count for TTFT and the stream.
      if (!s.streamed && args) this.content(tMs, 'tool-args', args, block);
      s.call.arguments = args;
    }
    s.call.endMs = tMs;
  }

  usage(u: Usage): void {
    const r = this.req;
    if (u.inputTokens !== undefined) r.inputTokens = u.inputTokens;
    if (u.outputTokens !== undefined) r.outputTokens = u.outputTokens;
    if (u.cacheReadTokens !== undefined) r.cacheReadTokens = u.cacheReadTokens;
    if (u.cacheWriteTokens !== undefined) r.cacheWriteTokens = u.cacheWriteTokens;
    if (u.cacheWrite1hTokens !== undefined) r.cacheWrite1hTokens = u.cacheWrite1hTokens;
  }

  stop(reason: string): void {
    this.req.stopReason = reason;
  }

  model(name: string): void {
    // The request names the model asked for; keep it, and fall back to what the response says.
    if (this.req.model === null) this.req.model = name;
    if (this.req.responseModel === null) this.req.responseModel = name;
  }

  responseId(id: string): void {
    if (this.req.responseId === null) this.req.responseId = id;
  }

  error(message: string): void {
    this.errors.push(message);
  }

  finished(tMs: number): void {
    if (this.finishedMs === null) this.finishedMs = tMs;
  }

  unknown(type: string): void {
    (this.unknownTypes ??= new Set()).add(type);
  }

  /** The content deltas' arrival times. */
  private arrivals(): Float64Array {
    if (this.detail) return this.req.deltas.times();
    return this.times ? this.times.subarray(0, this.nTimes) : new Float64Array(0);
  }

  private callAt(tMs: number, block: number, id: string | null = null, name = ''): CallState {
    let s = this.calls.get(block);
    if (!s) {
      const call: ToolCall = { id, name, arguments: '', block, startMs: tMs, endMs: null };
      s = { call, streamed: false };
      this.calls.set(block, s);
      this.req.toolCalls.push(call);
    }
    return s;
  }

  /**
   * Closes the exchange at endMs. `outcome` is the transport's verdict (http-end, socket close, or
   * 'aborted' when the trace stopped first); errors and missing terminal events refine it.
   */
  finish(endMs: number, outcome: RequestStatus, message: string | null): void {
    if (this.ended) return;
    this.ended = true;
    this.close(this.req, endMs, outcome, message);
    this.times = null;
    this.req.deltas.seal();
  }

  /**
   * The response as it stands, for a live snapshot: a copy closed at its latest frame (in progress:
   * status `aborted`, `inProgress` set), this builder left as it was so the stream can go on.
   */
  snapshot(): RequestModel {
    const r = this.req;
    const copy: RequestModel = { ...r, toolCalls: r.toolCalls.map((c) => ({ ...c })), deltas: r.deltas.copy(), inProgress: true };
    this.close(copy, this.lastMs, 'aborted', 'in progress: the response had not ended at this point of the recording');
    return copy;
  }

  private close(r: RequestModel, endMs: number, outcome: RequestStatus, message: string | null): void {
    r.endMs = Math.max(endMs, r.startMs);
    let status: RequestStatus = outcome;
    let error = message;
    if (r.httpStatus !== null && r.httpStatus >= 400) {
      status = 'error';
      error = this.errors[0] ?? `HTTP ${r.httpStatus}`;
    } else if (this.errors.length > 0) {
      status = 'error';
      error = this.errors[0];
    } else if (status === 'complete' && r.streamed && this.finishedMs === null && r.stopReason === null) {
      status = 'aborted';
      error = 'stream ended before its final event';
    }
    r.status = status;
    r.error = status === 'complete' ? null : (error ?? status);
    for (const c of r.toolCalls) if (c.endMs === null && status === 'complete') c.endMs = r.endMs;
    if (r.firstContentMs !== null) {
      if (r.firstContentMs > r.endMs) r.endMs = r.firstContentMs;
      r.ttftMs = r.firstContentMs - r.startMs;
      r.streamMs = r.endMs - r.firstContentMs;
      // A rate needs content spread over time: one burst (a plain JSON body, or everything in one
      // read) has no measurable stream, and dividing by its near-zero length would claim thousands of tok/s.
      const spread = this.nContent >= 2 && this.lastContentMs > r.firstContentMs;
      if (r.outputTokens !== null && r.streamMs > 0 && spread) r.tokensPerSecond = r.outputTokens / (r.streamMs / 1000);
    }
    if (!this.gaps) return;
    const arrivals = this.arrivals();
    const g = gapStats(arrivals, arrivals.length);
    r.gaps = g.stats;
    r.stalls = g.stalls;
  }
}
