// Reading streamed JSON events by the previous ones' template (format/json-template.ts) must give
// exactly what JSON.parse (plus structureSse's round-trip check) gives, or miss: checked on real event
// shapes and on leaves that stress the short cut (escapes, surrogates, control characters, number forms).
import { describe, expect, it } from 'vitest';
import { learn, readByTemplate, type JsonTemplate } from '../../format/json-template.js';
import { shapeOf } from '../../format/leaves.js';
import { StreamRedactor } from '../../format/stream-redact.js';
import { formatSse, structureSse } from '../../format/sse.js';
import type { TraceRecord } from '../../format/index.js';

const anthropic = (text: string, index = 0) => JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const responses = (n: number, delta: string, obfuscation: string) =>
  JSON.stringify({ type: 'response.output_text.delta', sequence_number: n, item_id: 'msg_1', output_index: 0, content_index: 0, delta, obfuscation });
const gemini = (text: string, tokens: number) =>
  JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 9, candidatesTokenCount: tokens, totalTokenCount: 9 + tokens }, modelVersion: 'gemini-2.5-pro' });

/** A template taught by the texts in turn, as the stream redactor teaches it on each miss. */
function taught(texts: string[]): JsonTemplate | undefined {
  let t: JsonTemplate | undefined;
  for (const text of texts) {
    const value: unknown = JSON.parse(text);
    t = learn(t, value, shapeOf(value)!, text) ?? t;
  }
  return t;
}

/** What the slow path makes of a data text: the value when it is canonical JSON, else undefined. */
function slow(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    return JSON.stringify(v) === text ? v : undefined;
  } catch {
    return undefined;
  }
}

// leaves that a string slot must read exactly or refuse
const STRINGS = ['', 'plain words ', 'quote " inside', 'back\\slash', 'tab\there', 'line\nbreak', 'é and 日本', '😀 emoji', 'lone \ud800 high', 'lone \udc00 low', '\u0000nul', '\u007f del', '\u2028 sep', '</script>', '"', '\\'];
// texts whose string literal is not what JSON.stringify writes, or not JSON at all
const RAW_LITERALS = ['\\u0041', '\\/', 'raw\ttab', 'raw\u0001ctl', 'unterminated\\', '\\x41', '\\ud83d\\ude00', '\\ud800', 'a\\"b'];
const NUMBERS = ['0', '7', '-1', '12.5', '1e21', '1e+21', '-0', '01', '1.', '.5', '1E5', '1e-7', '9007199254740993', '-', '+1', '1.0', '1e400', ''];

