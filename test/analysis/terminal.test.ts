// User time measured from the harness's terminal (analysis/terminal.ts) on the hand-timed scenario:
//   0 ─ lead-in ─ 1000 M1 … M2 3700 ─ user gap ─ 10000 M3 10900 ─ tail ─ 11500 exit
import { describe, expect, it } from 'vitest';
import type { KeyClass, TraceRecord } from '../../format/types.js';
import { analyseRecords } from '../../analysis/session.js';
import { statsJson } from '../../analysis/json.js';
import { PROFILES, simulate } from '../../analysis/simulate.js';
import { byTime } from '../factory/records.js';
import { scenarioRecords } from './scenario.js';

const us = (ms: number) => Math.round(ms * 1000);
const out = (ms: number, text: string): TraceRecord => ({ kind: 'term-output', t: us(ms), data: { enc: 'text', text } });
const key = (ms: number, k: KeyClass, count = 1): TraceRecord => ({ kind: 'term-input', t: us(ms), key: k, count });

function terminalRecords(): TraceRecord[] {
  return [
    { kind: 'term-resize', t: 1, cols: 100, rows: 30 },
    // start-up drawn by 150, the person reads to 400, types to the Enter at 900; the request leaves at 1000
    out(100, 'welcome\r\n'),
    out(150, '> '),
    key(400, 'printable', 5),
    out(410, 'fix i'),
    key(700, 'printable', 1),
    key(900, 'enter'),
    key(2500, 'printable', 1), // during a tool gap: not user time
    // the answer is drawn (a spinner settles at 4000), read until 6000, typed until the Enter at 9800
    out(3720, 'All done.\r\n'),
    out(3800, '.'),
    out(3900, '.'),
    out(4000, '> '),
    key(6000, 'paste'),
    key(7000, 'printable', 12),
    key(9800, 'enter'),
    // after the last answer: drawn by 10950, read until 11200, Ctrl-C twice by 11300, shutdown
    out(10950, 'Done.\r\n> '),
    key(11200, 'control'),
    key(11300, 'control'),
  ];
}

