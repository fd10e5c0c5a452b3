// The simulated kernel: memory, CPUs, contexts, and the interpreter that runs one step
// of a chosen CPU. Lock and IRQ primitives live in prims.ts, detectors in their own
// files; this file owns the state they all act on.
import type { CheckedProgram } from '../lang/load';
import type { Range } from '../lang/diagnostics';
import { StructType, Type, isStruct } from '../lang/types';
import { Op, BinOp, UnOp, W, wrap, Instr } from './ops';
import { compileProgram, CompiledProgram, StaticLayout, isPrimitive } from './compile';
import { cellsOf, structLayout } from './layout';
import { Context, Cpu, Finding, MachineEvent, StepRecord, ContextStack, Frame } from './state';
import { runPrimitive, BLOCKED } from './prims';
import { Lockdep } from './lockdep';
import { RaceDetector } from './race';
import { checkAccounting, AccountingState } from './accounting';
import { setupZones, ZoneInfo } from './zones';
import { initGlobal } from './globals';
import type { FindingKind } from '../findingKinds';
import type { StepFootprint } from '../explore/footprint';

export const FIRST_ADDR = 64;          // below: NULL and its neighbourhood
const STACK_CELLS = 4096;
const MAX_FRAMES = 128;

export interface MachineOptions {
  detectors?: boolean;                 // lockdep, races, accounting (default on)
  maxSteps?: number;
}

interface Region { base: number; cells: number; type: Type; name: string; prefix: string; cpu?: number }

export class Machine {
  readonly code: CompiledProgram;
  mem: Float64Array;
  readonly cpus: Cpu[] = [];
  readonly contexts: Context[] = [];
  readonly layout: StaticLayout;
  readonly zones: ZoneInfo[] = [];
  readonly percpuBase: number;
  readonly percpuStride: number;
  readonly stackStart: number;
  readonly regions: Region[] = [];
  readonly smp: boolean;
  readonly rt: boolean;
  readonly ncpus: number;
  step = 0;
  readonly findings: Finding[] = [];
  readonly events: MachineEvent[] = [];
  readonly steps: StepRecord[] = [];
  recordSteps = true;
  // the scheduler choices so far, one number each (a long run makes millions of them):
  // cN → N, iN.K → -(1 + N * 65536 + K).
  // Kept in chunks of CHOICE_CHUNK so a checkpoint need not copy the whole history: a full
  // chunk is frozen (never written again) and shared by every checkpoint taken after it; a
  // checkpoint copies only the partly filled tail. Since frozen chunks never change, a
  // checkpoint stays right whatever was restored or written since (the explorer restores
  // out of order and keeps many checkpoints alive; the debugger forks the future).
  private choiceChunks: Int32Array[] = [];
  /** the chunk being filled: private to the machine (checkpoints copy it) */
  private choiceTail = new Int32Array(CHOICE_CHUNK);
  private nChoices = 0;
  /** Bumped by everything that may write `mem` during a step: store(), a new frame, any
   * builtin (lock words, list links). Page accounting skips a quiescent check when it and
   * the set of handed-out pages are as they were at the last check. Code that writes
   * `mem` some other way between steps must call memChanged(). */
  memEpoch = 0;
  /** times a lock word was set or cleared (a lock taken or released): progress, for the
   * max-steps message (run.ts) to tell a loop from a long run */
  lockWordWrites = 0;
  private describeCache = new Map<number, { cls: string; instance: string; cpu?: number }>();
  private pageCells = 1;
  readonly detectorsOn: boolean;
  readonly lockdep: Lockdep;
  readonly race: RaceDetector;
  readonly accounting: AccountingState;
  private seenFindings = new Set<string>();
  /** the context running the current step */
  cur!: Context;
  curLoc = 0;
  stepEvent: string | undefined;
  pageStruct: StructType;
  zoneStruct: StructType;
  pcpStruct: StructType;
  listOff = { next: 0, prev: 1 };
  readonly bootCtx: Context;
  private bootResult = 0;
  /** a finding raised by the current step; the runner may stop on it */
  lastFinding: Finding | undefined;
  /** Set by the explorer only: what the current step touches of shared memory and which
   * builtins it runs (its footprint, for the partial-order reduction). Off: one test of
   * undefined per load, store and builtin. */
  footprint: StepFootprint | undefined;
  /** cells the explorer assumes constant after boot (zones.ts bootConstantCells): their
   * reads are left out of the footprint; a write to one sets constantWritten */
  constantCells: Uint8Array | undefined;
  constantWritten = false;

