// A replayed trace as the debugger walks it: events are steps, CPUs are threads. Seeking to
// any event restores the nearest checkpoint of the rebuilt state and re-applies the events
// after it (recorded effects, no decisions), so going back is as cheap as going forward.
import { Replay, replayTrace, ReplayOptions, rebuiltState } from './replay';
import { EV, lockFlagsText, SOFTIRQ_NAMES } from './eventKinds';
import { keyValues } from './fields';
import { FLAG_HARDIRQ, FLAG_IRQS_OFF, FLAG_NEED_RESCHED, FLAG_NO_FLAGS, FLAG_SOFTIRQ, FLAG_BATCH_FIRST_PASS } from './store';
import { lockTaker } from './locks';
import type { PcpCompare, PcpView } from './reconstruct';
import { zoneName } from './zones';

export const CHECKPOINT_EVERY = 2048;

export interface TraceEventView {
  index: number; line: number; cpu: number; ts: number; task: string; pid: number; name: string;
  /** the event's fields by kernel name (pfn, order, migratetype, percpu_refill, lock, ...) */
  fields: Record<string, number | string>;
  /** the text after `name: ` as the trace printed it (reconstructed for parsed events) */
  text: string;
  stack?: string[];
  irqsOff: boolean | null; needResched: boolean | null; context: 'task' | 'hardirq' | 'softirq'; preempt: number | null;
}

/** What a breakpoint on trace events matches: an event kind, a CPU, a lock, field values. */
export interface TraceBreakpoint {
  names: string[]; cpu?: number; lock?: string; fields: Record<string, string>; text: string; refill?: boolean;
  /** a marker's text starts with these words (`snapshot after-fill`, `marker PHASE drop_caches`) */
  marker?: string;
}

const ALIASES: Record<string, { names: string[]; refill?: boolean; marker?: string }> = {
  drain: { names: ['mm_page_pcpu_drain', 'drain_pages_zone', 'drain_all_pages', 'free_pcppages_bulk'] },
  refill: { names: ['mm_page_alloc_zone_locked'], refill: true },
  alloc: { names: ['mm_page_alloc'] },
  free: { names: ['mm_page_free', 'mm_page_free_batched'] },
  contention: { names: ['contention_begin'] },
  contended: { names: ['contention_begin'] },
  lock: { names: ['contention_begin'] },
  irq: { names: ['irq_handler_entry'] },
  softirq: { names: ['softirq_entry'] },
  marker: { names: ['tracing_mark_write'] },
  snapshot: { names: ['tracing_mark_write'], marker: 'SNAPSHOT' },
};

export class TraceBreakpointError extends Error {}

/**
 * `refill cpu 2`, `contended zone->lock`, `drain`, `mm_page_alloc order=3 cpu=1`,
 * `contention_begin lock=tasklist_lock`, `irq_handler_entry irq=4`, `snapshot after-fill`,
 * `marker PHASE cpu1 offline`.
 */
export function parseTraceBreakpoint(text: string): TraceBreakpoint {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new TraceBreakpointError('empty breakpoint: name an event (drain, refill, contended LOCK, mm_page_alloc, ...)');
  const head = words.shift()!;
  // the scenario debugger's lock breakpoints that a kernel trace has no event for
  if (head === 'trylock-fail' || head === 'trylock-failed') {
    throw new TraceBreakpointError(`'${text.trim()}': a kernel trace has no event for a failed trylock (pcp_spin_trylock logs nothing); break on 'contended LOCK', 'lock LOCK', 'drain', 'refill', an event name or field=value`);
  }
  const alias = ALIASES[head];
  const bp: TraceBreakpoint = { names: alias ? alias.names : [head], fields: {}, text, refill: alias?.refill, marker: alias?.marker };
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const eq = w.indexOf('=');
    if (eq > 0) {
      const key = w.slice(0, eq), v = w.slice(eq + 1);
      // `cpu=N` is the event's own cpu field where it has one (drain_pages_zone: whose
      // list), else the CPU the event ran on; `cpu N` is always the latter
      if (key === 'lock') bp.lock = v;
      else bp.fields[key] = v;
    } else if (w === 'cpu' && words[k + 1] !== undefined) {
      bp.cpu = Number(words[++k]);
    } else if (w === 'on' && words[k + 1] === 'cpu' && words[k + 2] !== undefined) {
      bp.cpu = Number(words[k + 2]); k += 2;
    } else if (bp.names[0] === 'contention_begin' && bp.lock === undefined) {
      bp.lock = w;
    } else if (bp.names[0] === 'tracing_mark_write') {
      // a marker's words: the rest of the breakpoint is the start of its text
      bp.marker = [bp.marker, ...words.slice(k)].filter(Boolean).join(' ');
      break;
    } else {
      throw new TraceBreakpointError(`'${w}' in '${text}': expected cpu N, lock NAME or field=value`);
    }
  }
  if (bp.cpu !== undefined && !Number.isInteger(bp.cpu)) throw new TraceBreakpointError(`bad CPU number in '${text}'`);
  return bp;
}

