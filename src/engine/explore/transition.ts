// The search's transitions. A choice is "step CPU p" or "interrupt k arrives on CPU p",
// numbered 0..n-1 (CPUs first, then each CPU's irq blocks) so a set of choices is a bitmask.
//
// Local-step merging: a step that touches no shared memory, runs no builtin (but those
// that only touch its own CPU's IRQ flag or preempt count, when no interrupt can arrive on
// that CPU any more), starts or ends no context and raises nothing (arithmetic on locals, a
// jump, a call deeper into the model) commutes with every step of every other CPU and with interrupt arrivals (a handler
// cannot see the interrupted task's locals). So a transition of CPU p is its local steps up
// to and including its next step that is not local: interleavings that differ only in where
// other CPUs ran between p's local steps are the same behaviour, and are explored once.
import type { Machine } from '../sim/machine';
import type { Choice } from '../run';
import { StepFootprint, Footprint } from './footprint';

export interface ChoiceTable {
  choices: Choice[];
  /** bit of choice i: 2**i (up to 52 choices) */
  count: number;
}

export function choiceTable(m: Machine): ChoiceTable {
  const choices: Choice[] = m.cpus.map(c => ({ kind: 'cpu', cpu: c.id, irq: 0 }));
  for (const c of m.cpus) c.irqs.forEach((_x, k) => choices.push({ kind: 'irq', cpu: c.id, irq: k }));
  if (choices.length > 30) throw new Error(`the search handles at most 30 CPUs and interrupt blocks, the scenario has ${choices.length}`);
  return { choices, count: choices.length };
}

export function isEnabled(m: Machine, ch: Choice): boolean {
  return ch.kind === 'cpu' ? m.canStep(ch.cpu) : m.canDeliver(ch.cpu, ch.irq);
}

/** Bitmask of the enabled choices. */
export function enabledMask(m: Machine, t: ChoiceTable): number {
  let mask = 0;
  for (let i = 0; i < t.count; i++) if (isEnabled(m, t.choices[i])) mask |= 1 << i;
  return mask;
}

/**
 * Can an interrupt still arrive on this CPU? Only an arrival observes the CPU's IRQ flag
 * and preempt count from outside its own sequence of steps, so without one a step that
 * only touches them (local_irq_save, preempt_disable, this_cpu_ptr) is local too.
 */
function arrivalsLeft(m: Machine, cpu: number): boolean {
  for (const c of m.cpus[cpu].irqs) if (c.status === 'idle' && c.arrivalsLeft > 0) return true;
  return false;
}

function statusSig(m: Machine): number {
  let s = 0;
  for (const c of m.contexts) s = s * 5 + (c.status === 'idle' ? 0 : c.status === 'running' ? 1 : c.status === 'blocked' ? 2 : c.status === 'done' ? 3 : 4);
  return s;
}

export interface TransitionResult {
  fp: Footprint;
  /** steps run (0 for an arrival) */
  steps: number;
  /** the run reached maxSteps inside the transition */
  maxSteps: boolean;
}

/**
 * Runs one transition with the reduction (local steps merged) or one bare step without it,
 * and returns its footprint.
 */
export function runTransition(m: Machine, ch: Choice, sfp: StepFootprint, maxSteps: number, merge: boolean): TransitionResult {
  const fp: Footprint = { cpu: ch.cpu, arrival: ch.kind === 'irq', global: false, sync: false, reads: new Set(), writes: new Set() };
  if (ch.kind === 'irq') {
    m.deliver(ch.cpu, ch.irq);
    return { fp, steps: 0, maxSteps: false };
  }
  m.footprint = sfp;
  let steps = 0;
  try {
    for (;;) {
      sfp.reset();
      const q0 = m.quiescent();
      const st0 = statusSig(m);
      const nf = m.findings.length;
      const ctx = m.current(m.cpus[ch.cpu]);
      const d0 = ctx ? ctx.frames.length : 0;
      m.stepCpu(ch.cpu);
      steps++;
      const d1 = ctx ? ctx.frames.length : 0;
      const global = q0 || m.findings.length !== nf || statusSig(m) !== st0 || d0 <= 1 || d1 <= 1 || m.quiescent();
      const local = !sfp.sync && sfp.reads.length === 0 && sfp.writes.length === 0 && (!sfp.ownCpu || !arrivalsLeft(m, ch.cpu));
      if (global || !local || !merge || m.step >= maxSteps || !m.canStep(ch.cpu)) {
        fp.global = global;
        fp.sync = sfp.sync;
        for (const r of sfp.reads) fp.reads.add(r);
        for (const w of sfp.writes) fp.writes.add(w);
        return { fp, steps, maxSteps: m.step >= maxSteps };
      }
    }
  } finally {
    m.footprint = undefined;
  }
}