  constructor(readonly program: CheckedProgram, options: MachineOptions = {}) {
    const p = program;
    this.smp = p.config.smp;
    this.rt = p.config.preemptRt;
    this.ncpus = p.config.cpus;
    this.detectorsOn = options.detectors !== false;
    this.pageStruct = p.model.structs.get('page')!;
    this.zoneStruct = p.model.structs.get('zone')!;
    this.pcpStruct = p.model.structs.get('per_cpu_pages')!;
    this.pageCells = cellsOf(this.pageStruct);

    // ---- static memory: globals, zones, then the per-CPU areas, pages, stacks ----
    let next = FIRST_ADDR;
    const alloc = (t: Type, name: string, prefix: string, cpu?: number): number => {
      const base = next;
      const cells = cellsOf(t);
      next += cells;
      this.regions.push({ base, cells, type: t, name, prefix, cpu });
      return base;
    };
    const globals = p.model.globals.map(g => alloc(g.type.resolved!, g.name, g.name));
    const zoneAddrs = p.scenario.zones.map(z => alloc(this.zoneStruct, z.name, 'zone'));
    // per-CPU area: every DEFINE_PER_CPU variable, then one per_cpu_pages per zone
    this.percpuBase = next;
    let off = 0;
    const percpuOffsets = p.model.percpu.map(v => { const o = off; off += cellsOf(v.type.resolved!); return o; });
    const pcpOffsets = zoneAddrs.map(() => { const o = off; off += cellsOf(this.pcpStruct); return o; });
    this.percpuStride = Math.max(1, off);
    for (let c = 0; c < this.ncpus; c++) {
      p.model.percpu.forEach((v, i) => this.regions.push({ base: this.percpuBase + c * this.percpuStride + percpuOffsets[i], cells: cellsOf(v.type.resolved!), type: v.type.resolved!, name: v.name, prefix: v.name, cpu: c }));
      zoneAddrs.forEach((_z, i) => this.regions.push({ base: this.percpuBase + c * this.percpuStride + pcpOffsets[i], cells: cellsOf(this.pcpStruct), type: this.pcpStruct, name: `${p.scenario.zones[i].name} pcp`, prefix: 'pcp', cpu: c }));
    }
    next = this.percpuBase + this.ncpus * this.percpuStride;
    const pageCells = cellsOf(this.pageStruct);
    const pageBases = p.scenario.zones.map(z => { const b = next; next += z.pages * pageCells; return b; });
    pageBases.forEach((b, i) => this.regions.push({ base: b, cells: p.scenario.zones[i].pages * pageCells, type: this.pageStruct, name: `${p.scenario.zones[i].name} pages`, prefix: 'page' }));
    this.stackStart = next;

    this.layout = { globals, percpuVars: percpuOffsets.map(o => this.percpuBase + o), zones: zoneAddrs };
    this.code = compileProgram(p, this.layout);

    // ---- contexts: one task per CPU, one per irq block ----
    const blocks = this.code.blocks;
    const irqBlocks = blocks.filter(b => b.block!.kind === 'irq');
    const nContexts = this.ncpus + irqBlocks.length;
    next = this.stackStart;
    const stack = () => { const b = next; next += STACK_CELLS; return b; };
    for (let c = 0; c < this.ncpus; c++) {
      const tasks = blocks.filter(b => b.block!.kind === 'task' && b.block!.cpu === c);
      const base = stack();
      const ctx = new Context(this.contexts.length, c, 'task', 'task', tasks, base, base + STACK_CELLS, 0, nContexts);
      if (tasks.length === 0) ctx.status = 'done';
      this.contexts.push(ctx);
      this.cpus.push({ id: c, irqsDisabled: false, stack: [ctx], task: ctx, irqs: [] });
    }
    for (const b of irqBlocks) {
      const cpu = this.cpus[b.block!.cpu];
      const n = cpu.irqs.length;
      const line = p.scenario.blocks[b.block!.index];
      const base = stack();
      const ctx = new Context(this.contexts.length, cpu.id, this.rt ? 'irqthread' : 'hardirq', this.rt ? `irq/${cpu.id}-${n}` : (n ? `hardirq.${n}` : 'hardirq'), [b], base, base + STACK_CELLS, line.times, nContexts);
      this.contexts.push(ctx);
      cpu.irqs.push(ctx);
    }
    // boot: zone_batchsize / zone_highsize run here before any CPU starts
    const bootBase = stack();
    this.bootCtx = new Context(nContexts, 0, 'task', 'boot', [], bootBase, bootBase + STACK_CELLS, 0, nContexts + 1);
    this.mem = new Float64Array(next);
    this.lockdep = new Lockdep(this);
    this.race = new RaceDetector(this, nContexts);
    this.accounting = new AccountingState();

    // zones, pages in the buddy, pcp lines, batch/high
    this.cur = this.contexts[0];
    for (let i = 0; i < zoneAddrs.length; i++) {
      this.zones.push({ index: i, name: p.scenario.zones[i].name, addr: zoneAddrs[i], pageBase: pageBases[i], pages: p.scenario.zones[i].pages, startPfn: 0, pcpOffset: pcpOffsets[i] });
    }
    p.model.globals.forEach((g, i) => initGlobal(this.mem, globals[i], g.type.resolved!, g.init, !!g.emptyList));
    for (let c = 0; c < this.ncpus; c++) {
      p.model.percpu.forEach((v, i) => initGlobal(this.mem, this.percpuBase + c * this.percpuStride + percpuOffsets[i], v.type.resolved!, v.init, false));
    }
    setupZones(this, options.maxSteps);

    // task contexts start at their first block
    for (const cpu of this.cpus) if (cpu.task.blocks.length) this.enterBlock(cpu.task, 0);
  }

  // ---- addresses ----
  /** this CPU's instance of a per-CPU pointer */
  thisCpu(ptr: number, cpu: number): number {
    return ptr + cpu * this.percpuStride;
  }

  pcpAddr(zoneIndex: number, cpu: number): number {
    return this.percpuBase + cpu * this.percpuStride + this.zones[zoneIndex].pcpOffset;
  }

  pageAddr(zone: ZoneInfo, pfn: number): number {
    return zone.pageBase + (pfn - zone.startPfn) * this.pageCells;
  }

  pageOf(addr: number): { zone: ZoneInfo; pfn: number } | undefined {
    const pc = this.pageCells;
    for (const z of this.zones) {
      if (addr >= z.pageBase && addr < z.pageBase + z.pages * pc) {
        if ((addr - z.pageBase) % pc !== 0) return undefined;
        return { zone: z, pfn: z.startPfn + (addr - z.pageBase) / pc };
      }
    }
    return undefined;
  }

  zoneOfAddr(addr: number): ZoneInfo | undefined {
    return this.zones.find(z => z.addr === addr);
  }

  /** A name for an address as a kernel developer writes it: "pcp->lock", "zone->lock".
   * The layout never changes after construction, so names are computed once per address
   * (the result is shared and frozen). */
  describeAddr(addr: number): { cls: string; instance: string; cpu?: number } {
    let d = this.describeCache.get(addr);
    if (!d) {
      d = Object.freeze(this.describeUncached(addr));
      this.describeCache.set(addr, d);
    }
    return d;
  }

