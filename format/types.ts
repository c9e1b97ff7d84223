// The trace format as TypeScript types. format/SPEC.md describes the same thing in prose and bytes;
// the record fields are one table in schema.ts, which these interfaces must agree with to compile
// (and FORMAT_VERSION changes with them).

export const FORMAT_MAGIC = 'LAPSE'; // 5 ASCII bytes, then major, minor and flags (1 byte each)
export const FORMAT_VERSION = { major: 1, minor: 3 } as const;

/** Microseconds since the session start, from a monotonic clock. */
export type Micros = number;

/** Header name → value(s), lower-cased names, as seen on the wire (after redaction). */
export type Headers = Record<string, string | string[]>;

/**
 * A stored body or payload. Every variant rebuilds to the exact original bytes:
 * - `json`: the bytes were UTF-8 JSON and `JSON.stringify(value)` gives them back exactly;
 * - `patch`: JSON whose value is `applyPatch(rebuild(base), ops)` (fast-json-patch ops), then stringified;
 * - `text`: UTF-8 text that is not byte-exact JSON;
 * - `bytes`: anything else (binary, invalid UTF-8);
 * - `dropped`: the writer shed the payload under pressure (only its length is known).
 * Large strings inside `json`/`patch`/`text` may be string-table references (see StringRef).
 */
export type Body =
  | { enc: 'json'; value: unknown }
  | { enc: 'patch'; base: string; ops: JsonPatchOp[] }
  | { enc: 'text'; text: string }
  | { enc: 'bytes'; bytes: Uint8Array }
  | { enc: 'dropped'; length: number };

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/**
 * One Server-Sent Event, stored so that it re-serialises to its exact bytes:
 * `structured` when `formatSse(event)` reproduces the original text, `raw` otherwise.
 */
export type SseEvent =
  | { form: 'structured'; event?: string; data: unknown; id?: string }
  | { form: 'raw'; text: string };

/**
 * On disk only (readers return `structured`): the same `event` name, `id` presence and JSON shape as the
 * previous structured event of that name in the same response, with only the changed leaves stored.
 */
export interface SseSameShape {
  form: 'same';
  event?: string;
  id?: string;
  changes: Array<[number, unknown]>;
}

/**
 * On disk only (readers return one `http-data` record per member), format 1.1: `n` consecutive events
 * of one stream, each with the shape of the one before it (the first: of the stream's previous event of
 * that name), stored as columns. `leaves` are the indexes of the leaves that change anywhere in the
 * run, `cols[j][k]` the value of leaf `leaves[j]` in member k (a column of strings may be stored as
 * one joined string and the pieces' UTF-16 lengths); other leaves keep the base's values.
 * `t` is the first member's time delta, `dt` the other members' (n − 1 little-endian int32); without
 * `dt` (1.3) they are the run's share of its frame's `columns` record (so are the lengths of a
 * joined column stored without them).
 */
export interface SseRunRecord extends RecordBase {
  kind: 'sse-run';
  id: string;
  event?: string;
  /** The members' `id:` values, when the events have an id line. */
  ids?: string[];
  n: number;
  leaves: number[];
  cols: Array<unknown[] | { joined: string; lengths: number[] }>;
  dt?: Uint8Array;
}

/**
 * On disk only, format 1.3, first in a frame: the frame's word table (format/words.ts); word-coded
 * strings after it in the frame read with their words put back.
 */
export interface WordsRecord extends RecordBase {
  kind: 'words';
  words: string[];
}

/**
 * On disk only, format 1.3, first in a frame: the numbers of the frame's `sse-run` records gathered
 * into columns, so that they lie together instead of between text, where a coder pays for them most.
 * `dt`: the member time deltas of the runs that have no `dt`, one after another, as byte planes
 * (every value's low byte, then every second byte…); `lengths`: the piece lengths of the joined string
 * columns stored without `lengths`, in run and column order. Compaction writes it; readers give each
 * run its values back from it, in order, before they hand the run on.
 */
export interface ColumnsRecord extends RecordBase {
  kind: 'columns';
  dt?: Uint8Array;
  lengths?: number[];
}

interface RecordBase {
  /** Monotonic time of the record, µs from session start. */
  t: Micros;
}

