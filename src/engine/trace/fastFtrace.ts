// The byte fast path of the raw ftrace reader. Nearly every line of a tracefs `trace` file
// has the layout the kernel pads it to (print_trace_header / trace_print_context):
//
//   `%16s-%-7d [%03d] %c%c%c%c%c %5lu.%06lu: name: fields`
//    0       16   24 25  29 31   36    42  49 51
//
// so the common events (the page events, softirq entry/exit) are read at fixed offsets
// straight from the chunk's bytes into the store, with no string made. A line that differs
// in any way (longer pid or timestamp, the tgid column, the 4-character flags of older
// kernels, another event, an unexpected field layout, a stack trace, a failed allocation)
// is left to the general string reader, which reads every layout: the fast path answers
// only where it gives the same columns (the import tests compare the two on whole captures).
import { EV, KNOWN_EVENTS } from './eventKinds';
import { flagBits, preemptDepth } from './header';
import { utf8 } from './lineReader';
import type { EventStore } from './store';

const SP = 32, ZERO = 48, COLON = 58;
const NAME_AT = 51;
const MAX_PID = 1 << 22;

/** Length of each known event's name, by EV id. */
const NAME_LENGTH = [0, ...KNOWN_EVENTS.map(n => n.length)];

/** b[p ..] begins with the latin1 text t, within the line ending at e. */
function textAt(b: Uint8Array, p: number, e: number, t: string): boolean {
  if (p + t.length > e) return false;
  for (let k = 0; k < t.length; k++) if (b[p + k] !== t.charCodeAt(k)) return false;
  return true;
}

/** b[a, e) holds exactly the latin1 text t. */
function bytesEqual(b: Uint8Array, a: number, e: number, t: string): boolean {
  return e - a === t.length && textAt(b, a, e, t);
}

/** The known event whose name (with its colon) starts at b[p]: its EV id, or 0. */
function eventAt(b: Uint8Array, p: number, e: number): number {
  if (p + 16 > e) return 0;
  if (b[p] === 109 /* m */ && b[p + 1] === 109 && textAt(b, p + 2, e, '_page_')) {
    const q = p + 8;   // after `mm_page_`
    switch (b[q]) {
      case 97: // alloc: | alloc_zone_locked:
        if (b[q + 1] !== 108 || b[q + 2] !== 108 || b[q + 3] !== 111 || b[q + 4] !== 99) return 0;
        if (b[q + 5] === COLON) return EV.mm_page_alloc;
        return b[q + 5] === 95 && textAt(b, q + 6, e, 'zone_locked:') ? EV.mm_page_alloc_zone_locked : 0;
      case 102: // free: | free_batched:
        if (b[q + 1] !== 114 || b[q + 2] !== 101 || b[q + 3] !== 101) return 0;
        if (b[q + 4] === COLON) return EV.mm_page_free;
        return b[q + 4] === 95 && textAt(b, q + 5, e, 'batched:') ? EV.mm_page_free_batched : 0;
      case 112: // pcpu_drain:
        return textAt(b, q, e, 'pcpu_drain:') ? EV.mm_page_pcpu_drain : 0;
      default: return 0;
    }
  }
  if (b[p] === 115 /* s */ && textAt(b, p + 1, e, 'oftirq_')) {
    if (textAt(b, p + 8, e, 'entry:')) return EV.softirq_entry;
    if (textAt(b, p + 8, e, 'exit:')) return EV.softirq_exit;
  }
  return 0;
}

/**
 * Reads raw ftrace lines of the common layout into an EventStore. One per import: it keeps
 * the last task seen per CPU and recent gfp_flags texts, so that the strings of a line are
 * made only when they have not been seen just before.
 */
export class FtraceFastPath {
  private readonly lastPid = new Int32Array(256).fill(-1);
  private readonly lastTask: string[] = [];
  private readonly lastTaskId = new Uint32Array(256);
  private readonly gfpRecent: { text: string; id: number }[] = [];
  private readonly taskOfPid = new Map<number, { raw: string; id: number }>();

  constructor(private readonly st: EventStore) {}

