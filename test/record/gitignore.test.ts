import { describe, expect, it } from 'vitest';
import { IgnoreRules } from '../../cli/record/watch/gitignore.js';

function rules(spec: Record<string, string>): IgnoreRules {
  const r = new IgnoreRules();
  for (const [base, text] of Object.entries(spec)) r.set(base, text);
  return r;
}

describe('IgnoreRules', () => {
  it('matches names at any depth unless anchored', () => {
    const r = rules({ '': '*.log\n/build\ndocs/tmp\n' });
    expect(r.ignores('a.log', false)).toBe(true);
    expect(r.ignores('src/deep/a.log', false)).toBe(true);
    expect(r.ignores('build', true)).toBe(true);
    expect(r.ignores('src/build', true)).toBe(false);
    expect(r.ignores('docs/tmp', true)).toBe(true);
    expect(r.ignores('x/docs/tmp', true)).toBe(false);
    expect(r.ignores('a.txt', false)).toBe(false);
  });

  it('applies a trailing slash to directories only', () => {
    const r = rules({ '': 'dist/\n' });
    expect(r.ignores('dist', true)).toBe(true);
    expect(r.ignores('dist', false)).toBe(false);
    expect(r.ignores('pkg/dist', true)).toBe(true);
  });

  it('re-includes with ! and the last matching line wins', () => {
    const r = rules({ '': '*.log\n!keep.log\n' });
    expect(r.ignores('x.log', false)).toBe(true);
    expect(r.ignores('keep.log', false)).toBe(false);
    expect(r.ignores('sub/keep.log', false)).toBe(false);
  });

  it('understands ** in its three forms, ? and character classes', () => {
    const r = rules({ '': '**/cache\nlogs/**\na/**/z\nfile?.txt\n[ab]x.md\n' });
    expect(r.ignores('cache', true)).toBe(true);
    expect(r.ignores('p/q/cache', true)).toBe(true);
    expect(r.ignores('logs/2024/x', false)).toBe(true);
    expect(r.ignores('logs', true)).toBe(false);
    expect(r.ignores('a/z', false)).toBe(true);
    expect(r.ignores('a/b/c/z', false)).toBe(true);
    expect(r.ignores('file1.txt', false)).toBe(true);
    expect(r.ignores('file10.txt', false)).toBe(false);
    expect(r.ignores('ax.md', false)).toBe(true);
    expect(r.ignores('cx.md', false)).toBe(false);
  });

  it('scopes a nested .gitignore to its directory, where it wins over the root', () => {
    const r = rules({ '': '*.gen\n', pkg: '!*.gen\n/out\n' });
    expect(r.ignores('a.gen', false)).toBe(true);
    expect(r.ignores('pkg/a.gen', false)).toBe(false);
    expect(r.ignores('pkg/out', true)).toBe(true);
    expect(r.ignores('out', true)).toBe(false);
  });

  it('ignores comments, blank lines and escaped specials', () => {
    const r = rules({ '': '# a comment\n\n\\#hash\n\\!bang\ntrailing   \n' });
    expect(r.ignores('#hash', false)).toBe(true);
    expect(r.ignores('!bang', false)).toBe(true);
    expect(r.ignores('trailing', false)).toBe(true);
    expect(r.ignores('# a comment', false)).toBe(false);
  });

  it('ignoresPath: nothing below an ignored directory comes back', () => {
    const r = rules({ '': 'tmp/\n!tmp/keep\n' });
    expect(r.ignoresPath('tmp/keep', false)).toBe(true);
    expect(r.ignoresPath('src/a.ts', false)).toBe(false);
  });
});
