// One recording: the trace writer, the proxy in front of the upstreams, and (optionally) the
// workspace watcher, started and finished in the right order. Shared by `lapse record` and `lapse proxy`.
import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTrace } from '../trace/load.js';
import { UsageError } from '../util/errors.js';
import { hostFlag } from '../util/host.js';
import { newTracePath } from '../util/paths.js';
import type { Log } from './log.js';
import { startProxy, type ProxyHandle } from './proxy-server.js';
import { GuardedSink } from './sink.js';
import { WorkerSink, type ClosableSink } from './worker-sink.js';
import { summarize } from './summarize.js';
import { tracesUrl } from '../export/post.js';
import { isLoopback } from '../util/host-check.js';
import { resolveUpstreams, type Api, type Upstreams } from './upstreams.js';
import { WorkspaceWatcher, type ScanResult } from './watch/workspace-watcher.js';

export interface SessionOptions {
  /** -o FILE; default: a new file in the trace directory named after the harness. */
  output?: string;
  harness: string;
  /** What the session header records as the command line. */
  argv: string[];
  anthropicUpstream?: string;
  openaiUpstream?: string;
  geminiUpstream?: string;
  codeAssistUpstream?: string;
  /** Upstreams the harness's own environment names (Copilot CLI's provider), below the flags. */
  harnessUpstreams?: Partial<Upstreams>;
  port?: number;
  /** --host: the address the proxy listens on (default 127.0.0.1). */
  host?: string;
  /** Directory to watch, or false. */
  watch: string | false;
  redact: boolean;
  defaultApi: Api;
  /** stdin and stdout are terminals (recorded in the session record). */
  interactive?: boolean;
  log: Log;
  env?: NodeJS.ProcessEnv;
  /** --otlp-endpoint: send each request's spans to this OTLP/HTTP collector as the session runs. */
  otlpEndpoint?: string;
}

export interface RecordingSession {
  tracePath: string;
  upstreams: Upstreams;
  sink: GuardedSink;
  proxy: ProxyHandle;
  watcher: WorkspaceWatcher | null;
  /** Starts the watcher's background scan (after the harness is running, so it never waits for it). */
  startWatching(): Promise<ScanResult> | null;
  /** Ends everything in order and returns the summary lines. */
  finish(reason: string): Promise<string[]>;
}

export const NO_REDACT_WARNING =
  'lapse: WARNING: --no-redact: API keys, tokens, passwords, cookies and private keys go into the trace IN THE CLEAR; anyone who gets the file gets them (share nothing recorded this way)';

/**
 * --host: the address itself, and a warning to print (even with --quiet) when it is not loopback:
 * whoever can reach it can use the proxy, and with it the harness's credentials' upstreams.
 */
export function parseHost(v: string | undefined, command: string): { host: string | undefined; warning: string | null } {
  if (v === undefined) return { host: undefined, warning: null };
  const host = hostFlag(v);
  return {
    host,
    warning: isLoopback(v) ? null : `lapse ${command}: warning: listening on ${v}: anyone who can reach this address can send requests through the proxy to your upstreams, and they go into your trace`,
  };
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${v}`);
  return n;
}

export async function startSession(opts: SessionOptions): Promise<RecordingSession> {
  const env = opts.env ?? process.env;
  const h = opts.harnessUpstreams ?? {};
  const upstreams = resolveUpstreams(
    {
      anthropicUpstream: opts.anthropicUpstream ?? h.anthropic,
      openaiUpstream: opts.openaiUpstream ?? h.openai,
      geminiUpstream: opts.geminiUpstream ?? h.gemini,
      codeAssistUpstream: opts.codeAssistUpstream ?? h.codeAssist,
    },
    env,
  );
  let watchDir: string | null = null;
  if (opts.watch !== false) {
    watchDir = resolve(opts.watch);
    if (!existsSync(watchDir) || !statSync(watchDir).isDirectory()) throw new UsageError(`--watch: not a directory: ${opts.watch}`);
  }
  // a bad URL is a usage error now, not a warning from the writer's thread later
  if (opts.otlpEndpoint !== undefined) tracesUrl(opts.otlpEndpoint);
  const startedAtMs = Date.now();
  const init = { argv: opts.argv, cwd: process.cwd(), harness: opts.harness, upstreams, redact: opts.redact, interactive: opts.interactive };
  const warn = (m: string) => opts.log.warnOnce(`writer:${m}`, `warning: ${m}`);
  let tracePath = opts.output ? resolve(opts.output) : newTracePath(opts.harness, new Date(), env);
  let writer: ClosableSink;
  // A generated name that exists already (vanishingly rare with its random suffix) is drawn again;
  // a name the user chose is refused: a trace is never overwritten.
  for (let attempt = 1; ; attempt++) {
    try {
      writer = await WorkerSink.start(tracePath, init, warn, { otlpEndpoint: opts.otlpEndpoint });
      break;
    } catch (err) {
      if (opts.output || attempt >= 5 || !/already exists/.test((err as Error).message)) throw err;
      tracePath = newTracePath(opts.harness, new Date(), env);
    }
  }
  const sink = new GuardedSink(writer, opts.log);
  let proxy: ProxyHandle;
  try {
    proxy = await startProxy({ sink, upstreams, log: opts.log, port: opts.port, host: opts.host, defaultApi: opts.defaultApi });
  } catch (err) {
    await writer.close();
    rmSync(tracePath, { force: true }); // nothing recorded: leave no empty trace behind
    throw err;
  }
  const watcher = watchDir
    ? new WorkspaceWatcher({ root: watchDir, sink, log: opts.log, skip: [tracePath], startedAtMs })
    : null;

  let finished: Promise<string[]> | null = null;
  return {
    tracePath,
    upstreams,
    sink,
    proxy,
    watcher,
    startWatching: () => (watcher ? watcher.start() : null),
    finish(reason) {
      finished ??= (async () => {
        // Files first (the harness's last writes), then the network, then the file is closed.
        if (watcher) await watcher.stop().catch((err) => sink.fault(err));
        await proxy.close(reason);
        await writer.close();
        if (sink.lost) opts.log.info(`warning: ${sink.lost} records could not be written`);
        try {
          return summarize(loadTrace(tracePath).records);
        } catch (err) {
          return [`the trace could not be read back: ${(err as Error).message}`];
        }
      })();
      return finished;
    },
  };
}