  private describeUncached(addr: number): { cls: string; instance: string; cpu?: number } {
    for (const r of this.regions) {
      if (addr < r.base || addr >= r.base + r.cells) continue;
      let t: Type = r.type;
      let rel = addr - r.base;
      let path = '';
      let sep = r.prefix === r.name ? '.' : '->';
      if (r.type === this.pageStruct && r.prefix === 'page') {
        const pc = cellsOf(this.pageStruct);
        rel = rel % pc;
      }
      for (let guard = 0; guard < 8; guard++) {
        if (t.kind === 'array') {
          const ec = cellsOf(t.of);
          const idx = Math.floor(rel / ec);
          path += `[${idx}]`;
          rel -= idx * ec;
          t = t.of;
          continue;
        }
        if (!isStruct(t) || t.lock) break;
        const l = structLayout(t);
        let field = t.fields[0];
        for (const f of t.fields) if (l.offsets[f.slot] <= rel && (l.offsets[f.slot] + cellsOf(f.type) > rel)) { field = f; break; }
        if (!field) break;
        path += `${sep}${field.name}`;
        sep = '.';
        rel -= l.offsets[field.slot];
        t = field.type;
      }
      const cls = `${r.prefix}${path}`;
      const instance = r.prefix === 'zone' ? `${r.name} ${cls}` : r.cpu !== undefined ? `${cls} cpu ${r.cpu}` : cls;
      return { cls, instance, cpu: r.cpu };
    }
    return { cls: `0x${addr.toString(16)}`, instance: `0x${addr.toString(16)}` };
  }

  /** Memory was written outside a step (a restored snapshot, a debugger edit). */
  memChanged(): void {
    this.memEpoch++;
  }

  isShared(addr: number): boolean {
    return addr < this.stackStart;
  }

  // ---- contexts ----
  enterBlock(ctx: Context, idx: number): void {
    ctx.blockIdx = idx;
    const fn = ctx.blocks[idx];
    ctx.sp = ctx.stackBase;
    ctx.stack.length = 0;
    this.pushFrame(ctx, fn, []);
  }

  private pushFrame(ctx: Context, fn: CompiledProgram['fns'][number], args: number[]): boolean {
    const base = ctx.sp;
    if (ctx.frames.length >= MAX_FRAMES || base + fn.frameCells > ctx.stackEnd) return false;
    this.memEpoch++;
    this.mem.fill(0, base, base + fn.frameCells);
    for (let i = 0; i < fn.paramOffsets.length; i++) this.mem[base + fn.paramOffsets[i]] = wrap(args[i] ?? 0, fn.paramWidths[i]);
    ctx.sp = base + fn.frameCells;
    ctx.frames.push({ fn, pc: 0, base });
    return true;
  }

  /** The context a step of this CPU runs, or undefined when the CPU has nothing to run. */
  current(cpu: Cpu): Context | undefined {
    if (!this.rt) {
      const top = cpu.stack[cpu.stack.length - 1];
      return top && top.status === 'running' ? top : undefined;
    }
    // No context switch while the context that ran last has IRQs or preemption off:
    // a woken handler thread waits until the task it would preempt allows it.
    const last = cpu.lastRan;
    if (last && last.status === 'running' && (cpu.irqsDisabled || last.preemptCount > 0)) return last;
    // otherwise the threaded handlers (SCHED_FIFO) win over the task
    if (cpu.activeThread && cpu.activeThread.status === 'running') return cpu.activeThread;
    for (const t of cpu.irqs) if (t.status === 'running') return t;
    return cpu.task.status === 'running' ? cpu.task : undefined;
  }

  /** Interrupt arrival is possible: IRQs on, the handler idle with arrivals left. */
  canDeliver(cpuId: number, k = 0): boolean {
    const cpu = this.cpus[cpuId];
    const irq = cpu?.irqs[k];
    if (!irq || irq.status !== 'idle' || irq.arrivalsLeft <= 0) return false;
    if (cpu.irqsDisabled) return false;
    // nothing to interrupt when every context of the CPU has finished
    return this.contexts.some(c => c.status !== 'done' && c.status !== 'dead' && c.status !== 'idle');
  }

  deliver(cpuId: number, k = 0): void {
    const cpu = this.cpus[cpuId];
    const irq = cpu.irqs[k];
    const interrupted = this.current(cpu) ?? cpu.task;
    this.pushChoice(-(1 + cpuId * 65536 + k));
    irq.arrivalsLeft--;
    irq.status = 'running';
    irq.held.length = 0;
    this.enterBlock(irq, 0);
    this.cur = irq;
    if (!this.rt) {
      cpu.stack.push(irq);
      cpu.irqsDisabled = true;
      irq.preemptCount = 0;
    }
    // arrival orders what the interrupted context did before it (happens-before)
    this.race.join(irq, interrupted);
    this.event(irq, 'irq-entry', irq.name);
    this.lastFinding = undefined;
  }

  /** The block at the bottom of ctx returned. */
  private blockDone(ctx: Context): void {
    const cpu = this.cpus[ctx.cpu];
    if (ctx.kind === 'task') {
      if (ctx.blockIdx + 1 < ctx.blocks.length) { this.enterBlock(ctx, ctx.blockIdx + 1); return; }
      ctx.status = 'done';
      ctx.frames.length = 0;
      return;
    }
    ctx.frames.length = 0;
    ctx.status = ctx.arrivalsLeft > 0 ? 'idle' : 'done';
    this.event(ctx, 'irq-exit', ctx.name);
    if (!this.rt) {
      cpu.stack.pop();
      cpu.irqsDisabled = false;
      const under = cpu.stack[cpu.stack.length - 1];
      if (under) this.race.join(under, ctx);
    } else if (cpu.activeThread === ctx) cpu.activeThread = undefined;
    this.race.tick(ctx);
  }

