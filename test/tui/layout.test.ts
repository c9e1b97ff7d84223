import { describe, expect, it } from 'vitest';
import { LABEL_W, axisText, breakdownCells, geometry, pathCells, tickStepMs, timeToCol } from '../../cli/tui/layout.js';
import { fmtDur, textWidth } from '../../cli/tui/text.js';
import { PlayClock as ViewMap } from '../../analysis/playback.js';
import { fixture, plain, shown, widthOf } from './helpers.js';

describe('layout (pure, no terminal)', () => {
  it('fills every row of the screen to the exact width, at 80×24 and on wide terminals', () => {
    for (const color of [false, true]) {
      const { state, layout } = fixture(color);
      for (const [w, h] of [
        [80, 24],
        [120, 40],
        [220, 60],
        [40, 14],
      ]) {
        for (const t of [0, 1500, 2500, 8000, 15_000, 22_000]) {
          for (let p = 0; p < 4; p++) {
            state.seekTo(Math.min(t, state.durationMs));
            const rows = layout.frame(w, h);
            expect(rows).toHaveLength(h);
            for (const r of rows) expect(widthOf(r)).toBe(w);
            state.cycleProfile();
          }
        }
      }
    }
  });

  it('draws the help and the full request over the screen, in a border, rows still exact', () => {
    const { state, layout } = fixture(true);
    state.seekTo(8000);
    for (const o of ['help', 'request'] as const) {
      state.openOverlay(o);
      for (const [w, h] of [
        [80, 24],
        [160, 50],
      ]) {
        const rows = layout.frame(w, h);
        expect(rows).toHaveLength(h);
        for (const r of rows) expect(widthOf(r)).toBe(w);
        expect(plain(rows[1]).trim().startsWith('┌─')).toBe(true);
        expect(plain(rows[h - 2]).trim().startsWith('└')).toBe(true);
        expect(plain(rows[0])).toContain('total 22.0s');
        expect(shown(rows)).toContain(o === 'help' ? 'lapse tui — keys' : 'request #2 · rows 1–');
      }
      state.closeOverlay();
    }
  });

  it('says so when the terminal is too small', () => {
    const { layout } = fixture();
    const rows = layout.frame(30, 10);
    expect(rows).toHaveLength(10);
    expect(plain(rows[0])).toContain('needs at least');
  });

  it('shows the recorded total, and the simulated one when a profile is on', () => {
    const { state, layout } = fixture();
    expect(plain(layout.headerRows(120)[0])).toContain('total 22.0s');
    expect(plain(layout.headerRows(120)[0])).not.toContain('spark');
    state.cycleProfile();
    const sim = state.sim!;
    const head = plain(layout.headerRows(80)[0]);
    expect(head).toContain('total 22.0s');
    expect(head).toContain(`spark ${fmtDur(sim.simulated.durationMs)}`);
    // The simulated bar is shorter in proportion.
    const bar = (row: string) => [...plain(row)].filter((c) => '░█▒─·'.includes(c)).length;
    const rows = layout.headerRows(120);
    expect(bar(rows[2])).toBeLessThan(bar(rows[1]));
    expect(bar(rows[2]) / bar(rows[1])).toBeCloseTo(sim.simulated.durationMs / 22_000, 1);
  });

  it('draws the lanes: critical path by kind, side requests, file changes, an axis, the playhead', () => {
    const { state, layout } = fixture();
    const w = 120;
    const laneW = w - LABEL_W;
    state.seekTo(11_000);
    const rows = layout.timelineRows(w).map(plain);
    const col = timeToCol(11_000, 22_000, laneW);
    expect(rows[0][LABEL_W + col]).toBe('▼');
    expect(rows[0]).toContain('0:11.0');
    expect(rows[1].startsWith('path')).toBe(true);
    for (const g of '░█▒─·') expect(rows[1]).toContain(g);
    expect(rows[2][LABEL_W + timeToCol(1_300, 22_000, laneW)]).toBe('━');
    expect(rows[3][LABEL_W + timeToCol(7_800, 22_000, laneW)]).toBe('~');
    expect(rows[4]).toContain('╵0');
    expect(rows[4]).toContain('╵10s');
    // The playhead moves with the clock.
    state.seekTo(2000);
    expect(plain(layout.timelineRows(w)[0]).indexOf('▼')).toBe(LABEL_W + timeToCol(2000, 22_000, laneW));
  });

  it('gives each column the kind of time that takes most of it', () => {
    const { model } = fixture();
    const cells = pathCells(new ViewMap(model, null, null), 22); // one column per second
    expect(cells[0]).toBe('harness');
    expect(cells[1]).toBe('modelWait'); // 1.0–1.84 s waiting, then streaming
    expect(cells[2]).toBe('modelStream');
    expect(cells[3]).toBe('tool');
    expect(cells[15]).toBe('user');
    expect(cells[20]).toBe('modelWait'); // 20.0–20.6 s waiting, 0.4 s streaming
  });

  it('splits a breakdown bar exactly and in proportion', () => {
    const { model } = fixture();
    const cells = breakdownCells(model.breakdown, 100);
    expect(cells).toHaveLength(100);
    const count = (k: string) => cells.filter((c) => c === k).length;
    expect(Math.abs(count('user') - 45.45)).toBeLessThan(1);
    expect(Math.abs(count('tool') - 18.18)).toBeLessThan(1);
    expect(breakdownCells({ modelWaitMs: 0, modelStreamMs: 0, toolMs: 0, userMs: 0, harnessMs: 0 }, 50)).toEqual([]);
  });

  it('maps time to columns and picks readable ticks', () => {
    expect(timeToCol(0, 22_000, 100)).toBe(0);
    expect(timeToCol(11_000, 22_000, 100)).toBe(50);
    expect(timeToCol(22_000, 22_000, 100)).toBe(99);
    expect(timeToCol(5, 0, 100)).toBe(0);
    expect(tickStepMs(22_000, 114)).toBe(2000);
    expect(tickStepMs(3_600_000, 100)).toBe(600_000);
    const axis = axisText(3_600_000, 100);
    expect(axis).toHaveLength(100);
    expect(axis).toContain('╵10m');
  });

  it('follows the playhead in the detail pane: prompt and thinking, then tools and diffs', () => {
    const { state, layout } = fixture();
    state.seekTo(2500);
    let panes = shown(layout.paneRows(120, 40));
    expect(panes).toContain('#0 claude-test · critical');
    expect(panes).toContain('█ streaming');
    expect(panes).toContain('∴ thinking');
    expect(panes).toContain('fix the failing test');
    state.seekTo(3000);
    panes = shown(layout.paneRows(120, 40));
    // Recorded braces are drawn as they are (no tag markup to trip over).
    expect(panes).toContain('{"path": "src/a.test.ts"}');
    expect(panes).toContain('» Read');
    state.seekTo(8000);
    panes = shown(layout.paneRows(120, 40));
    expect(panes).toContain('▒ tools running (Edit)');
    expect(panes).toContain('« Read result');
    expect(panes).toContain('~ modify src/a.ts');
    expect(panes).toContain('+export const a = 2;');
    expect(panes).toContain('-export const a = 1;');
    state.seekTo(15_000);
    expect(shown(layout.paneRows(120, 40))).toContain('─ waiting for the user');
  });

  it('marks the request in focus in the list and dims the ones still to come', () => {
    const { state, layout } = fixture(true);
    state.seekTo(6000);
    const g = geometry(120, 40);
    const rows = layout.listRows(g.listWidth, 10, state.activeIndex());
    expect(plain(rows[2]).startsWith('▶')).toBe(true);
    expect(rows[2]).toContain('\x1b[7m');
    expect(rows[3]).toContain('\x1b[90m');
    expect(rows[0]).not.toContain('\x1b[90m  0');
    for (const r of rows) expect(widthOf(r)).toBe(g.listWidth);
  });

  it('honours NO_COLOR: no colour markup at all, glyphs still tell the kinds apart', () => {
    const { state, layout } = fixture(false);
    state.seekTo(8000);
    state.cycleProfile();
    const all = layout.frame(120, 40).join('\n');
    expect(all).not.toMatch(/\x1b\[(3[0-7]|9[0-7])m/);
    expect(plain(all)).toContain('░wait');
    const colored = fixture(true);
    colored.state.seekTo(8000);
    expect(colored.layout.frame(120, 40).join('\n')).toContain('\x1b[32m');
  });

  it('opens a request in full: redacted headers, the body, every event with its time', () => {
    const { state, layout } = fixture();
    state.nextRequest();
    state.openOverlay('request');
    const w = 100;
    const total = layout.requestRowCount(0, w);
    const all = shown(layout.requestRows(0, w, 0, total));
    expect(all).toContain('POST /v1/messages?beta=true');
    expect(all).toMatch(/x-api-key: \S*redacted/i);
    expect(all).not.toContain('AAAAAAAAAAAAAAAAAAAA');
    expect(all).toContain('"content": "fix the failing test in src/a.test.ts"');
    expect(all).toContain('── events (');
    expect(all).toMatch(/\+1\.\d\ds +content_block_delta/);
    expect(all).toContain('end: complete');
    // Scrolled views are consistent slices of the whole.
    const rows = layout.requestRows(0, w, 0, total).map(plain);
    expect(layout.requestRows(0, w, 7, 5).map(plain)).toEqual(rows.slice(7, 12));
    expect(layout.requestRows(0, w, total - 3, 3).map(plain)).toEqual(rows.slice(total - 3));
    for (const r of layout.requestRows(0, w, 0, total)) expect(textWidth(plain(r))).toBe(w);
    expect(layout.overlayMaxScroll(w, 10)).toBe(total - 10);
    expect(layout.overlayTitle(w, 10)).toContain(`of ${total}`);
  });
});

describe('sessions without model requests', () => {
  it('still lays out, plays and steps (nothing to step to)', async () => {
    const { analyseRecords } = await import('../../analysis/session.js');
    const { TuiState } = await import('../../cli/tui/state.js');
    const { DetailIndex } = await import('../../cli/tui/detail.js');
    const { Layout } = await import('../../cli/tui/layout.js');
    const { Palette } = await import('../../cli/tui/palette.js');
    for (const records of [
      [
        { kind: 'process-start' as const, t: 1000, pid: 1, argv: ['true'] },
        { kind: 'process-exit' as const, t: 3_000_000, pid: 1, code: 0, signal: null },
      ],
      [],
    ]) {
      const model = analyseRecords(records);
      const state = new TuiState(model);
      const layout = new Layout(state, new DetailIndex(model, records), new Palette(false), { title: 'empty.lapse' });
      expect(state.nextRequest()).toBe(false);
      expect(state.prevRequest()).toBe(false);
      state.togglePlay();
      for (let i = 0; i < 200 && state.playing; i++) state.tick(100);
      expect(state.atEnd()).toBe(true);
      state.cycleProfile();
      state.cycleIdle();
      const rows = layout.frame(80, 24);
      for (const r of rows) expect(widthOf(r)).toBe(80);
      expect(shown(rows)).toContain('no model requests');
    }
  });
});
