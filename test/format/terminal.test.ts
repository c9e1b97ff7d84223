// Terminal records (format/SPEC.md "Terminal records"): round trip, redaction, validation.
import { describe, expect, it } from 'vitest';
import { fingerprint, readTrace, TraceEncoder, type TraceRecord } from '../../format/index.js';
import { recordProblem } from '../../format/validate.js';
import { enc, session, writeTrace } from './helpers.js';

const KEY = 'sk-ant-api03-' + 'T'.repeat(40);

describe('terminal records', () => {
  it('round-trip on the session clock; a key drawn or typed on screen is a fingerprint', () => {
    const split = enc.encode('é').subarray(0, 1); // half a character: kept as bytes
    const records: TraceRecord[] = [
      { kind: 'term-resize', t: 1000, cols: 120, rows: 40 },
      { kind: 'term-output', t: 2000, data: { enc: 'bytes', bytes: enc.encode(`\x1b[1mkey: ${KEY}\x1b[0m\r\n`) } },
      { kind: 'term-output', t: 2500, data: { enc: 'bytes', bytes: split } },
      { kind: 'term-input', t: 3000, key: 'printable', count: 3, text: `${KEY}` },
      { kind: 'term-input', t: 3001, key: 'paste', count: 1, length: 42 },
      { kind: 'term-input', t: 3002, key: 'enter', count: 1 },
    ];
    const back = readTrace(writeTrace(records));
    expect(back.truncated).toBe(false);
    const [, resize, out, half, typed, paste, enter] = back.records;
    expect(resize).toEqual({ kind: 'term-resize', t: 1000, cols: 120, rows: 40 });
    expect(out).toEqual({ kind: 'term-output', t: 2000, data: { enc: 'text', text: `\x1b[1mkey: ${fingerprint(KEY)}\x1b[0m\r\n` } });
    expect(half.kind === 'term-output' && half.data.enc).toBe('bytes');
    expect(typed).toMatchObject({ kind: 'term-input', t: 3000, key: 'printable', count: 3, text: fingerprint(KEY) });
    expect(paste).toEqual({ kind: 'term-input', t: 3001, key: 'paste', count: 1, length: 42 });
    expect(enter).toEqual({ kind: 'term-input', t: 3002, key: 'enter', count: 1 });
  });

  it("the session record says whether a person was at the terminal", () => {
    const header = new TraceEncoder().encodeHeader({ ...session(), interactive: true });
    const s = readTrace(header).records[0];
    expect(s.kind === 'session' && s.interactive).toBe(true);
  });

  it('a malformed terminal record is damage', () => {
    expect(recordProblem({ kind: 'term-resize', t: 0, cols: 0, rows: 24 })).toMatch(/malformed/);
    expect(recordProblem({ kind: 'term-input', t: 0, key: 'mouse', count: 1 })).toMatch(/malformed/);
    expect(recordProblem({ kind: 'term-input', t: 0, key: 'enter', count: 0 })).toMatch(/malformed/);
    expect(recordProblem({ kind: 'term-output', t: 0, data: 'text' })).toMatch(/malformed/);
    expect(recordProblem({ kind: 'term-output', t: 0, data: { enc: 'dropped', length: 10 } })).toBeNull();
  });
});
