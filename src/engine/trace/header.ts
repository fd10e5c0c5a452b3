// The part of an event line every text format shares: task, pid, [CPU], timestamp and the
// event name, found by offsets into the chunk string (no per-line strings). Each format's
// line reader (lineFtrace, lineTraceCmd, linePerf) fills a LineHeader with these helpers.
import { FLAG_BH_OFF, FLAG_HARDIRQ, FLAG_IRQS_OFF, FLAG_NEED_RESCHED, FLAG_NMI, FLAG_NO_FLAGS, FLAG_SOFTIRQ } from './store';

export interface LineHeader {
  taskStart: number; taskEnd: number;
  pid: number;
  cpu: number;
  flags: number;
  preempt: number;      // 255 = not shown
  ts: number;
  /** the timestamp was a raw clock count (no decimal point): not seconds */
  rawClock: boolean;
  /** the line had no time at all (perf script -F without time): the importer numbers the events */
  noTime: boolean;
  nameStart: number; nameEnd: number;
  restStart: number;
  /** where the event's text ends (the line's end unless the reader cut a trailer off) */
  restEnd: number;
  /** a trace_marker write shown under another name (trace-cmd's and perf's `print`) */
  marker: boolean;
  /** a function tracer line (`func <-parent`, no event name): kept as a `function` event */
  fn: boolean;
  /** why the line is not an event line (set when a reader returns false) */
  error: string;
}

export function newHeader(): LineHeader {
  return { taskStart: 0, taskEnd: 0, pid: 0, cpu: 0, flags: 0, preempt: 255, ts: 0, rawClock: false, noTime: false, nameStart: 0, nameEnd: 0, restStart: 0, restEnd: 0, marker: false, fn: false, error: '' };
}

const SP = 32, TAB = 9, LBR = 91, RBR = 93, COLON = 58, DOT = 46, ZERO = 48, NINE = 57;

function isDigit(c: number): boolean { return c >= ZERO && c <= NINE; }

/** Index of the `[NNN]` CPU field: the first `[` followed by digits and `]`; -1 if none. */
/** s[pos ..] begins with t (a plain loop: cheaper than startsWith for short keys in hot paths). */
export function eqAt(s: string, pos: number, t: string): boolean {
  const n = t.length;
  if (pos + n > s.length) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(pos + k) !== t.charCodeAt(k)) return false;
  return true;
}

export function findCpuField(s: string, start: number, end: number): number {
  // a loop bounded by the line: indexOf would run on into the rest of the chunk on a
  // line without `[` (garbage lines would make reading quadratic)
  for (let p = start; p < end; p++) {
    if (s.charCodeAt(p) !== LBR) continue;
    let q = p + 1;
    while (q < end && isDigit(s.charCodeAt(q))) q++;
    if (q > p + 1 && q < end && s.charCodeAt(q) === RBR) return p;
  }
  return -1;
}

/** Parses the digits between `[` at `lbr` and `]`; returns the index after `]`. */
export function readCpu(s: string, lbr: number, h: LineHeader): number {
  let v = 0, q = lbr + 1;
  for (let c = s.charCodeAt(q); c !== RBR; c = s.charCodeAt(++q)) v = v * 10 + (c - ZERO);
  h.cpu = v;
  return q + 1;
}

/**
 * A `<stack trace>` entry, `=> function+off/size` as both ftrace and trace-cmd print it:
 * true and the function's name in h.nameStart/nameEnd when the line at p0 is one.
 */
export function readStackFrame(s: string, p0: number, end: number, h: LineHeader): boolean {
  if (s.charCodeAt(p0) !== 61 /* = */ || s.charCodeAt(p0 + 1) !== 62 /* > */) return false;
  h.nameStart = skipSpaces(s, p0 + 2, end);
  let e = h.nameStart;
  while (e < end && s.charCodeAt(e) !== 32) e++;
  h.nameEnd = e;
  return true;
}

export function skipSpaces(s: string, p: number, end: number): number {
  while (p < end) { const c = s.charCodeAt(p); if (c !== SP && c !== TAB) break; p++; }
  return p;
}

/** Parses `12345.678901:` at p into h.ts; returns the index after the colon, or -1. A clock
 * that does not count nanoseconds (trace_clock `counter`, `x86-tsc`) prints its raw value,
 * `1234567890:`, kept as it is: the order of events holds, the unit is the clock's. */
