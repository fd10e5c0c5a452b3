// The debugger's views of the machine as trees of named values: the CPU of a frame,
// the per-CPU page lists, the zones' free areas, every lock, the findings. Children are
// produced on demand and in pages, so 256 CPUs or a 4096-page list cost only what is
// shown. Nodes that are memory carry their address (data breakpoints, what-if edits).
import type { Machine } from '../sim/machine';
import type { Context, Finding } from '../sim/state';
import type { Type, StructType } from '../lang/types';
import { isStruct, typeName } from '../lang/types';
import { cellsOf, offsetOf, structLayout } from '../sim/layout';
import { listPfns } from '../sim/inspect';
import { MAX_ORDER, pindexToOrder } from '../sim/zones';
import { MIGRATETYPES } from '../lang/scenario';
import { lockAddresses, lockInfo } from './locks';
import { describeContext } from './stacks';

export interface ViewNode {
  name: string;
  value: string;
  type?: string;
  /** how many children; with `indexed` they are paged by index */
  count?: number;
  indexed?: boolean;
  children?: (start: number, count: number) => ViewNode[];
  /** the memory behind the value */
  addr?: number;
  cells?: number;
  list?: boolean;
  /** a numeric cell the user may change (what-if) */
  editable?: boolean;
  /** a Kernel C expression for the value (watch, copy as expression) */
  expression?: string;
}

function leaf(name: string, value: string | number | boolean, extra: Partial<ViewNode> = {}): ViewNode {
  return { name, value: String(value), ...extra };
}

function group(name: string, value: string, kids: () => ViewNode[], extra: Partial<ViewNode> = {}): ViewNode {
  let cached: ViewNode[] | undefined;
  const all = () => (cached ??= kids());
  return { name, value, children: (s, c) => all().slice(s, s + c), get count() { return all().length; }, ...extra } as ViewNode;
}

function paged(name: string, value: string, count: number, at: (i: number) => ViewNode, extra: Partial<ViewNode> = {}): ViewNode {
  return {
    name, value, count, indexed: true, ...extra,
    children: (s, c) => { const out: ViewNode[] = []; for (let i = s; i < Math.min(count, s + c); i++) out.push(at(i)); return out; },
  };
}

/** A list_head of pages (linked by page->lru), paged by pfn. */
export function pageListNode(m: Machine, name: string, head: number, expression?: string): ViewNode {
  const pfns = listPfns(m, head);
  return paged(name, pfns.length ? `${pfns.length} page${pfns.length === 1 ? '' : 's'}: pfn ${pfns.slice(0, 8).join(', ')}${pfns.length > 8 ? ', …' : ''}` : 'empty',
    pfns.length, i => leaf(`[${i}]`, `pfn ${pfns[i]}`, { type: 'struct page *' }), { addr: head, cells: 2, list: true, type: 'struct list_head', expression });
}

// ---- CPU ----
export function cpuNodes(m: Machine, cpuId: number, ctx: Context | undefined): ViewNode[] {
  const cpu = m.cpus[cpuId];
  const c = ctx ?? m.current(cpu) ?? cpu.task;
  const out: ViewNode[] = [
    leaf('cpu', cpuId),
    leaf('context', `${c.label}${c.kind === 'irqthread' ? ' (threaded handler)' : ''}`),
    leaf('status', describeContext(m, c)),
    leaf('irqs_disabled', cpu.irqsDisabled && c.kind !== 'irqthread' ? 1 : cpu.irqsDisabled ? 1 : 0),
    leaf('preempt_count', `0x${(c.preemptCount + (c.kind === 'hardirq' ? 0x10000 : 0)).toString(16).padStart(8, '0')}`),
    leaf('in_hardirq', c.kind === 'hardirq' ? 1 : 0),
    leaf('migrate_disable', c.migrateDisable),
  ];
  if (c.waitingOn) out.push(leaf('waiting_on', m.describeAddr(c.waitingOn).instance));
  out.push(group('held_locks', c.held.length ? c.held.map(h => m.describeAddr(h.addr).instance).join(', ') : 'none', () => c.held.map((h, i) => {
    const r = m.locOf(h.loc);
    return leaf(`[${i}]`, `${m.describeAddr(h.addr).instance} taken at ${r.file.split(/[\\/]/).pop()}:${r.line} (step ${h.step})${h.irqsave ? ', irqsave' : ''}${h.trylock ? ', trylock' : ''}`);
  })));
  out.push(group('interrupts', cpu.irqs.length ? `${cpu.irqs.length} handler(s)` : 'none', () => cpu.irqs.map((irq, k) => leaf(irq.name,
    `${irq.status}${irq.status === 'idle' ? `, ${irq.arrivalsLeft} arrival(s) left${m.canDeliver(cpuId, k) ? ', can arrive now' : ''}` : ''}`))));
  if (m.cpus[cpuId].stack.length > 1) out.push(leaf('nesting', m.cpus[cpuId].stack.map(x => x.label).join(' > ')));
  return out;
}

