import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toHar, type Har, type HarEntry } from '../../cli/export/har.js';
import { formatSse } from '../../format/sse.js';
import type { TraceRecord } from '../../format/types.js';
import { lapse, near, sessionOnDisk, statsOf, tempDir, type StatsJson } from './helpers.js';
import { sessionRecords, STARTED_AT } from '../factory/mixed-session.js';
import { validateHar } from './validate-har.js';

const tmp = tempDir();
let path: string;
let har: Har;
let stats: StatsJson;

beforeAll(async () => {
  const s = sessionOnDisk(tmp.dir);
  path = s.path;
  har = toHar(s.input);
  stats = await statsOf(path);
});
afterAll(() => tmp.cleanup());

function entry(pred: (e: HarEntry) => boolean): HarEntry {
  const e = har.log.entries.find(pred);
  if (!e) throw new Error('no such entry');
  return e;
}
const byLapseId = (id: string) => (e: HarEntry) => e._lapse?.id === id;

describe('HAR export', () => {
  it('is valid HAR 1.2, every exchange of the trace in start order', () => {
    expect(validateHar(har)).toEqual([]);
    expect(har.log.version).toBe('1.2');
    // h0 (GET /v1/models), r1, r2, r3a, r3 and the WebSocket
    expect(har.log.entries.map((e) => e.request.method + ' ' + e.request.url)).toEqual([
      'GET https://api.anthropic.com/v1/models?limit=5',
      'POST https://api.anthropic.com/v1/messages?beta=true',
      'POST https://api.anthropic.com/v1/messages?beta=true',
      'POST https://api.anthropic.com/v1/messages?beta=true',
      'POST https://api.anthropic.com/v1/messages?beta=true',
      'GET wss://api.openai.com/v1/responses',
    ]);
    const starts = har.log.entries.map((e) => Date.parse(e.startedDateTime));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(har.log.pages[0].startedDateTime).toBe(new Date(STARTED_AT).toISOString());
  });

  it('timings agree with lapse stats: wait = first byte − start, receive = end − first byte', () => {
    const model = stats.requests.filter((r) => r.id.startsWith('r'));
    expect(model.length).toBe(4);
    for (const r of model) {
      const e = entry(byLapseId(r.id));
      expect(near(e.timings.wait, r.firstByteMs! - r.startMs)).toBe(true);
      expect(near(e.timings.receive, r.endMs - r.firstByteMs!)).toBe(true);
      expect(near(e.time, r.endMs - r.startMs)).toBe(true);
      expect(Date.parse(e.startedDateTime)).toBe(STARTED_AT + Math.round(r.startMs));
      expect(e._lapse).toMatchObject({ ttftMs: r.ttftMs, inputTokens: r.inputTokens, outputTokens: r.outputTokens, stopReason: r.stopReason, critical: r.critical });
    }
    expect(entry(byLapseId('r1')).timings).toMatchObject({ send: 0, wait: 300, receive: 820 });
  });

  it('rebuilds request and response bodies exactly, with secrets redacted', () => {
    const original = sessionRecords();
    const req1 = original.find((r): r is Extract<TraceRecord, { kind: 'http-request' }> => r.kind === 'http-request' && r.id === 'r1')!;
    const e = entry(byLapseId('r1'));
    expect(e.request.postData?.text).toBe(new TextDecoder().decode((req1.body as { bytes: Uint8Array }).bytes));
    expect(e.request.postData?.mimeType).toBe('application/json');
    expect(e.request.bodySize).toBe((req1.body as { bytes: Uint8Array }).bytes.length);
    const sse = original.filter((r) => r.kind === 'http-data' && r.id === 'r1').map((r) => formatSse((r as { sse: Parameters<typeof formatSse>[0] }).sse));
    expect(e.response.content.text).toBe(sse.join(''));
    expect(e.response.content.mimeType).toBe('text/event-stream');
    expect(e.response.content.size).toBe(Buffer.byteLength(sse.join('')));
    const key = e.request.headers.find((h) => h.name === 'x-api-key');
    expect(key?.value).not.toMatch(/sk-ant/);
    expect(JSON.stringify(har)).not.toMatch(/sk-ant-api03/);
    // A plain JSON answer and an error body come through as text.
    expect(JSON.parse(entry(byLapseId('r2')).response.content.text!)).toMatchObject({ model: 'claude-haiku-4-5-20251001' });
    const err = entry(byLapseId('r3a'));
    expect(err.response.status).toBe(529);
    expect(err.response.content.text).toContain('overloaded_error');
  });

  it('lists SSE events with their arrival times as _sseEvents', () => {
    const e = entry(byLapseId('r1'));
    const events = e._sseEvents!;
    expect(events.length).toBe(sessionRecords().filter((r) => r.kind === 'http-data' && r.id === 'r1').length);
    expect(events[0]).toMatchObject({ event: 'message_start' });
    expect(JSON.parse(events[0].data)).toMatchObject({ message: { id: 'msg_01' } });
    const firstDelta = events.find((x) => x.event === 'content_block_delta')!;
    expect(firstDelta.time * 1000 - STARTED_AT).toBeCloseTo(900, 3);
    // Times never go backwards and stay inside the exchange.
    for (let i = 1; i < events.length; i++) expect(events[i].time).toBeGreaterThanOrEqual(events[i - 1].time);
    expect(entry(byLapseId('r2'))._sseEvents).toBeUndefined();
  });

  it('puts WebSocket frames in Chrome\'s _webSocketMessages form, binary as base64', () => {
    const e = entry((x) => x._resourceType === 'websocket');
    expect(e.response.status).toBe(101);
    const msgs = e._webSocketMessages!;
    expect(msgs.length).toBe(sessionRecords().filter((r) => r.kind === 'ws-message').length);
    expect(msgs.filter((m) => m.type === 'send').length).toBe(2);
    expect(msgs[0]).toMatchObject({ type: 'send', opcode: 1 });
    expect(JSON.parse(msgs[0].data)).toMatchObject({ type: 'response.create', model: 'gpt-5-codex' });
    expect(msgs[0].time * 1000 - STARTED_AT).toBeCloseTo(8010, 3);
    const bin = msgs.find((m) => m.opcode === 2)!;
    expect(bin).toMatchObject({ type: 'receive', data: Buffer.from([0, 255, 128, 7]).toString('base64') });
    expect(e._lapse).toMatchObject({ responses: [{ id: 'w1#1' }, { id: 'w1#2' }] });
    expect(near(e.time, 11000 - 8000)).toBe(true);
  });

  it('carries a binary response body as base64 and a dropped one as a comment', () => {
    const recs: TraceRecord[] = [
      { kind: 'http-request', t: 1000, id: 'b1', method: 'GET', url: '/v1/files/x/content', upstream: 'https://api.openai.com/v1', headers: {}, body: { enc: 'bytes', bytes: new Uint8Array(0) } },
      { kind: 'http-response', t: 2000, id: 'b1', status: 200, statusText: 'OK', headers: { 'content-type': 'application/octet-stream' }, decoded: false },
      { kind: 'http-data', t: 3000, id: 'b1', chunk: { enc: 'bytes', bytes: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) } },
      { kind: 'http-end', t: 4000, id: 'b1', outcome: 'complete', bytes: 4 },
      { kind: 'http-request', t: 5000, id: 'd1', method: 'GET', url: '/v1/models', upstream: 'https://api.openai.com/v1', headers: {}, body: { enc: 'bytes', bytes: new Uint8Array(0) } },
      { kind: 'http-response', t: 6000, id: 'd1', status: 200, statusText: 'OK', headers: {}, decoded: false },
      { kind: 'http-data', t: 7000, id: 'd1', chunk: { enc: 'dropped', length: 999 } },
      { kind: 'http-end', t: 8000, id: 'd1', outcome: 'aborted', message: 'client went away', bytes: 999 },
    ];
    const sub = tempDir();
    try {
      const s = sessionOnDisk(sub.dir, recs);
      const h = toHar(s.input);
      expect(validateHar(h)).toEqual([]);
      const [bin, dropped] = h.log.entries;
      expect(bin.request.url).toBe('https://api.openai.com/v1/files/x/content');
      expect(bin.response.content).toMatchObject({ encoding: 'base64', text: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64'), size: 4 });
      expect(dropped.response.content.comment).toMatch(/999 bytes/);
      expect(dropped.response._error).toMatch(/aborted: client went away/);
    } finally {
      sub.cleanup();
    }
  });

  it('lapse export --format har -o writes the same HAR to a 0600 file', async () => {
    const out = join(tmp.dir, 'out.har');
    const r = await lapse(['export', path, '--format', 'har', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/wrote har export .* to /);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const fromCli = JSON.parse(readFileSync(out, 'utf8')) as Har;
    expect(validateHar(fromCli)).toEqual([]);
    expect(fromCli.log.entries.map((e) => [e.startedDateTime, e.time, e.response.content.size])).toEqual(har.log.entries.map((e) => [e.startedDateTime, e.time, e.response.content.size]));
  });
});
