// The builtins of Kernel C as the engine runs them, with the per-configuration lock
// semantics of semantics.md. Each primitive is one step; a lock that is not available
// returns BLOCKED and the step is retried (spinning) or the context sleeps (PREEMPT_RT).
import type { Machine } from './machine';
import { Oops } from './machine';
import type { Context, HeldLock } from './state';
import type { Instr } from './ops';
import { cellsOf, offsetOf } from './layout';

export const BLOCKED = -0x7fff_ffff_ffff; // never a value a model computes
const X86_EFLAGS_IF = 0x200;
export const PG_BUDDY = 1 << 9;
const LIST_POISON1 = 0xdead000000000100;
const LIST_POISON2 = 0xdead000000000122;

type LockType = 'spin' | 'raw' | 'local';

function where(m: Machine): string {
  const r = m.locOf(m.curLoc);
  return r ? `${r.file}:${r.line}` : '?';
}

function fnName(ctx: Context): string {
  const f = ctx.frames[ctx.frames.length - 1];
  return f ? f.fn.name : '?';
}

function atomicState(m: Machine, ctx: Context): { inAtomic: boolean; irqsOff: boolean } {
  const irqsOff = m.cpus[ctx.cpu].irqsDisabled;
  return { inAtomic: ctx.preemptCount > 0 || ctx.kind === 'hardirq', irqsOff };
}

function sleepCheck(m: Machine, ctx: Context, what: string): void {
  const { inAtomic, irqsOff } = atomicState(m, ctx);
  if (!inAtomic && !irqsOff) return;
  m.report('sleep-in-atomic',
    `BUG: sleeping function called from invalid context at ${where(m)}\n` +
    `in_atomic(): ${inAtomic ? 1 : 0}, irqs_disabled(): ${irqsOff ? 1 : 0}, non_block: 0, pid: ${ctx.id}, name: ${ctx.label}/${ctx.cpu}\n` +
    `${what} in ${fnName(ctx)}${ctx.kind === 'hardirq' ? ' from hard-IRQ context' : ''}` +
    (ctx.held.length ? `\nlocks held: ${ctx.held.map(h => m.describeAddr(h.addr).instance).join(', ')}` : ''));
}

function holders(m: Machine, addr: number, except?: Context): Context[] {
  return m.contexts.filter(c => c !== except && c.held.some(h => h.addr === addr));
}

/** Writes a lock word (not a data access: no race check), and tells the explorer's
 * footprint that the step changed that cell. */
function setLockWord(m: Machine, addr: number, v: number): void {
  m.mem[addr] = v;
  m.memEpoch++;
  m.lockWordWrites++;
  if (m.footprint !== undefined && addr < m.stackStart) m.footprint.writes.push(addr);
}

function owner(m: Machine, addr: number): number {
  return m.mem[addr];
}

/**
 * A lock primitive touches its lock word directly (not as a data access), so it checks
 * the address itself: spin_lock(&p->lock) with p NULL oopses as the kernel does, rather
 * than taking a "lock" at address 0.
 */
function lockWord(m: Machine, addr: number): number {
  if (!validAddr(m, addr)) {
    throw new Oops(`BUG: kernel NULL pointer dereference, address: 0x${Math.max(0, Math.trunc(addr) || 0).toString(16).padStart(16, '0')}`);
  }
  return addr;
}

