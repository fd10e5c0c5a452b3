// The one table of Kernel C builtins. The parser reads it (which arguments are types or
// member names, which names start a loop), the checker reads it (arity, argument and
// result types), the engine dispatches on `name`, and the language server shows `doc`
// for the scenario's configuration. Add a primitive here and every layer sees it.

export type BuiltinCategory =
  | 'spinlock' | 'local_lock' | 'irq' | 'preempt' | 'sleep' | 'context'
  | 'list' | 'list-iter' | 'percpu' | 'cpu-iter' | 'zone-iter'
  | 'assert' | 'lockdep' | 'page' | 'zone' | 'trace' | 'compiler' | 'math';

/**
 * expr: any value; lock: pointer to a spinlock_t/raw_spinlock_t/local_lock_t;
 * list: pointer to a struct list_head; page: struct page *; zone: struct zone *;
 * out: an lvalue the primitive writes (flags); lvalue: an lvalue it reads or writes;
 * type: a type name; member: a struct member name; percpu: a per-CPU pointer or variable.
 */
export type ArgKind = 'expr' | 'int' | 'lock' | 'list' | 'page' | 'zone' | 'out' | 'lvalue' | 'type' | 'member' | 'percpu';

/**
 * What the call yields: a fixed type, or one derived from the arguments
 * (`arg0`: the type of argument 0; `deref-percpu0`: the per-CPU pointer's CPU-local
 * pointer; `entry1`: a pointer to the type given as argument 1; `percpu-var0`: the
 * per-CPU variable of argument 0 on some CPU, as an lvalue; `type0`: the type argument 0).
 */
export type ReturnKind =
  | 'void' | 'int' | 'bool' | 'uint' | 'ulong' | 'long' | 'page' | 'zone'
  | 'arg0' | 'arg1' | 'deref-percpu0' | 'entry1' | 'percpu-var0' | 'type0';

export interface ConfigDoc { smp: string; up: string; rt: string }

export interface Builtin {
  name: string;
  category: BuiltinCategory;
  args: ArgKind[];
  returns: ReturnKind;
  /** one line per configuration (SMP, UP, PREEMPT_RT), or one line for all */
  doc: string | ConfigDoc;
  /** a loop head: `name(args) statement` */
  iterator?: boolean;
  /** may sleep: sleep-in-atomic when called with IRQs or preemption off (or in hard IRQ) */
  mightSleep?: boolean;
}

const B: Builtin[] = [];
function def(name: string, category: BuiltinCategory, args: ArgKind[], returns: ReturnKind, doc: string | ConfigDoc, extra: Partial<Builtin> = {}): void {
  B.push({ name, category, args, returns, doc, ...extra });
}

