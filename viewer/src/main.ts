// Boot: find a trace (the lapse server's, or one the user opens or drops), read it progressively while
// the timeline paints a preview, then build the views on the session model.
import './style.css';
import { LoadError, fileSource, loadProgressive, serverSource, type ByteSource } from './load.js';
import { ViewerState } from './state.js';
import { Timeline } from './timeline.js';
import { SummaryBars, renderTotals } from './summary.js';
import { SimPanel } from './sim-panel.js';
import { Player } from './player.js';
import { DetailPane } from './detail.js';
import { Inspector } from './inspector.js';
import { FilesView } from './files-view.js';
import { TerminalView } from './terminal-view.js';
import { append, byId, clear, el } from './dom.js';
import { bytes, clip } from './fmt.js';
import { fetchReport, renderSessions } from './sessions.js';
import { dropRequest, traceUrl } from './early.js';
import { LiveFollow, type LiveStatus, type LiveUpdate } from './live.js';

interface Current {
  state: ViewerState;
  timeline: Timeline;
  player: Player;
  terminal: TerminalView | null;
  /** Set while following a trace that is being recorded (and after it ended, for its status). */
  live: LiveFollow | null;
}

/** Handles for tests and the bench (read-only use). */
declare global {
  interface Window {
    __lapse?: { current: Current | null; timeline: Timeline | null; loads: number };
  }
}
const debug: { current: Current | null; timeline: Timeline | null; loads: number } = { current: null, timeline: null, loads: 0 };
window.__lapse = debug;

/** A fresh copy of a host element, so views of a previously opened trace let go of it. */
function fresh(id: string): HTMLElement {
  const old = byId(id);
  const n = old.cloneNode(false) as HTMLElement;
  old.replaceWith(n);
  return n;
}

function setState(s: 'loading' | 'ready' | 'error' | 'empty' | 'sessions'): void {
  document.body.dataset.state = s;
  byId('sessions').hidden = s !== 'sessions';
  byId('empty').hidden = s !== 'empty';
  byId('loading').hidden = s !== 'loading';
  byId('error').hidden = s !== 'error';
}

function showError(message: string): void {
  const box = byId('error');
  clear(box);
  append(box, el('strong', {}, 'Cannot show this trace. '), message);
  setState('error');
}

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  byId('inspector').hidden = name !== 'inspector';
  byId('files').hidden = name !== 'files';
}

let loading = 0;

async function open(src: ByteSource): Promise<void> {
  const my = ++loading;
  debug.current?.player.dispose();
  debug.current?.live?.stop();
  debug.timeline?.setLive(null);
  debug.current = null;
  showLive(null);
  setState('loading');
  byId('loading').textContent = `reading ${src.name}${src.total ? ` (${bytes(src.total)})` : ''}…`;
  const timeline = new Timeline(fresh('timeline'));
  debug.timeline = timeline;
  let first = true;
  try {
    const loaded = await loadProgressive(src, async (p) => {
      if (my !== loading) return;
      timeline.showPreview(p);
      if (first) {
        first = false;
        // Let this frame reach the screen before reading on.
        await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        performance.mark('lapse:first-paint');
      }
    });
    if (my !== loading) return;
    // trace read and session model built (the bench's phases: first paint → read → ready)
    performance.mark('lapse:read');
    const st = new ViewerState(loaded.name, loaded.model, loaded.exchanges);
    build(st, timeline);
    setState('ready');
    requestAnimationFrame(() => performance.mark('lapse:ready'));
    debug.loads++;
    if (loaded.follow) follow(loaded.name, loaded.follow, st, timeline, my);
  } catch (err) {
    if (my !== loading) return;
    showError(err instanceof LoadError ? err.message : clip(String((err as Error)?.message ?? err), 300));
  }
}

/** The header's live badge: recording (the now line moves), ended, or the connection lost. */
function showLive(status: LiveStatus | null): void {
  const badge = byId('live');
  badge.hidden = status === null;
  badge.dataset.status = status ?? '';
  badge.textContent = status === 'live' ? '● live: recording' : status === 'ended' ? 'recording ended' : status === 'lost' ? 'live: lost the connection to lapse view' : '';
  badge.title = status === 'live' ? 'this trace is still being recorded; new requests appear as they end' : '';
}

/**
 * A trace still being recorded: new records arrive over the server's WebSocket and the views are
 * built again on each snapshot, keeping the profile, the selection and the zoom.
 */
function follow(name: string, f: NonNullable<Awaited<ReturnType<typeof loadProgressive>>['follow']>, first: ViewerState, timeline: Timeline, my: number): void {
  let prev = first;
  const live = new LiveFollow(name, f.reader, f.builder, f.records, (u: LiveUpdate) => {
    if (my !== loading) return live.stop();
    const st = new ViewerState(name, u.model, u.exchanges);
    st.carry(prev);
    prev = st;
    debug.current?.player.dispose();
    build(st, timeline);
    timeline.setLive(u.status === 'live' ? u.model.session?.startedAt ?? null : null);
    debug.current!.live = live;
    showLive(u.status);
  });
  debug.current!.live = live;
  timeline.setLive(first.model.session?.startedAt ?? null);
  showLive('live');
  live.start(first.model);
}

function build(st: ViewerState, timeline: Timeline): void {
  const m = st.model;
  const harness = m.session ? [m.session.harness ?? '', m.session.argv.join(' ')].filter(Boolean).join(' · ') : '';
  byId('title').textContent = clip(`${st.name}${harness ? ` — ${harness}` : ''}`, 160);
  document.title = `lapse · ${st.name}`;
  const warnings = fresh('warnings');
  for (const w of m.warnings) append(warnings, el('p', { class: 'warning' }, w));
  renderTotals(fresh('totals'), st);
  new SummaryBars(fresh('bars'), st);
  const simHost = fresh('sim-panel');
  const player = new Player(fresh('player'), st);
  new SimPanel(simHost, st);
  timeline.attach(st);
  timeline.onSeek = (t) => player.seekOrig(t);
  new DetailPane(fresh('detail'), st);
  const termHost = fresh('terminal');
  termHost.hidden = !m.terminal;
  const terminal = m.terminal ? new TerminalView(termHost, st, m.terminal) : null;
  const inspector = new Inspector(fresh('inspector'), st);
  inspector.onZoom = (r) => {
    const pad = (r.endMs - r.startMs) * 0.15 + 1;
    timeline.zoomTo(r.startMs - pad, r.endMs + pad);
  };
  const files = new FilesView(fresh('files'), st);
  files.onShow = () => showTab('files');
  st.on('select', () => st.selected && showTab('inspector'));
  showTab('inspector');
  debug.current = { state: st, timeline, player, terminal, live: null };
}

function boot(): void {
  performance.mark('lapse:boot');
  byId('reset-zoom').addEventListener('click', () => debug.timeline?.resetZoom());
  const input = byId<HTMLInputElement>('file-input');
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void open(fileSource(f));
    input.value = '';
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab ?? 'inspector'));
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (f) void open(fileSource(f));
  });
  void fetchReport().then(async (report) => {
    const pick = new URLSearchParams(location.search).get('i');
    if (report && pick === null) {
      // the sessions page (`lapse view` with no trace, or --report): a click opens one
      dropRequest(traceUrl(location.search));
      renderSessions(byId('sessions'), report, (i) => (location.search = `?i=${i}`));
      setState('sessions');
      return;
    }
    byId('to-sessions').hidden = !report;
    const src = await serverSource(traceUrl(location.search));
    performance.mark('lapse:trace-response');
    if (src) void open(src);
    else setState('empty');
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
