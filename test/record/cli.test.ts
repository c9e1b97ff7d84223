// `lapse proxy`, `lapse record` and `lapse ls` run as users run them: `node bin/lapse.js` on the
// compiled dist/ (`npx tsc -p .` first), against scripted upstreams in this process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { WebSocketServer } from 'ws';
import { loadTrace } from '../../cli/trace/load.js';
import type { FileChangeRecord, HttpDataRecord, HttpEndRecord, ProcessExitRecord, TraceRecord } from '../../format/types.js';
import { AckChannel, anthropicToolStream, closeWss, responsesEvents, sse, startUpstream, type Upstream } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAPSE = join(ROOT, 'bin/lapse.js');
const FIX = join(import.meta.dirname, 'fixtures');

const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const baseEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LAPSE_HOME: tmp('lapse-home-'), ...extra });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lapse(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean; onStdout?: (all: string, child: ChildProcess) => void } = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [LAPSE, ...args], { env: opts.env ?? baseEnv(), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr })));
  return { child, done };
}

/** One scripted upstream for both vendors: streamed Anthropic messages and Responses, with acks. */
async function scriptedModel(): Promise<Upstream & { wss: WebSocketServer }> {
  let acks: Record<string, AckChannel> = {};
  const up = await startUpstream(async (req, res, _body, write) => {
    const url = req.url ?? '';
    const ack = /^\/ack\/(\w+)\/(\d+)$/.exec(url);
    if (ack) {
      acks[ack[1]]?.signal(Number(ack[2]));
      return void res.end('ok');
    }
    const name = url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    const channel = (acks[name] = new AckChannel());
    const events = name === 'anthropic' ? anthropicToolStream() : responsesEvents().map((e) => sse((e as { type: string }).type, e));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (let i = 0; i < events.length; i++) {
      write(events[i]);
      await channel.wait(i); // the client (in another process, behind lapse) has seen event i
    }
    res.end();
  });
  const wss = new WebSocketServer({ server: up.server, path: '/v1/responses', perMessageDeflate: true });
  wss.on('connection', (sock) => {
    sock.on('message', () => {
      for (const ev of responsesEvents()) sock.send(JSON.stringify(ev));
    });
  });
  acks = {};
  return Object.assign(up, { wss });
}

