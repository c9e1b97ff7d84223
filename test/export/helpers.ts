// Shared by the export tests: a trace file on disk, the CLI runner, and `lapse stats --json` of it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrace } from '../../cli/trace/load.js';
import { analyseTrace } from '../../analysis/session.js';
import type { SessionModel } from '../../analysis/model.js';
import type { TraceRecord } from '../../format/types.js';
import type { ExportInput } from '../../cli/export/input.js';
import { writeSession } from '../factory/mixed-session.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lapse-export-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The synthetic session written to `dir/session.lapse`, read back and analysed like the CLI does. */
export function sessionOnDisk(dir: string, records?: TraceRecord[]): { path: string; model: SessionModel; input: ExportInput } {
  const path = join(dir, 'session.lapse');
  writeSession(path, records);
  const loaded = loadTrace(path);
  const model = analyseTrace(loaded);
  return { path, model, input: { model, records: loaded.records, lapseVersion: 'test' } };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/lapse.js …` (the compiled dist/), asynchronously so in-process servers can answer it. */
export function lapse(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'lapse.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface StatsJson {
  durationMs: number;
  requests: Array<{ id: string; model: string | null; startMs: number; firstByteMs: number | null; ttftMs: number | null; endMs: number; inputTokens: number | null; outputTokens: number | null; tokensPerSecond: number | null; stopReason: string | null; status: string; critical: boolean; toolCalls: string[] }>;
  breakdown: { modelWaitMs: number; modelStreamMs: number; toolMs: number; userMs: number; harnessMs: number };
  files: Array<{ path: string; changes: number }>;
}

/** What `lapse stats --json` says about the trace: the figures every export must agree with. */
export async function statsOf(path: string): Promise<StatsJson> {
  const r = await lapse(['stats', '--json', path]);
  if (r.code !== 0) throw new Error(`lapse stats failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as StatsJson;
}

/** Equal within the µs rounding the JSON contracts apply. */
export function near(a: number, b: number, tol = 0.002): boolean {
  return Math.abs(a - b) <= tol;
}
