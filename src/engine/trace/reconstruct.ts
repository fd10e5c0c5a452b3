// Rebuilds, event by event, what the kernel's per-CPU page lists held: per CPU and zone the
// pcp count and the pages known to be on its lists; lock contention intervals per lock
// address; interrupt nesting per CPU; and, at each `SNAPSHOT <label>` marker, how the rebuilt
// counts compare with the /proc/zoneinfo taken there.
//
// Why each event moves a count (Linux 6.1, see rules.ts):
// - mm_page_alloc_zone_locked with percpu_refill=1: rmqueue_bulk() moved the page from the
//   buddy to this CPU's pcp list (count += 1 << order). With percpu_refill=0 the page went
//   straight to the caller (orders the pcp does not hold): no pcp change.
// - mm_page_alloc of a pcp-able order: rmqueue_pcplist() took the page off this CPU's list
//   (count -= 1 << order). If the page is not on the rebuilt list and the list has no
//   unidentified pages left, the page came from the buddy (the pcp trylock failed) or the
//   starting count was off: the count stays, and the report says so (note 'alloc-not-on-list').
// - mm_page_free of a pcp-able order: free_unref_page() put the page on this CPU's list
//   (count += 1 << order), unless the importer marked it as the first pass of
//   free_unref_page_list(): that function logs mm_page_free for every page first and
//   mm_page_free_batched when it really adds the page, so only the second counts.
// - mm_page_free_batched: free_unref_page_list()'s second pass added the order-0 page.
// - mm_page_pcpu_drain: free_pcppages_bulk() gave the page back to the buddy (count -=
//   1 << order). The event is logged on the CPU doing the work, which for a remote drain
//   (CPU hot-unplug, __drain_all_pages) is not the list's owner: the owner is taken from the
//   drain kprobes when the capture has them (drain_pages_zone cpu=, free_pcppages_bulk pcp=),
//   else from the rebuilt list that holds the page, else the executing CPU.
// - free_pcppages_bulk kprobe: its pcp_count is the kernel's own count at entry; the rebuilt
//   count is checked against it and, when they differ, set to it (note 'resync').
// - set_high_batch kprobe: new high and batch for every CPU of the zone.
import type { ImportedTrace } from './import';
import type { ZoneInfo, ZoneInfoZone } from './zoneinfo';
import { EV, PCP_KPROBES, SOFTIRQ_NAMES } from './eventKinds';
import { FLAG_BATCH_FIRST_PASS, FLAG_IRQS_OFF } from './store';
import { keyValues } from './fields';
import { zoneSpans, zoneOfPfn, zoneInfoOf, ZoneSpan } from './zones';
import { pcpAllowedOrder, orderToPindex, MIGRATETYPE_NAMES } from './rules';
import { LockNames, lockTaker } from './locks';
import { PageSet } from './pageSet';
import { PfnIndex } from './pfnIndex';
import { Progress, ProgressFn } from './progress';

export interface SnapshotInput { label: string; info: ZoneInfo }

export interface ReconstructOptions {
  /** the first is the starting state, the others are compared with the reconstruction */
  zoneinfo?: SnapshotInput[];
  locks?: LockNames;
  /** take free_pcppages_bulk's pcp_count as the truth when it differs (default true) */
  resync?: boolean;
  /** called with the events applied so far by run(), at most every 100 ms */
  progress?: ProgressFn;
}

/** Why the events could not decide a count, with how many pages it concerns. */
export interface UndecidedNote { reason: string; why: string; events: number; pages: number; firstLine: number }

export interface PcpCompare {
  cpu: number; zone: string;
  /** rebuilt count when the snapshot's end marker was written */
  reconstructed: number;
  actual: number;
  /** the rebuilt count's range between the begin and end markers, when zoneinfo was read */
  windowMin: number; windowMax: number;
  /** actual within [windowMin, windowMax] */
  match: boolean;
  /** distance from the window (0 when it matches) */
  off: number;
  /** for a mismatch: what the events could not tell, with this list's evidence */
  why?: string;
}
export interface SnapshotResult {
  label: string; beginEvent: number; endEvent: number;
  /** the first zoneinfo: the reconstruction starts from it instead of being compared */
  start: boolean;
  pcp: PcpCompare[];
  matched: number; exact: number; total: number;
  /** why this snapshot was not compared (it was taken before the starting state: the rebuilt
   * counts begin there); its pcp list is then empty */
  notCompared?: string;
}
export interface ResyncCheck { event: number; line: number; cpu: number; zone: string; reconstructed: number; actual: number }
export interface LockInterval { cpu: number; pid: number; addr: string; name: string; taker?: string; flags: number; from: number; to: number }
export interface IrqInterval { cpu: number; kind: 'irq' | 'softirq'; name: string; depth: number; from: number; to: number }

const NO_PCP = -1;
/** what run()'s checkpoints may take in all, and how few are always kept */
export const CHECKPOINT_BUDGET = 128 << 20;
const MIN_CHECKPOINTS = 16;
/** pfnInfo: 1 + pcp in the low bits (pcps are Int16 keys: at most 32767), 1 + migratetype above */
const PFN_LIST_MASK = 0xffff;
const PFN_MT_SHIFT = 16;
/** 2 ** k for a packed value's order byte */
const POW2 = Float64Array.from({ length: 256 }, (_, k) => 2 ** k);
/** pages in a block of this order (an event's order column: -1 when the line had none) */
function pagesOf(order: number): number { return order >= 0 && order < 256 ? POW2[order] : 2 ** order; }
/** set in every packed page value, so an order-0 page of unknown migratetype is not 0 */
const PAGE_BIT = 0x4000;

export interface PcpSet { key: number; count?: number; high?: number; batch?: number; clear?: boolean; start?: boolean; removePfn?: number }

/** A pfn as a map key: the column holds doubles, and a double passed to Map.get/set/has is
 * boxed on the heap on every call (garbage per page event); a small integer is not. */
function pfnKey(pfn: number): number { return pfn >= 0 && pfn < 0x40000000 ? pfn | 0 : pfn; }