  private checkContextEnd(ctx: Context): void {
    const cpu = this.cpus[ctx.cpu];
    const where = ctx.kind === 'task' ? 'returning to user space' : 'returning from interrupt';
    if (ctx.held.length) {
      const names = ctx.held.map(h => this.describeAddr(h.addr).instance).join(', ');
      this.report('context-leak', `BUG: lock held when ${where}!\n${ctx.label} on CPU#${ctx.cpu} is leaving ${ctx.held.length} lock(s) held: ${names}`, [], ':locks');
      // the locks stay held: other contexts that want them will wait forever
    }
    const irqsOff = ctx.kind === 'hardirq' ? false : cpu.irqsDisabled;
    if (ctx.preemptCount !== 0 || irqsOff) {
      this.report('context-leak', `BUG: scheduling while atomic: ${ctx.label}/${ctx.cpu}/0x${(ctx.preemptCount).toString(16).padStart(8, '0')}\n${where} with ${irqsOff ? 'interrupts disabled' : ''}${irqsOff && ctx.preemptCount ? ' and ' : ''}${ctx.preemptCount ? `preempt_count ${ctx.preemptCount}` : ''}`, [], ':atomic');
      if (ctx.kind === 'task') { ctx.preemptCount = 0; cpu.irqsDisabled = false; }
    }
    if (ctx.migrateDisable !== 0 && ctx.held.length === 0) ctx.migrateDisable = 0;
  }

  // ---- findings and events ----
  locOf(idx: number): Range { return this.code.locs[idx]; }

  stackOf(ctx: Context): ContextStack {
    const frames = [];
    for (let i = ctx.frames.length - 1; i >= 0; i--) {
      const f = ctx.frames[i];
      const ins = f.fn.code[Math.min(f.pc, f.fn.code.length - 1)];
      const r = this.code.locs[ins.loc] ?? f.fn.range;
      frames.push({ function: f.fn.name, file: r.file, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn });
    }
    return { cpu: ctx.cpu, context: ctx.label, frames };
  }