  /**
   * Stores the event on the line b[a, e) and returns its index when the line has the common
   * layout and one of the fast path's events; -1, with nothing stored, otherwise.
   */
  line(b: Buffer, a: number, e: number, lineNo: number): number {
    if (e - a <= NAME_AT + 16) return -1;
    if (b[a + 16] !== 45 /* - */ || b[a + 25] !== 91 /* [ */ || b[a + 29] !== 93 /* ] */ || b[a + 30] !== SP ||
      b[a + 36] !== SP || b[a + 42] !== 46 /* . */ || b[a + 49] !== COLON || b[a + 50] !== SP) return -1;
    // task: right-aligned in 16 columns (a `[` in it would make the general reader, which
    // takes the first `[digits]` for the CPU, read the line otherwise: leave it to that one)
    let t = a;
    while (t < a + 16 && (b[t] === SP || b[t] === 9)) t++;
    if (t === a + 16) return -1;
    // pid: left-aligned in 7 columns, then spaces up to the CPU
    let q = a + 17, pid = 0;
    for (let c = b[q]; c >= 48 && c <= 57; c = b[++q]) pid = pid * 10 + (c - ZERO);
    if (q === a + 17) return -1;
    for (; q < a + 25; q++) if (b[q] !== SP) return -1;
    const c0 = b[a + 26] - ZERO, c1 = b[a + 27] - ZERO, c2 = b[a + 28] - ZERO;
    if (c0 < 0 || c0 > 9 || c1 < 0 || c1 > 9 || c2 < 0 || c2 > 9) return -1;
    const flags = flagBits(b[a + 31], b[a + 32], b[a + 33]);
    const preempt = preemptDepth(b[a + 34]);
    if (flags < 0 || preempt < 0 || b[a + 35] === SP || b[a + 35] === COLON) return -1;
    // seconds right-aligned in 5 columns, then 6 digits of microseconds
    let whole = 0, digits = 0;
    for (q = a + 37; q < a + 42; q++) {
      const c = b[q];
      if (c === SP) { if (digits) return -1; continue; }
      if (c < 48 || c > 57) return -1;
      whole = whole * 10 + (c - ZERO); digits++;
    }
    if (!digits) return -1;
    let frac = 0;
    for (q = a + 43; q < a + 49; q++) { const c = b[q]; if (c < 48 || c > 57) return -1; frac = frac * 10 + (c - ZERO); }
    const kind = eventAt(b, a + NAME_AT, e);
    if (!kind) return -1;
    let p = a + NAME_AT + NAME_LENGTH[kind] + 1;
    while (p < e && b[p] === SP) p++;

    // the fields, into locals first: nothing is stored unless the whole line is read
    let pfn = -1, order = -1, mt = -1, x = 0, gfp = -1;
    if (kind === EV.softirq_entry || kind === EV.softirq_exit) {
      if (b[p] !== 118 || b[p + 1] !== 101 || b[p + 2] !== 99 || b[p + 3] !== 61 /* vec= */) return -1;
      q = p + 4;
      for (let c = b[q]; q < e && c >= 48 && c <= 57; c = b[++q]) x = x * 10 + (c - ZERO);
      if (q === p + 4 || (b[q] === 120 && x === 0) || x > 0x7fffffff) return -1;
    } else {
      // `page=P pfn=0xN order=N [migratetype=N [percpu_refill=N | gfp_flags=F]]`, as
      // fields.ts's fastPage reads it
      q = p;
      if (b[q] === 112 && b[q + 1] === 97 && b[q + 2] === 103 && b[q + 3] === 101 && b[q + 4] === 61 /* page= */) {
        // the pointer is 16 hex digits but for a NULL page printed otherwise: skip to the space
        q += 5;
        while (q < e && b[q] !== SP) q++;
        if (q >= e) return -1;
        q++;
      }
      if (b[q] !== 112 || b[q + 1] !== 102 || b[q + 2] !== 110 || b[q + 3] !== 61 /* pfn= */) return -1;
      q += 4;
      pfn = 0;
      if (b[q] === ZERO && b[q + 1] === 120) {
        const q0 = q += 2;
        for (; q < e; q++) {
          const c = b[q];
          if (c >= 48 && c <= 57) pfn = pfn * 16 + (c - 48);
          else if (c >= 97 && c <= 102) pfn = pfn * 16 + (c - 87);
          else break;
        }
        if (q === q0) return -1;
      } else {
        const q0 = q;
        for (let c = b[q]; q < e && c >= 48 && c <= 57; c = b[++q]) pfn = pfn * 10 + (c - 48);
        if (q === q0) return -1;
      }
      // pfn 0 of an allocation may be a failed one (page NULL): the general reader decides
      if (pfn === 0 || !textAt(b, q, e, ' order=')) return -1;
      q += 7;
      order = 0;
      const o0 = q;
      for (let c = b[q]; q < e && c >= 48 && c <= 57; c = b[++q]) order = order * 10 + (c - 48);
      if (q === o0 || order > 127 || (order === 0 && b[q] === 120)) return -1;
      if (kind !== EV.mm_page_free && kind !== EV.mm_page_free_batched) {
        if (!textAt(b, q, e, ' migratetype=')) return -1;
        q += 13;
        const neg = b[q] === 45;
        if (neg) q++;
        const m0 = q;
        mt = 0;
        for (let c = b[q]; q < e && c >= 48 && c <= 57; c = b[++q]) mt = mt * 10 + (c - 48);
        if (q === m0 || mt > 127 || (mt === 0 && b[q] === 120)) return -1;
        if (neg) mt = -mt;
        if (kind === EV.mm_page_alloc_zone_locked) {
          if (!textAt(b, q, e, ' percpu_refill=')) return -1;
          q += 15;
          const r0 = q;
          for (let c = b[q]; q < e && c >= 48 && c <= 57; c = b[++q]) x = x * 10 + (c - 48);
          if (q === r0 || x > 0x7fffffff || (x === 0 && b[q] === 120)) return -1;
        } else if (kind === EV.mm_page_alloc && textAt(b, q, e, ' gfp_flags=')) {
          gfp = q + 11;
        }
      }
    }

    const st = this.st;
    const i = st.pushRaw();
    const cpu = c0 * 100 + c1 * 10 + c2;
    st.name[i] = kind;
    st.cpu[i] = cpu;
    st.ts[i] = whole + frac / 1e6;
    st.pid[i] = pid;
    st.task[i] = this.taskId(b, t, a + 16, pid, cpu);
    st.flags[i] = flags;
    st.preempt[i] = preempt;
    st.line[i] = lineNo;
    st.pfn[i] = pfn;
    st.order[i] = order;
    st.mt[i] = mt;
    if (x) st.x[i] = x;
    if (gfp >= 0) st.text[i] = this.gfpId(b, gfp, e);
    return i;
  }

