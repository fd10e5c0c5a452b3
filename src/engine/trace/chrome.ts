// Chrome trace-event JSON (loads in Perfetto and chrome://tracing): one track per CPU
// (thread_name metadata), lock and interrupt slices ("X" complete events), pcp counts as
// counters ("C"), findings and markers as instant events ("i"). For an imported kernel
// trace, times are the trace's own (µs); for a simulated run, one step is one µs.
import type { Replay } from './replay';
import { EV, lockFlagsText } from './eventKinds';
import type { Machine } from '../sim/machine';

export interface ChromeEvent {
  name: string; ph: 'X' | 'B' | 'E' | 'C' | 'i' | 'M'; pid: number; tid?: number; ts?: number; dur?: number;
  cat?: string; s?: 'g' | 'p' | 't'; args?: Record<string, unknown>;
}
export interface ChromeTrace { traceEvents: ChromeEvent[]; displayTimeUnit: 'ms' | 'ns'; otherData: Record<string, unknown> }

const PID = 1;

function meta(process: string, cpus: number[]): ChromeEvent[] {
  const out: ChromeEvent[] = [{ name: 'process_name', ph: 'M', pid: PID, args: { name: process } }];
  for (const c of cpus) {
    out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: c, args: { name: `CPU ${c}` } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: c, args: { sort_index: c } });
  }
  return out;
}

const us = (seconds: number): number => Math.round(seconds * 1e9) / 1e3;

/** An imported trace with its reconstruction. */
export function chromeTraceOfReplay(r: Replay): ChromeTrace {
  const { trace, rec } = r;
  const st = trace.store;
  const ev = meta(`kernel trace ${trace.file}`, trace.cpus);
  for (const l of rec.lockIntervals) {
    ev.push({ name: `contended ${l.name}`, cat: 'lock', ph: 'X', pid: PID, tid: l.cpu, ts: us(st.ts[l.from]), dur: us(st.ts[l.to] - st.ts[l.from]),
      args: { addr: l.addr, flags: lockFlagsText(l.flags), takenIn: l.taker ?? null, pid: l.pid, task: st.taskName(l.from), stack: st.stackOf(l.from), line: st.line[l.from] } });
  }
  for (const q of rec.irqIntervals) {
    ev.push({ name: q.name, cat: q.kind, ph: 'X', pid: PID, tid: q.cpu, ts: us(st.ts[q.from]), dur: us(st.ts[q.to] - st.ts[q.from]), args: { depth: q.depth, line: st.line[q.from] } });
  }
  // where the ring buffer lost events: the rebuilt counts of that CPU may be off after it
  for (const l of trace.lost) {
    const at = Math.min(l.before, st.length - 1);
    if (at < 0) continue;
    ev.push({ name: `LOST ${l.events ?? 'some'} events`, cat: 'finding', ph: 'i', s: 't', pid: PID, tid: l.cpu, ts: us(st.ts[at]), args: { line: l.line } });
  }
  // pcp counters: one sample per change
  for (let i = 0; i < st.length; i++) {
    const key = rec.pcpOf[i];
    if (key < 0) continue;
    const cpu = Math.floor(key / rec.zones.length), zone = rec.zones[key % rec.zones.length].name;
    ev.push({ name: `pcp ${zone} CPU ${cpu}`, cat: 'pcp', ph: 'C', pid: PID, ts: us(st.ts[i]), args: { count: rec.countAfter[i] } });
  }
  for (let i = 0; i < st.length; i++) {
    if (st.name[i] !== EV.tracing_mark_write) continue;
    ev.push({ name: st.textOf(i), cat: 'marker', ph: 'i', s: 't', pid: PID, tid: st.cpu[i], ts: us(st.ts[i]), args: { line: st.line[i] } });
  }
  // findings of a replay: the snapshots whose zoneinfo the rebuilt counts do not match
  for (const s of rec.snapshots) {
    if (s.start || s.notCompared) continue;
    const off = s.pcp.filter(p => !p.match);
    ev.push({ name: `SNAPSHOT ${s.label}: ${s.matched}/${s.total} pcp counts match zoneinfo`, cat: off.length ? 'finding' : 'snapshot', ph: 'i', s: 'g', pid: PID, ts: us(st.ts[s.endEvent]),
      args: { mismatches: off.map(p => `CPU ${p.cpu} ${p.zone}: rebuilt ${p.windowMin}..${p.windowMax}, zoneinfo ${p.actual}`) } });
  }
  return { traceEvents: ev, displayTimeUnit: 'ms', otherData: { source: trace.file, format: trace.format, events: st.length } };
}

