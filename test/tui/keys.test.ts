import { describe, expect, it } from 'vitest';
import { applyAction, keyAction } from '../../cli/tui/keys.js';
import { fixture } from './helpers.js';

describe('keys', () => {
  it('maps the documented keys', () => {
    const k = (ch: string | undefined, name?: string, extra: object = {}) => keyAction(ch, { name, ...extra }, false);
    expect(k(' ', 'space')).toBe('toggle-play');
    expect(k(undefined, 'left')).toBe('seek-back');
    expect(k(undefined, 'right', { shift: true })).toBe('seek-forward-big');
    expect(k('<')).toBe('seek-back-big');
    expect(k('>')).toBe('seek-forward-big');
    expect(k('[')).toBe('prev-request');
    expect(k(']')).toBe('next-request');
    expect(k('+')).toBe('faster');
    expect(k('=')).toBe('faster');
    expect(k('-')).toBe('slower');
    expect(k('i', 'i')).toBe('cycle-idle');
    expect(k('s', 's')).toBe('cycle-profile');
    expect(k('\r', 'enter')).toBe('open-request');
    // blessed also reports \r as `return`: acting on both would open and close at once.
    expect(k('\r', 'return')).toBeNull();
    expect(k('?')).toBe('help');
    expect(k('q', 'q')).toBe('quit');
    expect(k(undefined, 'c', { ctrl: true })).toBe('quit');
  });

  it('inside an overlay, q / esc / enter close it and arrows scroll', () => {
    const k = (ch: string | undefined, name?: string) => keyAction(ch, { name }, true);
    expect(k('q', 'q')).toBe('close-overlay');
    expect(k(undefined, 'escape')).toBe('close-overlay');
    expect(k('\r', 'enter')).toBe('close-overlay');
    expect(k(undefined, 'down')).toBe('scroll-down');
    expect(k(undefined, 'pagedown')).toBe('page-down');
    expect(k(' ', 'space')).toBe('page-down');
  });

  it('applies actions to the state; quit asks the caller to stop', () => {
    const { state } = fixture();
    expect(applyAction(state, 'next-request')).toBe(true);
    expect(state.activeIndex()).toBe(0);
    applyAction(state, 'open-request');
    expect(state.overlay).toBe('request');
    expect(state.overlayRequest).toBe(0);
    applyAction(state, 'page-down', 10, 15);
    applyAction(state, 'page-down', 10, 15);
    expect(state.overlayScroll).toBe(15);
    applyAction(state, 'close-overlay');
    expect(state.overlay).toBe('none');
    applyAction(state, 'end');
    expect(state.playheadMs).toBe(state.durationMs);
    expect(applyAction(state, 'quit')).toBe(false);
  });
});

describe('following a trace being recorded', () => {
  it('f follows (playhead at the newest moment), seeking leaves it, end resumes it; nothing for a finished trace', () => {
    const { state: s } = fixture();
    expect(keyAction('f', { name: 'f' }, false)).toBe('toggle-follow');
    applyAction(s, 'toggle-follow');
    expect(s.follow).toBe(false); // a finished trace has nothing to follow
    s.live = 'live';
    applyAction(s, 'toggle-follow');
    expect(s.follow).toBe(true);
    expect(s.playheadMs).toBe(s.durationMs);
    applyAction(s, 'seek-back');
    expect(s.follow).toBe(false);
    expect(s.playheadMs).toBeLessThan(s.durationMs);
    applyAction(s, 'end');
    expect(s.follow).toBe(true);
    // a newer model of the same trace: following goes to its end, the choices stay
    applyAction(s, 'cycle-profile');
    const next = fixture().state;
    next.live = 'live';
    next.carry(s);
    expect(next.profile.name).toBe(s.profile.name);
    expect(next.follow).toBe(true);
    expect(next.playheadMs).toBe(next.durationMs);
  });
});
