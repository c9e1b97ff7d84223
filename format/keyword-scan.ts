// Which of many words occur in a text, in one pass (Aho–Corasick over ASCII, case-insensitive).
// Secret rules run only when one of their keywords is present; with a few hundred keywords a regex
// alternation costs tens of microseconds even on a short SSE event, this a fraction of one.
export class KeywordScanner {
  private readonly next: Int32Array;
  /** Per state: the indices of the keywords ending there (its own and its suffixes'), or null. */
  private readonly out: (number[] | null)[];
  private readonly hasOut: Uint8Array;
  private readonly lengths: Int32Array;

  constructor(readonly keywords: readonly string[]) {
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    keywords.forEach((word, index) => {
      let s = 0;
      for (let i = 0; i < word.length; i++) {
        const c = lower(word.charCodeAt(i));
        if (c > 127 || c === 0) throw new Error(`keyword ${JSON.stringify(word)} is not printable ASCII`);
        let n = children[s].get(c);
        if (n === undefined) {
          n = children.length;
          children.push(new Map());
          own.push([]);
          children[s].set(c, n);
        }
        s = n;
      }
      own[s].push(index);
    });
    const states = children.length;
    const next = new Int32Array(states * 128);
    const fail = new Int32Array(states);
    const out: (number[] | null)[] = new Array(states).fill(null);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const n = children[0].get(c);
      if (n !== undefined) {
        next[c] = n;
        queue.push(n);
      }
    }
    out[0] = own[0].length ? own[0] : null;
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      const merged = [...own[s], ...(out[fail[s]] ?? [])];
      out[s] = merged.length ? merged : null;
      for (let c = 0; c < 128; c++) {
        const n = children[s].get(c);
        if (n !== undefined) {
          fail[n] = next[fail[s] * 128 + c];
          next[s * 128 + c] = n;
          queue.push(n);
        } else next[s * 128 + c] = next[fail[s] * 128 + c];
      }
    }
    this.next = next;
    this.out = out;
    this.hasOut = Uint8Array.from(out, (o) => (o === null ? 0 : 1));
    this.lengths = Int32Array.from(keywords, (w) => w.length);
  }

  /**
   * Where each keyword starts in `text`: keyword index → its start offsets in ascending order, for the
   * keywords that occur (a map, not an array per keyword: most texts hold none or one of a few hundred
   * keywords, and this runs on every streamed event). Exact: every UTF-16 unit is one step of the
   * automaton, so an end offset minus the keyword's length is its start. `hits`, when given, gets the
   * index of every keyword found (once each, in the order first found).
   */
  starts(text: string, hits?: number[]): Map<number, number[]> {
    const next = this.next;
    const out = this.out;
    const hasOut = this.hasOut;
    const lengths = this.lengths;
    const fold = FOLD;
    const found = new Map<number, number[]>();
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      s = next[(s << 7) | fold[text.charCodeAt(i)]];
      if (hasOut[s] === 0) continue;
      for (const k of out[s]!) {
        let at = found.get(k);
        if (at === undefined) {
          found.set(k, (at = []));
          hits?.push(k);
        }
        at.push(i + 1 - lengths[k]);
      }
    }
    return found;
  }

  /** Whether any keyword occurs in `text` (stops at the first). */
  any(text: string): boolean {
    const next = this.next;
    const hasOut = this.hasOut;
    const fold = FOLD;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      s = next[(s << 7) | fold[text.charCodeAt(i)]];
      if (hasOut[s] !== 0) return true;
    }
    return false;
  }

  /** Which keywords occur in `text`: a flag per keyword index. */
  scan(text: string): Uint8Array {
    const next = this.next;
    const out = this.out;
    const fold = FOLD;
    const seen = new Uint8Array(this.keywords.length);
    // states with keywords not yet marked; cleared once marked, so the hot loop is two array reads
    const pending = this.hasOut.slice();
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      s = next[(s << 7) | fold[text.charCodeAt(i)]];
      if (pending[s] !== 0) {
        pending[s] = 0;
        for (const k of out[s]!) seen[k] = 1;
      }
    }
    return seen;
  }
}

/** A UTF-16 code unit → its lower-case ASCII column (0, the NUL column, for anything not ASCII). */
const FOLD = (() => {
  const f = new Uint8Array(65536);
  for (let c = 1; c < 128; c++) f[c] = c >= 65 && c <= 90 ? c | 32 : c;
  return f;
})();

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}
