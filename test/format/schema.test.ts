// SPEC.md and the schema table (format/schema.ts) say the same: every record kind of the spec's
// records table has a row in the table with the same fields, the same optional ones (`?` in the spec)
// and, for fields of a few values, the same values; the runs table gives the fields of `sse-run`.
// (types.ts is checked against the same table by the compiler; validate.ts is driven by it.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDS, type Field } from '../../format/schema.js';

const spec = readFileSync(join(import.meta.dirname, '..', '..', 'format', 'SPEC.md'), 'utf8');

/** The rows of the markdown table that follows the heading line matching `header`. */
function tableRows(header: RegExp): string[][] {
  const lines = spec.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  expect(start, `SPEC.md has a table headed ${header}`).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].replace(/\\\|/g, '\u0000').split('|').slice(1, -1).map((c) => c.trim().replace(/\u0000/g, '|')));
  }
  return rows;
}

/** Text without its parenthesised asides (nested ones too). */
function withoutAsides(s: string): string {
  let out = '';
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out;
}

interface SpecField {
  optional: boolean;
  /** Backticked values in the aside right after the field, when there is one. */
  values: string[];
}

/** The fields a cell names: backticked identifiers outside asides, `?` after one marks it optional. */
function fieldsOf(cell: string): Map<string, SpecField> {
  const out = new Map<string, SpecField>();
  const re = /`([A-Za-z][A-Za-z0-9]*)[^`]*`(\?)?/g;
  const top = withoutAsides(cell);
  for (const m of top.matchAll(re)) {
    const name = m[1];
    if (name === 't' || name === 'kind') continue; // common to every record
    // the values listed in the aside after this field in the full cell: `(`a` | `b`)`
    const at = cell.indexOf(m[0]);
    const after = cell.slice(at + m[0].length).trimStart();
    let values: string[] = [];
    if (after.startsWith('(')) {
      let depth = 0;
      let end = 0;
      for (; end < after.length; end++) {
        if (after[end] === '(') depth++;
        else if (after[end] === ')' && --depth === 0) break;
      }
      const aside = after.slice(0, end);
      values = [...aside.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((v) => v[1]);
    }
    out.set(name, { optional: m[2] === '?', values });
  }
  return out;
}

function describeTable(fields: Record<string, Field>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, (f.optional ? 'optional' : 'required') + (typeof f.type === 'object' && 'oneOf' in f.type ? ` ${[...f.type.oneOf].sort().join('|')}` : '')]));
}

function describeSpec(fields: Map<string, SpecField>, table: Record<string, Field>): Record<string, string> {
  return Object.fromEntries(
    [...fields].map(([name, f]) => {
      const t = table[name]?.type;
      const listed = typeof t === 'object' && 'oneOf' in t;
      return [name, (f.optional ? 'optional' : 'required') + (listed ? ` ${[...new Set(f.values)].sort().join('|')}` : '')];
    }),
  );
}

describe('SPEC.md and the schema table', () => {
  const rows = tableRows(/^\| kind \| fields \|$/);
  const specKinds = rows.map((r) => r[0].replace(/`/g, ''));

  it('list the same record kinds', () => {
    expect([...specKinds].sort()).toEqual(Object.keys(RECORDS).sort());
  });

  for (const [kindCell, cell] of rows) {
    const kind = kindCell.replace(/`/g, '') as keyof typeof RECORDS;
    if (kind === 'sse-run') continue; // its fields are in the runs table, below
    it(`${kind}: the same fields, optional ones and values`, () => {
      const table = RECORDS[kind]?.fields as Record<string, Field>;
      expect(table, `${kind} is in the schema table`).toBeDefined();
      expect(describeSpec(fieldsOf(cell), table)).toEqual(describeTable(table));
    });
  }

  it('sse-run: the runs table has the same fields', () => {
    const runRows = tableRows(/^\| field \| meaning \|$/);
    const fields = new Map<string, SpecField>();
    for (const [nameCell] of runRows) for (const [name, f] of fieldsOf(nameCell)) fields.set(name, f);
    const table = RECORDS['sse-run'].fields as Record<string, Field>;
    expect(describeSpec(fields, table)).toEqual(describeTable(table));
  });
});
