// Where traces live and how a TRACE argument is resolved (design.md: omitted → the newest trace).
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { UsageError } from './errors.js';

export const TRACE_EXT = '.lapse';

/** `LAPSE_HOME` if set, else `$XDG_DATA_HOME/lapse/traces` (default `~/.local/share/lapse/traces`). */
export function tracesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAPSE_HOME) return resolve(env.LAPSE_HOME);
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'lapse', 'traces');
}

export function ensureTracesDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = tracesDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`cannot create the trace directory ${dir} (${code}); set LAPSE_HOME to a writable directory or pass -o FILE`);
  }
  return dir;
}

/**
 * A new trace file name: time first so names sort by age, then the harness, then a random suffix, so
 * sessions started in the same second never share a file (the file is also created with O_EXCL).
 */
export function newTracePath(harness: string, now = new Date(), env: NodeJS.ProcessEnv = process.env): string {
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
  const safe = (harness || 'session').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
  return join(ensureTracesDir(env), `${stamp}-${safe}-${randomBytes(3).toString('hex')}${TRACE_EXT}`);
}

export interface TraceFileInfo {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
}

/** Traces in the trace directory, newest first. */
export function listTraces(env: NodeJS.ProcessEnv = process.env): TraceFileInfo[] {
  const dir = tracesDir(env);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: TraceFileInfo[] = [];
  for (const name of names) {
    if (!name.endsWith(TRACE_EXT)) continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) out.push({ path: join(dir, name), name, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // vanished between readdir and stat: skip it
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
}

/** The TRACE argument, or the newest trace when it is omitted. */
export function resolveTraceArg(arg: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (arg) return resolve(arg);
  const newest = listTraces(env)[0];
  if (!newest) {
    throw new UsageError(`no trace given and none in ${tracesDir(env)} (record one with \`lapse record -- CMD\` or try \`lapse demo\`)`);
  }
  return newest.path;
}
