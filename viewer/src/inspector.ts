// The request inspector: figures, headers (redacted as stored), the request body rebuilt from its delta
// chain, what changed since the previous request of the same conversation, the response and its events
// with their times. Bodies can be large (a 75 KB system prompt on every request): long texts are cut
// with a button to show the rest, and event lists grow in pages.
import jsonpatch from 'fast-json-patch';
import type { RequestModel } from '../../analysis/model.js';
import { bodyJson, bodyText } from '../../format/body.js';
import { formatSse, sseEventName } from '../../format/sse.js';
import type { Body, Headers, WsMessageRecord } from '../../format/types.js';
import type { ViewerState } from './state.js';
import { append, clear, el, facts } from './dom.js';
import { at, bytes, clip, dur, int, rate } from './fmt.js';
import { waterfallView } from './waterfall.js';

const TEXT_LIMIT = 200_000;
const EVENTS_PAGE = 300;

interface Inspected {
  headers: Headers | null;
  method: string;
  body: unknown;
  bodyIsJson: boolean;
  bodyNote: string | null;
  status: string | null;
  responseHeaders: Headers | null;
  events: Array<{ tMs: number; label: string; text: string }>;
}

function bodyValue(b: Body): { value: unknown; json: boolean; note: string | null } {
  if (b.enc === 'dropped') return { value: '', json: false, note: `dropped by the recorder under load (${bytes(b.length)})` };
  if (b.enc === 'patch') return { value: '', json: false, note: 'stored as a patch that could not be rebuilt' };
  const v = bodyJson(b);
  if (v !== undefined) return { value: v, json: true, note: null };
  if (b.enc === 'bytes') return { value: '', json: false, note: `${bytes(b.bytes.length)} of binary data` };
  return { value: bodyText(b), json: false, note: null };
}

/** The analysis's exchange of a request, turned into what the inspector shows. */
export function exchangeOf(st: ViewerState, r: RequestModel): Inspected {
  const ex: Inspected = { headers: null, method: 'POST', body: '', bodyIsJson: false, bodyNote: null, status: null, responseHeaders: null, events: [] };
  const x = st.exchanges.byId.get(r.id);
  if (!x) return ex;
  const setBody = (body: Body): void => {
    const b = bodyValue(body);
    ex.body = b.value;
    ex.bodyIsJson = b.json;
    ex.bodyNote = b.note;
  };
  const frameEvent = (rec: WsMessageRecord): void => {
    const b = bodyValue(rec.data);
    const text = b.note ?? (b.json ? JSON.stringify(b.value) : String(b.value));
    const type = b.json && typeof b.value === 'object' && b.value !== null ? String((b.value as { type?: unknown }).type ?? '') : '';
    ex.events.push({ tMs: rec.t / 1000, label: `${rec.dir === 'up' ? '↑' : '↓'} ${type || 'frame'}`, text });
  };
  if (x.transport === 'websocket') {
    const open = st.exchanges.socketById.get(x.socket)?.open;
    if (open) {
      ex.headers = open.headers;
      ex.method = 'GET (WebSocket)';
      ex.status = open.status !== undefined ? `${open.status} (handshake)` : null;
      ex.responseHeaders = open.responseHeaders ?? null;
    }
    if (x.request) {
      setBody(x.request.data);
      frameEvent(x.request);
    }
    for (const f of x.frames) frameEvent(f);
    if (x.end && x.end.kind === 'ws-close') ex.events.push({ tMs: x.end.t / 1000, label: 'socket closed', text: `${x.end.code} ${x.end.reason} (by ${x.end.by})` });
    return ex;
  }
  if (x.request) {
    ex.headers = x.request.headers;
    ex.method = x.request.method;
    setBody(x.request.body);
  }
  if (x.head) {
    ex.status = `${x.head.status} ${x.head.statusText}`;
    ex.responseHeaders = x.head.headers;
    ex.events.push({ tMs: x.head.t / 1000, label: 'response head', text: `${x.head.status} ${x.head.statusText}` });
  }
  for (const rec of x.frames) {
    const tMs = rec.t / 1000;
    if (rec.sse) {
      const text = formatSse(rec.sse);
      ex.events.push({ tMs, label: sseEventName(rec.sse) ?? 'message', text: text.replace(/\n+$/, '') });
    } else if (rec.chunk) {
      ex.events.push({ tMs, label: 'body', text: rec.chunk.enc === 'dropped' ? `(dropped, ${bytes(rec.chunk.length)})` : rec.chunk.enc === 'bytes' ? `${bytes(rec.chunk.bytes.length)} binary` : bodyText(rec.chunk) });
    }
  }
  if (x.end) ex.events.push({ tMs: x.end.t / 1000, label: `end (${x.end.outcome})`, text: `${x.end.message ?? ''} ${int(x.end.bytes)} bytes`.trim() });
  return ex;
}

