// The Lockstep debug adapter: maps the engine's debug runtime to the Debug Adapter
// Protocol. It runs inline in the extension host, as its own process over stdio
// (src/debugAdapter/main.ts) and inside tests. Every rule lives in the engine
// (src/engine/debug): this file only translates requests, stops and views.
import * as path from 'path';
import {
  Breakpoint, InitializedEvent, InvalidatedEvent, LoggingDebugSession, OutputEvent, ProgressEndEvent, ProgressStartEvent,
  ProgressUpdateEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, Event,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { formatDiagnostic, loadScenario, FINDING_KINDS, FINDING_KIND_IDS, CheckedProgram } from '../engine';
import {
  DebugRuntime, DebugStrategy, Stop, ViewNode, EVENT_FILTERS, threadsOf, threadById, threadOfContext, threadName, framesOf, cpuNodes, pcpNodes,
  zoneNodes, locksScope, findingNodes, validHitCondition, normFile, choiceText, LocalsProvider, evalLocals,
} from '../engine/debug';
import type { Finding } from '../engine';
import type { Context } from '../engine/debug';
import {
  TIMELINE_REQUEST, GOTO_REQUEST, DELIVER_INTERRUPT_REQUEST, SCHEDULE_REQUEST, ScheduleResponseBody, STEP_EVENT, TimelineResponseBody, GotoArguments,
  DeliverInterruptArguments, StepEventBody, TimelineArguments,
} from './protocol';
import { parseConfig } from './config';
import { TraceTarget, TraceRequestError } from './traceTarget';
import { argumentProblem, UNSUPPORTED } from './validate';

/** The attributes of a `lockstep` launch configuration (see package.json). */
export interface LockstepLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the `.lockstep` scenario. */
  scenario?: string;
  /** A kernel trace to replay instead of a scenario. */
  trace?: string;
  /** A schedule string to replay ("c0*12,i0,c1"). */
  schedule?: string;
  /** What `continue` does. */
  strategy?: DebugStrategy;
  seed?: number;
  /** Stop before the first step (default true). */
  stopOnEntry?: boolean;
  /** Replaces the scenario's model line. */
  model?: string;
  /** Config lines added after the scenario's: an object or lines of text. */
  config?: Record<string, boolean | number | string> | string | string[];
  maxSteps?: number;
}

/** Error ids of the responses this adapter sends (DAP `Message.id`). */
export const enum LockstepErrorId {
  NoScenario = 3001,
  ScenarioErrors = 3002,
  Internal = 3003,
  NotLaunched = 3004,
  UnknownThread = 3005,
  StaleReference = 3006,
  Running = 3007,
  BadArgument = 3008,
  Evaluate = 3009,
  Ended = 3010,
  Unsupported = 3011,
}

/** Requests still answered after terminate (they read, or end the connection). */
const AFTER_END = new Set(['disconnect', 'threads', 'stackTrace', 'scopes', 'variables', 'evaluate', 'exceptionInfo', 'lockstep/schedule', 'lockstep/timeline', 'terminate']);

class RequestError extends Error {
  constructor(readonly id: number, message: string) { super(message); }
}

type VarHandle = { node: ViewNode } | { scope: 'locals'; ctx: Context; frame: number } | { scope: 'nodes'; nodes: () => ViewNode[] };
interface FrameRef { ctx?: Context; index: number; cpu: number }

const SLICE_MS = 15;
const SLICE_CHOICES = 4000;

export class LockstepDebugSession extends LoggingDebugSession {
  private rt: DebugRuntime | undefined;
  private program: CheckedProgram | undefined;
  private launchArgs: LockstepLaunchArguments | undefined;
  private configured = false;
  private launched = false;
  private disposed = false;
  /** handles are valid until the next move: a reference from an older stop is stale */
  private vars = new Map<number, VarHandle>();
  private frames = new Map<number, FrameRef>();
  private nextHandle = 1;
  private named = new Map<string, ViewNode>();
  private lastStop: Stop | undefined;
  private progressId: string | undefined;
  private progressShown = false;
  supportsProgress = false;
  private supportsInvalidated = false;
  // breakpoint requests, kept to re-apply after a restart
  private lineArgs = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private fnArgs: DebugProtocol.SetFunctionBreakpointsArguments | undefined;
  private dataArgs: DebugProtocol.SetDataBreakpointsArguments | undefined;
  private filterArgs: string[] | undefined;
  /** set when the launch names a kernel trace: it answers the requests (traceTarget.ts) */
  private traceTarget: TraceTarget | undefined;
  /** evaluator hooks, filled when the engine's evaluator is present */
  locals: LocalsProvider = evalLocals;