  /** The interned name of the task at b[t, e): most events are the CPU's previous task. */
  private taskId(b: Buffer, t: number, e: number, pid: number, cpu: number): number {
    if (cpu < this.lastPid.length && this.lastPid[cpu] === pid && bytesEqual(b, t, e, this.lastTask[cpu])) return this.lastTaskId[cpu];
    let known = pid < MAX_PID ? this.taskOfPid.get(pid) : undefined;
    if (!known || !bytesEqual(b, t, e, known.raw)) {
      const raw = b.toString('latin1', t, e);
      known = { raw, id: this.st.strings.id(utf8(raw)) };
      if (pid < MAX_PID) this.taskOfPid.set(pid, known);
    }
    if (cpu < this.lastPid.length) { this.lastPid[cpu] = pid; this.lastTask[cpu] = known.raw; this.lastTaskId[cpu] = known.id; }
    return known.id;
  }

  /** gfp_flags run to the end of the line; a few texts cover most allocations. */
  private gfpId(b: Buffer, a: number, e: number): number {
    const r = this.gfpRecent;
    for (let k = 0; k < r.length; k++) if (bytesEqual(b, a, e, r[k].text)) return r[k].id;
    const text = b.toString('latin1', a, e);
    const id = this.st.strings.id(text);
    if (r.length >= 8) r.pop();
    r.unshift({ text, id });
    return id;
  }
}
