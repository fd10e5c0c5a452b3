// AssemblyScript, compiled to WebAssembly by scripts/wasm.mjs (not by tsc): the byte scanner
// of raw ftrace text. It splits a chunk of the file into lines and reads the lines of the
// kernel's padded layout (print_trace_header / trace_print_context)
//
//   `%16s-%-7d [%03d] %c%c%c%c%c %5lu.%06lu: name: fields`
//    0       16   24 25  29 31   36    42  49 51
//
// or of trace-cmd report's (no flags column; a pid of more than five digits widens it)
//
//   `%16s-%-5d [%03d] %5lu.%06lu: name:  fields`
//    0       16 22 23  27 29   34    41 43
//
// (seconds past 99999, on a machine up for more than 27 hours, widen the timestamp and move
// the name and fields right) for the common events (the page events, softirq entry/exit)
// straight into the EventStore's columns, which live in this module's memory during an
// import (ftraceScan.ts lays them out). Every other line is listed for the general string
// reader in JavaScript; the scanner stops before the next event so the importer can read
// those lines first and events keep file order. A line is read here only where the general
// reader would give the same columns: anything unexpected (a longer pid, the tgid column,
// 4-character flags, another event, another field layout, a failed allocation) is left to
// it. Strings stay JavaScript's: a task name or gfp_flags text not seen just before is
// interned through an import.

@external("env", "internTask") declare function internTask(t: usize, e: usize, pid: i32): u32;
@external("env", "internText") declare function internText(a: usize, e: usize): u32;
@external("env", "internName") declare function internName(a: usize, e: usize): i32;

const SP: u32 = 32, ZERO: u32 = 48, COLON: u32 = 58, NL: u32 = 10, CR: u32 = 13;
/** where the event name begins in the kernel's layout and in trace-cmd's */
const NAME_AT: usize = 51, NAME_AT_TRACE_CMD: usize = 43;

// kinds of the events read here
const K_ALLOC: i32 = 1, K_FREE: i32 = 2, K_FREE_BATCHED: i32 = 3, K_DRAIN: i32 = 4, K_ZONE_LOCKED: i32 = 5;
const K_SOFTIRQ_ENTRY: i32 = 6, K_SOFTIRQ_EXIT: i32 = 7;
const NAME_LENGTH: StaticArray<i32> = [0, 13, 12, 20, 18, 25, 13, 12];
/** the kinds as eventKinds.ts's EV ids (checked by ftraceScan.ts against EV) */
const KIND_EV: StaticArray<i32> = [0, 1, 2, 3, 4, 5, 10, 11];
export function kindEv(k: i32): i32 { return k > 0 && k < 8 ? unchecked(KIND_EV[k]) : -1; }

// flag bits of store.ts
const F_IRQS_OFF: i32 = 1, F_NEED_RESCHED: i32 = 2, F_HARDIRQ: i32 = 4, F_SOFTIRQ: i32 = 8, F_NMI: i32 = 16, F_BH_OFF: i32 = 32, F_NO_FLAGS: i32 = 128;

/** other-line record: kind (0 = for the general reader, 1 = stack frame), start, end, line,
 * frame name start, end */
export const OTHER_INTS: i32 = 8;
export const MAX_OTHER: i32 = 1024;
const CPUS: i32 = 1000;
const TASK_STRIDE: usize = 32;       // pid, interned id, then at +8 the 16 bytes of the task column
const GFP_SLOTS: i32 = 8;
const GFP_STRIDE: usize = 256;       // length, interned id, then the text
const GFP_MAX: i32 = 248;
const NAME_SLOTS: i32 = 16;
const NAME_STRIDE: usize = 48;       // length, interned id (0: not read here), then the name
const NAME_MAX: i32 = 40;

const TASKS: usize = (__heap_base + 15) & ~(<usize>15);
const GFP: usize = TASKS + <usize>CPUS * TASK_STRIDE;
const NAMES: usize = GFP + <usize>GFP_SLOTS * GFP_STRIDE;
const OTHER: usize = NAMES + <usize>NAME_SLOTS * NAME_STRIDE;
/** where JavaScript may place what it needs (the input chunk, the store's columns) */
const FREE: usize = (OTHER + <usize>MAX_OTHER * <usize>OTHER_INTS * 4 + 15) & ~(<usize>15);