  /** the scheduler choices so far, one per step or arrival: c0, i0, i0.1 */
  get choices(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.nChoices; i++) out.push(choiceName(this.choiceAt(i)));
    return out;
  }

  private choiceAt(i: number): number {
    const k = Math.floor(i / CHOICE_CHUNK);
    return (k < this.choiceChunks.length ? this.choiceChunks[k] : this.choiceTail)[i % CHOICE_CHUNK];
  }

  private pushChoice(c: number): void {
    let i = this.nChoices - this.choiceChunks.length * CHOICE_CHUNK;
    if (i === CHOICE_CHUNK) {
      // the tail is full: freeze it (checkpoints may share it from now on), start a new one
      this.choiceChunks.push(this.choiceTail);
      this.choiceTail = new Int32Array(CHOICE_CHUNK);
      i = 0;
    }
    this.choiceTail[i] = c;
    this.nChoices++;
  }

  /** The choices so far as a schedule string: compressSchedule(choices), without the array. */
  schedule(): string {
    return scheduleString(this.nChoices, i => this.choiceAt(i));
  }

  /** Records a finding once per kind and location. `others`: further contexts involved. */
  report(kind: FindingKind, message: string, others: Context[] = [], keyExtra = ''): Finding | undefined {
    const ctx = this.cur;
    const r = this.code.locs[this.curLoc] ?? { file: '', line: 0, column: 0 };
    const key = `${kind}@${r.file}:${r.line}:${r.column}${keyExtra}`;
    if (this.seenFindings.has(key)) return undefined;
    this.seenFindings.add(key);
    const stacks = [this.stackOf(ctx)];
    for (const o of others) if (o !== ctx && !stacks.some(s => s.cpu === o.cpu && s.context === o.label)) stacks.push(this.stackOf(o));
    const f: Finding = {
      kind, message, step: this.step, cpu: ctx.cpu, context: ctx.label,
      location: { file: r.file, line: r.line, column: r.column }, stacks, schedule: this.schedule(),
    };
    this.findings.push(f);
    this.lastFinding = f;
    this.event(ctx, 'finding', kind);
    return f;
  }

  event(ctx: Context, kind: MachineEvent['kind'], name: string, fields?: MachineEvent['fields']): void {
    // a run that records nothing (check's schedules, benchmarks) keeps no event log either
    if (!this.recordSteps) return;
    this.events.push({ step: this.step, cpu: ctx.cpu, context: ctx.label, kind, name, fields, irqsOff: this.cpus[ctx.cpu]?.irqsDisabled, preempt: ctx.preemptCount });
    if (kind !== 'trace' && kind !== 'lock-released') this.stepEvent = this.stepEvent ? `${this.stepEvent},${kind}` : kind;
  }

  /**
   * A computed index outside its array: what CONFIG_UBSAN_BOUNDS prints, and, as with
   * CONFIG_UBSAN_TRAP, the context stops there instead of touching the memory beside it.
   */
  private outOfBounds(site: number, index: number): string {
    const b = this.code.bounds?.[site];
    if (!b) return `UBSAN: array-index-out-of-bounds: index ${index} is out of range`;
    const t = b.type.replace(/\[/, ' [');
    return `UBSAN: array-index-out-of-bounds in ${b.range.file}:${b.range.line}:${b.range.column}: index ${index} is out of range for type '${t}'`;
  }

  /** Kills a context after a fatal model error (NULL dereference, stack overflow). */
  private oops(ctx: Context, message: string): void {
    this.report('assertion', message);
    ctx.status = 'dead';
  }

  // ---- memory with the race detector's eyes ----
  load(addr: number, marked = false): number {
    if (addr < FIRST_ADDR || addr >= this.mem.length || !Number.isInteger(addr)) {
      throw new Oops(`BUG: kernel NULL pointer dereference, address: ${hex(addr)}`);
    }
    // shared memory only (most accesses are a frame's locals: one comparison for them)
    if (addr < this.stackStart) {
      if (this.detectorsOn && this.cur !== this.bootCtx) this.race.read(this.cur, addr, marked);
      if (this.footprint !== undefined && !(this.constantCells !== undefined && this.constantCells[addr])) this.footprint.reads.push(addr);
    }
    return this.mem[addr];
  }

  store(addr: number, v: number, marked = false): void {
    if (addr < FIRST_ADDR || addr >= this.mem.length || !Number.isInteger(addr)) {
      throw new Oops(`BUG: kernel NULL pointer dereference, address: ${hex(addr)}`);
    }
    this.memEpoch++;
    if (addr < this.stackStart) {
      if (this.detectorsOn && this.cur !== this.bootCtx) this.race.write(this.cur, addr, marked);
      if (this.footprint !== undefined) this.footprint.writes.push(addr);
      if (this.constantCells !== undefined && this.constantCells[addr] && this.cur !== this.bootCtx) this.constantWritten = true;
    }
    this.mem[addr] = v;
  }

  // ---- running ----
  /** Is stepping this CPU a possible choice now? */
  canStep(cpuId: number): boolean {
    const cpu = this.cpus[cpuId];
    return !!cpu && this.current(cpu) !== undefined;
  }

  /**
   * The CPU's next step would only spin again: its context waits on a spinlock (SMP, not
   * a PREEMPT_RT sleeping lock) that is still held. Such a step changes nothing but the
   * step count, so schedulers that pick for the user (round-robin, random) give the step
   * to a CPU that can move instead: 64 CPUs spinning on zone->lock would otherwise take
   * 64 steps for every step of the holder.
   */
  spinning(cpuId: number): boolean {
    const cpu = this.cpus[cpuId];
    const ctx = cpu && this.current(cpu);
    return !!ctx && ctx.waitingOn !== 0 && ctx.status === 'running' && !this.lockFree(ctx.waitingOn);
  }

  finished(): boolean {
    return this.contexts.every(c => c.status === 'done' || c.status === 'dead' || (c.status === 'idle'));
  }

  /** Runs one step of a CPU. Returns false when the CPU had nothing to run. */
  stepCpu(cpuId: number): boolean {
    const cpu = this.cpus[cpuId];
    const ctx = cpu && this.current(cpu);
    if (!ctx) return false;
    if (this.rt && ctx.kind === 'irqthread') cpu.activeThread = ctx;
    cpu.lastRan = ctx;
    this.cur = ctx;
    this.pushChoice(cpuId);
    this.step++;
    this.stepEvent = undefined;
    this.lastFinding = undefined;
    const top = ctx.frames[ctx.frames.length - 1];
    this.curLoc = top ? top.fn.code[top.pc].loc : 0;
    const startLoc = this.curLoc;
    try {
      this.exec(ctx);
    } catch (e) {
      if (!(e instanceof Oops)) throw e;
      this.oops(ctx, e.message);
    }
    if (this.recordSteps) this.steps.push({ step: this.step, cpu: cpuId, context: ctx.label, loc: startLoc, event: this.stepEvent });
    if (this.detectorsOn) {
      this.checkDeadlock();
      // accounting findings point at what the step ran (a model's return, say)
      if (this.quiescent()) { this.curLoc = startLoc; checkAccounting(this); }
    }
    return true;
  }

  /** No context is inside the model and no lock is held: the lists must add up. */
  quiescent(): boolean {
    for (const c of this.contexts) {
      if (c.held.length) return false;
      if ((c.status === 'running' || c.status === 'blocked') && c.frames.length > 1) return false;
    }
    return true;
  }

  private exec(ctx: Context): void {
    const st = ctx.stack;
    let executed = false;
    let primDone = false;
    for (;;) {
      const f = ctx.frames[ctx.frames.length - 1];
      const ins: Instr = f.fn.code[f.pc];
      switch (ins.op) {
        case Op.STEP:
          if (executed) return;
          this.curLoc = ins.loc;
          f.pc++;
          continue;
        case Op.PUSH: st.push(ins.a); break;
        case Op.POP: st.pop(); break;
        case Op.DUP: st.push(st[st.length - 1]); break;
        case Op.SWAP: { const a = st.pop()!; const b = st.pop()!; st.push(a, b); break; }
        case Op.ADDR_LOCAL: st.push(f.base + ins.a); break;
        case Op.ADDR_ABS: st.push(ins.a); break;
        case Op.THIS_CPU: st.push(this.thisCpu(st.pop()!, ctx.cpu)); break;
        case Op.PER_CPU: { const c = st.pop()!; st.push(this.thisCpu(st.pop()!, c)); break; }
        case Op.LOAD: st.push(this.load(st.pop()!)); break;
        case Op.STORE: {
          const v = wrap(st.pop()!, ins.a);
          this.store(st.pop()!, v);
          st.push(v);
          break;
        }
        case Op.INCDEC: {
          const a = st.pop()!;
          const old = this.load(a);
          const v = wrap(old + ins.b, ins.a);
          this.store(a, v);
          st.push(ins.c ? old : v);
          break;
        }
        case Op.OFFSET: st.push(st.pop()! + ins.a); break;
        case Op.INDEX: {
          const i = st.pop()!;
          if (ins.c && !(i >= 0 && i < ins.b)) throw new Oops(this.outOfBounds(ins.c - 1, i));
          st.push(st.pop()! + i * ins.a);
          break;
        }
        case Op.BIN: {
          const r = st.pop()!;
          const l = st.pop()!;
          st.push(binop(ins.a, l, r, ins.b, ins.c));
          break;
        }
        case Op.UN: {
          const v = st.pop()!;
          st.push(ins.a === UnOp.NEG ? wrap(-v, ins.b) : ins.a === UnOp.NOT ? (v ? 0 : 1) : bitnot(v, ins.b));
          break;
        }
        case Op.CONV: st.push(wrap(st.pop()!, ins.a)); break;
        case Op.JMP: f.pc = ins.a; executed = true; continue;
        case Op.JZ: f.pc = st.pop()! ? f.pc + 1 : ins.a; executed = true; continue;
        case Op.JNZ: f.pc = st.pop()! ? ins.a : f.pc + 1; executed = true; continue;
        case Op.ZONE_ITER: {
          const z = st.pop()!;
          const i = ins.a === 0 ? 0 : this.zones.findIndex(x => x.addr === z) + 1;
          st.push(i < this.zones.length && i >= 0 ? this.zones[i].addr : 0);
          break;
        }
        case Op.CALL: {
          const callee = this.code.fns[ins.a];
          const args = st.splice(st.length - ins.b, ins.b);
          this.curLoc = ins.loc;
          this.accounting.onCall(this, ctx, callee.name, args);
          f.pc++;
          if (!this.pushFrame(ctx, callee, args)) throw new Oops(`BUG: kernel stack overflow: ${callee.name} called ${ctx.frames.length} frames deep`);
          (ctx.frames[ctx.frames.length - 1] as Frame & { args?: number[] }).args = args;
          executed = true;
          continue;
        }
        case Op.RET: {
          const v = st.pop() ?? 0;
          // a block ending: judge what it leaves behind while its frame still shows where
          if (ctx.frames.length === 1 && ctx !== this.bootCtx) this.checkContextEnd(ctx);
          const done = ctx.frames.pop()!;
          ctx.sp = done.base;
          if (ctx.frames.length === 0) {
            if (ctx === this.bootCtx) { this.bootResult = v; return; }
            this.blockDone(ctx);
            return;
          }
          this.accounting.onReturn(this, ctx, done, v);
          // back in the caller's statement: findings from here on are the caller's
          const caller = ctx.frames[ctx.frames.length - 1];
          this.curLoc = caller.fn.code[Math.max(0, caller.pc - 1)].loc;
          st.push(v);
          executed = true;
          continue;
        }
        case Op.BUILTIN: {
          const b = ins.builtin!;
          const prim = isPrimitiveCached(ins);
          if (prim && primDone) return;
          this.curLoc = ins.loc;
          this.memEpoch++;
          if (this.footprint !== undefined) this.footprint.builtin(b.name);
          const r = runPrimitive(this, ctx, b.name, st, ins);
          if (r === BLOCKED) return;
          st.length -= ins.b;
          st.push(r);
          f.pc++;
          executed = true;
          if (prim) primDone = true;
          if (ctx.status !== 'running') return; // blocked on an RT lock, or ended
          continue;
        }
      }
      f.pc++;
      executed = true;
    }
  }

  /** Runs a model function to completion at boot (zone_batchsize, zone_highsize). */
  callSync(name: string, args: number[], maxSteps: number): number {
    const fn = this.code.byName.get(name)!;
    const ctx = this.bootCtx;
    ctx.frames.length = 0;
    ctx.stack.length = 0;
    ctx.sp = ctx.stackBase;
    ctx.status = 'running';
    this.bootResult = 0;
    this.cur = ctx;
    this.pushFrame(ctx, fn, args);
    try {
      for (let n = 0; ctx.frames.length && ctx.status === 'running'; n++) {
        if (n > maxSteps) throw new Oops(`${name}() did not return within ${maxSteps} steps at boot`);
        this.exec(ctx);
      }
    } catch (e) {
      if (!(e instanceof Oops)) throw e;
      this.oops(ctx, e.message);
    }
    return this.bootResult;
  }

  // ---- checkpoints: time travel and exploration restore a machine instead of re-running it ----
  /** Everything that the next steps read or write, copied. */
  checkpoint(live = false): Checkpoint {
    // live (the explorer's): shared memory and the live part of each context's stack only;
    // what lies above a stack pointer is dead (a new frame is zeroed before use)
    let segments: number[] | undefined;
    let mem: Float64Array;
    if (live) {
      segments = [];
      let n = this.stackStart;
      for (const c of this.contexts) if (c.sp > c.stackBase) { segments.push(c.stackBase, c.sp - c.stackBase); n += c.sp - c.stackBase; }
      mem = new Float64Array(n);
      mem.set(this.mem.subarray(0, this.stackStart));
      let at = this.stackStart;
      for (let i = 0; i < segments.length; i += 2) { mem.set(this.mem.subarray(segments[i], segments[i] + segments[i + 1]), at); at += segments[i + 1]; }
    } else mem = this.mem.slice();
    return {
      mem,
      segments,
      step: this.step,
      // the frozen chunks by reference (O(history / CHOICE_CHUNK) pointers), the tail copied:
      // copying every choice made each checkpoint of a long run O(history) in time and memory
      choiceChunks: this.choiceChunks.length ? this.choiceChunks.slice() : NO_CHUNKS,
      choiceTail: this.choiceTail.slice(0, this.nChoices - this.choiceChunks.length * CHOICE_CHUNK),
      nChoices: this.nChoices,
      findings: this.findings.length,
      events: this.events.length,
      steps: this.steps.length,
      seen: new Set(this.seenFindings),
      contexts: this.contexts.map(c => ({
        frames: c.frames.map(f => ({ ...f })), stack: c.stack.slice(), sp: c.sp, status: c.status, waitingOn: c.waitingOn,
        preemptCount: c.preemptCount, migrateDisable: c.migrateDisable, held: c.held.slice(), blockIdx: c.blockIdx,
        arrivalsLeft: c.arrivalsLeft, vc: c.vc.slice(), irqEntryPreempt: c.irqEntryPreempt,
      })),
      cpus: this.cpus.map(c => ({ irqsDisabled: c.irqsDisabled, stack: c.stack.slice(), activeThread: c.activeThread, lastRan: c.lastRan })),
      lockdep: this.lockdep.save(),
      race: this.race.save(),
      accounting: this.accounting.save(),
    };
  }

  /** Puts the machine back where the checkpoint was taken; what happened after is dropped. */
  restore(cp: Checkpoint): void {
    if (cp.segments) {
      this.mem.set(cp.mem.subarray(0, this.stackStart));
      let at = this.stackStart;
      for (let i = 0; i < cp.segments.length; i += 2) { this.mem.set(cp.mem.subarray(at, at + cp.segments[i + 1]), cp.segments[i]); at += cp.segments[i + 1]; }
    } else this.mem.set(cp.mem);
    this.memEpoch++;
    this.step = cp.step;
    // the current tail is never shared (checkpoints copy it), so it can be overwritten
    this.choiceChunks = cp.choiceChunks.length ? cp.choiceChunks.slice() : [];
    this.choiceTail.set(cp.choiceTail);
    this.nChoices = cp.nChoices;
    this.findings.length = cp.findings;
    this.events.length = cp.events;
    this.steps.length = cp.steps;
    this.seenFindings = new Set(cp.seen);
    cp.contexts.forEach((s, i) => {
      const c = this.contexts[i];
      c.frames = s.frames.map(f => ({ ...f }));
      c.stack = s.stack.slice();
      c.sp = s.sp; c.status = s.status; c.waitingOn = s.waitingOn; c.preemptCount = s.preemptCount;
      c.migrateDisable = s.migrateDisable; c.held = s.held.slice(); c.blockIdx = s.blockIdx;
      c.arrivalsLeft = s.arrivalsLeft; c.vc = s.vc.slice(); c.irqEntryPreempt = s.irqEntryPreempt;
    });
    cp.cpus.forEach((s, i) => {
      const c = this.cpus[i];
      c.irqsDisabled = s.irqsDisabled; c.stack = s.stack.slice(); c.activeThread = s.activeThread; c.lastRan = s.lastRan;
    });
    this.lockdep.load(cp.lockdep);
    this.race.load(cp.race);
    this.accounting.load(cp.accounting);
    this.lastFinding = undefined;
    this.stepEvent = undefined;
  }

  /** A hash of the machine's state (memory, contexts, CPUs), not of its history or detectors:
   *  two schedules that reach the same state hash alike. */
  stateHash(): number {
    let h = 0x811c9dc5;
    const mix = (v: number) => { h = Math.imul(h ^ (v | 0), 0x01000193); h = Math.imul(h ^ ((v / 4294967296) | 0), 0x01000193); };
    const m = this.mem;
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) { mix(i); mix(m[i]); }
    for (const c of this.contexts) {
      mix(STATUS_CODE[c.status]); mix(c.waitingOn); mix(c.preemptCount); mix(c.migrateDisable); mix(c.arrivalsLeft); mix(c.blockIdx);
      for (const f of c.frames) { mix(f.fn.index); mix(f.pc); mix(f.base); }
      for (const v of c.stack) mix(v);
      for (const hl of c.held) { mix(hl.addr); mix(hl.irqsave ? 1 : 0); mix(hl.preempt ? 1 : 0); }
    }
    for (const c of this.cpus) { mix(c.irqsDisabled ? 1 : 0); mix(c.stack.length); mix(c.lastRan?.id ?? -1); mix(c.activeThread?.id ?? -1); }
    return h >>> 0;
  }

  // ---- deadlock: a cycle of waits, or nobody can move while some wait ----
  private checkDeadlock(): void {
    // Runs after every step while someone spins or sleeps on a lock, so the usual case
    // (every chain of waits ends at a context that can run) allocates nothing.
    let anyWaiting = false;
    for (const c of this.contexts) if (c.waitingOn !== 0 && (c.status === 'running' || c.status === 'blocked')) { anyWaiting = true; break; }
    if (!anyWaiting) return;
    const n = this.contexts.length;
    for (const start of this.contexts) {
      if (start.waitingOn === 0 || (start.status !== 'running' && start.status !== 'blocked')) continue;
      // a chain without a repeat has at most n contexts: a longer walk has a cycle
      let c: Context | undefined = start;
      let len = 1;
      while (c && len <= n) { c = this.firstWaitsFor(c); if (c) len++; }
      if (!c) continue;
      // there is a cycle: walk again, remembering the chain, and report it
      const chain: Context[] = [start];
      const seen = new Set<Context>([start]);
      c = start;
      while (c) {
        const nxt: Context | undefined = this.firstWaitsFor(c);
        if (!nxt) break;
        if (nxt === start || seen.has(nxt)) {
          chain.push(nxt);
          this.reportDeadlock(chain);
          return;
        }
        seen.add(nxt);
        chain.push(nxt);
        c = nxt;
      }
    }
    // nobody can make progress while someone waits (a lock held by a finished context)
    // a woken or spinning waiter whose lock is free again moves on its next step
    for (const c of this.contexts) {
      if (c.status === 'running' && (c.waitingOn === 0 || this.lockFree(c.waitingOn)) && this.current(this.cpus[c.cpu]) === c) return;
    }
    this.reportDeadlock(this.contexts.filter(c => c.waitingOn !== 0 && (c.status === 'running' || c.status === 'blocked')));
  }

  /** The first context `c` waits for: a holder of its lock, else the context above it
   * on its CPU that waits itself (a context below another waits for it to return). */
  private firstWaitsFor(c: Context): Context | undefined {
    if (c.waitingOn) {
      for (const o of this.contexts) {
        if (o === c) continue;
        for (const h of o.held) if (h.addr === c.waitingOn && h.how !== 'up') return o;
      }
    }
    const cur = this.current(this.cpus[c.cpu]);
    if (cur && cur !== c && c.status === 'running' && cur.waitingOn) return cur;
    return undefined;
  }

  /** Every runnable context waits for a lock: nothing will ever change. (Runs after every
   * step, so it allocates nothing and stops at the first context that can move.) */
  stuck(): boolean {
    let live = false;
    for (const c of this.contexts) {
      if (c.status !== 'running' && c.status !== 'blocked') continue;
      live = true;
      if (!((c.waitingOn !== 0 && !this.lockFree(c.waitingOn)) || this.current(this.cpus[c.cpu]) !== c)) return false;
    }
    return live;
  }

  private lockFree(a: number): boolean {
    if (this.mem[a] !== 0) return false;
    for (const o of this.contexts) for (const h of o.held) if (h.addr === a && h.how !== 'up') return false;
    return true;
  }

  private reportDeadlock(chain: Context[]): void {
    const lines = chain.slice(0, -1).map((c, i) => {
      const next = chain[i + 1];
      if (c.waitingOn) {
        const lock = this.describeAddr(c.waitingOn).instance;
        const holder = this.contexts.find(o => o.held.some(h => h.addr === c.waitingOn));
        return `  ${c.label} on CPU#${c.cpu} waits for ${lock}${holder ? `, held by ${holder.label} on CPU#${holder.cpu}` : ''}`;
      }
      return `  ${c.label} on CPU#${c.cpu} cannot run until ${next.label} on CPU#${next.cpu} returns`;
    });
    const cur = this.cur;
    this.cur = chain[0];
    this.report('deadlock', `deadlock: no context can make progress\n${lines.join('\n') || chain.map(c => `  ${c.label} on CPU#${c.cpu} waits for ${c.waitingOn ? this.describeAddr(c.waitingOn).instance : 'nothing'}`).join('\n')}`, chain, `:${chain.map(c => c.id).join(',')}`);
    this.cur = cur;
  }
}

