// Keys → actions → state changes. Pure, so the key map is tested without a terminal; the blessed
// layer passes its parsed keypress (`ch`, `{name, shift, ctrl, full}`) straight in.
import type { TuiState } from './state.js';

export type Action =
  | 'quit'
  | 'toggle-play'
  | 'seek-back'
  | 'seek-forward'
  | 'seek-back-big'
  | 'seek-forward-big'
  | 'home'
  | 'end'
  | 'prev-request'
  | 'next-request'
  | 'faster'
  | 'slower'
  | 'cycle-idle'
  | 'cycle-profile'
  | 'open-request'
  | 'help'
  | 'toggle-terminal'
  | 'toggle-follow'
  | 'close-overlay'
  | 'scroll-up'
  | 'scroll-down'
  | 'page-up'
  | 'page-down';

export interface KeyInfo {
  name?: string;
  full?: string;
  shift?: boolean;
  ctrl?: boolean;
}

/** The action of a key; `overlay` is true while the help or a request view is open. */
export function keyAction(ch: string | undefined, key: KeyInfo, overlay: boolean): Action | null {
  const name = key.name ?? '';
  if (key.ctrl && name === 'c') return 'quit';
  if (overlay) {
    if (name === 'escape' || ch === 'q' || name === 'enter' || ch === '?') return 'close-overlay';
    if (name === 'up' || ch === 'k') return 'scroll-up';
    if (name === 'down' || ch === 'j') return 'scroll-down';
    if (name === 'pageup' || (key.ctrl && name === 'b')) return 'page-up';
    if (name === 'pagedown' || name === 'space' || ch === ' ' || (key.ctrl && name === 'f')) return 'page-down';
    return null;
  }
  if (ch === 'q') return 'quit';
  if (name === 'space' || ch === ' ') return 'toggle-play';
  if (name === 'left') return key.shift ? 'seek-back-big' : 'seek-back';
  if (name === 'right') return key.shift ? 'seek-forward-big' : 'seek-forward';
  if (ch === '<' || ch === ',') return ch === '<' ? 'seek-back-big' : 'seek-back';
  if (ch === '>' || ch === '.') return ch === '>' ? 'seek-forward-big' : 'seek-forward';
  if (name === 'home' || ch === 'g') return 'home';
  if (name === 'end' || ch === 'G') return 'end';
  if (ch === '[' || name === 'up' || ch === 'k') return 'prev-request';
  if (ch === ']' || name === 'down' || ch === 'j') return 'next-request';
  if (ch === '+' || ch === '=') return 'faster';
  if (ch === '-' || ch === '_') return 'slower';
  if (ch === 'i') return 'cycle-idle';
  if (ch === 's') return 'cycle-profile';
  // blessed reports \r as both `return` and `enter`: act on one of them only.
  if (name === 'enter') return 'open-request';
  if (ch === '?' || ch === 'h') return 'help';
  if (ch === 't') return 'toggle-terminal';
  if (ch === 'f') return 'toggle-follow';
  return null;
}

/** Moving the playhead by hand (back, to a request, playing) stops following a live trace there. */
const LEAVES_FOLLOW: ReadonlySet<Action> = new Set(['toggle-play', 'seek-back', 'seek-forward', 'seek-back-big', 'seek-forward-big', 'home', 'prev-request', 'next-request']);

/** Applies an action; returns false for `quit` (the caller ends the session). */
export function applyAction(s: TuiState, a: Action, pageRows = 10, maxScroll = Infinity): boolean {
  if (LEAVES_FOLLOW.has(a)) s.follow = false;
  switch (a) {
    case 'quit':
      return false;
    case 'toggle-play':
      s.togglePlay();
      break;
    case 'seek-back':
      s.step(-1);
      break;
    case 'seek-forward':
      s.step(1);
      break;
    case 'seek-back-big':
      s.step(-1, true);
      break;
    case 'seek-forward-big':
      s.step(1, true);
      break;
    case 'home':
      s.seekTo(0);
      break;
    case 'end':
      s.seekTo(s.durationMs);
      s.playing = false;
      if (s.live === 'live') s.follow = true;
      break;
    case 'toggle-follow':
      s.toggleFollow();
      break;
    case 'prev-request':
      s.prevRequest();
      break;
    case 'next-request':
      s.nextRequest();
      break;
    case 'faster':
      s.faster();
      break;
    case 'slower':
      s.slower();
      break;
    case 'cycle-idle':
      s.cycleIdle();
      break;
    case 'cycle-profile':
      s.cycleProfile();
      break;
    case 'open-request':
      if (s.activeIndex() >= 0) s.openOverlay('request');
      break;
    case 'help':
      s.openOverlay('help');
      break;
    case 'toggle-terminal':
      s.showTerminal = !s.showTerminal && s.model.terminal !== null;
      break;
    case 'close-overlay':
      s.closeOverlay();
      break;
    case 'scroll-up':
      s.overlayScroll = Math.max(0, s.overlayScroll - 1);
      break;
    case 'scroll-down':
      s.overlayScroll = Math.min(maxScroll, s.overlayScroll + 1);
      break;
    case 'page-up':
      s.overlayScroll = Math.max(0, s.overlayScroll - pageRows);
      break;
    case 'page-down':
      s.overlayScroll = Math.min(maxScroll, s.overlayScroll + pageRows);
      break;
  }
  return true;
}
