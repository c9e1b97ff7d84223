// The live views' latency (#20) and the recorded session they follow (startLiveSession). A request
// should be on screen within 500 ms of the end the endpoint's own log gives it. That figure holds on a
// machine with a core to spare; past that (several test suites on 2 cores, load 20+) scheduling alone
// can take longer. So: the order is always asserted (each request shows up after it ended, and before
// the next request that started after it ended has ended: while the session still runs), the
// latencies are printed, and the 500 ms figure is asserted when the machine's load is below its cores.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { prepareWorkspace } from '../cli/agent/workspace.js';
import { startModelServer } from '../cli/model/server.js';

export const LIVE_LATENCY_MS = 500;

export interface Shown {
  id: string;
  /** Wall clock: the endpoint ended the response. */
  endedAt: number;
  /** Wall clock: the view first showed it ended (undefined: never). */
  shownAt: number | undefined;
  /** Whether the view was open before the response ended (only those are timed). */
  timed: boolean;
}

export function checkLatencies(label: string, shown: Shown[]): void {
  const load = loadavg()[0];
  const timed = shown.filter((s) => s.timed);
  const lat = timed.map((s) => ({ id: s.id, ms: s.shownAt! - s.endedAt }));
  process.stdout.write(`${label}: ms after the endpoint ended each response: ${lat.map((l) => `${l.id} ${Math.round(l.ms)}`).join(', ')} (load ${load.toFixed(1)} on ${cpus().length} cores)\n`);
  for (const s of shown) {
    expect(s.shownAt, `${s.id} shown`).toBeDefined();
    expect(s.shownAt!, `${s.id} shown after it ended`).toBeGreaterThanOrEqual(s.endedAt - 5);
  }
  const byEnd = [...timed].sort((a, b) => a.endedAt - b.endedAt);
  for (let i = 1; i < byEnd.length; i++) expect(byEnd[i].shownAt!, `${byEnd[i].id} shown no earlier than ${byEnd[i - 1].id}, which ended first`).toBeGreaterThanOrEqual(byEnd[i - 1].shownAt!);
  const lastEnd = byEnd[byEnd.length - 1]?.endedAt ?? 0;
  for (const s of byEnd.slice(0, -2)) expect(s.shownAt!, `${s.id} shown while the session ran`).toBeLessThan(lastEnd);
  expect(timed.length).toBeGreaterThanOrEqual(6);
  if (load < cpus().length) for (const l of lat) expect(l.ms, `${l.id} within ${LIVE_LATENCY_MS} ms`).toBeLessThan(LIVE_LATENCY_MS);
}

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'lapse.js');
// turn 1: read, edit, test, summary (5 requests: the reads come back one by one); turn 2: changelog (2); then 3 short answers
const PROMPTS = ['fix the failing test', 'thanks! please add a changelog entry for the fix', 'anything else?', 'and the docs?', 'thanks, that is all'];
/** The model calls the live session makes. */
export const LIVE_REQUESTS = 10;

export interface LiveSession {
  /** The endpoint's own log so far: when it ended each model call's response (wall clock), in the order the calls were made. */
  ends(): number[];
  /** `lapse record`'s exit, its stderr, and when it exited (wall clock). */
  exited: Promise<{ code: number | null; stderr: string; exitedAt: number }>;
  /** Stops the endpoint. */
  close(): Promise<void>;
}

export interface LiveSessionOptions {
  workspace: string;
  /** `lapse record`'s own flags (`-o TRACE`, `--otlp-endpoint URL`, `--quiet`…); the upstreams and `--watch` are added. */
  recordArgs: string[];
  ttftMs: number;
  seed: number;
  thinkMs: number;
  testMs: number;
  env?: NodeJS.ProcessEnv;
  /** Called as the endpoint ends the n-th model call's response. */
  onEnd?: (n: number) => void;
}

/** The scripted agent (Anthropic, LIVE_REQUESTS model calls) recorded by the real `lapse record`, against an endpoint in this process. */
export async function startLiveSession(o: LiveSessionOptions): Promise<LiveSession> {
  prepareWorkspace(o.workspace, true);
  const ended: Array<{ wall: number; arrivedAt: number }> = [];
  const server = await startModelServer({
    ttftMs: o.ttftMs,
    tokensPerSecond: 150,
    jitter: 0,
    seed: o.seed,
    onRequest: (e) => {
      if (e.protocol === 'models' || e.protocol === 'count-tokens' || e.protocol === 'unknown') return;
      ended.push({ wall: Date.now(), arrivedAt: e.arrivedAt });
      o.onEnd?.(ended.length);
    },
  });
  const rec = spawn(
    process.execPath,
    [
      BIN, 'record', ...o.recordArgs, '--anthropic-upstream', server.url, '--openai-upstream', `${server.url}/v1`, '--watch', o.workspace, '--',
      process.execPath, join(ROOT, 'dist/cli/agent/main.js'), '--protocol', 'anthropic', '--workspace', o.workspace, '--think-ms', String(o.thinkMs), '--test-ms', String(o.testMs), '--quiet',
      ...PROMPTS.flatMap((p) => ['--prompt', p]),
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env },
  );
  let stderr = '';
  rec.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; stderr: string; exitedAt: number }>((resolve) => rec.on('exit', (code) => resolve({ code, stderr, exitedAt: Date.now() })));
  return { ends: () => [...ended].sort((a, b) => a.arrivedAt - b.arrivedAt).map((e) => e.wall), exited, close: () => server.close() };
}