class PcpList {
  count = 0;
  known = 0;            // pages (in base pages) of `pages`
  high = 0;
  batch = 0;
  /** pfn -> PAGE_BIT | order | (migratetype + 1) << 8 */
  pages = new PageSet();
  clone(): PcpList {
    const c = new PcpList();
    c.count = this.count; c.known = this.known; c.high = this.high; c.batch = this.batch;
    c.pages = this.pages.clone();
    return c;
  }
}

interface OpenIrq { kind: 'irq' | 'softirq'; n: number; from: number }
interface OpenContention { cpu: number; pid: number; addr: number; flags: number; from: number }

/** Everything that changes as events are applied (what a checkpoint copies). */
export class RebuildState {
  constructor(
    public pcps: PcpList[],
    public irq: OpenIrq[][],
    public waiting: Map<number, OpenContention[]>,
    public drainOwner: Int16Array,
    public drainTarget: Int16Array,
    public started: boolean,
    public next: number,
  ) {}
  /** Bytes a copy of it takes, about (its page sets; the rest is small). */
  bytes(): number {
    let n = 256 + this.drainOwner.length * 4;
    for (const p of this.pcps) n += 64 + p.pages.bytes();
    return n;
  }
  clone(): RebuildState {
    return new RebuildState(this.pcps.map(p => p.clone()), this.irq.map(s => s.slice()), new Map([...this.waiting].map(([k, v]) => [k, v.slice()])),
      this.drainOwner.slice(), this.drainTarget.slice(), this.started, this.next);
  }
}

export interface PcpListView { pindex: number; order: number; migratetype: string; pfns: number[] }
export interface PcpView { cpu: number; zone: string; count: number; high: number; batch: number; knownPages: number; unidentified: number; lists: PcpListView[] }

export class Reconstruction {
  readonly zones: ZoneSpan[];
  readonly ncpus: number;
  readonly notes = new Map<string, UndecidedNote>();
  readonly snapshots: SnapshotResult[] = [];
  readonly checks: ResyncCheck[] = [];
  readonly lockIntervals: LockInterval[] = [];
  readonly irqIntervals: IrqInterval[] = [];
  /** per event: the pcp (cpu * zones + zone) whose count it moved, or -1; and the count after */
  readonly pcpOf: Int16Array;
  readonly countAfter: Int32Array;
  /** per event: the page it put on (PAGE_BIT | order | (migratetype + 1) << 8), -1 took off, 0 neither */
  readonly effect: Int16Array;
  /** pcp fields set outright before event i (start state, resync, high/batch changes) */
  readonly sets = new Map<number, PcpSet[]>();
  readonly state: RebuildState;
  /** the starting zoneinfo's label and the event before which it was applied */
  readonly startLabel?: string;
  startEvent = 0;
  private readonly markers = new Map<string, { begin: number; end: number }>();
  private readonly infoByLabel = new Map<string, ZoneInfo>();
  private readonly zonePtr = new Map<string, number>();
  private readonly pendingHighBatch = new Map<string, { high: number; batch: number }>();
  private readonly pcpPtrCpu = new Map<string, number>();
  private readonly pendingCheck: ({ i: number; owner: number; count: number; high: number; batch: number; zonePtr: string } | null)[];
  private readonly windows = new Map<string, { begin: number; min: Float64Array; max: Float64Array }>();
  /** First pass, per pfn, in one value so a page event looks its page up once (the table is
   * megabytes: each lookup is a cache miss): the low bits, 1 + the pcp whose rebuilt list holds
   * it (0 = none), so a free or a drain finds the list without asking every CPU's map; above
   * PFN_MT_SHIFT, 1 + the migratetype its last allocation or refill logged (frees do not log
   * it). restore() and replay() never need it. */
  private readonly pfnInfo = new PfnIndex();
  /** first pass: each CPU's previous event (where a refill batch begins) */
  private readonly lastOnCpu: Int32Array;
  /** the kprobe events' name ids (0 when the capture has none): free_pcppages_bulk,
   * drain_pages_zone, set_high_batch, drain_all_pages */
  private readonly kFpb: number;
  private readonly kDpz: number;
  private readonly kShb: number;
  private readonly kDap: number;
  /** zone spans as numbers, and whether they are disjoint (then the last zone found is tried
   * first: consecutive page events are nearly always in one zone) */
  private readonly zoneStart: Float64Array;
  private readonly zoneEnd: Float64Array;
  private readonly zonesDisjoint: boolean;
  private lastZone = 0;
  /** per pcp, in pages, for explaining a snapshot mismatch: found to have left the rebuilt list
   * without an event (silent-alloc, refill-list-not-empty); removals not followed because the
   * page was not on the list (alloc/drain-not-on-list: the count kept them); removals taken
   * from the unidentified pages for a page not on the list (right only if it was on it) */
  private readonly unlogged: { left: Float64Array; kept: Float64Array; guessed: Float64Array };
  readonly resync: boolean;

