// The events the importer understands, by kernel name. Anything else is kept and counted
// (its text stored) but moves no state.
export const EV = {
  mm_page_alloc: 1,
  mm_page_free: 2,
  mm_page_free_batched: 3,
  mm_page_pcpu_drain: 4,
  mm_page_alloc_zone_locked: 5,
  contention_begin: 6,
  contention_end: 7,
  irq_handler_entry: 8,
  irq_handler_exit: 9,
  softirq_entry: 10,
  softirq_exit: 11,
  tracing_mark_write: 12,
} as const;
export type KnownEvent = keyof typeof EV;
/** Interned ids 1..12 are reserved for these names, in this order (see EventStore setup). */
export const KNOWN_EVENTS = Object.keys(EV) as KnownEvent[];
export const LAST_KNOWN = KNOWN_EVENTS.length;

/** lock:contention_begin's flags (LCB_F_* in include/trace/events/lock.h). */
export const LOCK_FLAGS: [number, string][] = [[1, 'SPIN'], [2, 'READ'], [4, 'WRITE'], [8, 'RT'], [16, 'PERCPU'], [32, 'MUTEX']];

export function lockFlagsText(x: number): string {
  const parts = LOCK_FLAGS.filter(([b]) => x & b).map(([, n]) => n);
  return parts.length ? parts.join('|') : '0';
}

/** The kprobe events on the pcp internals that capture.sh can add (kprobes=1) and the
 * reconstruction reads: free_pcppages_bulk (the kernel's pcp count at each bulk free),
 * drain_pages_zone (whose list a drain empties), set_high_batch, drain_all_pages. */
export const PCP_KPROBES = { fpb: 'free_pcppages_bulk', dpz: 'drain_pages_zone', shb: 'set_high_batch', dap: 'drain_all_pages' } as const;

/** softirq vectors (softirq_to_name). */
export const SOFTIRQ_NAMES = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

/** Page-event names the kernel has (mm_page_*): what a breakpoint can name. */
export function isKprobeText(rest: string): boolean { return rest.startsWith('('); }
