// A lane per subagent in the terminal viewer: its requests' wait and stream, placed as recorded or
// where the simulation puts them; the screen keeps its exact size.
import { describe, expect, it } from 'vitest';
import { analyseRecords } from '../../analysis/session.js';
import { DetailIndex } from '../../cli/tui/detail.js';
import { LABEL_W, Layout, timeToCol } from '../../cli/tui/layout.js';
import { Palette } from '../../cli/tui/palette.js';
import { TuiState } from '../../cli/tui/state.js';
import { subagentSession } from '../factory/subagent-session.js';
import { plain } from './helpers.js';

function setup() {
  const records = subagentSession(true);
  const model = analyseRecords(records);
  const state = new TuiState(model);
  const layout = new Layout(state, new DetailIndex(model, records), new Palette(false), { title: 'sub.lapse' });
  return { model, state, layout };
}

describe('subagent lanes', () => {
  it('draws each subagent on its own lane, between side and files, and keeps the frame size', () => {
    const { layout } = setup();
    const w = 106;
    const laneW = w - LABEL_W;
    const rows = layout.timelineRows(w).map(plain);
    expect(rows.map((r) => r.slice(0, LABEL_W).trim())).toEqual(['', 'path', 'side', 'sub1', 'sub2', 'files', '']);
    // sub2 (s2: 430–2500 ms, wait until 510) is stream through most of the session.
    const col = (t: number): number => LABEL_W + timeToCol(t, 3000, laneW);
    expect(rows[4][col(450)]).toBe('░');
    expect(rows[4][col(1500)]).toBe('█');
    // sub1: s1 (420–600) and s3 (1600–1700), nothing in the tool run between.
    expect(rows[3][col(1000)]).toBe(' ');
    expect(rows[3][col(1690)]).toBe('█');
    for (const [fw, fh] of [[80, 24], [120, 36]]) {
      const frame = layout.frame(fw, fh);
      expect(frame).toHaveLength(fh);
      for (const r of frame) expect(plain(r).length).toBe(fw);
    }
  });

  it('places a subagent where the simulation puts it', () => {
    const { state, layout } = setup();
    state.cycleProfile(); // spark: 1,000 tok/s, TTFT × 0.5
    const sim = state.sim!;
    const s3 = sim.requests.find((r) => r.id === 's3')!;
    const rows = layout.timelineRows(106).map(plain);
    const at = LABEL_W + timeToCol(state.view.simToView((s3.startMs + s3.endMs) / 2), state.durationMs, 106 - LABEL_W);
    expect('░█').toContain(rows[3][at]);
  });
});