// ---- per-CPU lists ----
/**
 * Per zone, the frame's CPU's pcp itself (count, high, batch, its lists: the one a kernel
 * developer looks at, one click away), then `all CPUs`, paged, the frame's first.
 */
export function pcpNodes(m: Machine, cpuFirst: number): ViewNode[] {
  return m.zones.map(z => {
    const own = pcpNode(m, z.index, cpuFirst);
    const order = [cpuFirst, ...Array.from({ length: m.ncpus }, (_x, i) => i).filter(i => i !== cpuFirst)];
    return group(z.name, `cpu ${cpuFirst}: ${own.value}`, () => [
      ...own.children!(0, own.count ?? 0),
      paged('all CPUs', `${m.ncpus} CPU(s)`, m.ncpus, i => pcpNode(m, z.index, order[i])),
    ], { addr: own.addr, cells: own.cells, expression: own.expression, type: own.type });
  });
}

export function pcpNode(m: Machine, zoneIndex: number, cpu: number): ViewNode {
  const a = m.pcpAddr(zoneIndex, cpu);
  const st = m.pcpStruct;
  const get = (f: string) => m.mem[a + offsetOf(st, f)];
  const zname = m.zones[zoneIndex].name;
  const expr = `per_cpu_ptr(${zname}->per_cpu_pageset, ${cpu})`;
  return group(`cpu ${cpu}`, `count=${get('count')} high=${get('high')} batch=${get('batch')}`, () => {
    const out: ViewNode[] = [];
    for (const f of ['count', 'high', 'batch', 'free_factor', 'expire']) {
      if (!st.fieldMap.has(f)) continue;
      out.push(leaf(f, get(f), { addr: a + offsetOf(st, f), cells: 1, editable: true, type: typeName(st.fieldMap.get(f)!.type), expression: `${expr}->${f}` }));
    }
    if (st.fieldMap.has('lock')) out.push(lockNode(m, a + offsetOf(st, 'lock'), 'lock'));
    const lists = a + offsetOf(st, 'lists');
    const n = cellsOf(st.fieldMap.get('lists')!.type) / 2;
    out.push(group('lists', `${n} lists`, () => {
      const kids: ViewNode[] = [];
      for (let k = 0; k < n; k++) {
        const mt = k < 12 ? MIGRATETYPES[k % 3] : 'thp';
        kids.push(pageListNode(m, `[${k}] order ${pindexToOrder(k)} ${mt}`, lists + 2 * k, `${expr}->lists[${k}]`));
      }
      return kids;
    }));
    return out;
  }, { addr: a, cells: cellsOf(st), expression: expr, type: 'struct per_cpu_pages' });
}

