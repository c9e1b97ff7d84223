import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CellWriter, type CellScreen } from '../../cli/tui/cells.js';
import { TuiApp } from '../../cli/tui/app.js';
import { fixture } from './helpers.js';

function fakeScreen(width: number, rows: number): CellScreen & { codes: string[] } {
  const dattr = 0x3ffff;
  const codes: string[] = [];
  return {
    dattr,
    codes,
    lines: Array.from({ length: rows }, () => Array.from({ length: width }, () => [dattr, ' '] as [number, string])),
    attrCode(code, cur) {
      codes.push(code);
      const n = Number(code.slice(2, -1));
      return n === 0 || n === 39 || n === 22 || n === 27 ? 0x3ffff : cur + n;
    },
  };
}

const wide = (ch: string): number => (/[\u3000-\u9fff]/.test(ch) ? 2 : /[\u0300-\u036f]/.test(ch) ? 0 : 1);

describe('writing styled rows into the cell buffer', () => {
  it('places characters with their attributes, pads, and marks the row dirty only on change', () => {
    const scr = fakeScreen(8, 1);
    const w = new CellWriter(scr, wide);
    w.write(0, 'ab\x1b[32mcd\x1b[39me');
    const line = scr.lines[0];
    expect(line.map((c) => c[1]).join('')).toBe('abcde   ');
    expect(line.map((c) => c[0])).toEqual([0x3ffff, 0x3ffff, 0x3ffff + 32, 0x3ffff + 32, 0x3ffff, 0x3ffff, 0x3ffff, 0x3ffff]);
    expect(line.dirty).toBe(true);
    line.dirty = false;
    w.write(0, 'ab\x1b[32mcd\x1b[39me');
    expect(line.dirty).toBe(false);
    // Each (attribute, SGR) pair is folded once.
    expect(scr.codes).toEqual(['\x1b[32m', '\x1b[39m']);
    w.write(0, 'abcdefghijk');
    expect(line.map((c) => c[1]).join('')).toBe('abcdefgh');
    expect(line.dirty).toBe(true);
  });

  it('gives a wide character two cells and joins combining marks to the cell before', () => {
    const scr = fakeScreen(6, 1);
    const w = new CellWriter(scr, wide);
    w.write(0, '漢字e\u0301');
    expect(scr.lines[0].map((c) => c[1])).toEqual(['漢', ' ', '字', ' ', 'e\u0301', ' ']);
    w.write(0, 'abcde漢');
    // No room for the second half at the edge.
    expect(scr.lines[0].map((c) => c[1]).join('')).toBe('abcde ');
  });
});

describe('redraws through blessed into a fake terminal', () => {
  it('writes nothing when nothing changed, and little when only the clock moved', async () => {
    const { model, exchanges } = fixture();
    let bytes = 0;
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb();
      },
    });
    Object.assign(output, { isTTY: true, columns: 120, rows: 40 });
    const input = new PassThrough();
    Object.assign(input, { isTTY: true, setRawMode: () => input });
    const app = new TuiApp({ model, exchanges, title: 'demo.lapse', color: true, input, output, terminal: 'xterm-256color' });
    const flush = () => new Promise((r) => setImmediate(r));
    expect(app.render()).toBeGreaterThan(0);
    await flush();
    const first = bytes;
    expect(first).toBeGreaterThan(2000);
    expect(app.render()).toBe(0);
    await flush();
    expect(bytes).toBe(first);
    // Waiting for the first token: the clock, the marker and the elapsed time change, nothing else.
    app.state.seekTo(1200);
    app.render();
    await flush();
    const before = bytes;
    app.state.seekTo(1300);
    const rows = app.render();
    await flush();
    expect(rows).toBeLessThanOrEqual(4);
    expect(bytes - before).toBeLessThan(200);
    // Keys go through blessed's parser into the same state.
    input.write(']');
    await flush();
    expect(app.state.activeIndex()).toBe(2); // the next request starting after 1.3 s (r1 at 5.0 s)
    expect(app.state.playheadMs).toBe(5000);
    input.write('q');
    await app.done;
  });
});
