// trace.dat records into the EventStore the text importers fill: the per-CPU record streams
// merged by timestamp (ties: the lower CPU first, as trace-cmd report does; each CPU keeps
// its own order), each record's common fields and event fields put in the same columns
// with the same meaning as a parsed text line. A .dat has no lines: `line` is the record's
// 1-based index in the merged order (kernel_stack records and skipped records count), and
// warnings use the same numbering.
import type { ImportedTrace, TraceWarning } from '../import';
import { EventStore, FLAG_BATCH_FIRST_PASS, FLAG_BH_OFF, FLAG_HARDIRQ, FLAG_IRQS_OFF, FLAG_NEED_RESCHED, FLAG_NMI, FLAG_SOFTIRQ, notKeptWarning } from '../store';
import { EV, KNOWN_EVENTS, LAST_KNOWN, PCP_KPROBES } from '../eventKinds';
import type { DatFile } from './file';
import type { CpuRecords } from './ring';
import type { Field } from './format';
import { EventPlan, KIND_STACK } from './events';
import { FieldReader } from './fieldReader';
import { Symbols } from './symbols';
import { Tasks } from './tasks';
import { PrintkFormats } from './printk';
import { gfpText, otherText, printkText } from './eventText';
import { mergedOrder } from './merge';
import { RecordTexts, recordTextAt } from './recordTexts';
import type { LostEvents } from '../lost';


/** other events whose text is printed at import: the pcp kprobes the reconstruction reads
 * (the rest are printed when asked for, see recordTexts.ts) */
const TEXT_KEPT = new Set<string>(Object.values(PCP_KPROBES));

/** Same cap as the text importers' MAX_WARNINGS. */
const MAX_WARNINGS = 1000;

// common_flags bits (enum trace_flag_type in include/linux/trace_events.h)
const TF_IRQS_OFF = 0x01, TF_NEED_RESCHED = 0x04, TF_HARDIRQ = 0x08, TF_SOFTIRQ = 0x10, TF_PREEMPT_RESCHED = 0x20, TF_NMI = 0x40, TF_BH_OFF = 0x80;

/** The store's FLAG_* bits for a record's common_flags (what the raw text's flag column shows). */
export function storeFlags(cf: number): number {
  let f = 0;
  if (cf & TF_IRQS_OFF) f |= FLAG_IRQS_OFF;
  if (cf & TF_BH_OFF) f |= FLAG_BH_OFF;
  if (cf & (TF_NEED_RESCHED | TF_PREEMPT_RESCHED)) f |= FLAG_NEED_RESCHED;
  if (cf & TF_NMI) f |= FLAG_NMI;
  if (cf & TF_HARDIRQ) f |= FLAG_HARDIRQ;
  if (cf & TF_SOFTIRQ) f |= FLAG_SOFTIRQ;
  return f;
}

/** ns to seconds as the text formats show them: rounded to the microsecond (the kernel's
 * ns2usecs and trace-cmd report both add 500 ns before dividing). */
export function seconds(ns: number): number {
  const us = Math.floor((ns + 500) / 1000);
  const s = Math.floor(us / 1e6);
  return s + (us - s * 1e6) / 1e6;
}

export interface AdapterInput {
  file: string;
  bytes: number;
  dat: DatFile;
  cpus: CpuRecords[];
  plans: { get(id: number): EventPlan | undefined };
  commonType: Field;
  warnings: TraceWarning[];
}

