// Raw ftrace text (the tracefs `trace` file):
//   `            init-1       [000] d..3.     3.754380: mm_page_alloc: page=... pfn=0x21b4 ...`
// with the `# tracer:` header, the flags column (4 or 5 characters; absent when the
// irq-info option is off) and `<stack trace>` entries followed by ` => func` lines; or, with
// options/latency-format, `  cap.sh-23047     1..... 11510us+: mm_page_alloc: ...`
import { LineHeader, eqAt, readEventHead, readName, readStackFrame, skipSpaces } from './header';
import { LINE_BAD, LINE_EVENT, LINE_FRAME, LINE_SKIP, LINE_STACK_START } from './lineKinds';

const FUNCTION_LINE = /^[\w.$]+(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)? <-[\w.$]+/;

export function readFtraceLine(s: string, start: number, end: number, h: LineHeader): number {
  const p0 = skipSpaces(s, start, end);
  if (p0 >= end) return LINE_SKIP;
  const c0 = s.charCodeAt(p0);
  if (c0 === 35 /* # */) return LINE_SKIP;
  if (readStackFrame(s, p0, end, h)) return LINE_FRAME;
  const p = readEventHead(s, p0, end, h, true);
  if (p < 0) return LINE_BAD;
  const q = skipSpaces(s, p, end);
  if (s.charCodeAt(q) === 60 /* < */ && eqAt(s, q, '<stack trace>')) return LINE_STACK_START;
  if (!readName(s, q, end, h)) {
    // the function tracer's `rmqueue_bulk <-rmqueue`: an event of its own, kept with its text
    if (FUNCTION_LINE.test(s.slice(q, Math.min(end, q + 300)))) { h.fn = true; h.restStart = q; return LINE_EVENT; }
    h.error = q >= end ? 'truncated line: no event' : 'no event name';
    return LINE_BAD;
  }
  return LINE_EVENT;
}
