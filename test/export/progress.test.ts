import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeProgress } from '../../cli/export/progress.js';
import { jsonChunks } from '../../cli/export/json-chunks.js';

afterEach(() => vi.useRealTimers());

describe('export progress on stderr', () => {
  it('stays silent for a small trace when stderr is not a terminal', () => {
    const out: string[] = [];
    const p = makeProgress({ tty: false, big: false, write: (s) => out.push(s) });
    p.phase('building har');
    for (let i = 1; i <= 100; i++) p.update(i, 100);
    p.done();
    expect(out).toEqual([]);
  });

  it('prints a line per phase and per quarter for a big trace in a log', () => {
    const out: string[] = [];
    const p = makeProgress({ tty: false, big: true, write: (s) => out.push(s) });
    p.phase('building har');
    for (let i = 1; i <= 100; i++) p.update(i, 100);
    p.done();
    expect(out).toEqual(['lapse export: building har…\n', 'lapse export: building har 1/100\n', 'lapse export: building har 25/100\n', 'lapse export: building har 50/100\n', 'lapse export: building har 75/100\n']);
  });

  it('on a terminal, rewrites one line once the work takes long enough to notice, and clears it at the end', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const out: string[] = [];
    const p = makeProgress({ tty: true, big: false, write: (s) => out.push(s) });
    p.phase('building otlp');
    p.update(1, 10);
    expect(out).toEqual([]); // quick work shows nothing
    vi.setSystemTime(1_000_400);
    p.update(5, 10);
    vi.setSystemTime(1_000_450);
    p.update(6, 10); // throttled
    vi.setSystemTime(1_000_600);
    p.update(9, 10);
    p.done();
    expect(out).toEqual(['\r\x1b[Klapse export: building otlp 5/10 (50%)', '\r\x1b[Klapse export: building otlp 9/10 (90%)', '\r\x1b[K']);
  });
});

describe('streamed JSON', () => {
  it('joins to exactly JSON.stringify of the value, at any depth', () => {
    const value = { a: [1, { b: 'x"y', c: [true, null, { d: 1.5 }] }], e: undefined, f: 'ü\u2028', g: [] as unknown[], h: {} };
    for (const depth of [0, 1, 2, 3, 6]) expect([...jsonChunks(value, depth)].join('')).toBe(JSON.stringify(value));
  });
});
