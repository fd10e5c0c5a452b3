// The debugger on a real kernel trace (launch attribute `trace`): CPUs seen in the trace are
// the threads, events are the steps. `next` and `stepIn` go to the selected CPU's next event
// (interfaces.md: stepping advances only the selected CPU), `stepOut` past the interrupt the
// CPU is in, `stepBack` to the CPU's previous event; with `singleThread: false`, or the step-in
// target "next event of any CPU", they go through the events of all CPUs in trace order; `continue` / `reverseContinue` run to the next / previous event a
// function breakpoint (`refill cpu 2`, `contended zone->lock`, `mm_page_pcpu_drain`) or an
// exception filter (drain, refill, lock-contended, irq-entry) names. The variables are the
// per-CPU lists as rebuilt at that event, with the zoneinfo values beside them at a snapshot.
// The engine's TraceTimeline does the work; this file only speaks DAP.
import * as fs from 'fs';
import * as path from 'path';
import { Event, Response, Scope, Source, StackFrame, StoppedEvent, Thread, InitializedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  formatLabel,   importTrace, replayImported, zoneinfoBeside, parseZoneInfo, lockNamesBeside, TraceTimeline, parseTraceBreakpoint,
  TraceBreakpoint, TraceImportError, ZoneInfoError, CHECKPOINT_EVERY,
} from '../engine';
import { TIMELINE_REQUEST, GOTO_REQUEST, STEP_EVENT, TimelineResponseBody, GotoArguments, StepEventBody } from './protocol';
import { OpenProgress } from './openProgress';

/** What the session gives the trace target: a way to send messages. */
export interface TraceHost {
  sendResponse(r: DebugProtocol.Response): void;
  sendEvent(e: DebugProtocol.Event): void;
  /** the client shows progress notifications (initialize's supportsProgressReporting) */
  readonly supportsProgress: boolean;
}

export interface TraceLaunchArguments {
  trace?: string;
  /** `LABEL=FILE` strings or { label: file }; default: the zoneinfo-<capture>-<label>.txt files beside the trace */
  zoneinfo?: string[] | Record<string, string>;
  stopOnEntry?: boolean;
}

class TraceRequestError extends Error {
  constructor(readonly id: number, message: string) { super(message); }
}

/** The exception filters of the session, as trace breakpoints. */
const FILTERS: Record<string, string> = {
  'drain': 'mm_page_pcpu_drain',
  'refill': 'refill',
  'lock-contended': 'contention_begin',
  'irq-entry': 'irq_handler_entry',
};

const HANDLED = new Set([
  'configurationDone', 'threads', 'stackTrace', 'scopes', 'variables', 'next', 'stepIn', 'stepOut', 'stepBack', 'continue',
  'reverseContinue', 'pause', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints', 'setDataBreakpoints',
  'dataBreakpointInfo', 'evaluate', 'exceptionInfo', 'restart', 'gotoTargets', 'goto', 'source', 'breakpointLocations',
  'setVariable', 'stepInTargets', TIMELINE_REQUEST, GOTO_REQUEST,
]);

/** the step-in targets a trace offers: the selected CPU's next event, or any CPU's */
const TARGET_CPU = 1, TARGET_ANY = 2;

/** A breakpoint's hit condition as a test of the hit's number (1-based, in trace order): `5`
 * or `== 5` the fifth, `>= 5`, `> 5`, `% 5` every fifth. Throws for anything else. */
function hitCondition(text: string): (n: number) => boolean {
  const m = /^\s*(>=|>|==|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new TraceRequestError(3008, `hit condition '${text}': expected N, == N, >= N, > N or % N`);
  const k = Number(m[2]);
  switch (m[1]) {
    case '>=': return n => n >= k;
    case '>': return n => n > k;
    case '%': return n => k > 0 && n % k === 0;
    default: return n => n === k;
  }
}

/** The 1-based number of event i among the sorted matches (i is one of them). */
function ordinal(matches: Int32Array, i: number): number {
  let lo = 0, hi = matches.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (matches[mid] < i) lo = mid + 1; else hi = mid; }
  return lo + 1;
}

/** The sourceReference of a trace.dat's records shown as text. */
const DAT_SOURCE_REF = 1;

type VarFn = (start?: number, count?: number) => DebugProtocol.Variable[];

export class TraceTarget {
  private readonly tl: TraceTimeline;
  /** function breakpoints; with a hit condition, the events that match in trace order and
   * which of their ordinals (1-based) stop */
  private fnBps: { id: number; bp?: TraceBreakpoint; matches?: Int32Array; stopsAt?: (n: number) => boolean }[] = [];
  private filterBps: { filter: string; bp: TraceBreakpoint }[] = [];
  private vars = new Map<number, VarFn>();
  private nextHandle = 1;
  private lastStop: { reason: string; cpu: number; text?: string; event: number } | undefined;
  private nextBpId = 1;
  /** breakpoints on lines of the trace file (or of a trace.dat's records): event -> id */
  private lineBps = new Map<number, number>();
  /** data breakpoints: a pcp count (pcp key cpu * zones + zone) that an event moves */
  private dataBps: { id: number; key: number; label: string }[] = [];
  /** the Per-CPU lists scope of each CPU, and each zone's entry in it, by variables reference:
   * what dataBreakpointInfo is asked about */
  private pcpScopes = new Map<number, number>();
  private pcpEntries = new Map<number, number>();