// ---- spinlocks (semantics.md, "Primitives per configuration") -------------------
const SPIN_LOCK: ConfigDoc = {
  smp: 'Disables preemption, spins until the lock is free, then owns it.',
  up: 'Disables preemption; there is no lock word on UP (lockdep still tracks the lock).',
  rt: 'A sleeping lock (rtmutex): disables migration and blocks while the lock is held. Invalid with IRQs or preemption disabled (sleep-in-atomic).',
};
const SPIN_TRYLOCK: ConfigDoc = {
  smp: 'Disables preemption and takes the lock if it is free; otherwise fails and returns 0.',
  up: 'Always succeeds (disables preemption): UP has no lock word, so it does not exclude an interrupt on the same CPU.',
  rt: 'Takes the lock if it is free, otherwise fails; never sleeps.',
};
const SPIN_LOCK_IRQ: ConfigDoc = {
  smp: 'Disables hard interrupts on this CPU, then spin_lock.',
  up: 'Disables hard interrupts and preemption.',
  rt: 'Same as spin_lock: a sleeping lock; interrupts stay enabled and flags is 0.',
};
const SPIN_UNLOCK: ConfigDoc = {
  smp: 'Releases the lock; restores IRQs / preemption as they were taken.',
  up: 'Releases (lockdep); restores IRQs / preemption as they were taken.',
  rt: 'Releases the rtmutex and wakes a waiter; re-enables migration.',
};
def('spin_lock', 'spinlock', ['lock'], 'void', SPIN_LOCK);
def('spin_lock_bh', 'spinlock', ['lock'], 'void', SPIN_LOCK);
def('spin_trylock', 'spinlock', ['lock'], 'int', SPIN_TRYLOCK);
def('spin_lock_irqsave', 'spinlock', ['lock', 'out'], 'void', SPIN_LOCK_IRQ);
def('spin_lock_irq', 'spinlock', ['lock'], 'void', SPIN_LOCK_IRQ);
def('spin_trylock_irqsave', 'spinlock', ['lock', 'out'], 'int', {
  smp: 'Disables IRQs, then spin_trylock; on failure restores IRQs and returns 0.',
  up: 'Disables IRQs and always succeeds.',
  rt: 'spin_trylock with IRQs left enabled; flags is 0.',
});
def('spin_unlock', 'spinlock', ['lock'], 'void', SPIN_UNLOCK);
def('spin_unlock_bh', 'spinlock', ['lock'], 'void', SPIN_UNLOCK);
def('spin_unlock_irqrestore', 'spinlock', ['lock', 'int'], 'void', SPIN_UNLOCK);
def('spin_unlock_irq', 'spinlock', ['lock'], 'void', SPIN_UNLOCK);
def('spin_lock_init', 'spinlock', ['lock'], 'void', 'Initialises the lock as free.');
def('spin_is_locked', 'spinlock', ['lock'], 'bool', 'Whether the lock is held by anyone.');
const RAW: ConfigDoc = {
  smp: 'As spin_lock: disables preemption and spins.',
  up: 'As spin_lock on UP: disables preemption.',
  rt: 'A real spinning lock even on PREEMPT_RT: disables preemption, never sleeps.',
};
def('raw_spin_lock', 'spinlock', ['lock'], 'void', RAW);
def('raw_spin_trylock', 'spinlock', ['lock'], 'int', RAW);
def('raw_spin_lock_irqsave', 'spinlock', ['lock', 'out'], 'void', { ...RAW, rt: 'Disables IRQs (really, also on RT), then spins.' });
def('raw_spin_lock_irq', 'spinlock', ['lock'], 'void', { ...RAW, rt: 'Disables IRQs (really, also on RT), then spins.' });
def('raw_spin_unlock', 'spinlock', ['lock'], 'void', SPIN_UNLOCK);
def('raw_spin_unlock_irqrestore', 'spinlock', ['lock', 'int'], 'void', SPIN_UNLOCK);
def('raw_spin_unlock_irq', 'spinlock', ['lock'], 'void', SPIN_UNLOCK);
def('raw_spin_lock_init', 'spinlock', ['lock'], 'void', 'Initialises the lock as free.');

// ---- local locks --------------------------------------------------------------------
const LOCAL_LOCK: ConfigDoc = {
  smp: 'Disables preemption; lockdep tracks a per-CPU map.',
  up: 'Disables preemption.',
  rt: 'A per-CPU sleeping lock: disables migration; blocks while another context of this CPU holds it.',
};
const LOCAL_LOCK_IRQ: ConfigDoc = {
  smp: 'Disables hard interrupts on this CPU (lockdep tracks a per-CPU map).',
  up: 'Disables hard interrupts.',
  rt: 'Same as local_lock: a per-CPU sleeping lock; interrupts stay enabled and flags is 0.',
};
def('local_lock', 'local_lock', ['lock'], 'void', LOCAL_LOCK);
def('local_unlock', 'local_lock', ['lock'], 'void', SPIN_UNLOCK);
def('local_lock_irqsave', 'local_lock', ['lock', 'out'], 'void', LOCAL_LOCK_IRQ);
def('local_unlock_irqrestore', 'local_lock', ['lock', 'int'], 'void', SPIN_UNLOCK);
def('local_lock_irq', 'local_lock', ['lock'], 'void', LOCAL_LOCK_IRQ);
def('local_unlock_irq', 'local_lock', ['lock'], 'void', SPIN_UNLOCK);
def('local_lock_init', 'local_lock', ['lock'], 'void', 'Initialises the local lock.');

