// What the importer does with each event id of a trace.dat: which store name it gets, which
// of its fields fill which columns (found by name in its format, never by fixed offsets),
// and how its text is made when the reconstruction reads it as text.
import type { EventFormat, Field } from './format';
import { compileFmt, CompiledFmt, argAfter } from './printFmt';
import { EV, KNOWN_EVENTS } from '../eventKinds';

export const KIND_STACK = -1;

export interface EventPlan {
  format: EventFormat;
  /** EV.* for the events the reconstruction knows, 0 for the rest, KIND_STACK for kernel_stack */
  kind: number;
  /** interned store name (set by the adapter) */
  nameId: number;
  common: { flags?: Field; preempt?: Field; pid?: Field };
  pfn?: Field; order?: Field; mt?: Field; refill?: Field; gfp?: Field;
  lockAddr?: Field; lockFlags?: Field; ret?: Field; irq?: Field; irqName?: Field; vec?: Field;
  buf?: Field; caller?: Field;
  /** the print fmt compiled on first use (null: it does not parse) */
  fmt?: CompiledFmt | null;
  gfpArg?: ReturnType<typeof argAfter>;
  /** kprobe events: `(%lx)` of __probe_ip is printed as the kernel does, `(func+0x0/0x2e0)` */
  probeIp?: Field;
  /** trace_printk records (ftrace bprint / bputs): ip, format or string address, packed args */
  printk?: { kind: 'bprint' | 'bputs'; ip: Field; str: Field; buf?: Field };
  /** record bytes the common fields need, and the fields the columns are filled from */
  commonEnd: number;
  fieldsEnd: number;
}

const endOf = (fs: (Field | undefined)[]) => fs.reduce((n, f) => (f ? Math.max(n, f.offset + (f.arrayLen === 0 ? 0 : f.size)) : n), 0);

const known = new Map<string, number>(KNOWN_EVENTS.map((n, k) => [n, k + 1]));

export function planFor(format: EventFormat): EventPlan {
  const f = (n: string) => format.byName.get(n);
  const plan: EventPlan = {
    format, kind: 0, nameId: 0,
    common: { flags: f('common_flags'), preempt: f('common_preempt_count'), pid: f('common_pid') },
    commonEnd: 0, fieldsEnd: 0,
  };
  plan.commonEnd = endOf([plan.common.flags, plan.common.preempt, plan.common.pid]);
  if (format.system === 'ftrace' && format.name === 'kernel_stack') { plan.kind = KIND_STACK; plan.caller = f('caller'); return plan; }
  // trace_marker writes are ftrace's `print` event; the text formats name them tracing_mark_write
  if (format.system === 'ftrace' && format.name === 'print') { plan.kind = EV.tracing_mark_write; plan.buf = f('buf'); return plan; }
  if (format.system === 'ftrace' && (format.name === 'bprint' || format.name === 'bputs')) {
    const ip = f('ip'), str = f(format.name === 'bprint' ? 'fmt' : 'str');
    if (ip && str) plan.printk = { kind: format.name, ip, str, buf: f('buf') };
    return plan;
  }
  plan.kind = known.get(format.name) ?? 0;
  if (plan.kind === EV.tracing_mark_write) plan.kind = 0;  // a tracepoint of that name in another system
  plan.pfn = f('pfn'); plan.order = f('order'); plan.mt = f('migratetype'); plan.refill = f('percpu_refill'); plan.gfp = f('gfp_flags');
  plan.lockAddr = f('lock_addr'); plan.lockFlags = f('flags'); plan.ret = f('ret');
  plan.irq = f('irq'); plan.irqName = f('name'); plan.vec = f('vec');
  plan.probeIp = f('__probe_ip');
  // the known events need their key fields; without them they are kept as other events
  const need: Record<number, (Field | undefined)[]> = {
    [EV.mm_page_alloc]: [plan.pfn, plan.order, plan.mt],
    [EV.mm_page_free]: [plan.pfn, plan.order],
    [EV.mm_page_free_batched]: [plan.pfn],
    [EV.mm_page_pcpu_drain]: [plan.pfn, plan.order, plan.mt],
    [EV.mm_page_alloc_zone_locked]: [plan.pfn, plan.order, plan.mt, plan.refill],
    [EV.contention_begin]: [plan.lockAddr, plan.lockFlags],
    [EV.contention_end]: [plan.lockAddr],
    [EV.irq_handler_entry]: [plan.irq],
    [EV.irq_handler_exit]: [plan.irq],
    [EV.softirq_entry]: [plan.vec],
    [EV.softirq_exit]: [plan.vec],
  };
  if (plan.kind && need[plan.kind]?.some(x => !x)) plan.kind = 0;
  if (plan.kind) plan.fieldsEnd = endOf([plan.pfn, plan.order, plan.mt, plan.refill, plan.gfp, plan.lockAddr, plan.lockFlags, plan.ret, plan.irq, plan.irqName, plan.vec]);
  return plan;
}

export function compiled(plan: EventPlan): CompiledFmt | null {
  if (plan.fmt === undefined) plan.fmt = plan.format.printFmt ? compileFmt(plan.format.printFmt) : null;
  return plan.fmt;
}
