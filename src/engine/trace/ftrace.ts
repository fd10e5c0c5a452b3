// A simulated run as raw ftrace text: the tracefs `trace` file's header and one line per
// event in the kernel's own print formats (event-formats.txt of the captures), so the
// importer - and any ftrace tool - reads it back as kernel events.
import type { Machine } from '../sim/machine';
import type { MachineEvent } from '../sim/state';

/** x86-64's vmemmap base without KASLR: `page=` is &vmemmap[pfn] (64-byte struct page). */
const VMEMMAP = 0xffffea0000000000n;
const LOCK_BASE = 0xffff888000100000n;

const GFP_BITS: [number, string][] = [
  [0x01, 'GFP_DMA'], [0x02, '__GFP_HIGHMEM'], [0x04, 'GFP_DMA32'], [0x08, '__GFP_MOVABLE'], [0x10, '__GFP_RECLAIMABLE'],
  [0x20, '__GFP_HIGH'], [0x40, '__GFP_IO'], [0x80, '__GFP_FS'], [0x100, '__GFP_ZERO'], [0x200, '__GFP_ATOMIC'],
  [0x400, '__GFP_DIRECT_RECLAIM'], [0x800, '__GFP_KSWAPD_RECLAIM'], [0x1000, '__GFP_WRITE'], [0x2000, '__GFP_NOWARN'],
  [0x4000, '__GFP_RETRY_MAYFAIL'], [0x8000, '__GFP_NOFAIL'], [0x10000, '__GFP_NORETRY'], [0x20000, '__GFP_MEMALLOC'],
  [0x40000, '__GFP_COMP'], [0x80000, '__GFP_NOMEMALLOC'], [0x100000, '__GFP_HARDWALL'], [0x200000, '__GFP_THISNODE'],
  [0x400000, '__GFP_ACCOUNT'],
];

/** __print_flags of gfp_flags (bit names; a bare number for bits it does not know). */
export function gfpText(v: number): string {
  if (!v) return 'none';
  const parts: string[] = [];
  let rest = v;
  for (const [b, n] of GFP_BITS) if (rest & b) { parts.push(n); rest &= ~b; }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}

function pageOf(pfn: number): string {
  return pfn < 0 ? '0000000000000000' : (VMEMMAP + BigInt(pfn) * 64n).toString(16);
}

const hex = (n: number): string => (n < 0 ? 0 : n).toString(16);

export interface FtraceLine { cpu: number; context: string; step: number; name: string; text: string }

/** The kernel event (name and text) for one machine event; null for events with none. */
export function kernelEvent(e: MachineEvent, lockAddr: (name: string) => string, irqNo: (name: string) => number): { name: string; text: string } | null {
  const f = e.fields ?? {};
  const n = (k: string): number => Number(f[k] ?? 0);
  switch (e.kind) {
    case 'trace':
      switch (e.name) {
        case 'mm_page_alloc': return { name: e.name, text: `page=${pageOf(n('pfn'))} pfn=0x${hex(n('pfn'))} order=${n('order')} migratetype=${n('migratetype')} gfp_flags=${gfpText(n('gfp_flags'))}` };
        case 'mm_page_free': return { name: e.name, text: `page=${pageOf(n('pfn'))} pfn=0x${hex(n('pfn'))} order=${n('order')}` };
        case 'mm_page_free_batched': return { name: e.name, text: `page=${pageOf(n('pfn'))} pfn=0x${hex(n('pfn'))} order=0` };
        case 'mm_page_pcpu_drain': return { name: e.name, text: `page=${pageOf(n('pfn'))} pfn=0x${hex(n('pfn'))} order=${n('order')} migratetype=${n('migratetype')}` };
        case 'mm_page_alloc_zone_locked': return { name: e.name, text: `page=${pageOf(n('pfn'))} pfn=0x${hex(n('pfn'))} order=${n('order')} migratetype=${n('migratetype')} percpu_refill=${n('percpu_refill')}` };
        default: return { name: 'tracing_mark_write', text: `${e.name} ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`.trim() };
      }
    case 'lock-contended': return { name: 'contention_begin', text: `${lockAddr(String(f.lock ?? e.name))} (flags=SPIN)` };
    case 'lock-acquired': return { name: 'lock_acquire', text: `${lockAddr(String(f.lock ?? e.name))} ${f.trylock ? 'try ' : ''}${f.lock ?? e.name}` };
    case 'lock-released': return { name: 'lock_release', text: `${lockAddr(e.name)} ${e.name}` };
    case 'irq-entry': return { name: 'irq_handler_entry', text: `irq=${irqNo(e.name)} name=${e.name}` };
    case 'irq-exit': return { name: 'irq_handler_exit', text: `irq=${irqNo(e.name)} ret=handled` };
    case 'finding': return { name: 'tracing_mark_write', text: `FINDING ${e.name}` };
    case 'trylock-failed': return { name: 'tracing_mark_write', text: `TRYLOCK_FAILED ${f.lock ?? e.name}` };
    default: return null;   // refill, drain, fallback: already there as their trace events
  }
}

