// Page accounting by the engine itself, not by the model's counters: at quiescent
// points every page of every zone must be in exactly one place (a buddy block, a pcp
// list, or handed out to a scenario block), and pcp->count and nr_free must agree with
// the lists they count.
import type { Machine } from './machine';
import type { Context, Frame } from './state';
import { cellsOf, offsetOf } from './layout';
import { MAX_ORDER, pindexToOrder, ZoneInfo } from './zones';
import { MIGRATETYPES } from '../lang/scenario';

const ALLOC_ENTRIES = new Set(['alloc_pages']);
const FREE_ENTRIES = new Set(['__free_pages', 'free_unref_page', 'free_the_page']);

export class AccountingState {
  /** page address → order, for pages the scenario holds */
  readonly allocated = new Map<number, number>();
  readonly zonesWithFreeCounter = new Set<number>();
  /** bumped whenever `allocated` changes (the quiescent check may skip when it did not) */
  allocVersion = 0;
  private reported = new Set<string>();

  /** What the scenario holds and what was reported, for a machine checkpoint. */
  save(): unknown {
    return { allocated: new Map(this.allocated), free: new Set(this.zonesWithFreeCounter), version: this.allocVersion, reported: new Set(this.reported) };
  }

  load(saved: unknown): void {
    const s = saved as { allocated: Map<number, number>; free: Set<number>; version: number; reported: Set<string> };
    this.allocated.clear();
    for (const [k, v] of s.allocated) this.allocated.set(k, v);
    this.zonesWithFreeCounter.clear();
    for (const z of s.free) this.zonesWithFreeCounter.add(z);
    // a new version: the quiescent check must not trust what it saw before the restore
    this.allocVersion = Math.max(this.allocVersion, s.version) + 1;
    this.reported = new Set(s.reported);
  }

  onCall(m: Machine, ctx: Context, name: string, args: number[]): void {
    if (ctx.frames.length !== 1 || !m.detectorsOn) return; // only calls made by a scenario block
    if (FREE_ENTRIES.has(name)) this.freed(m, args[0], args[1] ?? 0, name);
    else if (name === 'free_unref_page_list') {
      const lruOff = offsetOf(m.pageStruct, 'lru');
      const head = args[0];
      let node = m.mem[head];
      for (let guard = 0; node !== head && guard < 1_000_000; guard++) {
        if (!Number.isInteger(node) || node < 64 || node >= m.mem.length) break;
        this.freed(m, node - lruOff, this.allocated.get(node - lruOff) ?? 0, name);
        node = m.mem[node];
      }
    }
  }

  onReturn(m: Machine, ctx: Context, frame: Frame, v: number): void {
    if (ctx.frames.length !== 1 || !ALLOC_ENTRIES.has(frame.fn.name) || !v || !m.detectorsOn) return;
    const order = (frame as Frame & { args?: number[] }).args?.[1] ?? 0;
    const p = m.pageOf(v);
    if (!p) return;
    if (this.allocated.has(v)) {
      m.report('page-accounting', `page-accounting: page pfn ${p.pfn} of zone ${p.zone.name} handed out twice: ${frame.fn.name}() returned it while ${ctx.label === 'task' ? 'a' : 'another'} scenario block still holds it`);
      return;
    }
    this.allocated.set(v, order);
    this.allocVersion++;
  }

  private freed(m: Machine, page: number, order: number, how: string): void {
    if (!page) return;
    const had = this.allocated.delete(page);
    if (had) this.allocVersion++;
    if (!had) {
      const p = m.pageOf(page);
      if (p) m.report('page-accounting', `page-accounting: ${how}() of page pfn ${p.pfn} of zone ${p.zone.name}, which the scenario does not hold (freed twice, or never allocated)`);
    }
    void order;
  }

  once(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }
}

/** Layout constants of the accounting walk, computed once per machine. */
interface Layout {
  lruOff: number;
  pageCells: number;
  freeArea: number;
  faCells: number;
  flOff: number;
  nrFreeOff: number;
  nMt: number;
  nLists: number;
  listsOff: number;
  countOff: number;
}

