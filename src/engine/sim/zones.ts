// Zones as the scenario's `zone` and `pcp` lines describe them: pages start in the
// buddy's free lists as the largest aligned blocks, pcp lines move pages onto per-CPU
// lists, and batch/high come from the line or from the model's own zone_batchsize /
// zone_highsize, run on the machine as the modelled kernel would at boot.
import type { Machine } from './machine';
import { cellsOf, offsetOf } from './layout';
import { PG_BUDDY } from './prims';
import { MIGRATETYPES } from '../lang/scenario';

export interface ZoneInfo {
  index: number;
  name: string;
  addr: number;
  pageBase: number;
  pages: number;
  startPfn: number;
  pcpOffset: number;
  migratetype?: number;
}

export const MAX_ORDER = 11;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_MOVABLE = 1;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
export const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
export const PAGEBLOCK_ORDER = 9;

export function orderToPindex(order: number, mt: number): number {
  return order > PAGE_ALLOC_COSTLY_ORDER ? NR_LOWORDER_PCP_LISTS : MIGRATE_PCPTYPES * order + mt;
}

export function pindexToOrder(pindex: number): number {
  return pindex < NR_LOWORDER_PCP_LISTS ? Math.floor(pindex / MIGRATE_PCPTYPES) : PAGEBLOCK_ORDER;
}

export function migratetypeNumber(name: string): number {
  return Math.max(0, (MIGRATETYPES as readonly string[]).indexOf(name));
}

/** Watermarks as mm/page_alloc.c derives them from min_free_kbytes (watermark_scale_factor 10). */
export function deriveWatermarks(managed: number, lowmemPages: number): { min: number; low: number; high: number } {
  const lowmemKbytes = lowmemPages * 4;
  const minFreeKbytes = Math.min(262144, Math.max(128, Math.floor(Math.sqrt(lowmemKbytes * 16))));
  const pagesMin = minFreeKbytes >> 2;
  const tmp = Math.floor(pagesMin * managed / Math.max(1, lowmemPages));
  const delta = Math.max(tmp >> 2, Math.floor(managed * 10 / 10000));
  return { min: tmp, low: tmp + delta, high: tmp + 2 * delta };
}

/** Linux 6.1's zone_batchsize / zone_highsize: used when the model defines neither. */
export function kernelBatchHigh(managed: number, low: number, cpus: number): { batch: number; high: number } {
  let b = Math.floor(Math.min(Math.floor(managed / 1024), 256) / 4);
  if (b < 1) b = 1;
  const rd = 2 ** Math.floor(Math.log2(b + Math.floor(b / 2)));
  const batch = Math.max(1, rd - 1);
  const high = Math.max(Math.floor(low / Math.max(1, cpus)), batch * 4);
  return { batch, high };
}