// ---- zones ----
export function zoneNodes(m: Machine): ViewNode[] {
  const zs = m.zoneStruct;
  const fa = m.program.model.structs.get('free_area')!;
  const faCells = cellsOf(fa);
  const nMt = cellsOf(fa.fieldMap.get('free_list')!.type) / 2;
  return m.zones.map(z => {
    const a = z.addr;
    return group(z.name, `managed=${m.mem[a + offsetOf(zs, 'managed_pages')]} free=${m.mem[a + offsetOf(zs, 'vm_stat')]}`, () => {
      const out: ViewNode[] = [];
      for (const f of ['managed_pages', 'present_pages', 'zone_start_pfn', 'pageset_high', 'pageset_batch']) {
        if (zs.fieldMap.has(f)) out.push(leaf(f, m.mem[a + offsetOf(zs, f)], { addr: a + offsetOf(zs, f), cells: 1, editable: true, expression: `${z.name}->${f}` }));
      }
      out.push(leaf('NR_FREE_PAGES', m.mem[a + offsetOf(zs, 'vm_stat')], { addr: a + offsetOf(zs, 'vm_stat'), cells: 1, editable: true, expression: `${z.name}->vm_stat[NR_FREE_PAGES]` }));
      const wm = a + offsetOf(zs, '_watermark');
      out.push(leaf('watermarks', `min=${m.mem[wm]} low=${m.mem[wm + 1]} high=${m.mem[wm + 2]}`));
      out.push(lockNode(m, a + offsetOf(zs, 'lock'), 'lock'));
      out.push(paged('free_area', `${MAX_ORDER} orders`, MAX_ORDER, o => {
        const base = a + offsetOf(zs, 'free_area') + o * faCells;
        const nr = m.mem[base + offsetOf(fa, 'nr_free')];
        return group(`[${o}]`, `nr_free=${nr}`, () => {
          const kids: ViewNode[] = [leaf('nr_free', nr, { addr: base + offsetOf(fa, 'nr_free'), cells: 1, editable: true, expression: `${z.name}->free_area[${o}].nr_free` })];
          for (let t = 0; t < nMt; t++) kids.push(pageListNode(m, `free_list[${MIGRATETYPES[t] ?? t}]`, base + offsetOf(fa, 'free_list') + 2 * t, `${z.name}->free_area[${o}].free_list[${t}]`));
          return kids;
        });
      }));
      return out;
    }, { addr: a, cells: cellsOf(zs), expression: z.name, type: 'struct zone' });
  });
}

// ---- locks ----
export function lockNode(m: Machine, addr: number, name?: string): ViewNode {
  const info = lockInfo(m, addr);
  const h = info.holders[0];
  const value = h ? `held by CPU ${h.context.cpu} ${h.context.label}${info.waiters.length ? `, ${info.waiters.length} waiting` : ''}` : info.waiters.length ? `free, ${info.waiters.length} waiting` : 'free';
  return group(name ?? info.name, value, () => {
    const out: ViewNode[] = [leaf('name', info.name), leaf('type', info.kind)];
    if (h) {
      out.push(leaf('holder', `CPU ${h.context.cpu} ${h.context.label}`));
      out.push(leaf('taken at', `${h.where.file}:${h.where.line}:${h.where.column}`));
      out.push(leaf('since step', h.held.step));
      out.push(leaf('irqsave', h.held.irqsave ? 1 : 0));
      if (info.holders.length > 1) out.push(leaf('also held by', info.holders.slice(1).map(x => `CPU ${x.context.cpu} ${x.context.label}`).join(', ')));
    } else out.push(leaf('holder', 'none'));
    out.push(group('waiters', info.waiters.length ? info.waiters.map(w => `CPU ${w.cpu} ${w.label}`).join(', ') : 'none',
      () => info.waiters.map((w, i) => leaf(`[${i}]`, `CPU ${w.cpu} ${w.label} (${w.status === 'blocked' ? 'sleeping' : 'spinning'})`))));
    out.push(group('lockdep', info.lockdep.length ? info.lockdep.map(u => u.usage).join(', ') : 'no usage recorded', () =>
      info.lockdep.map(u => leaf(u.usage, `${u.file}:${u.line} (${u.context} on CPU#${u.cpu})`))));
    return out;
  }, { addr, cells: 1, type: info.kind });
}

