// The msgpack codec shared by encoder and reader, with the string-table extension.
import { Packr, addExtension } from 'msgpackr';

/** A reference to string-table entry `index`, written as msgpack ext type 0x4c ('L'). */
export class StringRef {
  constructor(readonly index: number) {}
}

export const STRING_REF_EXT = 0x4c;

// The reader resolves references while it unpacks, against the table of the trace being read.
// Reading is synchronous, so one module-level slot is enough.
let activeTable: string[] | null = null;
/** Set while re-packing a plaintext (format/times.ts): references are read back as references. */
let keepRefs = false;

export class UnknownStringRefError extends Error {}

addExtension({
  Class: StringRef,
  type: STRING_REF_EXT,
  write: (ref: StringRef) => ref.index,
  read: (index: unknown) => {
    if (keepRefs && typeof index === 'number') return new StringRef(index);
    if (typeof index !== 'number' || !activeTable || index < 0 || index >= activeTable.length) {
      throw new UnknownStringRefError(`string reference ${String(index)} before its definition`);
    }
    return activeTable[index];
  },
});

/** A string stored word-coded (format/words.ts): written as ext type 0x57 ('W') followed by the coded text. */
export class WordCoded {
  constructor(readonly text: string) {}
}

export const WORD_CODED_EXT = 0x57;

/** The word table of the frame being read (its `words` record), or null before it. */
let activeWords: string[] | null = null;

export class WordTableError extends Error {}

/** Code points U+E000 + i stand for word i of the frame's table. */
export const WORD_BASE = 0xe000;

addExtension({
  Class: WordCoded,
  type: WORD_CODED_EXT,
  write: (w: WordCoded) => w.text,
  read: (text: unknown) => {
    const words = activeWords;
    if (typeof text !== 'string' || !words) throw new WordTableError('a word-coded string before its frame\'s word table');
    let out = '';
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < WORD_BASE || c > 0xf8ff) continue;
      const word = words[c - WORD_BASE];
      if (word === undefined) throw new WordTableError('a word reference past the word table');
      out += text.slice(from, i) + word;
      from = i + 1;
    }
    return from === 0 ? text : out + text.slice(from);
  },
});

/** Sets the word table word-coded strings read from now on refer to (null: none). */
export function setWords(words: string[] | null): void {
  activeWords = words;
}

export function withStringTable<T>(table: string[], fn: () => T): T {
  const prev = activeTable;
  activeTable = table;
  try {
    return fn();
  } finally {
    activeTable = prev;
  }
}

/** Runs `fn` with string-table references unpacked as StringRef objects (packed back as themselves). */
export function withRefsKept<T>(fn: () => T): T {
  const prev = keepRefs;
  keepRefs = true;
  try {
    return fn();
  } finally {
    keepRefs = prev;
  }
}

export const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, int64AsType: 'number' });
