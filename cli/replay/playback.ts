// Runs steps at fixed offsets from one origin. Each wake-up runs every step that is due and sleeps
// until the next one, so lateness never accumulates (no chained timeouts measuring from the last step).
import { performance } from 'node:perf_hooks';

export interface Step {
  atMs: number;
  run: () => void;
}

export class Playback {
  private i = 0;
  private timer: NodeJS.Timeout | null = null;
  private cancelled = false;
  private readonly steps: Step[];

  /**
   * `origin`: performance.now() of the moment offsets count from (the request's arrival).
   * `onError`: a step threw (a recording Node refuses to send, say): playback stops, this is told why.
   */
  constructor(
    steps: Step[],
    private readonly origin: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.steps = [...steps].sort((a, b) => a.atMs - b.atMs);
  }

  start(): void {
    this.tick();
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get done(): boolean {
    return this.cancelled || this.i >= this.steps.length;
  }

  private tick = (): void => {
    this.timer = null;
    if (this.cancelled) return;
    const now = performance.now() - this.origin;
    while (this.i < this.steps.length && this.steps[this.i].atMs <= now + 0.5) {
      const step = this.steps[this.i++];
      try {
        step.run();
      } catch (err) {
        this.cancel();
        this.onError(err);
        return;
      }
      if (this.cancelled) return;
    }
    if (this.i >= this.steps.length) return;
    const wait = this.steps[this.i].atMs - (performance.now() - this.origin);
    this.timer = setTimeout(this.tick, Math.max(0, wait));
  };
}
