// Shared by the viewer's tests: the synthetic session read back through the real reader and
// analysis, and a way to see layout rows as the terminal will show them.
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { analyse } from '../../analysis/session.js';
import type { SessionModel } from '../../analysis/model.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';
import type { TraceRecord } from '../../format/types.js';
import { DetailIndex } from '../../cli/tui/detail.js';
import { Layout } from '../../cli/tui/layout.js';
import { Palette } from '../../cli/tui/palette.js';
import { TuiState } from '../../cli/tui/state.js';
import { textWidth } from '../../cli/tui/text.js';
import { syntheticTraceBytes } from '../factory/agent-session.js';

export interface Fixture {
  model: SessionModel;
  records: TraceRecord[];
  exchanges: ExchangesData;
  state: TuiState;
  detail: DetailIndex;
  layout: Layout;
}

let bytes: Uint8Array | null = null;

export function fixture(color = false): Fixture {
  bytes ??= syntheticTraceBytes();
  const trace = readTrace(bytes);
  const { model, exchanges } = analyse(trace);
  const state = new TuiState(model);
  const detail = new DetailIndex(model, exchanges);
  const layout = new Layout(state, detail, new Palette(color), { title: 'demo.lapse' });
  return { model, records: trace.records, exchanges, state, detail, layout };
}

/** What a styled row shows: its SGR sequences removed. */
export function plain(styled: string): string {
  // eslint-disable-next-line no-control-regex
  return styled.replace(/\x1b\[[\d;]*m/g, '');
}

export function shown(rows: string[]): string {
  return rows.map(plain).join('\n');
}

export function widthOf(markup: string): number {
  return textWidth(plain(markup));
}