let model: Awaited<ReturnType<typeof scriptedModel>>;
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/cli/record/session.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` before these tests');
  model = await scriptedModel();
});
afterAll(async () => {
  await closeWss(model.wss);
  await model.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
let kill: ChildProcess[] = [];
afterEach(() => {
  for (const c of kill) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  kill = [];
});

const kinds = (recs: TraceRecord[], kind: TraceRecord['kind']) => recs.filter((r) => r.kind === kind);

describe('lapse proxy', () => {
  it('prints the base URLs, relays SDK traffic over HTTP and WebSocket, and finishes the trace on SIGINT', async () => {
    const trace = join(tmp('lapse-proxy-'), 'p.lapse');
    let urls: Record<string, string> | null = null;
    let gotUrls: () => void = () => undefined;
    const ready = new Promise<void>((r) => (gotUrls = r));
    const { child, done } = lapse(['proxy', '-o', trace, '--anthropic-upstream', model.url, '--openai-upstream', `${model.url}/v1`], {
      onStdout: (all) => {
        if (urls || !all.includes('codex:')) return;
        urls = Object.fromEntries(all.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
        gotUrls();
      },
    });
    kill.push(child);
    await ready;
    const u = urls as unknown as Record<string, string>;
    expect(u.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(u.OPENAI_BASE_URL).toBe(`${u.ANTHROPIC_BASE_URL}/v1`);

    // a harness in another process, through the proxy process
    const harness = spawn(process.execPath, [join(FIX, 'sdk-client.mjs'), '0'], {
      cwd: tmp('lapse-proxy-ws-'),
      env: { PATH: process.env.PATH, ANTHROPIC_BASE_URL: u.ANTHROPIC_BASE_URL, OPENAI_BASE_URL: u.OPENAI_BASE_URL, ACK_URL: `${model.url}/ack` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    harness.stdout!.on('data', (d: Buffer) => (out += d));
    expect(await new Promise((r) => harness.on('close', r))).toBe(0);
    expect(out).toBe(`harness stdout: ${anthropicToolStream().length} anthropic events, ${responsesEvents().length} openai events\n`);

    // and the Responses WebSocket mode from this process
    const ws = new ResponsesWS(new OpenAI({ baseURL: u.OPENAI_BASE_URL, apiKey: 'sk-proj-wswswswswswswsws', maxRetries: 0 }));
    const types: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('event', (ev: { type: string }) => {
        types.push(ev.type);
        if (ev.type === 'response.completed') resolve();
      });
      ws.send({ type: 'response.create', model: 'gpt-test', input: 'hi' } as never);
    });
    ws.close({ code: 1000, reason: 'bye' });
    await new Promise((r) => setTimeout(r, 100));

    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`trace: ${trace}`);
    const t = loadTrace(trace);
    expect(t.truncated).toBe(false);
    const ends = kinds(t.records, 'http-end') as HttpEndRecord[];
    expect(ends.map((e) => e.outcome), JSON.stringify(t.records.filter((r) => r.kind === 'http-request' || r.kind === 'http-end').map((r) => [r.kind, r.t, (r as { url?: string }).url, (r as { message?: string }).message]))).toEqual(['complete', 'complete']);
    expect(kinds(t.records, 'http-data')).toHaveLength(anthropicToolStream().length + responsesEvents().length);
    expect(kinds(t.records, 'ws-message')).toHaveLength(1 + responsesEvents().length);
    expect(kinds(t.records, 'ws-close')[0]).toMatchObject({ code: 1000, reason: 'bye', by: 'client' });
    const all = JSON.stringify(t.records, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString() : v));
    expect(all).not.toContain('cliclicli'); // keys are redacted before the trace touches the disk
  });
});

describe('lapse record', () => {
  it('runs the harness on its own stdout, records its requests and file changes, and passes its exit code through', async () => {
    const work = tmp('lapse-rec-ws-');
    writeFileSync(join(work, 'notes.txt'), 'first line\n');
    writeFileSync(join(work, '.gitignore'), 'ignored/\n');
    const trace = join(tmp('lapse-rec-'), 'r.lapse');
    const { done } = lapse(['record', '-o', trace, '--anthropic-upstream', model.url, '--openai-upstream', `${model.url}/v1`, '--', process.execPath, join(FIX, 'sdk-client.mjs'), '7'], {
      cwd: work,
      env: baseEnv({ ACK_URL: `${model.url}/ack`, WS_TOO: '1' }),
    });
    const res = await done;
    expect(res.code).toBe(7);
    // stdout is the harness's alone; lapse speaks on stderr
    const n = responsesEvents().length;
    expect(res.stdout).toBe(`harness stdout: ${anthropicToolStream().length} anthropic events, ${n} openai events, ${n} websocket events\n`);
    expect(res.stderr).toMatch(/^lapse: recording sdk-client through http:\/\/127\.0\.0\.1:\d+ → /);
    expect(res.stderr).toMatch(/recorded .*: 3 model requests/);
    expect(res.stderr).toContain(`lapse: trace: ${trace}\n`);

    const t = loadTrace(trace);
    const start = kinds(t.records, 'process-start')[0];
    expect(start).toMatchObject({ argv: [process.execPath, join(FIX, 'sdk-client.mjs'), '7'] });
    expect(kinds(t.records, 'process-exit')[0]).toMatchObject({ code: 7, signal: null });
    const data = kinds(t.records, 'http-data') as HttpDataRecord[];
    expect(data.map((d) => (d.sse as { text?: string }).text ?? '').slice(0, anthropicToolStream().length).length).toBe(anthropicToolStream().length);
    expect(kinds(t.records, 'ws-message').map((m) => (m as { dir: string }).dir)).toEqual(['up', ...responsesEvents().map(() => 'down')]);
    expect(kinds(t.records, 'ws-close')[0]).toMatchObject({ code: 1000, by: 'client' });
    const files = kinds(t.records, 'file') as FileChangeRecord[];
    const notes = files.find((f) => f.path === 'notes.txt');
    expect(notes).toMatchObject({ op: 'modify' });
    expect(notes!.diff).toBe('--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1,2 @@\n first line\n+stop_reason=tool_use\n');
    expect(files.find((f) => f.path === 'created.txt')).toMatchObject({ op: 'create', diff: '--- /dev/null\n+++ b/created.txt\n@@ -0,0 +1 @@\n+made by the harness\n' });
    // the exit comes after the last file change and request
    const exit = kinds(t.records, 'process-exit')[0] as ProcessExitRecord;
    for (const f of files) expect(f.t).toBeLessThanOrEqual(exit.t + 200_000);
  });

  it('is silent with --quiet, and lists the trace in `lapse ls`', async () => {
    const env = baseEnv({ ACK_URL: `${model.url}/ack` });
    const { done } = lapse(['record', '--quiet', '--no-watch', '--anthropic-upstream', model.url, '--openai-upstream', `${model.url}/v1`, '--', process.execPath, join(FIX, 'sdk-client.mjs')], {
      cwd: tmp('lapse-quiet-'),
      env,
    });
    const res = await done;
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const ls = await lapse(['ls', '--json'], { env }).done;
    const rows = JSON.parse(ls.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ harness: 'sdk-client', requests: 2, truncated: false });
    expect(rows[0].path.startsWith(env.LAPSE_HOME!)).toBe(true);
    const table = await lapse(['ls'], { env }).done;
    expect(table.stdout.split('\n')[0]).toMatch(/^started\s+duration\s+requests\s+size\s+path$/);
    expect(table.stdout).toContain(rows[0].path);
  });

  it('lets the terminal’s SIGINT reach the harness, survives it, and exits with the harness’s code', async () => {
    const mark = join(tmp('lapse-sig-'), 'got');
    const trace = join(tmp('lapse-sig-'), 's.lapse');
    // detached: its own process group, as a terminal's foreground job is; the group gets the SIGINT
    const { child, done } = lapse(['record', '--no-watch', '-o', trace, '--', process.execPath, join(FIX, 'signals.mjs'), 'handle', mark], {
      detached: true,
      onStdout: (all, c) => {
        if (all === 'ready\n') process.kill(-c.pid!, 'SIGINT');
      },
    });
    kill.push(child);
    const res = await done;
    expect(res.code).toBe(42);
    expect(readFileSync(mark, 'utf8')).toBe('SIGINT');
    const t = loadTrace(trace);
    expect(kinds(t.records, 'process-exit')[0]).toMatchObject({ code: 42 });
    expect(kinds(t.records, 'marker')[0]).toMatchObject({ label: 'lapse received SIGINT' });
  });

  it('exits 128+signal when the harness dies of a signal; forwards SIGTERM sent to lapse alone', async () => {
    const dieInt = lapse(['record', '--no-watch', '-o', join(tmp('l-'), 'a.lapse'), '--', process.execPath, join(FIX, 'signals.mjs'), 'die'], {
      detached: true,
      onStdout: (all, c) => {
        if (all === 'ready\n') process.kill(-c.pid!, 'SIGINT');
      },
    });
    const selfKill = lapse(['record', '--no-watch', '-o', join(tmp('l-'), 'b.lapse'), '--', process.execPath, join(FIX, 'signals.mjs'), 'self-kill']);
    const mark = join(tmp('lapse-term-'), 'got');
    const term = lapse(['record', '--no-watch', '-o', join(tmp('l-'), 'c.lapse'), '--', process.execPath, join(FIX, 'signals.mjs'), 'handle', mark], {
      onStdout: (all, c) => {
        if (all === 'ready\n') c.kill('SIGTERM'); // lapse only, not its group
      },
    });
    kill.push(dieInt.child, selfKill.child, term.child);
    expect((await dieInt.done).code).toBe(130);
    expect((await selfKill.done).code).toBe(143);
    expect((await term.done).code).toBe(21);
    expect(readFileSync(mark, 'utf8')).toBe('SIGTERM');
  });

  it('says in one line when the command cannot be run (127, as a shell would)', async () => {
    const res = await lapse(['record', '--no-watch', '--', 'no-such-harness-xyz']).done;
    expect(res.code).toBe(127);
    expect(res.stderr.trim().split('\n').at(-1)).toBe('lapse: cannot run no-such-harness-xyz: command not found');
  });

  it('gives codex its -c openai_base_url right after its name', async () => {
    const bin = tmp('lapse-bin-');
    const codex = join(bin, 'codex');
    copyFileSync(join(FIX, 'fake-codex.mjs'), codex);
    chmodSync(codex, 0o755);
    const res = await lapse(['record', '--no-watch', '-o', join(bin, 'x.lapse'), '--', codex, 'exec', 'fix it'], { env: baseEnv({ PATH: `${bin}:${process.env.PATH}` }) }).done;
    expect(res.code).toBe(0);
    const seen = JSON.parse(res.stdout);
    expect(seen.argv).toEqual(['-c', `openai_base_url="${seen.openai}"`, 'exec', 'fix it']);
    expect(seen.openai).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(seen.anthropic).toBe(seen.openai.replace(/\/v1$/, ''));
  });

  it('rejects bad flags in one line with exit 2, leaving no trace behind', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const env = baseEnv();
    const [port, watch, up, inUse] = await Promise.all([
      lapse(['record', '--port', 'abc', '--', 'true']).done,
      lapse(['record', '--watch', '/no/such/dir', '--', 'true']).done,
      lapse(['proxy', '--openai-upstream', 'ftp://x']).done,
      lapse(['record', '--port', String((busy.address() as { port: number }).port), '--', 'true'], { env }).done,
    ]);
    busy.close();
    expect(inUse.stderr).toMatch(/already in use/);
    expect(existsSync(env.LAPSE_HOME!) ? readdirSync(env.LAPSE_HOME!) : []).toEqual([]);
    for (const r of [port, watch, up, inUse]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(port.stderr).toMatch(/--port/);
    expect(watch.stderr).toMatch(/not a directory/);
    expect(up.stderr).toMatch(/http/);
  });
});
