// Compact, columnar storage of a trace's events: one typed array per field, strings
// interned. A 10 MB trace holds ~90k events; as objects with string fields they would
// take several times the file, as columns they take ~56 bytes an event.
import * as fs from 'fs';

/** Distinct strings a trace may intern: a Map holds at most 2^24 keys, and a trace that has
 * millions of distinct texts (a trace.dat full of other events) would run out of memory first.
 * Past it, a new string is kept as NOT_KEPT, and the import says how many (tests set less). */
let stringLimit = 1 << 23;
export function setStringLimit(n = 1 << 23): void { stringLimit = n; }
export const NOT_KEPT = '(not kept: too many distinct texts in this trace)';

/** The warning for strings an import could not keep, or undefined when it kept them all. */
export function notKeptWarning(strings: Interner): string | undefined {
  return strings.notKept ? `${strings.notKept} texts (of other events, task names, stack frames) were not kept: the trace has more than ${stringLimit} distinct ones; they show as '${NOT_KEPT}'` : undefined;
}

/** Strings seen many times (task names, event names, lock addresses, gfp flags) kept once. */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [''];   // id 0 = none
  /** strings not kept because the limit was reached (each got NOT_KEPT's id) */
  notKept = 0;
  id(s: string): number {
    const v = this.ids.get(s);
    if (v !== undefined) return v;
    if (this.strings.length < stringLimit) return this.keep(s);
    this.notKept++;
    return this.keep(NOT_KEPT);
  }
  private keep(s: string): number {
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

/** Where the columns live: by default a fresh ArrayBuffer; during a raw ftrace import, the
 * WebAssembly scanner's memory, so it can write events straight into them (ftraceScan.ts). */
export interface ColumnSpace {
  /** byte offset of `bytes` new bytes (not zeroed), 8-aligned, in `buffer` (which may be replaced: only by growing, which detaches the old buffer) */
  alloc(bytes: number): number;
  readonly buffer: ArrayBuffer;
}

/** The columns in their block, widest first so each is aligned: ts, pfn, textAt, pid, task,
 * line, x, addr, text, name, cpu, flags, preempt, order, mt (bind() names them in this order). */
const LAYOUT = [Float64Array, Float64Array, Float64Array, Int32Array, Uint32Array, Uint32Array, Int32Array, Uint32Array, Uint32Array,
  Uint16Array, Uint16Array, Uint8Array, Uint8Array, Int8Array, Int8Array] as const;
type Instances<T extends readonly (new (b: ArrayBuffer, o: number, n: number) => unknown)[]> = { -readonly [K in keyof T]: InstanceType<T[K]> };
type Columns = Instances<typeof LAYOUT>;

/** Bytes per event over all columns. */
const EVENT_BYTES = LAYOUT.reduce((n, C) => n + C.BYTES_PER_ELEMENT, 0);

/** textAt: offset * TEXT_AT_SCALE + length (a length below 2^16, an offset below 2^37: exact in a double) */
export const TEXT_AT_SCALE = 65536;

/** Where the texts of events that were not interned come from: textAt's value -> the text. */
export interface TextSource { text(at: number): string }

/**
 * Texts read back from the imported file, a block at a time: the debugger asks for the events
 * near where it stands, a breakpoint's search asks in file order. The file is opened for each
 * block, not held open; if it changed since the import, the text says so instead of showing
 * other bytes.
 */
export class TextFile implements TextSource {
  private block: Buffer = Buffer.alloc(0);
  private blockAt = -1;
  constructor(readonly file: string, private readonly size: number, private readonly mtimeMs: number) {}

  static of(file: string): TextFile {
    const s = fs.statSync(file);
    return new TextFile(file, s.size, s.mtimeMs);
  }

  text(at: number): string { return this.read(Math.floor(at / TEXT_AT_SCALE), at % TEXT_AT_SCALE); }

  read(at: number, length: number): string {
    if (at < this.blockAt || at + length > this.blockAt + this.block.length) {
      let fd: number | undefined;
      try {
        fd = fs.openSync(this.file, 'r');
        const s = fs.fstatSync(fd);
        if (s.size !== this.size || s.mtimeMs !== this.mtimeMs) return '(the trace file changed since it was read)';
        const b = Buffer.allocUnsafe(Math.max(length, 1 << 16));
        const n = fs.readSync(fd, b, 0, b.length, at);
        this.block = b.subarray(0, n);
        this.blockAt = at;
      } catch {
        return '(the trace file cannot be read any more)';
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
    return this.block.toString('latin1', at - this.blockAt, at - this.blockAt + length);
  }
}

export class EventStore {
  length = 0;
  private cap = 0;
  private at = 0;
  name!: Uint16Array;       // interned event name
  cpu!: Uint16Array;
  ts!: Float64Array;        // seconds
  pid!: Int32Array;
  task!: Uint32Array;       // interned task name
  flags!: Uint8Array;       // FLAG_* bits
  preempt!: Uint8Array;     // preempt depth digit, 255 = not shown
  line!: Uint32Array;       // 1-based line in the file
  pfn!: Float64Array;       // -1 = none
  order!: Int8Array;        // -1 = none
  mt!: Int8Array;           // migratetype, -1 = none
  x!: Int32Array;           // percpu_refill, irq, vec, ret, lock flags: per event kind
  addr!: Uint32Array;       // interned lock address / pointer (lower-case hex, no 0x)
  text!: Uint32Array;       // interned rest of the line (markers, gfp flags, kprobes)
  /** the text of other events, left in the file (interning millions of distinct texts cost
   * seconds and most of the memory): byte offset * TEXT_AT_SCALE + length; 0 = none */
  textAt!: Float64Array;
  /** `<stack trace>` entries, by the index of the event they belong to */
  readonly stacks = new Map<number, number[]>();
  readonly strings = new Interner();

  private space: ColumnSpace | null;

  constructor(initial = 4096, space?: ColumnSpace) {
    this.space = space ?? null;
    this.place(Math.max(8, initial), this.space);
  }

  get capacity(): number { return this.cap; }

  /** Lays the columns out for `cap` events in one block (widest first, so each is aligned),
   * keeping the events stored so far: in the space when there is one, else in a buffer of
   * their own. */
  private place(cap: number, space: ColumnSpace | null): void {
    cap = (cap + 7) & ~7;
    const bytes = cap * EVENT_BYTES;
    // the old columns, over the old space's buffer as it is after alloc (which may replace it)
    const oldSpace = this.space;
    const at = space ? space.alloc(bytes) : 0;
    const buf = space ? space.buffer : new ArrayBuffer(bytes);
    const old = this.cap ? this.columns(oldSpace ? oldSpace.buffer : this.ts.buffer as ArrayBuffer, this.at, this.cap) : null;
    const cols = this.columns(buf, at, cap);
    if (old) for (let k = 0; k < cols.length; k++) cols[k].set(old[k].subarray(0, this.length));
    this.cap = cap; this.at = at; this.space = space;
    this.bind(cols);
  }

  /** Moves the columns out of their space into a buffer of their own, just big enough (the
   * space is then free for other use). */
  detach(): void {
    if (this.space) this.place(Math.max(8, this.length), null);
  }

  private columns(buf: ArrayBuffer, at: number, n: number): Columns {
    let p = at;
    return LAYOUT.map(C => { const a = new C(buf, p, n); p += C.BYTES_PER_ELEMENT * n; return a; }) as unknown as Columns;
  }

  private bind(c: Columns): void {
    [this.ts, this.pfn, this.textAt, this.pid, this.task, this.line, this.x, this.addr, this.text, this.name, this.cpu, this.flags, this.preempt, this.order, this.mt] = c;
  }

  /** Makes the columns again over the space's buffer after it was replaced (memory grown).
   * A space replaces its buffer only by growing, which detaches the old one: the columns'
   * length drops to 0 (cheaper to look at than the space's buffer, which may be a call into
   * the engine). */
  rebind(): void {
    if (this.space && this.ts.length === 0 && this.cap > 0) this.bind(this.columns(this.space.buffer, this.at, this.cap));
  }

  /** Room for at least n events. */
  reserve(n: number): void {
    if (n > this.cap) this.place(Math.max(n, this.cap * 2), this.space);
  }

  /** Appends an empty event and returns its index. */
  push(): number {
    if (this.length === this.cap) this.place(this.cap * 2, this.space);
    const i = this.length++;
    // (a space's memory is not zeroed: every column the readers may leave unset is set here)
    this.pfn[i] = -1; this.order[i] = -1; this.mt[i] = -1; this.preempt[i] = 255;
    this.flags[i] = 0; this.x[i] = 0; this.addr[i] = 0; this.text[i] = 0; this.textAt[i] = 0;
    return i;
  }

  /** Drops the last event (a line that turned out malformed after push). */
  pop(): void { this.length--; this.name[this.length] = 0; this.x[this.length] = 0; this.addr[this.length] = 0; this.text[this.length] = 0; this.textAt[this.length] = 0; this.flags[this.length] = 0; }

  eventName(i: number): string { return this.strings.get(this.name[i]); }
  taskName(i: number): string { return this.strings.get(this.task[i]); }
  textOf(i: number): string {
    const t = this.text[i];
    if (t) return this.strings.get(t);
    const at = this.textAt[i];
    return at ? this.textSource!.text(at) : '';
  }
  /** what textAt points into (set by the importer): the text file, or a trace.dat's records */
  textSource: TextSource | null = null;
  addrOf(i: number): string { return this.strings.get(this.addr[i]); }
  stackOf(i: number): string[] { return (this.stacks.get(i) ?? []).map(id => this.strings.get(id)); }

  /** Bytes held by the columns (for the benchmark's memory figure). */
  bytes(): number {
    return this.cap * EVENT_BYTES;
  }
}
