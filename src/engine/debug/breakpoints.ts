// Breakpoints as the engine sees them: lines of .kc/.lockstep files, model functions,
// lock events (`lock zone->lock`, `lock pcp->lock cpu 1`, `trylock-fail pcp->lock`,
// `contended zone->lock`, `unlock zone->lock`), memory watches, and the finding kinds
// and events to stop on. Matching runs after every forward move of the debugger.
import * as path from 'path';
import type { Machine } from '../sim/machine';
import type { Context, MachineEvent } from '../sim/state';
import { Op } from '../sim/ops';
import type { Frame } from '../sim/state';
import { isPrimitive } from '../sim/compile';
import { BUILTINS } from '../builtins';
import { FINDING_KIND_IDS } from '../findingKinds';
import { listPfns } from '../sim/inspect';
import { lockAddresses } from './locks';

export interface HitSpec {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface LineBreakpoint extends HitSpec {
  id: number;
  file: string;
  line: number;
  verified: boolean;
  message?: string;
  hits: number;
}

export type FunctionBreakpointKind = 'function' | 'primitive' | 'lock' | 'unlock' | 'trylock-fail' | 'contended';

export interface FunctionBreakpoint extends HitSpec {
  id: number;
  text: string;
  kind: FunctionBreakpointKind;
  /** function name, or the lock's class (`zone->lock`) or instance (`pcp->lock cpu 1`); `*` any lock */
  name: string;
  /** lock events: only those on this CPU (`lock * cpu 1`, `lock zone->lock cpu 1`) */
  cpu?: number;
  verified: boolean;
  message?: string;
  hits: number;
}

export interface DataBreakpoint extends HitSpec {
  id: number;
  /** first watched cell and how many; a list watch compares the list's pages */
  addr: number;
  cells: number;
  list: boolean;
  label: string;
  accessType: 'write' | 'readWrite' | 'read';
  /** the watched value as it was after the last move */
  last: string;
  hits: number;
  verified: boolean;
  message?: string;
}

/** The non-finding events an exception filter may stop on, with their labels. */
export const EVENT_FILTERS: { id: string; event: MachineEvent['kind']; label: string; description: string }[] = [
  { id: 'irq-entry', event: 'irq-entry', label: 'Interrupt delivered', description: 'Stop when an interrupt handler starts on a CPU.' },
  { id: 'refill', event: 'refill', label: 'pcp refill', description: 'Stop when a pcp list is refilled from the buddy allocator (rmqueue_bulk).' },
  { id: 'drain', event: 'drain', label: 'pcp drain', description: 'Stop when pages leave a pcp list for the buddy allocator (free_pcppages_bulk).' },
  { id: 'fallback', event: 'fallback', label: 'Migratetype fallback', description: 'Stop when an allocation falls back to another migratetype or zone.' },
  { id: 'lock-contended', event: 'lock-contended', label: 'Lock contended', description: 'Stop when a context has to wait for a lock.' },
  { id: 'trylock-failed', event: 'trylock-failed', label: 'Trylock failed', description: 'Stop when a trylock finds its lock taken.' },
  { id: 'lock-acquired', event: 'lock-acquired', label: 'Lock acquired', description: 'Stop when any lock is taken (a function breakpoint such as `lock zone->lock` picks one).' },
  { id: 'irq-exit', event: 'irq-exit', label: 'Interrupt returned', description: 'Stop when an interrupt handler returns to what it interrupted.' },
];

export type StopFilter = string;

export interface Hit {
  kind: 'line' | 'function' | 'data' | 'exception';
  ids: number[];
  /** the event that hit (lock and exception breakpoints) */
  event?: MachineEvent;
  description: string;
  /** logpoint messages to print instead of stopping */
  logs?: { bp: HitSpec; ctx: Context }[];
}

export type ConditionHook = (ctx: Context, expression: string) => boolean;

const LOCK_KINDS: Record<string, FunctionBreakpointKind> = {
  'lock': 'lock', 'unlock': 'unlock', 'trylock-fail': 'trylock-fail', 'trylock-failed': 'trylock-fail', 'contended': 'contended',
};

const EVENT_OF: Record<Exclude<FunctionBreakpointKind, 'function' | 'primitive'>, MachineEvent['kind']> = {
  'lock': 'lock-acquired', 'unlock': 'lock-released', 'trylock-fail': 'trylock-failed', 'contended': 'lock-contended',
};

export class Breakpoints {
  lines = new Map<string, LineBreakpoint[]>();
  functions: FunctionBreakpoint[] = [];
  data: DataBreakpoint[] = [];
  filters = new Set<StopFilter>(FINDING_KIND_IDS);
  private nextId = 1;
  /** file:line pairs where some statement starts */
  private stepLines: Map<string, Set<number>>;
  private lockNames: Set<string>;

