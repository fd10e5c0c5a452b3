// What the debugger shows of CPUs and contexts: threads (one per CPU, plus one per
// threaded handler on PREEMPT_RT), their names, and their stacks with an interrupt
// handler's frames above the frames of the context it interrupted.
import type { Machine } from '../sim/machine';
import type { Context } from '../sim/state';
import type { Range } from '../lang/diagnostics';

export interface DebugThread {
  /** stable for the session: the context id of the CPU's task or of the RT handler thread, plus 1 */
  id: number;
  cpu: number;
  /** the context the thread stands for: the task (its CPU's stack) or an RT handler thread */
  context: Context;
  name: string;
}

export interface DebugFrame {
  /** function name, or a label frame's text (`<hardirq>`) */
  name: string;
  /** the context whose frame this is; undefined for label frames */
  context?: Context;
  /** frame index inside the context, 0 = innermost */
  index: number;
  source?: Range;
  label?: boolean;
}

/** Every thread: CPU tasks first (thread id = CPU + 1), then RT handler threads. */
export function threadsOf(m: Machine): DebugThread[] {
  const out: DebugThread[] = [];
  for (const cpu of m.cpus) out.push({ id: cpu.task.id + 1, cpu: cpu.id, context: cpu.task, name: threadName(m, cpu.task) });
  if (m.rt) for (const cpu of m.cpus) for (const irq of cpu.irqs) out.push({ id: irq.id + 1, cpu: cpu.id, context: irq, name: threadName(m, irq) });
  return out;
}

export function threadById(m: Machine, id: number): DebugThread | undefined {
  const ctx = Number.isInteger(id) ? m.contexts[id - 1] : undefined;
  if (!ctx) return undefined;
  if (ctx.kind === 'hardirq') return undefined;  // hard handlers show on their CPU's thread
  return { id, cpu: ctx.cpu, context: ctx, name: threadName(m, ctx) };
}

/** The thread a context shows on: its own (task, RT thread) or its CPU's (hard IRQ). */
export function threadOfContext(m: Machine, ctx: Context): number {
  return ctx.kind === 'hardirq' ? m.cpus[ctx.cpu].task.id + 1 : ctx.id + 1;
}

/** The contexts a thread's stack shows, innermost first. */
export function contextsOfThread(m: Machine, t: DebugThread): Context[] {
  if (t.context.kind !== 'task' || m.rt) return [t.context];
  const stack = m.cpus[t.cpu].stack;
  const out: Context[] = [];
  for (let i = stack.length - 1; i >= 0; i--) out.push(stack[i]);
  return out;
}

/** `CPU 1 — hardirq in rmqueue_pcplist`, `CPU 0 irq/0-0 — spinning on zone->lock in ...`. */
export function threadName(m: Machine, ctx: Context): string {
  const cpu = m.cpus[ctx.cpu];
  const head = ctx.kind === 'irqthread' ? `CPU ${ctx.cpu} ${ctx.name}` : `CPU ${ctx.cpu}`;
  // the task thread describes what runs on the CPU now (a hard handler on top of it)
  const shown = ctx.kind === 'task' && !m.rt ? cpu.stack[cpu.stack.length - 1] ?? ctx : ctx;
  return `${head} — ${describeContext(m, shown)}`;
}

export function describeContext(m: Machine, ctx: Context): string {
  const who = ctx.kind === 'hardirq' ? 'hardirq' : ctx.kind === 'irqthread' ? 'irq thread' : 'task';
  switch (ctx.status) {
    case 'idle': return `${who} idle (${ctx.arrivalsLeft} arrival${ctx.arrivalsLeft === 1 ? '' : 's'} left)`;
    case 'done': return `${who} finished`;
    case 'dead': return `${who} killed (oops)`;
  }
  const top = ctx.frames[ctx.frames.length - 1];
  const where = top ? ` in ${top.fn.block ? `${top.fn.block.kind} cpu ${top.fn.block.cpu}` : top.fn.name}` : '';
  if (ctx.waitingOn) {
    const lock = m.describeAddr(ctx.waitingOn).instance;
    return `${who} ${ctx.status === 'blocked' ? 'sleeping on' : 'spinning on'} ${lock}${where}`;
  }
  return `${who}${where}`;
}

/** Where a frame stands: the statement about to run (innermost), the call (callers). */
export function frameLocation(m: Machine, ctx: Context, index: number): Range | undefined {
  const f = ctx.frames[ctx.frames.length - 1 - index];
  if (!f) return undefined;
  const pc = index === 0 ? f.pc : f.pc - 1;
  const ins = f.fn.code[Math.max(0, Math.min(pc, f.fn.code.length - 1))];
  return m.code.locs[ins.loc] ?? f.fn.range;
}

export function frameName(ctx: Context, index: number): string {
  const f = ctx.frames[ctx.frames.length - 1 - index];
  if (!f) return '?';
  return f.fn.block ? `${f.fn.block.kind} cpu ${f.fn.block.cpu}${ctx.kind === 'task' && ctx.blocks.length > 1 ? ` #${ctx.blockIdx + 1}` : ''}` : f.fn.name;
}

/** The frames of a thread, innermost first, a label frame between nested contexts. */
export function framesOf(m: Machine, t: DebugThread): DebugFrame[] {
  const out: DebugFrame[] = [];
  const ctxs = contextsOfThread(m, t);
  ctxs.forEach((ctx, k) => {
    if (k > 0) out.push({ name: `<${ctxs[k - 1].kind === 'hardirq' ? 'hardirq' : ctxs[k - 1].name}>`, index: 0, label: true });
    for (let i = 0; i < ctx.frames.length; i++) out.push({ name: frameName(ctx, i), context: ctx, index: i, source: frameLocation(m, ctx, i) });
  });
  return out;
}