  /** Loads the trace named by the launch arguments. Throws with a message for the user. */
  static launch(host: TraceHost, args: TraceLaunchArguments): TraceTarget {
    const file = path.resolve(String(args.trace));
    if (!fs.existsSync(file)) throw new TraceRequestError(3001, `lockstep: cannot read the kernel trace ${file}: no such file`);
    const progress = host.supportsProgress ? new OpenProgress(e => host.sendEvent(e), file) : undefined;
    try {
      const trace = importTrace(file, { progress: progress?.phase('reading the trace', 0, 0.7) });
      if (!trace.store.length) {
        const w = trace.warnings[0];
        throw new TraceRequestError(3001, `lockstep: ${file}: no events to step through (${trace.lines} lines${w ? `; line ${w.line}: ${w.message}` : ''})`);
      }
      let zi: { label: string; file: string }[];
      if (Array.isArray(args.zoneinfo)) {
        zi = args.zoneinfo.map(s => {
          const eq = String(s).indexOf('=');
          if (eq <= 0) throw new TraceRequestError(3008, `lockstep: launch attribute "zoneinfo": '${s}' is not LABEL=FILE`);
          return { label: String(s).slice(0, eq), file: path.resolve(String(s).slice(eq + 1)) };
        });
      } else if (args.zoneinfo && typeof args.zoneinfo === 'object') {
        zi = Object.entries(args.zoneinfo).map(([label, f]) => ({ label, file: path.resolve(String(f)) }));
      } else {
        zi = zoneinfoBeside(file, trace);
      }
      const zoneinfo = zi.map(z => ({ label: z.label, info: parseZoneInfo(z.file) }));
      const tl = new TraceTimeline(replayImported(trace, zoneinfo, lockNamesBeside(file), CHECKPOINT_EVERY, progress?.phase('rebuilding the per-CPU lists', 0.7, 1)));
      return new TraceTarget(host, tl, args);
    } catch (e) {
      if (e instanceof TraceImportError || e instanceof ZoneInfoError) throw new TraceRequestError(3002, `lockstep: ${e.file}:${e.line}: ${e.message}`);
      throw e;
    } finally {
      progress?.end();
    }
  }

  private constructor(private readonly host: TraceHost, tlArg: TraceTimeline, private readonly args: TraceLaunchArguments) {
    this.tl = tlArg;
    for (const w of this.tl.trace.warnings.slice(0, 20)) this.output(`${this.tl.trace.file}:${w.line}: warning: ${w.message}\n`);
    for (const l of this.tl.trace.lost.slice(0, 20)) this.output(`${this.tl.trace.file}:${l.line}: CPU ${l.cpu} lost ${l.events ?? 'some'} events (ring buffer full): its rebuilt counts can be off from here\n`);
  }

  /** Sends the launch response and `initialized`. */
  launched(response: DebugProtocol.Response): void {
    this.host.sendResponse(response);
    // (only a trace has step-in targets: a scenario's debugger refuses the request)
    this.host.sendEvent(new Event('capabilities', { capabilities: { supportsStepInTargetsRequest: true } }));
    this.host.sendEvent(new InitializedEvent());
    const t = this.tl.trace;
    this.output(`lockstep: ${t.decompressedFrom ? `${t.decompressedFrom} (decompressed to ${t.file})` : t.file}: ${formatLabel(t.format).name}, ${t.store.length} events${t.cpus.length ? ` on CPUs ${t.cpus.join(', ')}` : ''}` +
      `${this.tl.rec.startLabel ? `, starting from zoneinfo '${this.tl.rec.startLabel}'` : ''}\n`);
  }

  handles(command: string): boolean { return HANDLED.has(command); }

  dispatch(request: DebugProtocol.Request): void {
    const response = new Response(request) as DebugProtocol.Response;
    try {
      this.handle(request.command, request.arguments ?? {}, response);
    } catch (e) {
      const id = e instanceof TraceRequestError ? e.id : 3003;
      const text = e instanceof Error ? e.message : String(e);
      response.success = false;
      response.message = text;
      response.body = { error: { id, format: text, variables: {}, showUser: true } };
      this.host.sendResponse(response);
    }
  }

  private ok(response: DebugProtocol.Response, body?: unknown): void {
    if (body !== undefined) response.body = body;
    this.host.sendResponse(response);
  }

  private output(text: string): void { this.host.sendEvent(new Event('output', { category: 'console', output: text })); }

  private cpuOf(threadId: unknown): number {
    const cpu = Number(threadId) - 1;
    if (!this.tl.cpus.includes(cpu)) throw new TraceRequestError(3005, `lockstep: no thread ${String(threadId)} (the trace has ${this.tl.cpus.length ? `CPUs ${this.tl.cpus.join(', ')}` : 'no events'})`);
    return cpu;
  }

