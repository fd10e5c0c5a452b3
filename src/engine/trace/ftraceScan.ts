// The JavaScript side of the raw ftrace and trace-cmd report byte scanner (asm/ftraceScan.ts, WebAssembly). Each
// import gets its own instance. The file is read in chunks straight into the instance's
// memory, where the EventStore's columns also live during the import: the scanner writes the
// common events into them itself, and lists the other lines, which the importer's general
// reader reads in file order between the scanner's calls. Strings are made only for a task
// name or gfp_flags text the scanner has not seen just before.
import * as fs from 'fs';
import { WASM_BASE64 } from './ftraceScan.wasm';
import { EV } from './eventKinds';
import { CHUNK_BYTES, MAX_LINE_BYTES, skipToNewline, utf8 } from './lineReader';
import { ColumnSpace, EventStore } from './store';

/** What the scanner feeds: the importer. */
export interface ScanSink {
  readonly store: EventStore;
  /** 1: the scanner reads the common lines (the format is raw ftrace); 3: the same in
   * trace-cmd report's layout; 0: it lists every line for the general reader; 2: it lists one
   * line at a time (the format is not known yet) */
  scanMode(): number;
  /** the scanner stored events up to (not including) index n */
  scanned(n: number): void;
  /** a line for the general reader, as bytes of `b`; it begins at byte `at` of the file */
  other(b: Buffer, start: number, end: number, lineNo: number, at: number): void;
  /** a ` => func` line; the name is b[nameStart, nameEnd) */
  frame(b: Buffer, start: number, end: number, lineNo: number, nameStart: number, nameEnd: number): void;
  /** pair the batched frees of pfns outside [0, limit) (the scanner paired the others) */
  pairOutside(limit: number): void;
  /** line lineNo was longer than MAX_LINE_BYTES: skipped unread */
  longLine(lineNo: number): void;
  /** bytes of the file read so far (for a progress report) */
  read(bytes: number): void;
  /** the interned id of an other event's name, for the scanner to store such events itself
   * (their text left in the file), or 0 when the general reader must read them */
  otherEventName(name: string): number;
}

