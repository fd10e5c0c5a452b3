// Typed values as the debugger shows them: integers in decimal, pointers in hex with what
// they point at (a page by pfn, a zone by name, CPU 1's pcp), locks by their holder,
// list heads as "list: N entries" expanding into the pages on them. The debug adapter
// maps these onto DAP variables; every rule about what a value means lives here.
import type { Machine } from '../sim/machine';
import type { CheckedProgram } from '../lang/load';
import { Type, StructType, PtrType, isStruct, typeName as engineTypeName } from '../lang/types';
import { cellsOf, fieldOffset, structLayout } from '../sim/layout';
import { wrap } from '../sim/ops';
import { widthOf } from '../sim/compile';
import { PG_BUDDY } from '../sim/prims';
import { pindexToOrder, NR_LOWORDER_PCP_LISTS } from '../sim/zones';
import { enumInfo } from './enums';
import { gfpText, irqFlagsText } from './flags';

export type ValueKind = 'int' | 'bool' | 'enum' | 'pointer' | 'null' | 'struct' | 'array' | 'list' | 'lock' | 'info';

export interface TypedValue {
  typeName: string;
  display: string;
  /** the memory the value occupies (a data breakpoint watches addr .. addr + cells) */
  addr?: number;
  cells?: number;
  numeric?: number;
  expandable: boolean;
  isList?: boolean;
  // ---- beyond the contract: what childrenOf needs, and what the adapter may show ----
  kind?: ValueKind;
  /** the engine's type of the value */
  type?: Type;
  /** children are elements [0], [1], ...: page them with childCount (DAP indexedVariables) */
  indexed?: boolean;
  /** a Kernel C expression evaluating to this value (DAP evaluateName), when there is one */
  evaluateName?: string;
  enumTag?: string;
  /** for a list entry: the list head it was found on */
  listHead?: number;
  /** an integer in memory: assign() can change it (what-if) */
  editable?: boolean;
}

export interface NamedValue { name: string; value: TypedValue }

export interface ValueHints {
  /** the variable or field name: some names say how an int reads (migratetype, flags) */
  name?: string;
  enumTag?: string;
  evaluateName?: string;
  /** the struct the value is a field of (enum-typed fields) */
  owner?: StructType;
}

const MAX_LIST = 1_000_000;
const LIST_POISON1 = 0xdead000000000100;
const LIST_POISON2 = 0xdead000000000122;

// ---- machine facts, cached per machine ------------------------------------------------

interface MachineFacts {
  lru: number;
  flags: number;
  private: number;
  index: number;
  pageCells: number;
  listHead?: StructType;
  /** regions sorted by base, for naming addresses */
  regions: Machine['regions'];
}

const factsCache = new WeakMap<Machine, MachineFacts>();

function facts(m: Machine): MachineFacts {
  let f = factsCache.get(m);
  if (!f) {
    const ps = m.pageStruct;
    const off = (n: string) => { const fi = ps.fieldMap.get(n); return fi ? fieldOffset(fi) : 0; };
    f = {
      lru: off('lru'), flags: off('flags'), private: off('private'), index: off('index'), pageCells: cellsOf(ps),
      listHead: m.program.model.structs.get('list_head'),
      regions: [...m.regions].sort((a, b) => a.base - b.base),
    };
    factsCache.set(m, f);
  }
  return f;
}

function regionOf(m: Machine, addr: number): Machine['regions'][number] | undefined {
  const rs = facts(m).regions;
  let lo = 0;
  let hi = rs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rs[mid];
    if (addr < r.base) hi = mid - 1;
    else if (addr >= r.base + r.cells) lo = mid + 1;
    else return r;
  }
  return undefined;
}

export function validAddr(m: Machine, addr: number): boolean {
  return Number.isInteger(addr) && addr >= 64 && addr < m.mem.length;
}

export function hex(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 0) return '0x' + BigInt.asUintN(64, BigInt(Math.trunc(n))).toString(16);
  return '0x' + (Number.isSafeInteger(n) ? n.toString(16) : BigInt(Math.trunc(n)).toString(16));
}

function intText(v: number): string {
  return Number.isSafeInteger(v) || !Number.isFinite(v) ? String(v) : BigInt(Math.trunc(v)).toString();
}

// ---- lists: walked once per machine state --------------------------------------------

export interface ListWalk {
  nodes: number[];
  /** why the walk stopped before coming back to the head */
  broken?: string;
}

