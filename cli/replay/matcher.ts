// Cassette-player matching: the unplayed recorded request with the same method and path whose body
// is most like the one that arrived; among near-equals the earliest recorded, so repeated identical
// requests play back in their recorded order.
import type { Recorded } from './cassette.js';
import { similarity, type BodyFeatures } from './similarity.js';

/** Scores closer than this count as a tie, broken by recorded order. */
const TIE = 0.01;

export interface Match<T extends Recorded> {
  /** What to serve; null when nothing was recorded for this method and path at all. */
  item: T | null;
  similarity: number;
  /** Every recorded request for this method and path had already been played. */
  replayed: boolean;
  /** In --strict mode: why this is refused (below the threshold, or nothing unplayed). */
  refusal: string | null;
}

export interface MatchOptions {
  strict: boolean;
  /** Similarity below this is a mismatch (refused with --strict, warned otherwise). */
  threshold: number;
}

function best<T extends Recorded>(items: T[], f: BodyFeatures): { item: T; score: number } | null {
  if (items.length === 0) return null;
  const scores = items.map((item) => similarity(f, item.features));
  const max = Math.max(...scores);
  // items are in recorded order: the first one within TIE of the best is the earliest near-equal.
  const i = scores.findIndex((s) => s >= max - TIE);
  return { item: items[i], score: scores[i] };
}

export class Matcher<T extends Recorded> {
  private readonly byKey = new Map<string, T[]>();

  constructor(items: T[]) {
    for (const it of [...items].sort((a, b) => a.order - b.order)) {
      const key = `${it.method} ${it.path}`;
      let list = this.byKey.get(key);
      if (!list) this.byKey.set(key, (list = []));
      list.push(it);
    }
  }

  /** Recorded items for a method and path (for messages naming the closest). */
  candidates(method: string, path: string): T[] {
    return this.byKey.get(`${method.toUpperCase()} ${path}`) ?? [];
  }

  /** Picks the recording to serve and marks it played (unless refused). */
  match(method: string, path: string, f: BodyFeatures, opts: MatchOptions): Match<T> {
    const all = this.candidates(method, path);
    if (all.length === 0) return { item: null, similarity: 0, replayed: false, refusal: 'nothing was recorded for this method and path' };
    const fresh = best(all.filter((x) => x.played === 0), f);
    const any = best(all, f)!;
    if (!fresh) {
      const refusal = opts.strict ? `every recorded ${method.toUpperCase()} ${path} request has been played` : null;
      if (!refusal) any.item.played++;
      return { item: any.item, similarity: any.score, replayed: true, refusal };
    }
    if (opts.strict && fresh.score < opts.threshold) {
      return {
        item: fresh.item,
        similarity: fresh.score,
        replayed: false,
        refusal: `no recorded ${method.toUpperCase()} ${path} request is similar enough (best ${fresh.score.toFixed(2)} < ${opts.threshold})`,
      };
    }
    fresh.item.played++;
    return { item: fresh.item, similarity: fresh.score, replayed: false, refusal: null };
  }

  /** Recorded items never served. */
  unplayed(): T[] {
    const out: T[] = [];
    for (const list of this.byKey.values()) for (const x of list) if (x.played === 0) out.push(x);
    return out.sort((a, b) => a.order - b.order);
  }
}