  constructor(readonly trace: ImportedTrace, readonly options: ReconstructOptions = {}) {
    const st = trace.store;
    const infos = options.zoneinfo ?? [];
    for (const s of infos) this.infoByLabel.set(s.label, s.info);
    this.zones = zoneSpans(infos[0]?.info);
    this.ncpus = Math.max(1, ...trace.cpus.map(c => c + 1), ...infos.flatMap(s => s.info.zones.flatMap(z => z.pcp.map(p => p.cpu + 1))));
    this.resync = options.resync ?? true;
    const pcps: PcpList[] = [];
    for (let c = 0; c < this.ncpus; c++) for (let z = 0; z < this.zones.length; z++) pcps.push(new PcpList());
    this.state = new RebuildState(pcps, Array.from({ length: this.ncpus }, () => []), new Map(),
      new Int16Array(this.ncpus).fill(-1), new Int16Array(this.ncpus).fill(-1), false, 0);
    this.pendingCheck = new Array(this.ncpus).fill(null);
    this.unlogged = { left: new Float64Array(pcps.length), kept: new Float64Array(pcps.length), guessed: new Float64Array(pcps.length) };
    this.lastOnCpu = new Int32Array(this.ncpus).fill(-1);
    this.pcpOf = new Int16Array(st.length).fill(NO_PCP);
    this.countAfter = new Int32Array(st.length);
    this.effect = new Int16Array(st.length);
    this.kFpb = st.strings.has(PCP_KPROBES.fpb); this.kDpz = st.strings.has(PCP_KPROBES.dpz);
    this.kShb = st.strings.has(PCP_KPROBES.shb); this.kDap = st.strings.has(PCP_KPROBES.dap);
    this.zoneStart = Float64Array.from(this.zones, z => z.start);
    this.zoneEnd = Float64Array.from(this.zones, z => z.end);
    this.zonesDisjoint = this.zones.every((a, j) => this.zones.every((b, k) => j === k || a.end <= b.start || b.end <= a.start));
    // the SNAPSHOT markers, found before the pass so the start state can be placed
    for (let i = 0; i < st.length; i++) {
      if (st.name[i] !== EV.tracing_mark_write) continue;
      const m = /^SNAPSHOT\s+(\S+)\s+(begin|end)\b/.exec(st.textOf(i));
      if (!m) continue;
      const w = this.markers.get(m[1]) ?? { begin: -1, end: -1 };
      if (m[2] === 'begin') w.begin = i; else w.end = i;
      this.markers.set(m[1], w);
    }
    if (infos.length) {
      this.startLabel = infos[0].label;
      const w = this.markers.get(infos[0].label);
      // zoneinfo is read between the markers; the state is set at the end marker (see
      // snapshot windows: the counts' movement inside the window is reported, not guessed)
      this.startEvent = w ? (w.end >= 0 ? w.end : w.begin) : 0;
      if (!w) this.note('start-marker-missing', `no 'SNAPSHOT ${infos[0].label} begin/end' marker in the trace: the starting zoneinfo is applied at the first event`, 0, 0);
      for (const s of infos.slice(1)) {
        if (!this.markers.has(s.label)) this.note(`marker-missing:${s.label}`, `no 'SNAPSHOT ${s.label}' marker in the trace: zoneinfo '${s.label}' is compared at the end of the trace`, 0, 0);
      }
    } else {
      this.note('no-start-state', 'no starting zoneinfo: counts start at 0 and only pages seen entering a list are counted', 0, 0);
    }
    this.noteLostEvents();
  }

  /** Events the ring buffer lost: their page events are missing, so the counts of the CPU
   * that lost them can be off from there on (each mismatch after says so, see mismatchWhy). */
  private noteLostEvents(): void {
    const t = this.trace;
    for (const l of t.lost) {
      // (events: those the tracer counted; a loss of unknown size adds none)
      this.note('lost-events', 'the ring buffer lost events (a full per-CPU buffer): the page events among them are not in the trace, so the rebuilt counts of the CPU that lost them can be off from there on', l.events ?? 0, 0);
      const n = this.notes.get('lost-events')!;
      if (!n.firstLine || l.line < n.firstLine) n.firstLine = l.line;
    }
    if (t.overwritten) {
      const late = this.cpusStartingLate();
      this.note('overwritten', `the ring buffer overwrote its ${t.overwritten} oldest events before it was read (the header's entries-written minus entries-in-buffer): ` +
        `each CPU's part of the trace begins at its oldest kept event` +
        (late.length ? `, and on CPU ${late.join(', ')} that is after the starting zoneinfo was taken: their counts miss what happened in between` : ''), t.overwritten, 0);
    }
  }

  /** With events overwritten: the CPUs whose first kept event comes after the starting state
   * (found once: each mismatch asks) */
  private lateCpus?: number[];
  private cpusStartingLate(): number[] {
    if (this.lateCpus) return this.lateCpus;
    if (!this.trace.overwritten || this.startLabel === undefined) return this.lateCpus = [];
    const st = this.trace.store, first = new Map<number, number>();
    for (let i = 0; i < st.length && first.size < this.trace.cpus.length; i++) if (!first.has(st.cpu[i])) first.set(st.cpu[i], i);
    return this.lateCpus = this.trace.cpus.filter(c => (first.get(c) ?? 0) > this.startEvent);
  }

  get pcpCount(): number { return this.state.pcps.length; }
  pcpIndex(cpu: number, zone: number): number { return cpu * this.zones.length + zone; }

  /**
   * Applies every event, and keeps a copy of the state before every `checkpointEvery`-th
   * event in `checkpoints`. When the copies take more than `budget` bytes, every other one is
   * let go and the spacing doubles (a trace of millions of events with thousands of pages on
   * its lists took a gigabyte of copies; a seek replays at most the spacing, a fraction of a
   * microsecond per event). checkpointSpacing is the spacing they have in the end.
   */
  run(checkpointEvery = 0, checkpoints?: RebuildState[], budget = CHECKPOINT_BUDGET): this {
    const n = this.trace.store.length;
    const progress = new Progress(this.options.progress, n);
    if (checkpointEvery && checkpoints) {
      let bytes = 0;
      const sizes: number[] = [];
      for (let i = 0; i < n; i++) {
        if ((i & 16383) === 0) progress.at(i);
        if (i % checkpointEvery === 0) {
          const cp = this.state.clone();
          checkpoints.push(cp);
          sizes.push(cp.bytes());
          bytes += sizes[sizes.length - 1];
          if (bytes > budget && checkpoints.length > MIN_CHECKPOINTS) {
            // keep those at multiples of the doubled spacing: positions 0, 2, 4, ...
            let kept = 0;
            bytes = 0;
            for (let k = 0; k < checkpoints.length; k += 2) { checkpoints[kept] = checkpoints[k]; sizes[kept] = sizes[k]; bytes += sizes[k]; kept++; }
            checkpoints.length = kept; sizes.length = kept;
            checkpointEvery *= 2;
          }
        }
        this.apply(i);
      }
    } else {
      for (let i = 0; i < n; i++) {
        if ((i & 16383) === 0) progress.at(i);
        this.apply(i);
      }
    }
    this.checkpointSpacing = checkpointEvery;
    this.finish();
    return this;
  }

  /** the spacing of run()'s checkpoints (0: none were kept) */
  checkpointSpacing = 0;