  constructor(private readonly m: Machine) {
    this.stepLines = new Map();
    for (const fn of m.code.fns) {
      for (const ins of fn.code) {
        if (ins.op !== Op.STEP) continue;
        const r = m.code.locs[ins.loc];
        if (!r) continue;
        const key = normFile(r.file);
        let s = this.stepLines.get(key);
        if (!s) { s = new Set(); this.stepLines.set(key, s); }
        s.add(r.line);
      }
    }
    this.lockNames = new Set();
    for (const a of lockAddresses(m)) { const d = m.describeAddr(a); this.lockNames.add(d.cls); this.lockNames.add(d.instance); }
  }

  get any(): boolean {
    return this.lines.size > 0 || this.functions.length > 0 || this.data.length > 0;
  }

  /** Lines of a file where a statement starts (a breakpoint there can hit). */
  linesWithSteps(file: string): Set<number> {
    return this.stepLines.get(normFile(file)) ?? new Set();
  }

  setLines(file: string, specs: ({ line: number } & HitSpec)[]): LineBreakpoint[] {
    const steps = this.linesWithSteps(file);
    const bps = specs.map(s => {
      const verified = steps.has(s.line);
      return {
        id: this.nextId++, file: normFile(file), line: s.line, condition: s.condition, hitCondition: s.hitCondition, logMessage: s.logMessage,
        verified, hits: 0, message: verified ? undefined : steps.size ? 'no statement starts on this line' : 'this file is not part of the scenario or its model',
      };
    });
    if (bps.length) this.lines.set(normFile(file), bps); else this.lines.delete(normFile(file));
    return bps;
  }

  setFunctions(specs: ({ name: string } & HitSpec)[]): FunctionBreakpoint[] {
    this.functions = specs.map(s => this.parseFunction(s));
    return this.functions;
  }

  private parseFunction(s: { name: string } & HitSpec): FunctionBreakpoint {
    const text = s.name.trim().replace(/\s+/g, ' ');
    const base = { id: this.nextId++, text, condition: s.condition, hitCondition: s.hitCondition, logMessage: s.logMessage, hits: 0 };
    const m = /^(lock|unlock|trylock-fail|trylock-failed|contended) (.+)$/.exec(text);
    if (m) {
      const kind = LOCK_KINDS[m[1]];
      // `pcp->lock cpu 1` is the instance name; `cpu1` and `CPU 1` are accepted too
      const name = m[2].replace(/\s*\bcpu\s*(\d+)$/i, ' cpu $1').trim();
      if (this.lockNames.has(name)) return { ...base, kind, name, verified: true };
      // "any lock on CPU 1": `lock * cpu 1`, `lock cpu 1`, `lock any`; a lock that is not
      // per-CPU followed by `cpu N` (`lock zone->lock cpu 1`): taken on that CPU
      const onCpu = /^(.*?)\s*\bcpu (\d+)$/.exec(name);
      const cls = (onCpu ? onCpu[1] : name).trim();
      const cpu = onCpu ? Number(onCpu[2]) : undefined;
      const any = cls === '' || cls === '*' || cls === 'any';
      if (any || (cpu !== undefined && this.lockNames.has(cls))) {
        if (cpu !== undefined && cpu >= this.m.ncpus) return { ...base, kind, name, verified: false, message: `there is no CPU ${cpu} (the scenario has ${this.m.ncpus})` };
        return { ...base, kind, name: any ? '*' : cls, cpu, verified: true };
      }
      return { ...base, kind, name, verified: false, message: `no lock named '${name}' in this scenario (known: ${[...this.lockNames].filter(n => !/ cpu \d+$/.test(n)).slice(0, 12).join(', ')}; '*' is any lock, 'cpu N' after it limits the breakpoint to one CPU)` };
    }
    // a primitive (`spin_lock`, `spin_trylock`, `local_irq_save`): stops before each call of it
    if (!this.m.code.byName.has(text) && BUILTINS.has(text)) {
      const used = this.m.code.fns.some(fn => fn.code.some(ins => ins.op === Op.BUILTIN && ins.builtin?.name === text));
      return { ...base, kind: 'primitive', name: text, verified: used, message: used ? undefined : `the scenario and its model never call '${text}'` };
    }
    const verified = this.m.code.byName.has(text);
    return { ...base, kind: 'function', name: text, verified, message: verified ? undefined : `no model function '${text}' (nor a primitive such as spin_lock); lock breakpoints are written 'lock zone->lock', 'lock pcp->lock cpu 1', 'trylock-fail pcp->lock', 'contended zone->lock'` };
  }

