// A .gitignore matcher for the common cases: per-directory .gitignore files (deeper ones win, later
// lines win), `!` negation, trailing `/` for directories only, leading or inner `/` anchoring,
// `*`, `?`, `[…]`, and `**` in its three forms. Paths are relative to the watched root, `/`-separated.

interface Rule {
  /** Directory of the .gitignore that holds the rule ('' for the root). */
  base: string;
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

export class IgnoreRules {
  private byBase = new Map<string, Rule[]>();
  private ordered: Rule[] = [];

  /** Sets (or replaces) the rules of `<base>/.gitignore`. */
  set(base: string, content: string): void {
    const rules: Rule[] = [];
    for (const raw of content.split(/\r?\n/)) {
      const r = compile(base, raw);
      if (r) rules.push(r);
    }
    if (rules.length) this.byBase.set(base, rules);
    else this.byBase.delete(base);
    this.reorder();
  }

  remove(base: string): void {
    if (this.byBase.delete(base)) this.reorder();
  }

  /** Whether this entry itself is ignored (its parent directories are assumed not to be). */
  ignores(rel: string, isDir: boolean): boolean {
    let ignored = false;
    for (const r of this.ordered) {
      if (r.dirOnly && !isDir) continue;
      let sub: string;
      if (r.base === '') sub = rel;
      else if (rel.startsWith(r.base + '/')) sub = rel.slice(r.base.length + 1);
      else continue;
      if (r.re.test(sub)) ignored = !r.negate;
    }
    return ignored;
  }

  /** Whether the path or any directory above it is ignored (git cannot re-include below an ignored directory). */
  ignoresPath(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.ignores(parts.slice(0, i).join('/'), true)) return true;
    }
    return this.ignores(rel, isDir);
  }

  private reorder(): void {
    const bases = [...this.byBase.keys()].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    this.ordered = bases.flatMap((b) => this.byBase.get(b)!);
  }
}

function depth(base: string): number {
  return base === '' ? 0 : base.split('/').length;
}

function compile(base: string, raw: string): Rule | null {
  let line = raw.replace(/(?<!\\)\s+$/, '');
  if (line === '' || line.startsWith('#')) return null;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (line === '') return null;
  // A slash at the start or in the middle anchors the pattern to the .gitignore's directory.
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const body = globToRegex(line);
  const re = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
  return { base, re, negate, dirOnly };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === glob.length) out += '.*'; // `x/**`: everything inside
          else {
            out += '(?:.*/)?'; // `**/x` and `a/**/b`: zero or more directories
            i++; // the slash after **
          }
          i++;
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, close);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escape(glob[++i]);
    } else {
      out += escape(c);
    }
  }
  return out;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
