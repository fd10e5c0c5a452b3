// Which text format a trace is in, from its first lines.
export type TraceFormat = 'ftrace' | 'trace-cmd' | 'perf';

const FTRACE_EVENT = /^\s*.+-\d+\s+(\(\s*[-\d]+\)\s+)?\[\d+\]\s+[.dDbX][.Nnp][.hHsSzZ][.\da-f][.\da-f]?\s+\d+\.\d+:/;
const TRACECMD_EVENT = /^\s*.+-\d+\s+\[\d+\]\s+\d+\.\d+:\s+\w+:/;
const PERF_EVENT = /^\s*\S.*\s\d+(\/\d+)?\s+\[\d+\]\s+\d+\.\d+:\s+[\w-]+:[\w-]+:/;

/** The format one line shows, or null if the line does not tell (blank, unknown). */
export function detectFromLine(line: string): TraceFormat | null {
  if (line.startsWith('# tracer:') || line.startsWith('# entries-in-buffer')) return 'ftrace';
  if (/^cpus=\d+/.test(line) || /^version = \d/.test(line)) return 'trace-cmd';
  if (PERF_EVENT.test(line)) return 'perf';
  if (FTRACE_EVENT.test(line)) return 'ftrace';
  if (TRACECMD_EVENT.test(line)) return 'trace-cmd';
  return null;
}

/** trace-cmd's binary trace.dat starts with these bytes. */
export function isTraceDat(head: Buffer): boolean {
  return head.length >= 10 && head[0] === 0x17 && head[1] === 0x08 && head[2] === 0x44 && head.toString('latin1', 3, 10) === 'tracing';
}
