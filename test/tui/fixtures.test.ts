// The viewer on the committed recordings (real recorder, scripted agent; every protocol, and faults).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../analysis/session.js';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { DetailIndex } from '../../cli/tui/detail.js';
import { Layout } from '../../cli/tui/layout.js';
import { Palette } from '../../cli/tui/palette.js';
import { TuiState } from '../../cli/tui/state.js';
import { fmtDur } from '../../cli/tui/text.js';
import { plain, shown, widthOf } from './helpers.js';

const NAMES = ['anthropic', 'openai-chat', 'openai-responses', 'openai-ws', 'faults'];

describe.each(NAMES)('the viewer on fixtures/traces/%s.lapse', (name) => {
  const trace = readTrace(readFileSync(new URL(`../../fixtures/traces/${name}.lapse`, import.meta.url)));
  const { model, exchanges } = analyse(trace);

  it('steps through every request, at 80×24 and 160×50, with the streamed text in the detail pane', () => {
    const state = new TuiState(model);
    const layout = new Layout(state, new DetailIndex(model, exchanges), new Palette(true), { title: `${name}.lapse` });
    expect(plain(layout.headerRows(80)[0])).toContain(`total ${fmtDur(model.durationMs)}`);
    let seen = 0;
    while (state.nextRequest()) {
      const i = state.activeIndex();
      const r = model.requests[i];
      for (const [w, h] of [
        [80, 24],
        [160, 50],
      ]) {
        const rows = layout.frame(w, h);
        expect(rows).toHaveLength(h);
        for (const row of rows) expect(widthOf(row)).toBe(w);
      }
      expect(shown(layout.paneRows(160, 50))).toContain(`${model.requests[i].id} `);
      // At the end of the response its last streamed words are on screen.
      state.seekTo(state.view.toView(r.endMs));
      const text = r.deltas.toArray().filter((d) => d.kind === 'text').map((d) => d.text).join('');
      const last = text.trim().split(/\s+/).pop();
      if (last && state.activeIndex() === i) expect(shown(layout.paneRows(160, 50))).toContain(last.slice(-12));
      state.focus(i);
      state.openOverlay('request');
      expect(layout.requestRowCount(i, 100)).toBeGreaterThan(5);
      expect(shown(layout.overlay(100, 30)!)).toContain(r.url.split('?')[0]);
      state.closeOverlay();
      seen++;
    }
    expect(seen).toBe(model.requests.length);
  });

  it('plays the whole session under every profile without a row out of place', () => {
    const state = new TuiState(model);
    const layout = new Layout(state, new DetailIndex(model, exchanges), new Palette(false), { title: `${name}.lapse` });
    for (let p = 0; p < 4; p++) {
      state.seekTo(0);
      state.togglePlay();
      state.speedIndex = 7;
      let frames = 0;
      while (state.playing && frames < 500) {
        state.tick(33);
        for (const row of layout.frame(120, 30)) expect(widthOf(row)).toBe(120);
        frames++;
      }
      expect(state.atEnd()).toBe(true);
      state.cycleProfile();
    }
  });
});
