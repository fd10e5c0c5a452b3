// One call for the command line and the debugger: import a trace, read its zoneinfo
// snapshots and lock names, rebuild the per-CPU state, and report it as JSON.
import * as fs from 'fs';
import * as path from 'path';
import { importTrace, ImportedTrace, TraceImportError } from './import';
import { captureName } from './detect';
import { EV } from './eventKinds';
import { parseZoneInfo } from './zoneinfo';
import { Reconstruction, SnapshotInput, RebuildState } from './reconstruct';
import { LockNames, lockNamesBeside } from './locks';
import { FLAG_IRQS_OFF, FLAG_NO_FLAGS } from './store';
import type { ProgressFn } from './progress';
import { zoneInfoOf } from './zones';
import { COMPRESSION_SUFFIX } from './compressed';

export interface ReplayOptions {
  zoneinfo?: { label: string; file: string }[];
  lockAddrs?: string;
  kallsyms?: string;
  /** keep a copy of the state every N events (for seeking); 0 = none */
  checkpointEvery?: number;
  /** how far reading the trace (bytes) and rebuilding the lists (events) have got */
  progress?: { read?: ProgressFn; rebuild?: ProgressFn };
}

export interface Replay { trace: ImportedTrace; rec: Reconstruction; checkpoints: RebuildState[]; checkpointEvery: number }

export function replayTrace(file: string, o: ReplayOptions = {}): Replay {
  const trace = importTrace(file, { progress: o.progress?.read });
  const zoneinfo: SnapshotInput[] = (o.zoneinfo ?? []).map(z => ({ label: z.label, info: parseZoneInfo(z.file) }));
  const locks: LockNames = lockNamesBeside(file);
  // (a file that cannot be read is named as the problem, not the trace)
  const side = (f: string, add: (f: string) => void) => {
    try { add(f); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!code) throw e;
      throw new TraceImportError(f, 1, `${f}: ${code === 'EISDIR' ? 'a directory, not a file' : e instanceof Error ? e.message : String(e)}`);
    }
  };
  if (o.lockAddrs) side(o.lockAddrs, f => locks.addLockAddrsFile(f));
  if (o.kallsyms) side(o.kallsyms, f => locks.addKallsyms(f));
  return replayImported(trace, zoneinfo, locks, o.checkpointEvery ?? 0, o.progress?.rebuild);
}

export function replayImported(trace: ImportedTrace, zoneinfo: SnapshotInput[] = [], locks?: LockNames, checkpointEvery = 0, progress?: ProgressFn): Replay {
  const rec = new Reconstruction(trace, { zoneinfo, locks, progress });
  const checkpoints: RebuildState[] = [];
  rec.run(checkpointEvery, checkpoints);
  // (the spacing doubles where the checkpoints would take more than their memory budget)
  return { trace, rec, checkpoints, checkpointEvery: rec.checkpointSpacing };
}

/** The state as `run --json` shows it, as rebuilt at the current position. */
export function rebuiltState(rec: Reconstruction, at = rec.trace.store.length - 1) {
  const st = rec.trace.store;
  const zones = rec.zones.map((z, zi) => ({
    name: z.name,
    managedPages: null as number | null,
    nrFree: [] as number[],
    pcp: Array.from({ length: rec.ncpus }, (_, c) => rec.pcpView(c, zi))
      .map(v => ({ cpu: v.cpu, count: v.count, high: v.high, batch: v.batch, knownPages: v.knownPages, unidentified: v.unidentified,
        // migratetypes named as run --json names them (the scenario language's lower-case names)
        lists: v.lists.map(l => ({ ...l, migratetype: l.migratetype.toLowerCase() })) })),
  }));
  const info = rec.options.zoneinfo?.[0]?.info;
  zones.forEach((z, zi) => { const iz = zoneInfoOf(info, rec.zones[zi]); if (iz) z.managedPages = iz.managed; });
  // per CPU: the flags column of its last event so far
  const lastFlags: number[] = new Array(rec.ncpus).fill(-1);
  const lastPreempt: number[] = new Array(rec.ncpus).fill(255);
  for (let i = Math.min(at, st.length - 1), seen = 0; i >= 0 && seen < rec.ncpus; i--) {
    const c = st.cpu[i];
    if (c < rec.ncpus && lastFlags[c] < 0) { lastFlags[c] = st.flags[i]; lastPreempt[c] = st.preempt[i]; seen++; }
  }
  const cpus = Array.from({ length: rec.ncpus }, (_, c) => ({
    cpu: c,
    irqsDisabled: lastFlags[c] >= 0 && !(lastFlags[c] & FLAG_NO_FLAGS) ? (lastFlags[c] & FLAG_IRQS_OFF) !== 0 : null,
    preemptCount: lastPreempt[c] === 255 ? null : lastPreempt[c],
    interrupts: rec.irqNesting(c).map(x => x.name),
  }));
  const locks = rec.waitingNow().map(w => ({ name: w.addr, holder: null, waiters: [`CPU ${w.cpu} pid ${w.pid}`] }));
  return { zones, cpus, locks };
}