  /** Applies event i in the first pass, deciding and recording its effects. */
  apply(i: number): void {
    const st = this.trace.store, S = this.state;
    if (!S.started && this.startLabel !== undefined && i === this.startEvent) this.applyStart(i);
    S.next = i + 1;
    const name = st.name[i], cpu = st.cpu[i];
    const prevOnCpu = cpu < this.ncpus ? this.lastOnCpu[cpu] : -1;
    if (cpu < this.ncpus) this.lastOnCpu[cpu] = i;
    if (name !== EV.mm_page_pcpu_drain && name !== this.kFpb && name !== this.kDpz && cpu < this.ncpus) {
      S.drainOwner[cpu] = -1;
      if (name !== this.kDap) S.drainTarget[cpu] = -1;
    }
    switch (name) {
      case EV.mm_page_alloc_zone_locked:
        if (st.x[i] === 1) {
          if (!this.sameRefill(i, prevOnCpu)) this.refillStart(i, cpu);
          this.add(i, cpu, st.pfn[i], st.order[i], st.mt[i]);
        } else this.remember(st.pfn[i], st.mt[i]);
        break;
      case EV.mm_page_alloc:
        if (st.pfn[i] >= 0 && pcpAllowedOrder(st.order[i])) this.take(i, cpu, st.pfn[i], st.order[i]);
        this.remember(st.pfn[i], st.mt[i]);
        break;
      case EV.mm_page_free:
        if (st.flags[i] & FLAG_BATCH_FIRST_PASS) break;
        if (pcpAllowedOrder(st.order[i])) this.add(i, cpu, st.pfn[i], st.order[i], -1);
        break;
      case EV.mm_page_free_batched:
        this.add(i, cpu, st.pfn[i], 0, -1);
        break;
      case EV.mm_page_pcpu_drain:
        this.drain(i, cpu);
        break;
      case EV.contention_begin: case EV.contention_end: case EV.irq_handler_entry: case EV.softirq_entry:
      case EV.irq_handler_exit: case EV.softirq_exit:
        this.nest(i, true);
        break;
      case EV.tracing_mark_write:
        this.marker(i);
        break;
      default:
        if (name === this.kFpb) this.freePcppagesBulk(i, cpu);
        else if (name === this.kDpz) {
          const cpuField = keyValues(st.textOf(i)).cpu;
          if (typeof cpuField === 'number' && cpuField < this.ncpus) S.drainTarget[cpu] = cpuField;
        } else if (name === this.kShb) this.setHighBatch(i);
    }
  }

  /** Event i continues the refill batch of prev, its CPU's previous event: rmqueue_bulk() logs
   * one percpu_refill event per page with IRQs off under zone->lock, so nothing else of this
   * CPU comes between the pages of one batch. */
  private sameRefill(i: number, prev: number): boolean {
    const st = this.trace.store;
    return prev >= 0 && st.name[prev] === EV.mm_page_alloc_zone_locked && st.x[prev] === 1 &&
      st.order[prev] === st.order[i] && st.mt[prev] === st.mt[i];
  }

  /**
   * A refill batch begins: __rmqueue_pcplist() calls rmqueue_bulk() only when the list of
   * this order and migratetype is empty. Pages the rebuilt list still holds there left it
   * without an event (__alloc_pages_bulk() takes pages off the pcp lists and logs no
   * mm_page_alloc): they are taken off now, so the count does not keep them.
   */
  private refillStart(i: number, cpu: number): void {
    const st = this.trace.store;
    // percpu_refill=1 only says the order could be kept on a pcp list (__rmqueue_smallest
    // logs it): a lone event followed by the allocation of its page is as likely the buddy
    // serving the allocation directly (pcp trylock failed; movable without ALLOC_CMA). Only
    // a run of two or more is surely rmqueue_bulk().
    const next = this.nextOnCpu(i, cpu);
    if (next < 0 || st.name[next] !== EV.mm_page_alloc_zone_locked || st.x[next] !== 1 ||
      st.order[next] !== st.order[i] || st.mt[next] !== st.mt[i]) return;
    const pfn = st.pfn[i];
    const z = zoneOfPfn(this.zones, pfn);
    if (z < 0 || cpu >= this.ncpus || !this.state.started) return;
    const pindex = orderToPindex(st.order[i], st.mt[i]);
    if (pindex < 0) return;
    const key = this.pcpIndex(cpu, z);
    const p = this.state.pcps[key];
    const stale: number[] = [];
    p.pages.forEach((q, v) => { if (orderToPindex(v & 0xff, ((v >> 8) & 0x3f) - 1) === pindex) stale.push(q); });
    if (!stale.length) return;
    let pages = 0;
    for (const q of stale) {
      const had = this.dropPage(key, q)!;
      pages += 2 ** (had & 0xff);
      p.count -= 2 ** (had & 0xff);
      const set: PcpSet = { key, count: p.count, removePfn: q };
      const l = this.sets.get(i);
      if (l) l.push(set); else this.sets.set(i, [set]);
    }
    this.touched(key);
    this.unlogged.left[key] += pages;
    this.note('refill-list-not-empty', 'a refill (rmqueue_bulk, which runs only when the list of that order and migratetype is empty) found pages on the rebuilt list: they had left it without an event (__alloc_pages_bulk() logs no mm_page_alloc) and were taken off', stale.length, pages, i);
  }

  /** The next event of CPU cpu after i (within a short look-ahead), or -1. */
  private nextOnCpu(i: number, cpu: number): number {
    const st = this.trace.store;
    const end = Math.min(st.length, i + 256);
    for (let j = i + 1; j < end; j++) if (st.cpu[j] === cpu) return j;
    return -1;
  }