/** Lock acquisition. `irq`: the _irqsave/_irq variant; `out`: address of flags (0: none). */
function acquire(m: Machine, ctx: Context, addr: number, type: LockType, irq: boolean, out: number, trylock: boolean): number {
  lockWord(m, addr);
  const sleeping = m.rt && type !== 'raw';
  // a CPU spinning on a held spinlock retries every step (millions of times in a long
  // contended run, and again on every re-execution by the debugger): when it is still
  // held, the slow path below would only say BLOCKED again, so say it without building
  // the held-lock record or the name closure
  if (ctx.waitingOn === addr && !trylock && !sleeping && m.smp && type !== 'local' && owner(m, addr) !== 0) {
    m.stepEvent = m.stepEvent ? `${m.stepEvent},spin` : 'spin';
    return BLOCKED;
  }
  const cpu = m.cpus[ctx.cpu];
  const name = () => m.describeAddr(addr).instance;
  const first = ctx.waitingOn !== addr;
  if (first) {
    // the prologue runs once; a spinning retry only tries the lock word again
    if (sleeping && !trylock) sleepCheck(m, ctx, `${type === 'local' ? 'local_lock' : 'rt_spin_lock'}(${name()})`);
    if (irq && !sleeping) {
      if (out) m.store(out, cpu.irqsDisabled ? 0 : X86_EFLAGS_IF);
      cpu.irqsDisabled = true;
    } else if (irq && out) m.store(out, 0); // PREEMPT_RT: flags = 0, IRQs stay on
  }
  const irqsWereOff = cpu.irqsDisabled;
  const held: HeldLock = {
    addr, how: 'spin', irqsave: irq && !sleeping, preempt: false, migrate: false, trylock, step: m.step, loc: m.curLoc, irqsWereOff,
  };
  // lockdep sees a lock/_irqsave acquisition when it is attempted (lock_acquire runs
  // before the lock word is spun on or slept for), so it reports the IRQ-state and
  // order rules even on the schedule where the deadlock then happens. A trylock only
  // counts when it succeeds.
  if (first && !trylock) m.lockdep.acquire(ctx, held);
  if (sleeping) {
    // rtmutex / RT local lock: own if free, else sleep
    const o = owner(m, addr);
    // rt_spin_trylock fails on any owner, itself included, and never sleeps
    if (o !== 0 && trylock) { tryFailed(m, ctx, addr); return 0; }
    if (o !== 0 && o !== ctx.id + 1) {
      if (first) m.event(ctx, 'lock-contended', m.describeAddr(addr).cls, { lock: name() });
      ctx.waitingOn = addr;
      ctx.status = 'blocked';
      m.stepEvent = m.stepEvent ? `${m.stepEvent},blocked` : 'blocked';
      return BLOCKED;
    }
    if (o === ctx.id + 1) {
      m.report('deadlock', `deadlock: ${ctx.label} on CPU#${ctx.cpu} takes ${name()}, which it already holds (rtmutex)`, []);
      ctx.waitingOn = addr;
      ctx.status = 'blocked';
      return BLOCKED;
    }
    setLockWord(m, addr, ctx.id + 1); // the lock word is the lock's own business, not a data access
    held.how = type === 'local' ? 'local' : 'spin';
    held.migrate = true;
    ctx.migrateDisable++;
  } else if (type === 'local') {
    // !PREEMPT_RT local lock: preemption (or IRQs) off; nothing to own, lockdep tracks it
    held.how = 'local';
    if (!irq) { held.preempt = true; ctx.preemptCount++; }
    const others = holders(m, addr, ctx);
    if (others.length) mutualExclusion(m, ctx, addr, others, trylock);
  } else if (!m.smp) {
    // UP: no lock word. trylock always succeeds.
    held.how = 'up';
    held.preempt = true;
    ctx.preemptCount++;
    const others = holders(m, addr, ctx);
    if (others.length) mutualExclusion(m, ctx, addr, others, trylock);
    else if (ctx.held.some(h => h.addr === addr)) recursion(m, ctx, addr);
  } else {
    const o = owner(m, addr);
    if (o !== 0) {
      if (trylock) {
        tryFailed(m, ctx, addr);
        if (irq && out) cpu.irqsDisabled = m.load(out) === 0; // spin_trylock_irqsave restores on failure
        return 0;
      }
      if (first) {
        ctx.preemptCount++;
        if (o === ctx.id + 1) recursion(m, ctx, addr);
        m.event(ctx, 'lock-contended', m.describeAddr(addr).cls, { lock: name() });
      }
      ctx.waitingOn = addr;
      m.stepEvent = m.stepEvent ? `${m.stepEvent},spin` : 'spin';
      return BLOCKED;
    }
    if (first) ctx.preemptCount++;
    held.preempt = true;
    setLockWord(m, addr, ctx.id + 1); // the lock word is the lock's own business, not a data access
  }
  ctx.waitingOn = 0;
  ctx.held.push(held);
  m.race.acquire(ctx, addr);
  if (trylock) m.lockdep.acquire(ctx, held);
  m.event(ctx, 'lock-acquired', m.describeAddr(addr).cls, { lock: name(), trylock: trylock ? 1 : 0 });
  return 1;
}