// Where a page was seen, as numbers; the words of a message are made only when a
// problem is reported (this check runs at every quiescent step).
const TWO24 = 2 ** 24;
const BUDDY = 0;
const PCP = 1;
const HANDED_OUT = 2;

function placeText(kind: number, a: number, b: number, c: number): string {
  if (kind === BUDDY) return `in the buddy's free_area[${a}].free_list[${MIGRATETYPES[b] ?? b}] (an order-${a} block at pfn ${c})`;
  if (kind === PCP) return `on CPU ${a}'s pcp list ${b} (order ${c})`;
  return 'handed out to a scenario block';
}

function listText(kind: number, a: number, b: number, c: number): string {
  if (kind === BUDDY) return `the buddy's free_area[${a}].free_list[${MIGRATETYPES[b] ?? b}]`;
  return `CPU ${a}'s pcp list ${b} (order ${c})`;
}

/** The accounting walk of one machine, with its buffers kept between checks. */
class Checker {
  private readonly L: Layout;
  private readonly places: Int32Array[] = [];
  // the places seen in this zone's walk: places[i] = 1 + index into these
  private kinds: number[] = [];
  private as: number[] = [];
  private bs: number[] = [];
  private cs: number[] = [];
  private scratch: number[] = [];
  private nScratch = 0;
  private z!: ZoneInfo;
  private zonePlaces!: Int32Array;

  constructor(private readonly m: Machine) {
    const zs = m.zoneStruct;
    const pcps = m.pcpStruct;
    const faStruct = m.program.model.structs.get('free_area')!;
    this.L = {
      lruOff: offsetOf(m.pageStruct, 'lru'),
      pageCells: cellsOf(m.pageStruct),
      freeArea: offsetOf(zs, 'free_area'),
      faCells: cellsOf(faStruct),
      flOff: offsetOf(faStruct, 'free_list'),
      nrFreeOff: offsetOf(faStruct, 'nr_free'),
      nMt: cellsOf(faStruct.fieldMap.get('free_list')!.type) / 2,
      nLists: cellsOf(pcps.fieldMap.get('lists')!.type) / 2,
      listsOff: offsetOf(pcps, 'lists'),
      countOff: offsetOf(pcps, 'count'),
    };
  }

  private problem(msg: string, key: string): void {
    if (this.m.accounting.once(key)) this.m.report('page-accounting', msg, [], `:${key}`);
  }

  /** The pfn of a struct page address (what m.pageOf gives), or -1; allocates nothing. */
  private pfnOf(addr: number): number {
    const pc = this.L.pageCells;
    for (const z of this.m.zones) {
      if (addr >= z.pageBase && addr < z.pageBase + z.pages * pc) {
        if ((addr - z.pageBase) % pc !== 0) return -1;
        return z.startPfn + (addr - z.pageBase) / pc;
      }
    }
    return -1;
  }

  private mark(pfn: number, order: number, kind: number, a: number, b: number, c: number): void {
    const z = this.z;
    const places = this.zonePlaces;
    this.kinds.push(kind); this.as.push(a); this.bs.push(b); this.cs.push(c);
    const id = this.kinds.length;
    const n = 1 << order;
    for (let k = 0; k < n; k++) {
      const i = pfn - z.startPfn + k;
      if (i < 0 || i >= z.pages) continue;
      const old = places[i];
      if (old) {
        const key = `two:${z.name}:${pfn + k}`;
        if (this.m.accounting.once(key)) {
          const o = old - 1;
          this.m.report('page-accounting', `page-accounting: page pfn ${pfn + k} of zone ${z.name} is in two places: ${placeText(this.kinds[o], this.as[o], this.bs[o], this.cs[o])} and ${placeText(kind, a, b, c)}`, [], `:${key}`);
        }
      } else places[i] = id;
    }
  }