export class TraceTimeline {
  readonly cpus: number[];
  readonly length: number;
  /** the event the state is after; -1 = before the first */
  position = -1;
  private readonly lockNameByAddr = new Map<string, string>();
  /** per CPU, the indices of its events (for per-CPU stepping) */
  private readonly byCpu = new Map<number, Int32Array>();

  static open(file: string, o: ReplayOptions = {}): TraceTimeline {
    return new TraceTimeline(replayTrace(file, { ...o, checkpointEvery: o.checkpointEvery ?? CHECKPOINT_EVERY }));
  }

  constructor(readonly replay: Replay) {
    const st = replay.trace.store;
    this.cpus = replay.trace.cpus;
    this.length = st.length;
    if (!replay.checkpointEvery) throw new Error('TraceTimeline needs a replay with checkpoints');
    for (const l of replay.rec.lockIntervals) if (!this.lockNameByAddr.has(l.addr)) this.lockNameByAddr.set(l.addr, l.name);
    const counts = new Map<number, number>();
    for (let i = 0; i < st.length; i++) counts.set(st.cpu[i], (counts.get(st.cpu[i]) ?? 0) + 1);
    const fill = new Map<number, number>();
    for (const [c, n] of counts) { this.byCpu.set(c, new Int32Array(n)); fill.set(c, 0); }
    for (let i = 0; i < st.length; i++) { const c = st.cpu[i]; const k = fill.get(c)!; this.byCpu.get(c)![k] = i; fill.set(c, k + 1); }
    this.seek(-1);
  }

  get trace() { return this.replay.trace; }
  get rec() { return this.replay.rec; }

  /** Moves to the state right after event i (-1: before the first event). */
  seek(i: number): void {
    i = Math.max(-1, Math.min(this.length - 1, i));
    const K = this.replay.checkpointEvery, cps = this.replay.checkpoints;
    const rec = this.replay.rec;
    // no need to restore when moving forward a little from where we are
    if (!(i >= this.position && i - this.position <= K && this.position >= -1 && rec.state.next === this.position + 1)) {
      const k = Math.min(cps.length - 1, Math.floor((i + 1) / K));
      rec.restore(cps[k]);
    }
    for (let j = rec.state.next; j <= i; j++) rec.replay(j);
    this.position = i;
  }

