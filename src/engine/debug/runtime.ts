// The debug runtime: a Machine under the debugger's control. It steps one CPU, delivers
// an interrupt, runs a strategy in slices, matches breakpoints after every forward move,
// and travels in time over the recorded choices (checkpoints + re-execution). It knows
// nothing of DAP: the adapter maps its stops, threads and views to the protocol.
import type { CheckedProgram } from '../lang/load';
import { Machine, scheduleString } from '../sim/machine';
import type { Checkpoint } from '../sim/machine';
import type { Context, Finding, MachineEvent } from '../sim/state';
import { parseSchedule, rng, DEFAULT_MAX_STEPS, ScheduleError } from '../run';
import { CheckpointStore } from './timeTravel';
import { Breakpoints, ConditionHook, Hit, HitSpec } from './breakpoints';
import { Timeline } from './timeline';
import { Op } from '../sim/ops';
import { exploreSync } from '../explore';

export type DebugStrategy = 'explore' | 'roundrobin' | 'random';

export interface RuntimeOptions {
  strategy?: DebugStrategy;
  seed?: number;
  /** a schedule string to replay: becomes the recorded future */
  schedule?: string;
  maxSteps?: number;
  /** checkpoint spacing (tests and benchmarks) */
  checkpointSpacing?: number;
  /** explore: schedules to try before giving up */
  exploreSchedules?: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception'
  | 'pause' | 'goto' | 'interrupt' | 'end';

export interface Stop {
  reason: StopReason;
  /** the context that moved last or hit (its thread is the one to select) */
  context?: Context;
  description: string;
  /** breakpoint ids that were hit */
  ids?: number[];
  finding?: Finding;
  event?: MachineEvent;
  /** stepping could not go on (the CPU has nothing to run, the run ended) */
  text?: string;
}

export interface Progress { schedules: number; steps: number; elapsedMs: number; message: string }

/** cN → N, iN.K → -(1 + N*65536 + K): the machine's own encoding of a choice. */
export function cpuChoice(cpu: number): number { return cpu; }
export function irqChoice(cpu: number, k: number): number { return -(1 + cpu * 65536 + k); }
export function choiceCpu(code: number): number { return code >= 0 ? code : Math.floor((-code - 1) / 65536); }
export function choiceText(code: number): string {
  if (code >= 0) return `c${code}`;
  const v = -code - 1, k = v % 65536;
  return k ? `i${Math.floor(v / 65536)}.${k}` : `i${Math.floor(v / 65536)}`;
}

const MAX_STEP_OVER = 200_000;
const NO_EVENTS: MachineEvent[] = [];
const NEAR_BACK = 256;

export class DebugRuntime {
  m: Machine;
  readonly bps: Breakpoints;
  readonly timeline: Timeline;
  /** the recorded run; rec[0..recLen) */
  private rec = new Int32Array(4096);
  private recLen = 0;
  /** the events of the last move; the machine's own logs are emptied after every move, so a
   * long run keeps no per-step objects and a restore truncates nothing big */
  private lastEvents: MachineEvent[] = [];
  /** where the moving context stood after choice p: a statement's loc index, or -1 */
  private arrLoc = new Int32Array(4096);
  /** mover[p]: the id of the context that made move p (a step: the context that ran; an
   * arrival: the interrupt's context), so stepBack can find a thread's previous move */
  private mover = new Int32Array(4096);
  /** where the launch's `schedule` ends in the recorded run (-1: none, or the run left it) */
  private scheduleEnd = -1;
  /** the statements contexts stand on at step 0 */
  private readonly startLocs: number[] = [];
  pos = 0;
  readonly store: CheckpointStore;
  /** one extra checkpoint behind the last backward landing (see goto) */
  private near: { pos: number; cp: Checkpoint } | undefined;
  /** memory edits (setVariable): applied whenever position p is reached */
  private edits = new Map<number, { addr: number; value: number }[]>();
  strategy: DebugStrategy;
  private seed: number;
  private random: () => number;
  private arrivals = new Map<number, number>();
  readonly maxSteps: number;
  /** evaluates a breakpoint condition in a context (set by whoever has the evaluator) */
  condition: ConditionHook | undefined;
  /** prints a logpoint (set by the adapter) */
  onLog: ((bp: HitSpec, ctx: Context) => void) | undefined;
  private running: {
    kind: 'continue' | 'explore'; started: number; stopRequested: boolean; base: number; schedules: number; steps: number;
    attemptSeed: number; attemptStart: number;
    /** from the boot state the engine's explorer searches (in short slices); elsewhere, seeded runs from here */
    explorer: boolean; explorerSlices: number; states: number;
  } | undefined;
  private readonly exploreSchedules: number;

