// Colours and glyphs. Every kind of time has its own glyph as well as its own colour, so the
// timeline still reads with NO_COLOR (then only bold/inverse markup is emitted, never colour).
import type { SegmentKind } from '../../analysis/model.js';

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray' | 'white' | 'light-blue';

export const KIND_ORDER: readonly SegmentKind[] = ['modelWait', 'modelStream', 'tool', 'user', 'harness'];

export const KIND_GLYPH: Readonly<Record<SegmentKind, string>> = {
  modelWait: '░',
  modelStream: '█',
  tool: '▒',
  user: '─',
  harness: '·',
};

export const KIND_COLOR: Readonly<Record<SegmentKind, Color>> = {
  modelWait: 'yellow',
  modelStream: 'green',
  tool: 'cyan',
  user: 'magenta',
  harness: 'gray',
};

export const KIND_LABEL: Readonly<Record<SegmentKind, string>> = {
  modelWait: 'wait',
  modelStream: 'stream',
  tool: 'tool',
  user: 'user',
  harness: 'harness',
};

/** Wraps already-escaped text in blessed tags; a colourless palette leaves colour out. */
export class Palette {
  constructor(readonly color: boolean) {}

  fg(c: Color, s: string): string {
    if (!this.color || s.length === 0) return s;
    return `{${c}-fg}${s}{/${c}-fg}`;
  }

  kind(k: SegmentKind, s: string): string {
    return this.fg(KIND_COLOR[k], s);
  }

  /** De-emphasis: grey in colour, plain without. */
  dim(s: string): string {
    return this.fg('gray', s);
  }

  bold(s: string): string {
    return s.length ? `{bold}${s}{/bold}` : s;
  }

  inverse(s: string): string {
    return s.length ? `{inverse}${s}{/inverse}` : s;
  }
}
