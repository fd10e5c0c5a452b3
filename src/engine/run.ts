// Running a scenario: a schedule string, round-robin, or seeded random choices, and
// `check`'s verdict on the expect lines.
import type { CheckedProgram } from './lang/load';
import { Machine } from './sim/machine';
import type { Finding } from './sim/state';
import { CompileError } from './sim/compile';

export interface Choice { kind: 'cpu' | 'irq'; cpu: number; irq: number }

export class ScheduleError extends Error {
  constructor(readonly column: number, msg: string) { super(msg); }
}

/** "c0*12,i0,c1" → choices. Errors name the column of the bad item. */
export function parseSchedule(s: string): Choice[] {
  const out: Choice[] = [];
  let col = 1;
  for (const item of s.split(',')) {
    const t = item.trim();
    if (t) {
      const m = /^([ci])(\d+)(?:\.(\d+))?(?:\*(\d+))?$/.exec(t);
      if (!m) throw new ScheduleError(col, `bad schedule item '${t}': expected cN, iN, iN.K, optionally followed by *COUNT`);
      const n = m[4] ? Number(m[4]) : 1;
      if (n > 10_000_000) throw new ScheduleError(col, `repeat count ${n} is too large`);
      for (let k = 0; k < n; k++) out.push({ kind: m[1] === 'c' ? 'cpu' : 'irq', cpu: Number(m[2]), irq: m[3] ? Number(m[3]) : 0 });
    }
    col += item.length + 1;
  }
  return out;
}

/** The 1-based column, in the schedule string `s`, of the item that gives its `index`-th
 * (0-based) choice once repeat counts are expanded: where a choice that cannot be applied was written. */
export function scheduleItemColumn(s: string, index: number): number {
  let col = 1;
  let seen = 0;
  for (const item of s.split(',')) {
    const lead = item.length - item.trimStart().length;
    const m = /\*(\d+)\s*$/.exec(item);
    if (item.trim()) {
      seen += m ? Number(m[1]) : 1;
      if (index < seen) return col + lead;
    }
    col += item.length + 1;
  }
  return col;
}

export type Strategy = 'roundrobin' | 'random';

export interface RunOptions {
  schedule?: string;
  strategy?: Strategy;
  seed?: number;
  maxSteps?: number;
  detectors?: boolean;
  recordSteps?: boolean;
  /** random: interrupt arrival steps are drawn from [0, horizon) */
  horizon?: number;
  /** stop at the first finding (the debugger's "explore" continue, check's first run) */
  stopOnFinding?: boolean;
}

export interface RunResult {
  machine: Machine;
  findings: Finding[];
  stop: 'finished' | 'deadlock' | 'max-steps' | 'schedule-end' | 'finding' | 'schedule-error';
  message?: string;
  /** stop 'schedule-error': the 0-based index of the choice that could not be applied */
  scheduleIndex?: number;
}

export const DEFAULT_MAX_STEPS = 1_000_000;

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function enabledChoices(m: Machine): Choice[] {
  const out: Choice[] = [];
  for (const c of m.cpus) if (m.canStep(c.id)) out.push({ kind: 'cpu', cpu: c.id, irq: 0 });
  for (const c of m.cpus) c.irqs.forEach((_x, k) => { if (m.canDeliver(c.id, k)) out.push({ kind: 'irq', cpu: c.id, irq: k }); });
  return out;
}

export function applyChoice(m: Machine, ch: Choice): boolean {
  if (ch.kind === 'cpu') return m.stepCpu(ch.cpu);
  if (!m.canDeliver(ch.cpu, ch.irq)) return false;
  m.deliver(ch.cpu, ch.irq);
  return true;
}

export function describeChoice(ch: Choice): string {
  return ch.kind === 'cpu' ? `c${ch.cpu}` : ch.irq ? `i${ch.cpu}.${ch.irq}` : `i${ch.cpu}`;
}