  private handle(command: string, a: Record<string, unknown>, response: DebugProtocol.Response): void {
    const tl = this.tl;
    switch (command) {
      case 'configurationDone':
        this.ok(response);
        if (this.args.stopOnEntry === false) this.run(1);
        else this.stop('entry', tl.cpus[0] ?? 0, 'before the first event of the trace');
        return;
      case 'threads':
        return this.ok(response, { threads: tl.cpus.map(c => new Thread(c + 1, `CPU ${c}`)) });
      case 'stackTrace':
        return this.ok(response, this.stack(this.cpuOf(a.threadId), Number(a.startFrame ?? 0), a.levels === undefined ? undefined : Number(a.levels)));
      case 'scopes':
        return this.ok(response, { scopes: this.scopes(Number(a.frameId)) });
      case 'variables': {
        const fn = this.vars.get(Number(a.variablesReference));
        if (!fn) throw new TraceRequestError(3006, 'lockstep: stale variables reference (the debugger moved since)');
        return this.ok(response, { variables: fn(a.start === undefined ? undefined : Number(a.start), a.count === undefined ? undefined : Number(a.count)) });
      }
      case 'next':
      case 'stepIn': {
        const cpu = this.cpuOf(a.threadId);
        this.ok(response);
        if (a.singleThread === false || (command === 'stepIn' && Number(a.targetId) === TARGET_ANY)) {
          const i = tl.position + 1 < tl.length ? tl.position + 1 : -1;
          return this.moveTo(i, i >= 0 ? tl.trace.store.cpu[i] : cpu, 'step', 'next event of any CPU');
        }
        return this.moveTo(tl.nextOnCpu(cpu), cpu, 'step', `next event of CPU ${cpu}`);
      }
      case 'stepInTargets': {
        const cpu = tl.position >= 0 ? tl.trace.store.cpu[tl.position] : tl.cpus[0] ?? 0;
        return this.ok(response, { targets: [
          { id: TARGET_CPU, label: `Next event of CPU ${cpu}` },
          { id: TARGET_ANY, label: 'Next event of any CPU (trace order)' },
        ] });
      }
      case 'stepOut': {
        const cpu = this.cpuOf(a.threadId);
        this.ok(response);
        // past the interrupt the CPU is in: its next event with less nesting
        const depth = tl.rec.irqNesting(cpu).length;
        let i = tl.nextOnCpu(cpu);
        if (depth > 0) {
          const save = tl.position;
          while (i >= 0) { tl.seek(i); if (tl.rec.irqNesting(cpu).length < depth) break; i = tl.nextOnCpu(cpu, i); }
          tl.seek(save);
        }
        // (in task context there is no handler to leave: the CPU's next event, said so)
        return this.moveTo(i, cpu, 'step', depth > 0 ? `CPU ${cpu} out of its interrupt` : `next event of CPU ${cpu} (not in an interrupt)`);
      }
      case 'stepBack': {
        const cpu = this.cpuOf(a.threadId);
        this.ok(response);
        if (a.singleThread === false) {
          const i = tl.position - 1;
          tl.seek(i);
          return this.stop('step', i >= 0 ? tl.trace.store.cpu[i] : cpu, i >= 0 ? 'previous event of any CPU' : 'before the first event of the trace');
        }
        const i = tl.position >= 0 ? tl.prevOnCpu(cpu) : -1;
        tl.seek(i);
        return this.stop('step', cpu, i >= 0 ? `previous event of CPU ${cpu}` : 'before the first event of the trace');
      }
      case 'continue':
        this.ok(response, { allThreadsContinued: true });
        return this.run(1);
      case 'reverseContinue':
        this.ok(response);
        return this.run(-1);
      case 'pause':
        return this.ok(response);
      case 'restart':
        this.ok(response);
        tl.seek(-1);
        return this.stop('entry', tl.cpus[0] ?? 0, 'before the first event of the trace');
      case 'setBreakpoints': {
        const bps = (a.breakpoints as DebugProtocol.SourceBreakpoint[] | undefined) ?? [];
        if (!this.isTraceSource(a.source as DebugProtocol.Source | undefined)) {
          return this.ok(response, { breakpoints: bps.map(b => ({ verified: false, line: b.line, message: 'a replayed kernel trace stops on its own lines, or on a function breakpoint on an event (refill cpu 2, contended zone->lock, mm_page_pcpu_drain)' })) });
        }
        // a line of the trace: its event, or the next event after it (a comment, a stack line)
        this.lineBps.clear();
        return this.ok(response, { breakpoints: bps.map(b => {
          const i = this.tl.eventAtOrAfterLine(b.line);
          if (i < 0) return { verified: false, line: b.line, message: `no event on or after line ${b.line}` };
          if (b.condition || b.hitCondition) return { verified: false, line: b.line, message: 'a trace line stops on its event only: for a condition, use a function breakpoint (mm_page_alloc cpu=2 order=0)' };
          const id = this.lineBps.get(i) ?? this.nextBpId++;
          this.lineBps.set(i, id);
          return { id, verified: true, line: this.tl.trace.store.line[i] };
        }) });
      }
      case 'setFunctionBreakpoints': {
        const list = (a.breakpoints as DebugProtocol.FunctionBreakpoint[] | undefined) ?? [];
        this.fnBps = [];
        const out: DebugProtocol.Breakpoint[] = [];
        for (const b of list) {
          const id = this.nextBpId++;
          try {
            // a condition is more of the same words: `cpu=2 order=0` (== and && read as = and a space)
            const cond = (b.condition ?? '').replace(/&&|\band\b/g, ' ').replace(/\s*==?\s*/g, '=');
            const bp = parseTraceBreakpoint(`${b.name} ${cond}`);
            bp.text = b.condition ? `${b.name} if ${b.condition}` : b.name;
            const known = bp.names.some(n => tl.trace.byEvent[n] !== undefined);
            const entry: (typeof this.fnBps)[number] = { id, bp };
            if (b.hitCondition) {
              entry.stopsAt = hitCondition(b.hitCondition);
              const m: number[] = [];
              for (let i = 0; i < tl.length; i++) if (tl.matches(i, bp)) m.push(i);
              entry.matches = Int32Array.from(m);
            }
            this.fnBps.push(entry);
            out.push({ id, verified: known, message: known ? undefined : `no ${bp.names.join(' / ')} event in this trace` });
          } catch (e) {
            out.push({ id, verified: false, message: e instanceof Error ? e.message : String(e) });
          }
        }
        return this.ok(response, { breakpoints: out });
      }
      case 'setExceptionBreakpoints': {
        const filters = (a.filters as string[] | undefined) ?? [];
        this.filterBps = filters.filter(f => FILTERS[f]).map(f => ({ filter: f, bp: parseTraceBreakpoint(FILTERS[f]) }));
        return this.ok(response, { breakpoints: filters.map(f => ({ verified: !!FILTERS[f] })) });
      }
      case 'setDataBreakpoints': {
        const rec = tl.rec;
        this.dataBps = [];
        return this.ok(response, { breakpoints: ((a.breakpoints as DebugProtocol.DataBreakpoint[] | undefined) ?? []).map(b => {
          const m = /^pcp:(\d+):(.+)$/.exec(String(b.dataId));
          const zone = m ? rec.zones.findIndex(z => z.name === m[2]) : -1;
          if (!m || zone < 0 || Number(m[1]) >= rec.ncpus) return { verified: false, message: `lockstep: '${String(b.dataId)}' is not a pcp count of this trace` };
          if (b.condition || b.hitCondition) return { verified: false, message: 'a pcp count breakpoint stops on every change: conditions are not supported' };
          const id = this.nextBpId++;
          this.dataBps.push({ id, key: rec.pcpIndex(Number(m[1]), zone), label: `CPU ${m[1]} ${m[2]}` });
          return { id, verified: true };
        }) });
      }
      case 'dataBreakpointInfo': {
        // a pcp count: Per-CPU lists > DMA32 (the zone's entry) or its `count`
        const ref = Number(a.variablesReference), name = String(a.name ?? '');
        const cpu = this.pcpScopes.get(ref);
        const entry = this.pcpEntries.get(ref);
        const zone = cpu !== undefined ? tl.rec.zones.findIndex(z => z.name === name) : entry !== undefined && name === 'count' ? entry % tl.rec.zones.length : -1;
        const c = cpu ?? (entry !== undefined ? Math.floor(entry / tl.rec.zones.length) : -1);
        if (zone < 0 || c < 0) return this.ok(response, { dataId: null, description: 'in a replayed trace a data breakpoint watches a pcp count: Per-CPU lists > zone > count' });
        const zn = tl.rec.zones[zone].name;
        return this.ok(response, { dataId: `pcp:${c}:${zn}`, description: `CPU ${c} ${zn} pcp count`, accessTypes: ['write'], canPersist: true });
      }
      case 'setVariable':
        throw new TraceRequestError(3008, 'lockstep: a replayed kernel trace cannot be changed');
      case 'breakpointLocations': {
        if (!this.isTraceSource(a.source as DebugProtocol.Source | undefined)) return this.ok(response, { breakpoints: [] });
        const st = tl.trace.store, from = Number(a.line), to = Number(a.endLine ?? a.line);
        const out: { line: number }[] = [];
        for (let i = this.tl.eventAtOrAfterLine(from); i >= 0 && i < st.length && st.line[i] <= to; i++) if (!out.length || out[out.length - 1].line !== st.line[i]) out.push({ line: st.line[i] });
        return this.ok(response, { breakpoints: out });
      }
      case 'evaluate':
        return this.ok(response, this.evaluate(String(a.expression ?? ''), a.frameId === undefined ? undefined : Number(a.frameId)));
      case 'exceptionInfo': {
        const s = this.lastStop;
        if (!s || s.reason !== 'exception') throw new TraceRequestError(3008, 'lockstep: not stopped on an exception filter');
        const ev = tl.event(s.event);
        return this.ok(response, { exceptionId: s.text ?? ev.name, description: `${ev.name}: ${ev.text}`, breakMode: 'always',
          details: { message: `${ev.task}-${ev.pid} [${String(ev.cpu).padStart(3, '0')}] ${ev.ts.toFixed(6)}: ${ev.name}: ${ev.text}`, stackTrace: (ev.stack ?? []).join('\n') } });
      }
      case 'gotoTargets': {
        // Jump to Cursor on a line of the trace: the state after that line's event (or the
        // next event's, for a comment or stack line)
        const i = this.isTraceSource(a.source as DebugProtocol.Source | undefined) ? this.tl.eventAtOrAfterLine(Number(a.line)) : -1;
        if (i < 0) return this.ok(response, { targets: [] });
        const ev = tl.event(i);
        return this.ok(response, { targets: [{ id: i + 1, label: `event ${i + 1}: ${ev.name} on CPU ${ev.cpu}`, line: tl.trace.store.line[i] }] });
      }
      case 'goto':
      case GOTO_REQUEST: {
        const step = Number(command === 'goto' ? a.targetId : (a as unknown as GotoArguments).step);
        if (!Number.isInteger(step) || step < 0 || step > tl.length) throw new TraceRequestError(3008, `lockstep: step ${String(step)} is not in 0..${tl.length}`);
        this.ok(response, {});
        tl.seek(step - 1);
        const cpu = step > 0 ? tl.trace.store.cpu[step - 1] : tl.cpus[0] ?? 0;
        return this.stop('goto', cpu, `event ${step}`);
      }
      case TIMELINE_REQUEST:
        return this.ok(response, this.timeline());
      case 'source':
        if (tl.trace.format === 'trace.dat' && Number((a.source as DebugProtocol.Source | undefined)?.sourceReference ?? a.sourceReference) === DAT_SOURCE_REF) {
          return this.ok(response, { content: this.datText(), mimeType: 'text/plain' });
        }
        throw new TraceRequestError(3008, 'lockstep: no source for this frame');
      default:
        throw new TraceRequestError(3003, `lockstep: '${command}' is not handled for a trace`);
    }
  }

