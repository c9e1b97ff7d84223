import { describe, expect, it } from 'vitest';
import { clip, cutToWidth, fit, fmtClock, fmtDur, sanitize, textWidth, upperBound, wrap, wrapTail } from '../../cli/tui/text.js';

describe('terminal text helpers', () => {
  it('counts East Asian wide characters as two cells and combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('漢字')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('░█▒─·│▼')).toBe(7);
  });

  it('cuts and pads to an exact width, never splitting a wide character', () => {
    expect(cutToWidth('漢字abc', 3)).toBe('漢');
    expect(fit('hello', 8)).toBe('hello   ');
    expect(fit('hello world', 8)).toBe('hello w…');
    expect(textWidth(fit('漢字漢字漢字', 7))).toBe(7);
    expect(clip('hello', 10)).toBe('hello');
    expect(clip('hello world', 6)).toBe('hello…');
  });

  it('wraps at spaces when it can, hard-breaks long words, keeps only the tail when asked', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('aaa bbb ccc', 9)).toEqual(['aaa bbb ', 'ccc']);
    expect(wrap('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
    expect(wrap('a\n\nb', 5)).toEqual(['a', '', 'b']);
    expect(wrap('1 2 3 4 5 6', 2, 2)).toEqual(['5 ', '6']);
    const huge = 'word '.repeat(100_000) + 'END';
    const tail = wrapTail(huge, 20, 3);
    expect(tail).toHaveLength(3);
    expect(tail[2].endsWith('END')).toBe(true);
  });

  it('makes recorded text safe: control characters visible, emoji one cell, tabs spaces', () => {
    expect(sanitize('a\x1b[31mb')).toBe('a^[[31mb');
    expect(sanitize('a\tb')).toBe('a  b');
    expect(sanitize('ok ✅ done ❌')).toBe('ok ✓ done ✗');
    expect(textWidth(sanitize('party 🎉 time'))).toBe(textWidth('party x time'));
    expect(sanitize('line\nnext')).toBe('line\nnext');
    expect(sanitize('漢字 ─│')).toBe('漢字 ─│');
  });

  it('formats durations and the playhead clock', () => {
    expect(fmtDur(850)).toBe('850ms');
    expect(fmtDur(1234)).toBe('1.23s');
    expect(fmtDur(12_345)).toBe('12.3s');
    expect(fmtDur(245_000)).toBe('4m05s');
    expect(fmtDur(3_720_000)).toBe('1h02m');
    expect(fmtClock(62_345)).toBe('1:02.3');
    expect(fmtClock(3_723_000)).toBe('1:02:03');
  });

  it('upperBound counts entries at or below x', () => {
    const a = [1, 2, 2, 5];
    expect(upperBound(a, 0)).toBe(0);
    expect(upperBound(a, 2)).toBe(3);
    expect(upperBound(a, 9)).toBe(4);
  });
});
