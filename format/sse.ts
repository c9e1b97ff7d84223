// Server-Sent Events: split a byte stream into events, and store each one so it re-serialises exactly.
import type { SseEvent } from './types.js';

/**
 * Splits SSE text into complete events (each with its terminating blank line). Handles \n, \r\n
 * and \r line endings and events split across chunks; `push` returns the events a chunk completed.
 */
export class SseSplitter {
  /** The unfinished event, as the chunks it arrived in (joined only once it is complete). */
  private parts: string[] = [];
  private length = 0;
  /** The last (up to) three characters of the unfinished event: a blank line may straddle chunks. */
  private tail = '';

  push(text: string): string[] {
    const out: string[] = [];
    // Nothing pending and no CR (the usual stream): events end exactly where "\n\n" is.
    if (this.length === 0 && text.indexOf('\r') === -1) {
      let from = 0;
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n', from)) {
        out.push(text.slice(from, end + 2));
        from = end + 2;
      }
      if (from < text.length) {
        const rest = from === 0 ? text : text.slice(from);
        this.parts.push(rest);
        this.length = rest.length;
        this.tail = rest.slice(-3);
      }
      return out;
    }
    // Only the new chunk (and the tail before it) is scanned: a long event arriving in many small
    // chunks costs its length once, not once per chunk.
    const window = this.tail + text;
    const end = findEventEnd(window, 0);
    if (end === -1) {
      if (text) {
        this.parts.push(text);
        this.length += text.length;
        this.tail = window.slice(-3);
      }
      return out;
    }
    let rest = this.parts.join('') + text;
    let cut = this.length - this.tail.length + end;
    this.parts = [];
    this.length = 0;
    this.tail = '';
    for (;;) {
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
      cut = findEventEnd(rest, 0);
      if (cut === -1) break;
    }
    if (rest) {
      this.parts.push(rest);
      this.length = rest.length;
      this.tail = rest.slice(-3);
    }
    return out;
  }

  /** Whatever is left when the stream ends (an unterminated event), or ''. */
  flush(): string {
    const rest = this.parts.join('');
    this.parts = [];
    this.length = 0;
    this.tail = '';
    return rest;
  }

  get pending(): number {
    return this.length;
  }
}

/** Index just past the blank line that ends the event starting at `from`, or -1. */
function findEventEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    // end of a line at i; the line ending is \n, \r\n or \r
    let next = i + 1;
    if (c === 13) {
      if (next >= s.length) return -1; // cannot tell \r from \r\n yet
      if (s.charCodeAt(next) === 10) next++;
    }
    // a blank line follows?
    if (next >= s.length) return -1;
    const d = s.charCodeAt(next);
    if (d === 10) return next + 1;
    if (d === 13) {
      if (next + 1 >= s.length) return -1;
      return s.charCodeAt(next + 1) === 10 ? next + 2 : next + 1;
    }
    i = next - 1;
  }
  return -1;
}

/** The canonical text of a structured event: `event:` line, `id:` line, one `data:` line, blank line. */
export function formatSse(ev: SseEvent): string {
  if (ev.form === 'raw') return ev.text;
  let s = '';
  if (ev.event !== undefined) s += `event: ${ev.event}\n`;
  if (ev.id !== undefined) s += `id: ${ev.id}\n`;
  s += `data: ${typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data)}\n\n`;
  return s;
}

interface ParsedSse {
  event?: string;
  id?: string;
  data: string;
}

/** Field parsing per the SSE spec (comments ignored, multi-line data joined with \n). */
export function parseSseText(text: string): ParsedSse {
  const out: ParsedSse = { data: '' };
  let hasData = false;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') out.event = value;
    else if (field === 'id') out.id = value;
    else if (field === 'data') {
      out.data = hasData ? `${out.data}\n${value}` : value;
      hasData = true;
    }
  }
  return out;
}

/**
 * Stores an event structured (JSON data parsed) when that re-serialises to the same text, raw otherwise.
 * Non-JSON data (like `[DONE]`) stays a string in `data`.
 */
export function structureSse(text: string): SseEvent {
  const canonical = canonicalParts(text);
  if (canonical) return structureParts(canonical);
  const p = parseSseText(text);
  let data: unknown = p.data;
  if (startsJson(p.data)) {
    try {
      data = JSON.parse(p.data);
    } catch {
      data = p.data;
    }
  }
  const ev: SseEvent = { form: 'structured', data };
  if (p.event !== undefined) ev.event = p.event;
  if (p.id !== undefined) ev.id = p.id;
  if (formatSse(ev) === text) return ev;
  if (typeof data !== 'string') {
    // JSON that does not round-trip (spacing, number forms): keep the data as text if that is exact.
    const asText: SseEvent = { ...ev, data: p.data };
    if (formatSse(asText) === text) return asText;
  }
  return { form: 'raw', text };
}

/** The fields of an event in the form a stream mostly carries (see canonicalParts). */
export interface CanonicalParts {
  event?: string;
  id?: string;
  /** The data line's text. */
  data: string;
}

/**
 * The text a stream mostly carries, `event: E\n` `id: I\n` (each optional) `data: D\n\n` with no CR
 * and no other line, read without the line split and re-rendering (the recorder's per-event path).
 * Undefined for any other text, which takes structureSse's general path.
 */
export function canonicalParts(text: string): CanonicalParts | undefined {
  const n = text.length;
  if (n < 8 || text.charCodeAt(n - 1) !== 10 || text.charCodeAt(n - 2) !== 10 || text.indexOf('\r') !== -1) return undefined;
  let at = 0;
  const parts: CanonicalParts = { data: '' };
  if (text.startsWith('event: ')) {
    const nl = text.indexOf('\n', 7);
    parts.event = text.slice(7, nl);
    at = nl + 1;
  }
  if (text.startsWith('id: ', at)) {
    const nl = text.indexOf('\n', at + 4);
    parts.id = text.slice(at + 4, nl);
    at = nl + 1;
  }
  if (!text.startsWith('data: ', at)) return undefined;
  const nl = text.indexOf('\n', at + 6);
  if (nl !== n - 2) return undefined;
  parts.data = text.slice(at + 6, nl);
  return parts;
}

/** structureSse of an event in the canonical form, from its parts. */
export function structureParts(parts: CanonicalParts, data?: unknown): SseEvent {
  let value: unknown = parts.data;
  if (data !== undefined) value = data;
  else if (startsJson(parts.data)) {
    try {
      const parsed: unknown = JSON.parse(parts.data);
      // JSON that does not round-trip (spacing, number forms) keeps its data as text
      if (JSON.stringify(parsed) === parts.data) value = parsed;
    } catch {
      // not JSON: the data stays text
    }
  }
  const ev: SseEvent = { form: 'structured', data: value };
  if (parts.event !== undefined) ev.event = parts.event;
  if (parts.id !== undefined) ev.id = parts.id;
  return ev;
}

/** Whether text may be a JSON object or array (what structured events hold). */
export function startsJson(s: string): boolean {
  const first = s.charCodeAt(0);
  return first === 123 /* { */ || first === 91; /* [ */
}

/** The parsed JSON of the event's data, or undefined when it is not JSON (e.g. `[DONE]`). */
export function sseData(ev: SseEvent): unknown {
  if (ev.form === 'structured') {
    if (typeof ev.data !== 'string') return ev.data;
    return tryJson(ev.data);
  }
  return tryJson(parseSseText(ev.text).data);
}

export function sseEventName(ev: SseEvent): string | undefined {
  return ev.form === 'structured' ? ev.event : parseSseText(ev.text).event;
}

function tryJson(s: string): unknown {
  if (!startsJson(s)) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
