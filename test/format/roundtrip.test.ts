import { describe, expect, it } from 'vitest';
import { bodyBytes, formatSse, FORMAT_VERSION, readTrace, TraceFormatError, type TraceRecord } from '../../format/index.js';
import { enc, sampleRecords, writeTrace } from './helpers.js';

const dec = new TextDecoder();

function originalBytes(rec: TraceRecord): Uint8Array | string | undefined {
  if (rec.kind === 'http-request') return rec.body.enc === 'bytes' ? rec.body.bytes : undefined;
  if (rec.kind === 'ws-message') return rec.data.enc === 'bytes' ? rec.data.bytes : undefined;
  if (rec.kind === 'http-data') return rec.sse?.form === 'raw' ? rec.sse.text : rec.chunk?.enc === 'bytes' ? rec.chunk.bytes : undefined;
  return undefined;
}

describe('trace round trip', () => {
  for (const compress of [true, false]) {
    it(`reads back every record kind with its time (compress=${compress})`, () => {
      const input = sampleRecords();
      const { records, truncated, version } = readTrace(writeTrace(input, { redact: false, compress }));
      expect(truncated).toBe(false);
      expect(version).toEqual(FORMAT_VERSION);
      expect(records[0].kind).toBe('session');
      const rest = records.slice(1);
      expect(rest.map((r) => r.kind)).toEqual(input.map((r) => r.kind));
      expect(rest.map((r) => r.t)).toEqual(input.map((r) => r.t));
      const file = rest.find((r) => r.kind === 'file' && r.op === 'rename');
      expect(file).toMatchObject({ path: 'b.ts', from: 'a.ts' });
      expect(rest.at(-1)).toMatchObject({ kind: 'process-exit', code: 0, signal: null });
    });
  }

  it('rebuilds every body and payload byte for byte (without redaction)', () => {
    const input = sampleRecords();
    const { records } = readTrace(writeTrace(input, { redact: false }));
    const rest = records.slice(1);
    let checked = 0;
    input.forEach((rec, i) => {
      const want = originalBytes(rec);
      if (want === undefined) return;
      const got = rest[i];
      if (got.kind === 'http-request') expect(bodyBytes(got.body)).toEqual(want);
      else if (got.kind === 'ws-message') expect(bodyBytes(got.data)).toEqual(want);
      else if (got.kind === 'http-data') {
        if (got.sse) expect(formatSse(got.sse)).toBe(want);
        else expect(bodyBytes(got.chunk!)).toEqual(want);
      }
      checked++;
    });
    expect(checked).toBe(10);
  });

  it('stores the second request as a small patch and structured SSE where exact', () => {
    const bytes = writeTrace(sampleRecords(), { redact: false, compress: false });
    const raw = readTrace(bytes, { resolveBodies: false }).records;
    const r2 = raw.find((r) => r.kind === 'http-request' && r.id === 'r2');
    expect(r2 && r2.kind === 'http-request' && r2.body.enc).toBe('patch');
    const sse = raw.filter((r) => r.kind === 'http-data' && r.sse).map((r) => (r.kind === 'http-data' ? r.sse!.form : ''));
    // message_start and the delta are canonical JSON; the spaced ping keeps its data as text; the CRLF one is raw
    expect(sse).toEqual(['structured', 'structured', 'structured', 'raw']);
    const ping = raw.filter((r) => r.kind === 'http-data' && r.sse)[2];
    expect(ping.kind === 'http-data' && ping.sse?.form === 'structured' && ping.sse.data).toBe('{"type": "ping"}');
    // the 4 KB system prompt is stored once even though both requests carry it
    const text = dec.decode(bytes);
    expect(text.split('You are Claude Code. ').length - 1).toBe(200);
  });

  it('rebuilds a long delta chain exactly', () => {
    const recs: TraceRecord[] = [];
    const messages: unknown[] = [];
    const wants: string[] = [];
    for (let i = 0; i < 40; i++) {
      messages.push({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `step ${i} `.repeat(30), ...(i === messages.length - 1 ? { cache_control: { type: 'ephemeral' } } : {}) }] });
      // move the cache marker to the newest message, like Claude Code does
      const msgs = messages.map((m, j) => (j === messages.length - 1 ? { ...(m as object), cache: true } : m));
      const text = JSON.stringify({ model: 'm', system: 'S'.repeat(5000), messages: msgs, i });
      wants.push(text);
      recs.push({ kind: 'http-request', t: i * 1000, id: `r${i}`, method: 'POST', url: '/v1/messages', upstream: 'u', headers: {}, body: { enc: 'bytes', bytes: enc.encode(text) } });
    }
    const bytes = writeTrace(recs, { perFrame: 1 });
    const raw = readTrace(bytes, { resolveBodies: false }).records.filter((r) => r.kind === 'http-request');
    expect(raw.filter((r) => r.kind === 'http-request' && r.body.enc === 'patch').length).toBeGreaterThan(30);
    const got = readTrace(bytes).records.filter((r) => r.kind === 'http-request');
    expect(got.map((r) => (r.kind === 'http-request' ? dec.decode(bodyBytes(r.body)) : ''))).toEqual(wants);
  });

  it('keeps JSON whose key order a patch cannot rebuild exact', () => {
    const a = '{"a":1,"b":2,"c":"' + 'x'.repeat(3000) + '"}';
    const b = '{"b":2,"a":1,"c":"' + 'x'.repeat(3000) + '"}';
    const recs: TraceRecord[] = [a, b].map((text, i) => ({ kind: 'http-request', t: i, id: `r${i}`, method: 'POST', url: '/', upstream: 'u', headers: {}, body: { enc: 'bytes', bytes: enc.encode(text) } }));
    const got = readTrace(writeTrace(recs)).records.filter((r) => r.kind === 'http-request');
    expect(got.map((r) => (r.kind === 'http-request' ? dec.decode(bodyBytes(r.body)) : ''))).toEqual([a, b]);
  });

  it('refuses a newer major version and garbage with a one-line TraceFormatError', () => {
    const bytes = writeTrace(sampleRecords());
    const newer = bytes.slice();
    newer[5] = 2;
    expect(() => readTrace(newer)).toThrow(TraceFormatError);
    expect(() => readTrace(newer)).toThrow(/newer than this lapse reads/);
    expect(() => readTrace(enc.encode('{"not":"a trace"}'))).toThrow(/not a lapse trace/);
    expect(() => readTrace(new Uint8Array(0))).toThrow(/empty/);
  });
});

