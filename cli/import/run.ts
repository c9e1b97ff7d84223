// `lapse import`: each session found → one trace in the trace directory, written through the trace
// writer like a recording. Idempotent: an index beside the traces remembers each source's fingerprint
// (sizes and mtimes of its files), so an unchanged session is skipped and a grown one is written again
// over its earlier import.
import { existsSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { countInSummary, emptySummary } from '../../format/compact.js';
import { TraceWriter } from '../trace/writer.js';
import { TRACE_EXT } from '../util/paths.js';
import { importClaudeCode, type ClaudeFiles } from './claude-code.js';
import { importCodex } from './codex.js';
import { readText, type SessionSource } from './discover.js';
import type { ImportedSession } from './model.js';
import { sessionRecords } from './records.js';

/** The `lapse import --json` contract. */
export interface ImportJson {
  imported: Array<{ source: string; session: string; trace: string; requests: number }>;
  skipped: number;
  errors: Array<{ path: string; error: string }>;
}

interface IndexEntry {
  fingerprint: string;
  /** null: the source holds no model call (nothing to import until it grows). */
  trace: string | null;
}

const INDEX = '.imports.json';

function readIndex(dir: string): Record<string, IndexEntry> {
  try {
    const v = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as { sources?: Record<string, IndexEntry> };
    return v.sources ?? {};
  } catch {
    return {};
  }
}

function writeIndex(dir: string, sources: Record<string, IndexEntry>): void {
  const tmp = join(dir, `${INDEX}.${process.pid}`);
  writeFileSync(tmp, JSON.stringify({ version: 1, sources }), { mode: 0o600 });
  renameSync(tmp, join(dir, INDEX));
}

function parse(src: SessionSource): ImportedSession | null {
  if (src.kind === 'codex-rollout') return importCodex(src.path, readText(src.path));
  const files: ClaudeFiles = {
    main: { path: src.path, text: readText(src.path) },
    subagents: src.subagents.map((p) => {
      let meta: Record<string, unknown> | null = null;
      try {
        meta = JSON.parse(readText(p.replace(/\.jsonl$/, '.meta.json'))) as Record<string, unknown>;
      } catch {
        // no meta file: the subagent is still a thread, only its spawning tool call is unnamed
      }
      return { agentId: basename(p, '.jsonl').replace(/^agent-/, ''), text: readText(p), meta };
    }),
  };
  return importClaudeCode(files);
}

/** Time-first like recorded traces' names, so the directory sorts by age: `<start>-<harness>-<session>.lapse`. */
function traceName(s: ImportedSession): string {
  const stamp = new Date(s.startMs).toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
  return `${stamp}-${s.harness}-${s.sessionId.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}${TRACE_EXT}`;
}

async function write(s: ImportedSession, path: string): Promise<void> {
  const records = sessionRecords(s);
  // every record is known up front: the first frame gets the summary compaction would give it
  const summary = emptySummary();
  for (const r of records) countInSummary(summary, r);
  const w = TraceWriter.create(
    path,
    { argv: [s.harness], cwd: s.cwd, harness: s.harness, upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redact: true, startedAt: s.startMs, source: s.source },
    // no fsync: a trace lost to a power cut is imported again from its source (the index is written last)
    { flushMs: 1_000_000, maxQueueBytes: Number.MAX_SAFE_INTEGER, compactOnClose: false, patchCandidates: 2, fsync: false, summary, onWarn: (m) => { throw new Error(m); } },
  );
  for (const r of records) w.write(r);
  await w.close();
  // listed by age like recordings: the trace's mtime is the session's end, not the import's time
  const end = new Date(s.endMs);
  utimesSync(path, end, end);
}

export interface ImportOptions {
  dir: string;
  onProgress?: (done: number, total: number) => void;
}

export async function importSessions(sources: SessionSource[], opts: ImportOptions): Promise<ImportJson> {
  const index = readIndex(opts.dir);
  const out: ImportJson = { imported: [], skipped: 0, errors: [] };
  let done = 0;
  for (const src of sources) {
    opts.onProgress?.(done++, sources.length);
    const prev = index[src.path];
    if (prev && prev.fingerprint === src.fingerprint && (prev.trace === null || existsSync(prev.trace))) {
      out.skipped++;
      continue;
    }
    try {
      const s = parse(src);
      if (!s) {
        index[src.path] = { fingerprint: src.fingerprint, trace: null };
        out.skipped++;
        continue;
      }
      const path = prev?.trace ?? join(opts.dir, traceName(s));
      // write beside it and rename over it: a grown session replaces its earlier import whole
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      await write(s, tmp);
      renameSync(tmp, path);
      index[src.path] = { fingerprint: src.fingerprint, trace: path };
      out.imported.push({ source: s.source, session: s.sessionId, trace: path, requests: s.calls.length });
    } catch (err) {
      out.errors.push({ path: src.path, error: (err as Error).message.split('\n')[0] });
    }
  }
  opts.onProgress?.(done, sources.length);
  writeIndex(opts.dir, index);
  return out;
}
