// The harness's terminal (term-output / term-resize / term-input records) and the user time it
// measures: answer drawn → first key = reading; first key → Enter = typing; Enter → request =
// the harness's submit latency; in a tool gap, a dialog drawn → read → answered with Enter is the
// person's, the rest (keys typed ahead included) the tool's. A collector fed records in order (handlers/terminal.ts runs it in the
// pass), and a pure function that splits the critical path's gaps by it (or, for interactive
// sessions recorded without a terminal, by the lead-in/tail rule); handlers/critical.ts applies it.
import type { KeyClass, TraceRecord } from '../format/types.js';
import { bodyText } from '../format/body.js';
import type { RequestModel, Segment, SegmentKind } from './model.js';

/**
 * Visible output that stops for this long means the harness has finished drawing: spinners tick
 * every 100–200 ms, while a TUI busy rendering a whole answer on a loaded machine pauses for 300 ms
 * and more between frames (Claude Code at a load of 10 per core).
 */
export const QUIET_MS = 500;

export interface TerminalModel {
  /** The size the harness started with (first entry), then every resize. */
  sizes: Array<{ tMs: number; cols: number; rows: number }>;
  /**
   * What the harness drew, in order; `text` is '' when analysed without detail or the bytes were shed.
   * `visible`: the chunk shows something (not only escape sequences: modes, a title, cursor moves).
   * `keepsDrawing`: it draws no character but is part of drawing (keepsDrawing): it asks the
   * terminal something or erases cells.
   */
  output: Array<{ tMs: number; text: string; visible: boolean; keepsDrawing: boolean }>;
  /** Keys pressed: class, how many in that read, a paste's length (else null). Never the text. */
  keys: Array<{ tMs: number; key: KeyClass; count: number; length: number | null }>;
  /** The person's measured time, as stretches of the critical path. */
  userSpans: Array<{ startMs: number; endMs: number; part: 'reading' | 'typing' }>;
}

export interface UserDetail {
  readingMs: number;
  typingMs: number;
}

/** Collects the terminal records of one trace (feed them in order). */
export class TerminalCollector {
  private readonly sizes: TerminalModel['sizes'] = [];
  private readonly output: TerminalModel['output'] = [];
  private readonly keys: TerminalModel['keys'] = [];
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly detail: boolean) {}

  add(rec: TraceRecord, tMs: number): void {
    if (rec.kind === 'term-resize') this.sizes.push({ tMs, cols: rec.cols, rows: rec.rows });
    else if (rec.kind === 'term-input') this.keys.push({ tMs, key: rec.key, count: rec.count, length: rec.length ?? null });
    else if (rec.kind === 'term-output') {
      if (rec.data.enc === 'dropped') {
        this.output.push({ tMs, text: '', visible: true, keepsDrawing: false });
        return;
      }
      // decoded across chunks: a character split between two reads (stored as bytes) is whole again
      const text = rec.data.enc === 'bytes' ? this.decoder.decode(rec.data.bytes, { stream: true }) : bodyText(rec.data);
      this.output.push({ tMs, text: this.detail ? text : '', visible: drawsSomething(text), keepsDrawing: keepsDrawing(text) });
    }
  }

  /** Null when the trace has no terminal records. */
  finish(): Omit<TerminalModel, 'userSpans'> | null {
    if (!this.sizes.length && !this.output.length && !this.keys.length) return null;
    return { sizes: this.sizes, output: this.output, keys: this.keys };
  }
}

/** Escape sequences (CSI, OSC, DCS/APC…, two-byte ESC) and C0 controls: what draws nothing by itself. */
const NOT_DRAWN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]|[\x00-\x1f\x7f]/g;

/**
 * Whether output shows anything on the screen. A harness starting up sets its terminal modes and
 * title first and draws its screen only later: those writes alone do not mean it has finished drawing.
 */
export function drawsSomething(text: string): boolean {
  return /\S/.test(text.replace(NOT_DRAWN, ''));
}

/**
 * Questions a harness asks its terminal, whose answers it waits for: device attributes, status and
 * cursor reports, XTVERSION, kitty keyboard flags, DECRQM, window reports, OSC queries (`…;?`),
 * XTGETTCAP / DECRQSS, a kitty graphics query.
 */