  constructor(readonly program: CheckedProgram, options: RuntimeOptions = {}) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.m = new Machine(program, { maxSteps: this.maxSteps });
    this.m.recordSteps = true;
    this.bps = new Breakpoints(this.m);
    this.timeline = new Timeline(this.m);
    this.store = new CheckpointStore({ spacing: options.checkpointSpacing });
    this.m.events.length = 0;
    this.m.steps.length = 0;
    this.store.take(this.m, 0);
    this.strategy = options.strategy ?? 'roundrobin';
    this.seed = options.seed ?? 1;
    this.random = rng(this.seed);
    this.exploreSchedules = options.exploreSchedules ?? 2000;
    if (options.schedule) { this.loadSchedule(options.schedule); this.scheduleEnd = this.recLen; }
    // where each context stands before the first step: step 0 is a goto target for those lines
    for (const c of this.m.contexts) {
      const top = c.frames[c.frames.length - 1];
      const ins = top?.fn.code[top.pc];
      if (ins && ins.op === Op.STEP) this.startLocs.push(ins.loc);
    }
  }

  /** A schedule string becomes the recorded future; bad items throw ScheduleError. */
  private loadSchedule(text: string): void {
    const choices = parseSchedule(text);
    for (const ch of choices) {
      if (ch.cpu >= this.m.ncpus) throw new ScheduleError(1, `schedule item ${describe(ch)}: the scenario has ${this.m.ncpus} CPU(s)`);
      if (ch.kind === 'irq' && !this.m.cpus[ch.cpu].irqs[ch.irq]) throw new ScheduleError(1, `schedule item ${describe(ch)}: CPU ${ch.cpu} has no irq block #${ch.irq}`);
      this.push(ch.kind === 'cpu' ? cpuChoice(ch.cpu) : irqChoice(ch.cpu, ch.irq));
    }
    this.pos = 0;
  }

  get length(): number { return this.recLen; }
  choiceAt(p: number): number { return this.rec[p]; }
  get isRunning(): boolean { return this.running !== undefined; }

  /** The recorded run up to the current position as a schedule string. */
  schedule(): string { return this.m.schedule(); }

  /** The whole recorded run (past the current position after going back) as a schedule string. */
  recordedSchedule(): string { return scheduleString(this.recLen, i => this.rec[i]); }

  // ---- the recording ----
  private push(code: number): void {
    if (this.recLen === this.rec.length) { const b = new Int32Array(this.rec.length * 2); b.set(this.rec); this.rec = b; }
    this.rec[this.recLen++] = code;
  }

  /** Drops the recorded future after the current position (a fork, an edit). */
  private truncate(): void {
    if (this.recLen === this.pos) return;
    // the run leaves the launch's schedule: its end is no longer a place to stop
    if (this.pos < this.scheduleEnd) this.scheduleEnd = -1;
    this.recLen = this.pos;
    this.store.dropAfter(this.pos);
    if (this.near && this.near.pos > this.pos) this.near = undefined;
    for (const p of [...this.edits.keys()]) if (p > this.pos) this.edits.delete(p);
    this.timeline.truncate(this.pos);
  }

  /** Can this choice be applied now? */
  enabled(code: number): boolean {
    if (code >= 0) return this.m.canStep(code);
    const v = -code - 1;
    return this.m.canDeliver(Math.floor(v / 65536), v % 65536);
  }

