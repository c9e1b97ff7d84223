// Reading a stream's JSON events without parsing each one. A streamed response repeats one event
// shape hundreds of times with one or two leaves changed (a text delta's `text`, a counter): its text
// is then the previous event's text with those leaves' literals changed. A template holds that text
// as literal pieces around the changing leaves; an event whose text is those pieces with a canonical
// JSON string or number between each pair is read by comparing the pieces and slicing the leaves out,
// and comes back as the same value (and shape, see leaves.ts) as JSON.parse would give, for text that
// JSON.stringify of that value reproduces byte for byte. Any other text misses, and the caller parses
// it as before (then `learn` folds it into the template). The recorder's writer thread reads every
// streamed event; JSON.parse plus the round-trip JSON.stringify check were a fifth of its time.
import { withLeafValues, type Shape } from './leaves.js';

interface Slot {
  /** Index of the leaf among the value's leaves (depth first, as leaves.ts counts them). */
  leaf: number;
  string: boolean;
}

export interface JsonTemplate {
  readonly sig: string;
  /** The leaves of the value the template was made from. */
  readonly base: unknown[];
  /** The value it was made from: read events copy its structure. */
  readonly value: unknown;
  /** The literal text around the slots: lits.length === slots.length + 1. */
  readonly lits: string[];
  readonly slots: Slot[];
  /** Leaves seen to change (only those are slots; the others are part of the literals). */
  readonly varying: Set<number>;
}

/** What a template read: the value and its shape (as shapeOf would give it). */
export interface TemplateRead {
  value: unknown;
  shape: Shape;
}

/**
 * Characters that end the simple reading of a string literal: its closing quote, or one that needs a
 * closer look (an escape, a control character JSON forbids raw, a surrogate JSON.stringify may escape).
 */
const STRING_STOP = /["\\\u0000-\u001f\ud800-\udfff]/g;

/** The event's value by the template, or undefined when its text is not the template's with new leaves. */
export function readByTemplate(t: JsonTemplate, text: string): TemplateRead | undefined {
  const { lits, slots } = t;
  let at = 0;
  let leaves: unknown[] | undefined;
  for (let i = 0; i < slots.length; i++) {
    const lit = lits[i];
    if (!text.startsWith(lit, at)) return undefined;
    at += lit.length;
    const slot = slots[i];
    let value: unknown;
    if (slot.string) {
      // the literal before a string slot ends with its opening quote, the one after starts with the closing one
      STRING_STOP.lastIndex = at;
      // test, not exec: no match object per event (lastIndex is then just past the stop)
      if (!STRING_STOP.test(text)) return undefined;
      let end = STRING_STOP.lastIndex - 1;
      if (text.charCodeAt(end) === 34 /* " */) value = text.slice(at, end);
      else {
        end = stringEnd(text, at);
        if (end === -1) return undefined;
        const literal = text.slice(at - 1, end + 1);
        try {
          value = JSON.parse(literal);
        } catch {
          return undefined;
        }
        if (JSON.stringify(value) !== literal) return undefined;
      }
      at = end;
    } else {
      let end = at;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      if (end === at) return undefined;
      const raw = text.slice(at, end);
      const n = Number(raw);
      // what JSON.stringify writes for the number, and so also a valid JSON number
      if (String(n) !== raw) return undefined;
      value = n;
      at = end;
    }
    (leaves ??= t.base.slice())[slot.leaf] = value;
  }
  const last = lits[slots.length];
  if (at + last.length !== text.length || !text.endsWith(last)) return undefined;
  const read = leaves ?? t.base.slice();
  // a copy even when no leaf changed: events must not share objects (a consumer may keep one)
  const value = withLeafValues(t.value, read);
  return { value, shape: { sig: t.sig, leaves: read } };
}

/**
 * The template after a value read the slow way (`text` is its JSON text): the same shape as before
 * makes the leaves that differ from the template's slots too; another shape starts a new template.
 * `shape` is shapeOf(value). Undefined when the value cannot be templated (text that is not its canonical JSON).
 */
export function learn(t: JsonTemplate | undefined, value: unknown, shape: Shape, text: string): JsonTemplate | undefined {
  const varying = new Set<number>();
  if (t && t.sig === shape.sig) {
    for (const i of t.varying) varying.add(i);
    for (let i = 0; i < shape.leaves.length; i++) if (shape.leaves[i] !== t.base[i]) varying.add(i);
  }
  const lits: string[] = [];
  const slots: Slot[] = [];
  const st = { lit: '', leaf: 0, ok: true };
  emit(value, varying, st, lits, slots);
  if (!st.ok) return undefined;
  lits.push(st.lit);
  // the template must write the text it came from (a value JSON.parse read from other text does not)
  let out = lits[0];
  for (let i = 0; i < slots.length; i++) {
    const leaf = JSON.stringify(shape.leaves[slots[i].leaf]);
    // a string slot's quotes are in the literals around it
    out += (slots[i].string ? leaf.slice(1, -1) : leaf) + lits[i + 1];
  }
  if (out !== text) return undefined;
  return { sig: shape.sig, base: shape.leaves, value, lits, slots, varying };
}

/** Writes the value's JSON text as JSON.stringify does, cutting it at the varying string and number leaves. */
function emit(v: unknown, varying: Set<number>, st: { lit: string; leaf: number; ok: boolean }, lits: string[], slots: Slot[]): void {
  if (typeof v !== 'object' || v === null) {
    const leaf = st.leaf++;
    const isString = typeof v === 'string';
    if (varying.has(leaf) && (isString || (typeof v === 'number' && Number.isFinite(v)))) {
      lits.push(isString ? `${st.lit}"` : st.lit);
      slots.push({ leaf, string: isString });
      st.lit = isString ? '"' : '';
    } else st.lit += JSON.stringify(v);
    return;
  }
  if (Array.isArray(v)) {
    st.lit += '[';
    for (let i = 0; i < v.length; i++) {
      if (i) st.lit += ',';
      emit(v[i], varying, st, lits, slots);
    }
    st.lit += ']';
    return;
  }
  st.lit += '{';
  let first = true;
  for (const k of Object.keys(v)) {
    // copies are built by assignment, where this key would set the prototype instead
    if (k === '__proto__') st.ok = false;
    st.lit += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    emit((v as Record<string, unknown>)[k], varying, st, lits, slots);
  }
  st.lit += '}';
}

/** Index of the closing quote of the string literal whose text starts at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i;
  }
  return -1;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 /* - */ || c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */ || c === 43; /* + */
}