  /** Interrupt nesting and lock waits: the same in the first pass and in a replay. */
  private nest(i: number, record: boolean): void {
    const st = this.trace.store, S = this.state;
    const name = st.name[i], cpu = st.cpu[i];
    if (cpu >= this.ncpus) return;
    switch (name) {
      case EV.contention_begin: {
        // per task a stack: an interrupt on a spinning task contends under the same pid
        const pid = st.pid[i] || -1 - cpu;
        const l = S.waiting.get(pid);
        const w = { cpu, pid, addr: st.addr[i], flags: st.x[i], from: i };
        if (l) l.push(w); else S.waiting.set(pid, [w]);
        break;
      }
      case EV.contention_end: {
        const pid = st.pid[i] || -1 - cpu;
        const l = S.waiting.get(pid);
        let k = l ? l.length - 1 : -1;
        while (k >= 0 && l![k].addr !== st.addr[i]) k--;
        if (k >= 0) {
          const w = l![k];
          l!.splice(k, 1);
          if (!l!.length) S.waiting.delete(pid);
          if (record) this.lockInterval(w, i);
        }
        break;
      }
      case EV.irq_handler_entry: S.irq[cpu].push({ kind: 'irq', n: st.x[i], from: i }); break;
      case EV.softirq_entry: S.irq[cpu].push({ kind: 'softirq', n: st.x[i], from: i }); break;
      case EV.irq_handler_exit:
      case EV.softirq_exit: {
        const kind = name === EV.irq_handler_exit ? 'irq' : 'softirq';
        const stack = S.irq[cpu];
        let k = stack.length - 1;
        while (k >= 0 && !(stack[k].kind === kind && stack[k].n === st.x[i])) k--;
        // an exit whose entry is before the trace started: the handler ran from the start
        const from = k >= 0 ? stack[k].from : 0;
        if (k >= 0) stack.length = k;
        if (record) this.irqIntervals.push({ cpu, kind, name: this.irqName(kind, st.x[i], from), depth: Math.max(0, k), from, to: i });
        break;
      }
    }
  }

  /** Re-applies event i from its recorded effects (after restore(), for seeking). */
  replay(i: number): void {
    const st = this.trace.store, S = this.state;
    S.next = i + 1;
    const sets = this.sets.get(i);
    if (sets) {
      for (const x of sets) {
        const p = S.pcps[x.key];
        if (x.clear) { p.pages.clear(); p.known = 0; }
        if (x.removePfn !== undefined) {
          const had = p.pages.get(x.removePfn);
          if (had !== undefined) { p.pages.delete(x.removePfn); p.known -= 2 ** (had & 0xff); }
        }
        if (x.count !== undefined) p.count = x.count;
        if (x.high !== undefined) p.high = x.high;
        if (x.batch !== undefined) p.batch = x.batch;
        if (x.start) S.started = true;
      }
    }
    const key = this.pcpOf[i];
    if (key >= 0) {
      const p = S.pcps[key], e = this.effect[i], pfn = pfnKey(st.pfn[i]);
      if (e > 0) {
        const had = p.pages.put(pfn, e);
        if (had >= 0) p.known -= POW2[had & 0xff];
        p.known += POW2[e & 0xff];
      } else if (e < 0) {
        const had = p.pages.remove(pfn);
        if (had >= 0) p.known -= POW2[had & 0xff];
      }
      p.count = this.countAfter[i];
    }
    this.nest(i, false);
  }

  /** softirq names by vector, made once (an interval is recorded for every softirq exit) */
  private readonly softirqNames: string[] = [];

  private irqName(kind: 'irq' | 'softirq', n: number, from: number): string {
    if (kind === 'softirq') return this.softirqNames[n] ??= `softirq ${SOFTIRQ_NAMES[n] ?? n}`;
    const st = this.trace.store;
    const nm = st.name[from] === EV.irq_handler_entry ? st.textOf(from) : '';
    return `irq ${n}${nm ? ` ${nm}` : ''}`;
  }

  private remember(pfn: number, mt: number): void {
    if (pfn >= 0 && mt >= 0) this.pfnInfo.set(pfn, (this.pfnInfo.get(pfn) & PFN_LIST_MASK) | ((mt + 1) << PFN_MT_SHIFT));
  }
  private mtOf(pfn: number): number { return (this.pfnInfo.get(pfn) >>> PFN_MT_SHIFT) - 1; }

  /** The pcp (key) whose rebuilt list of zone z holds pfn, or -1. */
  private listHolding(pfn: number, z: number): number {
    const k = (this.pfnInfo.get(pfn) & PFN_LIST_MASK) - 1;
    return k >= 0 && k % this.zones.length === z ? k : -1;
  }

  /** Puts pfn on pcp `key`'s rebuilt list (first pass): the map and the index together. */
  private putPage(key: number, pfn: number, packed: number): void {
    const p = this.state.pcps[key];
    const had = p.pages.put(pfn, packed);
    if (had >= 0) p.known -= POW2[had & 0xff];
    p.known += POW2[packed & 0xff];
    this.pfnInfo.set(pfn, (this.pfnInfo.get(pfn) & ~PFN_LIST_MASK) | (key + 1));
  }

  /** Takes pfn off pcp `key`'s rebuilt list (first pass); its packed value, or undefined. */
  private dropPage(key: number, pfn: number): number | undefined {
    const p = this.state.pcps[key];
    const had = p.pages.remove(pfn);
    if (had < 0) return undefined;
    p.known -= POW2[had & 0xff];
    const info = this.pfnInfo.get(pfn);
    if ((info & PFN_LIST_MASK) === key + 1) this.pfnInfo.set(pfn, info & ~PFN_LIST_MASK);
    return had;
  }

  private zoneOf(i: number, pfn: number): number {
    const last = this.lastZone;
    if (this.zonesDisjoint && pfn >= this.zoneStart[last] && pfn < this.zoneEnd[last]) return last;
    const z = zoneOfPfn(this.zones, pfn);
    if (z < 0) this.note('pfn-outside-zones', 'pfn outside every zone of the zoneinfo: event ignored', 1, 0, i);
    else this.lastZone = z;
    return z;
  }

  private moved(i: number, key: number): void {
    this.pcpOf[i] = key;
    this.countAfter[i] = this.state.pcps[key].count;
    this.touched(key);
  }

  private touched(key: number): void {
    if (!this.windows.size) return;   // no snapshot window open: nothing to track (no iterator)
    const count = this.state.pcps[key].count;
    for (const w of this.windows.values()) {
      if (count < w.min[key]) w.min[key] = count;
      if (count > w.max[key]) w.max[key] = count;
    }
  }