interface ScanExports {
  memory: WebAssembly.Memory;
  OTHER_INTS: WebAssembly.Global; MAX_OTHER: WebAssembly.Global;
  freePtr(): number; otherPtr(): number; eventCount(): number; otherCount(): number; lines(): number; skipLine(): number;
  kindEv(k: number): number;
  reset(): void;
  columns(name: number, cpu: number, ts: number, pid: number, task: number, flags: number, preempt: number,
    line: number, pfn: number, order: number, mt: number, x: number, addr: number, text: number, textAt: number): void;
  scan(from: number, end: number, mode: number, first: number, capacity: number): number;
  fileOffsets(region: number, fileAt: number): void;
  maxPagePfn(n: number): number;
  pairFrees(n: number, table: number, limit: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** The scanner's kinds 1..7, in its order: checked against EV when a scanner is made. */
const KINDS = [EV.mm_page_alloc, EV.mm_page_free, EV.mm_page_free_batched, EV.mm_page_pcpu_drain, EV.mm_page_alloc_zone_locked, EV.softirq_entry, EV.softirq_exit];
const MAX_PID = 1 << 22;
const PAGE = 65536;

/** b[a, e) holds exactly the latin1 text t. */
function bytesEqual(b: Uint8Array, a: number, e: number, t: string): boolean {
  if (e - a !== t.length) return false;
  for (let k = 0; k < t.length; k++) if (b[a + k] !== t.charCodeAt(k)) return false;
  return true;
}

/** The scanner's memory is full (a 32-bit WebAssembly memory holds at most 4 GiB of columns,
 * some 80M events): the importer reads such a trace in JavaScript instead. */
export class ScanMemoryError extends Error {}

/** the most the scanner's memory may hold: what a 32-bit memory can (tests set less) */
let memoryLimit = 65536 * PAGE;
export function setScannerMemoryLimit(bytes = 65536 * PAGE): void { memoryLimit = bytes; }

/** A bump allocator over the instance's memory: what the EventStore's columns are placed in. */
class WasmSpace implements ColumnSpace {
  top: number;
  constructor(private readonly memory: WebAssembly.Memory, readonly from: number) { this.top = from; }
  get buffer(): ArrayBuffer { return this.memory.buffer; }
  alloc(bytes: number): number {
    const at = (this.top + 15) & ~15;
    const end = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > memoryLimit) throw new ScanMemoryError(`the scanner would need ${end} bytes, more than its ${memoryLimit}`);
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (e) {
        throw new ScanMemoryError(`the scanner's memory cannot grow to ${end} bytes (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    this.top = end;
    return at;
  }
}

/** An instance and its memory, kept between imports: fresh memory costs a page fault per
 * 4 KiB on first touch, which for the columns of a 10 MB trace was more than the whole scan. */
interface Pooled { x: ScanExports; space: WasmSpace; current: FtraceScanner | null }
let pooled: Pooled | undefined;
/** a memory grown past this by a big import is let go rather than kept (tests set less) */
let poolLimit = 64 << 20;
export function setScannerPoolLimit(bytes = 64 << 20): void { poolLimit = bytes; }

function makePooled(): Pooled {
  compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const p = {} as Pooled;
  const inst = new WebAssembly.Instance(compiled, {
    env: {
      abort: () => { throw new Error('ftrace scanner: abort'); },
      internTask: (t: number, e: number, pid: number) => p.current!.taskId(t, e, pid),
      internText: (a: number, e: number) => p.current!.textId(a, e),
      internName: (a: number, e: number) => p.current!.nameId(a, e),
    },
  });
  p.x = inst.exports as unknown as ScanExports;
  for (let k = 0; k < KINDS.length; k++) if (p.x.kindEv(k + 1) !== KINDS[k]) throw new Error('ftrace scanner: event kinds out of step with EV');
  p.space = new WasmSpace(p.x.memory, p.x.freePtr());
  p.current = null;
  return p;
}

/** One import's scanner. It takes the kept instance (or makes one) and gives it back once
 * the store's columns are moved out of its memory (see release()). */
export class FtraceScanner {
  private readonly p: Pooled;
  private readonly x: ScanExports;
  private readonly space: WasmSpace;
  /** the input region: where chunks are read, and its size */
  private input: number;
  /** the file offset of the input region's first byte, for the lines being scanned */
  private inputAt = 0;
  private cap = CHUNK_BYTES;
  private mem!: Buffer;
  private readonly otherInts: number;
  private readonly taskOfPid = new Map<number, { raw: string; id: number }>();
  readonly store: EventStore;
  /** events the scanner read itself */
  private scanned = 0;

  constructor(capacity: number) {
    // (taken, not shared: an import inside another would make its own)
    this.p = pooled ?? makePooled();
    pooled = undefined;
    this.p.current = this;
    this.x = this.p.x;
    this.x.reset();
    this.space = this.p.space;
    this.space.top = this.space.from;
    this.otherInts = this.x.OTHER_INTS.value;
    // room past the region's end: an added newline, and word loads near a line's end
    this.input = this.space.alloc(this.cap + 16);
    this.store = new EventStore(capacity, this.space);
    this.view();
  }

  /** Gives the instance back with the store's columns moved out; a memory grown past
   * poolLimit is not kept, so it stays the store's own (no copy of a big trace's columns,
   * which would double its memory and cost a page fault per 4 KiB written). */
  private release(): void {
    this.p.current = null;
    if (this.x.memory.buffer.byteLength > poolLimit) { this.store.rebind(); return; }
    this.store.detach();
    pooled = this.p;
  }

  /** the other-line records, over the memory as `mem` sees it */
  private records!: Int32Array;

  /** The memory as a Buffer, made again when it has grown. Growing detaches the old buffer
   * (its length becomes 0): checked on the view itself, since asking the memory for its
   * buffer is a call into the engine, and this is asked several times per scan call. */
  private view(): Buffer {
    if (!this.mem || this.mem.length === 0) {
      this.mem = Buffer.from(this.x.memory.buffer);
      this.records = new Int32Array(this.mem.buffer, this.x.otherPtr(), this.x.MAX_OTHER.value * this.otherInts);
    }
    return this.mem;
  }

  /** Reads the whole file, feeding `sink`; returns its bytes and lines. */
  readFile(file: string, sink: ScanSink): { bytes: number; lines: number; scanned: number } {
    const fd = fs.openSync(file, 'r');
    this.sink = sink;
    let bytes = 0, carry = 0;
    try {
      for (;;) {
        if (carry === this.cap && this.cap >= MAX_LINE_BYTES) {
          const skip = skipToNewline(fd, this.view(), this.input, this.cap);
          bytes += skip.bytes;
          sink.longLine(this.x.skipLine());
          if (skip.carry < 0) { carry = 0; break; }
          carry = skip.carry;
          continue;
        }
        // a line longer than the region: a region twice the size (rare: the kernel caps trace lines)
        if (carry === this.cap) {
          const at = this.space.alloc(this.cap * 2 + 16);
          this.view().copy(this.view(), at, this.input, this.input + carry);
          this.input = at; this.cap *= 2;
        }
        const n = fs.readSync(fd, this.view(), this.input + carry, this.cap - carry, null);
        bytes += n;
        sink.read(bytes);
        if (n === 0) break;
        const filled = carry + n;
        this.inputAt = bytes - filled;
        const used = this.scanAll(filled, sink);
        carry = filled - used;
        if (carry && used) this.view().copyWithin(this.input, this.input + used, this.input + filled);
      }
      if (carry) {
        // the last line has no newline: give it one (the region has room past its end)
        this.view()[this.input + carry] = 10;
        this.inputAt = bytes - carry;
        this.scanAll(carry + 1, sink);
      }
      this.pair(sink);
    } finally {
      fs.closeSync(fd);
      this.release();
    }
    return { bytes, lines: this.x.lines(), scanned: this.scanned };
  }

  /** Pairs the batched frees' two lines over the columns, in the scanner's memory. */
  private pair(sink: ScanSink): void {
    const st = this.store, x = this.x;
    this.bindColumns();
    const limit = x.maxPagePfn(st.length) + 1;
    const table = this.space.alloc(limit * 4);
    this.bindColumns();
    if (x.pairFrees(st.length, table, limit)) sink.pairOutside(limit);
  }

  /** the store's ts column the scanner was last told of: the columns move only with it */
  private boundTs: Float64Array | null = null;

  /** Tells the scanner where the store's columns are now (when they have moved). */
  private bindColumns(): void {
    const st = this.store;
    st.rebind();
    if (st.ts === this.boundTs) return;
    this.boundTs = st.ts;
    this.x.columns(st.name.byteOffset, st.cpu.byteOffset, st.ts.byteOffset, st.pid.byteOffset, st.task.byteOffset, st.flags.byteOffset,
      st.preempt.byteOffset, st.line.byteOffset, st.pfn.byteOffset, st.order.byteOffset, st.mt.byteOffset, st.x.byteOffset, st.addr.byteOffset, st.text.byteOffset, st.textAt.byteOffset);
  }

  /** Scans input[0, len) in as many calls as it takes; returns the bytes used (whole lines). */
  private scanAll(len: number, sink: ScanSink): number {
    const st = this.store, x = this.x;
    x.fileOffsets(this.input, this.inputAt);
    const end = this.input + len;
    let pos = this.input;
    for (;;) {
      if (st.length === st.capacity) st.reserve(st.length + 1);
      this.bindColumns();
      const before = st.length;
      const next = x.scan(pos, end, sink.scanMode(), before, st.capacity);
      const n = x.eventCount(), others = x.otherCount();
      if (n > before) { st.length = n; this.scanned += n - before; sink.scanned(n); }
      // the listed lines come after those events; reading them may grow the memory (a
      // general-reader event growing the store), so the views are taken again each time
      for (let m = 0; m < others; m++) {
        const b = this.view(), o = this.records, r = m * this.otherInts;
        if (o[r] === 1) sink.frame(b, o[r + 1], o[r + 2], o[r + 3], o[r + 4], o[r + 5]);
        else sink.other(b, o[r + 1], o[r + 2], o[r + 3], this.inputAt + (o[r + 1] - this.input));
      }
      // no whole line left (or no progress): the rest is an unfinished line
      if (next >= end || (next === pos && !others && n === before)) return next - this.input;
      pos = next;
    }
  }

  /** the importer, while a file is read */
  private sink: ScanSink | null = null;

  /** An other event's name the scanner has not kept: its id, or 0 (the general reader's). */
  nameId(a: number, e: number): number { return this.sink ? this.sink.otherEventName(this.view().toString('latin1', a, e)) : 0; }

  /** A gfp_flags text the scanner has not kept. */
  textId(a: number, e: number): number { return this.store.strings.id(this.view().toString('latin1', a, e)); }

  /** The interned name of a task the CPU's previous scanned event did not have. */
  taskId(t: number, e: number, pid: number): number {
    const b = this.view();
    let known = pid < MAX_PID ? this.taskOfPid.get(pid) : undefined;
    if (!known || !bytesEqual(b, t, e, known.raw)) {
      const raw = b.toString('latin1', t, e);
      known = { raw, id: this.store.strings.id(utf8(raw)) };
      if (pid < MAX_PID) this.taskOfPid.set(pid, known);
    }
    return known.id;
  }
}
