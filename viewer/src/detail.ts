// The detail pane: what the session was doing at the playhead. The current request's output streams
// in delta by delta at the playback pace (appended, not re-rendered), and file changes are applied at
// their times: the newest diff is shown, earlier ones listed.
import type { RequestModel, Segment } from '../../analysis/model.js';
import type { ViewerState } from './state.js';
import { append, clear, el } from './dom.js';
import { at, clip, dur } from './fmt.js';
import { KIND_COLOR, KIND_LABEL } from './kinds.js';
import { diffView } from './diff-view.js';

/** How many of the `length` items (ascending in time) are at or before `t`. */
function countUpTo(length: number, time: (i: number) => number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time(mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class DetailPane {
  private readonly now: HTMLElement;
  private readonly prompt: HTMLElement;
  private readonly stream: HTMLElement;
  private readonly files: HTMLElement;
  private readonly critical: RequestModel[];
  private shownRequest: string | null = null;
  private shownDeltas = 0;
  private curBlock: { kind: string; block: number; node: Text } | null = null;
  private shownFiles = -1;

  constructor(
    host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    this.critical = st.model.requests.filter((r) => r.critical);
    this.now = el('div', { class: 'now', attrs: { 'data-testid': 'detail-now' } });
    this.prompt = el('div', { class: 'prompt' });
    this.stream = el('div', { class: 'stream-box', attrs: { 'data-testid': 'detail-stream', 'aria-live': 'off' } });
    this.files = el('div', { class: 'detail-files', attrs: { 'data-testid': 'detail-files' } });
    append(host, this.now, this.prompt, this.stream, this.files);
    st.on('playhead', () => this.update());
    st.on('sim', () => this.update());
    this.update();
  }

  private segmentAt(t: number): Segment | null {
    const segs = this.st.model.criticalPath;
    const i = countUpTo(segs.length, (i) => segs[i].startMs, t) - 1;
    return i >= 0 ? segs[i] : null;
  }

  update(): void {
    const st = this.st;
    const t = st.playheadMs;
    const seg = this.segmentAt(t);
    clear(this.now);
    if (seg) {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = KIND_COLOR[seg.kind];
      const r = seg.requestId ? st.byId.get(seg.requestId) : undefined;
      const what = seg.kind === 'tool' && r?.toolCalls.length ? `running ${clip(r.toolCalls.map((c) => c.name).join(', '), 60)}` : seg.kind === 'user' ? 'the person reads and types' : seg.kind === 'modelWait' ? 'waiting for the first token' : seg.kind === 'modelStream' ? 'the model streams' : 'harness';
      append(this.now, sw, `${at(t)} · ${KIND_LABEL[seg.kind]} — ${what} (${dur(t - seg.startMs)} of ${dur(seg.endMs - seg.startMs)})`);
    }
    // The request being streamed: the latest critical request that started by now.
    const i = countUpTo(this.critical.length, (i) => this.critical[i].startMs, t) - 1;
    const r = i >= 0 ? this.critical[i] : null;
    this.streamTo(r, t);
    this.filesTo(t);
  }

  private streamTo(r: RequestModel | null, t: number): void {
    if (!r) {
      if (this.shownRequest !== null || this.stream.childElementCount === 0) {
        clear(this.stream);
        clear(this.prompt);
        append(this.stream, el('p', { class: 'muted' }, 'Press play (or click the timeline’s time axis) — the model’s output streams here at the chosen pace.'));
      }
      this.shownRequest = null;
      return;
    }
    const n = countUpTo(r.deltas.length, (i) => r.deltas.tMs(i), t);
    if (r.id !== this.shownRequest || n < this.shownDeltas) {
      clear(this.stream);
      clear(this.prompt);
      const turn = r.turn !== null ? this.st.model.turns[r.turn] : undefined;
      if (turn?.prompt && turn.requestIds[0] === r.id) append(this.prompt, el('span', { class: 'prompt-label' }, 'prompt '), clip(turn.prompt, 500));
      append(this.stream, el('div', { class: 'stream-head' }, `request ${r.id}${r.model ? ` · ${r.model}` : ''} · started ${at(r.startMs)}`));
      this.shownRequest = r.id;
      this.shownDeltas = 0;
      this.curBlock = null;
    }
    for (let k = this.shownDeltas; k < n; k++) {
      const d = r.deltas.at(k);
      if (!this.curBlock || this.curBlock.kind !== d.kind || this.curBlock.block !== d.block) {
        const call = d.kind === 'tool-args' ? r.toolCalls.find((c) => c.block === d.block) : undefined;
        const label = d.kind === 'tool-args' ? `→ ${call?.name ?? 'tool'}(` : d.kind === 'thinking' ? 'thinking' : '';
        const pre = el('pre', { class: `stream stream-${d.kind}` });
        const node = document.createTextNode('');
        pre.append(node);
        append(this.stream, label ? el('div', { class: d.kind === 'tool-args' ? 'stream-call' : 'stream-label' }, label) : null, pre);
        this.curBlock = { kind: d.kind, block: d.block, node };
      }
      this.curBlock.node.appendData(d.text);
    }
    if (n !== this.shownDeltas) this.stream.scrollTop = this.stream.scrollHeight;
    this.shownDeltas = n;
    this.stream.dataset.deltas = String(n);
  }

  private filesTo(t: number): void {
    const files = this.st.model.files;
    const n = countUpTo(files.length, (i) => files[i].tMs, t);
    if (n === this.shownFiles) return;
    const grew = n > this.shownFiles && this.shownFiles >= 0;
    this.shownFiles = n;
    clear(this.files);
    if (n === 0) return;
    const last = files[n - 1];
    const head = el('h4', { class: grew ? 'flash' : '' }, `${last.op} ${last.path} at ${at(last.tMs)}${last.toolNames.length ? ` (${last.toolNames.join(', ')})` : ''}`);
    append(this.files, head, diffView(last));
    if (n > 1) {
      const earlier = el('ul', { class: 'earlier' });
      for (const f of files.slice(Math.max(0, n - 11), n - 1).reverse()) append(earlier, el('li', {}, `${at(f.tMs)} ${f.op} ${f.path}`));
      append(this.files, el('div', { class: 'muted' }, `${n - 1} earlier change${n > 2 ? 's' : ''}:`), earlier);
    }
    this.files.dataset.applied = String(n);
  }
}