export function readTimestamp(s: string, p: number, end: number, h: LineHeader): number {
  let whole = 0, frac = 0, scale = 1, digits = 0;
  let c = s.charCodeAt(p);
  while (p < end && isDigit(c)) { whole = whole * 10 + (c - ZERO); digits++; c = s.charCodeAt(++p); }
  h.rawClock = false;
  if (digits && c === COLON && p < end) { h.ts = whole; h.rawClock = true; return p + 1; }
  if (!digits || c !== DOT) return -1;
  c = s.charCodeAt(++p);
  while (p < end && isDigit(c)) { frac = frac * 10 + (c - ZERO); scale *= 10; c = s.charCodeAt(++p); }
  if (scale === 1 || c !== COLON) return -1;
  h.ts = whole + frac / scale;
  return p + 1;
}

/** The raw ftrace flags column's first three characters (irqs-off, need-resched,
 * hardirq/softirq) as FLAG_* bits, or -1 if they are not flags. (The WebAssembly scanner,
 * asm/ftraceScan.ts, reads the column by the same table.) */
export function flagBits(c0: number, c1: number, c2: number): number {
  let f = 0;
  switch (c0) {
    case 100 /* d */: f |= FLAG_IRQS_OFF; break;
    case 68 /* D */: f |= FLAG_IRQS_OFF | FLAG_BH_OFF; break;
    case 98 /* b */: f |= FLAG_BH_OFF; break;
    case DOT: case 88 /* X */: break;
    default: return -1;
  }
  // need-resched; since 6.13 also the lazy kind (PREEMPT_LAZY): B and b have TIF_NEED_RESCHED
  // with it, L and l have only the lazy one, which waits for the tick and is not kept here
  switch (c1) {
    case 78 /* N */: case 110 /* n */: case 112 /* p */: case 66 /* B */: case 98 /* b */: f |= FLAG_NEED_RESCHED; break;
    case DOT: case 76 /* L */: case 108 /* l */: break;
    default: return -1;
  }
  switch (c2) {
    case 104 /* h */: f |= FLAG_HARDIRQ; break;
    case 115 /* s */: f |= FLAG_SOFTIRQ; break;
    case 72 /* H */: f |= FLAG_HARDIRQ | FLAG_SOFTIRQ; break;
    case 122 /* z */: case 90 /* Z */: f |= FLAG_NMI; break;
    case DOT: break;
    default: return -1;
  }
  return f;
}

/** The preempt-depth character (hex digit, `.` = 0) as a number, or -1. */
export function preemptDepth(c: number): number {
  if (isDigit(c)) return c - ZERO;
  if (c >= 97 && c <= 102) return c - 87;
  return c === DOT ? 0 : -1;
}

/** The raw ftrace flags column (4 or 5 characters: irqs-off, need-resched, hardirq/softirq,
 * preempt-depth, migrate-disable). Returns false if `s[p..q)` is not one. */
export function readFlags(s: string, p: number, q: number, h: LineHeader): boolean {
  const n = q - p;
  if (n !== 4 && n !== 5) return false;
  const f = flagBits(s.charCodeAt(p), s.charCodeAt(p + 1), s.charCodeAt(p + 2));
  const d = preemptDepth(s.charCodeAt(p + 3));
  if (f < 0 || d < 0) return false;
  h.preempt = d;
  h.flags = f;
  return true;
}

/** The event name ends at the first `:`; the rest starts after the spaces that follow it.
 * Returns false if there is no `name:`. */
export function readName(s: string, p: number, end: number, h: LineHeader): boolean {
  p = skipSpaces(s, p, end);
  const colon = s.indexOf(':', p);
  if (colon < 0 || colon >= end || colon === p) return false;
  // (a space before the colon: not an event name; the next space is always near)
  const sp = s.indexOf(' ', p);
  if (sp >= 0 && sp < colon) return false;
  h.nameStart = p; h.nameEnd = colon;
  h.restStart = skipSpaces(s, colon + 1, end);
  return true;
}

/** After `]`: optional flags column, then the timestamp. Returns the index after the
 * timestamp's colon, or -1 with h.error set. */
