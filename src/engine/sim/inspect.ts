// Read-only views of the machine state, as the CLI's JSON and the debugger show them.
import type { Machine } from './machine';
import { cellsOf, offsetOf } from './layout';
import { MAX_ORDER, pindexToOrder } from './zones';
import { MIGRATETYPES } from '../lang/scenario';

export interface PcpListState { pindex: number; order: number; migratetype: string; pfns: number[] }
export interface PcpState { cpu: number; count: number; high: number; batch: number; lists: PcpListState[] }
export interface ZoneState { name: string; managedPages: number; nrFree: number[]; freePages: number; pcp: PcpState[] }
export interface MachineState {
  zones: ZoneState[];
  cpus: { cpu: number; irqsDisabled: boolean; preemptCount: number; contexts: { context: string; status: string; preemptCount: number }[] }[];
  locks: { name: string; holder: string | null; waiters: string[] }[];
}

export function listPfns(m: Machine, head: number, limit = 100000): number[] {
  const out: number[] = [];
  const lru = offsetOf(m.pageStruct, 'lru');
  let node = m.mem[head];
  for (let k = 0; node !== head && k < limit; k++) {
    if (!Number.isInteger(node) || node < 64 || node >= m.mem.length) break;
    const p = m.pageOf(node - lru);
    if (p) out.push(p.pfn);
    node = m.mem[node];
  }
  return out;
}

export function machineState(m: Machine): MachineState {
  const zs = m.zoneStruct;
  const pcps = m.pcpStruct;
  const fa = m.program.model.structs.get('free_area')!;
  const faCells = cellsOf(fa);
  const nLists = cellsOf(pcps.fieldMap.get('lists')!.type) / 2;
  const zones = m.zones.map(z => {
    const nrFree: number[] = [];
    for (let o = 0; o < MAX_ORDER; o++) nrFree.push(m.mem[z.addr + offsetOf(zs, 'free_area') + o * faCells + offsetOf(fa, 'nr_free')]);
    const pcp: PcpState[] = [];
    for (let c = 0; c < m.ncpus; c++) {
      const a = m.pcpAddr(z.index, c);
      const lists: PcpListState[] = [];
      for (let k = 0; k < nLists; k++) {
        const pfns = listPfns(m, a + offsetOf(pcps, 'lists') + 2 * k);
        if (pfns.length) lists.push({ pindex: k, order: pindexToOrder(k), migratetype: k < 12 ? MIGRATETYPES[k % 3] : 'thp', pfns });
      }
      pcp.push({ cpu: c, count: m.mem[a + offsetOf(pcps, 'count')], high: m.mem[a + offsetOf(pcps, 'high')], batch: m.mem[a + offsetOf(pcps, 'batch')], lists });
    }
    return { name: z.name, managedPages: m.mem[z.addr + offsetOf(zs, 'managed_pages')], nrFree, freePages: m.mem[z.addr + offsetOf(zs, 'vm_stat')], pcp };
  });
  const cpus = m.cpus.map(c => ({
    cpu: c.id, irqsDisabled: c.irqsDisabled, preemptCount: (m.current(c) ?? c.task).preemptCount,
    contexts: [c.task, ...c.irqs].map(x => ({ context: x.label, status: x.status, preemptCount: x.preemptCount })),
  }));
  const lockAddrs = new Set<number>();
  for (const c of m.contexts) { for (const h of c.held) lockAddrs.add(h.addr); if (c.waitingOn) lockAddrs.add(c.waitingOn); }
  const locks = [...lockAddrs].map(addr => {
    const holder = m.contexts.find(c => c.held.some(h => h.addr === addr));
    return {
      name: m.describeAddr(addr).instance,
      holder: holder ? `CPU ${holder.cpu} ${holder.label}` : null,
      waiters: m.contexts.filter(c => c.waitingOn === addr).map(c => `CPU ${c.cpu} ${c.label}`),
    };
  });
  return { zones, cpus, locks };
}