  constructor() {
    super();
    // Our positions are 1-based like the engine's diagnostics.
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- every request: a thrown error becomes an error response; the session goes on ----
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const refuse = (id: number, text: string) => {
      const response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false } as DebugProtocol.Response;
      this.fail(response, id, text);
    };
    const problem = argumentProblem(request);
    if (problem) { refuse(LockstepErrorId.BadArgument, problem); return; }
    // after terminate nothing moves or changes any more; inspecting and disconnecting still work
    if (this.disposed && !AFTER_END.has(request.command)) {
      refuse(LockstepErrorId.Ended, `lockstep: the debug session has ended ('${request.command}' after terminate)`);
      return;
    }
    try {
      if (this.traceTarget?.handles(request.command)) this.traceTarget.dispatch(request);
      else if (UNSUPPORTED.has(request.command)) refuse(LockstepErrorId.Unsupported, `lockstep: the '${request.command}' request is not supported by this debugger`);
      else super.dispatchRequest(request);
    } catch (err) {
      const response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false } as DebugProtocol.Response;
      this.fail(response, LockstepErrorId.Internal, `lockstep: internal error in '${request.command}': ${describeError(err)}`);
    }
  }

  /** Runs a handler, turning thrown errors into error responses. */
  private guard(response: DebugProtocol.Response, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof RequestError) this.fail(response, err.id, err.message);
      else this.fail(response, LockstepErrorId.Internal, `lockstep: internal error: ${describeError(err)}`);
    }
  }

  private runtime(): DebugRuntime {
    if (!this.rt) throw new RequestError(LockstepErrorId.NotLaunched, 'lockstep: no scenario is being debugged yet (launch first)');
    return this.rt;
  }

  private stopped(): DebugRuntime {
    const rt = this.runtime();
    if (rt.isRunning) throw new RequestError(LockstepErrorId.Running, 'lockstep: the machine is running; pause it first');
    return rt;
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.supportsProgress ||= !!args.supportsProgressReporting;
    this.supportsInvalidated ||= !!args.supportsInvalidatedEvent;
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsGotoTargetsRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsExceptionInfoRequest: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsRestartRequest: true,
      supportsCancelRequest: true,
      supportsTerminateRequest: true,
      supportsSingleThreadExecutionRequests: true,
      supportsBreakpointLocationsRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsValueFormattingOptions: false,
      exceptionBreakpointFilters: [
        ...FINDING_KIND_IDS.map(k => ({ filter: k, label: k, description: FINDING_KINDS[k], default: true })),
        ...EVENT_FILTERS.map(f => ({ filter: f.id, label: f.label, description: f.description, default: false })),
      ],
    };
    this.sendResponse(response);
  }

  // ---- launch ----
  protected override launchRequest(response: DebugProtocol.LaunchResponse, launchArgs: LockstepLaunchArguments | undefined): void {
    this.guard(response, () => {
      const args: LockstepLaunchArguments = launchArgs && typeof launchArgs === 'object' ? launchArgs : {};
      if (this.launched) throw new RequestError(LockstepErrorId.BadArgument, 'lockstep: this session has already launched a scenario');
      if (typeof args.trace === 'string' && args.trace.trim() !== '' && !args.scenario) {
        try {
          this.traceTarget = TraceTarget.launch(this, args);
        } catch (e) {
          if (e instanceof TraceRequestError) throw new RequestError(e.id, e.message);
          throw e;
        }
        this.launched = true;
        this.traceTarget.launched(response);
        return;
      }
      const scenario = args.scenario;
      if (typeof scenario !== 'string' || scenario.trim() === '') {
        throw new RequestError(LockstepErrorId.NoScenario, 'lockstep: the launch configuration names no "scenario" file');
      }
      if (args.strategy !== undefined && !['explore', 'roundrobin', 'random'].includes(args.strategy)) {
        throw new RequestError(LockstepErrorId.BadArgument, `lockstep: unknown strategy '${String(args.strategy)}': expected explore, roundrobin or random`);
      }
      if (/\.kc$/i.test(scenario.trim())) {
        // F5 with "${file}" while a model is the active editor: say what to launch instead of
        // listing every line of C as an unknown scenario keyword
        throw new RequestError(LockstepErrorId.NoScenario, `lockstep: ${scenario} is a Kernel C model, not a scenario: debug a .lockstep scenario whose 'model' line names it (the scenario says which CPUs run what)`);
      }
      this.boot({ ...args, scenario: path.resolve(scenario) });
      this.launched = true;
      this.sendResponse(response);
      // breakpoints can be checked against the program now
      this.sendEvent(new InitializedEvent());
    });
  }

  /**
   * Loads the scenario and builds a runtime (launch and restart). Throws RequestError,
   * and then the session is as it was: same arguments, same runtime, same position.
   */
  private boot(args: LockstepLaunchArguments): void {
    const config = parseConfig(args.config);
    if (typeof config === 'string') throw new RequestError(LockstepErrorId.BadArgument, `lockstep: launch attribute "config": ${config}`);
    const result = loadScenario(args.scenario!, { model: args.model || undefined, config });
    const errors = result.diagnostics.filter(d => d.severity === 'error').map(formatDiagnostic);
    if (errors.length || !result.program) throw new RequestError(LockstepErrorId.ScenarioErrors, errors.join('\n') || `${args.scenario}: cannot load the scenario`);
    let rt: DebugRuntime;
    try {
      rt = new DebugRuntime(result.program, {
        strategy: args.strategy, seed: typeof args.seed === 'number' ? args.seed : undefined,
        schedule: typeof args.schedule === 'string' && args.schedule.trim() ? args.schedule : undefined,
        maxSteps: typeof args.maxSteps === 'number' && args.maxSteps > 0 ? args.maxSteps : undefined,
      });
    } catch (err) {
      const e = err as { column?: number; range?: { file: string; line: number; column: number } };
      if (e.range) throw new RequestError(LockstepErrorId.ScenarioErrors, `${e.range.file}:${e.range.line}:${e.range.column}: error: ${(err as Error).message}`);
      if (typeof e.column === 'number') throw new RequestError(LockstepErrorId.BadArgument, `lockstep: launch attribute "schedule":${e.column}: error: ${(err as Error).message}`);
      throw err;
    }
    rt.onLog = (bp, ctx) => this.log(bp.logMessage ?? '', ctx);
    rt.condition = (ctx, text) => {
      try {
        return this.locals.condition(rt.m, ctx, text);
      } catch (e) {
        // the breakpoint stops, and the console says why
        this.output(`lockstep: breakpoint condition '${text}': ${(e as Error).message}\n`, 'stderr');
        throw e;
      }
    };
    this.rt?.requestStop();
    this.program = result.program;
    this.launchArgs = args;
    this.rt = rt;
    this.reapplyBreakpoints();
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.guard(response, () => {
      const rt = this.runtime();
      this.configured = true;
      this.sendResponse(response);
      if (this.launchArgs?.stopOnEntry === false) {
        const s = rt.checkEntry();
        if (s) this.reportStop(s);
        else this.runContinue();
      } else {
        this.reportStop({ reason: 'entry', context: rt.m.contexts[0], description: 'before the first step' });
      }
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.halt();
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    const first = !this.disposed;
    this.halt();
    this.sendResponse(response);
    if (first) this.sendEvent(new TerminatedEvent());
  }

  /** The end of the session: a running continue stops where it is, and the state stays readable. */
  private halt(): void {
    const rt = this.rt;
    if (rt?.isRunning) { rt.requestStop(); rt.runSlice(1); }
    this.endProgress();
    this.disposed = true;
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.guard(response, () => {
      if (!this.launchArgs) throw new RequestError(LockstepErrorId.NotLaunched, 'lockstep: nothing to restart (launch first)');
      const newArgs = (args?.arguments as LockstepLaunchArguments | undefined);
      const next = newArgs && typeof newArgs.scenario === 'string' && newArgs.scenario.trim() ? { ...newArgs, scenario: path.resolve(newArgs.scenario) } : this.launchArgs;
      if (next.strategy !== undefined && !['explore', 'roundrobin', 'random'].includes(next.strategy)) {
        throw new RequestError(LockstepErrorId.BadArgument, `lockstep: unknown strategy '${String(next.strategy)}': expected explore, roundrobin or random`);
      }
      this.boot(next);
      this.endProgress();
      this.resetHandles();
      this.sendResponse(response);
      this.sendInvalidated();
      if (this.launchArgs.stopOnEntry === false) this.runContinue();
      else this.reportStop({ reason: 'entry', context: this.rt!.m.contexts[0], description: 'restarted: before the first step' });
    });
  }

  // ---- breakpoints ----
  private reapplyBreakpoints(): void {
    const rt = this.rt!;
    for (const a of this.lineArgs.values()) this.applyLines(rt, a);
    if (this.fnArgs) for (const b of rt.bps.setFunctions(this.fnArgs.breakpoints)) this.checkHitSpec(rt, b);
    if (this.filterArgs) rt.bps.setFilters(this.filterArgs);
    if (this.dataArgs) this.applyData(rt, this.dataArgs);
  }

  private applyLines(rt: DebugRuntime, args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.Breakpoint[] {
    const file = args.source.path!;
    const specs = (args.breakpoints ?? (args.lines ?? []).map(line => ({ line } as DebugProtocol.SourceBreakpoint))).map(b => ({
      line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage,
    }));
    const bps = rt.bps.setLines(file, specs);
    return bps.map(b => {
      this.checkHitSpec(rt, b);
      const out: DebugProtocol.Breakpoint = new Breakpoint(b.verified, this.convertDebuggerLineToClient(b.line), undefined, new Source(path.basename(file), file));
      out.id = b.id;
      if (b.message) out.message = b.message;
      return out;
    });
  }

  /**
   * A breakpoint whose condition or hit count cannot be read is unverified, and an
   * unverified breakpoint never stops: the editor shows it hollow with the reason, the
   * same answer as the run gives. (A condition that reads well but fails when evaluated,
   * a NULL dereference say, still stops, with the error in the console.)
   */
  private checkHitSpec(rt: DebugRuntime, b: { verified: boolean; message?: string; condition?: string; hitCondition?: string }): void {
    if (!b.verified) return;
    if (b.hitCondition && b.hitCondition.trim() && !validHitCondition(b.hitCondition)) {
      b.verified = false;
      b.message = `hit count '${b.hitCondition}' is not a number, optionally after ==, >, >=, <, <= or %`;
      return;
    }
    if (b.condition && b.condition.trim()) {
      const err = this.locals.checkCondition(rt.m, b.condition);
      if (err) { b.verified = false; b.message = err; }
    }
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      if (!args.source?.path) throw new RequestError(LockstepErrorId.BadArgument, 'lockstep: breakpoints need a source with a path');
      this.lineArgs.set(normFile(args.source.path), args);
      if (!this.rt) {
        // before launch: remembered, checked once the program is loaded
        response.body = { breakpoints: (args.breakpoints ?? []).map(b => ({ verified: false, line: b.line, message: 'checked when the scenario is launched' })) };
      } else response.body = { breakpoints: this.applyLines(this.rt, args) };
      this.sendResponse(response);
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.guard(response, () => {
      const rt = this.runtime();
      const lines = rt.bps.linesWithSteps(args.source.path ?? '');
      const from = this.convertClientLineToDebugger(args.line);
      const to = args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : from;
      const out: DebugProtocol.BreakpointLocation[] = [];
      for (let l = from; l <= to; l++) if (lines.has(l)) out.push({ line: this.convertDebuggerLineToClient(l) });
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      this.fnArgs = args;
      const rt = this.runtime();
      const bps = rt.bps.setFunctions(args.breakpoints ?? []);
      response.body = {
        breakpoints: bps.map(b => {
          this.checkHitSpec(rt, b);
          return { id: b.id, verified: b.verified, message: b.message };
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => {
      const known = new Set<string>([...FINDING_KIND_IDS, ...EVENT_FILTERS.map(f => f.id)]);
      const ids = [...(args.filters ?? []), ...(args.filterOptions ?? []).map(o => o.filterId)];
      this.filterArgs = ids.filter(i => known.has(i));
      this.rt?.bps.setFilters(this.filterArgs);
      response.body = { breakpoints: ids.map(i => ({ verified: known.has(i), message: known.has(i) ? undefined : `unknown filter '${i}'` })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      const rt = this.runtime();
      let node: ViewNode | undefined;
      let why = '';
      if (args.variablesReference !== undefined) {
        if (!this.vars.has(args.variablesReference)) why = ` (variables reference ${args.variablesReference} is stale: references are valid until the next step)`;
        else node = this.childNamed(args.variablesReference, args.name);
      } else if (args.name) {
        const r = this.locals.lvalue(rt.m, this.frameScope(args.frameId), args.name);
        if (typeof r !== 'string') node = { name: args.name, value: '', addr: r.addr, cells: r.cells, list: r.list };
        else why = `: ${r}`;
      }
      if (!node || node.addr === undefined) {
        response.body = { dataId: null, description: `${args.name} is not memory the machine can watch${why}` };
      } else {
        const label = node.expression ?? args.name;
        response.body = {
          dataId: `${node.addr}:${node.cells ?? 1}:${node.list ? 1 : 0}:${label}`,
          description: node.list ? `changes of the list ${label}` : `writes to ${label}`,
          accessTypes: ['write'],
          canPersist: false,
        };
      }
      this.sendResponse(response);
    });
  }

  private applyData(rt: DebugRuntime, args: DebugProtocol.SetDataBreakpointsArguments): DebugProtocol.Breakpoint[] {
    rt.bps.clearData();
    return args.breakpoints.map(b => {
      const m = /^(\d+):(\d+):([01]):(.*)$/s.exec(b.dataId);
      if (!m || Number(m[1]) >= rt.m.mem.length) return { verified: false, message: `unknown data id '${b.dataId}'` };
      const bp = rt.bps.addData({ addr: Number(m[1]), cells: Number(m[2]), list: m[3] === '1', label: m[4], accessType: b.accessType, condition: b.condition, hitCondition: b.hitCondition });
      this.checkHitSpec(rt, bp);
      return { id: bp.id, verified: bp.verified, message: bp.message };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      this.dataArgs = args;
      response.body = { breakpoints: this.applyData(this.runtime(), args) };
      this.sendResponse(response);
    });
  }

  // ---- threads and stacks ----
  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.guard(response, () => {
      response.body = { threads: this.rt ? threadsOf(this.rt.m).map(t => new Thread(t.id, t.name)) : [] };
      this.sendResponse(response);
    });
  }

  private thread(threadId: number) {
    const rt = this.stopped();
    const t = threadById(rt.m, threadId);
    if (!t) throw new RequestError(LockstepErrorId.UnknownThread, `lockstep: unknown thread id ${threadId} (threads are CPUs: 1..${rt.m.ncpus})`);
    return t;
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const t = this.thread(args.threadId);
      const all = framesOf(rt.m, t);
      const start = Math.max(0, args.startFrame ?? 0);
      const levels = args.levels && args.levels > 0 ? args.levels : all.length;
      const frames: DebugProtocol.StackFrame[] = all.slice(start, start + levels).map(f => {
        const id = this.nextHandle++;
        this.frames.set(id, { ctx: f.context, index: f.index, cpu: t.cpu });
        const sf: DebugProtocol.StackFrame = new StackFrame(id, f.name);
        if (f.label) { sf.presentationHint = 'label'; sf.line = 0; sf.column = 0; return sf; }
        if (f.source) {
          sf.source = new Source(path.basename(f.source.file), f.source.file);
          sf.line = this.convertDebuggerLineToClient(f.source.line);
          sf.column = this.convertDebuggerColumnToClient(f.source.column);
          sf.endLine = this.convertDebuggerLineToClient(f.source.endLine);
          sf.endColumn = this.convertDebuggerColumnToClient(f.source.endColumn);
        }
        return sf;
      });
      if (all.length === 0) {
        const id = this.nextHandle++;
        this.frames.set(id, { index: 0, cpu: t.cpu });
        const sf: DebugProtocol.StackFrame = new StackFrame(id, `<${t.context.status === 'idle' ? 'idle' : 'finished'}>`);
        sf.presentationHint = 'label'; sf.line = 0; sf.column = 0;
        frames.push(sf);
      }
      response.body = { stackFrames: frames, totalFrames: Math.max(1, all.length) };
      this.sendResponse(response);
    });
  }

  private frameRef(frameId: number | undefined): FrameRef {
    const f = frameId !== undefined ? this.frames.get(frameId) : undefined;
    if (!f) throw new RequestError(LockstepErrorId.StaleReference, `lockstep: unknown or stale frame id ${frameId} (frames are valid until the next step)`);
    return f;
  }

  /** The evaluation scope of a frame id; without one, the context that moved last. */
  private frameScope(frameId: number | undefined): { ctx?: Context; frame: number } {
    if (frameId === undefined) return { ctx: this.lastStop?.context ?? this.rt?.m.contexts[0], frame: 0 };
    const f = this.frameRef(frameId);
    return { ctx: f.ctx, frame: f.index };
  }

  // ---- scopes and variables ----
  private handle(h: VarHandle): number {
    const id = this.nextHandle++;
    this.vars.set(id, h);
    return id;
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const f = this.frameRef(args.frameId);
      const m = rt.m;
      const scopes: DebugProtocol.Scope[] = [];
      if (f.ctx) scopes.push(new Scope('Locals', this.handle({ scope: 'locals', ctx: f.ctx, frame: f.index }), false));
      const cpuScope = new Scope('CPU', this.handle({ scope: 'nodes', nodes: () => cpuNodes(m, f.cpu, f.ctx) }), false);
      const pcp: DebugProtocol.Scope = new Scope('Per-CPU lists', this.handle({ scope: 'nodes', nodes: () => pcpNodes(m, f.cpu) }), false);
      const zone = new Scope('Zone', this.handle({ scope: 'nodes', nodes: () => zoneNodes(m) }), false);
      const locks = new Scope('Locks', this.handle({ scope: 'nodes', nodes: () => locksScope(m) }), false);
      const findings: DebugProtocol.Scope = new Scope('Findings', this.handle({ scope: 'nodes', nodes: () => findingNodes(m) }), false);
      findings.namedVariables = m.findings.length;
      scopes.push(cpuScope, pcp, zone, locks, findings);
      response.body = { scopes };
      this.sendResponse(response);
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const h = this.vars.get(args.variablesReference);
      if (!h) throw new RequestError(LockstepErrorId.StaleReference, `lockstep: unknown or stale variables reference ${args.variablesReference} (references are valid until the next step)`);
      let nodes: ViewNode[];
      const start = Math.max(0, args.start ?? 0);
      if ('node' in h) {
        const n = h.node;
        if (!n.children) nodes = [];
        else if (n.indexed && args.filter === 'named') nodes = [];
        else nodes = n.children(start, args.count && args.count > 0 ? args.count : (n.count ?? 100000));
      } else if (h.scope === 'locals') {
        nodes = this.locals.frameLocals(rt.m, h.ctx, h.frame);
      } else {
        nodes = h.nodes();
      }
      response.body = { variables: nodes.map(n => this.toVariable(args.variablesReference, n)) };
      this.sendResponse(response);
    });
  }

  /** A child of a container by name: as last shown, else looked up (a client that did not list them). */
  private childNamed(ref: number, name: string): ViewNode | undefined {
    const shown = this.named.get(`${ref}\u0000${name}`);
    if (shown) return shown;
    const h = this.vars.get(ref);
    if (!h) return undefined;
    let kids: ViewNode[] = [];
    if ('node' in h) kids = h.node.children ? h.node.children(0, h.node.count ?? 100000) : [];
    else if (h.scope === 'nodes') kids = h.nodes();
    else kids = this.locals.frameLocals(this.rt!.m, h.ctx, h.frame);
    return kids.find(k => k.name === name);
  }

  private toVariable(container: number, n: ViewNode): DebugProtocol.Variable {
    this.named.set(`${container}\u0000${n.name}`, n);
    const v: DebugProtocol.Variable = { name: n.name, value: n.value, variablesReference: 0 };
    if (n.type) v.type = n.type;
    if (n.expression) v.evaluateName = n.expression;
    if (n.children && (n.count ?? 1) > 0) {
      v.variablesReference = this.handle({ node: n });
      if (n.indexed) v.indexedVariables = n.count; else v.namedVariables = n.count;
    }
    if (!n.editable) v.presentationHint = { attributes: ['readOnly'] };
    return v;
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      if (!this.vars.has(args.variablesReference)) throw new RequestError(LockstepErrorId.StaleReference, `lockstep: unknown or stale variables reference ${args.variablesReference}`);
      const n = this.childNamed(args.variablesReference, args.name);
      if (!n || n.addr === undefined || !n.editable) throw new RequestError(LockstepErrorId.BadArgument, `lockstep: '${args.name}' cannot be changed (only numeric fields can)`);
      const value = this.locals.numericValue(rt.m, this.frameScope(undefined), args.value);
      if (typeof value === 'string') throw new RequestError(LockstepErrorId.Evaluate, value);
      rt.edit(n.addr, value);
      response.body = { value: String(rt.m.mem[n.addr]) };
      this.sendResponse(response);
      this.output(`lockstep: ${n.expression ?? n.name} = ${rt.m.mem[n.addr]} at step ${rt.pos}; the recorded future after this step is discarded\n`, 'console');
      this.sendInvalidated(['variables']);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const text = args.expression.trim();
      if (args.context === 'repl' && text.startsWith(':')) { this.replCommand(response, rt, text); return; }
      const r = this.locals.evaluate(rt.m, this.frameScope(args.frameId), text);
      if (typeof r === 'string') throw new RequestError(LockstepErrorId.Evaluate, r);
      const v = this.toVariable(0, r);
      response.body = { result: v.value, type: v.type, variablesReference: v.variablesReference, indexedVariables: v.indexedVariables, namedVariables: v.namedVariables };
      this.sendResponse(response);
    });
  }

  /** Debug console commands: `:deliver CPU [IRQ]`, `:goto STEP`, `:schedule`, `:help`. */
  private replCommand(response: DebugProtocol.EvaluateResponse, rt: DebugRuntime, text: string): void {
    const [cmd, ...rest] = text.slice(1).split(/\s+/);
    const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
    switch (cmd) {
      case 'deliver': {
        const cpu = num(rest[0]);
        if (cpu === undefined) throw new RequestError(LockstepErrorId.BadArgument, 'usage: :deliver CPU [IRQ]');
        const s = rt.deliver(cpu, num(rest[1]) ?? 0);
        if (s.text && !s.context) throw new RequestError(LockstepErrorId.BadArgument, s.text);
        if (s.reason === 'interrupt' && s.text) throw new RequestError(LockstepErrorId.BadArgument, s.text);
        response.body = { result: `interrupt delivered on CPU ${cpu} (step ${rt.pos})`, variablesReference: 0 };
        this.sendResponse(response);
        this.reportStop(s);
        return;
      }
      case 'goto': {
        const step = num(rest[0]);
        if (step === undefined) throw new RequestError(LockstepErrorId.BadArgument, 'usage: :goto STEP');
        this.timeTravel(() => { rt.goto(step); return { reason: 'goto', context: rt.lastMover(), description: `step ${rt.pos}` }; });
        response.body = { result: `at step ${rt.pos} of ${rt.length}`, variablesReference: 0 };
        this.sendResponse(response);
        return;
      }
      case 'schedule':
        response.body = { result: rt.schedule() || '(no step yet)', variablesReference: 0 };
        this.sendResponse(response);
        return;
      default:
        response.body = { result: 'commands: :deliver CPU [IRQ] (an interrupt arrives now), :goto STEP, :schedule (the run so far); anything else is a Kernel C expression', variablesReference: 0 };
        this.sendResponse(response);
    }
  }

  // ---- moving ----
  private cpuOfThread(threadId: number): number {
    return this.thread(threadId).cpu;
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'over');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'in');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'out');
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, mode: 'in' | 'over' | 'out'): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const t = this.thread(threadId);
      const cpu = t.cpu;
      const now = rt.m.current(rt.m.cpus[cpu]);
      if (rt.m.rt && now !== t.context) {
        // PREEMPT_RT: a CPU's task and its threaded handlers are threads of their own;
        // stepping one that cannot run must not move the other (singleThread)
        const st = t.context.status;
        const why = st === 'idle' ? 'its interrupt has not arrived (Deliver interrupt here, or :deliver ' + cpu + ' in the debug console)'
          : st === 'done' || st === 'dead' ? 'it has finished'
          : st === 'blocked' ? 'it sleeps on a lock'
          : now ? `CPU ${cpu} runs ${now.kind === 'task' ? 'its task' : now.name} first`
          : `CPU ${cpu} has nothing to run`;
        this.sendResponse(response);
        this.output(`lockstep: ${threadName(rt.m, t.context).split(' — ')[0]} cannot run now: ${why}\n`, 'console');
        this.reportStop({ reason: 'step', context: t.context, description: `cannot run now: ${why}`, text: 'not runnable' }, threadId);
        return;
      }
      this.sendResponse(response);
      const s = rt.step(cpu, mode);
      if (s.text) this.output(`lockstep: ${s.description}\n`, 'console');
      this.reportStop(s, threadId);
    });
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    this.guard(response, () => {
      this.stopped();
      if (args.threadId !== undefined && args.threadId !== 0 && !threadById(this.rt!.m, args.threadId)) {
        throw new RequestError(LockstepErrorId.UnknownThread, `lockstep: unknown thread id ${args.threadId}`);
      }
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.runContinue();
    });
  }

  /** Runs the strategy in slices so pause, cancel and disconnect are served meanwhile. */
  private runContinue(): void {
    const rt = this.rt!;
    rt.startContinue();
    this.resetHandles();
    const started = Date.now();
    this.progressId = `lockstep-continue-${started}`;
    this.progressShown = false;
    const tick = () => {
      if (this.disposed || this.rt !== rt) return;
      const until = Date.now() + SLICE_MS;
      let s: Stop | undefined;
      try {
        do { s = rt.runSlice(SLICE_CHOICES); } while (!s && Date.now() < until);
      } catch (err) {
        rt.requestStop();
        s = rt.runSlice(1) ?? { reason: 'pause', description: 'stopped' };
        this.output(`lockstep: internal error while running: ${describeError(err)}\n`, 'stderr');
      }
      if (s) { this.endProgress(); this.reportStop(s); return; }
      // progress for runs longer than a second
      const p = rt.progress();
      if (p && this.supportsProgress && Date.now() - started > 1000) {
        if (!this.progressShown) {
          this.progressShown = true;
          const e = new ProgressStartEvent(this.progressId!, rt.strategy === 'explore' ? 'Lockstep: exploring schedules' : 'Lockstep: running', p.message) as DebugProtocol.ProgressStartEvent;
          e.body.cancellable = true;
          e.body.requestId = undefined;
          this.sendEvent(e);
        } else this.sendEvent(new ProgressUpdateEvent(this.progressId!, p.message));
      }
      setImmediate(tick);
    };
    setImmediate(tick);
  }

  private endProgress(): void {
    if (this.progressShown && this.progressId) this.sendEvent(new ProgressEndEvent(this.progressId));
    this.progressShown = false;
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => {
      const rt = this.runtime();
      this.sendResponse(response);
      if (rt.isRunning) rt.requestStop();
      else this.reportStop({ reason: 'pause', context: rt.lastMover(), description: 'paused' });
    });
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    if (this.rt?.isRunning && (args.progressId === undefined || args.progressId === this.progressId)) this.rt.requestStop();
    this.sendResponse(response);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const cpu = this.cpuOfThread(args.threadId);
      this.sendResponse(response);
      // the thread's own previous move (a PREEMPT_RT handler thread shares its CPU with the task)
      this.timeTravel(() => rt.stepBack(cpu, { id: args.threadId, of: ctx => threadOfContext(rt.m, ctx) }), args.threadId);
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      if (args.threadId !== undefined && !threadById(rt.m, args.threadId)) throw new RequestError(LockstepErrorId.UnknownThread, `lockstep: unknown thread id ${args.threadId}`);
      this.sendResponse(response);
      this.timeTravel(() => rt.reverseContinue());
    });
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const file = normFile(args.source.path ?? '');
      const line = this.convertClientLineToDebugger(args.line);
      const ps = rt.positionsAtLine(f => normFile(f) === file, line, 200);
      response.body = {
        targets: ps.map(p => ({ id: p, label: p === 0 ? 'step 0 (before the first step)' : `step ${p} (${choiceText(rt.choiceAt(p - 1))})`, line: args.line })),
      };
      this.sendResponse(response);
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      if (!Number.isInteger(args.targetId) || args.targetId < 0 || args.targetId > rt.length) throw new RequestError(LockstepErrorId.BadArgument, `lockstep: unknown goto target ${args.targetId}`);
      this.sendResponse(response);
      this.timeTravel(() => { rt.goto(args.targetId); return { reason: 'goto', context: rt.lastMover(), description: `step ${rt.pos}` }; });
    });
  }

  private timeTravel(move: () => Stop, threadId?: number): void {
    const s = move();
    this.sendInvalidated();
    this.reportStop(s, threadId);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    this.guard(response, () => {
      this.thread(args.threadId);
      const s = this.lastStop;
      if (!s || s.reason !== 'exception') throw new RequestError(LockstepErrorId.BadArgument, 'lockstep: the debugger did not stop on a finding or event');
      const f = s.finding;
      if (f) {
        response.body = {
          exceptionId: f.kind, description: f.message, breakMode: 'always',
          details: { message: f.message, typeName: f.kind, stackTrace: formatStacks(f), evaluateName: undefined, fullTypeName: `lockstep finding ${f.kind}` },
        };
      } else {
        const e = s.event;
        response.body = { exceptionId: e?.kind ?? 'event', description: s.description, breakMode: 'always', details: { message: s.description, typeName: e?.kind } };
      }
      this.sendResponse(response);
    });
  }

  // ---- custom requests (protocol.ts) ----
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      switch (command) {
        case TIMELINE_REQUEST: {
          const rt = this.runtime();
          const a = (args ?? {}) as TimelineArguments;
          const v = rt.timeline.view(a.from ?? 0, a.to ?? Infinity);
          const body: TimelineResponseBody = {
            cpus: rt.m.cpus.map(c => ({ id: c.task.id + 1, name: `CPU ${c.id}` })),
            steps: rt.length, current: rt.pos, intervals: v.intervals, findings: v.findings,
          };
          response.body = body;
          this.sendResponse(response);
          return;
        }
        case GOTO_REQUEST: {
          const rt = this.stopped();
          const step = (args as GotoArguments | undefined)?.step;
          if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > rt.length) throw new RequestError(LockstepErrorId.BadArgument, `lockstep/goto: step must be an integer in 0..${rt.length}`);
          this.sendResponse(response);
          this.timeTravel(() => { rt.goto(step); return { reason: 'goto', context: rt.lastMover(), description: `step ${rt.pos}` }; });
          return;
        }
        case SCHEDULE_REQUEST: {
          const rt = this.runtime();
          const a = this.launchArgs!;
          const config = parseConfig(a.config);   // checked at launch: an object of settings
          const body: ScheduleResponseBody = {
            scenario: a.scenario!, current: rt.schedule(), recorded: rt.recordedSchedule(), step: rt.pos, steps: rt.length,
            overridden: !!a.model || (typeof config === 'object' && Object.keys(config).length > 0),
          };
          response.body = body;
          this.sendResponse(response);
          return;
        }
        case DELIVER_INTERRUPT_REQUEST: {
          const rt = this.stopped();
          const a = (args ?? {}) as DeliverInterruptArguments;
          if (typeof a.cpu !== 'number' || !Number.isInteger(a.cpu)) throw new RequestError(LockstepErrorId.BadArgument, 'lockstep/deliverInterrupt: "cpu" must be a CPU number');
          const s = rt.deliver(a.cpu, a.irq ?? 0);
          if (s.reason === 'interrupt' && s.text) throw new RequestError(LockstepErrorId.BadArgument, `lockstep/deliverInterrupt: ${s.text}`);
          response.body = { step: rt.pos };
          this.sendResponse(response);
          this.reportStop(s);
          return;
        }
        default:
          throw new RequestError(LockstepErrorId.BadArgument, `lockstep: unknown request '${command}'`);
      }
    });
  }

  // ---- stops and events ----
  private resetHandles(): void {
    this.vars.clear();
    this.frames.clear();
    this.named.clear();
  }

  private reportStop(s: Stop, preferThread?: number): void {
    if (this.disposed || !this.rt) return;
    const rt = this.rt;
    this.resetHandles();
    this.lastStop = s;
    const threadId = s.context ? threadOfContext(rt.m, s.context) : preferThread ?? 1;
    const reason = s.reason === 'end' ? 'step' : s.reason;
    const e = new StoppedEvent(reason, threadId, s.reason === 'exception' ? s.text : undefined) as DebugProtocol.StoppedEvent;
    e.body.allThreadsStopped = true;
    e.body.description = s.reason === 'end' ? `Run ended: ${s.description}` : s.description;
    if (s.ids?.length) e.body.hitBreakpointIds = s.ids;
    if (s.reason === 'end') this.output(`lockstep: ${s.description} (step ${rt.pos})\n`, 'console');
    this.sendEvent(new Event(STEP_EVENT, { step: rt.pos } satisfies StepEventBody));
    this.sendEvent(e);
  }

  private sendInvalidated(areas: DebugProtocol.InvalidatedAreas[] = ['all']): void {
    if (this.supportsInvalidated) this.sendEvent(new InvalidatedEvent(areas));
  }

  private log(message: string, ctx: Context): void {
    const rt = this.rt!;
    const text = message.replace(/\{([^{}]+)\}/g, (_m, expr: string) => {
      const r = this.locals.evaluate(rt.m, { ctx, frame: 0 }, expr);
      return typeof r === 'string' ? `<${r}>` : r.value;
    });
    this.output(`${text}\n`, 'console');
  }

  private output(text: string, category: string): void {
    if (!this.disposed) this.sendEvent(new OutputEvent(text, category));
  }

  /**
   * Sends an error response whose message is `text` verbatim. The base class
   * treats `{name}` in a message as a placeholder; an empty variable map keeps
   * braces in diagnostics (C code!) from being substituted or tripping it up.
   */
  private fail(response: DebugProtocol.Response, id: number, text: string): void {
    // A stale frame or variables reference is a race the client makes, not the user's
    // mistake: VS Code asks for the scopes of the frame it had selected before a stop
    // (seen after stepBack in code-server). Answer with the error, but not as a popup.
    const showUser = id !== LockstepErrorId.StaleReference;
    this.sendErrorResponse(response, { id, format: text, variables: {}, showUser });
  }
}

function formatStacks(f: Finding): string {
  return f.stacks.map(s => `CPU ${s.cpu} ${s.context}:\n${s.frames.map(fr => `  at ${fr.function} (${fr.file}:${fr.line}:${fr.column})`).join('\n')}`).join('\n');
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}
