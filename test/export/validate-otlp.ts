// The OTLP/JSON mapping rules: hex ids of the right length, int64 as decimal strings, AnyValue with
// one field, one root, parents and links that resolve inside the export, children inside parents.
import type { OtlpSpan } from '../../cli/export/otlp.js';

type Any = Record<string, unknown>;

/** The OTLP/JSON mapping rules; returns problems (empty = valid). */
export function validateOtlp(doc: unknown): string[] {
  const errs: string[] = [];
  const anyValue = (v: unknown, at: string): void => {
    const keys = v && typeof v === 'object' ? Object.keys(v) : [];
    if (keys.length !== 1) return void errs.push(`${at}: AnyValue must have exactly one field`);
    const o = v as Any;
    if ('intValue' in o && !(typeof o.intValue === 'string' && /^-?\d+$/.test(o.intValue))) errs.push(`${at}: intValue must be a decimal string`);
    else if ('doubleValue' in o && typeof o.doubleValue !== 'number') errs.push(`${at}: doubleValue must be a number`);
    else if ('stringValue' in o && typeof o.stringValue !== 'string') errs.push(`${at}: stringValue must be a string`);
    else if ('boolValue' in o && typeof o.boolValue !== 'boolean') errs.push(`${at}: boolValue must be a boolean`);
    else if ('arrayValue' in o) ((o.arrayValue as { values: unknown[] }).values ?? []).forEach((x, i) => anyValue(x, `${at}[${i}]`));
    else if (!['intValue', 'doubleValue', 'stringValue', 'boolValue', 'arrayValue', 'kvlistValue', 'bytesValue'].includes(keys[0])) errs.push(`${at}: unknown AnyValue ${keys[0]}`);
  };
  const attrs = (list: unknown, at: string): void => {
    if (!Array.isArray(list)) return void errs.push(`${at}: attributes must be an array`);
    const seen = new Set<string>();
    for (const kv of list as Array<{ key: string; value: unknown }>) {
      if (typeof kv.key !== 'string' || seen.has(kv.key)) errs.push(`${at}: bad or repeated key ${String(kv.key)}`);
      seen.add(kv.key);
      anyValue(kv.value, `${at}.${kv.key}`);
    }
  };
  const nanos = (v: unknown, at: string): void => {
    if (!(typeof v === 'string' && /^\d{19}$/.test(v))) errs.push(`${at}: must be a string int64 of ns since the epoch`);
  };
  const hex = (v: unknown, len: number, at: string): void => {
    if (!(typeof v === 'string' && new RegExp(`^[0-9a-f]{${len}}$`).test(v) && !/^0+$/.test(v))) errs.push(`${at}: must be ${len} lower-case hex digits, not all zero`);
  };
  const d = doc as { resourceSpans?: Array<{ resource?: { attributes?: unknown }; scopeSpans?: Array<{ scope?: { name?: unknown }; spans?: OtlpSpan[] }> }> };
  if (!Array.isArray(d?.resourceSpans)) return ['resourceSpans must be an array'];
  const all: OtlpSpan[] = [];
  for (const rs of d.resourceSpans) {
    attrs(rs.resource?.attributes, 'resource');
    for (const ss of rs.scopeSpans ?? []) {
      if (typeof ss.scope?.name !== 'string') errs.push('scope.name must be a string');
      all.push(...(ss.spans ?? []));
    }
  }
  const ids = new Map<string, OtlpSpan>();
  for (const s of all) {
    const at = `span ${s.name}`;
    hex(s.traceId, 32, `${at}.traceId`);
    hex(s.spanId, 16, `${at}.spanId`);
    if (s.parentSpanId !== undefined) hex(s.parentSpanId, 16, `${at}.parentSpanId`);
    nanos(s.startTimeUnixNano, `${at}.startTimeUnixNano`);
    nanos(s.endTimeUnixNano, `${at}.endTimeUnixNano`);
    if (BigInt(s.endTimeUnixNano) < BigInt(s.startTimeUnixNano)) errs.push(`${at}: ends before it starts`);
    if (![0, 1, 2, 3, 4, 5].includes(s.kind)) errs.push(`${at}: kind must be an OTLP SpanKind integer`);
    attrs(s.attributes, at);
    for (const ev of s.events) {
      nanos(ev.timeUnixNano, `${at} event ${ev.name}`);
      attrs(ev.attributes, `${at} event ${ev.name}`);
    }
    for (const l of s.links) {
      hex(l.traceId, 32, `${at} link`);
      hex(l.spanId, 16, `${at} link`);
    }
    if (s.status.code !== undefined && ![0, 1, 2].includes(s.status.code)) errs.push(`${at}: status.code must be 0, 1 or 2`);
    if (ids.has(s.spanId)) errs.push(`${at}: duplicate spanId`);
    ids.set(s.spanId, s);
  }
  const roots = all.filter((s) => s.parentSpanId === undefined);
  if (roots.length !== 1) errs.push(`expected one root span, got ${roots.length}`);
  for (const s of all) {
    if (s.parentSpanId === undefined) continue;
    const p = ids.get(s.parentSpanId);
    if (!p) errs.push(`span ${s.name}: parent ${s.parentSpanId} is not in the export`);
    else {
      if (p.traceId !== s.traceId) errs.push(`span ${s.name}: parent is in another trace`);
      if (BigInt(s.startTimeUnixNano) < BigInt(p.startTimeUnixNano) || BigInt(s.endTimeUnixNano) > BigInt(p.endTimeUnixNano)) errs.push(`span ${s.name}: outside its parent`);
    }
    for (const l of s.links) if (!ids.has(l.spanId)) errs.push(`span ${s.name}: link to a span not in the export`);
  }
  return errs;
}