  /** A page goes on a pcp list (free, batched free, refill). */
  private add(i: number, cpu: number, pfn: number, order: number, mt: number): void {
    pfn = pfnKey(pfn);
    const z = this.zoneOf(i, pfn);
    if (z < 0 || cpu >= this.ncpus) return;
    // the page's pfnInfo, read once: its migratetype when the event does not log one, and
    // the list that holds it (written once below, by putPage)
    const info = this.pfnInfo.get(pfn);
    if (mt < 0) mt = (info >>> PFN_MT_SHIFT) - 1;
    const key = this.pcpIndex(cpu, z);
    const p = this.state.pcps[key];
    const n = pagesOf(order);
    const packed = PAGE_BIT | order | ((mt + 1) << 8);
    // A page freed while the rebuilt lists still hold it left its list without an event:
    // __alloc_pages_bulk() (vmalloc, kernel stacks) takes pages off the pcp list without
    // logging mm_page_alloc. Its silent removal and this free cancel out.
    const held = (info & PFN_LIST_MASK) - 1;
    const silent = held >= 0 && held % this.zones.length === z ? held : -1;
    if (silent >= 0) {
      const q = this.state.pcps[silent];
      const had = q.pages.remove(pfn);
      q.known -= POW2[had & 0xff];
      q.count -= 2 ** (had & 0xff);
      this.unlogged.left[silent] += 2 ** (had & 0xff);
      this.note('silent-alloc', 'page freed while still on a rebuilt list: it was taken off without an event (__alloc_pages_bulk() logs no mm_page_alloc); removed from that list first', 1, 2 ** (had & 0xff), i);
      if (silent !== key) {
        const s: PcpSet = { key: silent, count: q.count, removePfn: pfn };
        const l = this.sets.get(i);
        if (l) l.push(s); else this.sets.set(i, [s]);
        this.touched(silent);
      }
    }
    const had = p.pages.put(pfn, packed);
    if (had >= 0) p.known -= POW2[had & 0xff];
    p.known += POW2[order & 0xff];
    this.pfnInfo.set(pfn, ((mt + 1) << PFN_MT_SHIFT) | (key + 1));
    p.count += n;
    this.effect[i] = packed;
    this.moved(i, key);
  }

  /** A page leaves this CPU's list by allocation. */
  private take(i: number, cpu: number, pfn: number, order: number): void {
    const z = this.zoneOf(i, pfn);
    if (z < 0 || cpu >= this.ncpus) return;
    const key = this.pcpIndex(cpu, z);
    this.remove(i, key, pfn, order, 'alloc-not-on-list',
      'allocation of a pcp-able order whose page is not on the rebuilt list while the list has no unidentified pages: served by the buddy (pcp trylock failed) or the starting count was low; the count is left as it was');
  }

  private remove(i: number, key: number, pfn: number, order: number, reason: string, why: string): void {
    pfn = pfnKey(pfn);
    const p = this.state.pcps[key];
    const n = pagesOf(order);
    const had = this.dropPage(key, pfn);
    if (had !== undefined) {
      p.count -= n;
    } else if (p.count - p.known >= n) {
      p.count -= n;
      if (this.state.started) this.unlogged.guessed[key] += n;
    } else {
      if (this.state.started) this.unlogged.kept[key] += n;
      this.note(reason, why, 1, n, i);
      if (!this.state.started) return;
    }
    this.effect[i] = -1;
    this.moved(i, key);
  }

  private drain(i: number, exec: number): void {
    const st = this.trace.store, S = this.state;
    const pfn = pfnKey(st.pfn[i]);
    this.remember(pfn, st.mt[i]);
    const z = this.zoneOf(i, pfn);
    if (z < 0 || exec >= this.ncpus) return;
    const pc = this.pendingCheck[exec];
    if (pc) { this.pendingCheck[exec] = null; this.zonePtr.set(pc.zonePtr, z); this.applyPendingHighBatch(pc.zonePtr, i); this.check(pc, z, i); }
    let owner = S.drainOwner[exec];
    if (owner < 0) {
      const k = this.listHolding(pfn, z);
      owner = k >= 0 ? Math.floor(k / this.zones.length) : exec;
    }
    this.remove(i, this.pcpIndex(owner, z), pfn, st.order[i], 'drain-not-on-list',
      'drained page not on the rebuilt list and the list has no unidentified pages: the count was low (an add the events did not show); the count is left as it was');
  }

  private freePcppagesBulk(i: number, exec: number): void {
    const st = this.trace.store, S = this.state;
    if (exec >= this.ncpus) return;
    const kv = keyValues(st.textOf(i));
    const pcp = String(kv.pcp ?? '');
    let owner = this.pcpPtrCpu.get(pcp);
    if (owner === undefined) {
      // drain_pages_zone(cpu) logged just before on this CPU names the list's owner; else
      // it is the trimming path (free_unref_page_commit, drain_zone_pages): this CPU's list
      owner = S.drainTarget[exec] >= 0 ? S.drainTarget[exec] : exec;
      if (pcp) this.pcpPtrCpu.set(pcp, owner);
    }
    S.drainOwner[exec] = owner;
    if (typeof kv.pcp_count === 'number') {
      this.pendingCheck[exec] = { i, owner, count: kv.pcp_count, high: Number(kv.pcp_high), batch: Number(kv.pcp_batch), zonePtr: String(kv.zone ?? '') };
      const z = this.zonePtr.get(String(kv.zone ?? ''));
      if (z !== undefined) { const pc = this.pendingCheck[exec]!; this.pendingCheck[exec] = null; this.check(pc, z, i); }
    }
  }

  /** Records and applies fields set outright before event i. */
  private set(i: number, s: PcpSet): void {
    const p = this.state.pcps[s.key];
    if (s.clear) { for (const pfn of p.pages.keysInOrder()) this.dropPage(s.key, pfn); }
    if (s.count !== undefined) p.count = s.count;
    if (s.high !== undefined) p.high = s.high;
    if (s.batch !== undefined) p.batch = s.batch;
    if (s.start) this.state.started = true;
    const l = this.sets.get(i);
    if (l) l.push(s); else this.sets.set(i, [s]);
    if (s.count !== undefined) this.touched(s.key);
  }

