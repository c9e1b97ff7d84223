// Records every file the session creates, changes, deletes or renames under one directory, as a
// unified diff against the content the file had just before. inotify watches per directory (so
// ignored trees like node_modules cost nothing), a polling fallback when watches run out. The
// baseline snapshot is read in the background: the harness never waits for it.
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FileChangeRecord, Micros } from '../../../format/types.js';
import type { Log } from '../log.js';
import type { GuardedSink } from '../sink.js';
import { readState, sameContent, sha256, type FileState } from './file-state.js';
import { IgnoreRules } from './gitignore.js';
import { unifiedDiff } from './unified-diff.js';

const ALWAYS_SKIP = new Set(['.git', 'node_modules']);
/** File times come from the kernel's coarse clock (one tick, up to 10 ms, behind Date.now()). */
const COARSE_CLOCK_MS = 20;

export interface WatchOptions {
  root: string;
  sink: GuardedSink;
  log: Log;
  /** Absolute paths never recorded (the trace itself); a path matches as a prefix too. */
  skip?: string[];
  /** Events closer together than this become one change. */
  debounceMs?: number;
  /** Force polling at this interval (ms); otherwise polling is only the fallback. */
  pollMs?: number;
  /** Wall clock of the session start: files modified after it are changes, not the baseline. */
  startedAtMs?: number;
  /** Most text (bytes) kept to diff against, over all files (default 64 MiB); past it, files are kept by hash. */
  maxTextBytes?: number;
}

export const DEFAULT_MAX_TEXT_BYTES = 64 * 1024 * 1024;

export interface ScanResult {
  files: number;
  dirs: number;
  ms: number;
  mode: 'inotify' | 'polling';
}

export class WorkspaceWatcher {
  /** Path → number of change records, for the summary. */
  readonly changed = new Map<string, number>();
  readonly root: string;
  scan: Promise<ScanResult> = Promise.resolve({ files: 0, dirs: 0, ms: 0, mode: 'inotify' });

  private snap = new Map<string, FileState>();
  /** Bytes of text held in `snap`, bounded by maxTextBytes. */
  private textBytes = 0;
  private readonly maxTextBytes: number;
  private overBudgetNoted = false;
  private watchers = new Map<string, FSWatcher>();
  private knownDirs = new Set<string>();
  private rules = new IgnoreRules();
  private dirty = new Map<string, Micros>();
  private timer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private work: Promise<void> = Promise.resolve();
  private scanCancelled = false;
  private stopped = false;
  private polling: boolean;
  private readonly debounceMs: number;
  private readonly startedAtMs: number;
  private readonly skip: string[];

  constructor(private readonly opts: WatchOptions) {
    this.root = resolve(opts.root);
    this.debounceMs = opts.debounceMs ?? 40;
    this.startedAtMs = opts.startedAtMs ?? Date.now();
    this.skip = (opts.skip ?? []).map((p) => resolve(p));
    this.polling = opts.pollMs !== undefined;
    this.maxTextBytes = opts.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  }

  /** Text bytes the baseline holds now (for tests and the memory bound). */
  get heldTextBytes(): number {
    return this.textBytes;
  }

  /** A file's state as read now, text only while it fits the budget (the file's current text is given back first). */
  private read(rel: string, hashLarge: boolean): Promise<FileState | null> {
    const old = this.snap.get(rel);
    const room = this.maxTextBytes - this.textBytes + (old?.kind === 'text' ? old.size : 0);
    return readState(this.abs(rel), hashLarge, Math.max(0, room));
  }