  /** The next event of `cpu` after `from` (-1 if none). */
  nextOnCpu(cpu: number, from = this.position): number {
    const a = this.byCpu.get(cpu);
    if (!a) return -1;
    let lo = 0, hi = a.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= from) lo = m + 1; else hi = m; }
    return lo < a.length ? a[lo] : -1;
  }

  /** The last event of `cpu` before `from` (-1 if none). */
  prevOnCpu(cpu: number, from = this.position): number {
    const a = this.byCpu.get(cpu);
    if (!a) return -1;
    let lo = 0, hi = a.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < from) lo = m + 1; else hi = m; }
    return lo > 0 ? a[lo - 1] : -1;
  }

  eventsOnCpu(cpu: number): number { return this.byCpu.get(cpu)?.length ?? 0; }

  /** The first event on line `line` of the file or after it, or -1 (events are in file order). */
  eventAtOrAfterLine(line: number): number {
    const a = this.trace.store.line;
    let lo = 0, hi = this.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < line) lo = m + 1; else hi = m; }
    return lo < this.length ? lo : -1;
  }

  /** The count of pcp `key` after event i when event i moved it (or a resync, a start state
   * set it just before), else undefined: what a data breakpoint on that count stops on. */
  pcpCountMovedBy(i: number, key: number): number | undefined {
    const rec = this.rec;
    if (rec.pcpOf[i] === key) return rec.countAfter[i];
    let count: number | undefined;
    for (const s of rec.sets.get(i) ?? []) if (s.key === key && s.count !== undefined) count = s.count;
    return count;
  }

  lockName(addr: string): string { return this.lockNameByAddr.get(addr) ?? `lock ${addr}`; }

  event(i: number): TraceEventView {
    const st = this.trace.store;
    const name = st.eventName(i);
    const fields: Record<string, number | string> = {};
    let text = '';
    switch (st.name[i]) {
      case EV.mm_page_alloc: case EV.mm_page_free: case EV.mm_page_free_batched: case EV.mm_page_pcpu_drain: case EV.mm_page_alloc_zone_locked:
        fields.pfn = st.pfn[i]; fields.order = st.order[i];
        if (st.mt[i] >= 0) fields.migratetype = st.mt[i];
        if (st.name[i] === EV.mm_page_alloc_zone_locked) fields.percpu_refill = st.x[i];
        if (st.name[i] === EV.mm_page_alloc && st.text[i]) fields.gfp_flags = st.textOf(i);
        if (st.flags[i] & FLAG_BATCH_FIRST_PASS) fields.batched_first_pass = 1;
        text = Object.entries(fields).map(([k, v]) => (k === 'pfn' ? `pfn=0x${Number(v).toString(16)}` : `${k}=${v}`)).join(' ');
        break;
      case EV.contention_begin: case EV.contention_end: {
        const addr = st.addrOf(i);
        fields.lock = this.lockName(addr); fields.addr = addr;
        if (st.name[i] === EV.contention_begin) fields.flags = lockFlagsText(st.x[i]); else fields.ret = st.x[i];
        const taker = st.name[i] === EV.contention_begin ? lockTaker(st.stackOf(i)) : undefined;
        if (taker) fields.taken_in = taker;
        text = `${addr} (${st.name[i] === EV.contention_begin ? `flags=${fields.flags}` : `ret=${fields.ret}`})`;
        break;
      }
      case EV.irq_handler_entry: case EV.irq_handler_exit:
        fields.irq = st.x[i];
        if (st.text[i]) fields[st.name[i] === EV.irq_handler_entry ? 'name' : 'ret'] = st.textOf(i);
        text = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ');
        break;
      case EV.softirq_entry: case EV.softirq_exit:
        fields.vec = st.x[i]; fields.action = SOFTIRQ_NAMES[st.x[i]] ?? String(st.x[i]);
        text = `vec=${fields.vec} [action=${fields.action}]`;
        break;
      default:
        text = st.textOf(i);
        Object.assign(fields, keyValues(text));
        if (st.name[i] === EV.tracing_mark_write) fields.message = text;
    }
    const f = st.flags[i];
    const noFlags = (f & FLAG_NO_FLAGS) !== 0;
    const stack = st.stacks.get(i) ? st.stackOf(i) : undefined;
    return {
      index: i, line: st.line[i], cpu: st.cpu[i], ts: st.ts[i], task: st.taskName(i), pid: st.pid[i], name, fields, text, stack,
      irqsOff: noFlags ? null : (f & FLAG_IRQS_OFF) !== 0, needResched: noFlags ? null : (f & FLAG_NEED_RESCHED) !== 0,
      context: f & FLAG_HARDIRQ ? 'hardirq' : f & FLAG_SOFTIRQ ? 'softirq' : 'task', preempt: st.preempt[i] === 255 ? null : st.preempt[i],
    };
  }

  matches(i: number, bp: TraceBreakpoint): boolean {
    const st = this.trace.store;
    if (bp.cpu !== undefined && st.cpu[i] !== bp.cpu) return false;
    if (!bp.names.includes(st.eventName(i))) return false;
    if (bp.refill && st.x[i] !== 1) return false;
    if (bp.marker !== undefined) {
      const t = st.textOf(i).trim().replace(/\s+/g, ' ');
      if (t !== bp.marker && !t.startsWith(`${bp.marker} `)) return false;
    }
    const keys = Object.keys(bp.fields);
    if (bp.lock === undefined && !keys.length) return true;
    const ev = this.event(i);
    if (bp.lock !== undefined) {
      const want = bp.lock.toLowerCase().replace(/^0x/, '');
      const name = String(ev.fields.lock ?? '').toLowerCase(), addr = String(ev.fields.addr ?? '');
      if (!(addr === want || name === want || name.startsWith(`${want} `) || name.startsWith(`${want}+`))) return false;
    }
    for (const k of keys) {
      const have = k === 'cpu' && ev.fields.cpu === undefined ? ev.cpu : ev.fields[k];
      if (have === undefined) return false;
      const want = bp.fields[k];
      const wn = Number(want);
      if (typeof have === 'number' ? !(Number.isFinite(wn) && wn === have) : String(have) !== want) return false;
    }
    return true;
  }

  /** The first event after (dir 1) or before (dir -1) `from` matching any breakpoint, on `cpu` if given. */
  find(from: number, dir: 1 | -1, bps: TraceBreakpoint[], cpu?: number): number {
    const st = this.trace.store;
    for (let i = from + dir; i >= 0 && i < this.length; i += dir) {
      if (cpu !== undefined && st.cpu[i] !== cpu) continue;
      for (const bp of bps) if (this.matches(i, bp)) return i;
    }
    return -1;
  }

  /** The rebuilt per-CPU lists of `cpu`, one per zone, at the position. */
  pcp(cpu: number): PcpView[] {
    const rec = this.rec;
    return rec.zones.map((_z, zi) => rec.pcpView(cpu, zi));
  }

  /** At a snapshot (position between its markers, or at them), the zoneinfo values taken there. */
  zoneinfoAt(i = this.position): { label: string; notCompared?: string; pcp: { cpu: number; zone: string; count: number; high: number; batch: number; compared?: PcpCompare }[] } | undefined {
    const rec = this.rec;
    for (const s of rec.snapshots) {
      if (i < s.beginEvent || i > s.endEvent) continue;
      const input = rec.options.zoneinfo?.find(z => z.label === s.label);
      if (!input) continue;
      const pcp = input.info.zones.flatMap(z => {
        const zone = zoneName(input.info, z);
        return z.pcp.map(p => ({ cpu: p.cpu, zone, count: p.count, high: p.high, batch: p.batch,
          compared: s.start ? undefined : s.pcp.find(c => c.cpu === p.cpu && c.zone === zone) }));
      });
      return { label: s.label, ...(s.notCompared ? { notCompared: s.notCompared } : {}), pcp };
    }
    return undefined;
  }

  /** CPU state at the position: from its last event's flags column and the rebuilt nesting. */
  cpuState(cpu: number): { irqsOff: boolean | null; preempt: number | null; context: string; task: string; pid: number; interrupts: string[]; waitingFor: string[] } {
    const last = this.position >= 0 ? (this.trace.store.cpu[this.position] === cpu ? this.position : this.prevOnCpu(cpu, this.position)) : -1;
    const ev = last >= 0 ? this.event(last) : undefined;
    return {
      irqsOff: ev ? ev.irqsOff : null, preempt: ev ? ev.preempt : null, context: ev ? ev.context : 'task',
      task: ev ? ev.task : '', pid: ev ? ev.pid : 0,
      interrupts: this.rec.irqNesting(cpu).map(x => x.name),
      waitingFor: this.rec.waitingNow().filter(w => w.cpu === cpu).map(w => this.lockName(w.addr)),
    };
  }

  state() { return rebuiltState(this.rec, this.position); }
}