// ---- interrupts, preemption, migration -------------------------------------------
const IRQ_OFF = 'Disables hard interrupts on this CPU (really, also on PREEMPT_RT).';
def('local_irq_save', 'irq', ['out'], 'void', IRQ_OFF);
def('local_irq_disable', 'irq', [], 'void', IRQ_OFF);
def('local_irq_restore', 'irq', ['int'], 'void', 'Restores the IRQ state saved in flags.');
def('local_irq_enable', 'irq', [], 'void', 'Enables hard interrupts on this CPU.');
def('irqs_disabled', 'irq', [], 'bool', 'Whether hard interrupts are disabled on this CPU.');
def('preempt_disable', 'preempt', [], 'void', 'Increments the preempt count: no preemption, no migration.');
def('preempt_enable', 'preempt', [], 'void', 'Decrements the preempt count.');
def('preempt_count', 'preempt', [], 'int', 'The preempt count of this context.');
def('migrate_disable', 'preempt', [], 'void', 'Pins the task to this CPU; it stays preemptible.');
def('migrate_enable', 'preempt', [], 'void', 'Allows migration again.');
def('might_sleep', 'sleep', [], 'void', 'Reports sleep-in-atomic when called with IRQs or preemption disabled or in hard-IRQ context.', { mightSleep: true });
def('cond_resched', 'sleep', [], 'int', 'A preemption point; may sleep.', { mightSleep: true });
def('in_interrupt', 'context', [], 'bool', 'True in hard-IRQ (or threaded handler on PREEMPT_RT) context.');
def('in_hardirq', 'context', [], 'bool', 'True in hard-IRQ context.');
def('in_task', 'context', [], 'bool', 'True in task context.');
def('smp_processor_id', 'percpu', [], 'int', {
  smp: 'The current CPU; reports preemptible-percpu when preemption and migration are enabled.',
  up: 'Always 0; a single CPU cannot migrate, so there is nothing to check.',
  rt: 'The current CPU; migrate_disable is enough to make it stable.',
});
def('raw_smp_processor_id', 'percpu', [], 'int', 'The current CPU, without the preemptible check.');

// ---- per-CPU data ---------------------------------------------------------------------
def('this_cpu_ptr', 'percpu', ['percpu'], 'deref-percpu0', {
  smp: "This CPU's instance of a per-CPU pointer; reports preemptible-percpu when preemptible and migratable.",
  up: 'The only instance; the preemptible check still applies.',
  rt: "This CPU's instance; migrate_disable (local_lock, spin_lock) makes it stable.",
});
def('raw_cpu_ptr', 'percpu', ['percpu'], 'deref-percpu0', 'This CPU\'s instance of a per-CPU pointer, without the preemptible check.');
def('per_cpu_ptr', 'percpu', ['percpu', 'int'], 'deref-percpu0', 'The instance of a per-CPU pointer on the given CPU (remote access is allowed and needs its own locking).');
def('per_cpu', 'percpu', ['percpu', 'int'], 'percpu-var0', 'The per-CPU variable on the given CPU, as an lvalue.');
def('this_cpu_read', 'percpu', ['percpu'], 'percpu-var0', 'Reads this CPU\'s instance of a per-CPU variable.');
def('for_each_online_cpu', 'cpu-iter', ['lvalue'], 'void', 'Runs the body with cpu set to each online CPU in turn.', { iterator: true });
def('for_each_possible_cpu', 'cpu-iter', ['lvalue'], 'void', 'Runs the body with cpu set to each possible CPU in turn.', { iterator: true });
def('num_online_cpus', 'percpu', [], 'uint', 'The number of CPUs of the scenario.');
def('cpu_online', 'percpu', ['int'], 'bool', 'Whether the CPU exists in the scenario.');
def('for_each_populated_zone', 'zone-iter', ['lvalue'], 'void', 'Runs the body with zone set to each zone of the scenario.', { iterator: true });