  private check(pc: { i: number; owner: number; count: number; high: number; batch: number }, z: number, at: number): void {
    const key = this.pcpIndex(pc.owner, z);
    const p = this.state.pcps[key];
    if (Number.isFinite(pc.high) && Number.isFinite(pc.batch) && (p.high !== pc.high || p.batch !== pc.batch)) this.set(at, { key, high: pc.high, batch: pc.batch });
    if (!this.state.started) return;
    const st = this.trace.store;
    this.checks.push({ event: pc.i, line: st.line[pc.i], cpu: pc.owner, zone: this.zones[z].name, reconstructed: p.count, actual: pc.count });
    if (this.resync && p.count !== pc.count) {
      const d = pc.count - p.count;
      this.note('resync', "free_pcppages_bulk's pcp_count (the kernel's count at entry) differed from the rebuilt count, which was set to it", 1, Math.abs(d), pc.i);
      this.set(at, { key, count: pc.count, clear: p.known > pc.count });
    }
  }

  private setHighBatch(i: number): void {
    const kv = keyValues(this.trace.store.textOf(i));
    const ptr = String(kv.zone ?? '');
    const hb = { high: Number(kv.high), batch: Number(kv.batch) };
    if (!Number.isFinite(hb.high) || !Number.isFinite(hb.batch)) return;
    this.pendingHighBatch.set(ptr, hb);
    this.applyPendingHighBatch(ptr, i);
  }

  private applyPendingHighBatch(ptr: string, at: number): void {
    const z = this.zonePtr.get(ptr);
    const hb = this.pendingHighBatch.get(ptr);
    if (z === undefined || !hb) return;
    this.pendingHighBatch.delete(ptr);
    for (let c = 0; c < this.ncpus; c++) this.set(at, { key: this.pcpIndex(c, z), high: hb.high, batch: hb.batch });
  }

  private lockInterval(w: OpenContention, to: number): void {
    const st = this.trace.store;
    const addr = st.strings.get(w.addr);
    const taker = lockTaker(st.stackOf(w.from));
    const name = this.options.locks ? this.options.locks.name(addr, taker) : new LockNames().name(addr, taker);
    this.lockIntervals.push({ cpu: w.cpu, pid: w.pid, addr, name, taker, flags: w.flags, from: w.from, to });
  }

  private marker(i: number): void {
    const m = /^SNAPSHOT\s+(\S+)\s+(begin|end)\b/.exec(this.trace.store.textOf(i));
    if (!m) return;
    const label = m[1];
    if (m[2] === 'begin') {
      const n = this.pcpCount;
      const min = new Float64Array(n), max = new Float64Array(n);
      for (let k = 0; k < n; k++) { min[k] = max[k] = this.state.pcps[k].count; }
      this.windows.set(label, { begin: i, min, max });
      return;
    }
    const w = this.windows.get(label);
    this.windows.delete(label);
    const info = this.infoByLabel.get(label);
    if (!info || label === this.startLabel) return;
    this.compare(label, info, w?.begin ?? i, i, w);
  }

  private compare(label: string, info: ZoneInfo, begin: number, end: number, w?: { min: Float64Array; max: Float64Array }): void {
    const res: SnapshotResult = { label, beginEvent: begin, endEvent: end, start: false, pcp: [], matched: 0, exact: 0, total: 0 };
    // before the starting zoneinfo is applied the rebuilt counts hold only the pages seen
    // going on: there is nothing to compare (the zoneinfos were given out of trace order)
    if (this.startLabel !== undefined && !this.state.started) {
      const at = this.trace.store.line[this.startEvent] ?? 0;
      res.notCompared = `taken before the starting state '${this.startLabel}' (line ${at}), where the rebuilt counts begin: ` +
        'the first zoneinfo given is the starting state, so give the earliest snapshot first';
    }
    for (let z = 0; z < this.zones.length; z++) {
      const iz = zoneInfoOf(info, this.zones[z]);
      if (!iz) continue;
      for (const a of iz.pcp) {
        if (a.cpu >= this.ncpus) continue;
        const key = this.pcpIndex(a.cpu, z);
        const p = this.state.pcps[key];
        if (res.notCompared) {
          if (p.high !== a.high || p.batch !== a.batch) this.set(end, { key, high: a.high, batch: a.batch });
          continue;
        }
        const lo = w ? w.min[key] : p.count, hi = w ? w.max[key] : p.count;
        const match = a.count >= lo && a.count <= hi;
        const off = match ? 0 : a.count < lo ? lo - a.count : a.count - hi;
        const c: PcpCompare = { cpu: a.cpu, zone: this.zones[z].name, reconstructed: p.count, actual: a.count, windowMin: lo, windowMax: hi, match, off };
        if (!match) c.why = this.mismatchWhy(key, a.count < lo, off, end);
        res.pcp.push(c);
        res.total++;
        if (match) res.matched++;
        if (p.count === a.count) res.exact++;
        // high and batch are facts of the kernel at this point: adopt them
        if (p.high !== a.high || p.batch !== a.batch) this.set(end, { key, high: a.high, batch: a.batch });
      }
    }
    this.snapshots.push(res);
  }

