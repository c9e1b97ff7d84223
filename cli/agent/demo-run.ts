// `lapse demo`: the scripted agent recorded through the real recorder (`lapse record`, a child
// process) against the built-in endpoint (in this process), then the trace shown.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer } from '../model/server.js';
import type { ScenarioName } from '../model/scenarios.js';
import type { AgentProtocol } from './driver.js';
import { prepareWorkspace } from './workspace.js';
import { runTyped } from './demo-typist.js';
import { DEFAULT_PROMPTS } from './session.js';

export const LAPSE_BIN = fileURLToPath(new URL('../../../bin/lapse.js', import.meta.url));
export const AGENT_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface DemoOptions {
  protocol: AgentProtocol;
  /** Default: the two-turn session. */
  scenario?: ScenarioName;
  ttftMs: number;
  tokensPerSecond: number;
  jitter: number;
  seed?: number;
  thinkMs?: number;
  testRunMs?: number;
  /** More arguments for the agent program (e.g. `--fault overloaded@2`), for fixtures and benchmarks. */
  agentArgs?: string[];
  tracePath: string;
  /**
   * On a terminal: record through lapse's pseudo-terminal, the demo typing the prompts into the
   * agent's interactive mode (default: when stdin and stdout are terminals).
   */
  typed?: boolean;
  /** 'tui' on a terminal, 'web' with --web, 'stats' otherwise; null: do not show. */
  show: 'tui' | 'web' | 'stats' | null;
  /** Commands of this lapse that exist (a stub says "not built yet"). */
  isBuilt(command: string): boolean;
  log(line: string): void;
}

/** Runs `node bin/lapse.js ARGS…` with our terminal; resolves with its exit code. */
export function runLapse(args: string[], onSpawn?: (pid: number | undefined) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAPSE_BIN, ...args], { stdio: 'inherit' });
    onSpawn?.(child.pid);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
  });
}

export async function runDemo(o: DemoOptions): Promise<number> {
  if (!o.isBuilt('record')) throw new Error('`lapse demo` needs `lapse record`, which is not built yet; `lapse demo --serve-model` works already');
  const server = await startModelServer({ ttftMs: o.ttftMs, tokensPerSecond: o.tokensPerSecond, jitter: o.jitter, seed: o.seed });
  const workspace = mkdtempSync(join(tmpdir(), 'lapse-demo-'));
  // Seeded before the recorder starts watching, so the trace shows only the agent's own changes.
  prepareWorkspace(workspace, true);
  // Ctrl-C reaches the whole process group; the recorder finishes the trace, and so must we wait for it.
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    o.log(`lapse demo: scripted model on ${server.url} (TTFT ${o.ttftMs} ms, ${o.tokensPerSecond} tokens/s); recording the scripted agent over ${o.protocol}${o.scenario && o.scenario !== 'default' ? ` (scenario ${o.scenario})` : ''}`);
    const agentArgs = ['--protocol', o.protocol, '--workspace', workspace];
    if (o.scenario && o.scenario !== 'default') agentArgs.push('--scenario', o.scenario);
    if (o.thinkMs !== undefined) agentArgs.push('--think-ms', String(o.thinkMs));
    if (o.testRunMs !== undefined) agentArgs.push('--test-ms', String(o.testRunMs));
    if (o.agentArgs) agentArgs.push(...o.agentArgs);
    const record = ['record', '-o', o.tracePath, '--anthropic-upstream', server.url, '--openai-upstream', `${server.url}/v1`, '--watch', workspace, '--'];
    const typed = o.typed ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const code = typed
      ? await runTyped(process.execPath, [LAPSE_BIN, ...record, process.execPath, AGENT_MAIN, '--interactive', ...agentArgs], { prompts: [...DEFAULT_PROMPTS], readMs: o.thinkMs ?? 1500, keyMs: 60 })
      : await runLapse([...record, process.execPath, AGENT_MAIN, ...agentArgs]);
    if (code !== 0) throw Object.assign(new Error(`the recorded demo session failed (exit code ${code}); trace so far: ${o.tracePath}`), { exitCode: 1 });
  } finally {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
  if (!o.show) return 0;
  const viewer = o.show === 'web' ? 'view' : o.show;
  if (!o.isBuilt(viewer)) {
    const fallback = viewer !== 'stats' && o.isBuilt('stats') ? 'stats' : null;
    o.log(`lapse demo: \`lapse ${viewer}\` is not built yet${fallback ? '; showing `lapse stats` instead' : ''}. Trace: ${o.tracePath}`);
    if (!fallback) return 0;
    return runLapse([fallback, o.tracePath]);
  }
  return runLapse([viewer, o.tracePath]);
}
