import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.js';
import { DIFF, PROMPT_1, R0_TEXT, R0_THINKING, READ_RESULT } from '../factory/agent-session.js';

describe('what the detail pane shows at a moment', () => {
  it('streams thinking, text and tool arguments block by block', () => {
    const { model, detail } = fixture();
    const r0 = model.requests[0];
    expect(detail.at(r0, 900).phase).toBe('pending');
    const waiting = detail.at(r0, 1500);
    expect(waiting.phase).toBe('waiting');
    expect(waiting.blocks).toEqual([]);

    const mid = detail.at(r0, 2000);
    expect(mid.phase).toBe('streaming');
    expect(mid.blocks[0].kind).toBe('thinking');
    expect(R0_THINKING.startsWith(mid.blocks[0].text)).toBe(true);
    expect(mid.blocks[0].text.length).toBeGreaterThan(0);
    expect(mid.blocks[0].complete).toBe(false);

    const done = detail.at(r0, 3000);
    expect(done.phase).toBe('done');
    expect(done.blocks.map((b) => [b.kind, b.name, b.text, b.complete])).toEqual([
      ['thinking', null, R0_THINKING, true],
      ['text', null, R0_TEXT, true],
      ['tool-args', 'Read', '{"path": "src/a.test.ts"}', true],
    ]);
    expect(done.tokensSoFar).toBeGreaterThan(0);
  });

  it('shows what the request fed the model: the prompt, or tool results with their tool names', () => {
    const { model, detail } = fixture();
    const first = detail.at(model.requests[0], 2000);
    expect(first.input.prompt).toBe(PROMPT_1);
    expect(first.input.results).toEqual([]);
    const r1 = detail.at(model.requests[2], 6000);
    expect(r1.input.prompt).toBeNull();
    expect(r1.input.results).toEqual([{ id: 'toolu_1', text: READ_RESULT, isError: false }]);
    expect(r1.resultNames).toEqual(['Read']);
  });

  it('shows files changed while the request tools ran, once they changed', () => {
    const { model, detail } = fixture();
    const r1 = model.requests[2];
    expect(detail.at(r1, 7500, 'tool').files).toEqual([]);
    const after = detail.at(r1, 8000, 'tool');
    expect(after.gap).toBe('tool');
    expect(after.files.map((f) => [f.path, f.op, f.diff])).toEqual([['src/a.ts', 'modify', DIFF]]);
  });

  it('changes its stamp exactly when something new arrives', () => {
    const { model, detail } = fixture();
    const r0 = model.requests[0];
    const times = detail.contentOf(r0).times;
    const a = times[3];
    const b = times[4];
    expect(detail.stamp(r0, a)).toBe(detail.stamp(r0, (a + b) / 2));
    expect(detail.stamp(r0, b)).not.toBe(detail.stamp(r0, a));
    expect(detail.stamp(model.requests[2], 7700)).not.toBe(detail.stamp(model.requests[2], 7900));
  });
});