  /** Applies one choice (recording it, or following the recording) without breakpoint checks. */
  private apply(code: number): boolean {
    if (!this.enabled(code)) return false;
    if (this.pos < this.recLen && this.rec[this.pos] !== code) this.truncate();
    let who: Context | undefined;
    if (code >= 0) { this.m.stepCpu(code); who = this.m.cur; }
    else { const v = -code - 1; const cpu = Math.floor(v / 65536), k = v % 65536; this.m.deliver(cpu, k); who = this.m.cpus[cpu].irqs[k]; }
    if (this.pos >= this.mover.length) { const b = new Int32Array(Math.max(this.pos + 1, this.mover.length * 2)); b.set(this.mover); this.mover = b; }
    this.mover[this.pos] = who ? who.id : -1;
    if (this.pos === this.recLen) this.push(code);
    this.arrive(this.pos + 1);
    return true;
  }

  private arrive(p: number): void {
    this.pos = p;
    if (p >= this.arrLoc.length) {
      const l = new Int32Array(Math.max(p + 1, this.arrLoc.length * 2)); l.set(this.arrLoc); this.arrLoc = l;
    }
    const cur = this.m.cur;
    const top = cur?.frames[cur.frames.length - 1];
    const ins = top?.fn.code[top.pc];
    this.arrLoc[p] = ins && ins.op === Op.STEP ? ins.loc : -1;
    const ed = this.edits.get(p);
    if (ed) { for (const e of ed) this.m.mem[e.addr] = e.value; this.m.memChanged(); }
    const ev = this.m.events;
    this.lastEvents = ev.length ? ev.slice() : NO_EVENTS;
    ev.length = 0;
    this.m.steps.length = 0;
    this.store.maybeTake(this.m, p);
    this.timeline.record(p, this.lastEvents, 0, this.lastEvents.length, this.m.cur);
  }

  /** Positions of the recorded run (up to what has been executed) where a context arrives at this line. */
  positionsAtLine(file: (f: string) => boolean, line: number, limit = 100): number[] {
    const out: number[] = [];
    if (this.startLocs.some(l => { const r = this.m.code.locs[l]; return r && r.line === line && file(r.file); })) out.push(0);
    const known = Math.min(this.recLen, this.timeline.furthest);
    for (let p = 1; p <= known && out.length < limit; p++) {
      const l = this.arrLoc[p];
      if (l < 0) continue;
      const r = this.m.code.locs[l];
      if (r && r.line === line && file(r.file)) out.push(p);
    }
    return out;
  }

  /** The events of the choice that led to the current position. */
  eventsOf(p: number): MachineEvent[] {
    return p === this.pos && p > 0 ? this.lastEvents : NO_EVENTS;
  }

  /** Forward move with breakpoints: applies, then asks what it hit. */
  private move(code: number): Hit | undefined | false {
    if (!this.apply(code)) return false;
    const hit = this.bps.check(this.m.cur, this.eventsOf(this.pos), this.condition, true);
    if (hit?.logs) for (const l of hit.logs) this.onLog?.(l.bp, l.ctx);
    return hit && hit.kind !== 'line' || hit?.ids.length ? hit : undefined;
  }

  private stopFromHit(hit: Hit): Stop {
    const ctx = hit.event ? this.m.contexts.find(c => c.cpu === hit.event!.cpu && c.label === hit.event!.context) ?? this.m.cur : this.m.cur;
    if (hit.kind === 'exception') {
      const finding = hit.event?.kind === 'finding' ? this.lastFindingOfKind(hit.event.name) : undefined;
      return { reason: 'exception', context: finding ? this.contextOfFinding(finding) : ctx, description: finding ? finding.message.split('\n')[0] : hit.description, finding, event: hit.event, text: finding?.kind ?? hit.event?.kind };
    }
    const reason: StopReason = hit.kind === 'line' ? 'breakpoint' : hit.kind === 'function' ? 'function breakpoint' : 'data breakpoint';
    return { reason, context: ctx, description: hit.description, ids: hit.ids, event: hit.event };
  }

  private lastFindingOfKind(kind: string): Finding | undefined {
    for (let i = this.m.findings.length - 1; i >= 0; i--) if (this.m.findings[i].kind === kind) return this.m.findings[i];
    return undefined;
  }

  contextOfFinding(f: Finding): Context | undefined {
    return this.m.contexts.find(c => c.cpu === f.cpu && c.label === f.context);
  }