  addData(spec: { addr: number; cells: number; list: boolean; label: string; accessType?: DataBreakpoint['accessType'] } & HitSpec): DataBreakpoint {
    const bp: DataBreakpoint = { id: this.nextId++, ...spec, accessType: spec.accessType ?? 'write', last: '', hits: 0, verified: true };
    bp.last = this.watchValue(bp);
    if (bp.accessType === 'read') { bp.verified = false; bp.message = 'only writes are watched'; }
    this.data.push(bp);
    return bp;
  }

  clearData(): void { this.data = []; }

  setFilters(ids: string[]): void { this.filters = new Set(ids); }

  /** Data watches take the values of the machine as it is now (after time travel, an edit). */
  resyncData(): void {
    for (const d of this.data) d.last = this.watchValue(d);
  }

  watchValue(d: { addr: number; cells: number; list: boolean }): string {
    if (d.list) return listPfns(this.m, d.addr, 4096).join(',');
    let s = '';
    for (let i = 0; i < d.cells; i++) s += `${this.m.mem[d.addr + i]},`;
    return s;
  }

  /**
   * What the move that produced `events` and ran `ctx` hits. `counting`: hit counts and
   * logpoints are live (forward moves); reverse searches only ask whether something hits.
   */
  check(ctx: Context | undefined, events: MachineEvent[], cond: ConditionHook | undefined, counting: boolean): Hit | undefined {
    const m = this.m;
    const logs: { bp: HitSpec; ctx: Context }[] = [];
    // findings and events first: they say why the machine is interesting
    for (const e of events) {
      if (e.kind === 'finding' && this.filters.has(e.name)) return { kind: 'exception', ids: [], event: e, description: `${e.name} on CPU ${e.cpu}` };
      if (e.kind !== 'finding' && e.kind !== 'trace') {
        const f = EVENT_FILTERS.find(x => x.event === e.kind);
        if (f && this.filters.has(f.id)) return { kind: 'exception', ids: [], event: e, description: `${f.label}: ${e.name} on CPU ${e.cpu}` };
      }
    }
    // data watches
    const dataIds: number[] = [];
    for (const d of this.data) {
      if (!d.verified) continue;
      const v = this.watchValue(d);
      if (v === d.last) continue;
      d.last = v;
      if (ctx && this.passes(d, ctx, cond, counting, logs)) dataIds.push(d.id);
    }
    if (dataIds.length) return { kind: 'data', ids: dataIds, description: `${this.data.find(d => d.id === dataIds[0])!.label} changed` };
    // lock events and functions
    const fnIds: number[] = [];
    let fnEvent: MachineEvent | undefined;
    for (const b of this.functions) {
      if (!b.verified) continue;
      if (b.kind === 'function') {
        const top = ctx?.frames[ctx.frames.length - 1];
        if (!ctx || !top || top.pc !== 0 || top.fn.name !== b.name || top.fn.block) continue;
        if (this.passes(b, ctx, cond, counting, logs)) fnIds.push(b.id);
        continue;
      }
      if (b.kind === 'primitive') {
        // not while it spins or sleeps on the lock: that is the same call, tried again
        const top = ctx?.frames[ctx.frames.length - 1];
        if (!ctx || !top || ctx.waitingOn || !nextStepCalls(top, b.name)) continue;
        if (this.passes(b, ctx, cond, counting, logs)) fnIds.push(b.id);
        continue;
      }
      const want = EVENT_OF[b.kind];
      for (const e of events) {
        if (e.kind !== want) continue;
        const instance = typeof e.fields?.lock === 'string' ? e.fields.lock : undefined;
        if (b.name !== '*' && e.name !== b.name && instance !== b.name) continue;
        if (b.cpu !== undefined && e.cpu !== b.cpu) continue;
        const ectx = m.contexts.find(c => c.cpu === e.cpu && c.label === e.context) ?? ctx;
        if (ectx && this.passes(b, ectx, cond, counting, logs)) { fnIds.push(b.id); fnEvent = e; break; }
      }
    }
    if (fnIds.length) return { kind: 'function', ids: fnIds, event: fnEvent, description: this.functions.find(b => b.id === fnIds[0])!.text };
    // lines: the context arrived at the start of a statement on a breakpoint line
    if (ctx && this.lines.size) {
      const top = ctx.frames[ctx.frames.length - 1];
      const ins = top?.fn.code[top.pc];
      if (ins && ins.op === Op.STEP) {
        const r = m.code.locs[ins.loc];
        const bps = r && this.lines.get(normFile(r.file));
        const ids: number[] = [];
        if (bps) for (const b of bps) if (b.verified && b.line === r.line && this.passes(b, ctx, cond, counting, logs)) ids.push(b.id);
        if (ids.length) return { kind: 'line', ids, description: `breakpoint at ${path.basename(r.file)}:${r.line}` };
      }
    }
    return logs.length ? { kind: 'line', ids: [], description: 'log', logs } : undefined;
  }