const HEADER = (entries: number, cpus: number) => `# tracer: nop
#
# entries-in-buffer/entries-written: ${entries}/${entries}   #P:${cpus}
#
#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`;

/** The run's events as raw ftrace text. One step is one microsecond. */
export function ftraceText(m: Machine): string {
  const locks = new Map<string, string>();
  // a lock's address: its class name (lock-released carries only that) keyed stably
  const lockAddr = (name: string): string => {
    const cls = name.replace(/\s*\(.*\)$/, '');
    let a = locks.get(cls);
    if (!a) { a = (LOCK_BASE + BigInt(locks.size) * 0x40n).toString(16); locks.set(cls, a); }
    return a;
  };
  const irqs = new Map<string, number>();
  const irqNo = (name: string): number => { let v = irqs.get(name); if (v === undefined) { v = 16 + irqs.size; irqs.set(name, v); } return v; };
  // contention_end when the waiter finally takes the lock
  const waiting = new Map<string, string>();
  // lock-released names only the lock's class (`pcp->lock`): its instance (`pcp->lock cpu 1`)
  // is the one this context acquired last of that class, so release says the address acquire said
  const held = new Map<string, string[]>();
  const lines: string[] = [];
  for (const e of m.events) {
    const who = `${e.cpu}/${e.context}`;
    if (e.kind === 'lock-acquired') {
      const k = `${who}/${e.name}`;
      held.set(k, [...(held.get(k) ?? []), String(e.fields?.lock ?? e.name)]);
    }
    if (e.kind === 'lock-released') {
      const instance = held.get(`${who}/${e.name}`)?.pop();
      if (instance !== undefined) { lines.push(line(e, 'lock_release', `${lockAddr(instance)} ${instance}`)); continue; }
    }
    const k = kernelEvent(e, lockAddr, irqNo);
    if (!k) continue;
    if (e.kind === 'lock-contended') waiting.set(who, lockAddr(String(e.fields?.lock ?? e.name)));
    if (e.kind === 'lock-acquired' && waiting.has(who)) {
      lines.push(line(e, 'contention_end', `${waiting.get(who)} (ret=0)`));
      waiting.delete(who);
    }
    lines.push(line(e, k.name, k.text));
  }
  return HEADER(lines.length, m.ncpus) + lines.join('\n') + (lines.length ? '\n' : '');
}

function line(e: MachineEvent, name: string, text: string): string {
  const hard = e.context === 'hardirq' || e.context.startsWith('irq');
  const task = hard ? `irq/${e.cpu}` : `cpu${e.cpu}-${e.context}`;
  const pid = hard ? 0 : 100 + e.cpu;
  // irqs-off, need-resched, hardirq, preempt-depth (a hex digit, '.' for 0), migrate-disable
  const depth = e.preempt ? Math.min(e.preempt, 15).toString(16) : '.';
  const flags = `${hard || e.irqsOff ? 'd' : '.'}.${hard ? 'h' : '.'}${depth}.`;
  const ts = (e.step / 1e6).toFixed(6);
  return `${`${task}-${pid}`.padStart(16)} ${''.padEnd(6 - String(pid).length)}[${String(e.cpu).padStart(3, '0')}] ${flags} ${ts.padStart(12)}: ${name}: ${text}`;
}