interface ListCache { epoch: number; step: number; walks: Map<number, ListWalk> }
const listCache = new WeakMap<Machine, ListCache>();

/** The nodes of the list whose head is at `head`, in list order (cached until memory changes). */
export function walkList(m: Machine, head: number): ListWalk {
  let c = listCache.get(m);
  if (!c || c.epoch !== m.memEpoch || c.step !== m.step) {
    c = { epoch: m.memEpoch, step: m.step, walks: new Map() };
    listCache.set(m, c);
  }
  let w = c.walks.get(head);
  if (w) return w;
  const nodes: number[] = [];
  const seen = new Set<number>();
  const mem = m.mem;
  let broken: string | undefined;
  let node = validAddr(m, head) ? mem[head] : head;
  if (!validAddr(m, head)) broken = `the head ${hex(head)} is not a valid address`;
  else {
    for (;;) {
      if (node === head) break;
      if (node === LIST_POISON1 || node === LIST_POISON2) { broken = `a next pointer is LIST_POISON${node === LIST_POISON1 ? 1 : 2} (an entry was deleted while linked)`; break; }
      if (!validAddr(m, node)) { broken = `a next pointer is ${hex(node)}`; break; }
      if (seen.has(node)) { broken = `the links loop back without reaching the head`; break; }
      if (nodes.length >= MAX_LIST) { broken = `more than ${MAX_LIST} entries`; break; }
      seen.add(node);
      nodes.push(node);
      node = mem[node];
    }
  }
  w = { nodes, broken };
  c.walks.set(head, w);
  return w;
}

/** The page a list node is the lru/pcp_list/buddy_list of, or undefined. */
function pageOfNode(m: Machine, node: number): { zone: { name: string; migratetype?: number }; pfn: number; addr: number } | undefined {
  const f = facts(m);
  const addr = node - f.lru;
  const p = m.pageOf(addr);
  return p ? { zone: p.zone, pfn: p.pfn, addr } : undefined;
}

/** A list_head embedded in a page is a node of some list; any other is a head. */
function isListNode(m: Machine, addr: number): boolean {
  return !!pageOfNode(m, addr);
}

/** What a list head is, from its name: a pcp list (order, migratetype by pindex) or a buddy free list. */
function listContext(m: Machine, head: number): { order?: number; migratetype?: number; pcp?: boolean } {
  const r = regionOf(m, head);
  const path = r ? fieldPath(m, r, head, facts(m).listHead) : undefined;
  if (!r || path === undefined) return {};
  let x = /^\.lists\[(\d+)\]$/.exec(path);
  if (x && r.prefix === 'pcp') {
    const pindex = Number(x[1]);
    return { order: pindexToOrder(pindex), migratetype: pindex < NR_LOWORDER_PCP_LISTS ? pindex % 3 : undefined, pcp: true };
  }
  x = /free_area\[(\d+)\]\.free_list\[(\d+)\]$/.exec(path);
  if (x && r.prefix === 'zone') return { order: Number(x[1]), migratetype: Number(x[2]) };
  return {};
}

function listSummary(w: ListWalk): string {
  const n = w.nodes.length;
  const s = `list: ${n} ${n === 1 ? 'entry' : 'entries'}`;
  return w.broken ? `${s}, then broken: ${w.broken}` : s;
}

// ---- names of addresses ----------------------------------------------------------------

/** A stack address named as the local it is: "&page in rmqueue (CPU 0 task)". */
function stackName(m: Machine, addr: number): string | undefined {
  for (const c of m.contexts) {
    if (addr < c.stackBase || addr >= c.stackEnd) continue;
    for (let i = c.frames.length - 1; i >= 0; i--) {
      const f = c.frames[i];
      if (addr < f.base || addr >= f.base + f.fn.frameCells) continue;
      const rel = addr - f.base;
      for (const v of f.fn.locals ?? []) {
        if (rel >= v.offset && rel < v.offset + cellsOf(v.type)) {
          return `${v.name}${rel > v.offset ? `+${rel - v.offset}` : ''} in ${f.fn.name} (CPU ${c.cpu} ${c.label})`;
        }
      }
      return `frame of ${f.fn.name} (CPU ${c.cpu} ${c.label})`;
    }
    return `stack of CPU ${c.cpu} ${c.label}`;
  }
  return undefined;
}

/**
 * The field path from a region's start to `addr`, stopping at an object of type `want`
 * (a pointer to a struct list_head names the list, not its first link).
 */
