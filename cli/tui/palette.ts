// Colours and glyphs. Every kind of time has its own glyph as well as its own colour, so the
// timeline still reads with NO_COLOR (then only bold/inverse is emitted, never colour).
// Styles are SGR escape sequences, which blessed reads straight into cell attributes: its own tag
// markup would cost a parse (and its garbage) per row on every redraw.
import type { SegmentKind } from '../../analysis/model.js';

import { KIND_GLYPH as GLYPH, KIND_SHORT, KIND_TERM_COLOR, SEGMENT_KINDS, type TermColor } from '../../analysis/present.js';

export type Color = TermColor;

export const KIND_ORDER = SEGMENT_KINDS;
export const KIND_GLYPH = GLYPH;
export const KIND_COLOR = KIND_TERM_COLOR;
export const KIND_LABEL = KIND_SHORT;

const SGR_FG: Readonly<Record<Color, number>> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  'light-blue': 94,
};

/** Styles sanitized text (no ESC of its own can reach here); a colourless palette leaves colour out. */
export class Palette {
  constructor(readonly color: boolean) {}

  fg(c: Color, s: string): string {
    if (!this.color || s.length === 0) return s;
    return `\x1b[${SGR_FG[c]}m${s}\x1b[39m`;
  }

  kind(k: SegmentKind, s: string): string {
    return this.fg(KIND_COLOR[k], s);
  }

  /** De-emphasis: grey in colour, plain without. */
  dim(s: string): string {
    return this.fg('gray', s);
  }

  bold(s: string): string {
    return s.length ? `\x1b[1m${s}\x1b[22m` : s;
  }

  inverse(s: string): string {
    return s.length ? `\x1b[7m${s}\x1b[27m` : s;
  }
}
