// What the person's terminal sent, read as key classes (format/SPEC.md "Terminal records"): the
// trace says *that* and *when* a key was pressed, never which one unless --record-input asks for it.
// Replies the terminal sends on its own (cursor position, device attributes, colours, focus, mouse)
// are not keys: they would end "reading" without the person doing anything.
import type { KeyClass } from '../../../format/types.js';

export interface KeyRun {
  key: KeyClass;
  count: number;
  /** Characters of a paste. */
  length?: number;
  /** The keys' characters (only when asked to keep them). */
  text?: string;
}

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/** Reads stdin chunks into key runs; keeps a bracketed paste (or an escape sequence) that spans reads. */
export class KeyReader {
  private paste: string | null = null;
  private carry = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly keepText: boolean) {}

  read(chunk: Uint8Array): KeyRun[] {
    let s = this.carry + this.decoder.decode(chunk, { stream: true });
    this.carry = '';
    const runs: KeyRun[] = [];
    const push = (key: KeyClass, text: string, count = 1): void => {
      const last = runs[runs.length - 1];
      if (last && last.key === key && key !== 'paste') {
        last.count += count;
        if (this.keepText) last.text += text;
        return;
      }
      const run: KeyRun = { key, count };
      if (key === 'paste') run.length = [...text].length;
      if (this.keepText) run.text = text;
      runs.push(run);
    };
    let i = 0;
    while (i < s.length) {
      if (this.paste !== null) {
        const end = s.indexOf(PASTE_END, i);
        if (end === -1) {
          this.paste += s.slice(i);
          return runs;
        }
        push('paste', this.paste + s.slice(i, end));
        this.paste = null;
        i = end + PASTE_END.length;
        continue;
      }
      if (s.startsWith(PASTE_START, i)) {
        this.paste = '';
        i += PASTE_START.length;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 0x1b) {
        const len = escapeLength(s, i);
        if (len === 0) {
          // an escape sequence cut by the read: finish it with the next chunk
          this.carry = s.slice(i);
          return runs;
        }
        const seq = s.slice(i, i + len);
        if (!isTerminalReport(seq)) push('control', seq);
        i += len;
      } else if (c === 0x0d || c === 0x0a) {
        push('enter', s[i]);
        i++;
      } else if (c < 0x20 || c === 0x7f) {
        push('control', s[i]);
        i++;
      } else {
        const cp = s.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        push('printable', ch);
        i += ch.length;
      }
    }
    return runs;
  }
}

/**
 * Length of the escape sequence at i, or 0 when the string ends inside it. A lone ESC at the very
 * end of a read is a lone ESC (terminals send the Escape key by itself).
 */
function escapeLength(s: string, i: number): number {
  if (i + 1 >= s.length) return 1;
  const next = s[i + 1];
  if (next === '[') {
    if (s[i + 2] === 'M') return i + 6 <= s.length ? 6 : 0; // X10 mouse: ESC [ M b x y
    let j = i + 2;
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x3f) j++; // parameters, intermediates
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    if (j >= s.length) return 0;
    return j - i + 1;
  }
  if (next === ']' || next === 'P' || next === '_' || next === '^') {
    // OSC / DCS / APC / PM: up to BEL or ST (ESC \)
    for (let j = i + 2; j < s.length; j++) {
      if (s[j] === '\x07') return j - i + 1;
      if (s[j] === '\x1b' && s[j + 1] === '\\') return j - i + 2;
      if (s[j] === '\x1b' && j + 1 >= s.length) return 0;
    }
    return 0;
  }
  if (next === 'O') return i + 3 <= s.length ? 3 : 0; // SS3: F1–F4, keypad
  return 2; // Alt-key
}

/** Replies and reports the terminal sends by itself, not keys the person pressed. */
function isTerminalReport(seq: string): boolean {
  const k = seq[1];
  if (k === ']' || k === 'P' || k === '_' || k === '^') return true;
  if (k !== '[') return false;
  if (seq[2] === 'M') return true; // mouse
  const body = seq.slice(2, -1);
  const final = seq[seq.length - 1];
  if (/^[?>=<]/.test(body)) return true; // DA, DECRPM, kitty keyboard flags, SGR mouse
  if (body === '' && (final === 'I' || final === 'O')) return true; // focus in / out
  if (final === 'R' && /^\d+;\d+$/.test(body) && !/^1;/.test(body)) return true; // cursor position (not Shift-F3 `1;2R`)
  if (final === 't' || final === 'y') return true; // window and mode reports
  return false;
}