  private datTextCache: string | undefined;

  /** A trace.dat's records as text, one line per record (line = the record's number, as
   * frames give it): events as trace-cmd report prints them, kernel stacks under theirs. */
  private datText(): string {
    if (this.datTextCache !== undefined) return this.datTextCache;
    const tl = this.tl, st = tl.trace.store;
    const lines: string[] = new Array(Math.max(0, tl.trace.lines)).fill('');
    for (let i = 0; i < st.length; i++) {
      const ev = tl.event(i);
      const at = ev.line - 1;
      if (at < 0) continue;
      if (at >= lines.length) lines.length = at + 1;
      lines[at] = `${ev.task.padStart(16)}-${String(ev.pid).padEnd(7)} [${String(ev.cpu).padStart(3, '0')}] ${ev.ts.toFixed(6).padStart(12)}: ${ev.name}: ${ev.text}`;
      // the kernel_stack record that follows an event with a stack trace
      if (ev.stack?.length && at + 1 < lines.length && !lines[at + 1]) lines[at + 1] = `${' '.repeat(16)}<stack trace> ${ev.stack.map(f => `=> ${f}`).join(' ')}`;
    }
    this.datTextCache = lines.join('\n');
    return this.datTextCache;
  }

  // ---- moving ----

  private moveTo(i: number, cpu: number, reason: string, what: string): void {
    if (i < 0) {
      this.tl.seek(this.tl.length - 1);
      return this.stop('step', cpu, 'end of the trace');
    }
    this.tl.seek(i);
    const hit = this.hits(i);
    if (hit) return this.stop(hit.reason, this.tl.trace.store.cpu[i], hit.text, hit.ids);
    this.stop(reason, this.tl.trace.store.cpu[i] ?? cpu, what);
  }