// the store's columns (byte offsets in this memory), set by JavaScript before a scan
let cName: usize = 0, cCpu: usize = 0, cTs: usize = 0, cPid: usize = 0, cTask: usize = 0, cFlags: usize = 0, cPreempt: usize = 0;
let cLine: usize = 0, cPfn: usize = 0, cOrder: usize = 0, cMt: usize = 0, cX: usize = 0, cAddr: usize = 0, cText: usize = 0, cTextAt: usize = 0;

let count: i32 = 0;       // events in the store
let others: i32 = 0;
let lineNo: i32 = 0;
let gfpNext: i32 = 0;

export function freePtr(): usize { return FREE; }
export function otherPtr(): usize { return OTHER; }
export function eventCount(): i32 { return count; }
export function otherCount(): i32 { return others; }
export function lines(): i32 { return lineNo; }
/** Counts a line JavaScript skipped unread (too long to be a trace line); its number. */
export function skipLine(): i32 { return ++lineNo; }

/** Forgets the last tasks and gfp texts: a new import. */
export function reset(): void {
  lineNo = 0;
  gfpNext = 0;
  gfpLast = 0;
  for (let c: i32 = 0; c < CPUS; c++) store<i32>(TASKS + <usize>c * TASK_STRIDE, -1);
  for (let s: i32 = 0; s < GFP_SLOTS; s++) store<i32>(GFP + <usize>s * GFP_STRIDE, -1);
  for (let s: i32 = 0; s < NAME_SLOTS; s++) store<i32>(NAMES + <usize>s * NAME_STRIDE, -1);
  nameNext = 0;
}

export function columns(name: usize, cpu: usize, ts: usize, pid: usize, task: usize, flags: usize, preempt: usize,
  line: usize, pfn: usize, order: usize, mt: usize, x: usize, addr: usize, text: usize, textAt: usize): void {
  cName = name; cCpu = cpu; cTs = ts; cPid = pid; cTask = task; cFlags = flags; cPreempt = preempt;
  cLine = line; cPfn = pfn; cOrder = order; cMt = mt; cX = x; cAddr = addr; cText = text; cTextAt = textAt;
}

@inline function at(p: usize): u32 { return <u32>load<u8>(p); }
@inline function isDigit(c: u32): bool { return c - ZERO < 10; }

/** The first newline in [p, end), or end. Sixteen bytes at a time. */
function newline(p: usize, end: usize): usize {
  const nl = i8x16.splat(10);
  while (p + 16 <= end) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(p), nl));
    if (m) return p + <usize>ctz(m);
    p += 16;
  }
  while (p < end && at(p) != NL) p++;
  return p;
}

/** The first bytes (up to 8) of the latin1 text s as a little-endian word, to compare with
 * one load: byte-by-byte comparison with a string cost more than the rest of a line. */
function word(s: string): u64 {
  let w: u64 = 0;
  for (let k = s.length - 1; k >= 0; k--) w = (w << 8) | <u64>s.charCodeAt(k);
  return w;
}

/** The n (1..8) bytes at p, within the line ending at e, are the word w. (Loading 8 bytes
 * past e stays inside the memory: the input region has room beyond its end.) */
@inline function has(p: usize, e: usize, n: usize, w: u64): bool {
  return p + n <= e && (load<u64>(p) & (<u64>-1 >> ((8 - n) * 8))) == w;
}