function fieldPath(m: Machine, r: Machine['regions'][number], addr: number, want: Type | undefined): string | undefined {
  let t: Type = r.type;
  let rel = addr - r.base;
  let path = '';
  if (r.prefix === 'page') rel %= cellsOf(m.pageStruct);
  for (let guard = 0; guard < 16; guard++) {
    if (rel === 0 && want && (t === want || (want.kind === 'int' && t.kind === 'int') || (isStruct(want) && isStruct(t) && want.tag === t.tag))) return path;
    if (t.kind === 'array') {
      const ec = cellsOf(t.of);
      const idx = Math.floor(rel / ec);
      path += `[${idx}]`;
      rel -= idx * ec;
      t = t.of;
      continue;
    }
    if (!isStruct(t) || t.lock) return rel === 0 ? path : undefined;
    const l = structLayout(t);
    let field: StructType['fields'][number] | undefined;
    for (const f of t.fields) if (l.offsets[f.slot] <= rel && l.offsets[f.slot] + cellsOf(f.type) > rel) { field = f; break; }
    if (!field) return undefined;
    path += `${path || r.prefix !== r.name ? '.' : '.'}${field.name}`;
    rel -= l.offsets[field.slot];
    t = field.type;
  }
  return path;
}

/** A name for the object of type `want` at addr: "CPU 1 Normal pcp->lists[3]", "Normal zone->lock", "pfn 37 Normal". */
export function nameAddr(m: Machine, addr: number, want?: Type): string {
  if (!validAddr(m, addr)) return addr < 64 ? 'near NULL' : hex(addr);
  const pg = m.pageOf(addr);
  if (pg) return `pfn ${pg.pfn} ${pg.zone.name}`;
  const r = regionOf(m, addr);
  if (!r) return stackName(m, addr) ?? hex(addr);
  let path = fieldPath(m, r, addr, want) ?? '';
  if (r.prefix === 'page') {
    const pc = cellsOf(m.pageStruct);
    const p = m.pageOf(addr - ((addr - r.base) % pc));
    return p ? `pfn ${p.pfn} ${p.zone.name}${path ? ` (${path.slice(1)})` : ''}` : `${r.name}${path}`;
  }
  if (path.startsWith('.') && (r.prefix === 'pcp' || r.prefix === 'zone')) path = `->${path.slice(1)}`;
  if (r.prefix === 'zone') return `${r.name}${path ? ` zone${path}` : ''}`;
  if (r.cpu !== undefined) return `CPU ${r.cpu} ${r.name}${path}`;
  return `${r.name}${path}`;
}

/** What an address holds, for a pointer's display. */
/** Which list a page is on now ("on CPU 1 pcp->lists[0]"), found by walking its links to the head; cached per state. */
const whereCache = new WeakMap<Machine, { epoch: number; step: number; at: Map<number, string> }>();

export function pageWhere(m: Machine, page: number): string {
  let c = whereCache.get(m);
  if (!c || c.epoch !== m.memEpoch || c.step !== m.step) { c = { epoch: m.memEpoch, step: m.step, at: new Map() }; whereCache.set(m, c); }
  let s = c.at.get(page);
  if (s !== undefined) return s;
  const f = facts(m);
  const node = page + f.lru;
  const next = m.mem[node];
  if (next === node) s = 'on no list';
  else if (next === LIST_POISON1 || next === LIST_POISON2) s = 'off its list (LIST_POISON)';
  else {
    s = 'on a broken list';
    let n = next;
    for (let k = 0; k < MAX_LIST && validAddr(m, n) && n !== node; k++) {
      if (!pageOfNode(m, n)) { s = `on ${nameAddr(m, n, f.listHead)}`; break; }
      n = m.mem[n];
    }
  }
  c.at.set(page, s);
  return s;
}

export function describePointee(m: Machine, t: PtrType | undefined, v: number): string {
  if (!validAddr(m, v)) return v < 64 ? '(bad pointer: near NULL)' : '(bad pointer)';
  const want = t?.to;
  if (want === m.pageStruct) {
    const pg = m.pageOf(v);
    if (pg) return `pfn ${pg.pfn} ${pg.zone.name}, ${pageWhere(m, v)}`;
  }
  if (t?.percpu) {
    const r = regionOf(m, v);
    if (r) {
      const path = fieldPath(m, r, v, want) ?? '';
      return `${r.name}${path && (r.prefix === 'pcp') ? `->${path.slice(1)}` : path} (per-CPU)`;
    }
  }
  return nameAddr(m, v, want);
}

