// The page's shared state and the signals views listen to. One instance per loaded trace.
import type { RequestModel, SessionModel, SimProfile, SimulationResult } from '../../analysis/model.js';
import { simulate, PROFILES } from '../../analysis/simulate.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';

export type Topic = 'sim' | 'select' | 'playhead' | 'file';

export class ViewerState {
  readonly model: SessionModel;
  /** Every exchange with its records: what the inspector reads. */
  readonly exchanges: ExchangesData;
  readonly name: string;
  readonly byId: Map<string, RequestModel>;
  profile: SimProfile = PROFILES.original;
  sim: SimulationResult;
  selected: string | null = null;
  /** Index into model.files of the change shown in the diff view. */
  selectedFile: number | null = null;
  /** Playhead, original session time (ms). */
  playheadMs = 0;
  /** Playhead in simulated time when playing "as simulated"; null otherwise. */
  playheadSimMs: number | null = null;
  private readonly listeners = new Map<Topic, Array<() => void>>();

  constructor(name: string, model: SessionModel, exchanges: ExchangesData) {
    this.name = name;
    this.model = model;
    this.exchanges = exchanges;
    this.byId = new Map(model.requests.map((r) => [r.id, r] as const));
    this.sim = simulate(model, this.profile);
  }

  /** Takes over what the person chose on the previous model of the same trace (a live update). */
  carry(prev: ViewerState): void {
    if (prev.profile !== this.profile) {
      this.profile = prev.profile;
      this.sim = simulate(this.model, this.profile);
    }
    this.selected = prev.selected !== null && this.byId.has(prev.selected) ? prev.selected : null;
    this.selectedFile = prev.selectedFile !== null && prev.selectedFile < this.model.files.length ? prev.selectedFile : null;
    this.playheadMs = prev.playheadMs;
    this.playheadSimMs = prev.playheadSimMs;
  }

  on(topic: Topic, fn: () => void): void {
    const list = this.listeners.get(topic) ?? [];
    list.push(fn);
    this.listeners.set(topic, list);
  }

  emit(topic: Topic): void {
    for (const fn of this.listeners.get(topic) ?? []) fn();
  }

  setProfile(p: SimProfile): void {
    this.profile = p;
    this.sim = simulate(this.model, p);
    this.emit('sim');
  }

  select(id: string | null): void {
    this.selected = id;
    this.emit('select');
  }

  selectFile(i: number | null): void {
    this.selectedFile = i;
    this.emit('file');
  }

  setPlayhead(origMs: number, simMs: number | null): void {
    this.playheadMs = origMs;
    this.playheadSimMs = simMs;
    this.emit('playhead');
  }
}
