// Which text format a trace is in, from its first lines.
import { COMPRESSION_SUFFIX } from './compressed';

/** The text formats, told apart by their lines. */
export type TextFormat = 'ftrace' | 'trace-cmd' | 'perf';
/** What a trace was read from: one of the text formats, or trace-cmd's binary trace.dat. */
export type TraceFormat = TextFormat | 'trace.dat';

/** A capture's trace file as capture.sh names them (`ftrace-raw-<capture>.txt`,
 * `trace-<capture>.dat`, ...): group 1 is the capture, whose zoneinfo, lock-addrs and kallsyms
 * files sit beside it. */
export const CAPTURE_FILE = new RegExp(`^(?:(?:ftrace-raw|trace-cmd-report|perf-script)-(.+)\\.txt|trace-(.+)\\.dat)${COMPRESSION_SUFFIX}$`);

/** The capture a trace file belongs to by its name, or undefined. */
export function captureName(base: string): string | undefined {
  const m = CAPTURE_FILE.exec(base);
  return m ? m[1] ?? m[2] : undefined;
}

/** How a format is named to the user, and what it counts its lines as. */
export function formatLabel(f: TraceFormat): { name: string; lines: string } {
  return f === 'trace.dat' ? { name: 'trace-cmd trace.dat', lines: 'records' } : { name: `${f} text`, lines: 'lines' };
}

const FTRACE_EVENT = /^\s*.+-\d+\s+(\(\s*[-\d]+\)\s+)?\[\d+\]\s+[.dDbX][.Nnp][.hHsSzZ][.\da-f][.\da-f]?\s+\d+(?:\.\d+)?:/;
const TRACECMD_EVENT = /^\s*.+-\d+\s+\[\d+\]\s+\d+(?:\.\d+)?:\s+\w+:/;
/** `trace-cmd report -l`: the CPU without brackets and the flags column glued to it */
const TRACECMD_LATENCY_EVENT = /^\s*.+-\d+ +\d+[.dDbX][.Nnp][.hHsSzZ][.\da-f][.\da-f]? +\d+(?:\.\d+)?:\s+\w+:/;
/** (-F may leave the comm out, and add the sample's period before the event) */
const PERF_EVENT = /^\s*(?:\S.*\s)?\d+(\/\d+)?\s+\[\d+\]\s+\d+(?:\.\d+)?:\s+(?:\d+\s+)?[\w-]+:[\w-]+:/;
/** perf script -F without cpu: known, so that each line can say what is missing */
/** perf script -F without time: `comm tid [cpu] sys:name:` */
const PERF_NO_TIME = /^\s*(?:\S.*\s)?\d+(\/\d+)?\s+\[\d+\]\s+[A-Za-z_][\w-]*:[\w-]+:(?:\s|$)/;
const PERF_NO_CPU = /^\s*\S.*\s\d+(\/\d+)?\s+\d+\.\d+:\s+(?:\d+\s+)?[\w-]+:[\w-]+:/;

/** The format one line shows, or null if the line does not tell (blank, unknown). */
export function detectFromLine(line: string): TextFormat | null {
  if (line.startsWith('# tracer:') || line.startsWith('# entries-in-buffer')) return 'ftrace';
  if (/^cpus=\d+/.test(line) || /^version = \d/.test(line)) return 'trace-cmd';
  if (PERF_EVENT.test(line) || PERF_NO_CPU.test(line) || PERF_NO_TIME.test(line)) return 'perf';
  if (FTRACE_EVENT.test(line)) return 'ftrace';
  if (TRACECMD_EVENT.test(line) || TRACECMD_LATENCY_EVENT.test(line)) return 'trace-cmd';
  return null;
}

/** trace-cmd's binary trace.dat starts with these bytes. */
export function isTraceDat(head: Buffer): boolean {
  return head.length >= 10 && head[0] === 0x17 && head[1] === 0x08 && head[2] === 0x44 && head.toString('latin1', 3, 10) === 'tracing';
}