// ---- locks -----------------------------------------------------------------------------

export function lockDisplay(m: Machine, addr: number): string {
  // "locked by CPU 1 task": where it was taken is one level down (lockChildren)
  const parts: string[] = [];
  for (const c of m.contexts) {
    for (const h of c.held) if (h.addr === addr) parts.push(`locked by CPU ${c.cpu} ${c.label}`);
  }
  if (!parts.length) parts.push(m.mem[addr] ? `locked (owner ${intText(m.mem[addr])})` : 'unlocked');
  const waiters = m.contexts.filter(c => c.waitingOn === addr && (c.status === 'running' || c.status === 'blocked'));
  if (waiters.length) parts.push(`waiters: ${waiters.map(c => `CPU ${c.cpu} ${c.label}`).join(', ')}`);
  return parts.join('; ');
}

function lockChildren(m: Machine, addr: number): NamedValue[] {
  const out: NamedValue[] = [];
  const info = (name: string, display: string) => out.push({ name, value: { typeName: '', display, expandable: false, kind: 'info' } });
  for (const c of m.contexts) {
    for (const h of c.held) {
      if (h.addr !== addr) continue;
      const at = m.locOf(h.loc);
      info('holder', `CPU ${c.cpu} ${c.label}`);
      if (at) info('taken at', `${shortFile(at.file)}:${at.line}:${at.column} (step ${h.step})`);
      info('how', `${h.how}${h.irqsave ? ', irqsave' : ''}${h.trylock ? ', trylock' : ''}${h.preempt ? ', preemption off' : ''}${h.migrate ? ', migration off' : ''}`);
    }
  }
  const waiters = m.contexts.filter(c => c.waitingOn === addr && (c.status === 'running' || c.status === 'blocked'));
  for (const w of waiters) info('waiter', `CPU ${w.cpu} ${w.label} (${w.status === 'blocked' ? 'sleeping' : 'spinning'})`);
  // lockdep's record of the lock's class (read through its checkpoint copy: the detector keeps it private)
  type Where = { file: string; line: number; ctx: string; cpu: number };
  const saved = m.lockdep.save() as { usage?: Map<string, { inHardirq?: Where; hardirqOn?: Where }>; edges?: Map<string, Map<string, Where>> };
  const cls = m.describeAddr(addr).cls;
  const u = saved.usage?.get(cls);
  const at = (w: Where) => `${shortFile(w.file)}:${w.line} (${w.ctx} on CPU ${w.cpu})`;
  if (u?.inHardirq) info('lockdep IN-HARDIRQ-W', at(u.inHardirq));
  if (u?.hardirqOn) info('lockdep HARDIRQ-ON-W', at(u.hardirqOn));
  const after = [...(saved.edges?.get(cls)?.keys() ?? [])];
  if (after.length) info('lockdep: then takes', after.join(', '));
  const before = [...(saved.edges ?? new Map<string, Map<string, Where>>())].filter(([, e]) => e.has(cls)).map(([c]) => c);
  if (before.length) info('lockdep: taken inside', before.join(', '));
  out.push({ name: 'word', value: { typeName: 'int', display: intText(m.mem[addr]), numeric: m.mem[addr], addr, cells: 1, expandable: false, kind: 'int' } });
  return out;
}

function shortFile(f: string): string {
  const i = Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\'));
  return i >= 0 ? f.slice(i + 1) : f;
}

// ---- making values ----

/**
 * The engine type rides along for childrenOf, but not enumerable: a struct type refers to
 * itself through its fields, and a value must stay printable (JSON.stringify, a log line).
 */
function typed(v: TypedValue, t: Type): TypedValue {
  Object.defineProperty(v, 'type', { value: t, enumerable: false, writable: true, configurable: true });
  return v;
}

/** Set by the evaluator: evaluates a constant expression (a macro name) in the program's global scope. */
let constEvaluator: ((m: Machine) => (text: string) => number | undefined) | undefined;
export function setConstEvaluator(f: (m: Machine) => (text: string) => number | undefined): void { constEvaluator = f; }

function enumName(p: CheckedProgram, tag: string, v: number): string | undefined {
  return enumInfo(p).names.get(tag)?.get(v);
}