  private hits(i: number): { reason: string; text: string; ids?: number[] } | undefined {
    const line = this.lineBps.get(i);
    if (line !== undefined) return { reason: 'breakpoint', text: `breakpoint at line ${this.tl.trace.store.line[i]}`, ids: [line] };
    // (called for every event a continue passes: nothing is allocated unless one stops)
    let ids: number[] | undefined, text = '';
    for (const b of this.fnBps) {
      if (!b.bp || !this.tl.matches(i, b.bp) || (b.stopsAt && !b.stopsAt(ordinal(b.matches!, i)))) continue;
      if (!ids) { ids = []; text = b.bp.text; }
      ids.push(b.id);
    }
    if (ids) return { reason: 'function breakpoint', text, ids };
    for (const d of this.dataBps) {
      const now = this.tl.pcpCountMovedBy(i, d.key);
      if (now !== undefined) return { reason: 'data breakpoint', text: `${d.label} pcp count is now ${now}`, ids: [d.id] };
    }
    const f = this.filterBps.find(b => this.tl.matches(i, b.bp));
    if (f) return { reason: 'exception', text: f.filter };
    return undefined;
  }

  /** The trace file itself, or a trace.dat's records shown as text. */
  private isTraceSource(src: DebugProtocol.Source | undefined): boolean {
    const t = this.tl.trace;
    if (t.format === 'trace.dat') return Number(src?.sourceReference) === DAT_SOURCE_REF;
    return !!src?.path && path.resolve(src.path) === path.resolve(t.file);
  }

