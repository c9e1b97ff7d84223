// Field-level checks of decoded records, so every consumer can trust the types in types.ts: a record
// that passed its frame checksum but does not fit its kind is damage, not something to analyse. The
// fields of each kind are schema.ts's table; here are the shared forms (headers, Body, SSE events).
import { RECORDS, type FieldType, type Fields, type KindSpec } from './schema.js';

type Rec = Record<string, unknown>;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const opt = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isStrArray = (v: unknown) => Array.isArray(v) && v.every(isStr);

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

type NamedType = Exclude<FieldType, object>;

/** The check of each named field type; the mapped type makes a new name in schema.ts a compile error here. */
const NAMED: { readonly [T in NamedType]: (v: unknown) => boolean } = {
  string: isStr,
  number: isNum,
  count: isCount,
  boolean: isBool,
  strings: isStrArray,
  counts: (v) => Array.isArray(v) && v.every(isCount),
  bin: (v) => v instanceof Uint8Array,
  columns: Array.isArray,
  any: () => true,
  headers: isHeaders,
  body: isBody,
  sse: isSse,
};

/** Whether a value fits a field type of the schema. */
function fits(type: FieldType, v: unknown): boolean {
  if (typeof type === 'object') {
    if ('oneOf' in type) return isStr(v) && type.oneOf.includes(v);
    if ('nullable' in type) return v === null || fits(type.nullable, v);
    return isObj(v) && fieldsProblem(type.fields, v) === null;
  }
  return NAMED[type](v);
}

/** The first field of `r` that does not fit `fields` (missing, or of the wrong type), or null. */
function fieldsProblem(fields: Fields, r: Rec): string | null {
  for (const name in fields) {
    const f = fields[name];
    const v = r[name];
    if (v === undefined ? !f.optional : !fits(f.type, v)) return name;
  }
  return null;
}

const SPECS: Readonly<Record<string, KindSpec>> = RECORDS;

/** A string column stored joined: n lengths that add up to the joined string's length. */
function isJoined(c: unknown, n: number): boolean {
  if (!isObj(c) || !isStr(c.joined) || !Array.isArray(c.lengths) || c.lengths.length !== n) return false;
  const lengths = c.lengths;
  let sum = 0;
  for (let k = 0; k < lengths.length; k++) {
    const x = lengths[k];
    if (!isCount(x)) return false;
    sum += x;
  }
  return sum === c.joined.length;
}

/** Null when an `sse-run` is well formed (its fit to the base event is checked when it is expanded). */
export function runProblem(v: unknown): string | null {
  if (!isObj(v) || !isNum(v.t)) return 'malformed sse-run record';
  const field = fieldsProblem(RECORDS['sse-run'].fields, v);
  if (field !== null) return `malformed sse-run record (${field})`;
  const n = v.n as number;
  const leaves = v.leaves as number[];
  const cols = v.cols as unknown[];
  if (n < 1 || cols.length !== leaves.length) return 'malformed sse-run record';
  let last = -1;
  for (const i of leaves) {
    if (i <= last) return 'malformed sse-run record (leaves)';
    last = i;
  }
  for (const c of cols) if (!(Array.isArray(c) ? c.length === n : isJoined(c, n))) return 'malformed sse-run record (columns)';
  if (v.dt !== undefined && (v.dt as Uint8Array).length !== 4 * (n - 1)) return 'malformed sse-run record (times)';
  if (v.ids !== undefined && (v.ids as string[]).length !== n) return 'malformed sse-run record (ids)';
  return null;
}

/**
 * Null when the record fits its kind, else what is wrong. Kinds this version does not know pass
 * (a newer minor version may add kinds; readers ignore them).
 */
export function recordProblem(v: unknown): string | null {
  if (!isObj(v) || !isStr(v.kind) || !isNum(v.t)) return 'not a record';
  const spec = Object.hasOwn(SPECS, v.kind) ? SPECS[v.kind] : undefined;
  if (!spec) return null;
  const field = fieldsProblem(spec.fields, v);
  if (field !== null) return `malformed ${v.kind} record (${field})`;
  const broken = spec.rule?.(v);
  return broken ? `malformed ${v.kind} record (${broken})` : null;
}