/** pcp counts of a simulated run after each scheduler choice ([k][zone * ncpus + cpu]), and the
 * machine's step number then. */
export interface RunCounts { zones: string[]; ncpus: number; counts: Int32Array[]; steps: number[] }

/** A simulated run: its recorded steps and events, and the pcp counts sampled per step. */
export function chromeTraceOfRun(m: Machine, name: string, counts?: RunCounts): ChromeTrace {
  const cpus = m.cpus.map(c => c.id);
  const ev = meta(`lockstep ${name}`, cpus);
  const open = new Map<string, { step: number; cpu: number; name: string; args: Record<string, unknown> }[]>();
  const last = m.steps.length ? m.steps[m.steps.length - 1].step + 1 : 0;
  const stackKey = (cpu: number, ctx: string, cls: string) => `${cpu}/${ctx}/${cls}`;
  for (const e of m.events) {
    switch (e.kind) {
      case 'lock-acquired': {
        const k = stackKey(e.cpu, e.context, e.name);
        const l = open.get(k) ?? [];
        l.push({ step: e.step, cpu: e.cpu, name: String(e.fields?.lock ?? e.name), args: { context: e.context, trylock: e.fields?.trylock === 1 } });
        open.set(k, l);
        break;
      }
      case 'lock-released': {
        const o = open.get(stackKey(e.cpu, e.context, e.name))?.pop();
        if (o) ev.push({ name: o.name, cat: 'lock', ph: 'X', pid: PID, tid: e.cpu, ts: o.step, dur: Math.max(0.5, e.step - o.step), args: o.args });
        break;
      }
      case 'irq-entry': {
        const k = `irq/${e.cpu}/${e.name}`;
        open.set(k, [{ step: e.step, cpu: e.cpu, name: e.name, args: {} }]);
        break;
      }
      case 'irq-exit': {
        const o = open.get(`irq/${e.cpu}/${e.name}`)?.pop();
        ev.push({ name: `irq ${e.name}`, cat: 'irq', ph: 'X', pid: PID, tid: e.cpu, ts: o ? o.step : e.step, dur: Math.max(0.5, e.step - (o ? o.step : e.step)) });
        break;
      }
      case 'finding':
        break;
      case 'trace':
        break;
      default:
        ev.push({ name: `${e.kind} ${e.name}`, cat: e.kind, ph: 'i', s: 't', pid: PID, tid: e.cpu, ts: e.step, args: { context: e.context, ...e.fields } });
    }
  }
  // holds and handlers still open when the run stopped end there (on the CPU that took them)
  for (const [k, l] of open) for (const o of l) ev.push({ name: k.startsWith('irq/') ? `irq ${o.name}` : o.name, cat: k.startsWith('irq/') ? 'irq' : 'lock', ph: 'X', pid: PID, tid: o.cpu, ts: o.step, dur: Math.max(0.5, last - o.step), args: { ...o.args, open: true } });
  for (const f of m.findings) {
    ev.push({ name: `${f.kind}: ${f.message.split('\n')[0]}`, cat: 'finding', ph: 'i', s: 'g', pid: PID, tid: f.cpu, ts: f.step,
      args: { kind: f.kind, message: f.message, context: f.context, location: f.location, schedule: f.schedule } });
  }
  if (counts) {
    let prev: Int32Array | undefined;
    counts.counts.forEach((row, k) => {
      const step = counts.steps[k];
      for (let k = 0; k < row.length; k++) {
        if (prev && prev[k] === row[k]) continue;
        const zone = counts.zones[Math.floor(k / counts.ncpus)], cpu = k % counts.ncpus;
        ev.push({ name: `pcp ${zone} CPU ${cpu}`, cat: 'pcp', ph: 'C', pid: PID, ts: step, args: { count: row[k] } });
      }
      prev = row;
    });
  }
  return { traceEvents: ev, displayTimeUnit: 'ms', otherData: { scenario: name, steps: last, schedule: m.schedule(), note: 'one step = 1 µs' } };
}

/** The contract's one name for both: a simulated run's machine, or a replayed trace. */
export function chromeTrace(x: Machine | Replay, name = 'run', counts?: RunCounts): ChromeTrace {
  return 'rec' in x && 'trace' in x ? chromeTraceOfReplay(x) : chromeTraceOfRun(x as Machine, name, counts);
}