function intDisplay(m: Machine, t: Type, v: number, h: ValueHints): { display: string; kind: ValueKind; enumTag?: string } {
  if (t.kind === 'int' && t.bool) return { display: v ? 'true' : 'false', kind: 'bool' };
  const p = m.program;
  const tag = h.enumTag ?? (h.owner && h.name ? enumInfo(p).fieldTags.get(h.owner)?.get(h.name) : undefined);
  if (tag) {
    const n = enumName(p, tag, v);
    return { display: n ?? intText(v), kind: 'enum', enumTag: tag };
  }
  let display = intText(v);
  const name = h.name ?? '';
  if (t.kind === 'int' && t.name === 'gfp_t' && constEvaluator) {
    const g = gfpText(m, v, constEvaluator(m));
    if (g && g !== '0') return { display: `${display} (${g})`, kind: 'int' };
  }
  if (/^(flags|irqflags|irq_flags|UP_flags)$/.test(name) && !h.owner) {
    const f = irqFlagsText(v);
    if (f) return { display: `${display} (${f})`, kind: 'int' };
  }
  if (/^(migratetype|migrate_type|mt|start_migratetype|fallback_mt)$/.test(name)) {
    const n = enumName(p, 'migratetype', v);
    if (n) display += ` (${n})`;
  } else if (name === 'flags' && h.owner === m.pageStruct) {
    if (v & PG_BUDDY) display += ' (PG_buddy)';
  }
  return { display, kind: 'int' };
}

/** A value of type t: scalars from `value` (or read at addr), structs and arrays at addr. */
export function makeValue(m: Machine, t: Type, addr: number | undefined, value: number | undefined, h: ValueHints = {}): TypedValue {
  // one object, filled in place: the adapter makes thousands of these per page of a view
  const out = typed({ typeName: engineTypeName(t), display: '', expandable: false }, t);
  if (h.evaluateName !== undefined) out.evaluateName = h.evaluateName;
  if (addr !== undefined) { out.addr = addr; out.cells = cellsOf(t); }
  if (t.kind === 'int' || t.kind === 'ptr' || t.kind === 'void' || t.kind === 'func') {
    let v = value ?? (addr !== undefined && validAddr(m, addr) ? m.mem[addr] : 0);
    if (t.kind === 'int') {
      v = wrap(v, widthOf(t));
      const d = intDisplay(m, t, v, h);
      out.display = d.display; out.numeric = v; out.kind = d.kind;
      if (d.enumTag) { out.enumTag = d.enumTag; out.typeName = `enum ${d.enumTag}`; }
      if (addr !== undefined) out.editable = true;
      return out;
    }
    out.numeric = v;
    if (t.kind !== 'ptr') { out.display = intText(v); out.kind = 'int'; return out; }
    // the engine leaves zone->name NULL; the zone's scenario name is what it means
    if (h.name === 'name' && h.owner === m.zoneStruct && addr !== undefined && !v) {
      const z = m.zoneOfAddr(addr - fieldOffset(m.zoneStruct.fieldMap.get('name')!));
      if (z) { out.display = JSON.stringify(z.name); out.kind = 'pointer'; return out; }
    }
    if (v === 0) { out.display = 'NULL'; out.kind = 'null'; return out; }
    // list_del's poison (a 64-bit constant a double holds only approximately): by name
    if (v === LIST_POISON1 || v === LIST_POISON2) { out.display = `(${out.typeName}) LIST_POISON${v === LIST_POISON1 ? 1 : 2}`; out.kind = 'pointer'; return out; }
    const what = describePointee(m, t, v);
    out.display = `(${out.typeName}) ${hex(v)}${what ? ` ${what}` : ''}`;
    out.kind = 'pointer';
    const ok = validAddr(m, v);
    const to = t.to;
    if (ok && isStruct(to) && to.tag === 'list_head' && !isListNode(m, v)) {
      out.display += ` · ${listSummary(walkList(m, v))}`;
      out.expandable = true; out.isList = true; out.indexed = true;
      return out;
    }
    out.expandable = ok && (t.percpu || to.kind === 'int' || to.kind === 'ptr' || to.kind === 'array' || (isStruct(to) && to.complete));
    if (t.percpu) out.indexed = true;
    return out;
  }
  out.kind = t.kind === 'array' ? 'array' : 'struct';
  if (addr === undefined || !validAddr(m, addr)) { out.display = '<not in memory>'; return out; }
  if (t.kind === 'array') {
    out.display = arrayDisplay(m, t.of, t.length, addr);
    out.expandable = t.length > 0; out.indexed = true;
    return out;
  }
  const st = t;
  if (st.lock) { out.display = lockDisplay(m, addr); out.numeric = m.mem[addr]; out.expandable = true; out.kind = 'lock'; return out; }
  if (st.tag === 'list_head') {
    if (isListNode(m, addr)) { out.display = nodeDisplay(m, addr); out.expandable = true; return out; }
    const w = walkList(m, addr);
    out.display = listSummary(w); out.expandable = w.nodes.length > 0; out.isList = true; out.indexed = true; out.kind = 'list';
    return out;
  }
  out.display = structDisplay(m, st, addr);
  out.expandable = st.fields.length > 0;
  return out;
}

