// The session model: what every view (terminal, web, exports) reads instead of wire formats.
// Plain data only (JSON-serialisable: no Maps, no undefined fields, no Infinity), so it can be built
// once and sent to the browser viewer as it is. One exception, for memory: a request's content deltas
// are a column store (`ContentDeltas`, deltas.ts) whose JSON is the plain `ContentDelta[]`.
//
// Units: every `…Ms` field named like an instant (`startMs`, `endMs`, `tMs`, `firstByteMs`) is
// milliseconds since the session start (t=0 of the trace); every other `…Ms` is a length in ms.
// Unknown values are `null`, never missing.
import type { TraceSource } from '../format/types.js';
import type { ContentDeltas } from './deltas.js';

/** Wire protocols a decoder exists for. Detected from the request path. */
export type Protocol = 'anthropic-messages' | 'openai-chat' | 'openai-responses' | 'gemini-generate-content';

/** `websocket`: a response on a Responses-API WebSocket (several per socket). */
export type Transport = 'http' | 'websocket';

/** `complete`: the response ended normally; `aborted`: cut short (client gave up, trace ended); `error`: HTTP ≥ 400, error event, or failed/incomplete response. */
export type RequestStatus = 'complete' | 'aborted' | 'error';

/** What a content delta carries. `tool-args` are the streamed JSON arguments of a tool call. */
export type DeltaKind = 'text' | 'thinking' | 'tool-args';

/** The five places time can go along the critical path (design.md, "What the figures mean"). */
export type SegmentKind = 'modelWait' | 'modelStream' | 'tool' | 'user' | 'harness';

/**
 * How a request was linked to the one it waited on. `retry`: it carries the same tool results (or
 * previous_response_id) as a failed or aborted request that ended before it started — the harness
 * waited for that attempt, then tried again.
 */
export type DependencyKind = 'tool-result' | 'previous-response' | 'spawn' | 'subagent-result' | 'retry' | 'time-order';

/**
 * One thing a request waited for. `spawn`: a subagent's first request waits for the response whose
 * tool call started it; `subagent-result`: the request carrying that tool call's result waits for the
 * subagent's last response (its answer).
 */
export interface Dependency {
  id: string;
  kind: DependencyKind;
  /** What the time between that response's end and this request's start was. */
  gap: GapKind;
}

/** The kinds of time between two requests. */
export type GapKind = 'tool' | 'user' | 'harness';

/** `main`: the conversation the person drives; `subagent`: one started by a tool call; `side`: titles, summaries, warm-ups, checks. */
export type ThreadKind = 'main' | 'subagent' | 'side';

/** One agent conversation: its requests, and for a subagent the tool call that started it. */
export interface ThreadModel {
  /** `main`; `agent-<harness id>` or `sub-<first request id>` for a subagent; `side-<first request id>`. */
  id: string;
  kind: ThreadKind;
  /** The thread of the spawning request (subagents), `main` for side threads; null for main. */
  parent: string | null;
  /** The request whose tool call started it; null when not found (or not a subagent). */
  spawnedBy: string | null;
  /** That tool call's id, and its name (`Agent`, `Task`, `task`, `spawn_agent`); null when not found. */
  spawnCallId: string | null;
  spawnTool: string | null;
  /** How it was told apart: the harness's agent id or subagent flag, the spawn prompt, or none (main, side). */
  via: 'agent-id' | 'subagent-flag' | 'spawn-prompt' | null;
  /** Request ids in start order. */
  requests: string[];
  /** First request's start, latest end. */
  startMs: number;
  endMs: number;
  /** Short label for views: `main`, the spawn call's description or the agent id, `side`. */
  label: string;
}

/** One content-bearing delta of a response, normalized across protocols. */
export interface ContentDelta {
  /** When the frame carrying it reached the proxy (ms from session start). */
  tMs: number;
  kind: DeltaKind;
  /** The text, thinking text, or argument JSON fragment exactly as streamed. */
  text: string;
  /** Token estimate for this fragment (≈ UTF-16 length / 4, at least 1 for non-empty text). */
  tokens: number;
  /** Content block / output item index it belongs to (Anthropic block index, Responses output_index, Chat tool_call index or 0 for text). */
  block: number;
}