export function setupZones(m: Machine, maxSteps = 1_000_000): void {
  const sc = m.program.scenario;
  const zs = m.zoneStruct;
  const pcps = m.pcpStruct;
  const off = (name: string) => offsetOf(zs, name);
  const faCells = cellsOf(zs.fieldMap.get('free_area')!.type) / MAX_ORDER;
  const freeArea = offsetOf(zs, 'free_area');
  const flOff = offsetOf(m.program.model.structs.get('free_area')!, 'free_list');
  const nrFreeOff = offsetOf(m.program.model.structs.get('free_area')!, 'nr_free');
  const pageCells = cellsOf(m.pageStruct);
  const lru = offsetOf(m.pageStruct, 'lru');
  const privOff = offsetOf(m.pageStruct, 'private');
  const flagsOff = offsetOf(m.pageStruct, 'flags');
  const indexOff = offsetOf(m.pageStruct, 'index');
  const mem = m.mem;
  const init = (h: number) => { mem[h] = h; mem[h + 1] = h; };
  const addTail = (head: number, node: number) => {
    const prev = mem[head + 1];
    mem[node] = head; mem[node + 1] = prev; mem[prev] = node; mem[head + 1] = node;
  };
  const del = (node: number) => {
    const n = mem[node]; const p = mem[node + 1];
    mem[p] = n; mem[n + 1] = p; mem[node] = node; mem[node + 1] = node;
  };
  const freeList = (z: ZoneInfo, order: number, mt: number) => z.addr + freeArea + order * faCells + flOff + mt * 2;
  const nrFree = (z: ZoneInfo, order: number) => z.addr + freeArea + order * faCells + nrFreeOff;
  const vmFree = (z: ZoneInfo) => z.addr + off('vm_stat');
  const lowmem = sc.zones.reduce((s, z) => s + z.pages, 0);
  const migrateTypes = (m.program.model.enumConsts.get('MIGRATE_TYPES') ?? 6);

  let nextPfn = 0;
  m.zones.forEach((z, i) => {
    const line = sc.zones[i];
    z.startPfn = line.start ?? nextPfn;
    nextPfn = Math.ceil((z.startPfn + z.pages) / 1024) * 1024;
    z.migratetype = migratetypeNumber(line.migratetype);
    mem[z.addr + off('managed_pages')] = z.pages;
    mem[z.addr + off('present_pages')] = z.pages;
    mem[z.addr + off('spanned_pages')] = z.pages;
    mem[z.addr + off('zone_start_pfn')] = z.startPfn;
    const wm = deriveWatermarks(z.pages, lowmem);
    const low = line.low ?? wm.low;
    const min = line.low !== undefined ? Math.floor(low * 4 / 5) : wm.min;
    mem[z.addr + off('_watermark') + 0] = min;
    mem[z.addr + off('_watermark') + 1] = low;
    mem[z.addr + off('_watermark') + 2] = line.low !== undefined ? low + (low - min) : wm.high;
    mem[z.addr + off('per_cpu_pageset')] = m.pcpAddr(i, 0);
    for (let o = 0; o < MAX_ORDER; o++) for (let mt = 0; mt < migrateTypes; mt++) init(freeList(z, o, mt));
    for (let c = 0; c < m.ncpus; c++) {
      const pcp = m.pcpAddr(i, c);
      const lists = pcp + offsetOf(pcps, 'lists');
      const n = cellsOf(pcps.fieldMap.get('lists')!.type) / 2;
      for (let k = 0; k < n; k++) init(lists + 2 * k);
    }
    for (let k = 0; k < z.pages; k++) init(z.pageBase + k * pageCells + lru);
    // the largest aligned blocks
    let pfn = z.startPfn;
    const end = z.startPfn + z.pages;
    let free = 0;
    while (pfn < end) {
      let o = MAX_ORDER - 1;
      while (o > 0 && (pfn % (1 << o) !== 0 || pfn + (1 << o) > end)) o--;
      const page = m.pageAddr(z, pfn);
      mem[page + flagsOff] = PG_BUDDY;
      mem[page + privOff] = o;
      addTail(freeList(z, o, z.migratetype), page + lru);
      mem[nrFree(z, o)]++;
      free += 1 << o;
      pfn += 1 << o;
    }
    mem[vmFree(z)] = free;
  });

  // pcp lines: blocks taken from the buddy (split as expand() does) onto a pcp list
  for (const p of sc.pcps) {
    const zi = sc.zones.findIndex(z => z.name === p.zone);
    if (zi < 0 || p.cpu >= m.ncpus) continue;
    const z = m.zones[zi];
    const mt = migratetypeNumber(p.migratetype);
    const pcp = m.pcpAddr(zi, p.cpu);
    for (let k = 0; k < p.count; k++) {
      let found = -1;
      let fmt = mt;
      for (let o = p.order; o < MAX_ORDER && found < 0; o++) {
        for (const t of [mt, ...Array.from({ length: migrateTypes }, (_v, q) => q)]) {
          const h = freeList(z, o, t);
          if (mem[h] !== h) { found = o; fmt = t; break; }
        }
      }
      if (found < 0) break; // the zone is out of pages; the pcp line gets what there was
      const h = freeList(z, found, fmt);
      const node = mem[h];
      del(node);
      mem[nrFree(z, found)]--;
      const page = node - lru;
      const pfn = z.startPfn + (page - z.pageBase) / pageCells;
      for (let o = found; o > p.order; o--) {
        const buddyPfn = pfn + (1 << (o - 1));
        const bp = m.pageAddr(z, buddyPfn);
        mem[bp + flagsOff] = PG_BUDDY;
        mem[bp + privOff] = o - 1;
        addTail(freeList(z, o - 1, fmt), bp + lru);
        mem[nrFree(z, o - 1)]++;
      }
      mem[page + flagsOff] = 0;
      mem[page + privOff] = 0;
      mem[page + indexOff] = mt;
      // as free_unref_page() files them: highatomic and CMA pages go on the movable list,
      // keeping their own migratetype in page->index for the way back to the buddy (an
      // `isolate` line: pages freed to the pcp before their pageblock was isolated)
      addTail(pcp + offsetOf(pcps, 'lists') + 2 * orderToPindex(p.order, mt < MIGRATE_PCPTYPES ? mt : MIGRATE_MOVABLE), page + lru);
      mem[pcp + offsetOf(pcps, 'count')] += 1 << p.order;
      mem[vmFree(z)] -= 1 << p.order;
    }
  }

  // batch and high
  m.zones.forEach((z, i) => {
    const line = sc.zones[i];
    let batch: number = line.batch ?? -1;
    let high: number = line.high ?? -1;
    const low = mem[z.addr + off('_watermark') + 1];
    if (batch < 0) {
      // zone_set_pageset_high_and_batch() keeps at least one page per batch
      batch = m.code.byName.has('zone_batchsize') ? Math.max(1, m.callSync('zone_batchsize', [z.addr], maxSteps)) : kernelBatchHigh(z.pages, low, m.ncpus).batch;
    }
    if (high < 0) {
      const fn = m.code.byName.get('zone_highsize');
      // at boot the kernel passes cpu_online = 0: the CPUs are already counted online
      high = fn ? m.callSync('zone_highsize', [z.addr, batch, 0].slice(0, fn.paramOffsets.length), maxSteps) : kernelBatchHigh(z.pages, low, m.ncpus).high;
    }
    mem[z.addr + off('pageset_batch')] = batch;
    mem[z.addr + off('pageset_high')] = high;
    for (let c = 0; c < m.ncpus; c++) {
      const pcp = m.pcpAddr(i, c);
      mem[pcp + offsetOf(pcps, 'batch')] = batch;
      mem[pcp + offsetOf(pcps, 'high')] = high;
    }
  });
}

/**
 * Cells of struct zone that boot sets and the page allocator only reads (where the zone
 * starts and how big it is, its per-CPU pageset pointer). The exhaustive search assumes
 * they stay as boot left them (explore/transition.ts) and checks it: Machine.store flags a
 * write to one of them, and the search then runs again without the assumption.
 */
export const BOOT_CONSTANT_ZONE_FIELDS = ['zone_start_pfn', 'spanned_pages', 'present_pages', 'managed_pages', 'per_cpu_pageset'];

export function bootConstantCells(m: Machine): number[] {
  const zs = m.zoneStruct;
  const out: number[] = [];
  for (const z of m.zones) for (const f of BOOT_CONSTANT_ZONE_FIELDS) if (zs.fieldMap.has(f)) out.push(z.addr + offsetOf(zs, f));
  return out;
}
