// Terminal text helpers: display width (wide CJK takes two cells), cutting and padding to a width,
// wrapping, and making arbitrary recorded text safe to draw (no control sequences of its own).
import { formatClock, formatDuration } from '../../analysis/present.js';

/**
 * Cells a code point takes, as blessed (fullUnicode) counts them: 2 for the East Asian wide ranges it
 * knows, 0 for combining marks, else 1. Emoji, which blessed cannot place, never reach it: sanitize()
 * replaces them.
 */
export function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (cp <= 0x36f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    cp === 0x2329 ||
    cp === 0x232a ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3040 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of plain text (no tags). */
export function textWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/** The longest prefix of plain `s` that fits in `width` cells. */
export function cutToWidth(s: string, width: number): string {
  if (width <= 0) return '';
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let cw = 1;
    let len = 1;
    if (c >= 0x300) {
      const cp = s.codePointAt(i)!;
      len = cp > 0xffff ? 2 : 1;
      cw = charWidth(cp);
    }
    if (w + cw > width) return s.slice(0, i);
    w += cw;
    i += len - 1;
  }
  return s;
}

/** Plain `s` cut with an ellipsis when longer than `width`, then padded with spaces to exactly `width`. */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  const w = textWidth(s);
  if (w <= width) return s + ' '.repeat(width - w);
  const cut = cutToWidth(s, width - 1) + '…';
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

/** Plain `s` cut (with an ellipsis) to at most `width` cells, not padded. */
export function clip(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 1) return cutToWidth(s, width);
  return cutToWidth(s, width - 1) + '…';
}

// Emoji that terminals draw two cells wide but blessed counts as one (it would misplace the rest of
// the line): BMP emoji-presentation characters, and everything in the astral emoji planes.
const WIDE_EMOJI_BMP = /[\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55]/;
const EMOJI_REPLACEMENT: Record<string, string> = { '\u2705': '\u2713', '\u274c': '\u2717', '\u274e': '\u2717', '\u2728': '*', '\u2b50': '*' };
// eslint-disable-next-line no-control-regex
const NEEDS_SANITIZE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ud800-\udfff]|[\u231a-\u2b55]/;
// eslint-disable-next-line no-control-regex
const SANITIZE_ALL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]|[\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[\u231a-\u2b55]/g;

/**
 * Recorded text made safe to draw: terminal control characters (ESC, BEL, CR…) would drive the
 * terminal, so they become visible `^X` forms; tabs become two spaces; zero-width joiners and
 * variation selectors go; emoji (drawn two cells wide, counted as one by blessed) become a one-cell
 * stand-in. Newlines are kept.
 */
export function sanitize(s: string): string {
  if (!NEEDS_SANITIZE.test(s)) return s;
  return s.replace(SANITIZE_ALL, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch === '\t') return '  ';
    if (c < 0x20) return '^' + String.fromCharCode(c + 64);
    if (c < 0xa0) return '?';
    if (c >= 0x231a && c <= 0x2b55) return WIDE_EMOJI_BMP.test(ch) ? (EMOJI_REPLACEMENT[ch] ?? '\u25c6') : ch;
    if (c >= 0xd800 && c <= 0xdbff && ch.length === 2) {
      const cp = ch.codePointAt(0)!;
      // CJK extension planes are drawn fine; everything else astral is emoji or rare symbols.
      return cp >= 0x20000 && cp <= 0x3fffd ? ch : '\u25c6';
    }
    if (c >= 0xd800 && c <= 0xdfff) return '?';
    return '';
  });
}

/**
 * Wraps plain text to `width`, hard-breaking long words (recorded JSON has no spaces to break on).
 * Returns at most the last `maxLines` lines when given: callers show the tail of a growing stream.
 */
export function wrap(text: string, width: number, maxLines = Infinity): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  const paras = text.split('\n');
  for (const para of paras) {
    if (para.length === 0) {
      out.push('');
      continue;
    }
    let rest = para;
    while (rest.length > 0) {
      if (textWidth(rest) <= width) {
        out.push(rest);
        break;
      }
      let cut = cutToWidth(rest, width);
      if (cut.length === 0) cut = rest.slice(0, 1);
      // Prefer breaking after the last space of the piece when it is not too far back.
      const sp = cut.lastIndexOf(' ');
      if (sp > cut.length / 2 && sp < cut.length - 1) cut = cut.slice(0, sp + 1);
      out.push(cut);
      rest = rest.slice(cut.length);
      // A line that ends exactly at a word: the space after it would start the next line.
      if (rest.charCodeAt(0) === 32 && cut.charCodeAt(cut.length - 1) !== 32) rest = rest.slice(1);
    }
  }
  return out.length > maxLines ? out.slice(out.length - maxLines) : out;
}

/** Wraps only the end of a possibly huge text: enough characters for `maxLines` lines of `width`. */
export function wrapTail(text: string, width: number, maxLines: number): string[] {
  if (maxLines <= 0 || width <= 0) return [];
  const budget = maxLines * width + 1;
  let tail = text;
  if (text.length > budget) {
    tail = text.slice(text.length - budget);
    // Start at a line boundary when there is one, so the first shown line is not a wrapped fragment.
    const nl = tail.indexOf('\n');
    if (nl >= 0 && nl < tail.length - 1) tail = tail.slice(nl + 1);
  }
  return wrap(tail, width, maxLines);
}

/** Milliseconds as a short human duration: `850ms`, `12.3s`, `4m05s`, `1h02m` (the shared formatter, compact). */
export function fmtDur(ms: number): string {
  return formatDuration(ms, true);
}

/** The playhead clock both viewers show (`m:ss.t`). */
export { formatClock as fmtClock };

/** First index i with a[i] > x (a ascending): the number of entries ≤ x. */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