// ---- lists ------------------------------------------------------------------------------
def('INIT_LIST_HEAD', 'list', ['list'], 'void', 'Makes the list empty (head points to itself).');
def('list_add', 'list', ['list', 'list'], 'void', 'Inserts new after head (at the front). Reports list-corruption on broken links or a double add.');
def('list_add_tail', 'list', ['list', 'list'], 'void', 'Inserts new before head (at the back). Reports list-corruption on broken links or a double add.');
def('list_del', 'list', ['list'], 'void', 'Unlinks the entry and poisons it. Reports list-corruption when the entry is not linked.');
def('list_del_init', 'list', ['list'], 'void', 'Unlinks the entry and reinitialises it.');
def('list_move', 'list', ['list', 'list'], 'void', 'Moves the entry to the front of another list.');
def('list_move_tail', 'list', ['list', 'list'], 'void', 'Moves the entry to the back of another list.');
def('list_empty', 'list', ['list'], 'bool', 'Whether the list has no entries.');
def('list_is_singular', 'list', ['list'], 'bool', 'Whether the list has exactly one entry.');
def('list_splice', 'list', ['list', 'list'], 'void', 'Joins the first list at the front of the second.');
def('list_splice_init', 'list', ['list', 'list'], 'void', 'Joins the first list at the front of the second and empties the first.');
def('list_splice_tail', 'list', ['list', 'list'], 'void', 'Joins the first list at the back of the second.');
def('list_entry', 'list', ['list', 'type', 'member'], 'entry1', 'The struct that contains the list node.');
def('list_first_entry', 'list', ['list', 'type', 'member'], 'entry1', 'The first entry of a non-empty list.');
def('list_last_entry', 'list', ['list', 'type', 'member'], 'entry1', 'The last entry of a non-empty list.');
def('list_first_entry_or_null', 'list', ['list', 'type', 'member'], 'entry1', 'The first entry, or NULL when the list is empty.');
def('list_next_entry', 'list', ['expr', 'member'], 'arg0', 'The entry after pos.');
def('list_prev_entry', 'list', ['expr', 'member'], 'arg0', 'The entry before pos.');
def('container_of', 'list', ['expr', 'type', 'member'], 'entry1', 'The struct that contains the member.');
def('list_for_each_entry', 'list-iter', ['lvalue', 'list', 'member'], 'void', 'Iterates over a list\'s entries, front to back.', { iterator: true });
def('list_for_each_entry_reverse', 'list-iter', ['lvalue', 'list', 'member'], 'void', 'Iterates over a list\'s entries, back to front.', { iterator: true });
def('list_for_each_entry_safe', 'list-iter', ['lvalue', 'lvalue', 'list', 'member'], 'void', 'Iterates, safe against removal of the current entry.', { iterator: true });
def('list_for_each_entry_safe_reverse', 'list-iter', ['lvalue', 'lvalue', 'list', 'member'], 'void', 'Iterates back to front, safe against removal.', { iterator: true });
def('list_for_each', 'list-iter', ['lvalue', 'list'], 'void', 'Iterates over a list\'s nodes.', { iterator: true });

// ---- compiler and arithmetic helpers -------------------------------------------------
def('READ_ONCE', 'compiler', ['lvalue'], 'arg0', 'A marked read (KCSAN still reports a race with a plain write).');
def('WRITE_ONCE', 'compiler', ['lvalue', 'expr'], 'void', 'A marked write.');
def('data_race', 'compiler', ['expr'], 'arg0', 'An access the author declares racy on purpose: not reported as a data race.');
def('likely', 'compiler', ['expr'], 'arg0', 'Branch hint; the value of its argument.');
def('unlikely', 'compiler', ['expr'], 'arg0', 'Branch hint; the value of its argument.');
def('min', 'math', ['expr', 'expr'], 'arg0', 'The smaller value.');
def('max', 'math', ['expr', 'expr'], 'arg0', 'The larger value.');
def('min_t', 'math', ['type', 'expr', 'expr'], 'type0', 'The smaller value, compared as the given type.');
def('max_t', 'math', ['type', 'expr', 'expr'], 'type0', 'The larger value, compared as the given type.');
def('clamp', 'math', ['expr', 'expr', 'expr'], 'arg0', 'The value limited to [lo, hi].');
def('abs', 'math', ['expr'], 'arg0', 'The absolute value.');
def('rounddown_pow_of_two', 'math', ['expr'], 'ulong', 'The largest power of two not above n.');
def('roundup_pow_of_two', 'math', ['expr'], 'ulong', 'The smallest power of two not below n.');
def('ilog2', 'math', ['expr'], 'int', 'The base-2 logarithm, rounded down.');
def('DIV_ROUND_UP', 'math', ['expr', 'expr'], 'arg0', 'n / d, rounded up.');
def('ARRAY_SIZE', 'math', ['expr'], 'ulong', 'The number of elements of an array.');
def('BIT', 'math', ['expr'], 'ulong', '1UL << n.');