describe('user time from the terminal', () => {
  it('splits the lead-in, the user gap and the tail into harness, reading and typing', () => {
    const m = analyseRecords(byTime(scenarioRecords(), terminalRecords()));
    expect(m.userDetail).toEqual({ readingMs: 250 + 2000 + 250, typingMs: 500 + 3800 + 100 });
    expect(m.breakdown.userMs).toBeCloseTo(6900, 6);
    expect(m.breakdown.harnessMs).toBeCloseTo(250 + 500 + 250, 6);
    const sum = Object.values(m.breakdown).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(m.durationMs, 6);
    const kinds = m.criticalPath.filter((s) => s.endMs <= 1000).map((s) => [s.kind, s.startMs, s.endMs]);
    expect(kinds).toEqual([
      ['harness', 0, 150],
      ['user', 150, 400],
      ['user', 400, 900],
      ['harness', 900, 1000],
    ]);
    expect(m.terminal?.userSpans.map((s) => s.part)).toEqual(['reading', 'typing', 'reading', 'typing', 'reading', 'typing']);
    expect(m.terminal?.sizes).toEqual([{ tMs: 0.001, cols: 100, rows: 30 }]);
    expect(m.terminal?.output.map((o) => o.text).join('')).toContain('All done.');
    expect(statsJson(m).userDetail).toEqual({ readingMs: 2500, typingMs: 4400 });
  });

  it("simulation keeps the person's part of every gap and scales only the harness's", () => {
    const m = analyseRecords(byTime(scenarioRecords(), terminalRecords()));
    const half = simulate(m, { ...PROFILES.original, name: 'half-harness', harnessScale: 0.5 });
    expect(half.simulated.breakdown.userMs).toBeCloseTo(6900, 3);
    expect(half.simulated.breakdown.harnessMs).toBeCloseTo(1000 * 0.5, 3);
    expect(half.original.durationMs - half.simulated.durationMs).toBeCloseTo(500, 3);
  });

  it('each Enter that did not send a request (a dialog answered) starts another read', () => {
    // lead-in: a dialog drawn by 100, answered with Enter at 300; the prompt drawn at 320, typed 600–900
    const recs = terminalRecords().filter((r) => r.t > us(1000));
    recs.unshift({ kind: 'term-resize', t: 1, cols: 100, rows: 30 }, out(100, 'Trust this folder? '), key(300, 'enter'), out(320, '> '), key(600, 'printable', 3), key(900, 'enter'));
    const m = analyseRecords(byTime(scenarioRecords(), recs));
    const lead = m.criticalPath.filter((x) => x.endMs <= 1000).map((x) => [x.kind, x.startMs, x.endMs]);
    expect(lead).toEqual([
      ['harness', 0, 100],
      ['user', 100, 300],
      ['harness', 300, 320],
      ['user', 320, 600],
      ['user', 600, 900],
      ['harness', 900, 1000],
    ]);
    expect(m.userDetail!.readingMs).toBeCloseTo(200 + 280 + 2000 + 250, 6);
  });

  it('in a tool gap, a dialog read and answered with Enter is the person’s; keys typed ahead while the tool runs stay the tool’s', () => {
    // tool gap 2300–3000: a permission dialog drawn at 2350, read, answered at 2800 (↓ at 2700, Enter);
    // then the tool runs while the person types ahead (2900, no Enter): the tool's run bounds the path
    const recs = terminalRecords().filter((r) => !(r.kind === 'term-input' && r.t === us(2500)));
    recs.push(out(2350, 'Allow Bash(npm test)? 1. Yes  2. No'), key(2700, 'control'), key(2800, 'enter'), out(2810, 'Running…'), key(2900, 'printable', 4));
    const m = analyseRecords(byTime(scenarioRecords(), recs));
    const gap = m.criticalPath.filter((x) => x.startMs >= 2300 && x.endMs <= 3000).map((x) => [x.kind, x.startMs, x.endMs]);
    expect(gap).toEqual([
      ['tool', 2300, 2350],
      ['user', 2350, 2700],
      ['user', 2700, 2800],
      ['tool', 2800, 3000],
    ]);
    expect(m.userDetail).toEqual({ readingMs: 250 + 350 + 2000 + 250, typingMs: 500 + 100 + 3800 + 100 });
    expect(m.breakdown.toolMs).toBeCloseTo(50 + 200, 6);
    const sum = Object.values(m.breakdown).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(m.durationMs, 6);
    // typed ahead with no Enter in the gap: the tool's whole gap, as when no key is pressed
    const ahead = terminalRecords().filter((r) => !(r.kind === 'term-input' && r.t === us(2500)));
    ahead.push(out(2350, 'Running…'), key(2400, 'printable', 6), key(2600, 'control'));
    expect(analyseRecords(byTime(scenarioRecords(), ahead)).breakdown.toolMs).toBeCloseTo(700, 6);
  });

  it('writes that draw nothing (terminal modes, a title) do not end the start-up: reading starts once the screen is drawn', () => {
    // modes and title at 50 and 80, a 400 ms pause while the harness loads, its screen drawn at 480
    const recs = terminalRecords().filter((r) => r.t > us(1000));
    recs.unshift({ kind: 'term-resize', t: 1, cols: 100, rows: 30 }, out(50, '\x1b7\x1b[r\x1b8\x1b[?25h\x1b[?2004h'), out(80, '\x1b]0;✳ Harness\x07\r\n'), out(480, '\x1b[2J\x1b[H> '), out(500, '\x1b[?25l'), key(600, 'printable', 3), key(900, 'enter'));
    const m = analyseRecords(byTime(scenarioRecords(), recs));
    const lead = m.criticalPath.filter((x) => x.endMs <= 1000).map((x) => [x.kind, x.startMs, x.endMs]);
    expect(lead).toEqual([
      ['harness', 0, 480],
      ['user', 480, 600],
      ['user', 600, 900],
      ['harness', 900, 1000],
    ]);
  });

  it('a question to the terminal or an erase keeps the start-up going: reading starts after the drawing it leads to', () => {
    // the prompt drawn at 50; 300: the harness asks the terminal (device attributes, kitty keyboard
    // flags, an OSC query) or blanks two cells (its logo animation's first frame); the next frame at
    // 600 — 550 ms without a character drawn, as Claude Code's start-up on a loaded machine; the
    // person types at 800
    const lead = (asked: string) => {
      const recs = terminalRecords().filter((r) => r.t > us(1000));
      recs.unshift({ kind: 'term-resize', t: 1, cols: 100, rows: 30 }, out(50, '> '), out(300, asked), out(600, '▝▝'), key(800, 'printable', 3), key(900, 'enter'));
      return analyseRecords(byTime(scenarioRecords(), recs)).criticalPath.filter((x) => x.endMs <= 1000).map((x) => [x.kind, x.startMs, x.endMs]);
    };
    expect(lead('\x1b[>0q\x1b[?u\x1b]7501;?\x07\x1b[c')).toEqual([
      ['harness', 0, 600],
      ['user', 600, 800],
      ['user', 800, 900],
      ['harness', 900, 1000],
    ]);
    expect(lead('\x1b[H\r\x1b[6C\x1b[3B\x1b[38;5;174m  \x1b[39m\x1b[30;1H')[1]).toEqual(['user', 600, 800]);
    expect(lead('\x1b[3;1H\x1b[2K')[1]).toEqual(['user', 600, 800]);
    // a write that only sets a mode or moves the cursor changes nothing: the drawing ended at 50
    expect(lead('\x1b[?25l')[1]).toEqual(['user', 50, 800]);
    expect(lead('\x1b[30;1H\x1b[28;3H')[1]).toEqual(['user', 50, 800]);
  });

  it('a gap in which no key was pressed is the harness’s', () => {
    const recs = terminalRecords().filter((r) => !(r.kind === 'term-input' && r.t > us(3000)));
    const m = analyseRecords(byTime(scenarioRecords(), recs));
    expect(m.userDetail).toEqual({ readingMs: 250, typingMs: 500 });
    expect(m.breakdown.harnessMs).toBeCloseTo(250 + 6300 + 600, 6);
  });

  it('without terminal records: today’s rules, and for an interactive session the idle lead-in and tail are the person’s', () => {
    const plain = analyseRecords(scenarioRecords());
    expect(plain.userDetail).toBeNull();
    expect(plain.terminal).toBeNull();
    expect(plain.breakdown.userMs).toBeCloseTo(6300, 6);
    expect(plain.breakdown.harnessMs).toBeCloseTo(1600, 6);
    const interactive = scenarioRecords().map((r) => (r.kind === 'session' ? { ...r, interactive: true } : r));
    const m = analyseRecords(interactive);
    expect(m.userDetail).toBeNull();
    expect(m.breakdown.userMs).toBeCloseTo(1000 + 6300 + 600, 6);
    expect(m.breakdown.harnessMs).toBeCloseTo(0, 6);
    expect(statsJson(m).userDetail).toBeNull();
  });
});