function nodeName(m: Machine, node: number): string {
  if (node === LIST_POISON1) return 'LIST_POISON1';
  if (node === LIST_POISON2) return 'LIST_POISON2';
  const p = pageOfNode(m, node);
  if (p) return `pfn ${p.pfn}`;
  return nameAddr(m, node, facts(m).listHead);
}

function nodeDisplay(m: Machine, addr: number): string {
  const next = m.mem[addr];
  const prev = m.mem[addr + 1];
  if (next === addr && prev === addr) return 'not on a list (self-linked)';
  return `{next = ${nodeName(m, next)}, prev = ${nodeName(m, prev)}}`;
}

function arrayDisplay(m: Machine, of: Type, length: number, addr: number): string {
  if (isStruct(of) && of.tag === 'list_head') {
    let entries = 0;
    let nonEmpty = 0;
    const stride = cellsOf(of);
    for (let i = 0; i < length; i++) {
      const n = walkList(m, addr + i * stride).nodes.length;
      entries += n;
      if (n) nonEmpty++;
    }
    return `${length} lists, ${nonEmpty} non-empty, ${entries} ${entries === 1 ? 'entry' : 'entries'}`;
  }
  if (isStruct(of) && of.tag === 'free_area') {
    // as /proc/buddyinfo shows a zone: free blocks per order
    const f = of.fieldMap.get('nr_free');
    if (f) {
      const stride = cellsOf(of);
      const off = fieldOffset(f);
      const n: string[] = [];
      for (let i = 0; i < length; i++) n.push(intText(m.mem[addr + i * stride + off]));
      return `nr_free by order: ${n.join(' ')}`;
    }
  }
  if ((of.kind === 'int' || of.kind === 'ptr') && length <= 16) {
    const items: string[] = [];
    for (let i = 0; i < length; i++) items.push(of.kind === 'int' ? intDisplay(m, of, wrap(m.mem[addr + i], widthOf(of)), {}).display : m.mem[addr + i] ? hex(m.mem[addr + i]) : 'NULL');
    return `{${items.join(', ')}}`;
  }
  return `[${length}]`;
}

function structDisplay(m: Machine, st: StructType, addr: number): string {
  if (st === m.pageStruct) {
    const pg = m.pageOf(addr);
    if (pg) {
      const f = facts(m);
      const buddy = (m.mem[addr + f.flags] & PG_BUDDY) !== 0;
      return `pfn ${pg.pfn} ${pg.zone.name}${buddy ? `, buddy order ${intText(m.mem[addr + f.private])}` : ''}`;
    }
  }
  if (st === m.zoneStruct) {
    const z = m.zoneOfAddr(addr);
    const vs = st.fieldMap.get('vm_stat');
    if (z) return vs ? `${z.name}, ${intText(m.mem[addr + fieldOffset(vs)])} free pages` : z.name;
  }
  // a shallow summary of the scalar fields, as debuggers show a struct before expansion
  const parts: string[] = [];
  let len = 0;
  const l = structLayout(st);
  for (const f of st.fields) {
    const ft = f.type;
    const lock = isStruct(ft) && !!ft.lock;
    if (ft.kind !== 'int' && ft.kind !== 'ptr' && !lock) continue;
    const a = addr + (l.offsets[f.slot] ?? 0);
    const v = m.mem[a];
    const s = lock ? lockDisplay(m, a) : ft.kind === 'int' ? intDisplay(m, ft, wrap(v, widthOf(ft)), { name: f.name, owner: st }).display : v ? hex(v) : 'NULL';
    const item = `${f.name} = ${s}`;
    if (len + item.length > 100) { parts.push('...'); break; }
    parts.push(item);
    len += item.length + 2;
  }
  return `{${parts.join(', ')}}`;
}

// ---- children ----------------------------------------------------------------------------