// ---- assertions and lockdep annotations -----------------------------------------------
def('BUG_ON', 'assert', ['expr'], 'void', 'Reports an assertion finding ("kernel BUG at file:line") when the condition is true.');
def('BUG', 'assert', [], 'void', 'Reports an assertion finding ("kernel BUG at file:line").');
def('VM_BUG_ON', 'assert', ['expr'], 'void', 'As BUG_ON (CONFIG_DEBUG_VM is on in the engine).');
def('VM_BUG_ON_PAGE', 'assert', ['expr', 'page'], 'void', 'As BUG_ON, naming the page.');
def('WARN_ON', 'assert', ['expr'], 'bool', 'Reports an assertion finding ("WARNING: at file:line") when the condition is true; returns the condition.');
def('WARN_ON_ONCE', 'assert', ['expr'], 'bool', 'As WARN_ON, reported once per site.');
def('VM_WARN_ON', 'assert', ['expr'], 'bool', 'As WARN_ON.');
def('VM_WARN_ON_ONCE', 'assert', ['expr'], 'bool', 'As WARN_ON_ONCE.');
def('lockdep_assert_held', 'lockdep', ['lock'], 'void', 'Assertion: this context holds the lock.');
def('lockdep_assert_irqs_disabled', 'lockdep', [], 'void', 'Assertion: hard interrupts are disabled.');
def('lockdep_assert_irqs_enabled', 'lockdep', [], 'void', 'Assertion: hard interrupts are enabled.');
def('lockdep_assert_preemption_disabled', 'lockdep', [], 'void', 'Assertion: preemption is disabled.');

// ---- pages and zones -------------------------------------------------------------------
def('page_to_pfn', 'page', ['page'], 'ulong', 'The page frame number.');
def('pfn_to_page', 'page', ['int'], 'page', 'The struct page of a pfn (NULL when no zone has it).');
def('pfn_valid', 'page', ['int'], 'bool', 'Whether some zone spans the pfn.');
def('page_zone', 'page', ['page'], 'zone', 'The zone the page belongs to.');
def('PageBuddy', 'page', ['page'], 'bool', 'Whether the page heads a free block in the buddy allocator.');
def('__SetPageBuddy', 'page', ['page'], 'void', 'Marks the page as the head of a free buddy block.');
def('__ClearPageBuddy', 'page', ['page'], 'void', 'Clears the buddy mark.');
def('buddy_order', 'page', ['page'], 'uint', 'The order of a free buddy block (page->private).');
def('set_buddy_order', 'page', ['page', 'int'], 'void', 'Sets page->private to the order and marks the page buddy.');
def('set_page_private', 'page', ['page', 'int'], 'void', 'Sets page->private.');
def('page_private', 'page', ['page'], 'ulong', 'Reads page->private.');
def('get_pageblock_migratetype', 'page', ['page'], 'int', 'The migratetype of the page\'s pageblock, as the zone line set it.');
def('zone_managed_pages', 'zone', ['zone'], 'ulong', 'zone->managed_pages.');
def('zone_page_state', 'zone', ['zone', 'int'], 'long', 'A zone counter (NR_FREE_PAGES).');
def('__mod_zone_page_state', 'zone', ['zone', 'int', 'int'], 'void', 'Adds delta to a zone counter (NR_FREE_PAGES).');
def('mod_zone_page_state', 'zone', ['zone', 'int', 'int'], 'void', 'Adds delta to a zone counter (NR_FREE_PAGES).');

// ---- trace events (the kernel's field names, recorded in the run's trace) ------------
def('trace_mm_page_alloc', 'trace', ['page', 'int', 'int', 'int'], 'void', 'Records mm_page_alloc(page, order, gfp_flags, migratetype).');
def('trace_mm_page_free', 'trace', ['page', 'int'], 'void', 'Records mm_page_free(page, order).');
def('trace_mm_page_free_batched', 'trace', ['page'], 'void', 'Records mm_page_free_batched(page).');
def('trace_mm_page_pcpu_drain', 'trace', ['page', 'int', 'int'], 'void', 'Records mm_page_pcpu_drain(page, order, migratetype): a pcp drain to the buddy.');
def('trace_mm_page_alloc_zone_locked', 'trace', ['page', 'int', 'int', 'int'], 'void', 'Records mm_page_alloc_zone_locked(page, order, migratetype, percpu_refill); percpu_refill marks a pcp refill.');
def('trace_pcp_fallback', 'trace', ['zone', 'int'], 'void', 'Marks a fallback to the buddy after a failed pcp trylock (an event breakpoints can stop at).');

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(B.map(b => [b.name, b]));

export function builtinDoc(b: Builtin, config: { smp: boolean; preemptRt: boolean }): string {
  if (typeof b.doc === 'string') return b.doc;
  return config.preemptRt ? b.doc.rt : config.smp ? b.doc.smp : b.doc.up;
}

export function minArity(b: Builtin): number { return b.args.length; }