describe('json template', () => {
  it('reads events of real shapes as JSON.parse does, with only the changing leaves as slots', () => {
    const cases = [
      Array.from({ length: 6 }, (_, i) => anthropic(`w${i} `)),
      Array.from({ length: 6 }, (_, i) => responses(i + 3, `d${i}`, 'x'.repeat(i % 4))),
      Array.from({ length: 6 }, (_, i) => gemini(`chunk ${i}`, i * 3)),
    ];
    for (const texts of cases) {
      const t = taught(texts.slice(0, 2))!;
      expect(t.slots.length).toBeGreaterThan(0);
      for (const text of texts.slice(2)) {
        const read = readByTemplate(t, text);
        expect(read?.value).toEqual(JSON.parse(text));
        expect(read?.shape).toEqual(shapeOf(JSON.parse(text)));
        expect(read?.shape.sig).toBe(t.sig); // the same string: Map lookups on it hash once
      }
    }
  });

  it('reads a string leaf exactly, or misses, whatever it holds', () => {
    const t = taught([anthropic('a'), anthropic('b')])!;
    const texts = [...STRINGS.map((s) => anthropic(s)), ...RAW_LITERALS.map((raw) => anthropic('X').replace('"X"', `"${raw}"`))];
    for (const text of texts) {
      const read = readByTemplate(t, text);
      // read exactly when the slow path structures it: the escapes JSON.stringify writes itself
      // (\" \\ \t \n, lone surrogates) are read, others (\u0041, \/) and raw control characters missed
      expect(read?.value).toEqual(slow(text));
      if (read) expect(JSON.stringify(read.value)).toBe(text);
    }
    expect(texts.filter((x) => readByTemplate(t, x)).length).toBeGreaterThanOrEqual(STRINGS.length);
  });

  it('reads a number leaf only in the form JSON.stringify writes it', () => {
    const t = taught([responses(1, 'a', 'o'), responses(2, 'a', 'o')])!;
    for (const raw of NUMBERS) {
      const text = responses(55, 'a', 'o').replace('"sequence_number":55', `"sequence_number":${raw}`);
      const read = readByTemplate(t, text);
      const expected = slow(text);
      if (expected === undefined) expect(read).toBeUndefined();
      else expect(read?.value).toEqual(expected);
    }
  });

  it('misses when anything but a slot changes, and learns the new slot', () => {
    const t = taught([anthropic('a'), anthropic('b')])!;
    const next = anthropic('c', 1); // a new content block: index changes
    expect(readByTemplate(t, next)).toBeUndefined();
    const t2 = taught([anthropic('a'), anthropic('b'), next])!;
    expect(readByTemplate(t2, anthropic('d', 2))?.value).toEqual(JSON.parse(anthropic('d', 2)));
    // other spacing, other key order, an extra key: never read by the template
    for (const text of [anthropic('x').replace(':0,', ': 0,'), JSON.stringify({ index: 0, type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } }), anthropic('x').slice(0, -1) + ',"extra":1}', anthropic('x') + ' '])
      expect(readByTemplate(t2, text)).toBeUndefined();
  });

  it('refuses a text that is not the canonical JSON of its value', () => {
    const text = '{"a": 1}';
    const value: unknown = JSON.parse(text);
    expect(learn(undefined, value, shapeOf(value)!, text)).toBeUndefined();
    const proto = '{"__proto__":{"x":1}}';
    const pv: unknown = JSON.parse(proto);
    expect(learn(undefined, pv, shapeOf(pv)!, proto)).toBeUndefined();
  });

  it('gives every read event its own objects', () => {
    const t = taught([anthropic('a'), anthropic('b')])!;
    const one = readByTemplate(t, anthropic('c'))!.value as { delta: object };
    const two = readByTemplate(t, anthropic('c'))!.value as { delta: object };
    expect(one).not.toBe(two);
    expect(one.delta).not.toBe(two.delta);
    expect(one.delta).not.toBe((t.value as { delta: object }).delta);
  });
});

describe('the stream redactor reads events by template', () => {
  it('releases the same events as structureSse reads, text for text', () => {
    const words = STRINGS;
    const events: string[] = [];
    for (let i = 0; i < 400; i++) {
      const w = `${words[i % words.length]} ${i} `;
      if (i % 50 === 7) events.push(`event: ping\ndata: {"type": "ping"}\n\n`); // not canonical: stays text
      if (i % 3 === 0) events.push(`event: content_block_delta\ndata: ${anthropic(w, Math.floor(i / 100))}\n\n`);
      else if (i % 3 === 1) events.push(`event: response.output_text.delta\ndata: ${responses(i, w, 'o'.repeat(i % 5))}\n\n`);
      else events.push(`data: ${gemini(w, i)}\n\n`);
    }
    const r = new StreamRedactor();
    const out: TraceRecord[] = [];
    events.forEach((text, i) => out.push(...r.push({ kind: 'http-data', t: i, id: 'r1', sse: { form: 'raw', text } }, i)));
    out.push(...r.flush());
    expect(out).toHaveLength(events.length);
    out.forEach((rec, i) => {
      if (rec.kind !== 'http-data' || !rec.sse) throw new Error('not an event');
      expect(formatSse(rec.sse)).toBe(events[i]);
      if (rec.sse.form === 'structured') expect(rec.sse).toEqual(structureSse(events[i]));
    });
    expect(out.filter((x) => x.kind === 'http-data' && x.sse?.form === 'structured').length).toBeGreaterThan(events.length * 0.9);
  });
});