export function toImportedTrace(inp: AdapterInput): ImportedTrace {
  const { dat, cpus, plans } = inp;
  let total = 0;
  for (const c of cpus) total += c.count;
  const st = new EventStore(Math.max(4096, total));
  for (const n of KNOWN_EVENTS) st.strings.id(n);
  if (st.strings.id(KNOWN_EVENTS[LAST_KNOWN - 1]) !== LAST_KNOWN) throw new Error('event name ids out of order');

  const warnings = inp.warnings;
  let moreWarnings = 0;
  const warn = (line: number, message: string) => { if (warnings.length < MAX_WARNINGS) warnings.push({ line, message }); else moreWarnings++; };
  const symbols = new Symbols(dat.kallsyms);
  const tasks = new Tasks(dat.cmdlines);
  const taskIds = new Map<number, number>();
  const rd = new FieldReader(dat.bigEndian, symbols);
  const printk = new PrintkFormats(dat.printk);
  const gfpIds = new Map<number, number>();
  // per CPU slot (index in `cpus`): its last event, and its contention_begin still waiting
  // for the stack trace its trigger logs
  const lastOnCpu = new Int32Array(cpus.length).fill(-1);
  const contentionOnCpu = new Int32Array(cpus.length).fill(-1);
  // event plans by id, looked up once per id
  const planOf: (EventPlan | null | undefined)[] = [];
  const pendingFree = new Map<number, number>();
  const longSize = dat.longSize;
  const unknownIds = new Set<number>();
  let stackTraces = 0;
  // x86-tsc with trace-cmd's TSC2NSEC option: cycles to ns as trace-cmd converts them
  const tsc = dat.tsc2nsec && dat.traceClock === 'x86-tsc' && dat.tsc2nsec.mult ? dat.tsc2nsec : undefined;
  const toNs = tsc ? (c: number) => Number(((BigInt(c) * BigInt(tsc.mult)) >> BigInt(tsc.shift)) + tsc.offset) : (c: number) => c;
  if (!tsc && /^(counter|x86-tsc)$/.test(dat.traceClock)) warn(0, `trace clock '${dat.traceClock}' counts cycles or events, not nanoseconds: timestamps are those counts / 1e9`);

  // lost events, by CPU and the record index they precede
  const lostAt = cpus.map(c => c.lost.slice());
  const lostEvents: LostEvents[] = [];

  const order = mergedOrder(cpus);
  // (the type of a record, for the texts printed later: the plan found as the import found it)
  const planAt = (r: FieldReader): EventPlan | null => {
    if (r.length < ctOff + ctSize) return null;
    const p = planOf[r.num(ctOff, ctSize, false)];
    return p && p.kind === 0 ? p : null;
  };
  let textsLater = false;

  let recNo = 0;
  const ctOff = inp.commonType.offset, ctSize = inp.commonType.size;
  for (let n = 0; n < order.cpu.length; n++) {
    const c = order.cpu[n];
    const cr = cpus[c];
    const k = order.record[n];
    recNo++;
    const cpu = cr.cpu;
    const lost = lostAt[c];
    while (lost.length && lost[0][0] <= k) {
      const [, n] = lost.shift()!;
      lostEvents.push({ cpu, events: n >= 0 ? n : null, line: recNo, before: st.length });
    }
    const length = cr.length[k];
    rd.at(cr.data, cr.start[k], length);
    if (length < ctOff + ctSize) { warn(recNo, `CPU ${cpu}: record of ${length} bytes is too short for an event header`); continue; }
    const type = rd.num(ctOff, ctSize, false);
    let plan = planOf[type];
    if (plan === undefined) {
      plan = planOf[type] = plans.get(type) ?? null;
      if (plan && plan.kind >= 0) plan.nameId = plan.kind > 0 ? plan.kind : st.strings.id(plan.format.name);
    }
    if (!plan) {
      if (!unknownIds.has(type)) { unknownIds.add(type); warn(recNo, `CPU ${cpu}: event id ${type} has no format in the file (record skipped; later ones with this id are skipped silently)`); }
      continue;
    }
    if (plan.kind === KIND_STACK) {
      stackTraces++;
      const owner = contentionOnCpu[c];
      const at = owner >= 0 ? owner : lastOnCpu[c];
      contentionOnCpu[c] = -1;
      const f = plan.caller;
      if (at < 0 || !f) continue;
      const frames: number[] = [];
      for (let off = f.offset; off + longSize <= length; off += longSize) {
        const a = rd.big(off, longSize, false);
        if (a === (longSize === 8 ? 0xffffffffffffffffn : 0xffffffffn)) break;
        if (a === 0n) continue;
        frames.push(st.strings.id(symbols.name(a) || a.toString(16)));
      }
      st.stacks.set(at, frames);
      continue;
    }
    const cm = plan.common;
    if (length < plan.commonEnd) { warn(recNo, `CPU ${cpu}: ${plan.format.name} record of ${length} bytes is too short for its common fields`); continue; }
    const i = st.push();
    st.name[i] = plan.nameId;
    st.cpu[i] = cpu;
    st.ts[i] = seconds(toNs(cr.ts[k]) + dat.tsOffset);
    const pid = cm.pid ? rd.field(cm.pid) : -1;
    st.pid[i] = pid;
    let tid = taskIds.get(pid);
    if (tid === undefined) { tid = st.strings.id(tasks.name(pid)); taskIds.set(pid, tid); }
    st.task[i] = tid;
    st.flags[i] = cm.flags ? storeFlags(rd.field(cm.flags)) : 0;
    // the low nibble is the preempt depth (the high one migrate-disable)
    if (cm.preempt) st.preempt[i] = rd.field(cm.preempt) & 0xf;
    st.line[i] = recNo;
    if (plan.kind === 0 && !plan.printk && !TEXT_KEPT.has(plan.format.name)) {
      st.textAt[i] = recordTextAt(c, k);
      textsLater = true;
      lastOnCpu[c] = i;
      continue;
    }
    const err = fill(st, i, plan, rd, symbols, gfpIds, printk, longSize);
    if (err) { st.pop(); warn(recNo, `${plan.format.name}: ${err}`); continue; }
    const kind = plan.kind;
    lastOnCpu[c] = i;
    if (kind === EV.contention_begin) contentionOnCpu[c] = i;
    // free_unref_page_list() logs each page twice (mm_page_free in its first pass,
    // mm_page_free_batched in the second): mark the first, as the text importers do
    if (kind >= EV.mm_page_alloc && kind <= EV.mm_page_free_batched) {
      const key = st.pfn[i];
      if (kind === EV.mm_page_free) { if (st.order[i] === 0) pendingFree.set(key, i); }
      else if (kind === EV.mm_page_free_batched) {
        const j = pendingFree.get(key);
        if (j !== undefined) { st.flags[j] |= FLAG_BATCH_FIRST_PASS; pendingFree.delete(key); }
      } else pendingFree.delete(key);
    }
  }

  if (textsLater) st.textSource = new RecordTexts(cpus.map(c => ({ data: c.data, start: c.start, length: c.length })), planAt, symbols, dat.bigEndian);
  const notKept = notKeptWarning(st.strings);
  if (notKept) warn(0, notKept);
  const counts = new Map<number, number>();
  const cpuSet = new Set<number>();
  for (let i = 0; i < st.length; i++) { counts.set(st.name[i], (counts.get(st.name[i]) ?? 0) + 1); cpuSet.add(st.cpu[i]); }
  const byEvent: Record<string, number> = {};
  for (const [id, n] of [...counts].sort((a, b) => b[1] - a[1])) byEvent[st.strings.get(id)] = n;
  return {
    file: inp.file, format: 'trace.dat', store: st, warnings, moreWarnings, byEvent,
    cpus: [...cpuSet].sort((a, b) => a - b), stackTraces, bytes: inp.bytes, lines: recNo, scannedEvents: 0, lost: lostEvents, overwritten: 0,
  };
}