function tryFailed(m: Machine, ctx: Context, addr: number): void {
  m.event(ctx, 'trylock-failed', m.describeAddr(addr).cls, { lock: m.describeAddr(addr).instance });
}

function recursion(m: Machine, ctx: Context, addr: number): void {
  const h = ctx.held.find(x => x.addr === addr);
  const at = h ? m.locOf(h.loc) : undefined;
  m.report('spinlock-recursion', `BUG: spinlock recursion on CPU#${ctx.cpu}, ${ctx.label}/${ctx.id}\n lock: ${m.describeAddr(addr).instance}, .owner: ${ctx.label}/${ctx.id}, .owner_cpu: ${ctx.cpu}${at ? `\n first taken at ${at.file}:${at.line}` : ''}`);
}

function mutualExclusion(m: Machine, ctx: Context, addr: number, others: Context[], trylock: boolean): void {
  const d = m.describeAddr(addr);
  const o = others[0];
  const h = o.held.find(x => x.addr === addr)!;
  const at = m.locOf(h.loc);
  const head = trylock && !m.smp ? `BUG: spinlock trylock failure on UP on CPU#${ctx.cpu}, ${ctx.label}/${ctx.id}\n` : '';
  m.report('mutual-exclusion',
    `${head}mutual exclusion violated: ${ctx.label} on CPU#${ctx.cpu} enters the critical section of ${d.instance} at ${where(m)} ` +
    `while ${o.label} on CPU#${o.cpu} holds it (taken at ${at.file}:${at.line})`, others);
}

function release(m: Machine, ctx: Context, addr: number, type: LockType, irq: 'none' | 'restore' | 'enable', flags: number): number {
  lockWord(m, addr);
  const cpu = m.cpus[ctx.cpu];
  let i = -1;
  for (let k = ctx.held.length - 1; k >= 0; k--) if (ctx.held[k].addr === addr) { i = k; break; }
  if (i < 0) {
    const others = holders(m, addr, ctx);
    m.report('bad-unlock',
      `BUG: bad unlock balance detected!\n${ctx.label}/${ctx.id} on CPU#${ctx.cpu} is trying to release lock (${m.describeAddr(addr).instance}) at ${where(m)}\n` +
      (others.length ? `but the lock is held by ${others[0].label} on CPU#${others[0].cpu}` : 'but there are no more locks to release!'), others);
    return 0;
  }
  const h = ctx.held[i];
  if (h.irqsave && irq !== 'none') {
    // IRQ flags must come back in the reverse order they were saved
    for (let k = i + 1; k < ctx.held.length; k++) {
      if (ctx.held[k].irqsave) {
        m.report('bad-unlock', `BUG: bad unlock balance detected!\nirq flags of ${m.describeAddr(addr).instance} restored out of order: ${m.describeAddr(ctx.held[k].addr).instance} was saved later and is still held`);
        break;
      }
    }
  }
  ctx.held.splice(i, 1);
  if (h.how === 'spin' || h.how === 'local') {
    if (h.migrate || (h.how === 'spin')) {
      if (owner(m, addr) === ctx.id + 1) setLockWord(m, addr, 0);
    }
  }
  if (h.preempt) ctx.preemptCount = Math.max(0, ctx.preemptCount - 1);
  if (h.migrate) ctx.migrateDisable = Math.max(0, ctx.migrateDisable - 1);
  const sleeping = m.rt && type !== 'raw';
  if (!sleeping) {
    if (irq === 'restore') cpu.irqsDisabled = (flags & X86_EFLAGS_IF) === 0;
    else if (irq === 'enable') cpu.irqsDisabled = false;
  }
  m.race.release(ctx, addr);
  m.event(ctx, 'lock-released', m.describeAddr(addr).cls);
  // wake sleepers (PREEMPT_RT); spinners see the free word on their next step
  for (const w of m.contexts) if (w.waitingOn === addr && w.status === 'blocked') w.status = 'running';
  return 0;
}

