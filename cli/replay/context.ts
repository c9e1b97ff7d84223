// What the HTTP and WebSocket halves of the replay server share: the cassette and its matchers, the
// pacing, the optional trace of the replay, the log, and the running counts.
import type { Cassette, Recorded, RecordedHttp, RecordedTurn } from './cassette.js';
import type { Match, MatchOptions } from './matcher.js';
import { Matcher } from './matcher.js';
import type { Pacing } from './pacing.js';
import type { TraceOut } from './trace-out.js';

export interface ReplayStats {
  /** Requests (HTTP) and responses (WebSocket) answered from the recording. */
  served: number;
  /** Served although the closest recording was below the similarity threshold, or already played. */
  mismatched: number;
  /** Refused: 409 / error event (--strict), or 404 / 426 for paths never recorded. */
  refused: number;
  /** The client went away before the response was complete. */
  aborted: number;
}

export interface ServedLog {
  /** What arrived: method (or WS) and path as sent. */
  method: string;
  url: string;
  recorded: Recorded;
  similarity: number;
  replayed: boolean;
  status: number | null;
  recordedTtftMs: number | null;
  servedTtftMs: number | null;
  recordedMs: number;
  servedMs: number;
  pieces: number;
  /** What a piece is: an SSE event, a body chunk, a WebSocket frame. */
  unit: 'event' | 'chunk' | 'frame';
  outcome: 'complete' | 'aborted' | 'error';
}

export class ReplayContext {
  readonly http: Matcher<RecordedHttp>;
  readonly ws: Matcher<RecordedTurn>;
  readonly stats: ReplayStats = { served: 0, mismatched: 0, refused: 0, aborted: 0 };
  /** Cancels everything still being played (server shutdown). */
  readonly live = new Set<() => void>();

  constructor(
    readonly cassette: Cassette,
    readonly pacing: Pacing,
    readonly match: MatchOptions,
    readonly out: TraceOut | null,
    private readonly print: (line: string) => void,
  ) {
    this.http = new Matcher(cassette.http);
    this.ws = new Matcher(cassette.turns);
  }

  log(line: string): void {
    this.print(`lapse replay: ${line}`);
  }

  warn(line: string): void {
    this.print(`lapse replay: warning: ${line}`);
  }

  /** Warns about a match that is served although it is not a good one. */
  noteMatch(method: string, url: string, m: Match<Recorded>): void {
    if (!m.item) return;
    if (m.replayed) {
      this.stats.mismatched++;
      this.warn(`${method} ${url}: every recorded request for it was played already; serving ${m.item.id} again (similarity ${m.similarity.toFixed(2)})`);
    } else if (m.similarity < this.match.threshold) {
      this.stats.mismatched++;
      this.warn(`${method} ${url}: closest recording ${m.item.id} has similarity ${m.similarity.toFixed(2)} (< ${this.match.threshold}); serving it anyway (--strict refuses)`);
    }
  }

  served(s: ServedLog): void {
    if (s.outcome === 'aborted') this.stats.aborted++;
    const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)}`);
    const what = s.outcome === 'complete' ? '' : s.outcome === 'aborted' ? ' — client went away' : ' — cut as recorded';
    this.log(
      `${s.method} ${s.url} ← ${s.recorded.id}${s.similarity < 1 ? ` (similarity ${s.similarity.toFixed(2)})` : ''}` +
        `${s.status !== null ? ` ${s.status}` : ''}, ${s.pieces} ${s.unit}${s.pieces === 1 ? '' : 's'}: ` +
        `ttft ${ms(s.recordedTtftMs)} → ${ms(s.servedTtftMs)} ms, total ${ms(s.recordedMs)} → ${ms(s.servedMs)} ms${what}`,
    );
  }
}

/** Error body for refusals, readable by both vendors' SDKs (Anthropic `type/error.type`, OpenAI `error.code`). */
export function mismatchBody(message: string, closest: { id: string; path: string; similarity: number } | null, kind = 'replay_mismatch'): Record<string, unknown> {
  return {
    type: 'error',
    error: { type: kind, code: kind, message: `lapse replay: ${message}`, closest },
  };
}

/** The closest recording, for an error message. */
export function closestOf(m: Match<Recorded>): { id: string; path: string; similarity: number } | null {
  return m.item ? { id: m.item.id, path: m.item.url, similarity: Math.round(m.similarity * 1000) / 1000 } : null;
}
