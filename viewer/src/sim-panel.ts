// Profile presets and sliders. Every slider movement re-simulates (cheap: one pass over the critical
// path) and the summary bars, the simulated lane, the speedup and the sentence follow live.
import { PROFILES, PROFILE_NAMES, resolveProfile, type ProfileOverrides } from '../../analysis/simulate.js';
import type { ViewerState } from './state.js';
import { append, el } from './dom.js';
import { int } from './fmt.js';
import { describeProfile } from '../../analysis/present.js';

const TPS_MIN = 10;
const TPS_MAX = 5000;
const STEPS = 1000;

/** Slider position (0..STEPS) ↔ tokens/s on a log scale from 10 to 5,000. */
export function tpsFromSlider(v: number): number {
  return TPS_MIN * Math.pow(TPS_MAX / TPS_MIN, v / STEPS);
}
export function sliderFromTps(tps: number): number {
  const c = Math.min(TPS_MAX, Math.max(TPS_MIN, tps));
  return Math.round((Math.log(c / TPS_MIN) / Math.log(TPS_MAX / TPS_MIN)) * STEPS);
}

/** Rounds a rate to 2–3 significant figures, as a person would set it. */
function roundRate(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)) - 1);
  return Math.round(x / p) * p;
}

export class SimPanel {
  private base = 'original';
  private overrides: ProfileOverrides = {};
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly tps: HTMLInputElement;
  private readonly tpsOut: HTMLOutputElement;
  private readonly ttft: HTMLInputElement;
  private readonly ttftOut: HTMLOutputElement;
  private readonly harness: HTMLInputElement;
  private readonly harnessOut: HTMLOutputElement;
  private readonly recordedTps: number | null;

  constructor(
    host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    const rates = st.model.requests.filter((r) => r.critical && r.tokensPerSecond !== null).map((r) => r.tokensPerSecond as number).sort((a, b) => a - b);
    this.recordedTps = rates.length ? rates[Math.floor((rates.length - 1) / 2)] : null;
    const presets = el('div', { class: 'presets', attrs: { role: 'group', 'aria-label': 'profile presets' } });
    for (const name of PROFILE_NAMES) {
      const b = el('button', { attrs: { 'data-profile': name }, title: describeProfile(PROFILES[name]) }, name);
      b.addEventListener('click', () => this.preset(name));
      this.buttons.set(name, b);
      append(presets, b);
    }
    const slider = (id: string, label: string, min: number, max: number, step: number): [HTMLInputElement, HTMLOutputElement, HTMLElement] => {
      const input = el('input', { attrs: { type: 'range', id, min: String(min), max: String(max), step: String(step), 'data-testid': id } });
      const out = el('output', { attrs: { for: id } });
      return [input, out, el('label', { class: 'slider' }, el('span', { class: 'slider-name' }, label), input, out)];
    };
    let row: HTMLElement;
    [this.tps, this.tpsOut, row] = slider('sim-tps', 'tokens/s', 0, STEPS, 1);
    const tpsRow = row;
    [this.ttft, this.ttftOut, row] = slider('sim-ttft', 'TTFT ×', 0, 2, 0.05);
    const ttftRow = row;
    [this.harness, this.harnessOut, row] = slider('sim-harness', 'harness ×', 0, 2, 0.05);
    append(host, presets, el('div', { class: 'sliders' }, tpsRow, ttftRow, row));
    this.tps.addEventListener('input', () => this.change({ tokensPerSecond: roundRate(tpsFromSlider(Number(this.tps.value))) }));
    this.ttft.addEventListener('input', () => this.change({ ttftScale: Number(this.ttft.value) }));
    this.harness.addEventListener('input', () => this.change({ harnessScale: Number(this.harness.value) }));
    st.on('sim', () => this.sync());
    this.sync();
  }

  preset(name: string): void {
    this.base = name;
    this.overrides = {};
    this.apply();
  }

  private change(o: ProfileOverrides): void {
    Object.assign(this.overrides, o);
    this.apply();
  }

  private apply(): void {
    const p = resolveProfile(this.base, this.overrides);
    if (p) this.st.setProfile(p);
  }

  /** Puts the controls where the current profile is. */
  private sync(): void {
    const p = this.st.profile;
    for (const [name, b] of this.buttons) b.classList.toggle('active', name === this.base && Object.keys(this.overrides).length === 0);
    let tps: number | null = p.tokensPerSecond;
    let label: string;
    if (p.instant) label = 'instant';
    else if (tps !== null) label = `${int(tps)}`;
    else if (p.speedFactor !== null) {
      tps = this.recordedTps !== null ? this.recordedTps * p.speedFactor : null;
      label = `recorded × ${p.speedFactor}`;
    } else {
      tps = this.recordedTps;
      label = this.recordedTps !== null ? `recorded ≈${int(this.recordedTps)}` : 'recorded';
    }
    if (document.activeElement !== this.tps) this.tps.value = String(tps !== null ? sliderFromTps(tps) : sliderFromTps(100));
    this.tpsOut.textContent = label;
    if (document.activeElement !== this.ttft) this.ttft.value = String(p.instant ? 0 : p.ttftScale);
    this.ttftOut.textContent = p.instant ? '0' : `${+p.ttftScale.toFixed(2)}`;
    if (document.activeElement !== this.harness) this.harness.value = String(p.harnessScale);
    this.harnessOut.textContent = `${+p.harnessScale.toFixed(2)}`;
  }
}