export interface SessionRecord extends RecordBase {
  kind: 'session';
  formatVersion: { major: number; minor: number };
  lapseVersion: string;
  /** Wall-clock time of t=0, ms since the Unix epoch. */
  startedAt: number;
  argv: string[];
  cwd: string;
  harness: string | null;
  upstreams: { anthropic: string; openai: string; gemini?: string; codeAssist?: string };
  redacted: boolean;
  /**
   * Absent for a session recorded through the proxy. Set when the trace was built from a harness's own
   * transcript by `lapse import`: its records then carry the transcript's times (millisecond
   * resolution), and what a transcript cannot know (time to first token, per-token timing) is estimated.
   */
  source?: TraceSource;
  /**
   * The recorder's stdin and stdout were terminals: a person was at the keyboard. Absent in traces
   * written before this field existed and in imports (treated as unknown, i.e. not interactive).
   */
  interactive?: boolean;
  /**
   * The writing process (1.2): its pid and host name, so a reader can tell a trace still being written
   * (open flag set, writer alive) from one whose recorder was killed before it could clear the flag.
   */
  writer?: { pid: number; host: string };
}

/** Where a trace's records came from: the recording proxy, or an imported transcript. */
export type TraceSource = 'proxy' | 'claude-code-transcript' | 'codex-rollout';

export interface HttpRequestRecord extends RecordBase {
  kind: 'http-request';
  /** Unique within the trace; also names this body as a delta base. */
  id: string;
  method: string;
  /** Path and query, as the harness sent it (query redacted). */
  url: string;
  /** The upstream base URL it was forwarded to. */
  upstream: string;
  headers: Headers;
  body: Body;
}

export interface HttpResponseRecord extends RecordBase {
  kind: 'http-response';
  id: string;
  status: number;
  statusText: string;
  headers: Headers;
  /** True when body-data records hold the decoded (not the on-wire compressed) bytes. */
  decoded: boolean;
}

export interface HttpDataRecord extends RecordBase {
  kind: 'http-data';
  id: string;
  /** One SSE event (text/event-stream bodies), or one raw chunk for any other body. */
  sse?: SseEvent;
  chunk?: Body;
}

export type EndOutcome = 'complete' | 'aborted' | 'error';

export interface HttpEndRecord extends RecordBase {
  kind: 'http-end';
  id: string;
  outcome: EndOutcome;
  /** For `error`/`aborted`: what happened, in one line. */
  message?: string;
  /** Bytes of response body that reached the client. */
  bytes: number;
}

/**
 * Format 1.2: how one HTTP exchange went on the wire to the upstream, written when it ended. The
 * times are absolute session times (µs, like a running `t`, but not stored as differences); each is
 * absent when that moment never came (a reused connection has no dns/connect/tls).
 */
export interface HttpTimingRecord extends RecordBase {
  kind: 'http-timing';
  /** The http-request id; or a ws-open id: that WebSocket's handshake (the upgrade request → 101). */
  id: string;
  /** The request went out on a kept-alive connection the proxy already had open. */
  reused: boolean;
  /** The proxy asked for an upstream connection (right after the request head arrived). */
  start: Micros;
  /** New connection: the host name was resolved (absent for an IP address). */
  dns?: Micros;
  /** New connection: TCP connected. */
  connect?: Micros;
  /** New https connection: the TLS handshake finished. */
  tls?: Micros;
  /** The connection was ready and the request head went out. */
  sendStart?: Micros;
  /** The last request byte was handed to the operating system (its send buffer may still hold some). */
  sendEnd?: Micros;
  /**
   * Linux, uploads of 16 KiB or more: the upstream's TCP had acknowledged every request byte (the
   * proxy's send queue seen empty), or the response head arrived first.
   */
  acked?: Micros;
  /** The response head arrived. */
  head?: Micros;
  /** The first response body byte arrived. */
  firstByte?: Micros;
  /** Bytes written to / read from the upstream connection for this exchange (heads and bodies, before TLS). */
  bytesUp: number;
  bytesDown: number;
  /** Connections tried (more than 1: a stale kept-alive connection was replaced). */
  attempts: number;
  /**
   * Filled in by the trace writer: the request body repeats `bytes` bytes of the earlier request body
   * `base` (the body's bytes minus its stored JSON Patch against that base). Absent: nothing repeated.
   */
  repeat?: { base: string; bytes: number };
}

export interface WsOpenRecord extends RecordBase {
  kind: 'ws-open';
  id: string;
  url: string;
  upstream: string;
  headers: Headers;
  /** Negotiated subprotocol ('' if none) and extensions (e.g. permessage-deflate). */
  protocol: string;
  extensions: string;
  /** Status and headers of the upstream's handshake response, when it answered. */
  status?: number;
  responseHeaders?: Headers;
}

export interface WsMessageRecord extends RecordBase {
  kind: 'ws-message';
  id: string;
  /** `up`: harness → model; `down`: model → harness. */
  dir: 'up' | 'down';
  data: Body;
  binary: boolean;
  /**
   * Format 1.2: arrival of the chunk that held the message's first byte (absolute session µs), when
   * that was before `t` (the chunk that completed it); absent for a message that came in one chunk.
   */
  start?: Micros;
}

