// The workspace watcher on real directories: diffs, creates, deletes, renames, binary and large
// files, .gitignore, always-skipped folders, new directories, polling, and a background baseline.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { GuardedSink, MemorySink } from '../../cli/record/sink.js';
import { memoryLog } from '../../cli/record/log.js';
import { WorkspaceWatcher } from '../../cli/record/watch/workspace-watcher.js';
import type { FileChangeRecord } from '../../format/types.js';
import { sleep, until } from './helpers.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'lapse-watch-'));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
    // existing files are older than the session (file times are coarse: a file written just now
    // could not be told from one the session wrote)
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, rel), past, past);
  }
  return root;
}

function watcherFor(root: string, extra: Partial<ConstructorParameters<typeof WorkspaceWatcher>[0]> = {}) {
  const mem = new MemorySink();
  const log = memoryLog();
  const w = new WorkspaceWatcher({ root, sink: new GuardedSink(mem, log), log, startedAtMs: Date.now(), ...extra });
  const files = () => mem.records.filter((r) => r.kind === 'file') as FileChangeRecord[];
  return { w, files, log: log.lines, mem };
}

describe('workspace watcher', () => {
  it('records edits, creations, deletions and renames as diffs; binary and large files by hash', async () => {
    const root = tree({
      'a.txt': 'one\ntwo\nthree\n',
      'src/b.ts': 'export const b = 1;\n',
      'src/move-me.ts': 'moved content\n',
      '.gitignore': '*.log\nbuild/\n',
    });
    const { w, files } = watcherFor(root);
    const scan = await w.start();
    expect(scan.files).toBe(4);
    writeFileSync(join(root, 'a.txt'), 'one\nTWO\nthree\n');
    writeFileSync(join(root, 'src/c.ts'), 'new file\n');
    unlinkSync(join(root, 'src/b.ts'));
    await sleep(100);
    renameSync(join(root, 'src/move-me.ts'), join(root, 'src/moved.ts'));
    const bin = Buffer.from([0, 1, 2, 3, 0, 255]);
    writeFileSync(join(root, 'logo.bin'), bin);
    const big = Buffer.alloc(2 * 1024 * 1024, 'x');
    writeFileSync(join(root, 'big.txt'), big);
    await sleep(100);
    await w.stop();

    const byPath = new Map(files().map((f) => [f.path, f]));
    expect(byPath.get('a.txt')).toMatchObject({ op: 'modify', diff: '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n' });
    expect(byPath.get('src/c.ts')).toMatchObject({ op: 'create', diff: '--- /dev/null\n+++ b/src/c.ts\n@@ -0,0 +1 @@\n+new file\n' });
    expect(byPath.get('src/b.ts')).toMatchObject({ op: 'delete', diff: '--- a/src/b.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-export const b = 1;\n' });
    expect(byPath.get('src/moved.ts')).toMatchObject({ op: 'rename', from: 'src/move-me.ts' });
    expect(byPath.get('logo.bin')).toMatchObject({ op: 'create', hash: createHash('sha256').update(bin).digest('hex'), size: 6 });
    expect(byPath.get('logo.bin')?.diff).toBeUndefined();
    expect(byPath.get('big.txt')).toMatchObject({ op: 'create', hash: createHash('sha256').update(big).digest('hex'), size: big.length });
    expect(w.changed.size).toBe(6);
    const ts = files().map((f) => f.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('honours .gitignore (nested too) and always skips .git, node_modules and the trace itself', async () => {
    const root = tree({
      '.gitignore': '*.log\nbuild/\n',
      'pkg/.gitignore': '!keep.log\n/out\n',
      'node_modules/x/index.js': '1',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'build/old.js': '1',
      'pkg/out/o.txt': 'o',
      'src/a.ts': 'a\n',
    });
    const trace = join(root, 'session.lapse');
    const { w, files } = watcherFor(root, { skip: [trace] });
    const scan = await w.start();
    expect(scan.files).toBe(3); // the two .gitignore files and src/a.ts
    writeFileSync(join(root, 'debug.log'), 'x');
    writeFileSync(join(root, 'pkg/keep.log'), 'kept\n');
    writeFileSync(join(root, 'build/new.js'), 'x');
    writeFileSync(join(root, 'pkg/out/p.txt'), 'x');
    writeFileSync(join(root, 'node_modules/x/index.js'), '2');
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/other\n');
    writeFileSync(trace, 'trace bytes');
    writeFileSync(join(root, 'src/a.ts'), 'a\nb\n');
    await sleep(100);
    await w.stop();
    expect(files().map((f) => f.path).sort()).toEqual(['pkg/keep.log', 'src/a.ts']);
  });

  it('picks up directories created during the session, with everything in them', async () => {
    const root = tree({ 'README.md': '# x\n' });
    const { w, files } = watcherFor(root);
    await w.start();
    mkdirSync(join(root, 'deep/er/est'), { recursive: true });
    writeFileSync(join(root, 'deep/er/est/f.txt'), 'deep\n');
    writeFileSync(join(root, 'deep/g.txt'), 'g\n');
    const ops = () => files().map((f) => `${f.op} ${f.path}`);
    await until(() => ops().includes('create deep/er/est/f.txt'));
    appendFileSync(join(root, 'deep/er/est/f.txt'), 'more\n');
    await until(() => ops().includes('modify deep/er/est/f.txt'));
    rmSync(join(root, 'deep'), { recursive: true });
    await until(() => ops().includes('delete deep/g.txt'));
    await sleep(100);
    await w.stop();
    expect(ops().sort()).toEqual(['create deep/er/est/f.txt', 'create deep/g.txt', 'delete deep/er/est/f.txt', 'delete deep/g.txt', 'modify deep/er/est/f.txt']);
  });

  it('falls back to polling with the same records', async () => {
    const root = tree({ 'a.txt': 'a\n', 'gone.txt': 'bye\n' });
    const { w, files } = watcherFor(root, { pollMs: 50 });
    const scan = await w.start();
    expect(scan.mode).toBe('polling');
    await sleep(20);
    writeFileSync(join(root, 'a.txt'), 'a\nb\n');
    unlinkSync(join(root, 'gone.txt'));
    writeFileSync(join(root, 'new.txt'), 'n\n');
    await sleep(200);
    await w.stop();
    expect(files().map((f) => `${f.op} ${f.path}`).sort()).toEqual(['create new.txt', 'delete gone.txt', 'modify a.txt']);
  });

  it('takes the baseline in the background, and a file changed before the scan reached it is still a change', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`d${i % 40}/f${i}.txt`] = `file ${i}\n`.repeat(20);
    const root = tree(files);
    await sleep(30); // born before the session, by more than the file clock's coarseness
    const { w, files: recs } = watcherFor(root, { startedAtMs: Date.now() });
    const t0 = performance.now();
    const scanning = w.start();
    const returnedAfter = performance.now() - t0;
    // the session goes on at once: a write right away, likely before the scan reaches it
    writeFileSync(join(root, 'd39/f1999.txt'), 'rewritten\n');
    const scan = await scanning;
    await sleep(100);
    await w.stop();
    expect(returnedAfter).toBeLessThan(scan.ms);
    expect(scan.files).toBe(2000);
    const r = recs().find((f) => f.path === 'd39/f1999.txt');
    expect(r).toBeDefined();
    if (r!.diff) {
      // the scan reached it first: a real diff
      expect(r!.diff).toContain('+rewritten');
    } else {
      // changed before the scan got there: a change whose previous content is unknown
      expect(r).toMatchObject({ op: 'modify', size: 10, hash: createHash('sha256').update('rewritten\n').digest('hex') });
    }
    // and one written during the session that did not exist before is a creation
    expect(recs().filter((f) => f.op === 'create')).toEqual([]);
  });
});

describe('workspace watcher memory', () => {
  it('keeps at most maxTextBytes of text to diff against; past it files are recorded by hash, and the trace says so once', async () => {
    const files: Record<string, string> = {};
    const body = (i: number, v: string) => `file ${i} ${v}\n`.repeat(5000); // ~70 KB each
    for (let i = 0; i < 40; i++) files[`src/f${i}.txt`] = body(i, 'v1');
    const root = tree(files);
    const cap = 512 * 1024;
    const { w, files: recs, log, mem } = watcherFor(root, { maxTextBytes: cap });
    const scan = await w.start();
    expect(scan.files).toBe(40);
    expect(w.heldTextBytes).toBeGreaterThan(0);
    expect(w.heldTextBytes).toBeLessThanOrEqual(cap);
    // a fast-changing file and a stream of new ones: the bound holds throughout
    for (let k = 0; k < 20; k++) {
      writeFileSync(join(root, 'src/f0.txt'), body(0, `v${k + 2}`));
      writeFileSync(join(root, `new${k}.txt`), body(100 + k, 'new'));
      await sleep(15);
      expect(w.heldTextBytes).toBeLessThanOrEqual(cap);
    }
    await sleep(150);
    await w.stop();
    expect(w.heldTextBytes).toBeLessThanOrEqual(cap);
    // every change is recorded: with a diff while it fit, else by hash and size
    const created = recs().filter((r) => r.op === 'create');
    expect(created.map((r) => r.path).sort()).toEqual(Array.from({ length: 20 }, (_, k) => `new${k}.txt`).sort());
    const byHash = created.filter((r) => r.diff === undefined);
    expect(byHash.length).toBeGreaterThan(0);
    for (const r of byHash) expect(r).toMatchObject({ hash: createHash('sha256').update(body(Number(r.path.slice(3, -4)) + 100, 'new')).digest('hex'), size: Buffer.byteLength(body(Number(r.path.slice(3, -4)) + 100, 'new')) });
    expect(recs().some((r) => r.path === 'src/f0.txt')).toBe(true);
    // the trace says once that the bound was hit; so does stderr
    const drops = mem.records.filter((r) => r.kind === 'drop');
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ records: 0, bytes: 0, reason: 'workspace watcher: over 0.5 MiB of text kept to diff against; further files are recorded by hash and size, without diffs' });
    expect(log.filter((l) => /without diffs/.test(l))).toHaveLength(1);
  });
});