/** `lockstep replay --json`'s document (interfaces.md). */
export function replayJson(r: Replay) {
  const { trace, rec } = r;
  const lockTotals = new Map<string, { name: string; addr: string; contentions: number; waitSeconds: number; takers: Set<string> }>();
  const st = trace.store;
  for (const l of rec.lockIntervals) {
    const t = lockTotals.get(l.addr) ?? { name: l.name, addr: l.addr, contentions: 0, waitSeconds: 0, takers: new Set<string>() };
    t.contentions++;
    t.waitSeconds += st.ts[l.to] - st.ts[l.from];
    if (l.taker) t.takers.add(l.taker);
    lockTotals.set(l.addr, t);
  }
  return {
    trace: trace.file,
    format: trace.format,
    cpus: trace.cpus,
    events: trace.store.length,
    byEvent: trace.byEvent,
    stackTraces: trace.stackTraces,
    warnings: trace.warnings,
    moreWarnings: trace.moreWarnings,
    start: rec.startLabel ?? null,
    snapshots: rec.snapshots.filter(s => !s.start).map(s => ({
      label: s.label, line: st.line[s.endEvent] ?? 0, matched: s.matched, exact: s.exact, total: s.total,
      matchRate: s.total ? s.matched / s.total : null,
      ...(s.notCompared ? { notCompared: s.notCompared } : {}),
      pcp: s.pcp,
    })),
    undecided: [...rec.notes.values()],
    lostEvents: trace.lost.map(l => ({ cpu: l.cpu, events: l.events, line: l.line })),
    overwrittenEvents: trace.overwritten,
    kprobeChecks: { total: rec.checks.length, matched: rec.checks.filter(c => c.reconstructed === c.actual).length, mismatches: rec.checks.filter(c => c.reconstructed !== c.actual).slice(0, 50) },
    locks: [...lockTotals.values()].sort((a, b) => b.waitSeconds - a.waitSeconds)
      .map(t => ({ name: t.name, addr: t.addr, contentions: t.contentions, waitMicroseconds: Math.round(t.waitSeconds * 1e6), takenIn: [...t.takers] })),
    interrupts: rec.irqIntervals.length,
    state: rebuiltState(rec),
  };
}

/**
 * The zoneinfo snapshots that sit next to a capture's trace (`zoneinfo-<capture>-<label>.txt`),
 * in the order of their `SNAPSHOT <label> begin` markers in the trace: the first is the
 * starting state. Labels without a marker come last.
 */
export function zoneinfoBeside(traceFile: string, trace: ImportedTrace): { label: string; file: string }[] {
  const dir = path.dirname(traceFile);
  const capture = captureName(path.basename(traceFile));
  if (!capture) return [];
  const prefix = `zoneinfo-${capture}-`;
  let files: string[];
  const named = new RegExp(`\\.txt${COMPRESSION_SUFFIX}$`);
  try { files = fs.readdirSync(dir).filter(f => f.startsWith(prefix) && named.test(f)); } catch { return []; }
  const order = new Map<string, number>();
  const st = trace.store;
  for (let i = 0; i < st.length; i++) {
    if (st.name[i] !== EV.tracing_mark_write) continue;
    const mk = /^SNAPSHOT\s+(\S+)\s+begin\b/.exec(st.textOf(i));
    if (mk && !order.has(mk[1])) order.set(mk[1], i);
  }
  return files.map(f => ({ label: f.slice(prefix.length).replace(named, ''), file: path.join(dir, f) }))
    .sort((a, b) => (order.get(a.label) ?? Infinity) - (order.get(b.label) ?? Infinity));
}
