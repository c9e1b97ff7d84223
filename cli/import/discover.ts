// Where transcripts are and which files make one session. Node-only.
import { existsSync, readdirSync, readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';

export type TranscriptKind = 'claude-code-transcript' | 'codex-rollout';

export interface SessionSource {
  kind: TranscriptKind;
  /** The session's main file. */
  path: string;
  /** Claude Code subagent transcripts (`<session>/subagents/agent-*.jsonl`). */
  subagents: string[];
  /** Size and mtime of every file: a session whose fingerprint is unchanged is skipped. */
  fingerprint: string;
  /** Newest mtime of its files (ms). */
  mtimeMs: number;
}

/** Claude Code's projects folder (`$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`) and Codex's sessions (`$CODEX_HOME/sessions`, else `~/.codex/sessions`). */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const claude = (env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude')).split(',').map((d) => join(d.trim(), 'projects'));
  const codex = join(env.CODEX_HOME || join(homedir(), '.codex'), 'sessions');
  return [...claude, codex].filter((d) => existsSync(d));
}

/** `7d`, `12h`, `30m`, `2w` back from now, or a date (`2026-11-30`, any ISO time); null for none. */
export function parseSince(v: string | undefined, now = Date.now()): number | null {
  if (v === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/i.exec(v.trim());
  if (m) return now - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2].toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new UsageError(`--since: expected a span like 7d, 12h, 30m or a date like 2026-11-30, got '${v}'`);
  return t;
}

function head(path: string, n = 4096): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const len = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, len).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Which harness wrote a .jsonl: Codex rollouts are `{timestamp, type, payload}` lines; anything else is read as Claude Code. */
export function kindOf(path: string): TranscriptKind {
  if (/^rollout-.*\.jsonl$/.test(basename(path))) return 'codex-rollout';
  const first = head(path).split('\n')[0];
  return /"payload"\s*:/.test(first) && /"type"\s*:\s*"session_meta"/.test(first) ? 'codex-rollout' : 'claude-code-transcript';
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    // a session's subagents belong to it, not sessions of their own
    if (st.isDirectory()) {
      if (name !== 'subagents') walk(p, out);
    } else if (name.endsWith('.jsonl')) out.push(p);
  }
}

function subagentsOf(main: string): string[] {
  const dir = join(dirname(main), basename(main, '.jsonl'), 'subagents');
  try {
    return readdirSync(dir).filter((n) => /^agent-.*\.jsonl$/.test(n)).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function source(path: string): SessionSource {
  const kind = kindOf(path);
  const subagents = kind === 'claude-code-transcript' ? subagentsOf(path) : [];
  const parts: string[] = [];
  let mtimeMs = 0;
  for (const f of [path, ...subagents]) {
    const st = statSync(f);
    parts.push(`${st.size}:${Math.round(st.mtimeMs)}`);
    mtimeMs = Math.max(mtimeMs, st.mtimeMs);
  }
  return { kind, path, subagents, fingerprint: parts.join(','), mtimeMs };
}

/** The sessions under PATHs (files or folders), changed since `since` (ms) if given. */
export function findSessions(paths: string[], since: number | null): SessionSource[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) walk(abs, files);
    else files.push(abs);
  }
  const out: SessionSource[] = [];
  for (const f of [...new Set(files)]) {
    try {
      const s = source(f);
      if (since === null || s.mtimeMs >= since) out.push(s);
    } catch {
      // vanished while listing: nothing to import
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
