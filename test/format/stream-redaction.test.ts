// Keys streamed across deltas: the text of each content block is redacted whole and the deltas are
// rewritten to rebuild it (Anthropic text and tool-argument deltas, OpenAI Chat and Responses over
// SSE, Responses over WebSocket), whatever the split points.
import { describe, expect, it } from 'vitest';
import { fingerprint, readTrace, type TraceRecord } from '../../format/index.js';
import { StreamRedactor } from '../../format/stream-redact.js';
import { TraceEncoder } from '../../format/encoder.js';
import { sseData } from '../../format/sse.js';
import { enc, writeTrace } from './helpers.js';

const rnd = (n: number, abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789') => Array.from({ length: n }, () => abc[Math.floor(Math.random() * abc.length)]).join('');
const GH = () => `ghp_FAKE${rnd(32)}`;
const ANT = () => `sk-ant-api03-FAKE${rnd(40)}`;

/** Cuts `text` at random points into `n` pieces. */
function split(text: string, n: number): string[] {
  const cuts = new Set<number>();
  while (cuts.size < Math.min(n - 1, text.length - 1)) cuts.add(1 + Math.floor(Math.random() * (text.length - 1)));
  const at = [0, ...[...cuts].sort((a, b) => a - b), text.length];
  return at.slice(1).map((e, i) => text.slice(at[i], e));
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const rec = (id: string, t: number, text: string): TraceRecord => ({ kind: 'http-data', t, id, sse: { form: 'raw', text } });

function run(records: TraceRecord[]): TraceRecord[] {
  const r = new StreamRedactor();
  const out: TraceRecord[] = [];
  for (const x of records) out.push(...r.push(x, x.t));
  out.push(...r.flush());
  return out;
}

function texts(out: TraceRecord[], pick: (d: Record<string, unknown>) => string | undefined): string {
  return out
    .filter((r) => r.kind === 'http-data' && r.sse)
    .map((r) => {
      const d = sseData((r as { sse: never }).sse) as Record<string, unknown> | undefined;
      return (d && pick(d)) ?? '';
    })
    .join('');
}

describe('stream redaction', () => {
  it('Anthropic: a key split across text deltas and another across tool-argument deltas', () => {
    for (let trial = 0; trial < 40; trial++) {
      const k1 = ANT();
      const k2 = GH();
      const text = `Your .env holds ANTHROPIC_API_KEY=${k1} and more text after it.`;
      const args = JSON.stringify({ command: `export GITHUB_TOKEN=${k2}\necho done` });
      const recs: TraceRecord[] = [rec('r1', 1, sse('message_start', { type: 'message_start', message: { id: 'm' } }))];
      let t = 2;
      for (const p of split(text, 3 + (trial % 12))) recs.push(rec('r1', t++, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } })));
      for (const p of split(args, 3 + (trial % 9))) recs.push(rec('r1', t++, sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: p } })));
      recs.push(rec('r1', t++, sse('message_stop', { type: 'message_stop' })));
      recs.push({ kind: 'http-end', t: t++, id: 'r1', outcome: 'complete', bytes: 1 });
      const out = run(recs);
      expect(out.length).toBe(recs.length);
      expect(out.map((r) => r.t)).toEqual(recs.map((r) => r.t)); // same records, same order
      const all = JSON.stringify(out);
      for (const k of [k1, k2]) for (let i = 0; i + 10 <= k.length - 8; i++) expect(all).not.toContain(k.slice(8 + i, 18 + i));
      const rebuilt = texts(out, (d) => (d.delta as { text?: string } | undefined)?.text);
      expect(rebuilt).toBe(`Your .env holds ANTHROPIC_API_KEY=${fingerprint(k1)} and more text after it.`);
      const rebuiltArgs = texts(out, (d) => (d.delta as { partial_json?: string } | undefined)?.partial_json);
      expect(JSON.parse(rebuiltArgs)).toEqual({ command: `export GITHUB_TOKEN=${fingerprint(k2)}\necho done` });
    }
  });

  it('OpenAI Chat content and tool-call arguments, Responses deltas, Responses over WebSocket', () => {
    const k = ANT();
    const chat = split(`key: ${k} end`, 7).map((p, i) => rec('c', i, `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}\n\n`));
    const calls = split(JSON.stringify({ token: k }), 6).map((p, i) => rec('c', 10 + i, `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: p } }] } }] })}\n\n`));
    const out = run([...chat, ...calls, rec('c', 30, 'data: [DONE]\n\n'), { kind: 'http-end', t: 31, id: 'c', outcome: 'complete', bytes: 1 }]);
    const json = JSON.stringify(out);
    expect(json).not.toContain(k.slice(17, 30));
    type Chat = { choices: Array<{ delta: { content?: string; tool_calls?: Array<{ function: { arguments: string } }> } }> };
    expect(texts(out, (d) => (d as unknown as Chat).choices?.[0]?.delta.content)).toBe(`key: ${fingerprint(k)} end`);
    expect(texts(out, (d) => (d as unknown as Chat).choices?.[0]?.delta.tool_calls?.[0].function.arguments)).toBe(JSON.stringify({ token: fingerprint(k) }));

    const k2 = GH();
    const ws: TraceRecord[] = [{ kind: 'ws-message', t: 1, id: 'w1', dir: 'up', binary: false, data: { enc: 'bytes', bytes: enc.encode('{"type":"response.create"}') } }];
    split(`the token is ${k2}.`, 8).forEach((p, i) => ws.push({ kind: 'ws-message', t: 2 + i, id: 'w1', dir: 'down', binary: false, data: { enc: 'bytes', bytes: enc.encode(JSON.stringify({ type: 'response.output_text.delta', item_id: 'i1', output_index: 0, content_index: 0, delta: p })) } }));
    ws.push({ kind: 'ws-message', t: 20, id: 'w1', dir: 'up', binary: false, data: { enc: 'bytes', bytes: enc.encode('{"type":"response.create","n":2}') } });
    const wsOut = run(ws);
    expect(wsOut.map((r) => r.t)).toEqual(ws.map((r) => r.t)); // the next request does not overtake held deltas
    const down = wsOut.filter((r) => r.kind === 'ws-message' && r.dir === 'down').map((r) => JSON.parse(new TextDecoder().decode((r as { data: { bytes: Uint8Array } }).data.bytes)).delta).join('');
    expect(down).toBe(`the token is ${fingerprint(k2)}.`);
  });

  it('a private key streamed line by line is held from BEGIN to END', () => {
    for (let trial = 0; trial < 30; trial++) {
    const body = Array.from({ length: 8 }, () => rnd(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')).join('\n');
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`;
    const text = `Here is id_rsa:\n${pem}\nDone.`;
    const recs = split(text, 40).map((p, i) => rec('p', i, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } })));
    const out = run(recs);
    const all = JSON.stringify(out);
    for (const line of body.split('\n')) expect(all).not.toContain(line.slice(20, 32));
    expect(texts(out, (d) => (d.delta as { text?: string } | undefined)?.text)).toBe(`Here is id_rsa:\n${fingerprint(pem)}\nDone.`);
    }
  });

  it('through the encoder: the trace bytes hold no piece of a key streamed in 2-character deltas', () => {
    const k = ANT();
    const recs: TraceRecord[] = [];
    const pieces = (`export KEY=${k} ok`.match(/.{1,2}/g) ?? []) as string[];
    pieces.forEach((p, i) => recs.push(rec('r9', i + 1, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }))));
    recs.push({ kind: 'http-end', t: 100, id: 'r9', outcome: 'complete', bytes: 1 });
    const bytes = writeTrace(run(recs), { compress: false, redact: true });
    const back = JSON.stringify(readTrace(bytes).records);
    const raw = new TextDecoder('latin1').decode(bytes);
    for (let i = 13; i + 6 <= k.length; i++) {
      expect(raw).not.toContain(k.slice(i, i + 6));
      expect(back).not.toContain(k.slice(i, i + 6));
    }
  });

  it('an event released whole is stored as the encoder would store it after scanning it again', () => {
    const k = ANT();
    const k2 = GH();
    const recs: TraceRecord[] = [rec('r5', 1, sse('message_start', { type: 'message_start', message: { id: 'm1', model: `claude ${k2}`, usage: { input_tokens: 3 } } }))];
    split(`plain words, then ${k} and more words after it`, 14).forEach((p, i) => recs.push(rec('r5', 2 + i, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }))));
    // a secret beside the delta, in a field of its own: that event must still be scanned whole
    recs.push(rec('r5', 40, sse('content_block_delta', { type: 'content_block_delta', index: 0, note: k2, delta: { type: 'text_delta', text: ' end' } })));
    recs.push({ kind: 'http-end', t: 50, id: 'r5', outcome: 'complete', bytes: 1 });
    const r = new StreamRedactor();
    const out: TraceRecord[] = [];
    for (const x of recs) out.push(...r.push(x, x.t));
    out.push(...r.flush());
    const whole = out.filter((x) => r.redacted(x));
    expect(whole.length).toBeGreaterThan(10);
    expect(whole.some((x) => JSON.stringify(x).includes('note'))).toBe(false);
    const encodeAll = (skip: boolean) => {
      const e = new TraceEncoder({ compress: false });
      const head = e.encodeHeader(readTrace(writeTrace([])).records[0] as never);
      // as the writer encodes them: not scanned again, their shape not taken again
      const body = e.frame(out.map((x) => e.encode(x, skip && r.redacted(x), skip ? r.shapeOf(x) : undefined)));
      const all = new Uint8Array(head.length + body.length);
      all.set(head);
      all.set(body, head.length);
      return all;
    };
    expect(whole.filter((x) => r.shapeOf(x)).length).toBeGreaterThan(0);
    const read = (bytes: Uint8Array) => readTrace(bytes);
    const fast = read(encodeAll(true));
    expect(fast.records).toEqual(read(encodeAll(false)).records);
    const back = JSON.stringify(fast.records);
    for (const key of [k, k2]) for (let i = 13; i + 8 <= key.length; i++) expect(back).not.toContain(key.slice(i, i + 8));
    expect(back).toContain(fingerprint(k));
    // after a secret's name, the fingerprint is the secret's own (scanned again, `KEY=[redacted:…` read
    // as a new secret, it became the fingerprint of a fingerprint)
    const named = new StreamRedactor();
    const got: TraceRecord[] = [];
    for (const [i, p] of split(`KEY=${k} ok`, 9).entries()) got.push(...named.push(rec('r6', i + 1, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } })), i + 1));
    got.push(...named.flush());
    const e = new TraceEncoder({ compress: false });
    const head = e.encodeHeader(readTrace(writeTrace([])).records[0] as never);
    const body = e.frame(got.map((x) => e.encode(x, named.redacted(x))));
    const all = new Uint8Array(head.length + body.length);
    all.set(head);
    all.set(body, head.length);
    expect(texts(readTrace(all).records, (d) => (d.delta as { text?: string }).text)).toBe(`KEY=${fingerprint(k)} ok`);
  });

  it('a quiet stream is released after a while; records without deltas pass at once', () => {
    const r = new StreamRedactor();
    expect(r.push(rec('q', 1, sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial-tok' } })), 1)).toEqual([]);
    expect(r.held).toBe(1);
    expect(r.push({ kind: 'marker', t: 2, label: 'x' }, 2)).toHaveLength(1);
    expect(r.release(2_000_000)).toHaveLength(1);
    expect(r.held).toBe(0);
  });
  it('a counter that changes on every event (Responses sequence_number) keeps events whole only where the rest holds no keyword', () => {
    const r = new StreamRedactor();
    const push = (t: number, data: unknown) => r.push(rec('r9', t, sse(String((data as { type: string }).type), data)), t);
    const out: TraceRecord[] = [];
    for (let k = 0; k < 40; k++) out.push(...push(k + 1, { type: 'response.output_text.delta', sequence_number: 1000 + k * 37, item_id: 'msg_1', output_index: 0, content_index: 0, delta: `word${k} ` }));
    out.push(...r.flush());
    expect(out).toHaveLength(40);
    // every event came back structured and redacted whole: its counter alone changed, so its rest was not scanned again
    expect(out.every((x) => r.redacted(x))).toBe(true);
    expect(texts(out, (d) => d.delta as string)).toBe(Array.from({ length: 40 }, (_, k) => `word${k} `).join(''));

    // beside a secret-looking name a number can be a secret (`"password":83716254` reads as one): the
    // fast path must not carry it, so that event is left to the record-wide redaction
    const q = new StreamRedactor();
    const got: TraceRecord[] = [];
    for (const [k, n] of [1, 2, 83_716_254].entries()) got.push(...q.push(rec('r8', k + 1, sse('x', { type: 'x', password: n, delta: `w${k} ` })), k + 1));
    got.push(...q.flush());
    expect(got.map((x) => q.redacted(x))).toEqual([true, true, false]);
  });
  it('padding that changes on every event (Responses obfuscation) is not scanned with the whole event again, unless the new string holds a keyword', () => {
    const token = GH();
    const pads = Array.from({ length: 30 }, (_, k) => (k === 20 ? token : rnd(4 + (k % 7))));
    const r = new StreamRedactor();
    const out: TraceRecord[] = [];
    pads.forEach((obfuscation, k) => out.push(...r.push(rec('r10', k + 1, sse('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: k, item_id: 'msg_1', output_index: 0, content_index: 0, delta: `word${k} `, obfuscation })), k + 1)));
    out.push(...r.flush());
    expect(out).toHaveLength(30);
    // the token's event goes to the record-wide redaction; the others come back whole
    expect(out.map((x) => r.redacted(x))).toEqual(pads.map((p) => p !== token));
    const e = new TraceEncoder({ compress: false });
    const head = e.encodeHeader(readTrace(writeTrace([])).records[0] as never);
    const body = e.frame(out.map((x) => e.encode(x, r.redacted(x), r.shapeOf(x))));
    const all = new Uint8Array(head.length + body.length);
    all.set(head);
    all.set(body, head.length);
    const back = JSON.stringify(readTrace(all).records);
    expect(back).not.toContain(token.slice(8, 20));
    expect(back).toContain(fingerprint(token));
    expect(texts(readTrace(all).records, (d) => d.delta as string)).toBe(pads.map((_, k) => `word${k} `).join(''));
  });
});