export function lockNodes(m: Machine): ViewNode[] {
  const addrs = lockAddresses(m);
  // held and contended locks first: those are the ones a stop is about
  const busy = (a: number) => m.contexts.some(c => c.waitingOn === a || c.held.some(h => h.addr === a));
  const sorted = [...addrs.filter(busy), ...addrs.filter(a => !busy(a))];
  return [paged('all locks', `${sorted.filter(busy).length} held or contended of ${sorted.length}`, sorted.length, i => lockNode(m, sorted[i]))];
}

/** Held/contended locks directly, then every lock paged. */
export function locksScope(m: Machine): ViewNode[] {
  const addrs = lockAddresses(m);
  const busy = addrs.filter(a => m.contexts.some(c => c.waitingOn === a || c.held.some(h => h.addr === a)));
  // locks not in static memory (a lock in a page or on a stack) still show when held
  for (const c of m.contexts) for (const h of c.held) if (!busy.includes(h.addr)) busy.push(h.addr);
  return [...busy.map(a => lockNode(m, a)), ...lockNodes(m)];
}

// ---- findings ----
export function findingNodes(m: Machine): ViewNode[] {
  return m.findings.map((f, i) => findingNode(f, i));
}

export function findingNode(f: Finding, i: number): ViewNode {
  return group(`[${i}] ${f.kind}`, f.message.split('\n')[0], () => [
    leaf('kind', f.kind),
    leaf('message', f.message.replace(/\n/g, ' ⏎ ')),
    leaf('step', f.step),
    leaf('cpu', f.cpu),
    leaf('context', f.context),
    leaf('location', `${f.location.file}:${f.location.line}:${f.location.column}`),
    leaf('schedule', f.schedule),
    group('stacks', `${f.stacks.length}`, () => f.stacks.map(s => group(`CPU ${s.cpu} ${s.context}`, s.frames[0]?.function ?? '', () =>
      s.frames.map((fr, k) => leaf(`#${k} ${fr.function}`, `${fr.file}:${fr.line}:${fr.column}`))))),
  ]);
}

// ---- generic memory (frame arguments until the evaluator supplies typed locals) ----
export function memoryNode(m: Machine, name: string, t: Type, addr: number, expression?: string): ViewNode {
  if (t.kind === 'int' || t.kind === 'ptr') {
    const v = m.mem[addr];
    const shown = t.kind === 'ptr' ? (v ? describePtr(m, v) : 'NULL') : String(v);
    return leaf(name, shown, { addr, cells: 1, editable: t.kind === 'int', type: typeName(t), expression });
  }
  if (t.kind === 'array') {
    const ec = cellsOf(t.of);
    return paged(name, `${typeName(t.of)}[${t.length}]`, t.length, i => memoryNode(m, `[${i}]`, t.of, addr + i * ec, expression && `${expression}[${i}]`), { addr, cells: cellsOf(t), type: typeName(t), expression });
  }
  if (isStruct(t)) {
    if (t.lock) return lockNode(m, addr, name);
    if (t.tag === 'list_head') return pageListNode(m, name, addr, expression);
    const st = t as StructType;
    const l = structLayout(st);
    return group(name, `struct ${st.tag}`, () => st.fields.map(f => memoryNode(m, f.name, f.type, addr + l.offsets[f.slot], expression && `${expression}.${f.name}`)), { addr, cells: cellsOf(t), type: typeName(t), expression });
  }
  return leaf(name, '?');
}

function describePtr(m: Machine, v: number): string {
  const p = m.pageOf(v);
  if (p) return `(struct page *) pfn ${p.pfn}`;
  const z = m.zoneOfAddr(v);
  if (z) return `(struct zone *) ${z.name}`;
  return `0x${v.toString(16)} (${m.describeAddr(v).instance})`;
}
