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
  private reported = new Set<string>();

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
  }

  private freed(m: Machine, page: number, order: number, how: string): void {
    if (!page) return;
    if (!this.allocated.delete(page)) {
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

type Place = { what: string; head: number };

export function checkAccounting(m: Machine): void {
  const acc = m.accounting;
  const zs = m.zoneStruct;
  const pcps = m.pcpStruct;
  const lruOff = offsetOf(m.pageStruct, 'lru');
  const pageCells = cellsOf(m.pageStruct);
  const freeArea = offsetOf(zs, 'free_area');
  const faStruct = m.program.model.structs.get('free_area')!;
  const faCells = cellsOf(faStruct);
  const flOff = offsetOf(faStruct, 'free_list');
  const nrFreeOff = offsetOf(faStruct, 'nr_free');
  const nMt = (cellsOf(faStruct.fieldMap.get('free_list')!.type)) / 2;
  const nLists = cellsOf(pcps.fieldMap.get('lists')!.type) / 2;
  const mem = m.mem;

  for (const z of m.zones) {
    const places: (Place | undefined)[] = new Array(z.pages);
    const problem = (msg: string, key: string) => { if (acc.once(key)) m.report('page-accounting', msg, [], `:${key}`); };
    const mark = (pfn: number, order: number, place: Place) => {
      for (let k = 0; k < 1 << order; k++) {
        const i = pfn - z.startPfn + k;
        if (i < 0 || i >= z.pages) continue;
        const old = places[i];
        if (old) problem(`page-accounting: page pfn ${pfn + k} of zone ${z.name} is in two places: ${old.what} and ${place.what}`, `two:${z.name}:${pfn + k}`);
        else places[i] = place;
      }
    };
    // walks a list; returns the pages on it, or undefined when its links are broken
    const walk = (head: number, what: string): number[] | undefined => {
      const pages: number[] = [];
      let node = mem[head];
      let prev = head;
      for (let guard = 0; node !== head; guard++) {
        if (guard > z.pages + 1 || !Number.isInteger(node) || node < 64 || node >= mem.length || mem[node + 1] !== prev) {
          problem(`page-accounting: ${what} of zone ${z.name} has broken links`, `broken:${head}`);
          return undefined;
        }
        const page = node - lruOff;
        const p = m.pageOf(page);
        if (p) pages.push(p.pfn);
        prev = node;
        node = mem[node];
      }
      return pages;
    };
    for (let o = 0; o < MAX_ORDER; o++) {
      let blocks = 0;
      for (let mt = 0; mt < nMt; mt++) {
        const what = `the buddy's free_area[${o}].free_list[${MIGRATETYPES[mt] ?? mt}]`;
        const pages = walk(z.addr + freeArea + o * faCells + flOff + mt * 2, what);
        if (!pages) continue;
        blocks += pages.length;
        for (const pfn of pages) mark(pfn, o, { what: `in ${what} (an order-${o} block at pfn ${pfn})`, head: 0 });
      }
      const nr = mem[z.addr + freeArea + o * faCells + nrFreeOff];
      if (nr !== blocks) problem(`page-accounting: zone ${z.name} free_area[${o}].nr_free is ${nr} but its free lists hold ${blocks} block(s)`, `nrfree:${z.name}:${o}:${nr}:${blocks}`);
    }
    for (let c = 0; c < m.ncpus; c++) {
      const pcp = m.pcpAddr(z.index, c);
      let pages = 0;
      for (let k = 0; k < nLists; k++) {
        const order = pindexToOrder(k);
        const what = `CPU ${c}'s pcp list ${k} (order ${order})`;
        const on = walk(pcp + offsetOf(pcps, 'lists') + 2 * k, what);
        if (!on) continue;
        pages += on.length << order;
        for (const pfn of on) mark(pfn, order, { what: `on ${what}`, head: 0 });
      }
      const count = mem[pcp + offsetOf(pcps, 'count')];
      if (count !== pages) problem(`page-accounting: pcp->count of CPU ${c} zone ${z.name} is ${count} but its lists hold ${pages} page(s)`, `count:${z.name}:${c}:${count}:${pages}`);
    }
    for (const [page, order] of acc.allocated) {
      const p = m.pageOf(page);
      if (p && p.zone === z) mark(p.pfn, order, { what: 'handed out to a scenario block', head: 0 });
    }
    for (let i = 0; i < z.pages; i++) {
      if (!places[i]) {
        problem(`page-accounting: page pfn ${z.startPfn + i} of zone ${z.name} is lost: not in the buddy, on no pcp list, and not handed out`, `lost:${z.name}:${z.startPfn + i}`);
        break; // one lost page names the problem; the rest follow from it
      }
    }
    void pageCells;
  }
}

export function zoneFreeCount(m: Machine, z: ZoneInfo): number {
  return m.mem[z.addr + offsetOf(m.zoneStruct, 'vm_stat')];
}
