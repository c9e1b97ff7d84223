// Honest pacing: the first content frame goes out ttftMs after the request arrived, each later one
// 1/tokensPerSecond after the previous (jittered around that mean), and the stream ends one more
// interval after the last token, so outputTokens / (end − first token) is the configured rate.
// Every send time is computed from the request's arrival, never by chaining delays, so timer lateness
// does not accumulate.
import { performance } from 'node:perf_hooks';
import type { Frame } from './frames.js';
import type { Rng } from './rng.js';

export interface Pace {
  ttftMs: number;
  tokensPerSecond: number;
  /** 0..1: each interval is mean × (1 ± jitter × u), u uniform in [0, 1). */
  jitter: number;
  rng: Rng;
}

export interface Schedule {
  /** Offset (ms from arrival) of each content frame. */
  content: number[];
  /** Offset of the end of the response. */
  end: number;
}

export function makeSchedule(tokens: number, pace: Pace): Schedule {
  const mean = 1000 / pace.tokensPerSecond;
  const content: number[] = [];
  let t = pace.ttftMs;
  for (let k = 0; k < tokens; k++) {
    content.push(t);
    const u = pace.jitter > 0 ? pace.rng() * 2 - 1 : 0;
    t += mean * (1 + pace.jitter * u);
  }
  return { content, end: t };
}

export type PaceOutcome = 'complete' | 'aborted' | 'cut';

export interface PacedRun {
  frames: Frame[];
  /** performance.now() at the request's arrival. */
  t0: number;
  schedule: Schedule;
  send(frame: Frame): void;
  isClosed(): boolean;
  /** Called with the time each content frame was sent. */
  onContent?(at: number): void;
  /** Stop before content frame `tokens` (at its scheduled time) and run `action` instead. */
  cut?: { tokens: number; action(): void };
}

/** Sends the frames on schedule; resolves when done, when the client went away, or at the cut. */
export function runPaced(run: PacedRun): { done: Promise<PaceOutcome>; cancel(): void } {
  const { frames, t0, schedule, send, isClosed, cut } = run;
  let timer: NodeJS.Timeout | undefined;
  let finish: (o: PaceOutcome) => void = () => {};
  const done = new Promise<PaceOutcome>((resolve) => (finish = resolve));
  let i = 0;
  let k = 0;

  const step = (): void => {
    timer = undefined;
    if (isClosed()) return finish('aborted');
    const now = performance.now();
    while (i < frames.length) {
      let j = i;
      while (j < frames.length && frames[j].kind !== 'content') j++;
      const hasContent = j < frames.length;
      const target = t0 + (hasContent ? schedule.content[k] : schedule.end);
      if (target > now) {
        timer = setTimeout(step, target - now);
        return;
      }
      if (cut && k === cut.tokens) {
        cut.action();
        return finish('cut');
      }
      const last = hasContent ? j : frames.length - 1;
      for (; i <= last; i++) send(frames[i]);
      if (hasContent) {
        run.onContent?.(performance.now());
        k++;
      }
      if (isClosed()) return finish('aborted');
    }
    finish('complete');
  };

  while (i < frames.length && frames[i].kind === 'head') send(frames[i++]);
  step();
  return {
    done,
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      finish('aborted');
    },
  };
}

/** Resolves true at time `at` (performance.now() ms), or false as soon as the client has gone. */
export function waitUntil(at: number, isClosed: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (isClosed()) return resolve(false);
      const left = at - performance.now();
      if (left <= 0) return resolve(true);
      // Re-check now and then so a client that hangs up does not hold a timer for a long answer.
      setTimeout(tick, Math.min(left, 250));
    };
    tick();
  });
}
