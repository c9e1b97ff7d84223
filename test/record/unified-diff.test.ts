import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedDiff } from '../../cli/record/watch/unified-diff.js';

/** Applies a unified diff for one file. Lines carry their own terminator, so a missing final newline is exact. */
function applyDiff(oldText: string, diff: string): string {
  const a = oldText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lines = diff.split('\n');
  lines.pop();
  const out: string[] = [];
  let ai = 0;
  for (let i = 2; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]);
    if (m) {
      const start = Number(m[1]) - (m[2] === '0' ? 0 : 1);
      while (ai < start) out.push(a[ai++]);
      continue;
    }
    const kind = lines[i][0];
    if (kind === '\\') continue;
    const full = lines[i].slice(1) + (lines[i + 1]?.startsWith('\\') ? '' : '\n');
    if (kind === ' ' || kind === '-') {
      expect(a[ai]).toBe(full);
      ai++;
    }
    if (kind === ' ' || kind === '+') out.push(full);
  }
  while (ai < a.length) out.push(a[ai++]);
  return out.join('');
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (lines.length + 1));
    const r = rand();
    if (r < 0.35) lines.splice(at, 0, `new ${Math.floor(rand() * 1000)}`);
    else if (r < 0.7) lines.splice(at, 1);
    else lines[at] = `changed ${Math.floor(rand() * 5)}`;
  }
  return lines.join('\n');
}

describe('unifiedDiff', () => {
  it('shows a changed line with three lines of context and git-style headers', () => {
    const a = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n';
    const b = 'one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n';
    expect(unifiedDiff(a, b, 'src/x.ts')).toBe(
      '--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1,7 +1,7 @@\n one\n two\n three\n-four\n+FOUR\n five\n six\n seven\n',
    );
  });

  it('describes creation and deletion against /dev/null', () => {
    expect(unifiedDiff(null, 'a\nb\n', 'n.txt')).toBe('--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\n', null, 'n.txt')).toBe('--- a/n.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n');
    expect(unifiedDiff(null, '', 'empty')).toBe('');
  });

  it('marks a missing final newline, and treats adding one as a change', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', 'f')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(unifiedDiff('x', 'y', 'f')).toBe('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n');
  });

  it('returns an empty string when nothing changed', () => {
    expect(unifiedDiff('same\n', 'same\n', 'f')).toBe('');
  });

  it('splits distant changes into separate hunks', () => {
    const a = Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n') + '\n';
    const b = a.replace('l2\n', 'L2\n').replace('l25\n', 'L25\n');
    const d = unifiedDiff(a, b, 'f');
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('@@ -1,6 +1,6 @@');
    expect(d).toContain('@@ -23,7 +23,7 @@');
  });

  it('round-trips through an applier on many random edits (minimal-size check against a replace-all diff)', () => {
    const rand = rng(7);
    for (let n = 0; n < 300; n++) {
      const base = Array.from({ length: Math.floor(rand() * 40) }, () => `line ${Math.floor(rand() * 8)}`).join('\n') + (rand() < 0.8 ? '\n' : '');
      const next = mutate(base, rand);
      const d = unifiedDiff(base, next, 'f');
      if (base === next) {
        expect(d).toBe('');
        continue;
      }
      expect(applyDiff(base, d)).toBe(next);
    }
  });

  it('is accepted by git apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-diff-'));
    try {
      const rand = rng(99);
      for (let n = 0; n < 8; n++) {
        const base = Array.from({ length: 60 }, (_, i) => `row ${i} ${Math.floor(rand() * 3)}`).join('\n') + '\n';
        const next = mutate(mutate(base, rand), rand);
        writeFileSync(join(dir, 'f.txt'), base);
        writeFileSync(join(dir, 'p.diff'), unifiedDiff(base, next, 'f.txt'));
        execFileSync('git', ['apply', '--unidiff-zero', 'p.diff'], { cwd: dir, stdio: 'pipe' });
        expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe(next);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays fast and correct when a large file is rewritten entirely', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `old ${i}`).join('\n') + '\n';
    const b = Array.from({ length: 20_000 }, (_, i) => `new ${i}`).join('\n') + '\n';
    const t0 = performance.now();
    const d = unifiedDiff(a, b, 'big');
    const ms = performance.now() - t0;
    expect(applyDiff(a, d)).toBe(b);
    expect(ms).toBeLessThan(10_000); // sanity only: the MAX_D cut-off keeps this far below
  });
});
