// Sampling strategies: seeded random runs and PCT (probabilistic concurrency testing,
// Burckhardt et al., ASPLOS 2010). Neither is complete; both are cheap per run and find
// shallow bugs fast. Every run is one step at a time (no merging), so its schedule is a
// plain list of choices.
//
// random: each interrupt's arrival step is drawn uniformly over the horizon (the length of
// a round-robin run), each step runs a uniformly chosen CPU among those that can run.
// pct: every choice (CPU or interrupt block) gets a random distinct priority; the highest
// enabled one runs; at d-1 random steps the one that just ran drops below all others.
// A bug of depth d is found with probability at least 1/(n * k^(d-1)) per run.
//
// `states` for these counts the distinct states at interrupt arrivals and at the end of
// each run, not at every step: hashing the machine at every step would cost more than the
// runs themselves.
import type { CheckedProgram } from '../lang/load';
import { Machine } from '../sim/machine';
import { rng } from '../run';
import { StepFootprint } from './footprint';
import { choiceTable, enabledMask, runTransition } from './transition';
import { StateKeyer } from './stateKey';
import { FindingSet } from './findingSet';
import { Pacer } from './progress';

export interface SamplingOptions {
  strategy: 'random' | 'pct';
  runs: number;
  seed: number;
  depth: number;
  maxSteps: number;
  detectors: boolean;
  stopOnFirst: boolean;
  maxStates: number;
  /** run numbers r with r % count === index - 1 only */
  shard?: { index: number; count: number };
}

export class Sampler {
  readonly findings = new FindingSet();
  readonly keyer = new StateKeyer();
  readonly distinct = new Set<number>();
  schedules = 0;
  maxDepth = 0;
  depth = 0;
  hitMaxSteps = false;
  private readonly sfp = new StepFootprint();
  private horizon = 0;

  constructor(private readonly program: CheckedProgram, private readonly o: SamplingOptions, private readonly pacer: Pacer) {}

  get states(): number { return this.distinct.size; }

  /** false when a limit stopped it */
  run(): boolean {
    this.horizon = this.roundRobinLength();
    for (let r = 0; r < this.o.runs; r++) {
      if (this.o.shard && r % this.o.shard.count !== this.o.shard.index - 1) continue;
      if (!this.one(this.o.seed + r)) return false;
    }
    return true;
  }

  private roundRobinLength(): number {
    const m = new Machine(this.program, { detectors: false, maxSteps: this.o.maxSteps });
    m.recordSteps = false;
    for (let i = 0; i < this.o.maxSteps; i++) {
      let moved = false;
      // spinning on a held lock is not work (Machine.spinning): the holder's steps are
      for (const c of m.cpus) if (m.canStep(c.id) && !m.spinning(c.id)) { m.stepCpu(c.id); moved = true; }
      if (!moved) for (const c of m.cpus) if (m.canStep(c.id)) { m.stepCpu(c.id); moved = true; }
      if (!moved || m.stuck()) break;
    }
    return Math.max(10, m.step);
  }

  private one(seed: number): boolean {
    const random = rng(seed);
    const m = new Machine(this.program, { detectors: this.o.detectors, maxSteps: this.o.maxSteps });
    m.recordSteps = false;
    const t = choiceTable(m);
    const n = t.count;
    // random: arrival steps; pct: priorities and change points
    const arrival = t.choices.map(() => Math.floor(random() * this.horizon));
    const prio = t.choices.map((_c, i) => i + this.o.depth);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [prio[i], prio[j]] = [prio[j], prio[i]]; }
    const changes = new Map<number, number>();
    for (let i = 1; i < this.o.depth; i++) changes.set(1 + Math.floor(random() * this.horizon), this.o.depth - i);
    for (;;) {
      if (!this.pacer.tick()) return false;
      const en = enabledMask(m, t);
      if (en === 0 || m.stuck()) break;
      if (m.step >= this.o.maxSteps) { this.hitMaxSteps = true; break; }
      let pick = -1;
      if (this.o.strategy === 'pct') {
        for (let i = 0; i < n; i++) if (en & (1 << i) && (pick < 0 || prio[i] > prio[pick])) pick = i;
      } else {
        for (let i = 0; i < n; i++) if (t.choices[i].kind === 'irq' && en & (1 << i) && m.step >= arrival[i]) { pick = i; break; }
        if (pick >= 0) arrival[pick] = m.step + 1 + Math.floor(random() * this.horizon);
        else {
          const cpus: number[] = [];
          for (let i = 0; i < n; i++) if (t.choices[i].kind === 'cpu' && en & (1 << i) && !m.spinning(t.choices[i].cpu)) cpus.push(i);
          // everyone spins: let one spin (the run is stuck or an interrupt is still due)
          if (!cpus.length) for (let i = 0; i < n; i++) if (t.choices[i].kind === 'cpu' && en & (1 << i)) cpus.push(i);
          pick = cpus.length ? cpus[Math.floor(random() * cpus.length)] : -1;
          if (pick < 0) break;    // only interrupts could come, and none is due: the run is over
        }
      }
      if (t.choices[pick].kind === 'irq') this.sample(m);
      const nf = m.findings.length;
      runTransition(m, t.choices[pick], this.sfp, this.o.maxSteps, false);
      let fresh = false;
      for (let i = nf; i < m.findings.length; i++) if (this.findings.add(m.findings[i])) fresh = true;
      if (fresh && this.o.stopOnFirst) { this.pacer.limit = 'first-finding'; return false; }
      const drop = this.o.strategy === 'pct' ? changes.get(m.step) : undefined;
      if (drop !== undefined) prio[pick] = drop;
      // a CPU spinning on a lock held by a lower-priority one would spin forever: it
      // yields, as PCT's implementations do for a thread that waits
      if (this.o.strategy === 'pct' && t.choices[pick].kind === 'cpu' && m.current(m.cpus[t.choices[pick].cpu])?.waitingOn) {
        prio[pick] = Math.min(...prio) - 1;
      }
      if (this.pacer.limit) return false;
    }
    this.sample(m);
    if (m.step > this.maxDepth) this.maxDepth = m.step;
    this.depth = m.step;
    this.schedules++;
    return true;
  }

  private sample(m: Machine): void {
    if (this.distinct.size < this.o.maxStates) this.distinct.add(this.keyer.key(m));
  }
}