const MM_PAGE_ = word('mm_page_'), SOFTIRQ_ = word('softirq_');
const ALLOC_ = word('alloc:'), ALLOC_ZO = word('alloc_zo'), NE_LOCKE = word('ne_locke'), D_ = word('d:');
const FREE_ = word('free:'), FREE_BAT = word('free_bat'), CHED_ = word('ched:');
const PCPU_DRA = word('pcpu_dra'), IN_ = word('in:'), ENTRY_ = word('entry:'), EXIT_ = word('exit:');
const VEC_ = word('vec='), PAGE_ = word('page='), PFN_ = word('pfn='), ORDER_ = word(' order=');
const MIGRATE = word(' migrate'), TYPE_ = word('type='), PERCPU_ = word(' percpu_'), REFILL_ = word('refill=');
const GFP_FLA = word(' gfp_fla'), GS_ = word('gs=');

function eventAt(p: usize, e: usize): i32 {
  if (p + 16 > e) return 0;
  const w = load<u64>(p);
  if (w == MM_PAGE_) {
    const q = p + 8;
    const v = load<u64>(q);
    if (has(q, e, 6, ALLOC_)) return K_ALLOC;
    if (v == ALLOC_ZO) return has(q + 8, e, 8, NE_LOCKE) && has(q + 16, e, 2, D_) ? K_ZONE_LOCKED : 0;
    if (has(q, e, 5, FREE_)) return K_FREE;
    if (v == FREE_BAT) return has(q + 8, e, 5, CHED_) ? K_FREE_BATCHED : 0;
    if (v == PCPU_DRA) return has(q + 8, e, 3, IN_) ? K_DRAIN : 0;
    return 0;
  }
  if (w == SOFTIRQ_) {
    if (has(p + 8, e, 6, ENTRY_)) return K_SOFTIRQ_ENTRY;
    if (has(p + 8, e, 5, EXIT_)) return K_SOFTIRQ_EXIT;
  }
  return 0;
}

function flagBits(c0: u32, c1: u32, c2: u32): i32 {
  let f: i32 = 0;
  if (c0 == 100) f |= F_IRQS_OFF;
  else if (c0 == 68) f |= F_IRQS_OFF | F_BH_OFF;
  else if (c0 == 98) f |= F_BH_OFF;
  else if (c0 != 46 && c0 != 88) return -1;
  // (B, b: need-resched with the lazy one, 6.13+; L, l: the lazy one only, not kept)
  if (c1 == 78 || c1 == 110 || c1 == 112 || c1 == 66 || c1 == 98) f |= F_NEED_RESCHED;
  else if (c1 != 46 && c1 != 76 && c1 != 108) return -1;
  if (c2 == 104) f |= F_HARDIRQ;
  else if (c2 == 115) f |= F_SOFTIRQ;
  else if (c2 == 72) f |= F_HARDIRQ | F_SOFTIRQ;
  else if (c2 == 122 || c2 == 90) f |= F_NMI;
  else if (c2 != 46) return -1;
  return f;
}

function preemptDepth(c: u32): i32 {
  if (isDigit(c)) return <i32>(c - ZERO);
  if (c >= 97 && c <= 102) return <i32>c - 87;
  return c == 46 ? 0 : -1;
}

/** An unsigned decimal at q within e as a double (as JavaScript reads it), and where it ends. */
let numEnd: usize = 0;
function decimal(q: usize, e: usize): f64 {
  let v: f64 = 0;
  let c = at(q);
  while (q < e && isDigit(c)) { v = v * 10 + <f64>(c - ZERO); q++; c = at(q); }
  numEnd = q;
  return v;
}

/** An unsigned decimal at q within e, held at 2^40 once past it (enough for the range checks
 * that follow), and where it ends (numEnd). */
function small(q: usize, e: usize): i64 {
  let v: i64 = 0;
  let c = at(q);
  while (q < e && isDigit(c)) { v = v * 10 + <i64>(c - ZERO); if (v > (<i64>1 << 40)) v = <i64>1 << 40; q++; c = at(q); }
  numEnd = q;
  return v;
}

const SPACES: u64 = 0x2020202020202020, ZEROS: u64 = 0x3030303030303030;

/** How many of the 8 bytes of w (first byte lowest) are decimal digits before the first
 * that is not. Per byte, c - '0' is a digit value only when it is below 10: adding 0x76 sets
 * the top bit for 10 and above, and the subtraction already set it below '0'. A borrow or
 * carry only runs upward, so the bytes before the first non-digit are read right. */