  /** Condition, hit count and logpoint rules of one breakpoint. A logpoint never stops. */
  private passes(b: HitSpec & { hits: number }, ctx: Context, cond: ConditionHook | undefined, counting: boolean, logs: { bp: HitSpec; ctx: Context }[]): boolean {
    if (b.condition && b.condition.trim()) {
      if (!cond) return false;
      // a condition that cannot be evaluated stops, so the user sees the error
      let ok = true;
      try { ok = cond(ctx, b.condition); } catch { ok = true; }
      if (!ok) return false;
    }
    if (counting) {
      b.hits++;
      if (b.hitCondition && !hitConditionMet(b.hitCondition, b.hits)) return false;
    }
    if (b.logMessage !== undefined && b.logMessage !== '') {
      if (counting) logs.push({ bp: b, ctx });
      return false;
    }
    return true;
  }

  resetHits(): void {
    for (const list of this.lines.values()) for (const b of list) b.hits = 0;
    for (const b of this.functions) b.hits = 0;
    for (const b of this.data) b.hits = 0;
  }
}

/**
 * Whether the frame's next step calls this builtin: a step runs through one statement
 * (from its STEP to the next), stopping early at a model-function call or before a
 * second primitive.
 */
function nextStepCalls(f: Frame, name: string): boolean {
  const code = f.fn.code;
  let prims = 0;
  // a context stands on the STEP that opens its next statement
  const from = code[f.pc]?.op === Op.STEP ? f.pc + 1 : f.pc;
  for (let pc = from; pc < code.length; pc++) {
    const ins = code[pc];
    if (ins.op === Op.STEP || ins.op === Op.CALL || ins.op === Op.RET) return false;
    if (ins.op !== Op.BUILTIN || !ins.builtin) continue;
    if (isPrimitive(ins.builtin) && ++prims > 1) return false;
    if (ins.builtin.name === name) return true;
  }
  return false;
}

/** `5`, `= 5`, `== 5`, `=== 5` (as js-debug writes it), `>= 5`, `> 5`, `< 5`, `<= 5`, `% 5` (every 5th). An unreadable one always holds. */
export function hitConditionMet(text: string, hits: number): boolean {
  const m = /^\s*(===|==|=|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return hits > n;
    case '>=': return hits >= n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits === n;
  }
}

export function validHitCondition(text: string): boolean {
  return /^\s*(===|==|=|>=|>|<=|<|%)?\s*(\d+)\s*$/.test(text);
}

export function normFile(f: string): string {
  const r = path.resolve(f);
  return process.platform === 'win32' ? r.toLowerCase() : r;
}
