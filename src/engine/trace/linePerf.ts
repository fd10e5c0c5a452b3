// `perf script` text of tracepoints:
//   `             cat   231 [001]  4.123456: kmem:mm_page_alloc: page=0x... pfn=0x... order=0 ...`
// (`comm pid` or `comm pid/tid`, events as `subsystem:name`), and with -g the call chain on
// the following lines (`\t ffffffff8123 func+0x12 ([kernel.kallsyms])`), ended by a blank line.
import { LineHeader, findCpuField, readCpu, readFlagsAndTime, readName, skipSpaces } from './header';
import { LINE_BAD, LINE_EVENT, LINE_FRAME, LINE_SKIP } from './lineKinds';
import { FLAG_NO_FLAGS } from './store';

/** an event as perf names it, `subsystem:name:`, then a space or the line's end */
const SYS_NAME = /^[A-Za-z_][\w-]*:[\w-]+:(?:\s|$)/;
const SAMPLE_TRAILER = /\s+[0-9a-f]{6,16} \S+ \((?:\[[^\]]*\]|\/[^)]*)\)$/;

function isHex(c: number): boolean { return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70); }

export function readPerfLine(s: string, start: number, end: number, h: LineHeader): number {
  const p0 = skipSpaces(s, start, end);
  if (p0 >= end) return LINE_SKIP;
  if (s.charCodeAt(p0) === 35 /* # */) return LINE_SKIP;
  // a call-chain line: address, symbol+offset, (dso)
  if (p0 > start && isHex(s.charCodeAt(p0))) {
    let q = p0;
    while (q < end && isHex(s.charCodeAt(q))) q++;
    if (q < end && s.charCodeAt(q) === 32 && q - p0 >= 8) {
      const f = skipSpaces(s, q, end);
      let e = f;
      while (e < end && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 43 /* + */) e++;
      h.nameStart = f; h.nameEnd = e;
      return LINE_FRAME;
    }
  }
  const lbr = findCpuField(s, p0, end);
  if (lbr < 0) { h.error = 'not an event line (no [CPU] field: perf script needs the cpu field, -F +cpu)'; return LINE_BAD; }
  // `comm pid[/tid]` before the CPU: the last number is the task's pid/tid
  let q = lbr - 1;
  while (q > p0 && s.charCodeAt(q) === 32) q--;
  let k = q;
  while (k > p0 && ((s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) || s.charCodeAt(k) === 47 /* / */)) k--;
  // (-F without comm: the pid alone, and no task name)
  const isId = (c: number) => (c >= 48 && c <= 57) || c === 47;
  const noComm = k === p0 && isId(s.charCodeAt(k));
  if ((k === q && !noComm) || (s.charCodeAt(k) !== 32 && !noComm)) { h.error = 'not an event line (no comm and pid before [CPU])'; return LINE_BAD; }
  const ids = s.slice(noComm ? k : k + 1, q + 1);
  const slash = ids.indexOf('/');
  h.pid = Number(slash >= 0 ? ids.slice(slash + 1) : ids);
  h.taskStart = p0;
  let te = noComm ? p0 : k;
  while (te > p0 && s.charCodeAt(te - 1) === 32) te--;
  h.taskEnd = te;
  const afterCpu = readCpu(s, lbr, h);
  // -F without time: `sys:name:` straight after the CPU
  const t0 = skipSpaces(s, afterCpu, end);
  h.noTime = SYS_NAME.test(s.slice(t0, Math.min(end, t0 + 128)));
  if (h.noTime) { h.flags = FLAG_NO_FLAGS; h.preempt = 255; h.ts = 0; h.rawClock = false; }
  const p = h.noTime ? t0 : readFlagsAndTime(s, afterCpu, end, h, false);
  if (p < 0) return LINE_BAD;
  // `kmem:mm_page_alloc:` - the subsystem goes, the name stays (after the sample's period,
  // a bare number, when -F adds it)
  let n0 = skipSpaces(s, p, end);
  let d = n0;
  while (d < end && s.charCodeAt(d) >= 48 && s.charCodeAt(d) <= 57) d++;
  if (d > n0 && s.charCodeAt(d) === 32) n0 = skipSpaces(s, d, end);
  const c1 = s.indexOf(':', n0);
  if (c1 > n0 && c1 + 1 < end && s.charCodeAt(c1 + 1) !== 32) {
    if (!readName(s, c1 + 1, end, h)) { h.error = 'no event name'; return LINE_BAD; }
  } else if (!readName(s, n0, end, h)) { h.error = n0 >= end ? 'truncated line: no event' : 'no event name'; return LINE_BAD; }
  // with a call graph on any event, perf script ends every line with the sampled ip, symbol
  // and dso (`ffffffff8163bbbb __alloc_pages+0x26b ([kernel.kallsyms])`): not the event's text
  if (s.charCodeAt(end - 1) === 41 /* ) */) {
    const m = SAMPLE_TRAILER.exec(s.slice(Math.max(h.restStart, end - 400), end));
    if (m) h.restEnd = end - m[0].length;
  }
  // perf's `ftrace:print` of a trace_marker write: `ip=... buf=text` or `tracing_mark_write: text`
  if (h.nameEnd - h.nameStart === 5 && s.startsWith('print', h.nameStart)) {
    const r = h.restStart;
    const buf = s.indexOf('buf=', r);
    if (s.startsWith('tracing_mark_write:', r)) { h.restStart = skipSpaces(s, r + 19, end); }
    else if (buf >= 0 && buf < end) h.restStart = buf + 4;
    h.marker = true;
  }
  return LINE_EVENT;
}