  /** Walks a list into scratch[0..nScratch) (the pfns on it); false when its links are
   *  broken, which is reported unless kind is -1 (the quick pass only asks). */
  private walk(head: number, kind: number, a: number, b: number, c: number): boolean {
    const mem = this.m.mem;
    const z = this.z;
    const lruOff = this.L.lruOff;
    let n = 0;
    let node = mem[head];
    let prev = head;
    for (let guard = 0; node !== head; guard++) {
      if (guard > z.pages + 1 || !Number.isInteger(node) || node < 64 || node >= mem.length || mem[node + 1] !== prev) {
        if (kind >= 0) this.problem(`page-accounting: ${listText(kind, a, b, c)} of zone ${z.name} has broken links`, `broken:${head}`);
        this.nScratch = 0;
        return false;
      }
      const pfn = this.pfnOf(node - lruOff);
      if (pfn >= 0) this.scratch[n++] = pfn;
      prev = node;
      node = mem[node];
    }
    this.nScratch = n;
    return true;
  }

  // what the machine looked like at the last check
  private lastEpoch = -1;
  private lastAlloc = -1;
  private lastStep = -1;
  private lastMem: Float64Array | undefined;

  // the quick pass: every place as an interval of page indexes, start * 2^24 + end
  private intervals = new Float64Array(64);
  private nIntervals = 0;

  private interval(pfn: number, order: number): void {
    const z = this.z;
    const start = Math.max(0, pfn - z.startPfn);
    const end = Math.min(z.pages, pfn - z.startPfn + (1 << order));
    if (start >= end) return; // wholly outside the zone: marks nothing
    if (this.nIntervals === this.intervals.length) {
      const bigger = new Float64Array(this.intervals.length * 2);
      bigger.set(this.intervals);
      this.intervals = bigger;
    }
    this.intervals[this.nIntervals++] = start * TWO24 + end;
  }

  /** Walks a list into scratch without reporting; false when its links are broken. */
  private walkQuiet(head: number): boolean {
    return this.walk(head, -1, 0, 0, 0);
  }

  /**
   * The same walk as zoneCheck, reporting nothing: true when it would find nothing to
   * report (no broken list, counters right, the places tile the zone's pages exactly).
   * Then zoneCheck is not needed; otherwise zoneCheck runs and reports as always.
   */
  private zoneClean(z: ZoneInfo): boolean {
    const m = this.m;
    const L = this.L;
    const mem = m.mem;
    if (z.pages >= TWO24) return false;
    this.z = z;
    this.nIntervals = 0;
    for (let o = 0; o < MAX_ORDER; o++) {
      let blocks = 0;
      for (let mt = 0; mt < L.nMt; mt++) {
        if (!this.walkQuiet(z.addr + L.freeArea + o * L.faCells + L.flOff + mt * 2)) return false;
        const n = this.nScratch;
        blocks += n;
        for (let j = 0; j < n; j++) this.interval(this.scratch[j], o);
      }
      if (mem[z.addr + L.freeArea + o * L.faCells + L.nrFreeOff] !== blocks) return false;
    }
    for (let c = 0; c < m.ncpus; c++) {
      const pcp = m.pcpAddr(z.index, c);
      let pages = 0;
      for (let k = 0; k < L.nLists; k++) {
        const order = pindexToOrder(k);
        if (!this.walkQuiet(pcp + L.listsOff + 2 * k)) return false;
        const n = this.nScratch;
        pages += n << order;
        for (let j = 0; j < n; j++) this.interval(this.scratch[j], order);
      }
      if (mem[pcp + L.countOff] !== pages) return false;
    }
    for (const [page, order] of m.accounting.allocated) {
      const p = m.pageOf(page);
      if (p && p.zone === z) this.interval(p.pfn, order);
    }
    const iv = this.intervals.subarray(0, this.nIntervals).sort();
    let cursor = 0;
    for (let i = 0; i < iv.length; i++) {
      const start = Math.floor(iv[i] / TWO24);
      if (start !== cursor) return false; // a gap (a lost page) or an overlap (two places)
      cursor = iv[i] - start * TWO24;
    }
    return cursor === z.pages;
  }