  private keep(rel: string, given: FileState): void {
    const old = this.snap.get(rel);
    if (old?.kind === 'text') this.textBytes -= old.size;
    let st = given;
    // reads run 16 at a time: the room each was given may have been taken meanwhile
    if (st.kind === 'text' && this.textBytes + st.size > this.maxTextBytes) st = { kind: 'blob', size: st.size, mtimeMs: st.mtimeMs, hash: sha256(new TextEncoder().encode(st.text)), overBudget: true };
    if (st.kind === 'text') this.textBytes += st.size;
    this.snap.set(rel, st);
    if (st.kind === 'blob' && st.overBudget && !this.overBudgetNoted) {
      // said once, in the trace and on stderr: from here on some changes have no diff
      this.overBudgetNoted = true;
      const mib = (this.maxTextBytes / 1048576).toFixed(this.maxTextBytes % 1048576 ? 1 : 0);
      const reason = `workspace watcher: over ${mib} MiB of text kept to diff against; further files are recorded by hash and size, without diffs`;
      this.opts.sink.write({ kind: 'drop', t: this.opts.sink.now(), records: 0, bytes: 0, reason });
      this.opts.log.warnOnce('watch-budget', reason);
    }
  }

  private forget(rel: string): void {
    const old = this.snap.get(rel);
    if (old?.kind === 'text') this.textBytes -= old.size;
    this.snap.delete(rel);
  }

  /** Starts watching; the returned promise (also `scan`) settles when the baseline is complete. */
  start(): Promise<ScanResult> {
    this.scan = this.initialScan().catch((err) => {
      this.opts.sink.fault(new Error(`workspace scan failed: ${(err as Error).message}`));
      return { files: 0, dirs: 0, ms: 0, mode: this.polling ? 'polling' : 'inotify' } as ScanResult;
    });
    return this.scan;
  }

