// Shared pieces of the fault suite: a scripted upstream on 127.0.0.1, a real recording session (the
// same startSession that `lapse record`/`lapse proxy` use, writing a real trace file), outcome
// normalisation for the SDK clients, and a runner for the compiled CLI (`node bin/lapse.js`).
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '../../cli/record/log.js';
import { startSession, type RecordingSession } from '../../cli/record/session.js';
import { loadTrace, type LoadedTrace } from '../../cli/trace/load.js';
import type { TraceRecord } from '../../format/types.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const LAPSE = join(ROOT, 'bin', 'lapse.js');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const dirs: string[] = [];
/** A fresh temporary directory, removed by `removeTmpDirs()`. */
export function tmpDir(prefix = 'lapse-faults-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export function removeTmpDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Scripted upstream

export interface Upstream {
  url: string;
  port: number;
  server: http.Server;
  /** Requests as received (body as a Buffer), in order. */
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }>;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void | Promise<void>;

export async function startUpstream(handler: Handler): Promise<Upstream> {
  const requests: Upstream['requests'] = [];
  const server = http.createServer({ requestTimeout: 0 }, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    try {
      await handler(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(err));
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function sse(event: string | null, data: unknown): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** An Anthropic streamed text message: message_start, one text block in `parts`, message_delta, message_stop. */
export function anthropicEvents(parts: string[], outputTokens = 7): string[] {
  const ev = [
    sse('message_start', { type: 'message_start', message: { id: 'msg_f', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 11, output_tokens: 1 } } }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (const p of parts) ev.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }));
  ev.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
  ev.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } }));
  ev.push(sse('message_stop', { type: 'message_stop' }));
  return ev;
}

/** OpenAI chat.completion.chunk events for `parts`, the usage chunk, then [DONE]. */
export function chatEvents(parts: string[]): string[] {
  const base = { id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test' };
  const ev = [sse(null, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  for (const p of parts) ev.push(sse(null, { ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
  ev.push(sse(null, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  ev.push(sse(null, { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: parts.length, total_tokens: 5 + parts.length } }));
  ev.push('data: [DONE]\n\n');
  return ev;
}

// ---------------------------------------------------------------------------------------------
// A real recording session in this process

export interface Recording {
  session: RecordingSession;
  anthropic: string;
  openai: string;
  tracePath: string;
  log: string[];
  /** Ends the session (as Ctrl-C on `lapse proxy` does) and reads the trace back from disk. */
  finish(): Promise<LoadedTrace>;
}

/** `lapse proxy` in-process: startSession with a real trace file, both vendors sent to `upstream`. */
export async function recording(upstream: string, opts: { dir?: string } = {}): Promise<Recording> {
  const log = memoryLog();
  const tracePath = join(opts.dir ?? tmpDir(), 'faults.lapse');
  const session = await startSession({
    output: tracePath,
    harness: 'faults',
    argv: ['lapse', 'proxy'],
    anthropicUpstream: upstream,
    openaiUpstream: `${upstream}/v1`,
    watch: false,
    redact: true,
    defaultApi: 'anthropic',
    log,
  });
  let done: Promise<LoadedTrace> | null = null;
  return {
    session,
    anthropic: session.proxy.anthropicBaseUrl,
    openai: session.proxy.openaiBaseUrl,
    tracePath,
    log: log.lines,
    finish: () =>
      (done ??= (async () => {
        await session.finish('test over');
        return loadTrace(tracePath);
      })()),
  };
}

/** The records of one exchange (http id or ws id). */
export function exchange(records: TraceRecord[], id: string): TraceRecord[] {
  return records.filter((r) => 'id' in r && r.id === id);
}

export function ofKind<K extends TraceRecord['kind']>(records: TraceRecord[], kind: K): Extract<TraceRecord, { kind: K }>[] {
  return records.filter((r) => r.kind === kind) as Extract<TraceRecord, { kind: K }>[];
}

// ---------------------------------------------------------------------------------------------
// What a client saw

export interface Outcome {
  /** The resolved value (made JSON-comparable), or null on error. */
  value: unknown;
  /** Events the client saw before the end or the error (types, or texts). */
  events: unknown[];
  error: null | { name: string; status: number | null; message: string; body: unknown };
}

/** Runs a client call and describes what it saw, in a form two runs can be compared by. */
export async function outcome(run: (events: unknown[]) => Promise<unknown>): Promise<Outcome> {
  const events: unknown[] = [];
  try {
    const value = await run(events);
    return { value: value === undefined ? null : JSON.parse(JSON.stringify(value)), events, error: null };
  } catch (err) {
    const e = err as { name?: string; status?: number; message?: string; error?: unknown; constructor?: { name: string } };
    return {
      value: null,
      events,
      error: { name: e?.constructor?.name ?? String(e?.name), status: e?.status ?? null, message: String(e?.message ?? err), body: e?.error ?? null },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The compiled CLI

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LAPSE_HOME: tmpDir('lapse-home-'), ...extra };
}

/** Runs `node bin/lapse.js ARGS` to its end (killed after `timeoutMs`). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return runNode([LAPSE, ...args], { ...opts, env: opts.env ?? cliEnv() });
}

/** Runs `node ARGS` to its end without blocking this process's event loop (the upstreams live here). */
export function runNode(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

export interface CliServer {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has ended. */
  done: Promise<CliRun>;
}

/**
 * Starts a long-running command (`proxy`, `replay`, `view`) and waits until its stdout matches
 * `ready`. If it ends first, `match` is null and `early` holds how it ended.
 */
export async function startCli(args: string[], ready: RegExp, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliServer & { match: RegExpExecArray | null; early: CliRun | null }> {
  const child = spawn(process.execPath, [LAPSE, ...args], { env: opts.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let ended: CliRun | null = null;
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve((ended = { code, signal, stdout, stderr }))));
  const end = Date.now() + (opts.timeoutMs ?? 20_000);
  const server = { child, stdout: () => stdout, stderr: () => stderr, done };
  for (;;) {
    const m = ready.exec(stdout);
    if (m) return { ...server, match: m, early: null };
    if (ended) return { ...server, match: null, early: ended };
    if (Date.now() > end) {
      child.kill('SIGKILL');
      const r = await done;
      throw new Error(`lapse ${args.join(' ')} neither got ready nor ended in time: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(20);
  }
}

/** Peak and current resident set size of a process (Linux /proc), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** The one-line stderr contract: exactly one non-empty line, no stack frames. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  return lines.length === 1 && !/^\s+at /m.test(stderr) && lines[0].startsWith('lapse');
}