const ASKS = /\x1b\[[>=]?\d*c|\x1b\[\??[56]n|\x1b\[>\d*q|\x1b\[\?u|\x1b\[\??\d+\$p|\x1b\[(?:1[3-9]|2[01])t|\x1b\][\d;]*\?|\x1bP[+$]q|\x1b_G[^\x1b]*a=q/;

/** Erasing: blanks written over cells, or erase / delete / insert sequences (EL, ED, ECH, DCH, IL, DL, ICH). */
const ERASES = /\x1b\[[\d;]*[JKXPLM@]/;

/**
 * Output that draws no character yet belongs to a burst of drawing: a question to the terminal (the
 * harness is not idle but awaits the answer: Claude Code probes its terminal between drawing its
 * prompt and animating its logo) or erasing (the screen changes: that animation's first frame
 * blanks two cells). Modes, titles and cursor moves alone change nothing.
 */
export function keepsDrawing(text: string): boolean {
  return ASKS.test(text) || ERASES.test(text) || / /.test(text.replace(NOT_DRAWN, ''));
}

interface Part {
  kind: SegmentKind;
  startMs: number;
  endMs: number;
  reading?: boolean;
  typing?: boolean;
}

/**
 * The critical path with its user and idle stretches measured. With terminal records: the lead-in
 * before the first critical request, each `user` gap, and the tail after the last response are split
 * into harness (drawing, start-up, submit, shutdown) and user (reading, typing) by what was drawn and
 * when keys were pressed; a gap with no key pressed is the harness's. Without terminal records but in
 * an interactive session: the lead-in after the harness's own start-up requests and the tail after
 * the last answer (up to the harness's exit) are the person's. Otherwise the segments are returned
 * as they are, with no detail.
 */
export function measureUserTime(
  segments: readonly Segment[],
  chain: readonly RequestModel[],
  requests: readonly RequestModel[],
  terminal: Omit<TerminalModel, 'userSpans'> | null,
  opts: { interactive: boolean; exitMs: number | null },
): { segments: Segment[]; userDetail: UserDetail | null; userSpans: TerminalModel['userSpans'] } {
  if (!chain.length || (!terminal && !opts.interactive)) return { segments: [...segments], userDetail: null, userSpans: [] };
  const first = chain[0];
  const last = chain[chain.length - 1];
  const onChain = new Set(chain.map((r) => r.id));
  const out: Segment[] = [];
  const spans: TerminalModel['userSpans'] = [];
  const emit = (parts: Part[], requestId: string | null): void => {
    for (const p of parts) {
      if (p.endMs <= p.startMs) continue;
      const prev = out[out.length - 1];
      if (prev && prev.kind === p.kind && prev.endMs === p.startMs && prev.requestId === requestId && !p.reading && !p.typing) prev.endMs = p.endMs;
      else out.push({ kind: p.kind, startMs: p.startMs, endMs: p.endMs, requestId });
      if (p.reading || p.typing) spans.push({ startMs: p.startMs, endMs: p.endMs, part: p.reading ? 'reading' : 'typing' });
    }
  };
  for (const s of segments) {
    const leadIn = s.endMs <= first.startMs && s.kind === 'harness';
    const tail = s.startMs >= last.endMs && s.kind === 'harness';
    if (s.kind === 'tool' && terminal) {
      // Keys during a tool gap: only an answer to the harness (a permission dialog, ended by Enter)
      // is the person's; the rest of the gap, keys typed ahead included, is the tool's run.
      emit(splitByTerminal(s.startMs, s.endMs, terminal, false, 'tool'), s.requestId);
      continue;
    }
    if (!leadIn && !tail && s.kind !== 'user') {
      emit([{ kind: s.kind, startMs: s.startMs, endMs: s.endMs }], s.requestId);
      continue;
    }
    const parts = terminal ? splitByTerminal(s.startMs, s.endMs, terminal, tail) : splitByRule(s, leadIn, tail, requests.filter((r) => !onChain.has(r.id)), opts.exitMs);
    emit(parts, s.requestId);
  }
  if (!terminal) return { segments: out, userDetail: null, userSpans: [] };
  const userDetail: UserDetail = { readingMs: 0, typingMs: 0 };
  for (const sp of spans) userDetail[sp.part === 'reading' ? 'readingMs' : 'typingMs'] += sp.endMs - sp.startMs;
  return { segments: out, userDetail, userSpans: spans };
}

/**
 * One gap [from, to), as bursts of keys each ending in an Enter (a dialog answered, a command, the
 * prompt that sent the request): before each burst the harness draws until its output goes quiet,
 * then the person reads until the burst's first key and types until its Enter. Keys after the last
 * Enter (typed ahead while the harness submits) are the harness's time, except in the tail, where
 * the last burst (the quit: /exit, Ctrl-C twice) needs no Enter. A gap with keys but no Enter at all
 * (a one-key answer) is one burst up to its last key. The harness has the rest.
 * In a tool gap (`own` = 'tool') only bursts that end in Enter are the person's (a permission dialog
 * read and answered, on the path: the tool waited for it); keys with no Enter after them are typing
 * ahead while the tool runs, off the path, which the tool's run bounds; they count as typing when
 * the person finishes the line after the answer.
 */
function splitByTerminal(from: number, to: number, t: Omit<TerminalModel, 'userSpans'>, tail: boolean, own: 'harness' | 'tool' = 'harness'): Part[] {
  const keys = t.keys.filter((k) => k.tMs >= from && k.tMs < to);
  if (!keys.length) return [{ kind: own, startMs: from, endMs: to }];
  const bursts: Array<{ first: number; end: number }> = [];
  let first: number | null = null;
  for (const k of keys) {
    first ??= k.tMs;
    if (k.key === 'enter') {
      bursts.push({ first, end: k.tMs });
      first = null;
    }
  }
  if (first !== null && own === 'harness' && (tail || !bursts.length)) bursts.push({ first, end: keys[keys.length - 1].tMs });
  const parts: Part[] = [];
  let cursor = from;
  for (const b of bursts) {
    const drawn = quietPoint(t.output, cursor, b.first);
    parts.push({ kind: own, startMs: cursor, endMs: drawn }, { kind: 'user', startMs: drawn, endMs: b.first, reading: true }, { kind: 'user', startMs: b.first, endMs: b.end, typing: true });
    cursor = b.end;
  }
  parts.push({ kind: own, startMs: cursor, endMs: to });
  return parts;
}

/**
 * The end of the first burst of visible output after `from` that is followed by QUIET_MS of silence
 * (capped at `until`); writes that draw nothing (modes, titles) neither start nor extend a burst, and
 * a question to the terminal or erasing extends one but does not start it (a screen cleared at
 * start-up is not drawn yet). On a loaded machine the wait for the terminal's answer, or the time
 * to an animation's next frame, can each outlast QUIET_MS alone; the burst then carries on.
 */
function quietPoint(output: TerminalModel['output'], from: number, until: number): number {
  let lo = 0;
  let hi = output.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (output[mid].tMs < from) lo = mid + 1;
    else hi = mid;
  }
  let drawn: number | null = null;
  let busy = from; // the burst's last sign of work: drawing, or asking the terminal
  for (let i = lo; i < output.length && output[i].tMs < until; i++) {
    const o = output[i];
    if (!o.visible && !(o.keepsDrawing && drawn !== null)) continue;
    if (drawn !== null && o.tMs - busy >= QUIET_MS) break;
    if (o.visible) drawn = o.tMs;
    busy = o.tMs;
  }
  return Math.min(drawn ?? from, until);
}

/** No terminal records, interactive session: the idle lead-in and tail are the person's. */
function splitByRule(s: Segment, leadIn: boolean, tail: boolean, side: readonly RequestModel[], exitMs: number | null): Part[] {
  if (leadIn) {
    // the harness's own start-up requests (quota checks, titles of a resumed session…) are harness time
    let startUp = s.startMs;
    for (const r of side) if (r.endMs <= s.endMs && r.endMs > startUp) startUp = r.endMs;
    return [
      { kind: 'harness', startMs: s.startMs, endMs: startUp },
      { kind: 'user', startMs: startUp, endMs: s.endMs },
    ];
  }
  if (tail) {
    const end = exitMs !== null && exitMs > s.startMs && exitMs < s.endMs ? exitMs : s.endMs;
    return [
      { kind: 'user', startMs: s.startMs, endMs: end },
      { kind: 'harness', startMs: end, endMs: s.endMs },
    ];
  }
  return [{ kind: s.kind, startMs: s.startMs, endMs: s.endMs }];
}