export function runScenario(program: CheckedProgram, options: RunOptions = {}): RunResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const m = new Machine(program, { detectors: options.detectors, maxSteps });
  m.recordSteps = options.recordSteps !== false;
  const result = (stop: RunResult['stop'], message?: string): RunResult => ({ machine: m, findings: m.findings, stop, message });
  if (options.schedule !== undefined) {
    const choices = parseSchedule(options.schedule);
    for (let i = 0; i < choices.length; i++) {
      const ch = choices[i];
      if (ch.cpu >= m.ncpus) return { ...result('schedule-error', `schedule item ${i + 1} (${describeChoice(ch)}): the scenario has ${m.ncpus} CPU(s)`), scheduleIndex: i };
      if (!applyChoice(m, ch)) {
        const why = ch.kind === 'cpu' ? `CPU ${ch.cpu} has nothing to run` : `the interrupt cannot arrive on CPU ${ch.cpu} now (IRQs disabled, handler running, none left, or no such irq block)`;
        return { ...result('schedule-error', `schedule item ${i + 1} (${describeChoice(ch)}): ${why}`), scheduleIndex: i };
      }
      if (options.stopOnFinding && m.lastFinding) return result('finding');
    }
    return result(m.finished() ? 'finished' : 'schedule-end');
  }
  const random = options.strategy === 'random' ? rng(options.seed ?? 1) : undefined;
  // Random runs pick each interrupt's arrival step up front, uniformly over the horizon:
  // a coin flip per step would deliver almost every interrupt in the first few steps.
  const arrivals = new Map<string, number>();
  if (random) {
    const horizon = Math.max(1, options.horizon ?? 200);
    for (const c of m.cpus) c.irqs.forEach((_x, k) => arrivals.set(`${c.id}.${k}`, Math.floor(random() * horizon)));
  }
  let last = -1;
  const rr: Choice = { kind: 'cpu', cpu: 0, irq: 0 };
  // the last step that took or released a lock or ended a context (maxStepsMessage)
  const progress = { step: 0, locks: m.lockWordWrites, ended: 0 };
  for (;;) {
    // round-robin finds its choice without building the list of enabled ones (every step)
    const en = random ? enabledChoices(m) : undefined;
    if (en ? !en.length : !nextRoundRobin(m, last, rr)) return result('finished');
    if (m.step >= maxSteps) {
      return result('max-steps', maxStepsMessage(m, maxSteps, progress.step));
    }
    let ch: Choice;
    if (random && en) {
      const due = en.find(c => c.kind === 'irq' && m.step >= (arrivals.get(`${c.cpu}.${c.irq}`) ?? 0));
      // a CPU spinning on a held lock only spins again: a CPU that can move goes first
      const all = en.filter(c => c.kind === 'cpu');
      const moving = all.filter(c => !m.spinning(c.cpu));
      const cpus = moving.length || en.length > all.length ? moving : all;
      ch = due ?? (cpus.length ? cpus[Math.floor(random() * cpus.length)] : en[Math.floor(random() * en.length)]);
      if (due) {
        const horizon = Math.max(1, options.horizon ?? 200);
        arrivals.set(`${due.cpu}.${due.irq}`, m.step + 1 + Math.floor(random() * horizon));
      }
    }
    else {
      ch = rr;
      last = roundRobinOrder(m, ch);
    }
    applyChoice(m, ch);
    if (m.lockWordWrites !== progress.locks) { progress.locks = m.lockWordWrites; progress.step = m.step; }
    else if (m.step % 256 === 0) {
      let ended = 0;
      for (const c of m.contexts) if (c.status === 'done' || c.status === 'dead') ended++;
      if (ended !== progress.ended) { progress.ended = ended; progress.step = m.step; }
    }
    if (options.stopOnFinding && m.lastFinding) return result('finding');
    if (m.stuck()) return m.findings.some(f => f.kind === 'deadlock') ? result('deadlock') : result('deadlock', 'no context can make progress');
  }
}

/**
 * Why a run stopped at --max-steps. Spinning on a held lock does not use up steps (the
 * schedulers skip a spinning CPU while another can move), so the steps went to real work
 * or to a loop. A loop that makes no progress takes and releases no lock and ends no
 * context: when none of that happened in the second half of the run the model may loop
 * forever; otherwise the run is long and the limit is what to raise. `lastProgress`: the
 * step of the last such event.
 */
export function maxStepsMessage(m: Machine, maxSteps: number, lastProgress: number): string {
  const running = m.contexts.filter(c => c.status === 'running' && c.frames.length);
  const where = running.slice(0, 4).map(c => {
    const f = m.stackOf(c).frames[0];
    return f ? `CPU ${c.cpu} ${c.label} in ${f.function} (${f.file}:${f.line}:${f.column})` : `CPU ${c.cpu} ${c.label}`;
  });
  if (running.length > where.length) where.push(`${running.length - where.length} more`);
  const at = where.join('; ') || 'no context is running';
  const idle = m.step - lastProgress;
  if (idle >= maxSteps / 2) {
    return `stopped after ${maxSteps} steps (--max-steps): the model may loop forever; ${at}: no lock was taken or released and no context ended in the last ${idle} steps`;
  }
  return `stopped after ${maxSteps} steps (--max-steps): the step limit was reached while the CPUs were still making progress (the last lock was taken or released at step ${lastProgress}); raise it with --max-steps N (maxSteps in a launch configuration). Still running: ${at}`;
}