@inline function digitRun(w: u64): i32 {
  const v = w - ZEROS;
  const bad = (v | (v + 0x7676767676767676)) & 0x8080808080808080;
  return bad ? <i32>(ctz(bad) >> 3) : 8;
}

/** The value of the first n (1..8) bytes of w, all decimal digits, the first the most
 * significant: the digits moved to the top of the word (zeros before them), then pairs of
 * digits combined, then pairs of pairs, with two multiplies. */
@inline function digitsValue(w: u64, n: i32): u64 {
  let v = (w - ZEROS) << (<u64>(8 - n) << 3);
  v = v * 10 + (v >> 8);   // even bytes: 10 * digit + the next digit
  return ((v & 0x000000ff000000ff) * (100 + (<u64>1000000 << 32)) + ((v >> 16) & 0x000000ff000000ff) * (1 + (<u64>10000 << 32))) >> 32;
}

const NOT_OURS = 0, STORED = 1, AFTER_OTHERS = 2;

/** scan()'s modes: read the common lines of raw ftrace text, or of trace-cmd report's; list
 * every line; list one line (the format is not known yet: the importer reads it before
 * deciding) */
const FAST = 1, ALL_OTHER = 0, ONE_LINE = 2, FAST_TRACE_CMD = 3;

/** the input region and its first byte's offset in the file (set per chunk): where a text is */
let region: usize = 0, regionAt: f64 = 0;
export function fileOffsets(at: usize, fileAt: f64): void { region = at; regionAt = fileAt; }

/** [p, e) holds a control character other than a tab (binary data: the general reader warns) */
function hasControl(p: usize, e: usize): bool {
  while (p < e) {
    const v = v128.load(p);
    const ctl = v128.or(v128.andnot(i8x16.lt_u(v, i8x16.splat(32)), i8x16.eq(v, i8x16.splat(9))), i8x16.eq(v, i8x16.splat(127)));
    let m = i8x16.bitmask(ctl);
    if (e - p < 16) m &= (1 << <i32>(e - p)) - 1;
    if (m) return true;
    p += 16;
  }
  return false;
}

let nameNext: i32 = 0;

/** The interned id of the other event named [a, e), or 0 when JavaScript reads such events
 * itself: kept in a few slots (a trace has few event names), else asked of JavaScript. */
function otherName(a: usize, e: usize): i32 {
  const n = <i32>(e - a);
  if (n > NAME_MAX) return internName(a, e);
  const s = findSlot(NAMES, NAME_SLOTS, NAME_STRIDE, a, n, 0);
  if (s >= 0) return load<i32>(NAMES + <usize>s * NAME_STRIDE + 4);
  const id = internName(a, e);
  fillSlot(NAMES + <usize>nameNext * NAME_STRIDE, a, n, id);
  nameNext = (nameNext + 1) & (NAME_SLOTS - 1);
  return id;
}

/** The slot (of `slots`, `stride` bytes each from `base`: length, id, bytes) holding the n
 * bytes at a, trying from slot `first` on; -1 if none does. */
function findSlot(base: usize, slots: i32, stride: usize, a: usize, n: i32, first: i32): i32 {
  for (let k: i32 = 0; k < slots; k++) {
    const s = (first + k) & (slots - 1);
    const r = base + <usize>s * stride;
    if (load<i32>(r) == n && sameBytes(r + 8, a, <usize>n)) return s;
  }
  return -1;
}

function fillSlot(r: usize, a: usize, n: i32, id: i32): void {
  store<i32>(r, n);
  store<i32>(r + 4, id);
  memory.copy(r + 8, a, <usize>n);
}

/** Reads the line [a, e) into the store when it has the layout and one of the events read
 * here (STORED); NOT_OURS, with nothing kept, otherwise; AFTER_OTHERS, with nothing kept, when
 * it is ours but other lines listed before it must be read first. */