/** Fills event i's columns from its record; an error message when a needed field is cut off. */
function fill(st: EventStore, i: number, plan: EventPlan, rd: FieldReader, symbols: Symbols, gfpIds: Map<number, number>, printk: PrintkFormats, longSize: number): string {
  const kind = plan.kind;
  if (rd.length < plan.fieldsEnd) return `record of ${rd.length} bytes is too short for its fields (${plan.fieldsEnd} bytes)`;
  switch (kind) {
    case EV.mm_page_alloc:
    case EV.mm_page_free:
    case EV.mm_page_free_batched:
    case EV.mm_page_pcpu_drain:
    case EV.mm_page_alloc_zone_locked: {
      // a failed allocation records pfn -1UL (the text shows page=(null) pfn=0)
      st.pfn[i] = rd.allOnes(plan.pfn!) ? -1 : rd.field(plan.pfn!);
      // mm_page_free_batched has no order field: its print fmt says order=0
      st.order[i] = plan.order ? rd.field(plan.order) : 0;
      if (plan.mt && kind !== EV.mm_page_free && kind !== EV.mm_page_free_batched) st.mt[i] = rd.field(plan.mt);
      if (kind === EV.mm_page_alloc_zone_locked) st.x[i] = rd.field(plan.refill!);
      if (kind === EV.mm_page_alloc && plan.gfp) {
        // a few gfp values cover most allocations: decode each once
        const v = rd.field(plan.gfp);
        let id = gfpIds.get(v);
        if (id === undefined) { id = st.strings.id(gfpText(plan, rd)); gfpIds.set(v, id); }
        st.text[i] = id;
      }
      return '';
    }
    case EV.contention_begin:
      st.addr[i] = st.strings.id(rd.hex(plan.lockAddr!));
      st.x[i] = rd.field(plan.lockFlags!);
      return '';
    case EV.contention_end:
      st.addr[i] = st.strings.id(rd.hex(plan.lockAddr!));
      st.x[i] = plan.ret ? rd.field(plan.ret) : 0;
      return '';
    case EV.irq_handler_entry:
      st.x[i] = rd.field(plan.irq!);
      if (plan.irqName) st.text[i] = st.strings.id(rd.string(plan.irqName));
      return '';
    case EV.irq_handler_exit:
      st.x[i] = rd.field(plan.irq!);
      if (plan.ret) st.text[i] = st.strings.id(rd.field(plan.ret) ? 'handled' : 'unhandled');
      return '';
    case EV.softirq_entry:
    case EV.softirq_exit:
      st.x[i] = rd.field(plan.vec!);
      return '';
    case EV.tracing_mark_write: {
      let s = plan.buf ? rd.string(plan.buf) : '';
      if (s.endsWith('\n')) s = s.slice(0, -1);
      st.text[i] = st.strings.id(s);
      return '';
    }
    default:
      st.text[i] = st.strings.id(plan.printk ? printkText(plan, rd, printk, longSize) ?? otherText(plan, rd, symbols) : otherText(plan, rd, symbols));
      return '';
  }
}