  run(): void {
    const m = this.m;
    // Nothing was written since the last check, in a run that only went forward: the
    // walk would see the same lists and report only problems already reported.
    if (m.memEpoch === this.lastEpoch && m.accounting.allocVersion === this.lastAlloc && m.mem === this.lastMem && m.step >= this.lastStep) return;
    this.lastEpoch = m.memEpoch;
    this.lastAlloc = m.accounting.allocVersion;
    this.lastStep = m.step;
    this.lastMem = m.mem;
    for (const z of m.zones) if (!this.zoneClean(z)) this.zoneCheck(z);
  }

  /** The walk that reports: every place of every page, in the order problems are named. */
  private zoneCheck(z: ZoneInfo): void {
    const m = this.m;
    const acc = m.accounting;
    const L = this.L;
    const mem = m.mem;
    this.z = z;
    let places = this.places[z.index];
    if (!places) places = this.places[z.index] = new Int32Array(z.pages);
    this.zonePlaces = places;
    places.fill(0);
    this.kinds.length = 0; this.as.length = 0; this.bs.length = 0; this.cs.length = 0;
    for (let o = 0; o < MAX_ORDER; o++) {
      let blocks = 0;
      for (let mt = 0; mt < L.nMt; mt++) {
        const head = z.addr + L.freeArea + o * L.faCells + L.flOff + mt * 2;
        if (!this.walk(head, BUDDY, o, mt, 0)) continue;
        const n = this.nScratch;
        blocks += n;
        for (let j = 0; j < n; j++) { const pfn = this.scratch[j]; this.mark(pfn, o, BUDDY, o, mt, pfn); }
      }
      const nr = mem[z.addr + L.freeArea + o * L.faCells + L.nrFreeOff];
      if (nr !== blocks) this.problem(`page-accounting: zone ${z.name} free_area[${o}].nr_free is ${nr} but its free lists hold ${blocks} block(s)`, `nrfree:${z.name}:${o}:${nr}:${blocks}`);
    }
    for (let c = 0; c < m.ncpus; c++) {
      const pcp = m.pcpAddr(z.index, c);
      let pages = 0;
      for (let k = 0; k < L.nLists; k++) {
        const order = pindexToOrder(k);
        if (!this.walk(pcp + L.listsOff + 2 * k, PCP, c, k, order)) continue;
        const n = this.nScratch;
        pages += n << order;
        for (let j = 0; j < n; j++) this.mark(this.scratch[j], order, PCP, c, k, order);
      }
      const count = mem[pcp + L.countOff];
      if (count !== pages) this.problem(`page-accounting: pcp->count of CPU ${c} zone ${z.name} is ${count} but its lists hold ${pages} page(s)`, `count:${z.name}:${c}:${count}:${pages}`);
    }
    for (const [page, order] of acc.allocated) {
      const p = m.pageOf(page);
      if (p && p.zone === z) this.mark(p.pfn, order, HANDED_OUT, 0, 0, 0);
    }
    for (let i = 0; i < z.pages; i++) {
      if (!places[i]) {
        this.problem(`page-accounting: page pfn ${z.startPfn + i} of zone ${z.name} is lost: not in the buddy, on no pcp list, and not handed out`, `lost:${z.name}:${z.startPfn + i}`);
        break; // one lost page names the problem; the rest follow from it
      }
    }
  }
}

const checkers = new WeakMap<Machine, Checker>();

export function checkAccounting(m: Machine): void {
  let c = checkers.get(m);
  if (!c) { c = new Checker(m); checkers.set(m, c); }
  c.run();
}

export function zoneFreeCount(m: Machine, z: ZoneInfo): number {
  return m.mem[z.addr + offsetOf(m.zoneStruct, 'vm_stat')];
}