export function readFlagsAndTime(s: string, p: number, end: number, h: LineHeader, flagsExpected: boolean): number {
  p = skipSpaces(s, p, end);
  let q = p;
  while (q < end) { const c = s.charCodeAt(q); if (c === SP || c === TAB) break; q++; }
  h.flags = FLAG_NO_FLAGS; h.preempt = 255;
  if (q < end && s.charCodeAt(q - 1) !== COLON) {
    if (!readFlags(s, p, q, h)) { h.error = `bad flags column '${s.slice(p, q)}'`; return -1; }
    p = skipSpaces(s, q, end);
  } else if (flagsExpected && q >= end) {
    h.error = 'truncated line: no timestamp'; return -1;
  }
  const after = readTimestamp(s, p, end, h);
  if (after < 0) { h.error = p >= end ? 'truncated line: no timestamp' : `bad timestamp '${s.slice(p, Math.min(end, p + 20))}'`; return -1; }
  return after;
}

/** `task-pid` ending just before `lbr` (spaces between allowed): fills task and pid. */
export function readTaskDashPid(s: string, start: number, lbr: number, h: LineHeader): boolean {
  let q = lbr - 1;
  while (q > start && s.charCodeAt(q) === SP) q--;
  // the record-tgid option adds `(  tgid)` between task-pid and the CPU
  if (s.charCodeAt(q) === 41 /* ) */) {
    const open = s.lastIndexOf('(', q);
    if (open > start) { q = open - 1; while (q > start && s.charCodeAt(q) === SP) q--; }
  }
  let pid = 0, mul = 1, k = q;
  while (k >= start && isDigit(s.charCodeAt(k))) { pid += (s.charCodeAt(k) - ZERO) * mul; mul *= 10; k--; }
  if (k === q || k < start || s.charCodeAt(k) !== 45 /* - */) return false;
  h.pid = pid;
  h.taskStart = skipSpaces(s, start, k);
  h.taskEnd = k;
  return true;
}

/** `task-pid CPUflags time:` of the latency layouts, the CPU without brackets and the flags
 * column glued to it: `trace-cmd report -l` (`    init-1       2d..3.     4.049733:`) and the
 * tracefs trace file with options/latency-format (`  cap.sh-23047     1..... 11510us+:`, the
 * time in microseconds since the trace began, then a delay mark). Task names are cut to 8
 * characters there. Returns the index after the colon, or -1 with h.error set. */
const LATENCY_HEAD = /^(.*?)-(\d+) +(\d+)(\S{4,5}) +(?=\d)/d;
export function readLatencyHead(s: string, p0: number, end: number, h: LineHeader): number {
  const m = LATENCY_HEAD.exec(s.slice(p0, Math.min(end, p0 + 200)));
  if (!m) { h.error = 'not an event line (no [CPU] field)'; return -1; }
  h.taskStart = p0; h.taskEnd = p0 + m[1].length;
  h.pid = Number(m[2]);
  h.cpu = Number(m[3]);
  const [fa, fb] = m.indices![4];
  if (!readFlags(s, p0 + fa, p0 + fb, h)) { h.error = `bad flags column '${m[4]}'`; return -1; }
  const t = p0 + m[0].length;
  let q = t;
  while (q < end && isDigit(s.charCodeAt(q))) q++;
  if (q + 3 < end && s.charCodeAt(q) === 117 /* u */ && s.charCodeAt(q + 1) === 115 /* s */ && s.charCodeAt(q + 3) === COLON) {
    h.ts = Number(s.slice(t, q)) / 1e6;
    h.rawClock = false;
    return q + 4;
  }
  const after = readTimestamp(s, t, end, h);
  if (after < 0) h.error = `bad timestamp '${s.slice(t, Math.min(end, t + 20))}'`;
  return after;
}

/** `task-pid [CPU] flags time:`, or the latency layout's `task-pid CPUflags time:`: task,
 * pid, CPU, flags and time into h. Returns the index after the time's colon, or -1 with
 * h.error set (`flagsExpected` as for readFlagsAndTime). */
export function readEventHead(s: string, p0: number, end: number, h: LineHeader, flagsExpected: boolean): number {
  const lbr = findCpuField(s, p0, end);
  if (lbr < 0) return readLatencyHead(s, p0, end, h);
  if (!readTaskDashPid(s, p0, lbr, h)) { h.error = 'not an event line (no task-pid before [CPU])'; return -1; }
  return readFlagsAndTime(s, readCpu(s, lbr, h), end, h, flagsExpected);
}