  private run(dir: 1 | -1): void {
    const tl = this.tl;
    let i = -1;
    if (this.fnBps.length || this.filterBps.length || this.lineBps.size || this.dataBps.length) {
      for (let j = tl.position + dir; j >= 0 && j < tl.length; j += dir) if (this.hits(j)) { i = j; break; }
    }
    if (i < 0) {
      tl.seek(dir > 0 ? tl.length - 1 : -1);
      const cpu = tl.position >= 0 ? tl.trace.store.cpu[tl.position] : tl.cpus[0] ?? 0;
      return this.stop(dir > 0 ? 'step' : 'entry', cpu, dir > 0 ? 'end of the trace' : 'before the first event of the trace');
    }
    tl.seek(i);
    const hit = this.hits(i)!;
    this.stop(hit.reason, tl.trace.store.cpu[i], hit.text, hit.ids);
  }

  private stop(reason: string, cpu: number, description: string, ids?: number[]): void {
    this.vars.clear();
    this.pcpScopes.clear();
    this.pcpEntries.clear();
    this.nextHandle = 1;
    const tl = this.tl;
    this.lastStop = { reason, cpu, text: reason === 'exception' ? description : undefined, event: tl.position };
    const e = new StoppedEvent(reason, cpu + 1, reason === 'exception' ? description : undefined) as DebugProtocol.StoppedEvent;
    e.body.allThreadsStopped = true;
    const where = tl.position >= 0 ? ` (event ${tl.position + 1} of ${tl.length}, line ${tl.trace.store.line[tl.position]})` : '';
    e.body.description = `${description}${where}`;
    if (ids?.length) e.body.hitBreakpointIds = ids;
    this.host.sendEvent(new Event(STEP_EVENT, { step: tl.position + 1 } satisfies StepEventBody));
    this.host.sendEvent(e);
  }

  // ---- views ----

  /** Frames of a CPU: its current event (in the trace file), the kernel stack the trace
   * logged with it, the interrupts it is nested in, and the task. */
  private stack(cpu: number, start: number, levels?: number): DebugProtocol.StackTraceResponse['body'] {
    const tl = this.tl;
    const st = tl.trace.store;
    const at = tl.position >= 0 && st.cpu[tl.position] === cpu ? tl.position : tl.prevOnCpu(cpu, tl.position + 1);
    const frames: DebugProtocol.StackFrame[] = [];
    // a trace.dat is binary: its frames point into the records shown as text (`source`)
    const src = tl.trace.format === 'trace.dat'
      ? new Source(`${path.basename(tl.trace.file)} (records)`, undefined, DAT_SOURCE_REF, undefined, 'lockstep-trace-dat')
      : new Source(path.basename(tl.trace.file), tl.trace.file);
    const id = (k: number) => (cpu + 1) * 100000 + k;
    if (at >= 0) {
      const ev = tl.event(at);
      frames.push(new StackFrame(id(0), `${ev.name}: ${ev.text}`, src, ev.line, 1));
      for (const f of ev.stack ?? []) frames.push({ id: id(frames.length), name: f, line: 0, column: 0, presentationHint: 'subtle' });
      const cs = tl.cpuState(cpu);
      for (const irq of [...cs.interrupts].reverse()) frames.push({ id: id(frames.length), name: `<${irq.startsWith('softirq') ? 'softirq' : 'hardirq'}> ${irq}`, line: 0, column: 0, presentationHint: 'label' });
      frames.push({ id: id(frames.length), name: `${ev.task}-${ev.pid}`, line: 0, column: 0, presentationHint: 'label' });
    } else {
      frames.push({ id: id(0), name: `CPU ${cpu}: no event yet`, line: 0, column: 0, presentationHint: 'label' });
    }
    const end = levels ? Math.min(frames.length, start + levels) : frames.length;
    return { stackFrames: frames.slice(start, end), totalFrames: frames.length };
  }

  private handle_(fn: VarFn): number { const h = this.nextHandle++; this.vars.set(h, fn); return h; }

  /** A zone's entry in the Per-CPU lists scope, kept so a data breakpoint can be set on its count. */
  private pcpEntry(cpu: number, zone: number, fn: VarFn): number {
    const h = this.handle_(fn);
    this.pcpEntries.set(h, this.tl.rec.pcpIndex(cpu, zone));
    return h;
  }

  private scopes(frameId: number): DebugProtocol.Scope[] {
    const cpu = Math.floor(frameId / 100000) - 1;
    if (!this.tl.cpus.includes(cpu)) throw new TraceRequestError(3006, 'lockstep: stale frame reference');
    const tl = this.tl;
    const at = tl.position >= 0 && tl.trace.store.cpu[tl.position] === cpu ? tl.position : tl.prevOnCpu(cpu, tl.position + 1);
    const scopes: DebugProtocol.Scope[] = [];
    if (at >= 0) scopes.push(new Scope('Event', this.handle_(() => this.eventVars(at)), false));
    scopes.push(new Scope('CPU', this.handle_(() => this.cpuVars(cpu)), false));
    const lists = this.handle_(() => this.pcpVars(cpu));
    this.pcpScopes.set(lists, cpu);
    scopes.push(new Scope('Per-CPU lists', lists, false));
    const zi = tl.zoneinfoAt();
    if (zi) scopes.push(new Scope(`Zoneinfo (${zi.label})`, this.handle_(() => this.zoneinfoVars(cpu)), false));
    scopes.push(new Scope('Locks', this.handle_(() => this.lockVars()), false));
    scopes.push(new Scope('Trace', this.handle_(() => this.traceVars()), false));
    return scopes;
  }