function lockType(name: string): LockType {
  if (name.startsWith('raw_')) return 'raw';
  if (name.startsWith('local_')) return 'local';
  return 'spin';
}

// ---- lists (CONFIG_DEBUG_LIST checks) ----
const NEXT = 0;
const PREV = 1;

function validAddr(m: Machine, a: number): boolean {
  return Number.isInteger(a) && a >= 64 && a < m.mem.length;
}

function corruption(m: Machine, msg: string): number {
  m.report('list-corruption', msg);
  return 0;
}

function listAdd(m: Machine, nw: number, prev: number, next: number): number {
  const h = (a: number) => '0x' + a.toString(16);
  if (m.load(next + PREV) !== prev) return corruption(m, `list_add corruption. next->prev should be prev (${h(prev)}), but was ${h(m.mem[next + PREV])}. (next=${h(next)}).`);
  if (m.load(prev + NEXT) !== next) return corruption(m, `list_add corruption. prev->next should be next (${h(next)}), but was ${h(m.mem[prev + NEXT])}. (prev=${h(prev)}).`);
  // CONFIG_DEBUG_LIST's rule: an entry still linked elsewhere may be re-added (free_unref_page_list
  // reuses page->lru of a list it consumes); adding it next to itself is the double add
  if (nw === prev || nw === next) return corruption(m, `list_add double add: new=${h(nw)}, prev=${h(prev)}, next=${h(next)}.`);
  m.store(next + PREV, nw);
  m.store(nw + NEXT, next);
  m.store(nw + PREV, prev);
  m.store(prev + NEXT, nw);
  return 0;
}

function listDel(m: Machine, e: number, init: boolean): boolean {
  const h = (a: number) => '0x' + a.toString(16);
  const next = m.load(e + NEXT);
  const prev = m.load(e + PREV);
  if (next === LIST_POISON1) { corruption(m, `list_del corruption, ${h(e)}->next is LIST_POISON1 (dead000000000100)`); return false; }
  if (prev === LIST_POISON2) { corruption(m, `list_del corruption, ${h(e)}->prev is LIST_POISON2 (dead000000000122)`); return false; }
  if (!validAddr(m, next) || !validAddr(m, prev)) { corruption(m, `list_del corruption, ${h(e)} is not on a list (next=${h(next)}, prev=${h(prev)})`); return false; }
  if (m.load(prev + NEXT) !== e) { corruption(m, `list_del corruption. prev->next should be ${h(e)}, but was ${h(m.mem[prev + NEXT])}. (prev=${h(prev)})`); return false; }
  if (m.load(next + PREV) !== e) { corruption(m, `list_del corruption. next->prev should be ${h(e)}, but was ${h(m.mem[next + PREV])}. (next=${h(next)})`); return false; }
  m.store(next + PREV, prev);
  m.store(prev + NEXT, next);
  if (init) { m.store(e + NEXT, e); m.store(e + PREV, e); }
  else { m.store(e + NEXT, LIST_POISON1); m.store(e + PREV, LIST_POISON2); }
  return true;
}