function readLine(a: usize, e: usize, layout: i32): i32 {
  if (e - a <= (layout == FAST_TRACE_CMD ? NAME_AT_TRACE_CMD : NAME_AT) + 16 || at(a + 16) != 45) return NOT_OURS;
  // a task column of spaces and tabs only is not this layout (one vector compare)
  const col = v128.load(a);
  if (i8x16.bitmask(v128.or(i8x16.eq(col, i8x16.splat(32)), i8x16.eq(col, i8x16.splat(9)))) == 0xffff) return NOT_OURS;
  // pid: left-aligned after the dash (7 columns in the kernel's layout, 5 in trace-cmd's,
  // which a longer pid widens), then one space before the CPU's bracket
  const wp = load<u64>(a + 17);
  const np = digitRun(wp);
  if (!np || np == 8) return NOT_OURS;
  const width = layout == FAST_TRACE_CMD ? max<i32>(np, 5) : 7;
  // (the bytes after the digits, up to and with the separating space: np <= width < 8)
  if (((wp ^ SPACES) >> (<u64>np << 3)) & ((<u64>1 << (<u64>(width + 1 - np) << 3)) - 1)) return NOT_OURS;
  const pid = <i32>digitsValue(wp, np);
  const lbr = a + 18 + <usize>width;
  if (at(lbr) != 91 || at(lbr + 4) != 93 || at(lbr + 5) != SP) return NOT_OURS;
  const c0 = at(lbr + 1) - ZERO, c1 = at(lbr + 2) - ZERO, c2 = at(lbr + 3) - ZERO;
  if (c0 > 9 || c1 > 9 || c2 > 9) return NOT_OURS;
  let flags: i32, preempt: i32, secAt: usize;
  if (layout == FAST_TRACE_CMD) {
    // trace-cmd report prints no flags column (only -l does, in a layout of its own)
    flags = F_NO_FLAGS; preempt = 255;
    secAt = lbr + 6;
  } else {
    // the 5-character flags column: irqs-off, need-resched, hardirq/softirq, preempt depth,
    // migrate-disable
    if (at(lbr + 11) != SP) return NOT_OURS;
    flags = flagBits(at(lbr + 6), at(lbr + 7), at(lbr + 8));
    preempt = preemptDepth(at(lbr + 9));
    if (flags < 0 || preempt < 0 || at(lbr + 10) == SP || at(lbr + 10) == COLON) return NOT_OURS;
    secAt = lbr + 12;
  }
  let whole: f64, nameAt: usize, fracAt: usize;
  if (at(secAt + 5) == 46) {
    // seconds: right-aligned in 5 columns (leading spaces, then digits only)
    const ws = load<u64>(secAt) & 0xffffffffff;
    const lead = <i32>(ctz(ws ^ (SPACES & 0xffffffffff)) >> 3);
    if (lead >= 5) return NOT_OURS;
    const wd = ws >> (<u64>lead << 3);
    if (digitRun(wd) != 5 - lead) return NOT_OURS;   // (the bytes shifted in are 0: not digits)
    whole = <f64>digitsValue(wd, 5 - lead);
    fracAt = secAt + 6;
  } else {
    // more than five digits (a machine up for more than 27 hours): the timestamp widens and
    // the rest of the line moves right with it
    let q = secAt, n = 0;
    whole = 0;
    for (let c = at(q); isDigit(c) && n < 15; c = at(++q)) { whole = whole * 10 + <f64>(c - ZERO); n++; }
    if (n < 6 || at(q) != 46) return NOT_OURS;
    fracAt = q + 1;
  }
  // microseconds: exactly six digits, then the colon and a space
  const wf = load<u64>(fracAt);
  if (digitRun(wf) != 6 || at(fracAt + 6) != COLON || at(fracAt + 7) != SP) return NOT_OURS;
  const frac = <i32>digitsValue(wf, 6);
  nameAt = fracAt + 8;
  const kind = eventAt(nameAt, e);
  let pfn: f64 = -1, order: i32 = -1, mt: i32 = -1, x: i64 = 0;
  let q: usize;
  let gfp: usize = 0, hasGfp = false;
  let nameId: i32 = 0, textAt: f64 = 0;
  if (!kind) {
    // another event (kmalloc, sched_switch, ...): its name, and where its text is in the file
    // (read back only when asked for); what JavaScript reads otherwise (a stack trace, a
    // function tracer line, binary bytes, the events it reads itself) is left to it
    q = nameAt;
    while (q < e && (at(q) == SP || at(q) == 9)) q++;
    if (q >= e || at(q) == 60) return NOT_OURS;
    let colon = q;
    while (colon < e && at(colon) != COLON) { if (at(colon) == SP) return NOT_OURS; colon++; }
    if (colon >= e || colon == q || hasControl(a, e)) return NOT_OURS;
    // (the lines listed before may intern strings: the name is interned after them)
    if (others > 0) return AFTER_OTHERS;
    nameId = otherName(q, colon);
    if (!nameId) return NOT_OURS;
    let r = colon + 1;
    while (r < e && (at(r) == SP || at(r) == 9)) r++;
    if (e - r >= 65536) return NOT_OURS;
    if (e > r) textAt = (regionAt + <f64>(r - region)) * 65536 + <f64>(e - r);
  } else {
  let p = nameAt + <usize>unchecked(NAME_LENGTH[kind]) + 1;
  while (p < e && at(p) == SP) p++;
  if (kind == K_SOFTIRQ_ENTRY || kind == K_SOFTIRQ_EXIT) {
    if (!has(p, e, 4, VEC_)) return NOT_OURS;
    x = small(p + 4, e);
    q = numEnd;
    if (q == p + 4 || (at(q) == 120 && x == 0) || x > 2147483647) return NOT_OURS;
  } else {
    q = p;
    if (has(q, e, 5, PAGE_)) {
      q += 5;
      // nearly always 16 hex digits (after `0x` in trace-cmd's text) then a space: checked
      // sixteen bytes at once
      const hex = at(q) == ZERO && at(q + 1) == 120 ? q + 2 : q;
      if (hex + 16 < e && at(hex + 16) == SP && !i8x16.bitmask(i8x16.eq(v128.load(hex), i8x16.splat(32)))) q = hex + 16;
      else while (q < e && at(q) != SP) q++;
      if (q >= e) return NOT_OURS;
      q++;
    }
    if (!has(q, e, 4, PFN_)) return NOT_OURS;
    q += 4;
    pfn = 0;
    if (at(q) == ZERO && at(q + 1) == 120) {
      q += 2;
      const q0 = q;
      let v: u64 = 0;
      for (; q < e; q++) {
        const c = at(q);
        if (isDigit(c)) v = (v << 4) | <u64>(c - 48);
        else if (c >= 97 && c <= 102) v = (v << 4) | <u64>(c - 87);
        else break;
      }
      if (q == q0) return NOT_OURS;
      // up to 13 digits the integer is exact as a double; beyond, add up in doubles as
      // JavaScript does, so the rounding is the same
      if (q - q0 <= 13) pfn = <f64>v;
      else for (let k = q0; k < q; k++) { const c = at(k); pfn = pfn * 16 + <f64>(isDigit(c) ? c - 48 : c - 87); }
    } else {
      const q0 = q;
      pfn = decimal(q, e);
      q = numEnd;
      if (q == q0) return NOT_OURS;
    }
    if (pfn == 0 || !has(q, e, 7, ORDER_)) return NOT_OURS;
    q += 7;
    const o0 = q;
    const ord = small(q, e);
    q = numEnd;
    if (q == o0 || ord > 127 || (ord == 0 && at(q) == 120)) return NOT_OURS;
    order = <i32>ord;
    if (kind != K_FREE && kind != K_FREE_BATCHED) {
      if (!has(q, e, 8, MIGRATE) || !has(q + 8, e, 5, TYPE_)) return NOT_OURS;
      q += 13;
      const neg = at(q) == 45;
      if (neg) q++;
      const m0 = q;
      const m = small(q, e);
      q = numEnd;
      if (q == m0 || m > 127 || (m == 0 && at(q) == 120)) return NOT_OURS;
      mt = neg ? -<i32>m : <i32>m;
      if (kind == K_ZONE_LOCKED) {
        if (!has(q, e, 8, PERCPU_) || !has(q + 8, e, 7, REFILL_)) return NOT_OURS;
        q += 15;
        const r0 = q;
        x = small(q, e);
        q = numEnd;
        if (q == r0 || x > 2147483647 || (x == 0 && at(q) == 120)) return NOT_OURS;
      } else if (kind == K_ALLOC && has(q, e, 8, GFP_FLA) && has(q + 8, e, 3, GS_)) {
        gfp = q + 11; hasGfp = true;
      }
    }
  }
  }

  if (others > 0) return AFTER_OTHERS;
  const cpu = <i32>(c0 * 100 + c1 * 10 + c2);
  const i = <usize>count;
  store<u16>(cName + (i << 1), <u16>(kind ? unchecked(KIND_EV[kind]) : nameId));
  store<u16>(cCpu + (i << 1), <u16>cpu);
  store<f64>(cTs + (i << 3), whole + <f64>frac / 1e6);
  store<i32>(cPid + (i << 2), pid);
  store<u32>(cTask + (i << 2), taskId(cpu, pid, a));
  store<u8>(cFlags + i, <u8>flags);
  store<u8>(cPreempt + i, <u8>preempt);
  store<u32>(cLine + (i << 2), <u32>lineNo);
  store<f64>(cPfn + (i << 3), pfn);
  store<i8>(cOrder + i, <i8>order);
  store<i8>(cMt + i, <i8>mt);
  store<i32>(cX + (i << 2), <i32>x);
  store<u32>(cAddr + (i << 2), 0);
  store<u32>(cText + (i << 2), hasGfp ? gfpId(gfp, e) : 0);
  store<f64>(cTextAt + (i << 3), textAt);
  count++;
  return STORED;
}

