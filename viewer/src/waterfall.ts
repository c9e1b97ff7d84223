// The inspector's round-trip waterfall (like Chrome DevTools' timing tab): one row per phase of the
// request on the wire — connection setup, upload, the server's wait, the download — each a bar placed
// on the request's own time axis. A response asked for over a WebSocket has no setup of its own: its
// socket's connection, set up once before, is a line under the bars. Phases, names and colours come
// from analysis/present.ts.
import type { RequestModel, TransportSummary } from '../../analysis/model.js';
import { socketSetupSentence, WIRE_PHASE_HEX, WIRE_PHASE_LABEL, WIRE_PHASE_SIDE, wirePhases } from '../../analysis/present.js';
import { append, el } from './dom.js';
import { bytes, dur, pct } from './fmt.js';

/** Null when the request has no wire timing (WebSocket turns, imported or older traces). */
export function waterfallView(r: RequestModel, transport: TransportSummary | null): HTMLElement | null {
  const phases = wirePhases(r);
  const n = r.network;
  if (!phases || !n) return null;
  const total = phases.reduce((end, p) => Math.max(end, p.startMs + p.ms), 0) || 1;
  const table = el('table', { class: 'waterfall', attrs: { 'data-testid': 'waterfall' } });
  let side = '';
  for (const p of phases) {
    const group = WIRE_PHASE_SIDE[p.phase];
    if (group !== side) {
      side = group;
      append(table, el('tr', { class: 'waterfall-group' }, el('th', { attrs: { colspan: '3' } }, group === 'network' ? (n.socket !== null ? `Network (WebSocket ${n.socket}, open already)` : n.reused ? 'Network (reused connection)' : 'Network (new connection)') : group === 'server' ? 'Server' : 'Response')));
    }
    const bar = el('div', { class: 'waterfall-bar' });
    bar.style.left = `${(p.startMs / total) * 100}%`;
    bar.style.width = `max(1px, ${(p.ms / total) * 100}%)`;
    bar.style.background = WIRE_PHASE_HEX[p.phase];
    const track = el('div', { class: 'waterfall-track' }, bar);
    if (p.resentMs > 0) {
      // the upload's re-sent part, hatched: what incremental input would not send
      const resent = el('div', { class: 'waterfall-resent', title: `${bytes(n.resentBytes)} repeating ${n.resentFrom ?? 'an earlier request'}` });
      resent.style.left = `${(p.startMs / total) * 100}%`;
      resent.style.width = `${(p.resentMs / total) * 100}%`;
      append(track, resent);
    }
    append(table, el('tr', { attrs: { 'data-phase': p.phase } }, el('td', {}, WIRE_PHASE_LABEL[p.phase]), el('td', { class: 'waterfall-cell' }, track), el('td', { class: 'num' }, dur(p.ms))));
  }
  const wait = n.setupMs + n.uploadMs + n.serverMs;
  const note = el(
    'p',
    { class: 'muted' },
    `Model wait ${dur(wait)}: network ${dur(n.setupMs + n.uploadMs)} (${pct(n.setupMs + n.uploadMs, wait)}), server ${dur(n.serverMs)}. ` +
      `${bytes(n.bytesUp)} up${n.resentBytes > 0 ? `, ${bytes(n.resentBytes)} of it repeating ${n.resentFrom ?? 'an earlier request'}` : ''}${n.bytesDown !== null ? ` · ${bytes(n.bytesDown)} down` : ''}.` +
      (n.uploadEnd === 'sent' && n.uploadMs >= 1 ? ' The upload ends when the last byte was handed to the operating system: on a slow uplink it reads short.' : ''),
  );
  const socket = n.socket !== null ? transport?.sockets.find((w) => w.id === n.socket) : undefined;
  const connection = socket ? el('p', { class: 'muted', attrs: { 'data-testid': 'waterfall-socket' } }, `${socketSetupSentence(socket)}, before its first response.`) : null;
  return el('div', {}, table, note, connection);
}