/** A tool call the model asked for. */
export interface ToolCall {
  /** tool_use id (Anthropic), tool_call id (Chat), call_id (Responses); null if the wire gave none. */
  id: string | null;
  name: string;
  /** The arguments as the complete JSON text (concatenated deltas, or the final item when not streamed). */
  arguments: string;
  /** Block / output index within the response (matches ContentDelta.block). */
  block: number;
  /** When the call first appeared (block start) and when its arguments were complete; null if unknown. */
  startMs: number | null;
  endMs: number | null;
}

/** A gap between two consecutive content deltas that is much longer than usual. */
export interface Stall {
  /** Time of the delta before the gap, and of the delta after it. */
  startMs: number;
  endMs: number;
  gapMs: number;
}

/** Inter-token gap statistics of one response (gaps between consecutive content deltas). */
export interface GapStats {
  /** Number of gaps (content deltas − 1). */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One model request/response exchange — an HTTP request, or one response on a WebSocket. */
export interface RequestModel {
  /** The http-request record id, or `<ws-open id>#<n>` (n from 1) for the n-th response on a socket. */
  id: string;
  /** Position in SessionModel.requests (ordered by startMs). */
  index: number;
  protocol: Protocol;
  transport: Transport;
  /** Request path (and query) as the harness sent it. */
  url: string;
  /** Model named in the request, else in the response; null if neither. */
  model: string | null;
  /** The proxy had the whole request head (HTTP), or the client's `response.create` frame arrived (WebSocket). */
  startMs: number;
  /** The upstream's response head arrived (HTTP), or its first frame for this response (WebSocket); null if never. */
  firstByteMs: number | null;
  /** When the first content-bearing delta arrived; null if none did. */
  firstContentMs: number | null;
  /** startMs → first content-bearing delta; null if no content arrived. */
  ttftMs: number | null;
  /** Response end (http-end, or the terminal event on a socket); when it never ended, the last frame seen. */
  endMs: number;
  /** firstContentMs → endMs; null if no content arrived. */
  streamMs: number | null;
  /** HTTP status (101 → the socket's handshake status); null if no response head arrived. */
  httpStatus: number | null;
  /** Usage as reported by the endpoint (null when not reported). */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** The part of cacheWriteTokens written for 1 hour (priced higher); null when not reported. */
  cacheWrite1hTokens: number | null;
  /** Sum of the per-delta estimates: a fallback when outputTokens is null (never used for tokensPerSecond). */
  outputTokensEstimate: number;
  /**
   * outputTokens / (streamMs / 1000); null when outputTokens is unknown, the stream has no length, or
   * all content came in one burst (a plain JSON response, whose content counts as arriving at its end).
   */
  tokensPerSecond: number | null;
  /** As the wire says it (`end_turn`, `tool_use`, `stop`, `tool_calls`, `completed`, `incomplete:max_output_tokens`…); null if never said. */
  stopReason: string | null;
  toolCalls: ToolCall[];
  status: RequestStatus;
  /** One line describing the error or abort; null otherwise. */
  error: string | null;
  /** True when streamed (SSE / socket frames), false for a plain JSON response. */
  streamed: boolean;
  /**
   * The timing inside the response is estimated, not measured: the trace was imported from a
   * transcript, which has the request and response times but not the first token's. firstByteMs,
   * ttftMs and tokensPerSecond are then null; the wait/stream split (firstContentMs, streamMs) is the importer's
   * estimate from the output tokens.
   */
  estimated: boolean;
  /** Responses API: `generate:false` warm-up (no output; never on the critical path). */
  warmup: boolean;
  /** Number of messages / input items in the request body; null when unreadable. */
  messageCount: number | null;
  /** Tool-call ids whose results this request carries as its newest input (what it answers). */
  answersToolCallIds: string[];
  /**
   * Id of its thread in SessionModel.threads (`main`, `agent-…`, `side-…`). Before the threads are
   * read (the responses handler's drafts), the protocol's conversation key instead: a fingerprint of
   * the system prompt + first message.
   */
  thread: string | null;
  /** Responses API ids: this response's id and the `previous_response_id` it continued; null otherwise. */
  responseId: string | null;
  previousResponseId: string | null;
  /** The model as the response named it (often a dated version of the one asked for); null if it did not. */
  responseModel: string | null;
  /** On the critical path (the chain the agent actually waited on). */
  critical: boolean;
  /**
   * The request whose response this one waited on last (the binding one of `dependencies`: the one
   * that ended latest), and how; null for the first.
   */
  dependsOn: string | null;
  dependency: DependencyKind | null;
  /** Everything it waited for (several: the subagents it collects; empty for the first). */
  dependencies: Dependency[];
  /** The harness's subagent marks on the request (Claude Code: `x-claude-code-agent-id`, `cc_is_subagent=true`). */
  agentId: string | null;
  subagentMark: boolean;
  /** Index into SessionModel.turns; null for requests off the critical path. */
  turn: number | null;
  /** Content deltas in arrival order, as columns (empty when analysed with `detail: false`). */
  deltas: ContentDeltas;
  /** Inter-token gap statistics; null with fewer than 2 content deltas (or analysed with `gaps: false`). */
  gaps: GapStats | null;
  /** Gaps over 10× the median gap (and at least STALL_MIN_MS); empty with `gaps: false`. */
  stalls: Stall[];
  /** How its round trip went on the wire (format 1.2: http-timing, or a WebSocket turn's message); null when the trace has none (imports, older traces). */
  network: NetworkTiming | null;
  /**
   * Set only in a live snapshot (a trace still being recorded): the response had not ended yet; it is
   * shown up to its latest frame, with status `aborted`. Absent in a finished analysis.
   */
  inProgress?: true;
}

/**
 * One request's wire timing: its model wait (start → first content) is setupMs + uploadMs + serverMs.
 * Durations in ms; dns/connect/tls null when they did not happen (reused connection, IP address, http).
 */
export interface NetworkTiming {
  /** Sent on a connection the proxy already had open (kept-alive HTTP; always for a WebSocket turn). */
  reused: boolean;
  /** A response asked for over a WebSocket: that socket's id (its connection setup is in TransportSummary.sockets); null for HTTP. */
  socket: string | null;
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  /** Request start → connection ready: DNS, TCP and TLS on a new connection, the hand-over on a reused one. */
  setupMs: number;
  /**
   * Request head out → the upload's end, as `uploadEnd` says: `acked`, the upstream's TCP had
   * acknowledged the last byte (Linux, bodies of 16 KiB or more: late by the acknowledgement's way
   * back); `sent`, the last byte was handed to the operating system (a lower bound: its send buffer may
   * still hold much of it). A WebSocket turn: the message's first byte arrived at the proxy → its last
   * (each chunk goes on upstream as it comes, so that is `sent`).
   */
  uploadMs: number;
  uploadEnd: 'acked' | 'sent';
  /** The rest of the wait: the upstream's own time to first content (one-way latency back included). */
  serverMs: number;
  /** Last byte sent → response head; null if no head came. */
  headMs: number | null;
  /** Bytes on the upstream connection for this exchange (heads and bodies, before TLS); a WebSocket turn: its message's payload. */
  bytesUp: number;
  /** null for a WebSocket turn (its server frames are not counted per turn). */
  bytesDown: number | null;
  /** Bytes of the request body that repeat an earlier body (`resentFrom`): what incremental input would not send. */
  resentBytes: number;
  /** uploadMs's share for those bytes, at this upload's own rate. */
  resentUploadMs: number;
  resentFrom: string | null;
}

/** The session's wire figures (sums over the requests with wire timing). */
/** A WebSocket's own connection, set up once for all the responses asked for over it. Durations in ms. */
export interface SocketWire {
  /** The ws-open id (`w1`). */
  id: string;
  /** The proxy asked for the upstream connection (the harness's upgrade request had arrived), from the session start. */
  startMs: number;
  /** The upstream's 101 arrived (the socket opened), from the session start. */
  openMs: number;
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  /** Upgrade request out → 101 received. */
  upgradeMs: number | null;
  /** startMs → openMs: everything above. */
  setupMs: number;
  /** The two handshake heads. */
  bytesUp: number;
  bytesDown: number;
  /** Responses asked for over it. */
  responses: number;
}

export interface TransportSummary {
  /** HTTP requests and WebSocket turns with wire timing. */
  requests: number;
  /** Requests that opened a new upstream connection. */
  newConnections: number;
  setupMs: number;
  uploadMs: number;
  serverMs: number;
  /** The same for the critical requests only: what the session waited for. */
  criticalSetupMs: number;
  criticalUploadMs: number;
  /** The part of criticalUploadMs that re-sent bytes an earlier request had sent. */
  criticalResentUploadMs: number;
  /** Round-trip overhead the session waited for: criticalSetupMs + criticalUploadMs. */
  overheadMs: number;
  bytesUp: number;
  bytesDown: number;
  resentBytes: number;
  resentUploadMs: number;
  /** Bytes up / upload time over uploads of at least 1 ms; null when none was. */
  uplinkBytesPerSecond: number | null;
  /** WebSocket connections (with a handshake timing), in open order. */
  sockets: SocketWire[];
  /** Their setups summed: paid once per socket, before its first response, in no request's wait. */
  socketSetupMs: number;
}

/** A stretch of the critical path. Segments tile [0, durationMs] with no gaps or overlaps, in order. */
export interface Segment {
  kind: SegmentKind;
  startMs: number;
  endMs: number;
  /** modelWait/modelStream: the request; tool/user: the request whose response preceded the gap; harness: the preceding request or null. */
  requestId: string | null;
}

/** A user prompt and the agent loop after it: critical requests up to one whose response ended the turn. */
export interface Turn {
  index: number;
  /** Start of its first request, end of its last request. */
  startMs: number;
  endMs: number;
  requestIds: string[];
  /** The user's prompt text that opened the turn (first 500 chars); null if none could be read. */
  prompt: string | null;
  /** Stop reason of the last response of the turn. */
  stopReason: string | null;
}

/** A file the watcher saw change, placed on the critical path. */
export interface FileChange {
  tMs: number;
  path: string;
  op: 'create' | 'modify' | 'delete' | 'rename';
  /** Old path for renames; null otherwise. */
  from: string | null;
  /** Unified diff against the previous content (text files ≤ 1 MiB); null otherwise. */
  diff: string | null;
  /** sha256 of the new content for binary/large files; null otherwise. */
  hash: string | null;
  size: number | null;
  /** Index into SessionModel.criticalPath of the segment it falls in. */
  segment: number;
  /** Kind of that segment (usually `tool`). */
  segmentKind: SegmentKind;
  /** The request whose tool calls were running when it changed (the segment's requestId). */
  requestId: string | null;
  /** Names of that request's tool calls (e.g. ["Edit"]). */
  toolNames: string[];
}

/** Per-path totals, as in `lapse stats --json` `files`. */
export interface FileSummary {
  path: string;
  changes: number;
}

/** A Responses-API WebSocket: its lifetime and the responses it carried. */
export interface Connection {
  id: string;
  url: string;
  openMs: number;
  /** null if it never closed within the trace. */
  closeMs: number | null;
  closeCode: number | null;
  /** Request ids (`<id>#<n>`) of its responses, in order. */
  requestIds: string[];
}

export interface ProcessInfo {
  pid: number;
  argv: string[];
  startMs: number;
  /** null if the trace has no exit for it. */
  endMs: number | null;
  code: number | null;
  signal: string | null;
}

/** Time split along the critical path; the five fields sum to SessionModel.durationMs. */
export interface Breakdown {
  modelWaitMs: number;
  modelStreamMs: number;
  toolMs: number;
  userMs: number;
  harnessMs: number;
}

export interface TraceInfo {
  /** File path, when read from a file. */
  path: string | null;
  /** "major.minor". */
  formatVersion: string;
  truncated: boolean;
  /** Number of records read (string-table records excluded). */
  records: number;
  bytes: number;
}

export interface SessionInfo {
  /** Wall-clock time of t=0, ms since the Unix epoch. */
  startedAt: number;
  lapseVersion: string;
  argv: string[];
  cwd: string;
  harness: string | null;
  /** `proxy` for a recorded session; the transcript kind for one `lapse import` built. */
  source: TraceSource;
  /** A person was at the terminal (the recorder's stdin and stdout were terminals); null: not recorded. */
  interactive: boolean | null;
}

export interface SessionModel {
  trace: TraceInfo;
  /** From the session record; null if the trace has none. */
  session: SessionInfo | null;
  /** t=0 to the last record's time (normally the harness's process-exit). */
  durationMs: number;
  /** Every model exchange, ordered by startMs. */
  requests: RequestModel[];
  /** Main first, then subagents and side threads by start. */
  threads: ThreadModel[];
  /** Tiles [0, durationMs]; the breakdown is its sum by kind. */
  criticalPath: Segment[];
  breakdown: Breakdown;
  turns: Turn[];
  /** Ids of requests off the critical path (titles, summaries, parallel subagents, warm-ups). */
  sideRequests: string[];
  files: FileChange[];
  fileSummary: FileSummary[];
  connections: Connection[];
  processes: ProcessInfo[];
  markers: Array<{ tMs: number; label: string }>;
  /** Records the writer shed payloads of (timings kept); 0 when none. */
  droppedRecords: number;
  /** The harness's terminal, when it ran in lapse's pseudo-terminal; null otherwise. */
  terminal: TerminalModel | null;
  /** The user time split into reading and typing: measured from terminal records; null without them. */
  userDetail: UserDetail | null;
  /** One-line notes on anything the analysis had to guess or skip (unknown paths, dropped bodies…). */
  warnings: string[];
  /** Round trips on the wire (format 1.2 traces recorded through the proxy); null without http-timing records (or WebSocket message starts). */
  transport: TransportSummary | null;
}

/** A stall is a gap over STALL_FACTOR × the median gap that is also at least STALL_MIN_MS long. */
export const STALL_FACTOR = 10;
/** Floor so that bursts delivered in one TCP read (median gap ≈ 0) do not turn every pause into a stall. */
export const STALL_MIN_MS = 50;

export type { TerminalModel, UserDetail } from './terminal.js';
import type { TerminalModel, UserDetail } from './terminal.js';

// ---- Simulation ----

/** A model/transport profile (design.md "simulation"). */
export interface SimProfile {
  name: string;
  /** Stream becomes outputTokens / tokensPerSecond; null: not set. Takes precedence over speedFactor. */
  tokensPerSecond: number | null;
  /** Stream becomes stream / speedFactor; null: not set. */
  speedFactor: number | null;
  /** Wait (TTFT) becomes wait × ttftScale. */
  ttftScale: number;
  /** Harness gaps become gap × harnessScale. */
  harnessScale: number;
  /** No model time at all (wait and stream become 0), whatever the other fields say. */
  instant: boolean;
  /**
   * A persistent connection with incremental input (WebSocket mode): no per-request connection setup,
   * and the re-sent part of each upload (NetworkTiming.resentUploadMs) is not sent. Needs wire timing.
   */
  persistent: boolean;
  /** The stream's time beyond the model's steady pace (gaps over the median gap) becomes × this. */
  tokenOverheadScale: number;
}

/** One segment of the simulated critical path, with its original and simulated placement. */
export interface SimSegment {
  kind: SegmentKind;
  requestId: string | null;
  origStartMs: number;
  origEndMs: number;
  simStartMs: number;
  simEndMs: number;
  /** Stream retimed from an estimated token count because the endpoint reported none. */
  estimated: boolean;
}

/**
 * Piecewise-linear, monotone map between original and simulated time along the recorded critical
 * path (each of its requests' start, first content and end). Knot i maps orig[i] ↔ sim[i];
 * between knots time is linear. A segment simulated to zero length gives two knots with equal sim
 * values (playback jumps over it). Use simToOrig / origToSim from analysis/simulate.ts.
 */
export interface TimeMap {
  orig: number[];
  sim: number[];
}

/** Where one request lands in the simulation (ms from the simulated session's start). */
export interface SimRequest {
  id: string;
  startMs: number;
  /** null when it had no content. */
  firstContentMs: number | null;
  endMs: number;
  /** On the simulated critical path. */
  critical: boolean;
}

export interface SimulationResult {
  profile: SimProfile;
  /** `critical`: request ids of the critical path, in start order (recorded, and found anew in the simulation). */
  original: { durationMs: number; breakdown: Breakdown; critical: string[] };
  simulated: { durationMs: number; breakdown: Breakdown; critical: string[] };
  /** original.durationMs / simulated.durationMs; null when the simulated duration is 0. */
  speedup: number | null;
  /** The simulated critical path: tiles [0, simulated.durationMs]; orig* say where each piece was recorded. */
  segments: SimSegment[];
  /** Every request's simulated place, in the model's order. */
  requests: SimRequest[];
  timeMap: TimeMap;
  /** Requests whose stream used an estimated token count (no usage reported). */
  estimatedRequests: string[];
}
