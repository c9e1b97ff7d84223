// When each piece of a recorded response is sent, in ms after the request arrived. The bytes never
// change; only their times do:
// - `recorded`: the recorded offsets ÷ speed (speed 1 = as recorded);
// - `instant`: everything at once;
// - `profile`: the simulation's own retime rule (analysis/simulate.ts retimeRequest) — the wait
//   (request → first content) and the stream (first content → end) retimed as `lapse simulate` does,
//   from the same recorded figures (a `persistent` profile's connection setup, re-sent upload and
//   per-token overhead included); the pieces inside each span keep their relative places in it.
import type { SimProfile } from '../../analysis/model.js';
import { recordedTiming, retimeRequest } from '../../analysis/simulate.js';
import { describeProfile } from '../../analysis/present.js';
import type { RecordedHttp, RecordedTurn } from './cassette.js';

export type Pacing = { kind: 'recorded'; speed: number } | { kind: 'instant' } | { kind: 'profile'; profile: SimProfile };

export interface Plan {
  /** Response head (HTTP only). */
  headMs: number;
  /** One offset per piece, non-decreasing. */
  pieceMs: number[];
  /** Response end. */
  endMs: number;
  /** Planned time of the first content-bearing piece (null if the response has none). */
  ttftMs: number | null;
  /** Index of the first piece at or after the recorded first content. */
  firstContentPiece: number | null;
}

export function describePacing(p: Pacing): string {
  if (p.kind === 'instant') return 'instant (no waits)';
  if (p.kind === 'recorded') return p.speed === 1 ? 'as recorded' : `as recorded, ${p.speed}× faster`;
  // the words `lapse simulate` uses for the same profile
  return `profile ${p.profile.name} (${describeProfile(p.profile)})`;
}

/** Maps a recorded offset (ms after the request) to the served one. */
function retimer(r: RecordedHttp | RecordedTurn, p: Pacing): (rel: number) => number {
  if (p.kind === 'instant') return () => 0;
  if (p.kind === 'recorded') return (rel) => rel / p.speed;
  const { firstContentMs, outputTokens, outputTokensEstimate, network, gaps } = r.timing;
  const rec = recordedTiming({ startMs: r.startMs, endMs: r.endMs, firstContentMs, outputTokens, outputTokensEstimate, network, gaps, transport: r.kind === 'ws' ? 'websocket' : 'http' });
  const { waitMs: wait, streamMs: stream } = rec;
  const total = wait + stream;
  const { waitMs: newWait, streamMs: newStream } = retimeRequest(p.profile, rec);
  return (rel) => {
    if (rel <= wait) return wait > 0 ? (rel / wait) * newWait : 0;
    if (stream <= 0) return newWait;
    return newWait + (Math.min(rel, total) - wait) * (newStream / stream);
  };
}

export function planResponse(r: RecordedHttp | RecordedTurn, headAtMs: number | null, p: Pacing): Plan {
  const map = retimer(r, p);
  const rel = (t: number) => Math.max(0, t - r.startMs);
  const pieceMs: number[] = [];
  let last = 0;
  for (const piece of r.pieces) {
    last = Math.max(last, map(rel(piece.tMs)));
    pieceMs.push(last);
  }
  const headMs = headAtMs === null ? 0 : Math.min(map(rel(headAtMs)), pieceMs[0] ?? Infinity);
  const endMs = Math.max(last, map(rel(r.endMs)));
  const fc = r.timing.firstContentMs;
  let firstContentPiece: number | null = null;
  if (fc !== null) {
    // Pieces carry the arrival time of the frame that held the delta, the same clock the analysis used.
    const i = r.pieces.findIndex((x) => x.tMs >= fc - 1e-6);
    if (i !== -1) firstContentPiece = i;
  }
  return { headMs, pieceMs, endMs, ttftMs: firstContentPiece === null ? null : pieceMs[firstContentPiece], firstContentPiece };
}
