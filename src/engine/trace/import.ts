// Imports a kernel trace (raw ftrace text, trace-cmd report text, perf script text) into
// an EventStore: format detected from the first lines, the file read in chunks, each line
// parsed in place. Malformed lines become line-numbered warnings and the rest loads.
import * as fs from 'fs';
import { readLineBytes, readTextLines, headBytes, utf8, ReadStats, CHUNK_BYTES, LONG_LINE_MESSAGE } from './lineReader';
import { FtraceScanner, ScanMemoryError, ScanSink } from './ftraceScan';
import { PfnIndex } from './pfnIndex';
import { detectFromLine, isTraceDat, TextFormat, TraceFormat } from './detect';
import { newHeader, LineHeader, eqAt } from './header';
import { LINE_BAD, LINE_EVENT, LINE_FRAME, LINE_SKIP, LINE_STACK_START, LineReader } from './lineKinds';
import { readFtraceLine } from './lineFtrace';
import { readTraceCmdLine } from './lineTraceCmd';
import { readPerfLine } from './linePerf';
import { EventStore, FLAG_BATCH_FIRST_PASS, TEXT_AT_SCALE, TextFile, notKeptWarning } from './store';
import { EV, KNOWN_EVENTS, LAST_KNOWN, PCP_KPROBES } from './eventKinds';
import { parseFields } from './fields';
import { importTraceDat } from './dat';
import { LostEvents, readLostLine, readOverwritten } from './lost';
import { readableFile } from './compressed';
import { Progress, ProgressFn } from './progress';

export type { TraceFormat } from './detect';

export interface TraceWarning { line: number; message: string }

export interface ImportedTrace {
  file: string;
  format: TraceFormat;
  store: EventStore;
  warnings: TraceWarning[];
  /** warnings beyond MAX_WARNINGS, counted but not kept */
  moreWarnings: number;
  /** events per kernel event name */
  byEvent: Record<string, number>;
  /** CPUs that have at least one event, ascending */
  cpus: number[];
  /** `<stack trace>` / kernel_stack entries */
  stackTraces: number;
  bytes: number;
  lines: number;
  /** events read by the WebAssembly scanner itself (the others went through the general reader) */
  scannedEvents: number;
  /** where the ring buffer lost events (a full buffer dropped them), in file order */
  lost: LostEvents[];
  /** the oldest events the ring buffer overwrote before it was read (the tracefs header's
   * entries-written minus entries-in-buffer): each CPU's part of the trace starts late */
  overwritten: number;
  /** the compressed file this trace was decompressed from (`file` is then the decompressed
   * copy, which the debugger shows and other events' texts are read back from) */
  decompressedFrom?: string;
}

export const MAX_WARNINGS = 1000;

/** other events whose text is kept in memory: the pcp kprobes the reconstruction reads */
const TEXT_KEPT: string[] = Object.values(PCP_KPROBES);

const READERS: Record<TextFormat, LineReader> = { 'ftrace': readFtraceLine, 'trace-cmd': readTraceCmdLine, 'perf': readPerfLine };

export class TraceImportError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) { super(message); }
}

export interface ImportOptions {
  /** read the file with the WebAssembly scanner, which reads common raw ftrace lines itself
   * (ftraceScan.ts); default true. Off, every line goes through the general reader, in
   * JavaScript only: the tests compare the two. */
  fastPath?: boolean;
  /** called with the bytes read of the file's, at most every 100 ms */
  progress?: ProgressFn;
}

