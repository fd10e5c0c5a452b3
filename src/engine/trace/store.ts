// Compact, columnar storage of a trace's events: one typed array per field, strings
// interned. A 10 MB trace holds ~90k events; as objects with string fields they would
// take several times the file, as columns they take ~50 bytes an event.

/** Strings seen many times (task names, event names, lock addresses, gfp flags) kept once. */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [''];   // id 0 = none
  id(s: string): number {
    let v = this.ids.get(s);
    if (v === undefined) { v = this.strings.length; this.strings.push(s); this.ids.set(s, v); }
    return v;
  }
  get(id: number): string { return this.strings[id] ?? ''; }
  has(s: string): number { return this.ids.get(s) ?? 0; }
}

/** Bits of the flags column (irqs-off, need-resched, hardirq/softirq). */
export const FLAG_IRQS_OFF = 1;
export const FLAG_NEED_RESCHED = 2;
export const FLAG_HARDIRQ = 4;
export const FLAG_SOFTIRQ = 8;
export const FLAG_NMI = 16;
export const FLAG_BH_OFF = 32;
/** Set by the importer on an mm_page_free whose page comes back in an mm_page_free_batched:
 * the first pass of free_unref_page_list(), which does not put the page on a pcp list. */
export const FLAG_BATCH_FIRST_PASS = 64;
/** The line had no flags column (trace-cmd report, perf script). */
export const FLAG_NO_FLAGS = 128;

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class EventStore {
  length = 0;
  private cap: number;
  name: Uint16Array;       // interned event name
  cpu: Uint16Array;
  ts: Float64Array;        // seconds
  pid: Int32Array;
  task: Uint32Array;       // interned task name
  flags: Uint8Array;       // FLAG_* bits
  preempt: Uint8Array;     // preempt depth digit, 255 = not shown
  line: Uint32Array;       // 1-based line in the file
  pfn: Float64Array;       // -1 = none
  order: Int8Array;        // -1 = none
  mt: Int8Array;           // migratetype, -1 = none
  x: Int32Array;           // percpu_refill, irq, vec, ret, lock flags: per event kind
  addr: Uint32Array;       // interned lock address / pointer (lower-case hex, no 0x)
  text: Uint32Array;       // interned rest of the line (markers, gfp flags, unknown events)
  /** `<stack trace>` entries, by the index of the event they belong to */
  readonly stacks = new Map<number, number[]>();
  readonly strings = new Interner();

  constructor(initial = 4096) {
    this.cap = initial;
    this.name = new Uint16Array(initial); this.cpu = new Uint16Array(initial); this.ts = new Float64Array(initial);
    this.pid = new Int32Array(initial); this.task = new Uint32Array(initial); this.flags = new Uint8Array(initial);
    this.preempt = new Uint8Array(initial); this.line = new Uint32Array(initial); this.pfn = new Float64Array(initial);
    this.order = new Int8Array(initial); this.mt = new Int8Array(initial); this.x = new Int32Array(initial);
    this.addr = new Uint32Array(initial); this.text = new Uint32Array(initial);
  }

  /** Appends an empty event and returns its index. */
  push(): number {
    if (this.length === this.cap) {
      const n = this.cap * 2;
      this.name = grow(this.name, n); this.cpu = grow(this.cpu, n); this.ts = grow(this.ts, n);
      this.pid = grow(this.pid, n); this.task = grow(this.task, n); this.flags = grow(this.flags, n);
      this.preempt = grow(this.preempt, n); this.line = grow(this.line, n); this.pfn = grow(this.pfn, n);
      this.order = grow(this.order, n); this.mt = grow(this.mt, n); this.x = grow(this.x, n);
      this.addr = grow(this.addr, n); this.text = grow(this.text, n);
      this.cap = n;
    }
    const i = this.length++;
    this.pfn[i] = -1; this.order[i] = -1; this.mt[i] = -1; this.preempt[i] = 255;
    return i;
  }

  /** Appends an event whose every column the caller writes except the ones left 0 (x,
   * addr, text, which a new or popped slot holds as 0): the fast path's push, which does not
   * touch the pages of columns it has nothing to write to. */
  pushRaw(): number {
    if (this.length === this.cap) { this.push(); this.length--; }
    return this.length++;
  }

  /** Drops the last event (a line that turned out malformed after push). */
  pop(): void { this.length--; this.name[this.length] = 0; this.x[this.length] = 0; this.addr[this.length] = 0; this.text[this.length] = 0; this.flags[this.length] = 0; }

  eventName(i: number): string { return this.strings.get(this.name[i]); }
  taskName(i: number): string { return this.strings.get(this.task[i]); }
  textOf(i: number): string { return this.strings.get(this.text[i]); }
  addrOf(i: number): string { return this.strings.get(this.addr[i]); }
  stackOf(i: number): string[] { return (this.stacks.get(i) ?? []).map(id => this.strings.get(id)); }

  /** Bytes held by the columns (for the benchmark's memory figure). */
  bytes(): number {
    return this.cap * (2 + 2 + 8 + 4 + 4 + 1 + 1 + 4 + 8 + 1 + 1 + 4 + 4 + 4);
  }
}