  // ---- stepping one CPU ----
  /**
   * `in`: one step of the CPU; `over`: until its context is back at the same call depth
   * or shallower; `out`: until it has returned from the current function. Only this CPU
   * moves; a breakpoint or finding on the way stops it; so does waiting on a lock.
   */
  step(cpu: number, mode: 'in' | 'over' | 'out'): Stop {
    if (!this.m.cpus[cpu]) return { reason: 'step', description: `no CPU ${cpu}`, text: 'no such CPU' };
    const ctx0 = this.m.current(this.m.cpus[cpu]);
    if (!ctx0) return { reason: 'step', context: this.m.cpus[cpu].task, description: `CPU ${cpu} has nothing to run`, text: 'nothing to run' };
    const depth0 = ctx0.frames.length;
    for (let n = 0; n < MAX_STEP_OVER; n++) {
      const hit = this.move(cpuChoice(cpu));
      if (hit === false) return { reason: 'step', context: ctx0, description: `CPU ${cpu} has nothing to run`, text: 'nothing to run' };
      if (hit) return this.stopFromHit(hit);
      if (mode === 'in') break;
      const ran = this.m.cur;
      if (ran !== ctx0) continue;                        // an RT handler thread ran meanwhile
      if (ctx0.status !== 'running' && ctx0.status !== 'blocked') break;   // finished
      if (ctx0.waitingOn) break;                         // spinning or sleeping: show it
      const d = ctx0.frames.length;
      if (mode === 'over' && d <= depth0) break;
      if (mode === 'out' && d < depth0) break;
      if (!this.m.canStep(cpu)) break;
    }
    return { reason: 'step', context: this.m.cur, description: `CPU ${cpu} stepped` };
  }

  /** Delivers interrupt k of a CPU now (the "what if it came here?" choice). */
  deliver(cpu: number, k = 0): Stop {
    if (!this.m.cpus[cpu]) return { reason: 'interrupt', description: `no CPU ${cpu}`, text: `there is no CPU ${cpu}` };
    const irq = this.m.cpus[cpu].irqs[k];
    if (!irq) return { reason: 'interrupt', description: 'no such interrupt', text: `CPU ${cpu} has no irq block #${k}` };
    if (!this.m.canDeliver(cpu, k)) {
      const why = irq.status !== 'idle' ? 'its handler is running' : irq.arrivalsLeft <= 0 ? 'it has no arrivals left' : this.m.cpus[cpu].irqsDisabled ? 'interrupts are disabled on that CPU' : 'nothing is left to interrupt';
      return { reason: 'interrupt', description: 'cannot deliver', text: `the interrupt cannot arrive on CPU ${cpu} now: ${why}` };
    }
    const hit = this.move(irqChoice(cpu, k));
    if (hit) return this.stopFromHit(hit);
    return { reason: 'interrupt', context: irq, description: `interrupt delivered on CPU ${cpu}` };
  }

  // ---- continue: the strategy in slices ----
  startContinue(): void {
    const explore = this.strategy === 'explore' && this.pos >= this.recLen;
    this.running = {
      kind: explore ? 'explore' : 'continue', started: Date.now(), stopRequested: false, base: this.pos, schedules: 0, steps: 0,
      attemptSeed: this.seed, attemptStart: this.pos, explorer: explore && this.pos === 0, explorerSlices: 0, states: 0,
    };
    if (explore) this.beginAttempt();
  }

  /** pause / cancel / disconnect: the next slice returns a 'pause' stop. */
  requestStop(): void { if (this.running) this.running.stopRequested = true; }

  progress(): Progress | undefined {
    const r = this.running;
    if (!r) return undefined;
    const message = r.kind !== 'explore' ? `${r.steps} steps` : r.explorer ? `${r.schedules} schedule(s), ${r.states} state(s)` : `${r.schedules} schedule(s), ${r.steps} steps`;
    return { schedules: r.schedules, steps: r.steps, elapsedMs: Date.now() - r.started, message };
  }