/** Imports the trace in `file`. Throws TraceImportError when no format can be recognised. */
export function importTrace(file: string, options: ImportOptions = {}): ImportedTrace {
  let head: Buffer;
  // a directory, a file without read permission: the user's mistake, said as such
  try { head = headBytes(file); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'a directory, not a trace file' : code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable (permission denied)' : e instanceof Error ? e.message : String(e);
    throw new TraceImportError(file, 1, `${file}: ${why}`);
  }
  let readable: string;
  try {
    readable = readableFile(file, head);
  } catch (e) {
    throw new TraceImportError(file, 1, `${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (readable !== file) return { ...importTrace(readable, options), decompressedFrom: file };
  // trace-cmd's binary trace.dat: read directly (src/engine/trace/dat/); errors carry the byte offset
  if (isTraceDat(head)) return importTraceDat(file, (offset, message) => Object.assign(new TraceImportError(file, 1, message), { offset }), options.progress);
  const size = fs.statSync(file).size;
  const progress = new Progress(options.progress, size);
  if (!(options.fastPath ?? true)) {
    const imp = new Importer(file, new EventStore(storeCapacity(size)), progress);
    return imp.finish(readLineBytes(file, imp.bytesLine, CHUNK_BYTES, n => imp.longLine(n)));
  }
  // the scanner holds the store (its columns are in the scanner's memory while it reads).
  // There the whole estimate is reserved upfront: growing a WebAssembly memory only maps
  // pages, which cost nothing until written, while growing the columns as they fill would
  // leave every smaller copy behind in the memory.
  try {
    const scanner = new FtraceScanner(storeCapacity(size, Infinity));
    const imp = new Importer(file, scanner.store, progress);
    imp.pairAtEnd = true;
    return imp.finish(scanner.readFile(file, imp));
  } catch (e) {
    if (e instanceof ScanMemoryError) return importTrace(file, { ...options, fastPath: false });
    throw e;
  }
}

/** Imports trace text already in memory (an export read back; tests). */
export function importTraceText(text: string, name = '<text>'): ImportedTrace {
  const imp = new Importer(name, new EventStore());
  return imp.finish(readTextLines(text, imp.line));
}

/** Events to reserve for a file of `bytes`: ~125 bytes a line in the captures. Sized once
 * instead of doubling, up to `most` events (4M for columns in buffers of their own: a bigger
 * file grows them as it goes, rather than reserving gigabytes upfront). */
function storeCapacity(bytes: number, most = 1 << 22): number {
  return Math.min(most, Math.max(4096, Math.ceil(bytes / 110)));
}

const PRINTABLE_LIMIT = 32;
function hasControl(s: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if ((c < PRINTABLE_LIMIT && c !== 9) || c === 127) return true;
  }
  return false;
}

class Importer implements ScanSink {
  readonly warnings: TraceWarning[] = [];
  moreWarnings = 0;
  format: TextFormat | null = null;
  reader: LineReader | null = null;
  readonly h: LineHeader = newHeader();
  stackTraces = 0;
  /** the event the next `=> func` frames belong to, and the frames so far */
  stackOwner = -1;
  stackFrames: number[] | null = null;
  /** perf script: the event whose line was just read (its -g call chain may follow) */
  private callChainOwner = -1;
  /** per CPU, the last event (stack trace entries attach to it), as of event lastUpTo */
  private readonly lastOnCpu: number[] = [];
  private lastUpTo = 0;
  /** per CPU, its last contention_begin not yet given a stack trace */
  readonly contentionOnCpu: number[] = [];
  private rawClockSeen = false;
  /** events numbered so far because their lines had no time */
  private untimed = 0;
  /** pfn -> index of its last mm_page_free of order 0 not yet matched by a batched free */
  readonly pendingFree = new PfnIndex();   // value: event index + 1
  /** a batched free's two lines are paired by the scanner (which stores events itself) at
   * the end, instead of as each event is stored */
  pairAtEnd = false;
  private readonly ids: number[] = [];
  readonly lost: LostEvents[] = [];
  overwritten = 0;
  /** the last task name seen per pid, to skip interning when it has not changed */
  private readonly taskOfPid = new Map<number, { name: string; id: number }>();

  constructor(readonly file: string, readonly store: EventStore, private readonly progress?: Progress) {
    // reserve interned ids 1..LAST_KNOWN for the known events, in EV's order
    for (const n of KNOWN_EVENTS) this.ids.push(this.store.strings.id(n));
    if (this.ids[LAST_KNOWN - 1] !== LAST_KNOWN) throw new Error('event name ids out of order');
  }

  warn(line: number, message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ line, message });
    else this.moreWarnings++;
  }

  /** the file offset of the line being read (-1: text in memory, no file to read back from) */
  private lineAt = -1;

  /** A line as bytes, for the general reader: decoded as latin1 (see lineReader). */
  readonly bytesLine = (b: Buffer, start: number, end: number, lineNo: number, at: number): void => {
    if ((lineNo & 4095) === 0) this.progress?.at(at);
    this.lineAt = at;
    this.line(b.toString('latin1', start, end), 0, end - start, lineNo);
    this.lineAt = -1;
  };

  // ScanSink: what the WebAssembly scanner (ftraceScan.ts) reports, in file order
  scanMode(): number { return this.reader === readFtraceLine ? 1 : this.reader === readTraceCmdLine ? 3 : this.reader ? 0 : 2; }
  scanned(): void { this.endStack(); }
  other(b: Buffer, start: number, end: number, lineNo: number, at: number): void { this.bytesLine(b, start, end, lineNo, at); }
  frame(b: Buffer, start: number, end: number, lineNo: number, nameStart: number, nameEnd: number): void {
    // ` => func`: a frame of the stack trace being read (as readStackFrame reads it)
    if (this.stackFrames) this.stackFrames.push(this.store.strings.id(b.toString('latin1', nameStart, nameEnd)));
    else this.bytesLine(b, start, end, lineNo, -1);
  }

  readonly line = (s: string, start: number, end: number, lineNo: number): void => {
    // Binary garbage (control characters other than tab) is looked for where it matters:
    // in lines that do not parse, and in the text kept of markers and unknown events.
    // Numeric fields stop at the first byte that is not part of them.
    const lost = readLostLine(s, start, end);
    if (lost) {
      this.endStack();
      this.lost.push({ ...lost, line: lineNo, before: this.store.length });
      return;
    }
    const over = readOverwritten(s, start, end);
    if (over !== null) this.overwritten += over;
    if (!this.reader) {
      const f = detectFromLine(s.slice(start, end));
      if (!f) {
        if (end > start && s.charCodeAt(start) !== 35) this.warn(lineNo, hasControl(s, start, end) ? 'binary data, line skipped' : 'not a trace line (format not yet recognised)');
        return;
      }
      this.format = f;
      this.reader = READERS[f];
    }
    const h = this.h;
    h.marker = false;
    h.fn = false;
    h.restEnd = end;
    const r = this.reader(s, start, end, h);
    if (r === LINE_FRAME) {
      // perf script -g: the call chain follows its own event's line, with no entry of its own
      if (!this.stackFrames && this.callChainOwner >= 0) {
        this.stackTraces++;
        this.stackOwner = this.callChainOwner;
        this.stackFrames = [];
        if (this.store.name[this.stackOwner] === EV.contention_begin) this.contentionOnCpu[this.store.cpu[this.stackOwner]] = -1;
      }
      this.callChainOwner = -1;
      if (this.stackFrames) this.stackFrames.push(this.store.strings.id(s.slice(h.nameStart, h.nameEnd)));
      else this.warn(lineNo, 'stack frame outside a stack trace');
      return;
    }
    this.callChainOwner = -1;
    this.endStack();
    if (r === LINE_SKIP) return;
    if (r === LINE_BAD) { this.warn(lineNo, hasControl(s, start, end) ? 'binary data, line skipped' : h.error); return; }
    if (r === LINE_STACK_START) {
      this.stackTraces++;
      // the stacktrace trigger of contention_begin: an interrupt may have logged events
      // between the two, so the owner is that CPU's contention_begin still without a stack
      const c = this.contentionOnCpu[h.cpu];
      this.stackOwner = c !== undefined && c >= 0 ? c : this.lastEventOn(h.cpu);
      this.contentionOnCpu[h.cpu] = -1;
      this.stackFrames = [];
      return;
    }
    const before = this.store.length;
    this.event(s, h.restEnd, lineNo);
    if (this.reader === readPerfLine && this.store.length > before) this.callChainOwner = this.store.length - 1;
  };

  /** The interned id of the event name at s[a, b): the known names without a lookup. */
  private nameId(s: string, a: number, b: number): number {
    const n = b - a;
    for (let k = 0; k < LAST_KNOWN; k++) {
      const name = KNOWN_EVENTS[k];
      if (name.length === n && eqAt(s, a, name)) return k + 1;
    }
    return this.store.strings.id(s.slice(a, b));
  }

  private endStack(): void {
    if (!this.stackFrames) return;
    if (this.stackOwner >= 0) this.store.stacks.set(this.stackOwner, this.stackFrames);
    this.stackFrames = null;
    this.stackOwner = -1;
  }

  private event(s: string, end: number, lineNo: number): void {
    const h = this.h, st = this.store;
    if (h.noTime) {
      if (!this.untimed) this.warn(lineNo, 'no time field (perf script -F without time): the events keep their file order and are numbered 1, 2, 3, ... as their time; durations (lock waits, Chrome slices) count events, not seconds');
      h.ts = ++this.untimed;
    }
    if (h.rawClock && !this.rawClockSeen) {
      this.rawClockSeen = true;
      this.warn(lineNo, 'timestamp without a decimal point: a trace clock that does not count nanoseconds (counter, x86-tsc); times and durations are in its units, not seconds');
    }
    const name = h.marker ? EV.tracing_mark_write : h.fn ? this.store.strings.id('function') : this.nameId(s, h.nameStart, h.nameEnd);
    const i = st.push();
    st.name[i] = name;
    st.cpu[i] = h.cpu;
    st.ts[i] = h.ts;
    st.pid[i] = h.pid;
    const known = this.taskOfPid.get(h.pid);
    if (known && known.name.length === h.taskEnd - h.taskStart && eqAt(s, h.taskStart, known.name)) st.task[i] = known.id;
    else {
      const raw = s.slice(h.taskStart, h.taskEnd);
      const id = st.strings.id(utf8(raw));
      this.taskOfPid.set(h.pid, { name: raw, id });
      st.task[i] = id;
    }
    st.flags[i] = h.flags;
    st.preempt[i] = h.preempt;
    st.line[i] = lineNo;
    const kind = name <= LAST_KNOWN ? name : 0;
    if (kind === 0 && this.lineAt >= 0 && end - h.restStart < TEXT_AT_SCALE && !this.textKept(name)) {
      // another event's text stays in the file: millions of distinct texts (kmalloc, sched
      // events) interned would cost seconds and most of the memory
      if (hasControl(s, h.taskStart, end)) { st.pop(); this.warn(lineNo, 'binary data, line skipped'); return; }
      if (end > h.restStart) {
        this.textsInFile();
        st.textAt[i] = (this.lineAt + h.restStart) * TEXT_AT_SCALE + (end - h.restStart);
      }
      this.afterEvent(i, kind);
      return;
    }
    const err = parseFields(st, i, kind, s, h.restStart, end);
    if (err) { st.pop(); this.warn(lineNo, hasControl(s, h.restStart, end) ? 'binary data, line skipped' : `${st.strings.get(name)}: ${err}`); return; }
    if (kind === 0 || kind === EV.tracing_mark_write) {
      if (hasControl(s, h.taskStart, end)) { st.pop(); this.warn(lineNo, 'binary data, line skipped'); return; }
    }
    if (kind === EV.tracing_mark_write) st.text[i] = st.strings.id(utf8(st.strings.get(st.text[i])));
    this.afterEvent(i, kind);
  }

  longLine(lineNo: number): void { this.warn(lineNo, LONG_LINE_MESSAGE); }

  read(bytes: number): void { this.progress?.at(bytes); }

  otherEventName(name: string): number {
    // (interned as nameId does, so ids come in the same order as when this reader reads it)
    // (trace-cmd's `print` is a marker write and its `kernel_stack` begins a stack trace:
    // the general reader reads those lines)
    if (this.reader === readTraceCmdLine ? name === 'print' || name === 'kernel_stack' : this.reader !== readFtraceLine) return 0;
    const id = this.nameId(name, 0, name.length);
    if (id <= LAST_KNOWN || this.textKept(id)) return 0;
    this.textsInFile();
    return id;
  }

  /** Other events' texts stay in the file: the store reads them back from it when asked. */
  private textsInFile(): void { this.store.textSource ??= TextFile.of(this.file); }

  /** by name id: whether an other event's text is interned (the kprobes the reconstruction reads) */
  private readonly keptText = new Map<number, boolean>();
  private textKept(name: number): boolean {
    let k = this.keptText.get(name);
    if (k === undefined) this.keptText.set(name, k = TEXT_KEPT.includes(this.store.strings.get(name)));
    return k;
  }

  pairOutside(limit: number): void {
    const st = this.store;
    for (let i = 0; i < st.length; i++) {
      const kind = st.name[i], pfn = st.pfn[i];
      if (kind >= EV.mm_page_alloc && kind <= EV.mm_page_free_batched && !(pfn >= 0 && pfn < limit && Number.isInteger(pfn))) this.pair(i, kind);
    }
  }

  /** The last event of a CPU so far, or -1. */
  private lastEventOn(cpu: number): number {
    const st = this.store;
    for (let i = this.lastUpTo; i < st.length; i++) this.lastOnCpu[st.cpu[i]] = i;
    this.lastUpTo = st.length;
    return this.lastOnCpu[cpu] ?? -1;
  }

  /** What every stored event updates: open contention, and the pairing of a batched free's
   * two log lines. */
  private afterEvent(i: number, kind: number): void {
    const st = this.store;
    if (kind === EV.contention_begin) this.contentionOnCpu[st.cpu[i]] = i;
    if (!this.pairAtEnd && kind >= EV.mm_page_alloc && kind <= EV.mm_page_free_batched) this.pair(i, kind);
  }

  /** free_unref_page_list() logs each page twice: mm_page_free in its first pass
   * (free_pages_prepare), mm_page_free_batched in the second, when the page really goes on
   * the pcp list. The first is marked so the reconstruction counts the page once. */
  private pair(i: number, kind: number): void {
    const st = this.store, pfn = st.pfn[i];
    if (kind === EV.mm_page_free) {
      if (st.order[i] === 0) this.pendingFree.set(pfn, i + 1);
    } else if (kind === EV.mm_page_free_batched) {
      const j = this.pendingFree.get(pfn);
      if (j) { st.flags[j - 1] |= FLAG_BATCH_FIRST_PASS; this.pendingFree.set(pfn, 0); }
    } else {
      this.pendingFree.set(pfn, 0);
    }
  }

  finish(stats: ReadStats & { scanned?: number }): ImportedTrace {
    this.endStack();
    if (!this.format) {
      const w = this.warnings[0];
      throw new TraceImportError(this.file, w?.line ?? 1, `${this.file}: not a raw ftrace, trace-cmd report or perf script text (no event line recognised in ${stats.lines} lines${w ? `; line ${w.line}: ${w.message}` : ''})`);
    }
    const st = this.store;
    const notKept = notKeptWarning(st.strings);
    if (notKept) this.warn(0, notKept);
    // names are interned ids and CPUs small numbers: count in arrays, not maps
    const counts = new Float64Array(st.strings.strings.length);
    const onCpu = new Uint8Array(65536);
    const seen: number[] = [];   // name ids in the order first seen (ties keep that order)
    for (let i = 0; i < st.length; i++) {
      const id = st.name[i];
      if (counts[id]++ === 0) seen.push(id);
      onCpu[st.cpu[i]] = 1;
    }
    const cpus: number[] = [];
    for (let c = 0; c < onCpu.length; c++) if (onCpu[c]) cpus.push(c);
    const byEvent: Record<string, number> = {};
    for (const id of seen.sort((a, b) => counts[b] - counts[a])) byEvent[st.strings.get(id)] = counts[id];
    return {
      file: this.file, format: this.format, store: st, warnings: this.warnings, moreWarnings: this.moreWarnings,
      byEvent, cpus, stackTraces: this.stackTraces, bytes: stats.bytes, lines: stats.lines, scannedEvents: stats.scanned ?? 0,
      lost: this.lost, overwritten: this.overwritten,
    };
  }
}