/** The interned task of the line at a: the CPU's previous one when the pid
 * and the 16 bytes of the task column are the same, else asked of JavaScript. */
function taskId(cpu: i32, pid: i32, a: usize): u32 {
  const r = TASKS + <usize>cpu * TASK_STRIDE;
  const w0 = load<u64>(a), w1 = load<u64>(a + 8);
  if (load<i32>(r) == pid && load<u64>(r + 8) == w0 && load<u64>(r + 16) == w1) return load<u32>(r + 4);
  // the name is right-aligned in its 16 columns (readLine saw it is not all blank)
  let t = a;
  while (at(t) == SP || at(t) == 9) t++;
  const id = internTask(t, a + 16, pid);
  store<i32>(r, pid);
  store<u32>(r + 4, id);
  store<u64>(r + 8, w0);
  store<u64>(r + 16, w1);
  return id;
}

/** the n bytes at a and b are the same, a word at a time */
function sameBytes(a: usize, b: usize, n: usize): bool {
  let k: usize = 0;
  for (; k + 8 <= n; k += 8) if (load<u64>(a + k) != load<u64>(b + k)) return false;
  for (; k < n; k++) if (load<u8>(a + k) != load<u8>(b + k)) return false;
  return true;
}

let gfpLast: i32 = 0;