describe('compactTrace', () => {
  it('re-frames a finished trace into fewer bytes with the same records, and leaves a cut one alone', async () => {
    const { compactTrace } = await import('../../format/index.js');
    const bytes = writeTrace(sampleRecords(), { perFrame: 1 });
    const compacted = compactTrace(bytes)!;
    expect(compacted.length).toBeLessThan(bytes.length);
    expect(readTrace(compacted).records).toEqual(readTrace(bytes).records);
    expect(compactTrace(bytes.subarray(0, bytes.length - 1))).toBeNull();
  });
});

describe('SseSplitter', () => {
  it('splits events across any chunking and line-ending style, and scans a long event once', async () => {
    const { SseSplitter } = await import('../../format/index.js');
    const events = ['event: a\ndata: {"x":1}\n\n', 'data: two\r\n\r\n', 'event: c\rdata: 3\r\r', `data: ${'z'.repeat(200_000)}\n\n`, ': comment\ndata: [DONE]\n\n'];
    const text = events.join('');
    for (const size of [1, 2, 3, 7, 64, 1000, text.length]) {
      const sp = new SseSplitter();
      const got: string[] = [];
      for (let o = 0; o < text.length; o += size) got.push(...sp.push(text.slice(o, o + size)));
      expect(got).toEqual(events);
      expect(sp.flush()).toBe('');
    }
    // 200 KB in 1-byte chunks would be ~2·10¹⁰ character visits if rescanned per chunk
    const sp = new SseSplitter();
    const t0 = performance.now();
    const big = `data: ${'q'.repeat(200_000)}\n\n`;
    let n = 0;
    for (let o = 0; o < big.length; o += 10) n += sp.push(big.slice(o, o + 10)).length;
    expect(n).toBe(1);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
