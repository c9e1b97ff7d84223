// Faults of lapse itself: `lapse record` killed with SIGKILL mid-session, the disk filling up under the
// trace, and a trace path that cannot be written. The harness is a small node script that talks to a
// scripted upstream through `lapse record`, run as users run it (`node bin/lapse.js`, compiled dist/).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, write as realWrite } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { readTrace, formatSse } from '../../format/index.js';
import { loadTrace } from '../../cli/trace/load.js';
import { TraceWriter } from '../../cli/trace/writer.js';
import { GuardedSink } from '../../cli/record/sink.js';
import { memoryLog } from '../../cli/record/log.js';
import { startProxy } from '../../cli/record/proxy-server.js';
import { anthropicEvents, cliEnv, isOneLineError, LAPSE, ofKind, removeTmpDirs, runCli, sleep, sse, startUpstream, tmpDir } from './helpers.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

/** A harness: streams one long response, printing each event's index on stdout as it sees it. */
const STREAMING_HARNESS = `
const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-killkillkillkillkill' }, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] }) });
console.log('pid ' + process.pid);
const dec = new TextDecoder();
let buf = '';
for await (const chunk of res.body) {
  buf += dec.decode(chunk, { stream: true });
  let i;
  while ((i = buf.indexOf('\\n\\n')) !== -1) {
    const ev = buf.slice(0, i);
    buf = buf.slice(i + 2);
    const m = /"i":(\\d+)/.exec(ev);
    if (m) console.log('seen ' + m[1]);
  }
}
`;

/** A harness: N requests with large incompressible bodies, checking every answer; prints a verdict. */
const BULK_HARNESS = `
import { randomBytes } from 'node:crypto';
let ok = 0;
for (let i = 0; i < Number(process.env.N); i++) {
  const body = JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'request ' + i + ' ' + randomBytes(48 * 1024).toString('base64') }] });
  const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = await res.json();
  if (json.content[0].text === 'answer ' + i) ok++;
  await new Promise((r) => setTimeout(r, Number(process.env.GAP ?? 0)));
}
console.log('harness: ' + ok + ' of ' + process.env.N + ' answers correct');
`;

function harness(dir: string, name: string, source: string): string {
  const p = join(dir, name);
  writeFileSync(p, source);
  return p;
}