  /** Records what is pending, stops watching. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.scanCancelled = true;
    // Let the kernel's last events (the harness's final writes) arrive before the last flush.
    await new Promise((r) => setTimeout(r, this.debounceMs));
    if (this.polling) await this.enqueue(() => this.pollOnce());
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.enqueue(() => this.flush());
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.scan;
  }

  private async initialScan(): Promise<ScanResult> {
    const t0 = performance.now();
    await this.loadIgnore('');
    const counts = await this.walk('', async (rel) => {
      if (this.snap.has(rel) || this.dirty.has(rel)) return;
      const st = await this.read(rel, false);
      if (!st || this.snap.has(rel) || this.dirty.has(rel)) return;
      // Written since the session started (before we got here): a change to record, not the baseline.
      if (st.mtimeMs >= this.startedAtMs - COARSE_CLOCK_MS) this.markDirty(rel, this.opts.sink.now());
      else this.keep(rel, st);
    }, () => this.scanCancelled);
    if (this.polling && !this.stopped && !this.pollTimer) this.startPollTimer();
    return { ...counts, ms: performance.now() - t0, mode: this.polling ? 'polling' : 'inotify' };
  }

  /** Breadth-first over the tree (watching each directory as it goes), skipping ignored parts. */
  private async walk(
    start: string,
    onFile: (rel: string) => Promise<void>,
    cancelled: () => boolean = () => false,
  ): Promise<{ files: number; dirs: number }> {
    const queue = [start];
    const pool = new Pool(16);
    let files = 0;
    let dirs = 0;
    while (queue.length && !cancelled()) {
      const d = queue.shift()!;
      this.watchDir(d);
      dirs++;
      let entries;
      try {
        entries = await readdir(this.abs(d), { withFileTypes: true });
      } catch {
        continue;
      }
      // A directory's .gitignore decides about its siblings, so it is read first.
      if (d !== '' && entries.some((e) => e.name === '.gitignore' && e.isFile())) await this.loadIgnore(d);
      for (const e of entries) {
        const rel = d ? `${d}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!this.skipped(rel, true)) queue.push(rel);
        } else if (e.isFile() && !this.skipped(rel, false)) {
          files++;
          await pool.run(() => onFile(rel).catch(() => undefined));
        }
      }
    }
    await pool.drain();
    return { files, dirs };
  }

  private watchDir(rel: string): void {
    this.knownDirs.add(rel);
    if (this.polling || this.stopped || this.watchers.has(rel)) return;
    try {
      const w = watch(this.abs(rel), { persistent: false }, (_ev, name) => this.onEvent(rel, name));
      w.on('error', () => {
        w.close();
        if (this.watchers.get(rel) === w) this.watchers.delete(rel);
      });
      this.watchers.set(rel, w);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENOSYS' || code === 'EPERM') this.switchToPolling(code);
    }
  }

  private switchToPolling(why: string): void {
    if (this.polling) return;
    this.polling = true;
    this.opts.log.warnOnce('watch-poll', `file watching unavailable (${why}); polling the workspace instead`);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.startPollTimer();
  }

  private startPollTimer(): void {
    if (this.pollTimer || this.stopped) return;
    this.pollTimer = setInterval(() => void this.enqueue(() => this.pollOnce()), this.opts.pollMs ?? 1000);
    this.pollTimer.unref();
  }

  /** Polling: anything whose size or mtime moved, or that appeared or vanished, is marked dirty. */
  private async pollOnce(): Promise<void> {
    const seen = new Set<string>();
    await this.walk('', async (rel) => {
      seen.add(rel);
      const old = this.snap.get(rel);
      try {
        const st = await lstat(this.abs(rel));
        if (!old || old.size !== st.size || old.mtimeMs !== st.mtimeMs) this.markDirty(rel, this.opts.sink.now());
      } catch {
        // gone: found missing below
      }
    });
    for (const rel of this.snap.keys()) if (!seen.has(rel)) this.markDirty(rel, this.opts.sink.now());
    await this.flush();
  }

  private onEvent(relDir: string, name: string | Buffer | null): void {
    if (this.stopped) return;
    if (name === null) return;
    const rel = relDir ? `${relDir}/${name.toString()}` : name.toString();
    if (this.skipped(rel, false)) return;
    this.markDirty(rel, this.opts.sink.now());
  }

  private markDirty(rel: string, t: Micros): void {
    if (!this.dirty.has(rel)) this.dirty.set(rel, t);
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueue(() => this.flush());
    }, this.debounceMs);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.work = this.work.then(step).catch((err) => this.opts.sink.fault(new Error(`workspace watcher: ${(err as Error).message}`)));
    return this.work;
  }

  private async flush(): Promise<void> {
    const batch = this.dirty;
    this.dirty = new Map();
    if (!batch.size) return;
    // By path: removing a tree reports a file, its directory and every directory above it.
    const deletes = new Map<string, { t: Micros; old: FileState }>();
    const creates: Array<{ rel: string; t: Micros; st: FileState; preexisting: boolean }> = [];
    const records: FileChangeRecord[] = [];
    // Entries added to `batch` while iterating (files of a new directory) are visited too.
    for (const [rel, t] of batch) {
      let isDir = false;
      let exists = false;
      let born = 0;
      try {
        const st = await lstat(this.abs(rel));
        exists = true;
        isDir = st.isDirectory();
        born = st.birthtimeMs;
        if (!isDir && !st.isFile()) continue;
      } catch {
        exists = false;
      }
      if (isDir) {
        if (!this.knownDirs.has(rel) && !this.skipped(rel, true)) {
          await this.walk(rel, async (f) => {
            if (!batch.has(f)) batch.set(f, t);
          });
        }
        continue;
      }
      if (!exists) {
        if (this.knownDirs.has(rel)) this.forgetDir(rel, t, deletes);
        const old = this.snap.get(rel);
        if (old && !deletes.has(rel)) deletes.set(rel, { t, old });
        continue;
      }
      if (rel === '.gitignore' || rel.endsWith('/.gitignore')) await this.loadIgnore(rel.slice(0, -'.gitignore'.length).replace(/\/$/, ''));
      const now = await this.read(rel, true);
      const old = this.snap.get(rel);
      if (!now) {
        if (old && !deletes.has(rel)) deletes.set(rel, { t, old });
        continue;
      }
      if (!old) {
        // Not in the baseline yet, but older than the session: changed before the background scan
        // got to it, so its previous content is unknown.
        creates.push({ rel, t, st: now, preexisting: born > 0 && born < this.startedAtMs - COARSE_CLOCK_MS });
        continue;
      }
      if (sameContent(old, now) || (old.kind === 'blob' && old.hash === null && now.kind === 'blob' && old.size === now.size && old.mtimeMs === now.mtimeMs)) {
        this.keep(rel, now);
        continue;
      }
      this.keep(rel, now);
      records.push(change(rel, t, 'modify', old, now));
    }
    // A file that vanished and one that appeared with the same content, in one batch: a rename.
    for (const [rel, del] of deletes) {
      const d = { rel, ...del };
      const i = creates.findIndex((c) => sameContent(d.old, c.st));
      this.forget(d.rel);
      if (i === -1) {
        records.push(change(d.rel, d.t, 'delete', d.old, null));
        continue;
      }
      const c = creates.splice(i, 1)[0];
      this.keep(c.rel, c.st);
      records.push({ kind: 'file', t: Math.min(d.t, c.t), path: c.rel, op: 'rename', from: d.rel, ...blobFields(c.st) });
    }
    for (const c of creates) {
      this.keep(c.rel, c.st);
      if (c.preexisting) {
        const hash = c.st.kind === 'text' ? sha256(new TextEncoder().encode(c.st.text)) : c.st.hash;
        records.push({ kind: 'file', t: c.t, path: c.rel, op: 'modify', size: c.st.size, ...(hash ? { hash } : {}) });
      } else {
        records.push(change(c.rel, c.t, 'create', null, c.st));
      }
    }
    records.sort((a, b) => a.t - b.t);
    for (const r of records) {
      this.changed.set(r.path, (this.changed.get(r.path) ?? 0) + 1);
      this.opts.sink.write(r);
    }
  }

  /** A directory vanished: stop watching it and everything under it; its files were deleted. */
  private forgetDir(rel: string, t: Micros, deletes: Map<string, { t: Micros; old: FileState }>): void {
    const prefix = rel + '/';
    for (const d of [...this.knownDirs]) {
      if (d !== rel && !d.startsWith(prefix)) continue;
      this.knownDirs.delete(d);
      this.watchers.get(d)?.close();
      this.watchers.delete(d);
      this.rules.remove(d);
    }
    for (const [f, old] of this.snap) if (f.startsWith(prefix) && !deletes.has(f)) deletes.set(f, { t, old });
  }

  /** A directory's .gitignore; for the root, .git/info/exclude first (the .gitignore wins over it). */
  private async loadIgnore(dir: string): Promise<void> {
    const read = (p: string) => readFile(p, 'utf8').catch(() => '');
    let text = await read(join(this.abs(dir), '.gitignore'));
    if (dir === '') text = `${await read(join(this.root, '.git', 'info', 'exclude'))}\n${text}`;
    this.rules.set(dir, text);
  }

  private skipped(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/');
    if (parts.some((p) => ALWAYS_SKIP.has(p))) return true;
    const abs = this.abs(rel);
    if (this.skip.some((s) => abs === s || abs.startsWith(s))) return true;
    return this.rules.ignores(rel, isDir);
  }

  private abs(rel: string): string {
    return rel ? join(this.root, rel) : this.root;
  }
}

function blobFields(st: FileState): { hash?: string; size: number } {
  return st.kind === 'blob' && st.hash ? { hash: st.hash, size: st.size } : { size: st.size };
}

function change(rel: string, t: Micros, op: 'create' | 'modify' | 'delete', old: FileState | null, now: FileState | null): FileChangeRecord {
  const rec: FileChangeRecord = { kind: 'file', t, path: rel, op };
  if (now && now.kind === 'blob') return { ...rec, ...blobFields(now) };
  const oldText = old === null ? null : old.kind === 'text' ? old.text : '';
  const newText = now === null ? null : now.text;
  if (now === null && old?.kind === 'blob') return rec;
  const diff = unifiedDiff(oldText, newText, rel);
  if (diff) rec.diff = diff;
  if (now) rec.size = now.size;
  return rec;
}

/** At most `limit` file reads in flight: fast on a big tree without running out of descriptors. */
class Pool {
  private active = 0;
  private waiters: Array<() => void> = [];
  private idle: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run(fn: () => Promise<void>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    void fn().finally(() => {
      this.active--;
      this.waiters.shift()?.();
      if (this.active === 0) for (const r of this.idle.splice(0)) r();
    });
  }

  drain(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }
}