function splice(m: Machine, list: number, prev: number, next: number): void {
  const first = m.load(list + NEXT);
  const last = m.load(list + PREV);
  m.store(first + PREV, prev);
  m.store(prev + NEXT, first);
  m.store(last + NEXT, next);
  m.store(next + PREV, last);
}

// ---- pages ----
function pfnOf(m: Machine, page: number): number {
  const p = m.pageOf(page);
  if (!p) throw new Oops(`BUG: Bad page: 0x${page.toString(16)} is not a struct page`);
  return p.pfn;
}

function pageField(m: Machine, name: string): number {
  return offsetOf(m.pageStruct, name);
}

function assertFail(m: Machine, ctx: Context, bug: boolean, what: string): void {
  const r = m.locOf(m.curLoc);
  if (bug) {
    m.report('assertion', `kernel BUG at ${r.file}:${r.line}!\n${what} in ${fnName(ctx)} on CPU#${ctx.cpu} (${ctx.label})`);
    ctx.status = 'dead';
  } else {
    m.report('assertion', `WARNING: CPU: ${ctx.cpu} PID: ${ctx.id} at ${r.file}:${r.line} ${fnName(ctx)}\n${what}`);
  }
}

function percpuCheck(m: Machine, ctx: Context, what: string): void {
  if (m.ncpus <= 1) return; // nowhere to migrate to
  const cpu = m.cpus[ctx.cpu];
  if (ctx.preemptCount > 0 || cpu.irqsDisabled || ctx.kind === 'hardirq' || ctx.migrateDisable > 0) return;
  m.report('preemptible-percpu', `BUG: using ${what} in preemptible [00000000] code: ${ctx.label}/${ctx.id}\ncaller is ${fnName(ctx)}`);
}

