// Writes a styled row (text with SGR sequences, as layout.ts makes it) straight into blessed's cell
// buffer (`screen.lines`): what blessed's own content path would do (parse, wrap, parse attributes,
// render), without its per-row regular expressions and arrays. A redraw then costs a pass over the
// changed rows' characters, and blessed's draw() still diffs the cells and writes only what changed.

/** The slice of blessed's Screen this needs. */
export interface CellScreen {
  lines: Array<Array<[number, string]> & { dirty?: boolean }>;
  dattr: number;
  /** blessed's SGR → attribute fold: `attrCode('\x1b[1m', current, default)`. */
  attrCode(code: string, cur: number, def: number): number;
}

/** Cells a character takes as blessed's draw() counts them (its unicode.charWidth). */
export type WidthOf = (ch: string) => number;

export class CellWriter {
  private readonly attrs = new Map<string, number>();
  /** (current attribute, single SGR parameter) → attribute: the only shape palette.ts emits. */
  private readonly simple = new Map<number, number>();
  private readonly chars = new Map<number, string>();

  constructor(
    private readonly screen: CellScreen,
    private readonly widthOf: WidthOf,
  ) {}

  private attr(seq: string, cur: number): number {
    const key = `${cur}|${seq}`;
    let a = this.attrs.get(key);
    if (a === undefined) this.attrs.set(key, (a = this.screen.attrCode(seq, cur, this.screen.dattr)));
    return a;
  }

  private char(cp: number): string {
    let s = this.chars.get(cp);
    if (s === undefined) this.chars.set(cp, (s = String.fromCodePoint(cp)));
    return s;
  }

  /** The attribute after the SGR sequence text[i..end] (`\x1b[…m`), from `cur`. */
  private sgr(text: string, i: number, end: number, cur: number): number {
    let n = 0;
    for (let k = i + 2; k < end; k++) {
      const d = text.charCodeAt(k) - 48;
      if (d < 0 || d > 9 || n > 999) return this.attr(text.slice(i, end + 1), cur);
      n = n * 10 + d;
    }
    const key = cur * 1024 + n;
    let a = this.simple.get(key);
    if (a === undefined) this.simple.set(key, (a = this.screen.attrCode(text.slice(i, end + 1), cur, this.screen.dattr)));
    return a;
  }

  /** Writes `text` into screen row `y` from column 0, padding to the width; marks the row dirty if a cell changed. */
  write(y: number, text: string): void {
    const line = this.screen.lines[y];
    if (!line) return;
    const width = line.length;
    const dattr = this.screen.dattr;
    let attr = dattr;
    let x = 0;
    let dirty = false;
    // Inlined cell update (this runs for every character of every changed row).
    let cell: [number, string];
    for (let i = 0; i < text.length && x < width; ) {
      const c = text.charCodeAt(i);
      if (c === 0x1b) {
        const end = text.indexOf('m', i);
        if (end < 0) break;
        attr = this.sgr(text, i, end, attr);
        i = end + 1;
        continue;
      }
      if (c < 0x300) {
        const ch = text[i];
        cell = line[x++];
        if (cell[0] !== attr || cell[1] !== ch) {
          cell[0] = attr;
          cell[1] = ch;
          dirty = true;
        }
        i++;
        continue;
      }
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const ch = this.char(cp);
      const w = this.widthOf(ch);
      if (w === 0) {
        // Combining mark: joins the previous cell, as blessed does.
        if (x > 0) {
          line[x - 1][1] += ch;
          dirty = true;
        }
        continue;
      }
      // No room for the second half of a wide character at the edge: a space, as blessed's draw() does.
      const shown = w === 2 && x === width - 1 ? ' ' : ch;
      cell = line[x++];
      if (cell[0] !== attr || cell[1] !== shown) {
        cell[0] = attr;
        cell[1] = shown;
        dirty = true;
      }
      // blessed's draw() skips the cell after a wide character; keep it blank.
      if (w === 2 && x < width) {
        cell = line[x++];
        if (cell[0] !== attr || cell[1] !== ' ') {
          cell[0] = attr;
          cell[1] = ' ';
          dirty = true;
        }
      }
    }
    for (; x < width; x++) {
      cell = line[x];
      if (cell[0] !== dattr || cell[1] !== ' ') {
        cell[0] = dattr;
        cell[1] = ' ';
        dirty = true;
      }
    }
    if (dirty) line.dirty = true;
  }
}
