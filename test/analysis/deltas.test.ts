// The content-delta columns read back as the deltas pushed, while a response streams and after it ends.
import { describe, expect, it } from 'vitest';
import { ContentDeltas, estimateTokens } from '../../analysis/deltas.js';
import type { ContentDelta } from '../../analysis/model.js';

const list: ContentDelta[] = Array.from({ length: 40 }, (_, i) => {
  const text = i % 7 === 0 ? '' : 'é'.repeat(i % 5) + `w${i} `;
  return { tMs: 100 + i * 3.5, kind: i < 10 ? 'thinking' : i < 30 ? 'text' : 'tool-args', text, tokens: estimateTokens(text), block: i < 10 ? 0 : i < 30 ? 1 : 2 };
});

describe('content deltas as columns', () => {
  it('reads back every field, before and after sealing, and serialises as the plain list', () => {
    const d = new ContentDeltas();
    list.slice(0, 25).forEach((x) => d.push(x.tMs, x.kind, x.text, x.block));
    expect(d.at(24)).toEqual(list[24]); // read while still streaming
    list.slice(25).forEach((x) => d.push(x.tMs, x.kind, x.text, x.block));
    expect(d.toArray()).toEqual(list);
    d.seal();
    expect(d.length).toBe(40);
    expect([...d]).toEqual(list);
    expect(Array.from(d.times())).toEqual(list.map((x) => x.tMs));
    expect(JSON.parse(JSON.stringify({ deltas: d })).deltas).toEqual(list);
    expect(d.hasToolArgs(2)).toBe(true);
    expect(d.hasToolArgs(1)).toBe(false);
    expect(ContentDeltas.from(list).toArray()).toEqual(list);
  });

  it('an empty list seals and grows again', () => {
    const d = new ContentDeltas();
    d.seal();
    d.push(1, 'text', 'ab', 0);
    expect(d.toArray()).toEqual([{ tMs: 1, kind: 'text', text: 'ab', tokens: 1, block: 0 }]);
  });
});