export function runPrimitive(m: Machine, ctx: Context, name: string, st: number[], ins: Instr): number {
  const n = ins.b;
  const a = (i: number) => st[st.length - n + i];
  const cpu = m.cpus[ctx.cpu];
  switch (name) {
    // spinlocks and local locks
    case 'spin_lock': case 'raw_spin_lock': case 'local_lock': case 'spin_lock_bh':
      return acquire(m, ctx, a(0), lockType(name), false, 0, false) === BLOCKED ? BLOCKED : 0;
    case 'spin_lock_irqsave': case 'raw_spin_lock_irqsave': case 'local_lock_irqsave':
      return acquire(m, ctx, a(0), lockType(name), true, a(1), false) === BLOCKED ? BLOCKED : 0;
    case 'spin_lock_irq': case 'raw_spin_lock_irq': case 'local_lock_irq':
      return acquire(m, ctx, a(0), lockType(name), true, 0, false) === BLOCKED ? BLOCKED : 0;
    case 'spin_trylock': case 'raw_spin_trylock':
      return acquire(m, ctx, a(0), lockType(name), false, 0, true);
    case 'spin_trylock_irqsave':
      return acquire(m, ctx, a(0), 'spin', true, a(1), true);
    case 'spin_unlock': case 'raw_spin_unlock': case 'local_unlock': case 'spin_unlock_bh':
      return release(m, ctx, a(0), lockType(name), 'none', 0);
    case 'spin_unlock_irqrestore': case 'raw_spin_unlock_irqrestore': case 'local_unlock_irqrestore':
      return release(m, ctx, a(0), lockType(name), 'restore', a(1));
    case 'spin_unlock_irq': case 'raw_spin_unlock_irq': case 'local_unlock_irq':
      return release(m, ctx, a(0), lockType(name), 'enable', 0);
    case 'spin_lock_init': case 'raw_spin_lock_init': case 'local_lock_init':
      setLockWord(m, lockWord(m, a(0)), 0);
      return 0;
    case 'spin_is_locked':
      return owner(m, lockWord(m, a(0))) !== 0 || holders(m, a(0)).length > 0 ? 1 : 0;

    // interrupts, preemption, migration
    case 'local_irq_save':
      m.store(a(0), cpu.irqsDisabled ? 0 : X86_EFLAGS_IF);
      cpu.irqsDisabled = true;
      return 0;
    case 'local_irq_disable': cpu.irqsDisabled = true; return 0;
    case 'local_irq_restore': cpu.irqsDisabled = (a(0) & X86_EFLAGS_IF) === 0; return 0;
    case 'local_irq_enable': cpu.irqsDisabled = false; return 0;
    case 'irqs_disabled': return cpu.irqsDisabled ? 1 : 0;
    case 'preempt_disable': ctx.preemptCount++; return 0;
    case 'preempt_enable':
      if (ctx.preemptCount === 0) m.report('bad-unlock', `BUG: bad unlock balance detected!\npreempt_enable() in ${fnName(ctx)} with preempt_count already 0`);
      else ctx.preemptCount--;
      return 0;
    case 'preempt_count': return ctx.preemptCount + (ctx.kind === 'hardirq' ? 0x10000 : 0);
    case 'migrate_disable': ctx.migrateDisable++; return 0;
    case 'migrate_enable': ctx.migrateDisable = Math.max(0, ctx.migrateDisable - 1); return 0;
    case 'might_sleep': case 'cond_resched':
      sleepCheck(m, ctx, `${name}()`);
      return 0;
    case 'in_interrupt': return ctx.kind === 'hardirq' ? 1 : 0;
    case 'in_hardirq': return ctx.kind === 'hardirq' ? 1 : 0;
    case 'in_task': return ctx.kind === 'hardirq' ? 0 : 1;

    // per-CPU
    case 'smp_processor_id': percpuCheck(m, ctx, 'smp_processor_id()'); return ctx.cpu;
    case 'raw_smp_processor_id': return ctx.cpu;
    case 'this_cpu_ptr': percpuCheck(m, ctx, 'smp_processor_id()'); return m.thisCpu(a(0), ctx.cpu);
    case 'raw_cpu_ptr': return m.thisCpu(a(0), ctx.cpu);
    case 'this_cpu_read': return m.thisCpu(a(0), ctx.cpu);
    case 'per_cpu_ptr': case 'per_cpu': {
      const c = a(1);
      if (c < 0 || c >= m.ncpus || !Number.isInteger(c)) throw new Oops(`BUG: per_cpu_ptr() of CPU ${c}, which does not exist (${m.ncpus} CPUs)`);
      return m.thisCpu(a(0), c);
    }
    case 'num_online_cpus': return m.ncpus;
    case 'cpu_online': return a(0) >= 0 && a(0) < m.ncpus ? 1 : 0;

    // lists
    case 'INIT_LIST_HEAD': m.store(a(0) + NEXT, a(0)); m.store(a(0) + PREV, a(0)); return 0;
    case 'list_add': return listAdd(m, a(0), a(1), m.load(a(1) + NEXT));
    case 'list_add_tail': return listAdd(m, a(0), m.load(a(1) + PREV), a(1));
    case 'list_del': listDel(m, a(0), false); return 0;
    case 'list_del_init': listDel(m, a(0), true); return 0;
    case 'list_move': if (listDel(m, a(0), false)) { m.store(a(0) + NEXT, a(0)); m.store(a(0) + PREV, a(0)); listAdd(m, a(0), a(1), m.load(a(1) + NEXT)); } return 0;
    case 'list_move_tail': if (listDel(m, a(0), false)) { m.store(a(0) + NEXT, a(0)); m.store(a(0) + PREV, a(0)); listAdd(m, a(0), m.load(a(1) + PREV), a(1)); } return 0;
    case 'list_empty': return m.load(a(0) + NEXT, true) === a(0) ? 1 : 0;
    case 'list_is_singular': { const nx = m.load(a(0) + NEXT); return nx !== a(0) && nx === m.load(a(0) + PREV) ? 1 : 0; }
    case 'list_splice': case 'list_splice_init': case 'list_splice_tail': {
      const list = a(0);
      const head = a(1);
      if (m.load(list + NEXT) !== list) {
        if (name === 'list_splice_tail') splice(m, list, m.load(head + PREV), head);
        else splice(m, list, head, m.load(head + NEXT));
        if (name === 'list_splice_init') { m.store(list + NEXT, list); m.store(list + PREV, list); }
      }
      return 0;
    }
    case 'list_entry': case 'container_of': return a(0) - ins.c;
    case 'list_first_entry': return m.load(a(0) + NEXT) - ins.c;
    case 'list_last_entry': return m.load(a(0) + PREV) - ins.c;
    case 'list_first_entry_or_null': { const nx = m.load(a(0) + NEXT); return nx === a(0) ? 0 : nx - ins.c; }
    case 'list_next_entry': return m.load(a(0) + ins.c + NEXT) - ins.c;
    case 'list_prev_entry': return m.load(a(0) + ins.c + PREV) - ins.c;

    // compiler and arithmetic helpers
    case 'READ_ONCE': return m.load(a(0), true);
    case 'WRITE_ONCE': m.store(a(0), a(1), true); return 0;
    case 'data_race': case 'likely': case 'unlikely': case 'abs':
      return name === 'abs' ? Math.abs(a(0)) : a(0);
    case 'min': case 'min_t': return Math.min(a(0), a(1));
    case 'max': case 'max_t': return Math.max(a(0), a(1));
    case 'clamp': return Math.min(Math.max(a(0), a(1)), a(2));
    case 'rounddown_pow_of_two': return a(0) <= 0 ? 0 : 2 ** Math.floor(Math.log2(a(0)));
    case 'roundup_pow_of_two': return a(0) <= 1 ? 1 : 2 ** Math.ceil(Math.log2(a(0)));
    case 'ilog2': return a(0) <= 0 ? -1 : Math.floor(Math.log2(a(0)));
    case 'DIV_ROUND_UP': if (a(1) === 0) throw new Oops('divide error: 0000 [#1] (DIV_ROUND_UP by zero)'); return Math.ceil(a(0) / a(1));
    case 'ARRAY_SIZE': return ins.c;
    case 'BIT': return 2 ** a(0);

    // assertions
    case 'BUG_ON': case 'VM_BUG_ON': case 'VM_BUG_ON_PAGE':
      if (a(0)) assertFail(m, ctx, true, `${name}(condition) triggered`);
      return 0;
    case 'BUG': assertFail(m, ctx, true, 'BUG()'); return 0;
    case 'WARN_ON': case 'WARN_ON_ONCE': case 'VM_WARN_ON': case 'VM_WARN_ON_ONCE':
      if (a(0)) assertFail(m, ctx, false, `${name}(condition) triggered`);
      return a(0) ? 1 : 0;
    case 'lockdep_assert_held':
      if (!ctx.held.some(h => h.addr === a(0))) assertFail(m, ctx, false, `lockdep_assert_held(${m.describeAddr(a(0)).instance}) failed: ${ctx.label} on CPU#${ctx.cpu} does not hold it`);
      return 0;
    case 'lockdep_assert_irqs_disabled':
      if (!cpu.irqsDisabled) assertFail(m, ctx, false, 'lockdep_assert_irqs_disabled() failed: hard IRQs are enabled');
      return 0;
    case 'lockdep_assert_irqs_enabled':
      if (cpu.irqsDisabled) assertFail(m, ctx, false, 'lockdep_assert_irqs_enabled() failed: hard IRQs are disabled');
      return 0;
    case 'lockdep_assert_preemption_disabled':
      if (ctx.preemptCount === 0 && ctx.kind !== 'hardirq' && !cpu.irqsDisabled) assertFail(m, ctx, false, 'lockdep_assert_preemption_disabled() failed');
      return 0;

    // pages and zones
    case 'page_to_pfn': return pfnOf(m, a(0));
    case 'pfn_to_page': case 'pfn_valid': {
      const z = m.zones.find(x => a(0) >= x.startPfn && a(0) < x.startPfn + x.pages);
      if (name === 'pfn_valid') return z ? 1 : 0;
      return z ? m.pageAddr(z, a(0)) : 0;
    }
    case 'page_zone': { const p = m.pageOf(a(0)); if (!p) throw new Oops(`BUG: page_zone() of 0x${a(0).toString(16)}, which is not a struct page`); return p.zone.addr; }
    case 'PageBuddy': return (m.load(a(0) + pageField(m, 'flags')) & PG_BUDDY) ? 1 : 0;
    case '__SetPageBuddy': { const f = a(0) + pageField(m, 'flags'); m.store(f, m.load(f) | PG_BUDDY); return 0; }
    case '__ClearPageBuddy': { const f = a(0) + pageField(m, 'flags'); m.store(f, m.load(f) & ~PG_BUDDY); return 0; }
    case 'buddy_order': case 'page_private': return m.load(a(0) + pageField(m, 'private'));
    case 'set_buddy_order': {
      m.store(a(0) + pageField(m, 'private'), a(1));
      const f = a(0) + pageField(m, 'flags');
      m.store(f, m.load(f) | PG_BUDDY);
      return 0;
    }
    case 'set_page_private': m.store(a(0) + pageField(m, 'private'), a(1)); return 0;
    case 'get_pageblock_migratetype': { const p = m.pageOf(a(0)); return p ? p.zone.migratetype ?? 1 : 1; }
    case 'zone_managed_pages': return m.load(a(0) + offsetOf(m.zoneStruct, 'managed_pages'));
    case 'zone_page_state': return m.load(a(0) + offsetOf(m.zoneStruct, 'vm_stat') + a(1));
    case '__mod_zone_page_state': case 'mod_zone_page_state': {
      const addr = a(0) + offsetOf(m.zoneStruct, 'vm_stat') + a(1);
      m.store(addr, m.load(addr) + a(2));
      if (a(1) === 0) m.accounting.zonesWithFreeCounter.add(a(0));
      return 0;
    }

    // trace events
    case 'trace_mm_page_alloc':
      m.event(ctx, 'trace', 'mm_page_alloc', { pfn: a(0) ? pfnOf(m, a(0)) : -1, order: a(1), gfp_flags: a(2), migratetype: a(3) });
      return 0;
    case 'trace_mm_page_free':
      m.event(ctx, 'trace', 'mm_page_free', { pfn: pfnOf(m, a(0)), order: a(1) });
      return 0;
    case 'trace_mm_page_free_batched':
      m.event(ctx, 'trace', 'mm_page_free_batched', { pfn: pfnOf(m, a(0)) });
      return 0;
    case 'trace_mm_page_pcpu_drain':
      m.event(ctx, 'trace', 'mm_page_pcpu_drain', { pfn: pfnOf(m, a(0)), order: a(1), migratetype: a(2) });
      m.event(ctx, 'drain', 'mm_page_pcpu_drain', { pfn: pfnOf(m, a(0)), order: a(1) });
      return 0;
    case 'trace_mm_page_alloc_zone_locked':
      m.event(ctx, 'trace', 'mm_page_alloc_zone_locked', { pfn: pfnOf(m, a(0)), order: a(1), migratetype: a(2), percpu_refill: a(3) });
      if (a(3)) m.event(ctx, 'refill', 'mm_page_alloc_zone_locked', { pfn: pfnOf(m, a(0)), order: a(1) });
      return 0;
    case 'trace_pcp_fallback':
      m.event(ctx, 'fallback', m.zoneOfAddr(a(0))?.name ?? 'zone', { order: a(1) });
      return 0;
  }
  throw new Oops(`the engine has no implementation of builtin ${name}`);
}

export function pageCells(m: Machine): number { return cellsOf(m.pageStruct); }
