// The records of the format as one table, the single statement of which fields each kind has, of
// which type, and which are optional. The reader's validation (validate.ts) is driven by it; the
// interfaces of types.ts are checked against it when this file compiles (the `Agrees` checks at the
// bottom); test/format/schema.test.ts checks the records tables of SPEC.md against it.
import type * as T from './types.js';

/** What a field holds. Named types are the shared forms of SPEC.md (headers, Body, SSE event). */
export type FieldType =
  | 'string'
  | 'number'
  | 'count' // an integer ≥ 0
  | 'boolean'
  | 'strings' // an array of strings
  | 'counts' // an array of integers ≥ 0
  | 'bin' // msgpack bin
  | 'columns' // an sse-run's columns
  | 'any' // any value (checked by the kind's own rule, or opaque)
  | 'headers'
  | 'body'
  | 'sse'
  | { readonly oneOf: readonly string[] }
  | { readonly nullable: FieldType }
  | { readonly fields: Fields };

export interface Field {
  readonly type: FieldType;
  readonly optional: boolean;
}

export type Fields = Readonly<Record<string, Field>>;

export interface KindSpec {
  readonly fields: Fields;
  /** A rule across fields that the field types cannot say (null when it holds). */
  readonly rule?: (r: Record<string, unknown>) => string | null;
}

const req = <F extends FieldType>(type: F) => ({ type, optional: false as const });
const opt = <F extends FieldType>(type: F) => ({ type, optional: true as const });
const oneOf = <const V extends readonly string[]>(...values: V) => ({ oneOf: values });
const nullable = <F extends FieldType>(type: F) => ({ nullable: type });
const fields = <F extends Fields>(f: F) => ({ fields: f });

export const RECORDS = {
  session: {
    fields: {
      formatVersion: req(fields({ major: req('number'), minor: req('number') })),
      lapseVersion: req('string'),
      startedAt: req('number'),
      argv: req('strings'),
      cwd: req('string'),
      harness: req(nullable('string')),
      upstreams: req(fields({ anthropic: req('string'), openai: req('string'), gemini: opt('string'), codeAssist: opt('string') })),
      redacted: req('boolean'),
      source: opt(oneOf('proxy', 'claude-code-transcript', 'codex-rollout')),
      interactive: opt('boolean'),
      writer: opt(fields({ pid: req('number'), host: req('string') })),
    },
  },
  'http-request': {
    fields: { id: req('string'), method: req('string'), url: req('string'), upstream: req('string'), headers: req('headers'), body: req('body') },
  },
  'http-response': {
    fields: { id: req('string'), status: req('number'), statusText: req('string'), headers: req('headers'), decoded: req('boolean') },
  },
  'http-data': {
    fields: { id: req('string'), sse: opt('sse'), chunk: opt('body') },
    rule: (r) => (r.sse === undefined && r.chunk === undefined ? 'neither sse nor chunk' : null),
  },
  'http-end': {
    fields: { id: req('string'), outcome: req(oneOf('complete', 'aborted', 'error')), message: opt('string'), bytes: req('number') },
  },
  'http-timing': {
    fields: {
      id: req('string'),
      reused: req('boolean'),
      start: req('number'),
      dns: opt('number'),
      connect: opt('number'),
      tls: opt('number'),
      sendStart: opt('number'),
      sendEnd: opt('number'),
      acked: opt('number'),
      head: opt('number'),
      firstByte: opt('number'),
      bytesUp: req('number'),
      bytesDown: req('number'),
      attempts: req('number'),
      repeat: opt(fields({ base: req('string'), bytes: req('number') })),
    },
  },
  'ws-open': {
    fields: { id: req('string'), url: req('string'), upstream: req('string'), headers: req('headers'), protocol: req('string'), extensions: req('string'), status: opt('number'), responseHeaders: opt('headers') },
  },
  'ws-message': {
    fields: { id: req('string'), dir: req(oneOf('up', 'down')), binary: req('boolean'), data: req('body'), start: opt('number') },
  },
  'ws-close': {
    fields: { id: req('string'), code: req('number'), reason: req('string'), by: req(oneOf('client', 'upstream', 'proxy')) },
  },
  file: {
    fields: { path: req('string'), op: req(oneOf('create', 'modify', 'delete', 'rename')), from: opt('string'), diff: opt('string'), hash: opt('string'), size: opt('number') },
  },
  'process-start': { fields: { pid: req('number'), argv: req('strings') } },
  'process-exit': { fields: { pid: req('number'), code: req(nullable('number')), signal: req(nullable('string')) } },
  marker: { fields: { label: req('string') } },
  drop: { fields: { records: req('number'), bytes: req('number'), reason: req('string') } },
  'term-output': { fields: { data: req('body') } },
  'term-resize': {
    fields: { cols: req('number'), rows: req('number') },
    rule: (r) => ((r.cols as number) > 0 && (r.rows as number) > 0 ? null : 'a size of 0'),
  },
  'term-input': {
    fields: { key: req(oneOf('printable', 'enter', 'control', 'paste')), count: req('number'), length: opt('number'), text: opt('string') },
    rule: (r) => ((r.count as number) >= 1 ? null : 'a count below 1'),
  },
  string: { fields: { index: req('count'), value: req('string') } },
  'sse-run': {
    // How the columns and times fit `n` is the run's own rule (validate.ts runProblem).
    fields: { id: req('string'), event: opt('string'), ids: opt('strings'), n: req('count'), leaves: req('counts'), cols: req('columns'), dt: opt('bin') },
  },
  columns: { fields: { dt: opt('bin'), lengths: opt('counts') } },
  words: { fields: { words: req('strings') } },
  summary: { fields: { records: req('number'), lastT: req('number'), httpRequests: req('number'), wsMessagesUp: req('number'), requests: opt('number') } },
} as const satisfies Record<string, KindSpec>;