/** The request this one most likely extends: the previous one of the same conversation thread. */
export function previousRequest(st: ViewerState, r: RequestModel): RequestModel | null {
  const reqs = st.model.requests;
  for (let i = r.index - 1; i >= 0; i--) if (r.thread !== null && reqs[i].thread === r.thread) return reqs[i];
  return r.index > 0 ? reqs[r.index - 1] : null;
}

/** A <pre> holding text, cut at TEXT_LIMIT with a button for the rest. */
function longText(text: string, cls = 'code'): HTMLElement {
  const pre = el('pre', { class: cls });
  if (text.length <= TEXT_LIMIT) {
    pre.textContent = text;
    return pre;
  }
  pre.textContent = text.slice(0, TEXT_LIMIT);
  const more = el('button', { class: 'more' }, `show the remaining ${bytes(text.length - TEXT_LIMIT)}`);
  more.addEventListener('click', () => {
    pre.textContent = text;
    more.remove();
  });
  return el('div', {}, pre, more);
}

function headerTable(h: Headers | null): HTMLElement {
  if (!h) return el('p', { class: 'muted' }, 'none recorded');
  const t = el('table', { class: 'headers' });
  for (const name of Object.keys(h).sort()) {
    const v = h[name];
    append(t, el('tr', {}, el('th', {}, name), el('td', {}, Array.isArray(v) ? v.join('\n') : v)));
  }
  return t;
}

function section(title: string, open: boolean, ...body: Array<Node | string>): HTMLElement {
  const d = el('details', { class: 'section' }, el('summary', {}, title), ...body);
  d.open = open;
  return d;
}

function changesView(prev: unknown, cur: unknown): HTMLElement {
  let ops: jsonpatch.Operation[];
  try {
    ops = jsonpatch.compare(prev as object, cur as object);
  } catch {
    return el('p', { class: 'muted' }, 'the two bodies cannot be compared');
  }
  if (ops.length === 0) return el('p', { class: 'muted' }, 'identical to the previous request');
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  const list = el('ol', { class: 'changes' });
  for (const o of ops.slice(0, 500)) {
    const value = 'value' in o ? JSON.stringify(o.value, null, 2) : 'from' in o ? `from ${o.from}` : '';
    append(list, el('li', { class: `op op-${o.op}` }, el('span', { class: 'op-name' }, o.op), ' ', el('code', {}, o.path || '/'), value ? longText(clip(value, 20_000), 'code small') : null));
  }
  return el(
    'div',
    {},
    el('p', {}, `${ops.length} change${ops.length === 1 ? '' : 's'}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}${ops.length > 500 ? ' (first 500 shown)' : ''}`),
    list,
  );
}