export class Oops extends Error {}

const STATUS_CODE: Record<Context['status'], number> = { idle: 0, running: 1, blocked: 2, done: 3, dead: 4 };

export interface Checkpoint {
  mem: Float64Array;
  /** a live checkpoint: (start, length) pairs of the stack segments stored after shared memory */
  segments?: number[];
  step: number;
  /** the machine's frozen choice chunks when taken (shared, never written) */
  choiceChunks: Int32Array[];
  /** the choices after the frozen chunks, copied */
  choiceTail: Int32Array;
  nChoices: number;
  findings: number;
  events: number;
  steps: number;
  seen: Set<string>;
  contexts: {
    frames: Frame[]; stack: number[]; sp: number; status: Context['status']; waitingOn: number; preemptCount: number;
    migrateDisable: number; held: Context['held']; blockIdx: number; arrivalsLeft: number; vc: number[]; irqEntryPreempt: number;
  }[];
  cpus: { irqsDisabled: boolean; stack: Context[]; activeThread?: Context; lastRan?: Context }[];
  lockdep: unknown;
  race: unknown;
  accounting: unknown;
}

/** choices per chunk of the machine's choice log (16 KB) */
const CHOICE_CHUNK = 4096;
/** the chunks of a checkpoint taken before the first chunk filled (the explorer's usual case) */
const NO_CHUNKS: Int32Array[] = Object.freeze([]) as unknown as Int32Array[];