describe('recorder faults', () => {
  it('kill -9 of lapse record mid-session: the trace reads back up to the last records written before the kill', async () => {
    const up = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5000 && !res.destroyed; i++) {
        res.write(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `token ${i} ` }, i }));
        await sleep(10);
      }
      res.end();
    });
    cleanup.push(() => up.close());
    const dir = tmpDir();
    const trace = join(dir, 'killed.lapse');
    const script = harness(dir, 'stream.mjs', STREAMING_HARNESS);
    const child = spawn(process.execPath, [LAPSE, 'record', '-o', trace, '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let harnessPid = 0;
    cleanup.push(() => {
      if (harnessPid) {
        try {
          process.kill(harnessPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    const seen = () => [...out.matchAll(/seen (\d+)/g)].map((m) => Number(m[1]));
    for (let i = 0; i < 500 && seen().length < 60; i++) await sleep(20);
    harnessPid = Number(/pid (\d+)/.exec(out)?.[1] ?? 0);
    expect(seen().length).toBeGreaterThanOrEqual(60);
    // What the harness had seen 1 s before the kill is past the writer's batching (≤ ~100 ms, plus a
    // low-priority writer thread on a loaded machine): it must be on disk.
    const settled = Math.max(...seen());
    await sleep(1000);
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.kill('SIGKILL');
    await exited;
    const atKill = Math.max(...seen());

    const bytes = new Uint8Array(readFileSync(trace));
    const read = readTrace(bytes);
    const events = ofKind(read.records, 'http-data').map((d) => Number(/"i":(\d+)/.exec(formatSse(d.sse!))?.[1]));
    expect(ofKind(read.records, 'session')).toHaveLength(1);
    expect(ofKind(read.records, 'http-request')).toHaveLength(1);
    expect(ofKind(read.records, 'http-response')).toHaveLength(1);
    // every event in order, none missing, none after what the harness got
    expect(events).toEqual(events.map((_, k) => k));
    expect(events.length - 1).toBeGreaterThanOrEqual(settled);
    expect(events.length - 1).toBeLessThanOrEqual(atKill + 5);
    // The exchange never ended: no http-end, no process-exit; and wherever the kill fell (inside a
    // frame, or between two), the trace says it is truncated (the header's open flag was never cleared).
    expect(read.truncated).toBe(true);
    expect(ofKind(read.records, 'http-end')).toHaveLength(0);
    expect(ofKind(read.records, 'process-exit')).toHaveLength(0);
    const cut = readTrace(bytes.subarray(0, bytes.length - 3));
    expect(cut.truncated).toBe(true);
    console.log(`kill -9: ${events.length} events on disk (harness had seen ${atKill + 1}; ${settled + 1} 1 s before); truncated flag ${read.truncated}`);
    // and the read commands take it
    const stats = await runCli(['stats', trace, '--json']);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).requests).toHaveLength(1);
  }, 60_000);

  it('disk full (simulated ENOSPC in the trace writer): the harness is served as usual, lapse warns once, the trace keeps what fitted', async () => {
    let n = 0;
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(anthropicEvents([`answer ${n++}`]).join(''));
    });
    cleanup.push(() => up.close());
    const dir = tmpDir();
    const path = join(dir, 'full.lapse');
    const DISK = 16 * 1024; // the "disk" takes this many bytes, then says ENOSPC
    let used = 0;
    const full: typeof realWrite = ((fd: number, buf: Uint8Array, off: number, len: number, pos: number | null, cb: (err: NodeJS.ErrnoException | null, n: number, b: Uint8Array) => void) => {
      const room = DISK - used;
      if (room <= 0) {
        const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return void setImmediate(() => cb(err, 0, buf));
      }
      const take = Math.min(room, len);
      used += take;
      // a partial write, as a filling disk gives
      realWrite(fd, buf, off, take, pos, cb);
    }) as unknown as typeof realWrite;
    const warnings: string[] = [];
    const writer = TraceWriter.create(path, { argv: ['test'], cwd: dir, harness: 'test', upstreams: { anthropic: up.url, openai: up.url }, redact: true }, { writeImpl: full, onWarn: (m) => warnings.push(m), flushMs: 5 });
    used = statSync(path).size; // the file is created with its header and session frame in it: on the disk already
    const log = memoryLog();
    const proxy = await startProxy({ sink: new GuardedSink(writer, log), upstreams: { anthropic: up.url, openai: `${up.url}/v1` }, log });
    const client = new Anthropic({ baseURL: proxy.anthropicBaseUrl, apiKey: 'sk-ant-api03-fullfullfullfullfull', maxRetries: 0 });
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) {
      const big = `request ${i} ${Buffer.from(Array.from({ length: 3000 }, () => Math.floor(Math.random() * 256))).toString('base64')}`;
      answers.push(await client.messages.stream({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: big }] }).finalText());
      await sleep(10);
    }
    await proxy.close();
    await writer.close();
    expect(answers).toEqual(Array.from({ length: 30 }, (_, i) => `answer ${i}`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ENOSPC/);
    expect(writer.degraded).toMatch(/ENOSPC/);
    const read = loadTrace(path);
    expect(read.bytes).toBe(DISK);
    expect(read.truncated).toBe(true); // the last write was cut by the full disk
    const reqs = ofKind(read.records, 'http-request');
    expect(reqs.length).toBeGreaterThan(0);
    expect(reqs.length).toBeLessThan(30);
  });

  // Requests 400 ms apart, so that they land in separate frames (the writer batches ~50 ms into one
  // frame, its low-priority thread can lag a few hundred ms on a loaded machine, and a frame the disk
  // cannot take is lost whole).
  it('disk full for real (a 256 KiB tmpfs under lapse record): the harness finishes, exit code kept, one warning, the trace reads back', async (ctx) => {
    const mnt = tmpDir('lapse-tmpfs-');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) {
      console.log(`skipped: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()}); the simulated ENOSPC case covers the writer`);
      ctx.skip();
      return;
    }
    cleanup.push(() => void spawnSync('umount', [mnt]));
    let n = 0;
    const up = await startUpstream((req, res, body) => {
      const i = Number(/request (\d+)/.exec(body.toString())?.[1]);
      n++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }));
    });
    cleanup.push(() => up.close());
    const dir = tmpDir();
    const script = harness(dir, 'bulk.mjs', BULK_HARNESS);
    const trace = join(mnt, 'session.lapse');
    const r = await runCli(['record', '-o', trace, '--no-watch', '--anthropic-upstream', up.url, '--', process.execPath, script], { env: cliEnv({ N: '12', GAP: '400' }), timeoutMs: 60_000 });
    expect(r.stdout).toContain('harness: 12 of 12 answers correct');
    expect(r.code).toBe(0);
    expect(n).toBe(12);
    const warnings = r.stderr.split('\n').filter((l) => /warning/.test(l));
    expect(warnings.some((w) => /ENOSPC/.test(w))).toBe(true);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    // every request was answered: requests whose end did not fit on the disk are not "aborted"
    expect(r.stderr).not.toMatch(/aborted or failed/);
    const read = loadTrace(trace);
    expect(ofKind(read.records, 'session')).toHaveLength(1);
    expect(ofKind(read.records, 'http-request').length).toBeGreaterThan(0);
    expect(ofKind(read.records, 'http-request').length).toBeLessThan(12);
    const stats = await runCli(['stats', trace, '--json']);
    expect(stats.code).toBe(0);
    console.log(`tmpfs full: ${ofKind(read.records, 'http-request').length} of 12 requests on disk, truncated ${read.truncated}; stderr: ${warnings.join(' / ')}`);
  }, 90_000);

  it('a trace path that cannot be written: refused before the harness starts, exit 2, one line', async () => {
    const dir = tmpDir();
    const marker = join(dir, 'harness-ran');
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, 'x');
    mkdirSync(join(dir, 'a-dir'));
    const bad = [join(dir, 'missing', 'x.lapse'), join(aFile, 'x.lapse'), join(dir, 'a-dir')];
    for (const path of bad) {
      const r = await runCli(['record', '-o', path, '--no-watch', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`]);
      expect({ path, code: r.code, oneLine: isOneLineError(r.stderr) }).toEqual({ path, code: 2, oneLine: true });
      expect(r.stderr).toMatch(/cannot write trace/);
      expect(existsSync(marker)).toBe(false);
      const p = await runCli(['proxy', '-o', path]);
      expect({ path, code: p.code, oneLine: isOneLineError(p.stderr) }).toEqual({ path, code: 2, oneLine: true });
    }
  }, 60_000);
});

// kill -9 at 24 points from start-up to the end of the close: in slices of their own tests (one test
// running past a minute ends a loaded run in vitest's "Timeout calling onTaskUpdate").
describe('kill -9 at any point of a session, from start-up to the end of the trace\'s compaction', () => {
  const STEPS = 24;
  const SLICES = 4;
  const outcomes = { none: 0, cut: 0, whole: 0 };
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let base = '';
  let script = '';
  let fullMs = 0;
  let kinds: string[] = [];

  /** One `lapse record` of the three requests, killed with SIGKILL after `killAfterMs` (never, when null). */
  const once = async (k: number, killAfterMs: number | null) => {
    const dir = join(base, `run${k}`);
    mkdirSync(dir);
    const t0 = performance.now();
    const child = spawn(process.execPath, [LAPSE, 'record', '-o', join(dir, 'run.lapse'), '--no-watch', '--quiet', '--anthropic-upstream', up.url, '--', process.execPath, script], { env: cliEnv(), stdio: 'ignore' });
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    if (killAfterMs !== null) {
      await sleep(killAfterMs);
      child.kill('SIGKILL');
    }
    await closed;
    return { dir, ms: performance.now() - t0 };
  };

  beforeAll(async () => {
    up = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 1, output_tokens: 1 } }));
    });
    base = tmpDir();
    script = harness(base, 'three.mjs', `
for (let i = 0; i < 3; i++) {
  const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'request ' + i + ' ' + 'x'.repeat(20000) }] }) });
  await res.json();
  await new Promise((r) => setTimeout(r, 40));
}
`);
    const full = await once(0, null);
    fullMs = full.ms;
    const complete = readTrace(new Uint8Array(readFileSync(join(full.dir, 'run.lapse'))));
    expect(complete.truncated).toBe(false);
    kinds = complete.records.map((r) => r.kind);
  }, 60_000);
  afterAll(() => up?.close());

  for (let slice = 0; slice < SLICES; slice++) {
    const from = 1 + (slice * STEPS) / SLICES;
    const to = ((slice + 1) * STEPS) / SLICES;
    it(`kill points ${from}–${to} of ${STEPS}: never an empty or unreadable trace; a cut one says so, an uncut one is whole`, async () => {
      for (let k = from; k <= to; k++) {
        const { dir } = await once(k, (fullMs * 1.15 * k) / STEPS);
        const traces = readdirSync(dir).filter((f) => f.endsWith('.lapse'));
        expect(traces.length).toBeLessThanOrEqual(1);
        if (!traces.length) {
          outcomes.none++;
          continue;
        }
        const bytes = new Uint8Array(readFileSync(join(dir, traces[0])));
        // never an empty file or a header alone: the file appears with its session frame in it
        expect(bytes.length, `run ${k}`).toBeGreaterThan(17);
        const read = readTrace(bytes);
        expect(read.records[0]?.kind).toBe('session');
        if (read.truncated) {
          outcomes.cut++;
          // every record up to the cut, of the kinds the complete run has
          const got = read.records.map((r) => r.kind);
          expect(got.every((kind) => kinds.includes(kind))).toBe(true);
          expect(got.length).toBeLessThanOrEqual(kinds.length);
        } else {
          // not cut: then whole (the kill came after the clean close)
          outcomes.whole++;
          expect(read.records.filter((r) => r.kind === 'http-end')).toHaveLength(3);
          expect(read.records.some((r) => r.kind === 'process-exit')).toBe(true);
        }
      }
    }, 90_000);
  }

  it('the kill points covered cut traces', () => {
    console.log(`kill -9 at ${STEPS} points over ${Math.round(fullMs)} ms: ${JSON.stringify(outcomes)}`);
    expect(outcomes.none + outcomes.cut + outcomes.whole).toBe(STEPS);
    expect(outcomes.cut).toBeGreaterThan(0);
  });
});
