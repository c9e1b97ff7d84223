#!/usr/bin/env node
// Start-up cost of the workspace watcher on a large tree (issue 3: "measure a 10,000-file tree").
// `start()` must return at once (the harness is already running by then); the baseline snapshot is
// read in the background. Prints both, and the time until a change made right away is recorded.
//
//   npx tsc -p . && node bench/proxy-latency/watch-scan.mjs [--files 10000] [--dirs 500] [--kb 4]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceWatcher } from '../../dist/cli/record/watch/workspace-watcher.js';
import { GuardedSink, MemorySink } from '../../dist/cli/record/sink.js';
import { memoryLog } from '../../dist/cli/record/log.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const FILES = arg('files', 10_000);
const DIRS = arg('dirs', 500);
const KB = arg('kb', 4);

const root = mkdtempSync(join(tmpdir(), 'lapse-watch-bench-'));
const line = 'export function f(x: number): number { return x * 2; } // some source text\n';
const body = line.repeat(Math.ceil((KB * 1024) / line.length));
for (let d = 0; d < DIRS; d++) mkdirSync(join(root, `src/m${d}`), { recursive: true });
for (let i = 0; i < FILES; i++) writeFileSync(join(root, `src/m${i % DIRS}/file${i}.ts`), body);
mkdirSync(join(root, 'node_modules/big'), { recursive: true });
for (let i = 0; i < 2000; i++) writeFileSync(join(root, `node_modules/big/${i}.js`), 'x'); // skipped, must cost nothing

const mem = new MemorySink();
const log = memoryLog();
const w = new WorkspaceWatcher({ root, sink: new GuardedSink(mem, log), log, startedAtMs: Date.now() });
const t0 = performance.now();
const scan = w.start();
const returned = performance.now() - t0;
writeFileSync(join(root, `src/m0/file0.ts`), body + '// edited right away\n');
const result = await scan;
const heap = process.memoryUsage().heapUsed / 1024 / 1024;
await new Promise((r) => setTimeout(r, 200));
await w.stop();
const edit = mem.records.find((r) => r.kind === 'file' && r.path === 'src/m0/file0.ts');
console.log(`workspace: ${FILES} files of ${KB} KB in ${DIRS} directories (+2,000 files in node_modules, skipped)`);
console.log(`start() returned after ${returned.toFixed(1)} ms (the harness waits for nothing more)`);
console.log(`background baseline: ${result.files} files, ${result.dirs} directories in ${result.ms.toFixed(0)} ms (${result.mode}); heap ${heap.toFixed(0)} MB`);
console.log(`edit made right after start: ${edit ? `recorded (${edit.op})` : 'NOT recorded'}`);
rmSync(root, { recursive: true, force: true });
