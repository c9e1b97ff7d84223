// Totals, and the where-time-goes stacked bars of the original and the simulated session (SVG: a few
// dozen nodes at most). Both bars share one scale, so the simulated one is visibly shorter.
import { select } from 'd3-selection';
import type { Breakdown, SegmentKind } from '../../analysis/model.js';
import type { ViewerState } from './state.js';
import { BREAKDOWN_FIELD, KINDS, KIND_COLOR, KIND_LABEL } from './kinds.js';
import { clear, el, append } from './dom.js';
import { dur, int, pct, rate } from './fmt.js';
import { medianTokensPerSecond, medianTtftMs } from '../../analysis/present.js';
import { biggestShare, branchSentence, speedupLine } from '../../analysis/verdict.js';

const SVG_NS = 'http://www.w3.org/2000/svg';


export function renderTotals(host: HTMLElement, st: ViewerState): void {
  const m = st.model;
  const crit = m.requests.filter((r) => r.critical);
  const out = m.requests.reduce((n, r) => n + (r.outputTokens ?? 0), 0);
  const toolCalls = m.requests.reduce((n, r) => n + r.toolCalls.length, 0);
  const items: Array<[string, string]> = [
    ['duration', dur(m.durationMs)],
    ['requests', `${crit.length} on path · ${m.sideRequests.length} side`],
    ['turns', int(m.turns.length)],
    ['output tokens', int(out)],
    ['median TTFT', dur(medianTtftMs(m.requests))],
    ['median speed', rate(medianTokensPerSecond(m.requests))],
    ['tool calls', int(toolCalls)],
    ['files changed', int(m.fileSummary.length)],
  ];
  clear(host);
  for (const [k, v] of items) append(host, el('div', { class: 'total' }, el('span', { class: 'total-v' }, v), el('span', { class: 'total-k' }, k)));
}

interface BarPart {
  kind: SegmentKind;
  ms: number;
  x: number;
  w: number;
}

function parts(b: Breakdown, scale: number): BarPart[] {
  let x = 0;
  return KINDS.map((kind) => {
    const ms = b[BREAKDOWN_FIELD[kind]];
    const p = { kind, ms, x, w: ms * scale };
    x += p.w;
    return p;
  });
}

export class SummaryBars {
  private readonly svg: SVGSVGElement;
  private readonly legend: HTMLElement;
  private readonly speedup: HTMLElement;
  private readonly sentence: HTMLElement;

  constructor(
    private readonly host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    clear(host);
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'bars');
    this.svg.setAttribute('role', 'img');
    this.speedup = el('div', { class: 'speedup', attrs: { 'data-testid': 'speedup' } });
    this.sentence = el('div', { class: 'sentence', attrs: { 'data-testid': 'sentence' } });
    this.legend = el('div', { class: 'legend' });
    append(host, this.svg, this.speedup, this.sentence, this.legend);
    st.on('sim', () => this.render());
    new ResizeObserver(() => this.render()).observe(host);
    this.render();
  }

  render(): void {
    const sim = this.st.sim;
    const width = Math.max(200, this.host.clientWidth - 4);
    const labelW = 78;
    const valueW = 70;
    const plotW = Math.max(50, width - labelW - valueW);
    const max = Math.max(sim.original.durationMs, sim.simulated.durationMs, 1e-9);
    const scale = plotW / max;
    const rows = [
      { key: 'original', label: 'recorded', total: sim.original.durationMs, parts: parts(sim.original.breakdown, scale) },
      { key: 'simulated', label: 'simulated', total: sim.simulated.durationMs, parts: parts(sim.simulated.breakdown, scale) },
    ];
    const rowH = 26;
    const svg = select(this.svg).attr('width', width).attr('height', rows.length * rowH + 4).attr('aria-label', 'where the time goes, recorded and simulated');
    const g = svg
      .selectAll<SVGGElement, (typeof rows)[number]>('g.row')
      .data(rows, (d) => d.key)
      .join((enter) => {
        const row = enter.append('g').attr('class', 'row');
        row.append('text').attr('class', 'row-label').attr('x', 0).attr('y', 17);
        row.append('text').attr('class', 'row-total').attr('y', 17);
        return row;
      })
      .attr('transform', (_d, i) => `translate(0,${i * rowH + 2})`)
      .attr('data-total-ms', (d) => String(Math.round(d.total)));
    g.select('text.row-label').text((d) => d.label);
    g.select('text.row-total')
      .attr('x', (d) => labelW + d.parts.reduce((n, p) => n + p.w, 0) + 6)
      .text((d) => dur(d.total));
    g.selectAll<SVGRectElement, BarPart>('rect')
      .data((d) => d.parts, (p) => p.kind)
      .join('rect')
      .attr('x', (p) => labelW + p.x)
      .attr('y', 2)
      .attr('height', rowH - 6)
      .attr('width', (p) => Math.max(0, p.w))
      .attr('fill', (p) => KIND_COLOR[p.kind])
      .attr('data-kind', (p) => p.kind)
      .selectAll('title')
      .data((p) => [p])
      .join('title')
      .text((p) => `${KIND_LABEL[p.kind]}: ${dur(p.ms)}`);
    this.speedup.textContent = speedupLine(sim);
    const branch = branchSentence(this.st.model, sim);
    this.sentence.textContent = branch ? `${biggestShare(sim)} ${branch}` : biggestShare(sim);
    clear(this.legend);
    for (const k of KINDS) {
      const o = sim.original.breakdown[BREAKDOWN_FIELD[k]];
      const s = sim.simulated.breakdown[BREAKDOWN_FIELD[k]];
      const sw = el('span', { class: 'swatch' });
      sw.style.background = KIND_COLOR[k];
      const simPart = sim.profile.name === 'original' ? '' : ` → ${dur(s)}`;
      append(this.legend, el('span', { class: 'legend-item', attrs: { 'data-kind': k } }, sw, `${KIND_LABEL[k]} ${dur(o)} (${pct(o, sim.original.durationMs)})${simPart}`));
    }
  }
}