  private v(name: string, value: unknown, ref = 0, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
    return { name, value: value === null || value === undefined ? 'unknown' : String(value), variablesReference: ref, ...extra };
  }

  private eventVars(i: number): DebugProtocol.Variable[] {
    const ev = this.tl.event(i);
    const out = [this.v('name', ev.name), this.v('cpu', ev.cpu), this.v('task', `${ev.task}-${ev.pid}`), this.v('timestamp', ev.ts.toFixed(6)), this.v('line', ev.line)];
    for (const [k, val] of Object.entries(ev.fields)) out.push(this.v(k, k === 'pfn' && typeof val === 'number' ? `0x${val.toString(16)}` : val));
    if (ev.stack) out.push(this.v('stack', `${ev.stack.length} frames`, this.handle_(() => ev.stack!.map((f, k) => this.v(`[${k}]`, f)))));
    return out;
  }

  private cpuVars(cpu: number): DebugProtocol.Variable[] {
    const s = this.tl.cpuState(cpu);
    return [
      this.v('irqs_disabled', s.irqsOff), this.v('preempt_count', s.preempt), this.v('context', s.context),
      this.v('in_hardirq', s.context === 'hardirq'), this.v('task', s.task ? `${s.task}-${s.pid}` : null),
      this.v('interrupts', s.interrupts.length ? s.interrupts.join(' > ') : 'none'),
      this.v('waiting for', s.waitingFor.length ? s.waitingFor.join(', ') : 'nothing'),
      this.v('events', this.tl.eventsOnCpu(cpu)),
    ];
  }

  private pcpVars(cpu: number): DebugProtocol.Variable[] {
    const tl = this.tl;
    const started = tl.rec.state.started || !tl.rec.startLabel;
    return tl.pcp(cpu).map((p, zone) => this.v(`${p.zone}`, `count ${p.count}${started ? '' : ' (before the starting zoneinfo)'}, high ${p.high}, batch ${p.batch}`, this.pcpEntry(cpu, zone, () => [
      this.v('count', p.count), this.v('high', p.high), this.v('batch', p.batch),
      this.v('pages identified', p.knownPages), this.v('pages not identified', p.unidentified),
      ...p.lists.map(l => this.v(`lists[${l.pindex >= 0 ? l.pindex : '?'}]`, `order ${l.order} ${l.migratetype}: ${l.pfns.length} page(s)`,
        this.handle_((start = 0, count = l.pfns.length) => l.pfns.slice(start, start + count).map((pfn, k) => this.v(`[${start + k}]`, `pfn 0x${pfn.toString(16)}`))),
        { indexedVariables: l.pfns.length })),
    ])));
  }

  private zoneinfoVars(cpu: number): DebugProtocol.Variable[] {
    const zi = this.tl.zoneinfoAt();
    if (!zi) return [];
    return zi.pcp.filter(p => p.cpu === cpu).map(p => {
      const z = this.tl.rec.zones.findIndex(x => x.name === p.zone);
      const rebuilt = z >= 0 ? this.tl.rec.pcpView(cpu, z).count : null;
      const c = p.compared;
      const verdict = c ? (c.match ? `within the rebuilt ${c.windowMin}..${c.windowMax} between the markers` : `MISMATCH by ${c.off}: ${c.why ?? ''}`)
        : zi.notCompared ? `not compared: ${zi.notCompared}` : undefined;
      return this.v(p.zone, `count ${p.count}, high ${p.high}, batch ${p.batch} (rebuilt ${rebuilt ?? '?'})${c && !c.match ? ` MISMATCH by ${c.off}` : ''}`, this.handle_(() => [
        this.v('count', p.count), this.v('high', p.high), this.v('batch', p.batch), this.v('rebuilt count', rebuilt),
        ...(verdict ? [this.v('compared', verdict)] : []),
      ]));
    });
  }

  private lockVars(): DebugProtocol.Variable[] {
    const tl = this.tl;
    const w = tl.rec.waitingNow();
    if (!w.length) return [this.v('contended', 'none now')];
    return w.map(x => this.v(tl.lockName(x.addr), `CPU ${x.cpu} pid ${x.pid} waiting since event ${x.from + 1} (line ${tl.trace.store.line[x.from]})`));
  }

  private traceVars(): DebugProtocol.Variable[] {
    const t = this.tl.trace;
    return [
      this.v('file', t.file), this.v('format', t.format), this.v('events', t.store.length), this.v('position', this.tl.position + 1),
      this.v('warnings', t.warnings.length + t.moreWarnings),
      this.v('starting zoneinfo', this.tl.rec.startLabel ?? 'none'),
      ...this.tl.rec.snapshots.filter(s => !s.start).map(s => this.v(`snapshot ${s.label}`, s.notCompared ? `not compared: ${s.notCompared}` : `${s.matched}/${s.total} pcp counts match`)),
      ...(t.lost.length ? [this.v('lost events', t.lost.map(l => `CPU ${l.cpu}: ${l.events ?? 'some'} at line ${l.line}`).join('; '))] : []),
      ...(t.overwritten ? [this.v('overwritten events', `${t.overwritten} oldest, before the trace was read`)] : []),
    ];
  }