/** Wraps an expression so that appending .x, ->x or [i] keeps its meaning. */
function operand(e: string): string {
  return /[\s+\-*/%&|^?:<>!~=,]/.test(e.replace(/->/g, '')) && !/^[A-Za-z_]\w*\([^()]*\)$/.test(e) ? `(${e})` : e;
}

function child(parentName: string | undefined, suffix: string): string | undefined {
  return parentName === undefined ? undefined : `${operand(parentName)}${suffix}`;
}

function fieldChildren(m: Machine, st: StructType, addr: number, parentName: string | undefined, arrow: boolean): NamedValue[] {
  const out: NamedValue[] = [];
  if (st === m.pageStruct) {
    const pg = m.pageOf(addr);
    if (pg) out.push({ name: 'pfn', value: { typeName: 'unsigned long', display: String(pg.pfn), numeric: pg.pfn, expandable: false, kind: 'int', evaluateName: parentName === undefined ? undefined : arrow ? `page_to_pfn(${parentName})` : `page_to_pfn(&${operand(parentName)})` } });
  }
  const l = structLayout(st);
  for (const f of st.fields) {
    const a = addr + (l.offsets[f.slot] ?? 0);
    out.push({ name: f.name, value: makeValue(m, f.type, a, undefined, { name: f.name, owner: st, evaluateName: child(parentName, `${arrow ? '->' : '.'}${f.name}`) }) });
  }
  return out;
}

function listEntry(m: Machine, head: number, node: number, i: number, ctx: ReturnType<typeof listContext>): NamedValue {
  const p = pageOfNode(m, node);
  const name = `[${i}]`;
  if (!p) {
    const lh = facts(m).listHead;
    const t: Type = lh ? { kind: 'ptr', to: lh, percpu: false } : { kind: 'int', name: 'unsigned long', bits: 64, signed: false };
    const v = makeValue(m, t, undefined, node, { evaluateName: `((struct list_head *)${hex(node)})` });
    v.listHead = head;
    return { name, value: v };
  }
  const f = facts(m);
  const extra: string[] = [];
  const order = ctx.order ?? ((m.mem[p.addr + f.flags] & PG_BUDDY) ? m.mem[p.addr + f.private] : undefined);
  if (order !== undefined) extra.push(`order ${order}`);
  const mt = ctx.migratetype ?? (ctx.pcp ? m.mem[p.addr + f.index] : undefined);
  if (mt !== undefined) extra.push(enumName(m.program, 'migratetype', mt) ?? `migratetype ${mt}`);
  const t: PtrType = { kind: 'ptr', to: m.pageStruct, percpu: false };
  return {
    name,
    value: typed({
      typeName: 'struct page *', display: `pfn ${p.pfn}${extra.length ? `, ${extra.join(', ')}` : ''}`,
      // a data breakpoint on an entry watches the page itself
      addr: p.addr, cells: f.pageCells, numeric: p.addr, expandable: true, kind: 'pointer',
      evaluateName: `pfn_to_page(${p.pfn})`, listHead: head,
    }, t),
  };
}