function roundRobinOrder(m: Machine, c: Choice): number {
  return c.kind === 'cpu' ? c.cpu : m.ncpus + c.cpu * 8 + c.irq;
}

/**
 * Round-robin: the next enabled choice after the last one, in a fixed order, else the
 * first enabled one: enabledChoices(m).find(c => order(c) > last) ?? [0], without
 * building the list. Writes it into `out`; false when nothing is enabled.
 */
function nextRoundRobin(m: Machine, last: number, out: Choice): boolean {
  // a CPU spinning on a held lock only spins again (Machine.spinning): it gets the turn
  // only when nothing else can move (then the machine is stuck and the run ends)
  if (pickRoundRobin(m, last, out, true)) return true;
  return pickRoundRobin(m, last, out, false);
}

function pickRoundRobin(m: Machine, last: number, out: Choice, skipSpinners: boolean): boolean {
  let any = false;
  for (const c of m.cpus) {
    if (!m.canStep(c.id) || (skipSpinners && m.spinning(c.id))) continue;
    if (!any) { any = true; out.kind = 'cpu'; out.cpu = c.id; out.irq = 0; }
    if (c.id > last) { out.kind = 'cpu'; out.cpu = c.id; out.irq = 0; return true; }
  }
  for (const c of m.cpus) {
    for (let k = 0; k < c.irqs.length; k++) {
      if (!m.canDeliver(c.id, k)) continue;
      const order = m.ncpus + c.id * 8 + k;
      if (!any) { any = true; out.kind = 'irq'; out.cpu = c.id; out.irq = k; }
      if (order > last) { out.kind = 'irq'; out.cpu = c.id; out.irq = k; return true; }
    }
  }
  return any;
}

export interface ExpectResult { text: string; met: boolean }

export interface CheckResult {
  findings: Finding[];
  expectations: ExpectResult[];
  ok: boolean;
  runs: number;
  errors: string[];
}

/** check: round-robin plus `schedules` seeded random runs; findings deduplicated by kind and place. */
export function checkScenario(program: CheckedProgram, options: { schedules?: number; seed?: number; maxSteps?: number } = {}): CheckResult {
  const seen = new Map<string, Finding>();
  const errors: string[] = [];
  const runs: RunOptions[] = [{ strategy: 'roundrobin' }];
  const n = options.schedules ?? 20;
  for (let k = 0; k < n; k++) runs.push({ strategy: 'random', seed: (options.seed ?? 1) + k });
  let horizon = 200;
  for (const r of runs) {
    let res: RunResult;
    try {
      res = runScenario(program, { ...r, horizon, maxSteps: options.maxSteps, recordSteps: false });
      // the round-robin run's length is the horizon random arrivals spread over
      if (r.strategy === 'roundrobin') horizon = Math.max(10, res.machine.step);
    } catch (e) {
      if (e instanceof CompileError) { errors.push(`${e.range.file}:${e.range.line}:${e.range.column}: error: ${e.message}`); break; }
      throw e;
    }
    if (res.stop === 'max-steps' && !errors.includes(res.message!)) errors.push(res.message!);
    for (const f of res.findings) {
      const key = `${f.kind}@${f.location.file}:${f.location.line}:${f.location.column}`;
      if (!seen.has(key)) seen.set(key, f);
    }
  }
  const findings = [...seen.values()];
  return { findings, runs: runs.length, errors, ...judge(program, findings) };
}

export function judge(program: CheckedProgram, findings: Finding[]): { expectations: ExpectResult[]; ok: boolean } {
  const ex = program.scenario.expects;
  const kinds = new Set(findings.map(f => f.kind));
  const expectations = ex.map(e => {
    let met = true;
    if (e.kind === 'finding') met = kinds.has(e.finding as Finding['kind']);
    else if (e.kind === 'no') met = !kinds.has(e.finding as Finding['kind']);
    else met = !kinds.has('page-accounting');
    return { text: e.text, met };
  });
  let ok = expectations.every(e => e.met);
  if (!ex.some(e => e.kind === 'finding') && findings.length) ok = false;
  return { expectations, ok };
}