function eventsView(ex: Inspected, startMs: number): HTMLElement {
  const table = el('table', { class: 'events' });
  append(table, el('tr', {}, el('th', {}, 'at'), el('th', {}, '+'), el('th', {}, 'event'), el('th', {}, 'data')));
  let shown = 0;
  const wrap = el('div', {}, table);
  const page = (): void => {
    const end = Math.min(ex.events.length, shown + EVENTS_PAGE);
    for (let i = shown; i < end; i++) {
      const e = ex.events[i];
      append(table, el('tr', {}, el('td', {}, at(e.tMs)), el('td', {}, `+${dur(e.tMs - startMs)}`), el('td', {}, e.label), el('td', {}, el('code', {}, clip(e.text, 600)))));
    }
    shown = end;
    more.hidden = shown >= ex.events.length;
    more.textContent = `show ${Math.min(EVENTS_PAGE, ex.events.length - shown)} more of ${int(ex.events.length - shown)}`;
  };
  const more = el('button', { class: 'more' });
  more.addEventListener('click', page);
  append(wrap, more);
  page();
  return wrap;
}

function outputView(r: RequestModel): HTMLElement {
  const box = el('div', { class: 'output' });
  let kind = '';
  let block = -1;
  let cur: HTMLElement | null = null;
  let buf = '';
  const flush = (): void => {
    if (cur) cur.textContent = buf;
  };
  for (const d of r.deltas) {
    if (d.kind !== kind || d.block !== block) {
      flush();
      kind = d.kind;
      block = d.block;
      buf = '';
      const call = d.kind === 'tool-args' ? r.toolCalls.find((c) => c.block === d.block) : undefined;
      cur = el('pre', { class: `stream stream-${d.kind}` });
      append(box, el('div', { class: 'stream-label' }, d.kind === 'tool-args' ? `tool call ${call ? call.name : ''}` : d.kind), cur);
    }
    buf += d.text;
  }
  flush();
  for (const c of r.toolCalls) if (!r.deltas.hasToolArgs(c.block)) append(box, el('div', { class: 'stream-label' }, `tool call ${c.name}`), el('pre', { class: 'stream stream-tool-args' }, c.arguments));
  if (!box.firstChild) append(box, el('p', { class: 'muted' }, 'no content'));
  return box;
}

