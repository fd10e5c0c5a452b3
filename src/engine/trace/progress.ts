// How far a long import or rebuild is, reported at most every 100 ms: a trace of hundreds
// of megabytes takes seconds to open, and the debugger and the command line show how far
// it has got.
export type ProgressFn = (done: number, total: number) => void;

export class Progress {
  private last = Date.now();
  /** (LOCKSTEP_PROGRESS_MS sets another interval: the tests set 0, to see every report) */
  private readonly every = Number(process.env.LOCKSTEP_PROGRESS_MS ?? 100) || 0;
  constructor(private readonly fn: ProgressFn | undefined, readonly total: number) {}

  /** `done` of `total` so far: passed on if the last report is old enough. */
  at(done: number): void {
    if (!this.fn) return;
    const now = Date.now();
    if (this.every && now - this.last < this.every) return;
    this.last = now;
    this.fn(Math.min(done, this.total), this.total);
  }
}
