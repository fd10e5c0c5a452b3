// The machine's moving parts: CPUs, contexts and their frames, findings and events.
import type { CompiledFn } from './ops';
import type { FindingKind } from '../findingKinds';

export interface Frame { fn: CompiledFn; pc: number; base: number }

export type ContextKind = 'task' | 'hardirq' | 'irqthread';
export type ContextStatus = 'idle' | 'running' | 'blocked' | 'done' | 'dead';

export interface HeldLock {
  addr: number;
  how: 'spin' | 'raw' | 'local' | 'up';   // 'up': a UP spinlock: no lock word, lockdep only
  irqsave: boolean;       // took IRQs off with it (non-RT)
  preempt: boolean;       // raised the preempt count
  migrate: boolean;       // disabled migration (RT)
  trylock: boolean;
  step: number;
  loc: number;
  irqsWereOff: boolean;   // hard IRQs were already off when taken (lockdep)
}

export class Context {
  frames: Frame[] = [];
  stack: number[] = [];
  sp: number;
  status: ContextStatus;
  waitingOn = 0;          // lock address this context spins or blocks on
  preemptCount = 0;
  migrateDisable = 0;
  held: HeldLock[] = [];
  blockIdx = 0;
  arrivalsLeft: number;
  /** vector clock for the data-race detector, indexed by context id */
  vc: number[];
  irqEntryPreempt = 0;

  constructor(
    readonly id: number,
    readonly cpu: number,
    readonly kind: ContextKind,
    readonly name: string,
    readonly blocks: CompiledFn[],
    readonly stackBase: number,
    readonly stackEnd: number,
    arrivals: number,
    nContexts: number,
  ) {
    this.sp = stackBase;
    this.status = kind === 'task' ? 'running' : 'idle';
    this.arrivalsLeft = arrivals;
    this.vc = new Array<number>(nContexts).fill(0);
    this.vc[id] = 1;
  }

  get label(): string {
    if (this.name === 'boot') return 'boot';
    return this.kind === 'task' ? 'task' : this.kind === 'hardirq' ? 'hardirq' : this.name;
  }
}

export interface Cpu {
  id: number;
  irqsDisabled: boolean;
  /** non-RT: the task and the hard-IRQ handlers nested on it, innermost last */
  stack: Context[];
  task: Context;
  irqs: Context[];
  /** PREEMPT_RT: the threaded handler now running (it keeps the CPU until it blocks or ends) */
  activeThread?: Context;
  /** the context that took the CPU's last step */
  lastRan?: Context;
}

export interface StackFrameInfo { function: string; file: string; line: number; column: number; endLine: number; endColumn: number }
export interface ContextStack { cpu: number; context: string; frames: StackFrameInfo[] }

export interface Finding {
  kind: FindingKind;
  message: string;
  step: number;
  cpu: number;
  context: string;
  location: { file: string; line: number; column: number };
  stacks: ContextStack[];
  schedule: string;
}

export type EventKind =
  | 'lock-acquired' | 'lock-released' | 'lock-contended' | 'trylock-failed'
  | 'irq-entry' | 'irq-exit' | 'refill' | 'drain' | 'fallback' | 'trace' | 'finding';

export interface MachineEvent {
  step: number;
  cpu: number;
  context: string;
  kind: EventKind;
  /** lock name, trace event name, finding kind */
  name: string;
  fields?: Record<string, number | string>;
  /** the CPU's hard-IRQ state and the context's preempt count when it was logged (what
   * ftrace's flags column shows) */
  irqsOff?: boolean;
  preempt?: number;
}

export interface StepRecord {
  step: number;
  cpu: number;
  context: string;
  loc: number;
  /** what the step did beyond running code: "spin", "blocked", an event kind */
  event?: string;
}
