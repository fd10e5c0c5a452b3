// Time travel for the debugger: the run is the list of scheduler choices; the machine
// is checkpointed every `spacing` positions and any position is reached by restoring
// the checkpoint at or before it and re-executing the recorded choices (the machine is
// deterministic). Memory is bounded: when the checkpoints exceed the budget, every
// other one is dropped and the spacing doubles, so re-execution stays short and the
// number of checkpoints stays bounded whatever the run's length.
import type { Checkpoint, Machine } from '../sim/machine';

export interface CheckpointStoreOptions {
  /** positions between checkpoints at first */
  spacing?: number;
  /** bytes the checkpoints may take in all (memory cells are 8 bytes) */
  budgetBytes?: number;
  /** never fewer than this many checkpoints before thinning */
  minCount?: number;
  /** never more than this many */
  maxCount?: number;
}

export class CheckpointStore {
  spacing: number;
  private readonly budget: number;
  private readonly minCount: number;
  /** a cap on the count whatever the budget (a checkpoint no longer copies the choices before
   * it, the machine shares them, so the memory is the budget's: cells × 8 bytes each) */
  private readonly maxCount: number;
  /** positions, ascending, with their checkpoints */
  private positions: number[] = [];
  private cps: Checkpoint[] = [];
  private bytesEach = 0;

  constructor(options: CheckpointStoreOptions = {}) {
    // re-execution runs ~5-11 µs a step (more while CPUs spin on a contended lock): 4096
    // steps keep the worst goto/stepBack near 20-45 ms, under the 100 ms any-step target;
    // a 4-CPU machine is ~200 KB, so a 1,000,000-step run holds 245 of them (~50 MB) and the
    // spacing first doubles past 2,000,000 steps (512 cap) or at the byte budget
    this.spacing = options.spacing ?? 4096;
    this.budget = options.budgetBytes ?? 256 * 1024 * 1024;
    this.minCount = options.minCount ?? 16;
    this.maxCount = options.maxCount ?? 512;
  }

  get count(): number { return this.positions.length; }

  /** Called after each forward move: takes a checkpoint at multiples of the spacing. */
  maybeTake(m: Machine, pos: number): void {
    if (pos % this.spacing !== 0) return;
    const last = this.positions.length ? this.positions[this.positions.length - 1] : -1;
    if (pos <= last) return;  // replaying over positions that already have one
    this.take(m, pos);
  }

  take(m: Machine, pos: number): void {
    const cp = m.checkpoint();
    this.bytesEach = Math.max(this.bytesEach, cp.mem.length * 8 + 4096);
    // keep ascending order: drop any at or after pos (a fork rewrote that part)
    this.dropAfter(pos - 1);
    this.positions.push(pos);
    this.cps.push(cp);
    this.thin();
  }

  /** The latest checkpoint at or before pos. */
  atOrBefore(pos: number): { pos: number; cp: Checkpoint } | undefined {
    let lo = 0, hi = this.positions.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.positions[mid] <= pos) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return best < 0 ? undefined : { pos: this.positions[best], cp: this.cps[best] };
  }

  /** The recorded future after pos was dropped (a fork, an edited variable). */
  dropAfter(pos: number): void {
    let n = this.positions.length;
    while (n > 0 && this.positions[n - 1] > pos) n--;
    this.positions.length = n;
    this.cps.length = n;
  }

  clear(): void {
    this.positions = [];
    this.cps = [];
  }

  private thin(): void {
    const maxCount = Math.min(this.maxCount, Math.max(this.minCount, Math.floor(this.budget / Math.max(1, this.bytesEach))));
    if (this.positions.length <= maxCount) return;
    this.spacing *= 2;
    const keepP: number[] = [];
    const keepC: Checkpoint[] = [];
    this.positions.forEach((p, i) => {
      // position 0 (the boot state) always stays; the others on the new grid
      if (p === 0 || p % this.spacing === 0) { keepP.push(p); keepC.push(this.cps[i]); }
    });
    this.positions = keepP;
    this.cps = keepC;
  }
}