  /** Runs up to `budget` choices; a Stop when the run stopped, undefined to go on. */
  runSlice(budget = 20000): Stop | undefined {
    const r = this.running;
    if (!r) return { reason: 'pause', description: 'not running' };
    if (r.stopRequested) return this.finish({ reason: 'pause', context: this.m.cur, description: 'paused' });
    if (r.kind === 'explore' && r.explorer) return this.explorerSlice();
    for (let n = 0; n < budget; n++) {
      if (r.kind === 'explore') {
        const s = this.exploreStep();
        if (s) return this.finish(s);
        continue;
      }
      const code = this.pos < this.recLen ? this.rec[this.pos] : this.nextChoice();
      if (code === undefined) return this.finish(this.endStop());
      // a replayed schedule (launch attribute) ends where `lockstep run --schedule` ends;
      // continuing from there follows the strategy
      if (this.pos === this.scheduleEnd && r.base < this.scheduleEnd) {
        return this.finish({ reason: 'step', context: this.lastMover(), description: `end of the replayed schedule (step ${this.pos}); continue goes on with ${this.strategy}`, text: 'schedule replayed' });
      }
      if (this.m.step >= this.maxSteps) return this.finish({ reason: 'end', context: this.m.cur, description: `stopped after ${this.maxSteps} steps (maxSteps)`, text: 'maxSteps reached' });
      const hit = this.move(code);
      r.steps++;
      if (hit === false) {
        // the recorded future no longer applies (it cannot happen without edits): drop it
        this.truncate();
        continue;
      }
      if (hit) return this.finish(this.stopFromHit(hit));
      if (this.m.stuck()) return this.finish(this.endStop());
    }
    return undefined;
  }

  /** Runs to the end of the continue synchronously (tests, benchmarks). */
  continueSync(budget = Infinity): Stop {
    this.startContinue();
    for (let used = 0; used < budget; used += 20000) {
      const s = this.runSlice(20000);
      if (s) return s;
    }
    return this.finish({ reason: 'pause', context: this.m.cur, description: 'paused' });
  }

  private finish(s: Stop): Stop {
    this.running = undefined;
    return s;
  }

  private endStop(): Stop {
    const dl = this.m.findings.find(f => f.kind === 'deadlock');
    if (this.m.stuck()) return { reason: 'end', context: dl ? this.contextOfFinding(dl) : this.m.cur, description: dl ? dl.message.split('\n')[0] : 'no context can make progress', text: 'stuck' };
    return { reason: 'end', context: this.m.cur, description: 'every context has finished', text: 'finished' };
  }

  /** Round-robin after the last choice, or the seeded random pick. undefined: nothing enabled. */
  private nextChoice(): number | undefined {
    const m = this.m;
    if (this.strategy === 'random' || this.strategy === 'explore') {
      const irqs: number[] = [];
      for (const c of m.cpus) for (let k = 0; k < c.irqs.length; k++) if (m.canDeliver(c.id, k)) irqs.push(irqChoice(c.id, k));
      for (const code of irqs) {
        let at = this.arrivals.get(code);
        if (at === undefined) { at = m.step + Math.floor(this.random() * 200); this.arrivals.set(code, at); }
        if (m.step >= at) { this.arrivals.delete(code); return code; }
      }
      // a CPU spinning on a held lock only spins again (Machine.spinning): one that can move goes first
      const cpus: number[] = [];
      for (const c of m.cpus) if (m.canStep(c.id) && !m.spinning(c.id)) cpus.push(c.id);
      if (!cpus.length && !irqs.length) for (const c of m.cpus) if (m.canStep(c.id)) cpus.push(c.id);
      if (cpus.length) return cpus[Math.floor(this.random() * cpus.length)];
      return irqs.length ? irqs[Math.floor(this.random() * irqs.length)] : undefined;
    }
    const last = this.pos > 0 ? order(m.ncpus, this.rec[this.pos - 1]) : -1;
    // a CPU spinning on a held lock gets the turn only when nothing else can move
    return this.roundRobin(last, true) ?? this.roundRobin(last, false);
  }

  private roundRobin(last: number, skipSpinners: boolean): number | undefined {
    const m = this.m;
    let first: number | undefined;
    for (const c of m.cpus) {
      if (!m.canStep(c.id) || (skipSpinners && m.spinning(c.id))) continue;
      if (first === undefined) first = c.id;
      if (c.id > last) return c.id;
    }
    for (const c of m.cpus) for (let k = 0; k < c.irqs.length; k++) {
      if (!m.canDeliver(c.id, k)) continue;
      const code = irqChoice(c.id, k);
      if (first === undefined) first = code;
      if (order(m.ncpus, code) > last) return code;
    }
    return first;
  }

