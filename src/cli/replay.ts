// `lockstep replay TRACE [--zoneinfo LABEL=FILE]... [--json] [--chrome FILE]`: import a real
// kernel trace, rebuild the per-CPU page lists, compare them with the zoneinfo snapshots.
import * as fs from 'fs';
import { replayTrace, replayJson, chromeTraceOfReplay, TraceImportError, ZoneInfoError, formatLabel, COMPRESSION_SUFFIX } from '../engine';
import type { Replay } from '../engine';
import { EXIT_BAD_INPUT, EXIT_OK } from './check';
import { rel, writeOutput } from './format';

export interface ReplayCliOptions {
  zoneinfo: { label: string; file: string }[];
  json: boolean;
  chrome?: string;
  lockAddrs?: string;
  kallsyms?: string;
  /** `export TRACE --chrome FILE`: write the Chrome trace and say so, no report */
  exportOnly?: boolean;
}

export interface ReplayIo {
  out(line: string): void;
  err(line: string): void;
  /** a progress line (a terminal's stderr only; '' clears it) */
  progress?(text: string): void;
}

/** `LABEL=FILE`; a bare FILE named like `zoneinfo-<capture>-<label>.txt` gives its label. */
export function parseZoneinfoArg(v: string): { label: string; file: string } | string {
  const eq = v.indexOf('=');
  if (eq > 0 && eq < v.length - 1) return { label: v.slice(0, eq), file: v.slice(eq + 1) };
  const m = new RegExp(`zoneinfo-.+?-([^-/]+(?:-[^-/]+)*)\\.txt${COMPRESSION_SUFFIX}$`).exec(v);
  if (m) return { label: m[1], file: v };
  return `--zoneinfo needs LABEL=FILE (the label of its 'SNAPSHOT <label>' marker), not '${v}'`;
}

export function runReplay(file: string, io: ReplayIo, o: ReplayCliOptions): number {
  for (const f of [file, ...o.zoneinfo.map(z => z.file), o.lockAddrs, o.kallsyms]) {
    if (f !== undefined && !fs.existsSync(f)) { io.err(`${f}:1:1: error: no such file`); return EXIT_BAD_INPUT; }
  }
  let r: Replay;
  // a big trace takes seconds: say how far it has got (reports come at most every 100 ms)
  let shown = false;
  const line = (what: string) => (done: number, total: number) => { shown = true; io.progress!(`${rel(file)}: ${what} ${Math.floor(100 * done / (total || 1))}%`); };
  const progress = io.progress ? { read: line('reading'), rebuild: line('rebuilding the per-CPU lists') } : undefined;
  try {
    r = replayTrace(file, { zoneinfo: o.zoneinfo, lockAddrs: o.lockAddrs, kallsyms: o.kallsyms, progress });
  } catch (e) {
    if (e instanceof TraceImportError || e instanceof ZoneInfoError) {
      const msg = e.message.startsWith(`${e.file}:`) ? e.message.slice(e.message.indexOf(': ') + 2) : e.message;
      io.err(`${e.file}:${e.line}:1: error: ${msg}`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof Error && 'code' in e) { io.err(`${file}:1:1: error: ${e.message}`); return EXIT_BAD_INPUT; }
    throw e;
  } finally {
    if (shown) io.progress!('');
  }
  if (o.chrome) {
    const c = chromeTraceOfReplay(r);
    if (!writeOutput(o.chrome, JSON.stringify(c), 'Chrome trace', io.err)) return EXIT_BAD_INPUT;
    if (o.exportOnly) {
      for (const w of r.trace.warnings.slice(0, 20)) io.err(`${rel(file)}:${w.line}:1: warning: ${w.message}`);
      io.out(`wrote ${o.chrome}: ${r.trace.store.length} events on CPUs ${r.trace.cpus.join(', ')}, ${c.traceEvents.length} trace events`);
      return EXIT_OK;
    }
  }
  const j = replayJson(r);
  if (o.json) { io.out(JSON.stringify(j, null, 2)); return EXIT_OK; }
  const t = r.trace;
  for (const w of t.warnings.slice(0, 20)) io.err(`${rel(file)}:${w.line}:1: warning: ${w.message}`);
  const moreW = t.warnings.length - 20 + t.moreWarnings;
  if (moreW > 0) io.err(`${rel(file)}: ... and ${moreW} more warning(s) (--json lists the first ${t.warnings.length})`);
  const label = formatLabel(t.format);
  io.out(`${rel(file)}: ${label.name}, ${t.store.length} events${t.cpus.length ? ` on CPUs ${t.cpus.join(', ')}` : ''}, ${t.lines} ${label.lines}, ${t.stackTraces} stack traces`);
  const w = Math.max(...Object.keys(t.byEvent).map(k => k.length));
  for (const [k, n] of Object.entries(t.byEvent)) io.out(`  ${k.padEnd(w)}  ${String(n).padStart(8)}`);
  for (const l of j.lostEvents.slice(0, 20)) io.out(`line ${l.line}: CPU ${l.cpu} lost ${l.events ?? 'some'} events (ring buffer full)`);
  if (j.lostEvents.length > 20) io.out(`... and ${j.lostEvents.length - 20} more places where events were lost`);
  if (j.overwrittenEvents) io.out(`the ring buffer overwrote its ${j.overwrittenEvents} oldest events before it was read`);
  if (j.start) io.out(`starting state: zoneinfo '${j.start}'`);
  for (const s of j.snapshots) {
    if (s.notCompared) { io.out(`snapshot ${s.label} (line ${s.line}): not compared: ${s.notCompared}`); continue; }
    io.out(`snapshot ${s.label} (line ${s.line}): ${s.matched}/${s.total} pcp counts within the marker window, ${s.exact} exact at the end marker`);
    for (const p of s.pcp) {
      const win = p.windowMin === p.windowMax ? `${p.reconstructed}` : `${p.reconstructed} (${p.windowMin}..${p.windowMax} between the markers)`;
      io.out(`  CPU ${p.cpu} ${p.zone.padEnd(6)} rebuilt ${win}, zoneinfo ${p.actual}${p.match ? '' : `  MISMATCH by ${p.off}`}`);
      if (p.why) io.out(`    ${p.why}`);
    }
  }
  if (j.kprobeChecks.total) io.out(`free_pcppages_bulk pcp_count checks: ${j.kprobeChecks.matched}/${j.kprobeChecks.total} equal to the rebuilt count`);
  if (j.undecided.length) {
    io.out('where the events cannot decide a count:');
    for (const n of j.undecided) io.out(`  ${n.reason}: ${n.events} event(s), ${n.pages} page(s), first at line ${n.firstLine}: ${n.why}`);
  }
  if (j.locks.length) {
    io.out('lock contention (by total wait):');
    for (const l of j.locks.slice(0, 15)) io.out(`  ${l.name}: ${l.contentions} contention(s), ${l.waitMicroseconds} µs waiting${l.takenIn.length ? `, taken in ${l.takenIn.join(', ')}` : ''}`);
  }
  io.out('rebuilt pcp counts at the end of the trace:');
  for (const z of j.state.zones) {
    for (const p of z.pcp) if (p.count || p.knownPages) io.out(`  CPU ${p.cpu} ${z.name.padEnd(6)} count ${p.count} high ${p.high} batch ${p.batch} (${p.knownPages} pages identified)`);
  }
  if (o.chrome) io.out(`wrote ${o.chrome}`);
  return EXIT_OK;
}
