// Unified diff of two texts, line by line (Myers' O(ND) algorithm on interned lines). Past an edit
// distance of MAX_D the middle of the file is shown as replaced wholesale: still a correct diff,
// just not a minimal one, and never slow.

const MAX_D = 2000;

type Op = { kind: ' ' | '-' | '+'; line: number };

interface Lines {
  lines: string[];
  /** The last line has no newline after it. */
  noEol: boolean;
}

function splitLines(text: string): Lines {
  if (text === '') return { lines: [], noEol: false };
  const lines = text.split('\n');
  const noEol = lines[lines.length - 1] !== '';
  if (!noEol) lines.pop();
  return { lines, noEol };
}

/**
 * `oldText` null: the file was created; `newText` null: deleted. Returns '' when nothing changed.
 * Paths are shown as `a/<path>` and `b/<path>` (or /dev/null), as git does.
 */
export function unifiedDiff(oldText: string | null, newText: string | null, oldPath: string, newPath = oldPath, context = 3): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText ?? '');
  const b = splitLines(newText ?? '');
  const ops = diffLines(a, b);
  if (!ops.some((o) => o.kind !== ' ')) return '';
  let out = `--- ${oldText === null ? '/dev/null' : `a/${oldPath}`}\n+++ ${newText === null ? '/dev/null' : `b/${newPath}`}\n`;
  for (const h of hunks(ops, context)) {
    out += `@@ -${range(h.aStart, h.aLen)} +${range(h.bStart, h.bLen)} @@\n`;
    for (const o of h.ops) {
      const src = o.kind === '+' ? b : a;
      out += `${o.kind}${src.lines[o.line]}\n`;
      if (src.noEol && o.line === src.lines.length - 1) {
        // A line last in one file but not the other differs even when its text is the same.
        out += '\\ No newline at end of file\n';
      }
    }
  }
  return out;
}

function range(start: number, len: number): string {
  // Line numbers are 1-based; an empty range names the line before it.
  const s = len === 0 ? start : start + 1;
  return len === 1 ? `${s}` : `${s},${len}`;
}

/** An edit script over the two files' lines: ' ' keeps a[line], '-' drops a[line], '+' adds b[line]. */
function diffLines(a: Lines, b: Lines): Op[] {
  // A last line without its newline is a different line from the same text with one.
  const ids = new Map<string, number>();
  const intern = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const ax = a.lines.map(intern);
  const bx = b.lines.map(intern);
  if (a.noEol && ax.length) ax[ax.length - 1] = -1 - ax[ax.length - 1];
  if (b.noEol && bx.length) bx[bx.length - 1] = -1 - bx[bx.length - 1];
  let pre = 0;
  while (pre < ax.length && pre < bx.length && ax[pre] === bx[pre]) pre++;
  let suf = 0;
  while (suf < ax.length - pre && suf < bx.length - pre && ax[ax.length - 1 - suf] === bx[bx.length - 1 - suf]) suf++;
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ kind: ' ', line: i });
  const am = ax.slice(pre, ax.length - suf);
  const bm = bx.slice(pre, bx.length - suf);
  const mid = myers(am, bm) ?? replaceAll(am.length, bm.length);
  for (const o of mid) ops.push({ kind: o.kind, line: o.line + pre });
  for (let i = 0; i < suf; i++) ops.push({ kind: ' ', line: ax.length - suf + i });
  return ops;
}

function replaceAll(n: number, m: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) ops.push({ kind: '-', line: i });
  for (let j = 0; j < m; j++) ops.push({ kind: '+', line: j });
  return ops;
}

/** Myers' greedy forward search; null when the edit distance exceeds MAX_D. */
function myers(a: number[], b: number[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  if (max === 0) return [];
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_D); d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], n: number, m: number): Op[] {
  const rev: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const vp = trace[d]; // v as it was when round d started; index k + d + 1
    const at = (k: number) => vp[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) rev.push({ kind: ' ', line: --x }), y--;
    if (x === prevX) rev.push({ kind: '+', line: --y });
    else rev.push({ kind: '-', line: --x });
  }
  while (x > 0 && y > 0) rev.push({ kind: ' ', line: --x }), y--;
  return rev.reverse();
}

interface Hunk {
  aStart: number;
  aLen: number;
  bStart: number;
  bLen: number;
  ops: Op[];
}

function hunks(ops: Op[], context: number): Hunk[] {
  // Positions in a and b before each op, to number the hunks.
  const aPos: number[] = [];
  const bPos: number[] = [];
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    aPos.push(ai);
    bPos.push(bi);
    if (o.kind !== '+') ai++;
    if (o.kind !== '-') bi++;
  }
  const out: Hunk[] = [];
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i].kind === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i; // exclusive, extended while changes are within 2×context of each other
    for (;;) {
      while (end < ops.length && ops[end].kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap].kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * context) {
        end = gap;
        continue;
      }
      end = Math.min(ops.length, end + context);
      break;
    }
    const slice = ops.slice(start, end);
    out.push({
      aStart: aPos[start],
      bStart: bPos[start],
      aLen: slice.filter((o) => o.kind !== '+').length,
      bLen: slice.filter((o) => o.kind !== '-').length,
      ops: slice,
    });
    i = end;
  }
  return out;
}