export class Inspector {
  onZoom: ((r: RequestModel) => void) | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    st.on('select', () => this.render());
    this.render();
  }

  render(): void {
    const st = this.st;
    clear(this.host);
    const r = st.selected ? st.byId.get(st.selected) : undefined;
    if (!r) {
      append(this.host, el('p', { class: 'muted' }, 'Click a request on the timeline (or in the list below) to inspect it.'), this.requestList());
      return;
    }
    this.host.dataset.request = r.id;
    const ex = exchangeOf(st, r);
    const prev = previousRequest(st, r);
    const zoom = el('button', {}, 'zoom to it');
    zoom.addEventListener('click', () => this.onZoom?.(r));
    const close = el('button', { attrs: { 'aria-label': 'close the inspector' } }, 'back to the list');
    close.addEventListener('click', () => st.select(null));
    const nav = el('span', { class: 'nav' });
    for (const [label, d] of [['◀ previous', -1], ['next ▶', 1]] as const) {
      const to = st.model.requests[r.index + d];
      const b = el('button', {}, label);
      b.disabled = !to;
      if (to) b.addEventListener('click', () => st.select(to.id));
      append(nav, b);
    }
    append(
      this.host,
      el('div', { class: 'inspector-head' }, el('h3', { attrs: { 'data-testid': 'inspector-title' } }, `${r.critical ? 'Request' : 'Side request'} ${r.id}`), nav, zoom, close),
      el('p', { class: 'url' }, `${ex.method} ${r.url} · ${r.protocol} over ${r.transport}${r.model ? ` · ${r.model}` : ''}`),
      r.error && !r.inProgress ? el('p', { class: 'error' }, r.error) : null,
      facts([
        ['status', `${r.inProgress ? 'in progress' : r.status}${r.httpStatus !== null ? ` (HTTP ${r.httpStatus})` : ''}`],
        ['start', at(r.startMs)],
        ['first byte', r.firstByteMs !== null ? `+${dur(r.firstByteMs - r.startMs)}` : null],
        ['TTFT', dur(r.ttftMs)],
        ['stream', dur(r.streamMs)],
        ['end', `${at(r.endMs)} (${dur(r.endMs - r.startMs)})`],
        ['tokens in', int(r.inputTokens)],
        ['cache read / write', `${int(r.cacheReadTokens)} / ${int(r.cacheWriteTokens)}`],
        ['tokens out', r.outputTokens !== null ? int(r.outputTokens) : `≈${int(r.outputTokensEstimate)} (estimated)`],
        ['speed', rate(r.tokensPerSecond)],
        ['inter-token gaps', r.gaps ? `p50 ${dur(r.gaps.p50Ms)} · p99 ${dur(r.gaps.p99Ms)} · max ${dur(r.gaps.maxMs)}` : null],
        ['stalls', r.stalls.length ? r.stalls.map((s) => `${dur(s.gapMs)} at ${at(s.startMs)}`).slice(0, 5).join(', ') : 'none'],
        ['stop reason', r.stopReason],
        ['critical path', r.critical ? `yes${r.turn !== null ? `, turn ${r.turn + 1}` : ''}` : 'no (side request)'],
        ['waited on', r.dependsOn ? `${r.dependsOn} (${r.dependency})` : null],
        ['messages', r.messageCount],
      ]),
      r.network ? section('Timing on the wire', true, waterfallView(r, st.model.transport)!) : null,
      section('Request headers (as recorded, secrets redacted)', false, headerTable(ex.headers)),
      section(
        'Request body',
        false,
        ex.bodyNote ? el('p', { class: 'muted' }, ex.bodyNote) : longText(ex.bodyIsJson ? JSON.stringify(ex.body, null, 2) : String(ex.body)),
      ),
      section(
        prev ? `What changed since the previous request (${prev.id})` : 'What changed since the previous request',
        true,
        prev ? this.changes(prev, ex) : el('p', { class: 'muted' }, 'this is the first request'),
      ),
      section(`Response ${ex.status ?? ''}`.trim(), false, headerTable(ex.responseHeaders)),
      section('Output', true, outputView(r)),
      section(`Events (${int(ex.events.length)})`, false, eventsView(ex, r.startMs)),
    );
  }

  private changes(prev: RequestModel, ex: Inspected): HTMLElement {
    const p = exchangeOf(this.st, prev);
    if (!ex.bodyIsJson || !p.bodyIsJson) return el('p', { class: 'muted' }, 'one of the two bodies is not JSON');
    return changesView(p.body, ex.body);
  }

  /** With nothing selected: every request, clickable (also the keyboard way in). */
  private requestList(): HTMLElement {
    const t = el('table', { class: 'requests' });
    append(t, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'start'), el('th', {}, 'model'), el('th', {}, 'TTFT'), el('th', {}, 'stream'), el('th', {}, 'out'), el('th', {}, 'speed'), el('th', {}, 'stop'), el('th', {}, 'tools')));
    for (const r of this.st.model.requests.slice(0, 2000)) {
      const b = el('button', { class: 'linklike', attrs: { 'data-request': r.id } }, `${r.id}${r.critical ? '' : ' (side)'}`);
      b.addEventListener('click', () => this.st.select(r.id));
      append(
        t,
        el(
          'tr',
          { class: r.critical ? '' : 'side' },
          el('td', {}, b),
          el('td', {}, at(r.startMs)),
          el('td', {}, r.model ?? '—'),
          el('td', {}, dur(r.ttftMs)),
          el('td', {}, dur(r.streamMs)),
          el('td', {}, int(r.outputTokens)),
          el('td', {}, rate(r.tokensPerSecond)),
          el('td', {}, r.inProgress ? 'in progress' : (r.stopReason ?? r.status)),
          el('td', {}, clip(r.toolCalls.map((c) => c.name).join(', '), 40)),
        ),
      );
    }
    return t;
  }
}
