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
