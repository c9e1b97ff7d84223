// The OTLP/JSON encoding rules (protobuf JSON mapping as OTLP specifies it): hex trace/span ids,
// int64 as decimal strings, enums as integers, attribute values as AnyValue. Pure: no node: imports.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } };

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP SpanKind. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
/** OTLP StatusCode. */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export type AttrValue = string | number | boolean | string[] | number[] | null | undefined | { int: number } | { double: number };

/**
 * Attributes from a plain record; null/undefined values are left out (OTLP has no null).
 * A JS number becomes intValue when it is an integer, else doubleValue; `{double: n}` forces a
 * double (a duration that happens to be whole must not change type between spans).
 */
export function attributes(rec: Record<string, AttrValue>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(rec)) {
    const value = anyValue(v);
    if (value) out.push({ key, value });
  }
  return out;
}

export function anyValue(v: AttrValue): AnyValue | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return numberValue(v);
  if (Array.isArray(v)) {
    const values: AnyValue[] = [];
    for (const x of v as Array<string | number>) {
      const a = typeof x === 'string' ? { stringValue: x } : numberValue(x);
      if (a) values.push(a);
    }
    return { arrayValue: { values } };
  }
  if ('double' in v) return Number.isFinite(v.double) ? { doubleValue: v.double } : null;
  return Number.isFinite(v.int) ? { intValue: String(Math.trunc(v.int)) } : null;
}

function numberValue(n: number): AnyValue | null {
  if (!Number.isFinite(n)) return null;
  return Number.isSafeInteger(n) ? { intValue: String(n) } : { doubleValue: n };
}

/** ms since the epoch (µs resolution kept) → the string int64 of ns OTLP/JSON wants. */
export function unixNano(epochMs: number): string {
  const micros = BigInt(Math.round(epochMs * 1000));
  return (micros * 1000n).toString();
}

/**
 * Deterministic ids: exporting the same trace twice gives the same trace and span ids, so a
 * collector that receives it twice sees duplicates of one trace, not two traces.
 */
export function traceIdFor(seed: string): string {
  return nonZero(bytesToHex(sha256(utf8ToBytes(`lapse-trace:${seed}`)).subarray(0, 16)));
}

export function spanIdFor(traceId: string, key: string): string {
  return nonZero(bytesToHex(sha256(utf8ToBytes(`lapse-span:${traceId}:${key}`)).subarray(0, 8)));
}

/** All-zero ids are invalid in OTLP; a hash gives one with negligible odds, but never emit it. */
function nonZero(hex: string): string {
  return /^0+$/.test(hex) ? hex.slice(0, -1) + '1' : hex;
}