export interface WsCloseRecord extends RecordBase {
  kind: 'ws-close';
  id: string;
  code: number;
  reason: string;
  by: 'client' | 'upstream' | 'proxy';
}

export interface FileChangeRecord extends RecordBase {
  kind: 'file';
  /** Relative to the watched directory, with `/` separators. */
  path: string;
  op: 'create' | 'modify' | 'delete' | 'rename';
  /** For `rename`: the old path. */
  from?: string;
  /** Unified diff against the previous content, for text files ≤ 1 MiB. */
  diff?: string;
  /** sha256 (hex) of the new content, for binary or large files. */
  hash?: string;
  size?: number;
}

export interface ProcessStartRecord extends RecordBase {
  kind: 'process-start';
  pid: number;
  argv: string[];
}

export interface ProcessExitRecord extends RecordBase {
  kind: 'process-exit';
  pid: number;
  code: number | null;
  signal: string | null;
}

export interface MarkerRecord extends RecordBase {
  kind: 'marker';
  label: string;
}

/**
 * The writer shed payloads under back-pressure (timings are kept, bodies replaced by `dropped`), or the
 * recorder stopped decoding a body past its bound; `reason` says which.
 */
export interface DropRecord extends RecordBase {
  kind: 'drop';
  records: number;
  bytes: number;
  reason: string;
}

/**
 * What the harness drew on its terminal: the bytes it wrote to its pseudo-terminal, one record per
 * read, in order. `data` is a Body (`text` when the chunk is UTF-8, else `bytes`; `dropped` when shed).
 */
export interface TermOutputRecord extends RecordBase {
  kind: 'term-output';
  data: Body;
}

/** The terminal's size: once when the harness starts, then at every resize. */
export interface TermResizeRecord extends RecordBase {
  kind: 'term-resize';
  cols: number;
  rows: number;
}

/**
 * What kind of key the person pressed: `printable` (letters, digits, spaces, any non-control
 * character), `enter` (CR or LF), `control` (Ctrl-letters, Backspace, Tab, Escape and escape
 * sequences such as arrows and function keys), `paste` (a bracketed paste, as one record).
 */
export type KeyClass = 'printable' | 'enter' | 'control' | 'paste';

/**
 * Input activity: `count` keys of one class read from the person's terminal in one read (a paste:
 * count 1 and `length`, its characters). Never the typed text, unless the recorder ran with
 * `--record-input`: then `text` holds exactly these keys' characters (redacted like the rest).
 */
export interface TermInputRecord extends RecordBase {
  kind: 'term-input';
  key: KeyClass;
  count: number;
  length?: number;
  text?: string;
}

/**
 * Format 1.1: figures of the whole trace, written into the first frame when a finished trace is
 * compacted, so a listing reads them without reading the rest. Readers keep it aside
 * (`TraceStreamReader.summary`) rather than returning it among the records.
 */
export interface SummaryRecord extends RecordBase {
  kind: 'summary';
  /** Records after the first frame (string-table entries not counted, run members counted one each). */
  records: number;
  /** The latest record time, µs. */
  lastT: Micros;
  /** `http-request` records. */
  httpRequests: number;
  /** `ws-message` records with `dir: 'up'`. */
  wsMessagesUp: number;
  /**
   * Model requests as `lapse stats` counts them (HTTP model calls plus responses asked for over a
   * WebSocket; not GET /v1/models, count_tokens…). Absent in traces compacted before this field
   * existed, or by a writer that did not analyse the records.
   */
  requests?: number;
}

/** Defines a string-table entry: later records may reference it as StringRef(index). */
export interface StringRecord extends RecordBase {
  kind: 'string';
  index: number;
  value: string;
}

export type TraceRecord =
  | SessionRecord
  | HttpRequestRecord
  | HttpResponseRecord
  | HttpDataRecord
  | HttpEndRecord
  | HttpTimingRecord
  | WsOpenRecord
  | WsMessageRecord
  | WsCloseRecord
  | FileChangeRecord
  | ProcessStartRecord
  | ProcessExitRecord
  | MarkerRecord
  | DropRecord
  | TermOutputRecord
  | TermResizeRecord
  | TermInputRecord
  | StringRecord;

export type RecordKind = TraceRecord['kind'];

/** What the reader returns alongside the records. */
export interface TraceReadResult {
  version: { major: number; minor: number };
  records: TraceRecord[];
  /** The file ended inside a record (crash or cut): every complete record before it is returned. */
  truncated: boolean;
  /** Byte length read. */
  bytes: number;
  /**
   * Why the trace is incomplete, when it is more than "the file ends inside a record": reading stopped
   * at a damaged frame, or the writer never closed the file (records before either are returned).
   */
  damage?: string;
}