/** n choice codes (cpu >= 0, interrupt -(1 + cpu * 65536 + k)) as a schedule string, runs
 * of one choice folded as `c0*12`. */
export function scheduleString(n: number, at: (i: number) => number): string {
  const out: string[] = [];
  let i = 0;
  while (i < n) {
    const c = at(i);
    let j = i + 1;
    while (j < n && at(j) === c) j++;
    out.push(j - i > 1 ? `${choiceName(c)}*${j - i}` : choiceName(c));
    i = j;
  }
  return out.join(',');
}

function choiceName(c: number): string {
  if (c >= 0) return `c${c}`;
  const v = -c - 1;
  const cpu = Math.floor(v / 65536);
  const k = v % 65536;
  return k ? `i${cpu}.${k}` : `i${cpu}`;
}

function hex(n: number): string {
  return '0x' + Math.max(0, Math.trunc(n)).toString(16).padStart(16, '0');
}

const primCache = new WeakMap<Instr, boolean>();
function isPrimitiveCached(ins: Instr): boolean {
  let v = primCache.get(ins);
  if (v === undefined) { v = isPrimitive(ins.builtin!); primCache.set(ins, v); }
  return v;
}

function bitnot(v: number, w: W): number {
  if (w === W.S64 || w === W.U64) return wrap(Number(~BigInt(Math.trunc(v))), w);
  return wrap(~v, w);
}

