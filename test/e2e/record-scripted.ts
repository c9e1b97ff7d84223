// Records the scripted agent through the real `lapse record` (a child process) against a scripted
// endpoint running in this process, then reads the figures back with `lapse stats --json`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentProtocol } from '../../cli/agent/driver.js';
import type { ScenarioName } from '../../cli/model/scenarios.js';
import { prepareWorkspace } from '../../cli/agent/workspace.js';
import type { Script } from '../../cli/model/script.js';
import { startModelServer, type ModelServerStats } from '../../cli/model/server.js';

export const ROOT = join(import.meta.dirname, '..', '..');
const LAPSE = join(ROOT, 'bin', 'lapse.js');
const AGENT = join(ROOT, 'dist', 'cli', 'agent', 'main.js');

/** The part of `lapse stats --json` these tests read (design.md has the whole contract). */
export interface StatsJson {
  durationMs: number;
  requests: {
    id: string;
    protocol: string;
    transport: string;
    model: string | null;
    startMs: number;
    ttftMs: number | null;
    endMs: number | null;
    outputTokens: number | null;
    tokensPerSecond: number | null;
    status: string;
    critical: boolean;
    toolCalls: string[];
    thread: string | null;
    dependsOn: { id: string; kind: string }[];
  }[];
  breakdown: { modelWaitMs: number; modelStreamMs: number; toolMs: number; userMs: number; harnessMs: number };
  files: { path: string; changes: number }[];
  threads: { id: string; kind: string; parent: string | null; spawnedBy: string | null; requests: string[] }[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node ARGS…`; after `timeoutMs` it is sent SIGTERM (lapse record then finishes its trace and ends the harness). */
export function node(args: string[], timeoutMs = 45_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RecordOptions {
  protocol: AgentProtocol;
  ttftMs: number;
  tokensPerSecond: number;
  script?: Script;
  thinkMs: number;
  testRunMs: number;
  scenario?: ScenarioName;
  /** Also run `lapse simulate TRACE ARGS… --json` on the trace. */
  simulate?: string[];
  /** More flags for the scripted agent (`--fault overloaded@2`, `--abort-after-ms 240`…). */
  agentArgs?: string[];
  /** Reads the finished trace before it is deleted. */
  withTrace?: (path: string) => void | Promise<void>;
}

/** The part of `lapse simulate --json` these tests read. */
export interface SimulateJson {
  original: { durationMs: number; breakdown: StatsJson['breakdown']; critical: string[] };
  simulated: { durationMs: number; breakdown: StatsJson['breakdown']; critical: string[] };
}

export interface Recorded {
  stats: StatsJson;
  sim: SimulateJson | null;
  /** What the endpoint itself logged (its own clock): the ground truth of what was sent. */
  endpoint: ModelServerStats;
}

export async function recordScripted(o: RecordOptions): Promise<Recorded> {
  if (!existsSync(AGENT)) throw new Error('dist/ is missing: run `npx tsc -p .` before these tests');
  const dir = mkdtempSync(join(tmpdir(), 'lapse-e2e-'));
  const workspace = join(dir, 'ws');
  const trace = join(dir, 'session.lapse');
  // Seeded before the recorder watches it, as `lapse demo` does, so only the agent's edits show.
  prepareWorkspace(workspace, true);
  const server = await startModelServer({ ttftMs: o.ttftMs, tokensPerSecond: o.tokensPerSecond, jitter: 0, seed: 7, script: o.script });
  try {
    const rec = await node([
      LAPSE, 'record', '-o', trace,
      '--anthropic-upstream', server.url, '--openai-upstream', `${server.url}/v1`, '--watch', workspace,
      '--', process.execPath, AGENT, '--protocol', o.protocol, '--workspace', workspace,
      '--think-ms', String(o.thinkMs), '--test-ms', String(o.testRunMs), '--quiet',
      ...(o.scenario ? ['--scenario', o.scenario] : []),
      ...(o.agentArgs ?? []),
    ]);
    if (rec.code !== 0) throw new Error(`lapse record exited ${rec.code}: ${rec.stderr.trim()}`);
    const st = await node([LAPSE, 'stats', trace, '--json']);
    if (st.code !== 0) throw new Error(`lapse stats exited ${st.code}: ${st.stderr.trim()}`);
    if (st.stderr.trim()) throw new Error(`lapse stats warned: ${st.stderr.trim()}`);
    let sim: SimulateJson | null = null;
    if (o.simulate) {
      const r = await node([LAPSE, 'simulate', trace, ...o.simulate, '--json']);
      if (r.code !== 0) throw new Error(`lapse simulate exited ${r.code}: ${r.stderr.trim()}`);
      sim = JSON.parse(r.stdout) as SimulateJson;
    }
    await o.withTrace?.(trace);
    return { stats: JSON.parse(st.stdout) as StatsJson, sim, endpoint: server.stats() };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