  private evaluate(expr: string, frameId?: number): DebugProtocol.EvaluateResponse['body'] {
    const tl = this.tl;
    const cpu = frameId !== undefined ? Math.floor(frameId / 100000) - 1 : tl.position >= 0 ? tl.trace.store.cpu[tl.position] : tl.cpus[0];
    // the model's Kernel C spelling (interfaces.md's `per_cpu_ptr(zone->per_cpu_pageset, 1)`,
    // `this_cpu_ptr(...)`) is `pcp[1]` / `pcp`; `DMA32->per_cpu_pageset` names the zone
    let e = expr.trim();
    const kc = /^(?:per_cpu_ptr\(\s*(\w+)\s*->\s*per_cpu_pageset\s*,\s*(\d+)\s*\)|this_cpu_ptr\(\s*(\w+)\s*->\s*per_cpu_pageset\s*\))(.*)$/.exec(e);
    if (kc) {
      const zone = kc[1] ?? kc[3], rest = kc[4].trim();
      const named = tl.rec.zones.some(z => z.name === zone);
      e = `${kc[2] !== undefined ? `pcp[${kc[2]}]` : 'pcp'}${named && !rest ? `.${zone}` : rest}`;
    }
    // `pcp` of the frame's CPU, or `pcp[2]` / `cpu 2 pcp` of another; `->count`, `->high`,
    // `->batch` for one field per zone; a zone's name (`DMA32`, `pcp[2].DMA32`) for that list
    const m = /^(?:(?:pcp\[(\d+)\]|cpu\s+(\d+)\s+pcp|pcp)(?:\s*(?:->|\.)\s*(\w+))?|([A-Za-z]\w*(?:\s\w+)*))$/.exec(e);
    if (m && (m[4] === undefined || tl.rec.zones.some(z => z.name === m[4]))) {
      const n = m[1] ?? m[2];
      const c = n !== undefined ? Number(n) : cpu;
      if (c >= tl.rec.ncpus) throw new TraceRequestError(3009, `lockstep: no CPU ${c} in this trace`);
      const views = tl.pcp(c);
      const field = m[3], zoneName = m[4] ?? (field && tl.rec.zones.some(z => z.name === field) ? field : undefined);
      if (zoneName !== undefined) {
        const zi = tl.rec.zones.findIndex(z => z.name === zoneName);
        const v = views[zi];
        return { result: `CPU ${c} ${zoneName}: count ${v.count}, high ${v.high}, batch ${v.batch}`, variablesReference: this.pcpEntry(c, zi, () => [
          this.v('count', v.count), this.v('high', v.high), this.v('batch', v.batch),
          this.v('pages identified', v.knownPages), this.v('pages not identified', v.unidentified)]) };
      }
      if (field === undefined) return { result: views.map(p => `${p.zone}: count ${p.count}`).join(', '), variablesReference: this.handle_(() => this.pcpVars(c)) };
      if (field === 'count' || field === 'high' || field === 'batch') return { result: views.map(p => `${p.zone}: ${p[field]}`).join(', '), variablesReference: 0 };
      throw new TraceRequestError(3009, `lockstep: pcp has count, high, batch and a list per zone (${tl.rec.zones.map(z => z.name).join(', ')}), not '${field}'`);
    }
    if (e === 'event' && tl.position >= 0) return { result: `${tl.event(tl.position).name}: ${tl.event(tl.position).text}`, variablesReference: this.handle_(() => this.eventVars(tl.position)) };
    if (tl.position >= 0) {
      const f = tl.event(tl.position).fields[e];
      if (f !== undefined) return { result: String(f), variablesReference: 0 };
    }
    throw new TraceRequestError(3009, `lockstep: in a replayed trace, evaluate 'pcp' (pcp->count, pcp[2], DMA32), 'event' or a field of the current event (${tl.position >= 0 ? Object.keys(tl.event(tl.position).fields).join(', ') : 'none yet'})`);
  }

  private timeline(): TimelineResponseBody {
    const tl = this.tl;
    const rec = tl.rec;
    return {
      cpus: tl.cpus.map(c => ({ id: c + 1, name: `CPU ${c}` })),
      steps: tl.length,
      current: tl.position + 1,
      intervals: [
        ...rec.lockIntervals.map(l => ({ cpu: l.cpu, kind: 'lock' as const, name: `contended ${l.name}`, from: l.from + 1, to: l.to + 1 })),
        ...rec.irqIntervals.map(q => ({ cpu: q.cpu, kind: 'irq' as const, name: q.name, from: q.from + 1, to: q.to + 1 })),
      ],
      findings: rec.snapshots.filter(s => !s.start && s.matched < s.total).map(s => ({
        step: s.endEvent + 1, cpu: tl.trace.store.cpu[s.endEvent] ?? 0, kind: 'snapshot-mismatch',
        message: `SNAPSHOT ${s.label}: ${s.total - s.matched} of ${s.total} pcp counts differ from zoneinfo`,
      })),
    };
  }
}

export { TraceRequestError };
