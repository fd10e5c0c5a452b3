// `trace-cmd report` text:
//   `cpus=4` header, then `            init-1     [000]     3.754380: mm_page_alloc:        page=...`
// (no flags column unless `report -l`, which adds it like the raw text), names padded
// with spaces, `print:  tracing_mark_write: ...` for trace_marker writes, and
// `kernel_stack: <stack trace >` entries followed by `=> func (address)` lines.
import { LineHeader, findCpuField, readCpu, readFlagsAndTime, readName, readStackFrame, readTaskDashPid, skipSpaces } from './header';
import { LINE_BAD, LINE_EVENT, LINE_FRAME, LINE_SKIP, LINE_STACK_START } from './lineKinds';

export function readTraceCmdLine(s: string, start: number, end: number, h: LineHeader): number {
  const p0 = skipSpaces(s, start, end);
  if (p0 >= end) return LINE_SKIP;
  const c0 = s.charCodeAt(p0);
  if (readStackFrame(s, p0, end, h)) return LINE_FRAME;
  if (c0 === 35 /* # */ || s.startsWith('cpus=', p0) || s.startsWith('version', p0) || s.startsWith('CPU ', p0)) return LINE_SKIP;
  const lbr = findCpuField(s, p0, end);
  if (lbr < 0) { h.error = 'not an event line (no [CPU] field)'; return LINE_BAD; }
  if (!readTaskDashPid(s, p0, lbr, h)) { h.error = 'not an event line (no task-pid before [CPU])'; return LINE_BAD; }
  const p = readFlagsAndTime(s, readCpu(s, lbr, h), end, h, false);
  if (p < 0) return LINE_BAD;
  if (!readName(s, p, end, h)) { h.error = skipSpaces(s, p, end) >= end ? 'truncated line: no event' : 'no event name'; return LINE_BAD; }
  if (h.nameEnd - h.nameStart === 12 && s.startsWith('kernel_stack', h.nameStart)) return LINE_STACK_START;
  // `print: tracing_mark_write: text`: the event is the marker write, as in the raw text
  if (h.nameEnd - h.nameStart === 5 && s.startsWith('print', h.nameStart)) {
    const r = h.restStart;
    if (s.startsWith('tracing_mark_write:', r)) h.restStart = skipSpaces(s, r + 19, end);
    h.marker = true;
  }
  return LINE_EVENT;
}
