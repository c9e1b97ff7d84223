// The live route of `lapse view`'s server: a trace being written is flagged on /trace.lapse and its
// bytes are pushed over /live to the page's own origin only; when the recorder closes it, `end`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readTrace } from '../../format/index.js';
import { TraceWriter } from '../../cli/trace/writer.js';
import { LIVE_HEADER, startViewServer } from '../../cli/view/server.js';
import { spawn } from 'node:child_process';
import { rawGet, requireBuilt, root } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lapse-live-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const init = { argv: ['agent'], cwd: '/w', harness: 'agent', upstreams: { anthropic: 'https://a', openai: 'https://o' }, redact: true };

function connect(port: number, headers: Record<string, string>, from = 0): Promise<{ status: 'open'; ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live?from=${from}`, { headers });
    ws.once('open', () => resolve({ status: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

describe('lapse view server, live', () => {
  it('flags a trace being written, pushes its bytes to its own page only, and says when it ended', async () => {
    requireBuilt();
    const path = join(dir, 'live.lapse');
    const w = TraceWriter.create(path, init, { flushMs: 5 });
    w.marker('one');
    await new Promise((r) => setTimeout(r, 50));
    const server = await startViewServer({ tracePath: path, viewerDir: join(root, 'dist/viewer') });
    try {
      const own = `127.0.0.1:${server.port}`;
      const head = await rawGet(server.port, '/trace.lapse', own);
      expect(head.headers[LIVE_HEADER]).toBe('1');
      // another origin, another Host, no Origin at all: refused
      expect(await connect(server.port, { origin: 'http://evil.example' })).toEqual({ status: 403 });
      expect(await connect(server.port, { origin: `http://${own}`, host: 'evil.example' })).toEqual({ status: 403 });
      expect(await connect(server.port, {})).toEqual({ status: 403 });
      const c = await connect(server.port, { origin: `http://${own}` }, head.body.length);
      expect(c.status).toBe('open');
      const ws = (c as { ws: WebSocket }).ws;
      const chunks: Buffer[] = [];
      let end: unknown = null;
      ws.on('message', (d: Buffer, binary: boolean) => (binary ? chunks.push(d) : (end = JSON.parse(String(d)))));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      w.marker('two');
      await w.close();
      await server.settle();
      expect(await closed).toBe(1000);
      expect(end).toMatchObject({ type: 'end', closed: true });
      // the bytes before and after: the whole (uncompacted) trace, every record of the compacted one
      const recs = readTrace(new Uint8Array(Buffer.concat([head.body, ...chunks]))).records;
      expect(recs.filter((r) => r.kind === 'marker').map((r) => (r as { label: string }).label)).toEqual(['one', 'two']);
      expect(recs).toEqual(readTrace(new Uint8Array(readFileSync(path))).records);
      // finished: no longer flagged
      expect((await rawGet(server.port, '/trace.lapse', own)).headers[LIVE_HEADER]).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('lapse record --view', () => {
  it('serves the trace being recorded from the start, flagged live, and stops with the recording', async () => {
    requireBuilt();
    const trace = join(dir, 'rec.lapse');
    const child = spawn(process.execPath, [join(root, 'bin/lapse.js'), 'record', '--view', '-o', trace, '--no-watch', '--', process.execPath, '-e', 'setTimeout(() => {}, 3000)'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      // no browser to open here: the hint about it is all that happens
      env: { ...process.env, PATH: '/nonexistent', DISPLAY: '' },
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    for (let i = 0; i < 200 && !/live view: http/.test(err); i++) await new Promise((r) => setTimeout(r, 25));
    const url = /live view: (http:\/\/\S+)/.exec(err)?.[1];
    expect(url, err).toBeDefined();
    const port = Number(new URL(url!).port);
    const page = await rawGet(port, '/', `127.0.0.1:${port}`);
    expect(page.status).toBe(200);
    const head = await rawGet(port, '/trace.lapse', `127.0.0.1:${port}`);
    expect(head.headers[LIVE_HEADER]).toBe('1');
    expect(await exited).toBe(0);
    await expect(rawGet(port, '/', `127.0.0.1:${port}`)).rejects.toThrow();
  });
});