  // ---- explore from boot: the engine's explorer, one short search per slice ----
  /**
   * Two slices of the engine's bounded search (1 then 2 preemptions: the usual shape of
   * these bugs), each cut at a few hundred ms so pause and cancel are served between
   * them; then seeded random runs from here, one slice at a time (the explorer's random
   * strategy checks its time limit only between runs, and a run may be very long). A
   * finding's (shrunk) schedule becomes the recorded future, and the continue replays
   * it, stopping at the finding as any continue does.
   */
  private explorerSlice(): Stop | undefined {
    const r = this.running!;
    const k = r.explorerSlices++;
    const res = exploreSync(this.program, {
      strategy: 'bounded', preemptions: k + 1, timeLimitMs: 300 + 200 * k,
      maxSteps: this.maxSteps, stopOnFirst: true, shouldStop: () => r.stopRequested,
    });
    r.schedules += res.search.schedules;
    r.states += res.search.states;
    const f = res.findings.find(x => this.bps.filters.has(x.kind));
    if (f) {
      this.loadSchedule(f.schedule);
      r.kind = 'continue';
      return undefined;
    }
    if (r.stopRequested) return this.finish({ reason: 'pause', context: this.m.cur, description: `explore: paused after ${r.schedules} schedule(s)` });
    if (k >= 1) {
      r.explorer = false;
      this.beginAttempt();
    }
    return undefined;
  }

  // ---- explore: seeded random schedules from here until one finds something ----
  private beginAttempt(): void {
    const r = this.running!;
    this.random = rng(r.attemptSeed);
    this.arrivals.clear();
  }

  private exploreStep(): Stop | undefined {
    const r = this.running!;
    const code = this.nextChoice();
    const over = code === undefined || this.m.step >= this.maxSteps || this.m.stuck();
    if (!over) {
      this.apply(code);
      r.steps++;
      const f = this.m.lastFinding;
      if (f && this.bps.filters.has(f.kind)) {
        this.bps.resyncData();
        return { reason: 'exception', context: this.contextOfFinding(f), description: f.message.split('\n')[0], finding: f, text: f.kind };
      }
      return undefined;
    }
    // this schedule found nothing: back to where the search began, next seed
    r.schedules++;
    if (r.schedules >= this.exploreSchedules) {
      this.goto(r.base);
      return { reason: 'end', context: this.m.cur, description: `explore: no finding in ${r.schedules} schedule(s) from step ${r.base}`, text: 'nothing found' };
    }
    this.goto(r.base);
    this.truncate();
    r.attemptSeed++;
    this.beginAttempt();
    return undefined;
  }

  // ---- time travel ----
  /** Moves to position p of the recorded run (0..length): restore + re-execute. */
  goto(p: number): void {
    p = Math.max(0, Math.min(Math.trunc(p), this.recLen));
    if (p !== this.pos) {
      // forward within reach: just re-execute from here
      if (!(p > this.pos && p - this.pos <= this.store.spacing)) {
        let at = this.store.atOrBefore(p)!;
        // stepping back repeatedly: a checkpoint left just behind the last landing spot
        if (this.near && this.near.pos <= p && this.near.pos > at.pos && this.near.pos <= this.recLen) at = this.near;
        this.m.restore(at.cp);
        this.pos = at.pos;
        this.lastEvents = NO_EVENTS;
        const ed = this.edits.get(at.pos);
        if (ed) { for (const e of ed) this.m.mem[e.addr] = e.value; this.m.memChanged(); }
      }
      // re-execution of steps already seen needs no event log (nothing is matched on the way)
      const quietUntil = Math.min(p - 1, this.timeline.furthest);
      // a long re-execution leaves a checkpoint NEAR_BACK steps before p for the next stepBack
      const nearAt = p - this.pos > 2 * NEAR_BACK ? p - NEAR_BACK : -1;
      try {
        while (this.pos < p) {
          this.m.recordSteps = this.pos >= quietUntil;
          if (!this.apply(this.rec[this.pos])) { this.truncate(); break; }
          if (this.pos === nearAt) this.near = { pos: nearAt, cp: this.m.checkpoint() };
        }
      } finally {
        this.m.recordSteps = true;
      }
    }
    this.bps.resyncData();
  }

