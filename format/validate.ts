// Field-level checks of decoded records, so every consumer can trust the types in types.ts: a record
// that passed its frame checksum but does not fit its kind is damage, not something to analyse.

type Rec = Record<string, unknown>;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const opt = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const isStrArray = (v: unknown) => Array.isArray(v) && v.every(isStr);
const oneOf = (...xs: string[]) => (v: unknown) => isStr(v) && xs.includes(v);

function isHeaders(v: unknown): boolean {
  if (!isObj(v)) return false;
  for (const x of Object.values(v)) if (!isStr(x) && !isStrArray(x)) return false;
  return true;
}

function isBody(v: unknown): boolean {
  if (!isObj(v)) return false;
  switch (v.enc) {
    case 'json':
      return v.value !== undefined;
    case 'patch':
      return isStr(v.base) && Array.isArray(v.ops) && v.ops.every((op) => isObj(op) && isStr(op.op) && isStr(op.path));
    case 'text':
      return isStr(v.text);
    case 'bytes':
      return v.bytes instanceof Uint8Array;
    case 'dropped':
      return isNum(v.length);
    default:
      return false;
  }
}

function isSse(v: unknown): boolean {
  if (!isObj(v)) return false;
  if (v.form === 'raw') return isStr(v.text);
  if (v.form === 'structured') return 'data' in v && opt(v.event, isStr) && opt(v.id, isStr);
  if (v.form === 'same') return Array.isArray(v.changes) && opt(v.event, isStr) && opt(v.id, isStr) && increasingPairs(v.changes);
  return false;
}

/** [index, value] pairs with strictly increasing indexes (the order the encoder writes). */
function increasingPairs(changes: unknown[]): boolean {
  let last = -1;
  for (const c of changes) {
    if (!Array.isArray(c) || c.length !== 2 || !isNum(c[0]) || c[0] <= last) return false;
    last = c[0];
  }
  return true;
}

const CHECKS: Record<string, (r: Rec) => boolean> = {
  session: (r) => isObj(r.formatVersion) && isStr(r.lapseVersion) && isNum(r.startedAt) && isStrArray(r.argv) && isStr(r.cwd) && (r.harness === null || isStr(r.harness)) && isObj(r.upstreams) && isBool(r.redacted) && (r.source === undefined || isStr(r.source)) && opt(r.interactive, isBool),
  'http-request': (r) => isStr(r.id) && isStr(r.method) && isStr(r.url) && isStr(r.upstream) && isHeaders(r.headers) && isBody(r.body),
  'http-response': (r) => isStr(r.id) && isNum(r.status) && isStr(r.statusText) && isHeaders(r.headers) && isBool(r.decoded),
  'http-data': (r) => isStr(r.id) && opt(r.sse, isSse) && opt(r.chunk, isBody) && (r.sse !== undefined || r.chunk !== undefined),
  'http-end': (r) => isStr(r.id) && oneOf('complete', 'aborted', 'error')(r.outcome) && opt(r.message, isStr) && isNum(r.bytes),
  'ws-open': (r) => isStr(r.id) && isStr(r.url) && isStr(r.upstream) && isHeaders(r.headers) && isStr(r.protocol) && isStr(r.extensions) && opt(r.status, isNum) && opt(r.responseHeaders, isHeaders),
  'ws-message': (r) => isStr(r.id) && oneOf('up', 'down')(r.dir) && isBody(r.data) && isBool(r.binary),
  'ws-close': (r) => isStr(r.id) && isNum(r.code) && isStr(r.reason) && oneOf('client', 'upstream', 'proxy')(r.by),
  file: (r) => isStr(r.path) && oneOf('create', 'modify', 'delete', 'rename')(r.op) && opt(r.from, isStr) && opt(r.diff, isStr) && opt(r.hash, isStr) && opt(r.size, isNum),
  'process-start': (r) => isNum(r.pid) && isStrArray(r.argv),
  'process-exit': (r) => isNum(r.pid) && (r.code === null || isNum(r.code)) && (r.signal === null || isStr(r.signal)),
  marker: (r) => isStr(r.label),
  drop: (r) => isNum(r.records) && isNum(r.bytes) && isStr(r.reason),
  'term-output': (r) => isBody(r.data),
  'term-resize': (r) => isNum(r.cols) && isNum(r.rows) && r.cols > 0 && r.rows > 0,
  'term-input': (r) => oneOf('printable', 'enter', 'control', 'paste')(r.key) && isNum(r.count) && r.count >= 1 && opt(r.length, isNum) && opt(r.text, isStr),
  summary: (r) => isNum(r.records) && isNum(r.lastT) && isNum(r.httpRequests) && isNum(r.wsMessagesUp) && (r.requests === undefined || isNum(r.requests)),
};

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** A string column stored joined: n lengths that add up to the joined string's length. */
function isJoined(c: unknown, n: number): boolean {
  if (!isObj(c) || !isStr(c.joined) || !Array.isArray(c.lengths) || c.lengths.length !== n) return false;
  let sum = 0;
  for (const x of c.lengths) {
    if (!isCount(x)) return false;
    sum += x;
  }
  return sum === c.joined.length;
}

/** Null when an `sse-run` is well formed (its fit to the base event is checked when it is expanded). */
export function runProblem(v: unknown): string | null {
  if (!isObj(v) || !isNum(v.t) || !isStr(v.id) || !opt(v.event, isStr) || !isCount(v.n) || v.n < 1) return 'malformed sse-run record';
  const n = v.n;
  if (!Array.isArray(v.leaves) || !Array.isArray(v.cols) || v.cols.length !== v.leaves.length) return 'malformed sse-run record';
  let last = -1;
  for (const i of v.leaves) {
    if (!isCount(i) || i <= last) return 'malformed sse-run record (leaves)';
    last = i;
  }
  for (const c of v.cols) if (!(Array.isArray(c) ? c.length === n : isJoined(c, n))) return 'malformed sse-run record (columns)';
  if (!(v.dt instanceof Uint8Array) || v.dt.length !== 4 * (n - 1)) return 'malformed sse-run record (times)';
  if (v.ids !== undefined && (!isStrArray(v.ids) || (v.ids as string[]).length !== n)) return 'malformed sse-run record (ids)';
  return null;
}

/**
 * Null when the record fits its kind, else what is wrong. Kinds this version does not know pass
 * (a newer minor version may add kinds; readers ignore them).
 */
export function recordProblem(v: unknown): string | null {
  if (!isObj(v) || !isStr(v.kind) || !isNum(v.t)) return 'not a record';
  const check = CHECKS[v.kind];
  if (!check) return null;
  return check(v) ? null : `malformed ${v.kind} record`;
}
