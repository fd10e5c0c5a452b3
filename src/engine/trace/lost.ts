// Events the ring buffer lost. A full per-CPU buffer either drops new events (a reader too
// slow on trace_pipe, trace-cmd's splice) or, in overwrite mode, overwrites the oldest ones.
// The page events among them are not in the trace, so a count rebuilt past that point can be
// off, and the report should say so rather than blame the events that are there. The text
// formats mark the place:
//   `CPU:2 [LOST 851 EVENTS]`        tracefs trace / trace_pipe (print_trace_line)
//   `CPU:2 [LOST EVENTS]`            the same, count unknown
//   `CPU:1 [2776 EVENTS DROPPED]`    trace-cmd report (a page's missed events)
// and the tracefs header counts what overwrite mode lost at the start:
//   `# entries-in-buffer/entries-written: 488/1339   #P:2`

/** Where a CPU lost events: before event `before` (the index the next event gets). */
export interface LostEvents {
  cpu: number;
  /** how many, or null when the tracer did not know */
  events: number | null;
  line: number;
  before: number;
}

const LOST_LINE = /^CPU:\s*(\d+)\s+\[(?:LOST (\d+) EVENTS|LOST EVENTS|(\d+) EVENTS DROPPED|EVENTS DROPPED)\]\s*$/;

/** The CPU and count of a lost-events line, or null when the line is not one. */
export function readLostLine(s: string, start: number, end: number): { cpu: number; events: number | null } | null {
  // (most lines are events: one character decides)
  if (s.charCodeAt(start) !== 67 /* C */ || !s.startsWith('CPU:', start)) return null;
  const m = LOST_LINE.exec(s.slice(start, end));
  if (!m) return null;
  const n = m[2] ?? m[3];
  return { cpu: Number(m[1]), events: n === undefined ? null : Number(n) };
}

const ENTRIES = /^#\s*entries-in-buffer\/entries-written:\s*(\d+)\/(\d+)/;

/** The events the ring buffer overwrote before the trace was read (written minus those still
 * in the buffer), from the tracefs header line; null when the line is not that one. */
export function readOverwritten(s: string, start: number, end: number): number | null {
  if (s.charCodeAt(start) !== 35 /* # */) return null;
  const m = ENTRIES.exec(s.slice(start, end));
  return m ? Math.max(0, Number(m[2]) - Number(m[1])) : null;
}