export class DivideError extends Oops {}

function binop(op: BinOp, l: number, r: number, w: W, unsigned: number): number {
  switch (op) {
    case BinOp.ADD: return wrap(l + r, w);
    case BinOp.SUB: return wrap(l - r, w);
    case BinOp.MUL: {
      const p = l * r;
      return Number.isSafeInteger(p) ? wrap(p, w) : wrap(Number(BigInt.asIntN(64, BigInt(Math.trunc(l)) * BigInt(Math.trunc(r)))), w);
    }
    case BinOp.DIV:
      if (r === 0) throw new DivideError('divide error: 0000 [#1] (division by zero)');
      return wrap(Math.trunc(l / r), w);
    case BinOp.MOD:
      if (r === 0) throw new DivideError('divide error: 0000 [#1] (modulo by zero)');
      return wrap(l % r, w);
    case BinOp.SHL: return w === W.S64 || w === W.U64 || w === W.NONE ? wrap(l * 2 ** (r & 63), w) : wrap(l << (r & 31), w);
    case BinOp.SHR:
      if (w === W.S64 || w === W.U64 || w === W.NONE) return wrap(Math.floor(l / 2 ** (r & 63)), w);
      return unsigned ? wrap(l >>> (r & 31), w) : wrap(l >> (r & 31), w);
    case BinOp.AND: return Number.isSafeInteger(l) && Number.isSafeInteger(r) && Math.abs(l) < 2 ** 31 && Math.abs(r) < 2 ** 31 ? wrap(l & r, w) : wrap(Number(BigInt(Math.trunc(l)) & BigInt(Math.trunc(r))), w);
    case BinOp.OR: return Math.abs(l) < 2 ** 31 && Math.abs(r) < 2 ** 31 ? wrap(l | r, w) : wrap(Number(BigInt(Math.trunc(l)) | BigInt(Math.trunc(r))), w);
    case BinOp.XOR: return Math.abs(l) < 2 ** 31 && Math.abs(r) < 2 ** 31 ? wrap(l ^ r, w) : wrap(Number(BigInt(Math.trunc(l)) ^ BigInt(Math.trunc(r))), w);
    case BinOp.EQ: return l === r ? 1 : 0;
    case BinOp.NE: return l !== r ? 1 : 0;
    case BinOp.LT: return cmp(l, r, unsigned) < 0 ? 1 : 0;
    case BinOp.GT: return cmp(l, r, unsigned) > 0 ? 1 : 0;
    case BinOp.LE: return cmp(l, r, unsigned) <= 0 ? 1 : 0;
    case BinOp.GE: return cmp(l, r, unsigned) >= 0 ? 1 : 0;
  }
}

function cmp(l: number, r: number, unsigned: number): number {
  if (unsigned) {
    // negative values reinterpreted as large unsigned ones
    const a = l < 0 ? l + 2 ** 64 : l;
    const b = r < 0 ? r + 2 ** 64 : r;
    return a - b;
  }
  return l - r;
}

export function compressSchedule(choices: string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < choices.length) {
    let j = i;
    while (j < choices.length && choices[j] === choices[i]) j++;
    const n = j - i;
    out.push(n > 1 ? `${choices[i]}*${n}` : choices[i]);
    i = j;
  }
  return out.join(',');
}

