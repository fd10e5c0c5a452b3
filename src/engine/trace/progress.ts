// How far a long import or rebuild is, reported at most every REPORT_MS: a trace of hundreds
// of megabytes takes seconds to open, and the debugger shows how far it has got.
export type ProgressFn = (done: number, total: number) => void;

/** (LOCKSTEP_PROGRESS_MS sets another interval: the tests set 0, to see every report) */
const REPORT_MS = Number(process.env.LOCKSTEP_PROGRESS_MS ?? 100) || 0;

export class Progress {
  private last = Date.now();
  constructor(private readonly fn: ProgressFn | undefined, readonly total: number) {}

  /** `done` of `total` so far: passed on if the last report is REPORT_MS old. */
  at(done: number): void {
    if (!this.fn) return;
    const now = Date.now();
    if (REPORT_MS && now - this.last < REPORT_MS) return;
    this.last = now;
    this.fn(Math.min(done, this.total), this.total);
  }
}