/** The interned gfp_flags text at [g, e): kept in a few slots, the last match tried first
 * (allocations come in runs with the same flags). */
function gfpId(g: usize, e: usize): u32 {
  const n = <i32>(e - g);
  if (n > GFP_MAX) return internText(g, e);
  const found = findSlot(GFP, GFP_SLOTS, GFP_STRIDE, g, n, gfpLast);
  if (found >= 0) { gfpLast = found; return load<u32>(GFP + <usize>found * GFP_STRIDE + 4); }
  const id = internText(g, e);
  fillSlot(GFP + <usize>gfpNext * GFP_STRIDE, g, n, <i32>id);
  gfpLast = gfpNext;
  gfpNext = (gfpNext + 1) & (GFP_SLOTS - 1);
  return id;
}

function other(kind: i32, a: usize, e: usize, p: usize, q: usize): void {
  const r = OTHER + <usize>others * <usize>OTHER_INTS * 4;
  store<i32>(r, kind);
  store<i32>(r + 4, <i32>a);
  store<i32>(r + 8, <i32>e);
  store<i32>(r + 12, lineNo);
  store<i32>(r + 16, <i32>p);
  store<i32>(r + 20, <i32>q);
  others++;
}


/**
 * Reads the whole lines of [from, end): events of the layout into the store's columns from
 * event `first` on (in FAST mode), other lines into other-line records. Stops at an event line
 * once it has listed other lines (they come first in the file, so JavaScript reads them
 * before events go on), when the list is full, or when the store has `capacity` events.
 * Returns where it stopped: the start of the first line not read.
 */
