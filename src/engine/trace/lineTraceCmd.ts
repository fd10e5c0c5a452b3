// `trace-cmd report` text:
//   `cpus=4` header, then `            init-1     [000]     3.754380: mm_page_alloc:        page=...`
// names padded with spaces, `print:  tracing_mark_write: ...` for trace_marker writes, and
// `kernel_stack: <stack trace >` entries followed by `=> func (address)` lines. Its options:
//   -l   the latency layout: the CPU without brackets, the flags column glued to it
//        (`    init-1       2d..3.     4.049733: ...`)
//   -t   nanosecond timestamps; --ts-diff a `(+N)` after the timestamp
//   -R   raw fields: `lock_addr=0x... flags=N`, `print: ip=... buf=TEXT`, no order= in
//        mm_page_free_batched (fields.ts reads those)
import { LineHeader, readEventHead, readName, readStackFrame, skipSpaces } from './header';
import { LINE_BAD, LINE_EVENT, LINE_FRAME, LINE_SKIP, LINE_STACK_START } from './lineKinds';

export function readTraceCmdLine(s: string, start: number, end: number, h: LineHeader): number {
  const p0 = skipSpaces(s, start, end);
  if (p0 >= end) return LINE_SKIP;
  const c0 = s.charCodeAt(p0);
  if (readStackFrame(s, p0, end, h)) return LINE_FRAME;
  if (c0 === 35 /* # */ || s.startsWith('cpus=', p0) || s.startsWith('version', p0) || s.startsWith('CPU ', p0)) return LINE_SKIP;
  let p = readEventHead(s, p0, end, h, false);
  if (p < 0) return LINE_BAD;
  p = skipTsDiff(s, p, end);
  if (!readName(s, p, end, h)) { h.error = skipSpaces(s, p, end) >= end ? 'truncated line: no event' : 'no event name'; return LINE_BAD; }
  if (h.nameEnd - h.nameStart === 12 && s.startsWith('kernel_stack', h.nameStart)) return LINE_STACK_START;
  // `print: tracing_mark_write: text`: the event is the marker write, as in the raw text
  if (h.nameEnd - h.nameStart === 5 && s.startsWith('print', h.nameStart)) {
    const r = h.restStart;
    if (s.startsWith('tracing_mark_write:', r)) h.restStart = skipSpaces(s, r + 19, end);
    else if (s.startsWith('ip=', r)) {
      const b = s.indexOf(' buf=', r);
      if (b >= 0 && b < end) h.restStart = b + 5;
    }
    h.marker = true;
  }
  return LINE_EVENT;
}

/** The `(+N)` `report --ts-diff` prints after the timestamp: skipped. */
function skipTsDiff(s: string, p: number, end: number): number {
  const q = skipSpaces(s, p, end);
  if (s.charCodeAt(q) !== 40 /* ( */ || s.charCodeAt(q + 1) !== 43 /* + */) return p;
  let k = q + 2;
  while (k < end && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
  return k > q + 2 && s.charCodeAt(k) === 41 /* ) */ ? k + 1 : p;
}
