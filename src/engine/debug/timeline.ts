// The recorded run as lanes: per CPU, the intervals a lock was held, an interrupt
// handler ran or a task block ran, and the findings, by step (position in the run).
// Built as the debugger moves forward past the furthest step seen; cut back on a fork.
import type { Machine } from '../sim/machine';
import type { Context, MachineEvent } from '../sim/state';

export interface Interval { cpu: number; kind: 'lock' | 'irq' | 'task'; name: string; from: number; to: number; key: string }
export interface TimelineFindingEntry { step: number; cpu: number; kind: string; message: string }

export class Timeline {
  private intervals: Interval[] = [];
  private findings: TimelineFindingEntry[] = [];
  private frontier = 0;
  /** open intervals by key, innermost last (a lock class can nest within a context) */
  private openByKey = new Map<string, Interval[]>();

  constructor(private readonly m: Machine) {}

  get furthest(): number { return this.frontier; }

  record(p: number, events: MachineEvent[], from: number, to: number, cur: Context | undefined): void {
    if (p <= this.frontier) return;
    this.frontier = p;
    if (cur && cur.kind === 'task' && cur.status !== 'idle') {
      const key = `task|${cur.id}`;
      const open = this.open(key);
      if (!open && cur.status !== 'done') this.push({ cpu: cur.cpu, kind: 'task', name: `task cpu ${cur.cpu}`, from: p - 1, to: -1, key });
      else if (open && (cur.status === 'done' || cur.status === 'dead')) this.close(open, p);
    }
    for (let i = from; i < to; i++) {
      const e = events[i];
      switch (e.kind) {
        case 'lock-acquired':
          this.push({ cpu: e.cpu, kind: 'lock', name: typeof e.fields?.lock === 'string' ? e.fields.lock : e.name, from: p - 1, to: -1, key: `lock|${e.cpu}|${e.context}|${e.name}` });
          break;
        case 'lock-released': {
          this.close(this.open(`lock|${e.cpu}|${e.context}|${e.name}`), p);
          break;
        }
        case 'irq-entry':
          this.push({ cpu: e.cpu, kind: 'irq', name: e.name, from: p - 1, to: -1, key: `irq|${e.cpu}|${e.name}` });
          break;
        case 'irq-exit': {
          this.close(this.open(`irq|${e.cpu}|${e.name}`), p);
          break;
        }
        case 'finding': {
          const f = [...this.m.findings].reverse().find(x => x.kind === e.name);
          this.findings.push({ step: p, cpu: e.cpu, kind: e.name, message: f?.message ?? e.name });
          break;
        }
      }
    }
  }

  /** The latest interval with this key that is still open. */
  private open(key: string): Interval | undefined {
    const list = this.openByKey.get(key);
    return list && list.length ? list[list.length - 1] : undefined;
  }

  private push(iv: Interval): void {
    this.intervals.push(iv);
    let list = this.openByKey.get(iv.key);
    if (!list) { list = []; this.openByKey.set(iv.key, list); }
    list.push(iv);
  }

  private close(iv: Interval | undefined, p: number): void {
    if (!iv) return;
    iv.to = p;
    const list = this.openByKey.get(iv.key);
    if (list) { const i = list.lastIndexOf(iv); if (i >= 0) list.splice(i, 1); }
  }

  /** The run after step p was dropped. */
  truncate(p: number): void {
    if (p >= this.frontier) return;
    this.frontier = p;
    this.intervals = this.intervals.filter(iv => iv.from < p);
    for (const iv of this.intervals) if (iv.to > p) iv.to = -1;
    this.openByKey.clear();
    for (const iv of this.intervals) if (iv.to < 0) {
      let list = this.openByKey.get(iv.key);
      if (!list) { list = []; this.openByKey.set(iv.key, list); }
      list.push(iv);
    }
    this.findings = this.findings.filter(f => f.step <= p);
  }

  /** Intervals overlapping [from, to], open ones ending at the furthest step. */
  view(from = 0, to = Infinity): { intervals: Omit<Interval, 'key'>[]; findings: TimelineFindingEntry[] } {
    const intervals: Omit<Interval, 'key'>[] = [];
    for (const iv of this.intervals) {
      const end = iv.to < 0 ? this.frontier : iv.to;
      if (end < from || iv.from > to) continue;
      intervals.push({ cpu: iv.cpu, kind: iv.kind, name: iv.name, from: iv.from, to: end });
    }
    return { intervals, findings: this.findings.filter(f => f.step >= from && f.step <= to) };
  }
}