export function scan(from: usize, end: usize, mode: i32, first: i32, capacity: i32): usize {
  count = first;
  others = 0;
  let a = from;
  while (a < end && others < MAX_OTHER && count < capacity) {
    const nl = newline(a, end);
    if (nl == end) break;
    const e = nl > a && at(nl - 1) == CR ? nl - 1 : nl;
    lineNo++;
    if (mode != FAST && mode != FAST_TRACE_CMD) {
      other(0, a, e, 0, 0);
      if (mode == ONE_LINE) { a = nl + 1; break; }
    } else if ((at(a) == SP && at(a + 1) == 61 && at(a + 2) == 62) || (at(a) == 61 && at(a + 1) == 62)) {
      // ` => func+0x1f/0x40` (the kernel) or `=> func (address)` (trace-cmd): a stack frame,
      // the name up to the next space
      let p = at(a) == SP ? a + 3 : a + 2;
      while (p < e && (at(p) == SP || at(p) == 9)) p++;
      let q = p;
      while (q < e && at(q) != SP) q++;
      other(1, a, e, p, q);
    } else {
      const r = readLine(a, e, mode);
      if (r == AFTER_OTHERS) { lineNo--; break; }
      if (r == NOT_OURS) other(0, a, e, 0, 0);
    }
    a = nl + 1;
  }
  return a;
}

/** The largest integer pfn below 2^24 of the page events (alloc, free, batched free) in
 * [0, n), or -1: the size of pairFrees' table. */
export function maxPagePfn(n: i32): i32 {
  let m: i32 = -1;
  for (let i: i32 = 0; i < n; i++) {
    const k = <i32>load<u16>(cName + (<usize>i << 1));
    if (k < 1 || k > 3) continue;
    const pfn = load<f64>(cPfn + (<usize>i << 3));
    if (pfn >= 0 && pfn < 16777216 && pfn == Math.floor(pfn) && <i32>pfn > m) m = <i32>pfn;
  }
  return m;
}

/**
 * free_unref_page_list() logs each page twice: mm_page_free in its first pass, then
 * mm_page_free_batched when the page really goes on the pcp list. Marks the first
 * (FLAG_BATCH_FIRST_PASS) over events [0, n), for pfns in [0, limit), with `table` (limit
 * i32s) as pfn -> event + 1 of the pending order-0 free. The same rule as the importer's
 * pair(), which takes the events of other pfns: returns how many there are.
 */
export function pairFrees(n: i32, table: usize, limit: i32): i32 {
  memory.fill(table, 0, <usize>limit << 2);
  let outside: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const k = <i32>load<u16>(cName + (<usize>i << 1));
    if (k < 1 || k > 3) continue;
    const pfn = load<f64>(cPfn + (<usize>i << 3));
    if (!(pfn >= 0 && pfn < <f64>limit && pfn == Math.floor(pfn))) { outside++; continue; }
    const slot = table + (<usize><i32>pfn << 2);
    if (k == 2) {
      if (load<i8>(cOrder + <usize>i) == 0) store<i32>(slot, i + 1);
    } else if (k == 3) {
      const j = load<i32>(slot);
      if (j) {
        const f = cFlags + <usize>(j - 1);
        store<u8>(f, load<u8>(f) | 64);
        store<i32>(slot, 0);
      }
    } else {
      store<i32>(slot, 0);
    }
  }
  return outside;
}