/** The children of a value: struct fields, array elements, list entries, per-CPU instances. */
export function childrenOf(m: Machine, v: TypedValue, start = 0, count?: number): NamedValue[] {
  const t = v.type;
  if (!t || !v.expandable) return [];
  start = Math.max(0, Math.floor(Number.isFinite(start) ? start : 0));
  const limit = count === undefined || !Number.isFinite(count) ? Infinity : Math.max(0, Math.floor(count));
  const page = (n: number, make: (i: number) => NamedValue): NamedValue[] => {
    const out: NamedValue[] = [];
    const end = Math.min(n, start + limit);
    for (let i = start; i < end; i++) out.push(make(i));
    return out;
  };
  const slice = (all: NamedValue[]) => all.slice(start, limit === Infinity ? undefined : start + limit);
  const name = v.evaluateName;
  if (t.kind === 'ptr') {
    const p = v.numeric ?? 0;
    if (!validAddr(m, p)) return [];
    if (t.percpu) {
      const stride = m.percpuStride;
      const to: PtrType = { kind: 'ptr', to: t.to, percpu: false };
      return page(m.ncpus, c => ({ name: `[CPU ${c}]`, value: makeValue(m, to, undefined, p + c * stride, { evaluateName: name === undefined ? undefined : `per_cpu_ptr(${name}, ${c})` }) }));
    }
    const to = t.to;
    if (v.isList) return listChildren(m, p, start, limit);
    if (isStruct(to)) {
      if (to.lock) return slice(lockChildren(m, p));
      return slice(fieldChildren(m, to, p, name, true));
    }
    if (to.kind === 'int' || to.kind === 'ptr' || to.kind === 'array') {
      return start === 0 && limit > 0 ? [{ name: name === undefined ? '*' : `*${operand(name)}`, value: makeValue(m, to, p, undefined, { evaluateName: name === undefined ? undefined : `*${operand(name)}` }) }] : [];
    }
    return [];
  }
  const addr = v.addr;
  if (addr === undefined || !validAddr(m, addr)) return [];
  if (t.kind === 'array') {
    const stride = cellsOf(t.of);
    return page(t.length, i => {
      const a = addr + i * stride;
      const ev = child(name, `[${i}]`);
      const val = makeValue(m, t.of, a, undefined, { evaluateName: ev });
      // pcp->lists[i] says which order and migratetype it holds
      if (val.isList && val.kind === 'list') {
        const c = listContext(m, a);
        if (c.order !== undefined) {
          const mt = c.migratetype !== undefined ? enumName(m.program, 'migratetype', c.migratetype) ?? `migratetype ${c.migratetype}` : c.pcp ? 'THP' : undefined;
          val.display += ` (order ${c.order}${mt ? `, ${mt}` : ''})`;
        }
      }
      return { name: `[${i}]`, value: val };
    });
  }
  if (isStruct(t)) {
    if (t.lock) return slice(lockChildren(m, addr));
    if (t.tag === 'list_head') {
      if (v.isList) return listChildren(m, addr, start, limit);
      // a node: its links
      const lp: PtrType = { kind: 'ptr', to: t, percpu: false };
      return slice([
        { name: 'next', value: makeValue(m, lp, addr, undefined, { evaluateName: child(name, '.next') }) },
        { name: 'prev', value: makeValue(m, lp, addr + 1, undefined, { evaluateName: child(name, '.prev') }) },
      ]);
    }
    return slice(fieldChildren(m, t, addr, name, false));
  }
  return [];
}

function listChildren(m: Machine, head: number, start: number, limit: number): NamedValue[] {
  const w = walkList(m, head);
  const ctx = listContext(m, head);
  const out: NamedValue[] = [];
  const end = Math.min(w.nodes.length, start + limit);
  for (let i = start; i < end; i++) out.push(listEntry(m, head, w.nodes[i], i, ctx));
  return out;
}

/** How many children childrenOf gives (DAP indexedVariables / namedVariables). */
export function childCount(m: Machine, v: TypedValue): number {
  const t = v.type;
  if (!t || !v.expandable) return 0;
  if (t.kind === 'ptr') {
    const p = v.numeric ?? 0;
    if (!validAddr(m, p)) return 0;
    if (t.percpu) return m.ncpus;
    if (v.isList) return walkList(m, p).nodes.length;
    const to = t.to;
    if (isStruct(to)) return to.lock ? lockChildren(m, p).length : to.fields.length + (to === m.pageStruct && m.pageOf(p) ? 1 : 0);
    return 1;
  }
  if (v.addr === undefined || !validAddr(m, v.addr)) return 0;
  if (t.kind === 'array') return t.length;
  if (isStruct(t)) {
    if (t.lock) return lockChildren(m, v.addr).length;
    if (t.tag === 'list_head') return v.isList ? walkList(m, v.addr).nodes.length : 2;
    return t.fields.length + (t === m.pageStruct && m.pageOf(v.addr) ? 1 : 0);
  }
  return 0;
}

/**
 * What a data breakpoint compares between steps: the cells of a value, and for a list
 * its entries in order (a page moving in the middle of a list changes no head cell).
 */
export function dataSignature(m: Machine, v: TypedValue): string {
  const parts: number[] = [];
  if (v.addr !== undefined && v.cells !== undefined && validAddr(m, v.addr)) {
    const end = Math.min(m.mem.length, v.addr + Math.min(v.cells, 1 << 16));
    for (let a = v.addr; a < end; a++) parts.push(m.mem[a]);
  }
  if (v.isList) {
    const head = v.kind === 'pointer' ? v.numeric : v.addr;
    if (head !== undefined) { const w = walkList(m, head); parts.push(-1, w.nodes.length, ...w.nodes.slice(0, 1 << 16)); }
  }
  return parts.join(',');
}