export type SchemaKind = keyof typeof RECORDS;

// ---- compile-time agreement of types.ts with the table ----

// prettier-ignore
type TypeOf<F> =
  F extends 'string' ? string :
  F extends 'number' | 'count' ? number :
  F extends 'boolean' ? boolean :
  F extends 'strings' ? string[] :
  F extends 'counts' ? number[] :
  F extends 'bin' ? Uint8Array :
  F extends 'columns' ? T.SseRunRecord['cols'] :
  F extends 'headers' ? T.Headers :
  F extends 'body' ? T.Body :
  F extends 'sse' ? T.SseEvent :
  F extends { readonly oneOf: readonly (infer V)[] } ? V :
  F extends { readonly nullable: infer N } ? TypeOf<N> | null :
  F extends { readonly fields: infer S } ? RecordOf<S> :
  unknown;

type Flat<X> = { [K in keyof X]: X[K] };
type RecordOf<S> = Flat<
  { -readonly [K in keyof S as S[K] extends { optional: false } ? K : never]: S[K] extends { type: infer F } ? TypeOf<F> : never } & {
    -readonly [K in keyof S as S[K] extends { optional: true } ? K : never]?: S[K] extends { type: infer F } ? TypeOf<F> : never;
  }
>;
/** A record of kind K as the table states it (common fields `kind` and `t` added). */
export type SchemaRecord<K extends SchemaKind> = Flat<{ kind: K; t: number } & RecordOf<(typeof RECORDS)[K]['fields']>>;

type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Agrees<K extends SchemaKind, R> = Same<SchemaRecord<K>, Flat<R>> extends true ? true : { kind: K; table: SchemaRecord<K>; types: Flat<R> };
type Check<X extends true> = X;

// A compile error here names the kind whose interface in types.ts and row in RECORDS differ.
export type SchemaAgreesWithTypes = [
  Check<Agrees<'session', T.SessionRecord>>,
  Check<Agrees<'http-request', T.HttpRequestRecord>>,
  Check<Agrees<'http-response', T.HttpResponseRecord>>,
  Check<Agrees<'http-data', T.HttpDataRecord>>,
  Check<Agrees<'http-end', T.HttpEndRecord>>,
  Check<Agrees<'http-timing', T.HttpTimingRecord>>,
  Check<Agrees<'ws-open', T.WsOpenRecord>>,
  Check<Agrees<'ws-message', T.WsMessageRecord>>,
  Check<Agrees<'ws-close', T.WsCloseRecord>>,
  Check<Agrees<'file', T.FileChangeRecord>>,
  Check<Agrees<'process-start', T.ProcessStartRecord>>,
  Check<Agrees<'process-exit', T.ProcessExitRecord>>,
  Check<Agrees<'marker', T.MarkerRecord>>,
  Check<Agrees<'drop', T.DropRecord>>,
  Check<Agrees<'term-output', T.TermOutputRecord>>,
  Check<Agrees<'term-resize', T.TermResizeRecord>>,
  Check<Agrees<'term-input', T.TermInputRecord>>,
  Check<Agrees<'string', T.StringRecord>>,
  Check<Agrees<'sse-run', T.SseRunRecord>>,
  Check<Agrees<'summary', T.SummaryRecord>>,
  Check<Agrees<'columns', T.ColumnsRecord>>,
  Check<Agrees<'words', T.WordsRecord>>,
];

/** Every record kind of TraceRecord has a row (a kind added to the union but not to the table fails here). */
export type SchemaCoversTypes = Check<Exclude<T.TraceRecord['kind'], SchemaKind> extends never ? true : false>;
