// Throttled progress and limit checks: the search calls tick() on every transition; the
// clock is read every 64 ticks, the callback fires at most every 250 ms.
import type { ExploreProgress } from './types';

export class Pacer {
  private readonly t0 = Date.now();
  private lastReport = this.t0;
  private ticks = 0;
  limit: string | undefined;

  constructor(
    private readonly timeLimitMs: number | undefined,
    private readonly shouldStop: (() => boolean) | undefined,
    private readonly onProgress: ((p: ExploreProgress) => void) | undefined,
    private readonly sample: () => { states: number; schedules: number; depth: number },
  ) {}

  get elapsedMs(): number { return Date.now() - this.t0; }

  /** false: stop now (this.limit says why) */
  tick(): boolean {
    if (this.limit) return false;
    if ((++this.ticks & 63) !== 0) return true;
    return this.check();
  }

  /** Reads the clock now: limits, cancellation, progress. */
  check(): boolean {
    if (this.limit) return false;
    const now = Date.now();
    if (this.shouldStop?.()) { this.limit = 'stopped'; return false; }
    if (this.timeLimitMs !== undefined && now - this.t0 >= this.timeLimitMs) { this.limit = 'time-limit'; return false; }
    if (this.onProgress && now - this.lastReport >= 250) {
      this.lastReport = now;
      this.onProgress(this.snapshot(now));
    }
    return true;
  }

  snapshot(now = Date.now()): ExploreProgress {
    const s = this.sample();
    const elapsedMs = now - this.t0;
    return { ...s, elapsedMs, statesPerSecond: elapsedMs > 0 ? Math.round(s.states / (elapsedMs / 1000)) : 0 };
  }
}
