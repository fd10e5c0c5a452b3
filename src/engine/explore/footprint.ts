// What one transition of the search touches: the shared cells it reads and writes, whether
// it ran a lock primitive, whether it changed its own CPU's IRQ/preempt state. Two
// transitions of different CPUs whose footprints do not conflict commute: running them in
// either order reaches the same state with the same findings, so the search explores one
// order only (sleep sets, exhaustive.ts).
import { BUILTINS } from '../builtins';
import type { BuiltinCategory } from '../builtins';

/**
 * Lock primitives (and lockdep's own assertions) are ordered with each other, whatever
 * lock they name: besides the lock word they read and write detector state that is global
 * (lockdep's usage flags and dependency graph, the race detector's lock clocks, the
 * deadlock check's wait chains), and the place where a lockdep or deadlock report fires
 * depends on which of two lock operations comes second.
 */
const SYNC: ReadonlySet<BuiltinCategory> = new Set<BuiltinCategory>(['spinlock', 'local_lock', 'lockdep']);
/** Builtins that read or write the CPU's own IRQ flag, preempt count or context. */
const OWN_CPU: ReadonlySet<BuiltinCategory> = new Set<BuiltinCategory>(['irq', 'preempt', 'sleep', 'context', 'assert', 'percpu']);

const CATEGORY = new Map<string, BuiltinCategory>([...BUILTINS.values()].map(b => [b.name, b.category]));

/** Filled by the machine during one step (Machine.footprint) when the explorer asks. */
export class StepFootprint {
  reads: number[] = [];
  writes: number[] = [];
  sync = false;
  ownCpu = false;

  reset(): void {
    this.reads.length = 0;
    this.writes.length = 0;
    this.sync = false;
    this.ownCpu = false;
  }

  builtin(name: string): void {
    const c = CATEGORY.get(name);
    if (c === undefined || SYNC.has(c)) this.sync = true;
    else if (OWN_CPU.has(c)) this.ownCpu = true;
  }

  /** Nothing another CPU or an interrupt could observe or change. */
  get local(): boolean {
    return !this.sync && !this.ownCpu && this.reads.length === 0 && this.writes.length === 0;
  }
}

/** The footprint of a whole transition, kept with sleep-set entries. */
export interface Footprint {
  cpu: number;
  /** an interrupt arrival (dependent with every step of its CPU, independent of others) */
  arrival: boolean;
  /** dependent with everything: a context started, ended, blocked or woke, a finding was
   * raised, the machine became or stopped being quiescent (page accounting runs) */
  global: boolean;
  sync: boolean;
  reads: Set<number>;
  writes: Set<number>;
}

export function independent(a: Footprint, b: Footprint): boolean {
  if (a.cpu === b.cpu) return false;
  if (a.global || b.global) return false;
  if (a.arrival || b.arrival) return true;   // different CPUs
  if (a.sync && b.sync) return false;
  for (const w of a.writes) if (b.writes.has(w) || b.reads.has(w)) return false;
  for (const w of b.writes) if (a.reads.has(w)) return false;
  return true;
}