  /**
   * Back to before this CPU's previous move (any CPU when cpu is undefined), or with
   * `thread`, before that thread's previous move: on PREEMPT_RT a threaded handler and
   * the task it preempts are two threads of one CPU, and stepping back the handler undoes
   * the handler's last step, not the task's. `thread(ctx)`: the thread a context shows on.
   */
  stepBack(cpu?: number, thread?: { id: number; of: (ctx: Context) => number }): Stop {
    if (this.pos === 0) return { reason: 'entry', context: this.m.cur, description: 'at the start of the run' };
    let p = this.pos - 1;
    if (thread) {
      while (p > 0 && !this.movedOn(p, thread)) p--;
    } else if (cpu !== undefined) while (p > 0 && choiceCpu(this.rec[p]) !== cpu) p--;
    this.goto(p);
    const mine = thread && p > 0 && this.movedOn(p - 1, thread) ? this.m.contexts[this.mover[p - 1]] : undefined;
    return { reason: p === 0 ? 'entry' : 'step', context: mine ?? this.lastMover(), description: `back to step ${p}` };
  }

  /** Was move p made by a context that shows on this thread? */
  private movedOn(p: number, thread: { id: number; of: (ctx: Context) => number }): boolean {
    const c = this.m.contexts[this.mover[p]];
    return !!c && thread.of(c) === thread.id;
  }

  /** The context that made the last move (what a stop after time travel selects). */
  lastMover(): Context | undefined {
    if (this.pos === 0) return this.m.contexts[0];
    const code = this.rec[this.pos - 1];
    const cpu = this.m.cpus[choiceCpu(code)];
    return cpu.lastRan ?? this.m.current(cpu) ?? cpu.task;
  }

  /** Back to the previous position where a breakpoint, finding or event filter hits, else the entry. */
  reverseContinue(): Stop {
    let hi = this.pos - 1;
    while (hi > 0) {
      const seg = this.store.atOrBefore(hi - 1)!;
      this.goto(seg.pos);
      let last = -1;
      let lastHit: Hit | undefined;
      while (this.pos < hi) {
        if (!this.apply(this.rec[this.pos])) break;
        const h = this.bps.check(this.m.cur, this.eventsOf(this.pos), this.condition, false);
        if (h && (h.kind !== 'line' || h.ids.length)) { last = this.pos; lastHit = h; }
      }
      if (last > 0) {
        this.goto(last);
        return this.stopFromHit(lastHit!);
      }
      hi = seg.pos;
    }
    this.goto(0);
    return { reason: 'entry', context: this.m.contexts[0], description: 'back at the start of the run' };
  }

  /** A what-if edit of memory: applies now and whenever this position is reached again; the future is dropped. */
  edit(addr: number, value: number): void {
    this.truncate();
    const list = this.edits.get(this.pos) ?? [];
    list.push({ addr, value });
    this.edits.set(this.pos, list);
    this.m.mem[addr] = value;
    this.m.memChanged();
    this.store.dropAfter(this.pos - 1);
    if (this.near && this.near.pos >= this.pos) this.near = undefined;
    this.store.take(this.m, this.pos);
    this.bps.resyncData();
  }

  /** Line breakpoints the contexts already stand on at entry (a run that does not stop on entry). */
  checkEntry(): Stop | undefined {
    for (const c of this.m.contexts) {
      if (c.status !== 'running') continue;
      const h = this.bps.check(c, [], this.condition, true);
      if (h && h.kind === 'line' && h.ids.length) return { reason: 'breakpoint', context: c, description: h.description, ids: h.ids };
    }
    return undefined;
  }
}

function order(ncpus: number, code: number): number {
  if (code >= 0) return code;
  const v = -code - 1;
  return ncpus + Math.floor(v / 65536) * 8 + (v % 65536);
}

function describe(ch: { kind: 'cpu' | 'irq'; cpu: number; irq: number }): string {
  return ch.kind === 'cpu' ? `c${ch.cpu}` : ch.irq ? `i${ch.cpu}.${ch.irq}` : `i${ch.cpu}`;
}