  /** Why a rebuilt count can differ from the kernel's by `off` pages, from what this list saw. */
  private mismatchWhy(key: number, high: boolean, off: number, at: number): string {
    const u = this.unlogged, pages = (n: number) => `${n} page${n === 1 ? '' : 's'}`;
    const parts: string[] = [];
    if (high) {
      parts.push(`rebuilt ${pages(off)} above the kernel's count: pages left this list without an event in the trace ` +
        `(__alloc_pages_bulk(), which vmalloc uses for kernel stacks, takes pages off the pcp list and logs no mm_page_alloc)`);
      parts.push(`before this snapshot ${pages(u.left[key])} on this list were seen to have left that way (freed again, or met by a refill)`);
      if (u.kept[key]) parts.push(`${pages(u.kept[key])} of allocations and drains of pages not on the list were left in the count`);
    } else {
      parts.push(`rebuilt ${pages(off)} below the kernel's count: pages went on this list without an event in the trace, ` +
        `or allocations the buddy served were taken from the list's unidentified pages`);
      if (u.guessed[key]) parts.push(`${pages(u.guessed[key])} of allocations and drains of pages not on the list were taken from them`);
    }
    if (!this.kFpb) parts.push('the capture has no free_pcppages_bulk kprobe, whose pcp_count would set the count from the kernel\'s at each drain');
    const cpu = Math.floor(key / this.zones.length);
    const lost = this.trace.lost.filter(l => l.cpu === cpu && l.before <= at);
    if (lost.length) {
      const known = lost.reduce((n, l) => n + (l.events ?? 0), 0);
      parts.push(`CPU ${cpu} lost ${known ? `${known} events` : 'events'}${lost.some(l => l.events === null) && known ? ' and more' : ''} before this snapshot (ring buffer full, first at line ${lost[0].line}): the page events among them are missing`);
    }
    if (this.cpusStartingLate().includes(cpu)) parts.push(`the ring buffer overwrote CPU ${cpu}'s events from before its first kept one, which is after the starting zoneinfo`);
    return parts.join('; ');
  }

  /** Sets every pcp's count, high and batch from the starting zoneinfo. Pages seen going
   * onto a list before it stay known; the rest of the count is unidentified pages. */
  private applyStart(i: number): void {
    const start = this.options.zoneinfo![0];
    const res: SnapshotResult = { label: start.label, beginEvent: this.markers.get(start.label)?.begin ?? i, endEvent: i, start: true, pcp: [], matched: 0, exact: 0, total: 0 };
    const info = start.info;
    for (let z = 0; z < this.zones.length; z++) {
      const iz: ZoneInfoZone | undefined = zoneInfoOf(info, this.zones[z]);
      if (!iz) continue;
      for (const a of iz.pcp) {
        if (a.cpu >= this.ncpus) continue;
        const key = this.pcpIndex(a.cpu, z);
        const p = this.state.pcps[key];
        res.pcp.push({ cpu: a.cpu, zone: this.zones[z].name, reconstructed: p.count, actual: a.count, windowMin: a.count, windowMax: a.count, match: true, off: 0 });
        this.set(i, { key, count: a.count, high: a.high, batch: a.batch, clear: p.known > a.count });
      }
    }
    this.set(i, { key: 0, start: true });
    this.snapshots.push(res);
  }

  private finish(): void {
    const st = this.trace.store;
    // contention and interrupts still open at the end of the trace end there
    const last = st.length - 1;
    for (const l of this.state.waiting.values()) for (const w of l) this.lockInterval(w, last);
    for (let c = 0; c < this.ncpus; c++) for (const o of this.state.irq[c]) this.irqIntervals.push({ cpu: c, kind: o.kind, name: this.irqName(o.kind, o.n, o.from), depth: 0, from: o.from, to: last });
    this.lockIntervals.sort((a, b) => a.from - b.from);
    this.irqIntervals.sort((a, b) => a.from - b.from);
    // snapshots whose markers are missing: compared at the end of the trace
    for (const [label, info] of this.infoByLabel) {
      if (label === this.startLabel || this.snapshots.some(s => s.label === label)) continue;
      this.compare(label, info, last, last);
    }
  }

  note(reason: string, why: string, events: number, pages: number, i = -1): void {
    const n = this.notes.get(reason);
    if (n) { n.events += events; n.pages += pages; return; }
    this.notes.set(reason, { reason, why, events, pages, firstLine: i >= 0 ? this.trace.store.line[i] : 0 });
  }

  /** The rebuilt pcp of (cpu, zone) as the debugger and the JSON show it. */
  pcpView(cpu: number, zone: number): PcpView {
    const p = this.state.pcps[this.pcpIndex(cpu, zone)];
    const lists = new Map<number, PcpListView>();
    for (const [pfn, v] of p.pages.entries()) {
      const order = v & 0xff, mt = ((v >> 8) & 0x3f) - 1;
      const pindex = orderToPindex(order, mt);
      const key = pindex >= 0 ? pindex : 1000 + order;
      let l = lists.get(key);
      if (!l) { l = { pindex, order, migratetype: mt >= 0 ? (MIGRATETYPE_NAMES[mt] ?? String(mt)) : 'unknown', pfns: [] }; lists.set(key, l); }
      l.pfns.push(pfn);
    }
    return {
      cpu, zone: this.zones[zone].name, count: p.count, high: p.high, batch: p.batch, knownPages: p.known,
      unidentified: Math.max(0, p.count - p.known),
      lists: [...lists.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]),
    };
  }

  /** Lock contention open now: who waits on which lock. */
  waitingNow(): { cpu: number; pid: number; addr: string; flags: number; from: number }[] {
    const st = this.trace.store;
    return [...this.state.waiting.values()].flat().map(w => ({ cpu: w.cpu, pid: w.pid, addr: st.strings.get(w.addr), flags: w.flags, from: w.from }));
  }

  irqNesting(cpu: number): { kind: string; name: string; from: number }[] {
    return (this.state.irq[cpu] ?? []).map(o => ({ kind: o.kind, name: this.irqName(o.kind, o.n, o.from), from: o.from }));
  }

  irqsOffAt(i: number): boolean { return (this.trace.store.flags[i] & FLAG_IRQS_OFF) !== 0; }

  /** Restores a checkpoint taken by run(); later events must be replayed with apply(i, true). */
  restore(cp: RebuildState): void {
    const c = cp.clone();
    const S = this.state;
    S.pcps = c.pcps; S.irq = c.irq; S.waiting = c.waiting; S.drainOwner = c.drainOwner; S.drainTarget = c.drainTarget;
    S.started = c.started; S.next = c.next;
  }
}

/** Imports nothing itself: builds the reconstruction of an imported trace. */
export function reconstruct(trace: ImportedTrace, options: ReconstructOptions = {}): Reconstruction {
  return new Reconstruction(trace, options).run();
}
