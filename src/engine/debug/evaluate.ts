// Kernel C expressions over a machine state, for the debugger: watch, hover, the debug
// console, breakpoint conditions and logpoints, setVariable. The text goes through the
// engine's own lexer, preprocessor (the model's macros), parser and checker, with the
// selected frame's parameters and locals innermost; then a small evaluator reads the
// machine's memory without touching it (no race-detector reads, no events). Anything
// that would change the machine is refused before evaluation starts.
import * as path from 'path';
import * as A from '../lang/ast';
import type { CheckedProgram } from '../lang/load';
import { DiagnosticBag } from '../lang/diagnostics';
import { lex, Token } from '../lang/lexer';
import { Preprocessor } from '../lang/preprocess';
import { Parser } from '../lang/parser';
import { Checker } from '../lang/checker';
import { Type, StructType, Symbol, T, isInt, isPtr, isStruct, arith, typeName } from '../lang/types';
import type { Machine } from '../sim/machine';
import type { Context, Frame } from '../sim/state';
import type { LocalVar, CompiledFn } from '../sim/ops';
import { W, wrap } from '../sim/ops';
import { widthOf } from '../sim/compile';
import { cellsOf, fieldOffset } from '../sim/layout';
import { PG_BUDDY } from '../sim/prims';
import { TypedValue, NamedValue, makeValue, validAddr, hex, setConstEvaluator } from './values';
import { enumInfo, declEnumTag } from './enums';

export { childrenOf, childCount } from './values';
export type { TypedValue, NamedValue } from './values';

export interface EvalScope {
  machine: Machine;
  /** the context whose frame is selected; absent: globals, zones and CPU 0 only */
  context?: Context;
  /** 0 = innermost */
  frame?: number;
}

export class EvalError extends Error {
  /** 1-based column in the expression text */
  constructor(message: string, readonly column: number) {
    super(message);
    this.name = 'EvalError';
  }
}

const FILE = '<expression>';
const MAX_TEXT = 4096;
const SIDE_EFFECTS = 'side effects are not allowed in watch expressions';

/** Builtins that only read the machine: allowed in watch expressions and conditions. */
const PURE = new Set([
  'per_cpu_ptr', 'per_cpu', 'this_cpu_ptr', 'raw_cpu_ptr', 'this_cpu_read', 'smp_processor_id', 'raw_smp_processor_id',
  'num_online_cpus', 'cpu_online', 'page_to_pfn', 'pfn_to_page', 'pfn_valid', 'page_zone', 'PageBuddy', 'buddy_order',
  'page_private', 'get_pageblock_migratetype', 'zone_managed_pages', 'zone_page_state', 'list_empty', 'list_is_singular',
  'list_entry', 'list_first_entry', 'list_last_entry', 'list_first_entry_or_null', 'list_next_entry', 'list_prev_entry',
  'container_of', 'READ_ONCE', 'data_race', 'likely', 'unlikely', 'min', 'max', 'min_t', 'max_t', 'clamp', 'abs',
  'rounddown_pow_of_two', 'roundup_pow_of_two', 'ilog2', 'DIV_ROUND_UP', 'ARRAY_SIZE', 'BIT', 'irqs_disabled',
  'preempt_count', 'in_interrupt', 'in_hardirq', 'in_task', 'spin_is_locked',
]);

// ---- the selected frame ----------------------------------------------------------------

interface Where {
  m: Machine;
  program: CheckedProgram;
  ctx?: Context;
  frame?: Frame;
  cpu: number;
  visible: LocalVar[];
  key: string;
}

function resolve(scope: EvalScope): Where {
  const m = scope?.machine;
  if (!m || !m.program) throw new EvalError('no machine to evaluate in', 1);
  const ctx = scope.context;
  if (!ctx) return { m, program: m.program, cpu: 0, visible: [], key: '-' };
  const n = Number(scope.frame ?? 0);
  if (!Number.isInteger(n) || n < 0 || (ctx.frames.length > 0 && n >= ctx.frames.length)) {
    throw new EvalError(`no frame ${scope.frame} in CPU ${ctx.cpu} ${ctx.label} (it has ${ctx.frames.length})`, 1);
  }
  const f = ctx.frames[ctx.frames.length - 1 - n];
  if (!f) return { m, program: m.program, ctx, cpu: ctx.cpu, visible: [], key: '-' };
  // a caller's pc is past its CALL: the call itself is where it stands
  const pc = n === 0 ? f.pc : Math.max(0, f.pc - 1);
  const { visible, key } = visibleAt(f.fn, pc);
  return { m, program: m.program, ctx, frame: f, cpu: ctx.cpu, visible, key };
}

/** The locals in scope at pc, an inner declaration hiding an outer one of the same name. */
function visibleAt(fn: CompiledFn, pc: number): { visible: LocalVar[]; key: string } {
  const all = fn.locals ?? [];
  const byName = new Map<string, LocalVar>();
  for (const v of all) {
    if (pc < v.from || pc >= v.to) continue;
    const old = byName.get(v.name);
    if (!old || v.depth > old.depth || (v.depth === old.depth && v.from >= old.from)) byName.set(v.name, v);
  }
  const visible = all.filter(v => byName.get(v.name) === v);
  return { visible, key: `${fn.index}:${visible.map(v => all.indexOf(v)).join(',')}` };
}

/** Where a breakpoint at file:line evaluates its condition; without one, every local of the program. */
function whereAt(m: Machine, at: { file: string; line: number } | undefined): Where {
  const base = { m, program: m.program, cpu: 0 };
  if (at && typeof at.file === 'string') {
    const file = path.resolve(at.file);
    for (const fn of m.code.fns) {
      for (let pc = 0; pc < fn.code.length; pc++) {
        const r = m.code.locs[fn.code[pc].loc];
        if (r && r.line === at.line && (r.file === at.file || path.resolve(r.file) === file)) return { ...base, ...visibleAt(fn, pc) };
      }
    }
  }
  const seen = new Map<string, LocalVar>();
  for (const fn of m.code.fns) for (const v of fn.locals ?? []) if (!seen.has(v.name)) seen.set(v.name, v);
  return { ...base, visible: [...seen.values()], key: '*' };
}

// ---- parsing and checking, cached per program, frame shape and text ---------------------

type Parsed = { ast: A.Expr } | { error: EvalError };
const parseCache = new WeakMap<CheckedProgram, Map<string, Parsed>>();
const CACHE_LIMIT = 2000;

function firstError(diags: DiagnosticBag): EvalError | undefined {
  const d = diags.items.find(x => x.severity === 'error');
  // the text is one line: its end is the end of the expression, not of a file
  return d ? new EvalError(d.message.replace(/end of file|<end of file>/g, 'the end of the expression'), d.file === FILE && d.line === 1 ? d.column : 1) : undefined;
}

function parse(w: Where, text: string): A.Expr {
  if (typeof text !== 'string') throw new EvalError('the expression must be text', 1);
  let cache = parseCache.get(w.program);
  if (!cache) { cache = new Map(); parseCache.set(w.program, cache); }
  const key = `${w.key}\u0000${text}`;
  let p = cache.get(key);
  if (!p) {
    try {
      p = { ast: parseUncached(w, text) };
    } catch (e) {
      p = { error: e instanceof EvalError ? e : new EvalError(`cannot evaluate: ${(e as Error)?.message ?? e}`, 1) };
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, p);
  }
  if ('error' in p) throw p.error;
  return p.ast;
}

function parseUncached(w: Where, text: string): A.Expr {
  if (text.length > MAX_TEXT) throw new EvalError(`expression too long (${text.length} characters; at most ${MAX_TEXT})`, 1);
  // one line: a column is then a position in the text
  const flat = text.replace(/[\r\n\u2028\u2029]/g, ' ');
  if (!flat.trim()) throw new EvalError('empty expression', 1);
  const diags = new DiagnosticBag();
  let toks: Token[] = lex(FILE, flat, diags);
  let err = firstError(diags);
  if (err) throw err;
  const eof = toks[toks.length - 1];
  const src = w.program.preprocessor;
  if (src) {
    const pp = new Preprocessor({ readFile: () => undefined }, diags, new Map());
    for (const [k, v] of src.macros) pp.macros.set(k, v);
    toks = pp.expand(toks.filter(t => t.kind !== 'eof'));
    toks.push(eof);
    err = firstError(diags);
    if (err) throw err;
  }
  const parser = new Parser(toks, diags, new Set(w.program.model.typedefs.keys()));
  const e = parser.parseLoneExpression();
  err = firstError(diags);
  if (err) throw err;
  if (!e) throw new EvalError('syntax error', 1);
  const locals = new Map<string, Symbol>();
  for (const v of w.visible) locals.set(v.name, { kind: 'local', name: v.name, type: v.type, slot: v.offset, decl: v.decl as A.VarDecl });
  const zones = new Map(w.program.zoneSymbols);
  // a scenario with one zone: `zone` names it where no local does
  if (zones.size === 1 && !zones.has('zone') && !w.program.model.scope.has('zone')) zones.set('zone', [...zones.values()][0]);
  const checker = Checker.forModel(w.program.model, diags);
  checker.checkExpression(e, locals, zones);
  err = firstError(diags);
  if (err) throw err;
  noSideEffects(e, flat);
  return e;
}

function col(e: { range: { file: string; line: number; column: number } }): number {
  return e.range.file === FILE && e.range.line === 1 ? e.range.column : 1;
}

/** Refuses assignments, ++/--, model-function calls and builtins that change the machine. */
function noSideEffects(e: A.Expr, text: string): void {
  /** the column of an operator written after `after` (the operand before it) */
  const opCol = (after: A.NodeBase, op: string, fallback: A.NodeBase): number => {
    if (after.range.file !== FILE || after.range.line !== 1) return col(fallback);
    const i = text.indexOf(op, after.range.endColumn - 1);
    return i >= 0 ? i + 1 : col(fallback);
  };
  const walk = (x: A.Expr | A.Arg): void => {
    switch (x.kind) {
      case 'Assign': throw new EvalError(`${SIDE_EFFECTS} (assignment '${x.op}')`, opCol(x.target, x.op, x));
      case 'Unary':
        if (x.op === '++' || x.op === '--') throw new EvalError(`${SIDE_EFFECTS} ('${x.op}')`, col(x));
        return walk(x.operand);
      case 'Postfix': throw new EvalError(`${SIDE_EFFECTS} ('${x.op}')`, opCol(x.operand, x.op, x));
      case 'Call': {
        const s = x.callee.sym;
        if (s?.kind === 'function') throw new EvalError(`${SIDE_EFFECTS} (a call to the model function '${x.callee.name}')`, col(x));
        if (s?.kind !== 'builtin' || !PURE.has(s.name)) throw new EvalError(`${SIDE_EFFECTS} ('${x.callee.name}' changes the machine)`, col(x));
        for (const a of x.args) walk(a);
        return;
      }
      case 'Binary': case 'Comma': walk(x.left); walk(x.right); return;
      case 'Ternary': walk(x.cond); walk(x.then); walk(x.else); return;
      case 'Member': walk(x.object); return;
      case 'Index': walk(x.object); walk(x.index); return;
      case 'Cast': walk(x.operand); return;
      case 'SizeOf': if (x.of.kind !== 'TypeSpec') walk(x.of); return;
      default: return;
    }
  };
  walk(e);
}

// ---- evaluation --------------------------------------------------------------------------

/** A value while evaluating: scalars in v; structs and arrays by address (v = addr). */
interface V { t: Type; v: number; addr?: number; enumTag?: string; name?: string; owner?: StructType }

class Evaluator {
  constructor(private readonly w: Where, private readonly text: string) {}

  private get m(): Machine { return this.w.m; }

  private src(e: A.NodeBase): string {
    const r = e.range;
    if (r.file !== FILE || r.line !== 1 || r.endLine !== 1) return 'the expression';
    return this.text.slice(r.column - 1, r.endColumn - 1).trim() || 'the expression';
  }

  private read(addr: number, at: A.NodeBase): number {
    if (!validAddr(this.m, addr)) throw this.badAddr(addr, at);
    return this.m.mem[addr];
  }

  private badAddr(addr: number, at: A.NodeBase): EvalError {
    if (Number.isFinite(addr) && addr >= 0 && addr < 64) return new EvalError(`NULL pointer dereference: '${this.src(at)}' is ${addr === 0 ? 'NULL' : `${hex(addr)}, next to NULL`}`, col(at));
    return new EvalError(`cannot access memory at address ${hex(addr)} ('${this.src(at)}')`, col(at));
  }

  /** A pointer about to be dereferenced for an object of `cells` cells. */
  private deref(p: number, cells: number, at: A.NodeBase): number {
    if (!validAddr(this.m, p) || !validAddr(this.m, p + Math.max(1, cells) - 1)) throw this.badAddr(p, at);
    return p;
  }

  private load(t: Type, addr: number, at: A.NodeBase, extra: Partial<V> = {}): V {
    if (t.kind === 'array' || t.kind === 'struct') return { t, v: addr, addr, ...extra };
    const raw = this.read(addr, at);
    return { t, v: t.kind === 'int' ? wrap(raw, widthOf(t)) : raw, addr, ...extra };
  }

  private isPercpuLvalue(e: A.Expr): boolean {
    if (e.kind === 'Ident') return e.sym?.kind === 'percpu';
    if (e.kind === 'Member' && !e.arrow) return this.isPercpuLvalue(e.object);
    if (e.kind === 'Index' && e.object.type?.kind === 'array') return this.isPercpuLvalue(e.object);
    return false;
  }

  private cpuArg(v: number, at: A.NodeBase): number {
    if (!Number.isInteger(v) || v < 0 || v >= this.m.ncpus) {
      throw new EvalError(`CPU ${v} does not exist: the scenario has ${this.m.ncpus} CPU(s) (0..${this.m.ncpus - 1})`, col(at));
    }
    return v;
  }

  /** The address of an lvalue; `raw`: a DEFINE_PER_CPU variable's CPU-0 (per-CPU pointer) address. */
  addr(e: A.Expr, raw = false): number {
    switch (e.kind) {
      case 'Ident': {
        const s = e.sym;
        if (s?.kind === 'local') {
          const f = this.w.frame;
          if (!f) throw new EvalError(`'${e.name}' is not in scope`, col(e));
          return f.base + s.slot;
        }
        if (s?.kind === 'global') return this.m.layout.globals[s.index];
        if (s?.kind === 'percpu') return this.m.layout.percpuVars[s.index] + (raw ? 0 : this.w.cpu * this.m.percpuStride);
        break;
      }
      case 'Member': {
        const off = e.field ? fieldOffset(e.field) : 0;
        const cells = e.type ? cellsOf(e.type) : 1;
        if (e.arrow) {
          const p = this.eval(e.object).v;
          return this.deref(p, off + cells, e.object) + off;
        }
        const base = this.isPercpuLvalue(e.object) ? this.addr(e.object, raw) : this.eval(e.object).addr;
        if (base === undefined) break;
        return base + off;
      }
      case 'Index': {
        const ot = e.object.type;
        const i = this.eval(e.index).v;
        if (ot?.kind === 'array') {
          if (!Number.isInteger(i) || i < 0 || i >= ot.length) {
            throw new EvalError(`index ${i} is out of bounds for '${this.src(e.object)}' of type '${typeName(ot)}' (0..${ot.length - 1})`, col(e.index));
          }
          const base = this.isPercpuLvalue(e.object) ? this.addr(e.object, raw) : this.eval(e.object).v;
          return base + i * cellsOf(ot.of);
        }
        if (ot?.kind === 'ptr') {
          const stride = cellsOf(ot.to);
          const p = this.eval(e.object).v;
          if (p === 0) throw this.badAddr(0, e.object);
          return this.deref(p + i * stride, stride, e);
        }
        break;
      }
      case 'Unary':
        if (e.op === '*') {
          const p = this.eval(e.operand).v;
          return this.deref(p, e.type ? cellsOf(e.type) : 1, e.operand);
        }
        break;
      case 'Call': {
        const b = e.callee.sym?.kind === 'builtin' ? e.callee.sym.name : '';
        if (b === 'READ_ONCE' || b === 'data_race' || b === 'likely' || b === 'unlikely') return this.addr(e.args[0] as A.Expr, raw);
        if (b === 'per_cpu' || b === 'this_cpu_read') {
          const a = e.args[0] as A.Expr;
          const base = this.percpuRaw(a);
          const cpu = b === 'per_cpu' ? this.cpuArg(this.eval(e.args[1] as A.Expr).v, e.args[1]) : this.w.cpu;
          return base + cpu * this.m.percpuStride;
        }
        break;
      }
    }
    throw new EvalError(`'${this.src(e)}' is not an lvalue`, col(e));
  }

  private percpuRaw(a: A.Expr): number {
    if (this.isPercpuLvalue(a)) return this.addr(a, true);
    if (a.kind === 'Unary' && a.op === '&' && this.isPercpuLvalue(a.operand)) return this.addr(a.operand, true);
    return this.eval(a).v;
  }

  eval(e: A.Expr): V {
    const t = e.type ?? T.int;
    switch (e.kind) {
      case 'Number': return { t, v: e.value };
      case 'String': throw new EvalError('string literals are not supported in watch expressions', col(e));
      case 'SizeOf': return { t, v: e.value ?? 0 };
      case 'Ident': {
        const s = e.sym;
        if (!s) throw new EvalError(`use of undeclared identifier '${e.name}'`, col(e));
        switch (s.kind) {
          case 'enumConst': return { t, v: s.value, enumTag: enumInfo(this.w.program).constTag.get(s.name), name: e.name };
          case 'zone': return { t, v: this.m.layout.zones[s.index], name: e.name };
          case 'local': case 'global': case 'percpu': {
            const a = this.addr(e);
            const tag = s.kind === 'percpu' ? declEnumTag(s.decl.type) : declEnumTag((s.decl as A.VarDecl).type);
            return this.load(t, a, e, { enumTag: tag, name: e.name });
          }
          default: throw new EvalError(`'${e.name}' is a ${s.kind === 'function' ? 'model function' : 'builtin'}, not a value`, col(e));
        }
      }
      case 'Member': {
        const a = this.addr(e);
        return this.load(t, a, e, { name: e.name, owner: e.field?.owner });
      }
      case 'Index': return this.load(t, this.addr(e), e);
      case 'Unary': {
        switch (e.op) {
          case '*': return this.load(t, this.addr(e), e);
          case '&': {
            const raw = this.isPercpuLvalue(e.operand);
            return { t, v: this.addr(e.operand, raw) };
          }
          case '!': return { t, v: this.eval(e.operand).v ? 0 : 1 };
          case '+': return { t, v: wrap(this.eval(e.operand).v, widthOf(t)) };
          case '-': return { t, v: wrap(-this.eval(e.operand).v, widthOf(t)) };
          case '~': {
            const v = this.eval(e.operand).v;
            const w = widthOf(t);
            return { t, v: w === W.S64 || w === W.U64 ? wrap(Number(~BigInt(Math.trunc(v))), w) : wrap(~v, w) };
          }
        }
        throw new EvalError(`${SIDE_EFFECTS} ('${e.op}')`, col(e));
      }
      case 'Binary': return this.binary(e);
      case 'Ternary': {
        const c = this.eval(e.cond).v;
        const r = this.eval(c ? e.then : e.else);
        return isInt(t) ? { ...r, t, v: wrap(r.v, widthOf(t)) } : { ...r, t };
      }
      case 'Comma': this.eval(e.left); return this.eval(e.right);
      case 'Cast': {
        const r = this.eval(e.operand);
        if (isInt(t)) return { t, v: wrap(r.v, widthOf(t)), enumTag: declEnumTag(e.to) };
        if (isPtr(t)) return { t, v: r.v };
        if (t.kind === 'void') return { t, v: 0 };
        throw new EvalError(`cannot cast to '${typeName(t)}'`, col(e));
      }
      case 'Call': return this.call(e);
      case 'Assign': case 'Postfix':
        throw new EvalError(SIDE_EFFECTS, col(e));
    }
  }

  private binary(e: A.Binary): V {
    const t = e.type ?? T.int;
    if (e.op === '&&') return { t, v: this.eval(e.left).v && this.eval(e.right).v ? 1 : 0 };
    if (e.op === '||') return { t, v: this.eval(e.left).v || this.eval(e.right).v ? 1 : 0 };
    const l = this.eval(e.left);
    const r = this.eval(e.right);
    const lt = e.left.type;
    const rt = e.right.type;
    const ptrL = isPtr(lt) || lt?.kind === 'array';
    const ptrR = isPtr(rt) || rt?.kind === 'array';
    const strideOf = (x: Type | undefined) => cellsOf(x?.kind === 'ptr' ? x.to : x?.kind === 'array' ? x.of : T.int);
    if ((e.op === '+' || e.op === '-') && (ptrL || ptrR) && !(ptrL && ptrR)) {
      const v = ptrL ? (e.op === '+' ? l.v + r.v * strideOf(lt) : l.v - r.v * strideOf(lt)) : r.v + l.v * strideOf(rt);
      return { t, v };
    }
    if (e.op === '-' && ptrL && ptrR) return { t, v: Math.trunc((l.v - r.v) / strideOf(lt)) };
    const cmp = ['==', '!=', '<', '>', '<=', '>='].includes(e.op);
    const opType = ptrL || ptrR ? T.ulong : e.op === '<<' || e.op === '>>' ? t : arith(lt, rt);
    const unsigned = opType.kind === 'ptr' || (opType.kind === 'int' && !opType.signed);
    if ((e.op === '/' || e.op === '%') && r.v === 0) throw new EvalError(`division by zero: '${this.src(e.right)}' is 0`, col(e.right));
    return { t, v: binop(e.op, l.v, r.v, cmp ? W.S32 : widthOf(t), unsigned) };
  }

  private call(e: A.Call): V {
    const t = e.type ?? T.int;
    const s = e.callee.sym;
    if (s?.kind !== 'builtin' || !PURE.has(s.name)) throw new EvalError(`${SIDE_EFFECTS} ('${e.callee.name}')`, col(e));
    const m = this.m;
    const args = e.args;
    const x = (i: number): A.Expr => args[i] as A.Expr;
    const a = (i: number): number => this.eval(x(i)).v;
    const memberOffset = (): number => {
      const mem = args.find((q): q is A.MemberArg => q.kind === 'MemberArg');
      const typeArg = args.find((q): q is A.TypeArg => q.kind === 'TypeArg');
      const first = args[0] as A.Expr;
      const st = typeArg?.spec.resolved ?? (isPtr(first.type) ? first.type.to : undefined);
      const f = mem && st && isStruct(st) ? st.fieldMap.get(mem.name) : undefined;
      return f ? fieldOffset(f) : 0;
    };
    const page = (i: number): number => {
      const p = a(i);
      if (!m.pageOf(p)) {
        if (p === 0) throw this.badAddr(0, x(i));
        throw new EvalError(`'${this.src(x(i))}' (${hex(p)}) is not a struct page`, col(x(i)));
      }
      return p;
    };
    const pageField = (p: number, f: string) => p + fieldOffset(m.pageStruct.fieldMap.get(f)!);
    const list = (i: number): number => {
      const h = a(i);
      this.deref(h, 2, x(i));
      return h;
    };
    const ctx = this.w.ctx;
    const cpu = m.cpus[this.w.cpu];
    switch (s.name) {
      case 'per_cpu_ptr': {
        const base = this.percpuRaw(x(0));
        const c = this.cpuArg(a(1), x(1));
        return { t, v: base ? base + c * m.percpuStride : 0 };
      }
      case 'this_cpu_ptr': case 'raw_cpu_ptr': {
        const base = this.percpuRaw(x(0));
        return { t, v: base ? base + this.w.cpu * m.percpuStride : 0 };
      }
      case 'per_cpu': case 'this_cpu_read': return this.load(t, this.addr(e), e);
      case 'smp_processor_id': case 'raw_smp_processor_id': return { t, v: this.w.cpu };
      case 'num_online_cpus': return { t, v: m.ncpus };
      case 'cpu_online': { const c = a(0); return { t, v: Number.isInteger(c) && c >= 0 && c < m.ncpus ? 1 : 0 }; }
      case 'page_to_pfn': return { t, v: m.pageOf(page(0))!.pfn };
      case 'pfn_to_page': case 'pfn_valid': {
        const pfn = a(0);
        const z = m.zones.find(q => pfn >= q.startPfn && pfn < q.startPfn + q.pages);
        if (s.name === 'pfn_valid') return { t, v: z ? 1 : 0 };
        return { t, v: z && Number.isInteger(pfn) ? m.pageAddr(z, pfn) : 0 };
      }
      case 'page_zone': return { t, v: m.pageOf(page(0))!.zone.addr };
      case 'PageBuddy': return { t, v: (this.read(pageField(page(0), 'flags'), e) & PG_BUDDY) ? 1 : 0 };
      case 'buddy_order': case 'page_private': return { t, v: this.read(pageField(page(0), 'private'), e) };
      case 'get_pageblock_migratetype': return { t, v: m.pageOf(page(0))!.zone.migratetype ?? 1, enumTag: 'migratetype' };
      case 'zone_managed_pages': case 'zone_page_state': {
        const z = a(0);
        if (!m.zoneOfAddr(z)) throw new EvalError(`'${this.src(x(0))}' is not a zone`, col(x(0)));
        if (s.name === 'zone_managed_pages') return { t, v: m.mem[z + fieldOffset(m.zoneStruct.fieldMap.get('managed_pages')!)] };
        const item = a(1);
        const vs = m.zoneStruct.fieldMap.get('vm_stat')!;
        const n = vs.type.kind === 'array' ? vs.type.length : 1;
        if (!Number.isInteger(item) || item < 0 || item >= n) throw new EvalError(`zone counter ${item} does not exist (0..${n - 1})`, col(x(1)));
        return { t, v: m.mem[z + fieldOffset(vs) + item] };
      }
      case 'list_empty': { const h = list(0); return { t, v: m.mem[h] === h ? 1 : 0 }; }
      case 'list_is_singular': { const h = list(0); const n = m.mem[h]; return { t, v: n !== h && validAddr(m, n) && m.mem[n] === h ? 1 : 0 }; }
      case 'list_entry': case 'container_of': return { t, v: a(0) - memberOffset() };
      case 'list_first_entry': case 'list_first_entry_or_null': {
        const h = list(0);
        if (s.name === 'list_first_entry_or_null' && m.mem[h] === h) return { t, v: 0 };
        return { t, v: m.mem[h] - memberOffset() };
      }
      case 'list_last_entry': { const h = list(0); return { t, v: m.mem[h + 1] - memberOffset() }; }
      case 'list_next_entry': case 'list_prev_entry': {
        const off = memberOffset();
        const node = this.deref(a(0) + off, 2, x(0));
        return { t, v: m.mem[node + (s.name === 'list_next_entry' ? 0 : 1)] - off };
      }
      case 'READ_ONCE': case 'data_race': case 'likely': case 'unlikely': {
        const r = this.eval(x(0));
        return { ...r, t: isInt(t) && isInt(r.t) ? r.t : t };
      }
      case 'min': case 'min_t': case 'max': case 'max_t': {
        const k = s.name.endsWith('_t') ? 1 : 0;
        const p = a(k);
        const q = a(k + 1);
        const v = s.name.startsWith('min') ? Math.min(p, q) : Math.max(p, q);
        return { t, v: isInt(t) ? wrap(v, widthOf(t)) : v };
      }
      case 'clamp': return { t, v: Math.min(Math.max(a(0), a(1)), a(2)) };
      case 'abs': return { t, v: Math.abs(a(0)) };
      case 'rounddown_pow_of_two': { const v = a(0); return { t, v: v <= 0 ? 0 : 2 ** Math.floor(Math.log2(v)) }; }
      case 'roundup_pow_of_two': { const v = a(0); return { t, v: v <= 1 ? 1 : 2 ** Math.ceil(Math.log2(v)) }; }
      case 'ilog2': { const v = a(0); return { t, v: v <= 0 ? -1 : Math.floor(Math.log2(v)) }; }
      case 'DIV_ROUND_UP': {
        const d = a(1);
        if (d === 0) throw new EvalError(`division by zero: '${this.src(x(1))}' is 0`, col(x(1)));
        return { t, v: Math.ceil(a(0) / d) };
      }
      case 'ARRAY_SIZE': { const at = x(0).type; return { t, v: at?.kind === 'array' ? at.length : 1 }; }
      case 'BIT': return { t, v: 2 ** a(0) };
      case 'irqs_disabled': return { t, v: cpu?.irqsDisabled ? 1 : 0 };
      case 'preempt_count': return { t, v: ctx?.preemptCount ?? 0 };
      case 'in_interrupt': return { t, v: ctx && ctx.kind !== 'task' ? 1 : 0 };
      case 'in_hardirq': return { t, v: ctx?.kind === 'hardirq' ? 1 : 0 };
      case 'in_task': return { t, v: !ctx || ctx.kind === 'task' ? 1 : 0 };
      case 'spin_is_locked': {
        const l = a(0);
        this.deref(l, 1, x(0));
        return { t, v: m.mem[l] !== 0 || m.contexts.some(c => c.held.some(h => h.addr === l)) ? 1 : 0 };
      }
    }
    throw new EvalError(`${SIDE_EFFECTS} ('${e.callee.name}')`, col(e));
  }
}

function binop(op: string, l: number, r: number, w: W, unsigned: boolean): number {
  const big = (f: (a: bigint, b: bigint) => bigint) => wrap(Number(BigInt.asIntN(64, f(BigInt(Math.trunc(l)), BigInt(Math.trunc(r))))), w);
  const cmp = () => {
    if (!unsigned) return l - r;
    const a = l < 0 ? l + 2 ** 64 : l;
    const b = r < 0 ? r + 2 ** 64 : r;
    return a - b;
  };
  const wide = w === W.S64 || w === W.U64 || w === W.NONE;
  switch (op) {
    case '+': return wrap(l + r, w);
    case '-': return wrap(l - r, w);
    case '*': { const p = l * r; return Number.isSafeInteger(p) ? wrap(p, w) : big((a, b) => a * b); }
    case '/': return wrap(Math.trunc(l / r), w);
    case '%': return wrap(l % r, w);
    case '<<': return wide ? wrap(l * 2 ** (r & 63), w) : wrap(l << (r & 31), w);
    case '>>': return wide ? wrap(Math.floor(l / 2 ** (r & 63)), w) : unsigned ? wrap(l >>> (r & 31), w) : wrap(l >> (r & 31), w);
    case '&': return big((a, b) => a & b);
    case '|': return big((a, b) => a | b);
    case '^': return big((a, b) => a ^ b);
    case '==': return l === r ? 1 : 0;
    case '!=': return l !== r ? 1 : 0;
    case '<': return cmp() < 0 ? 1 : 0;
    case '>': return cmp() > 0 ? 1 : 0;
    case '<=': return cmp() <= 0 ? 1 : 0;
    case '>=': return cmp() >= 0 ? 1 : 0;
  }
  throw new EvalError(`unknown operator '${op}'`, 1);
}

// the value views decode gfp_t words with the model's own GFP macros
setConstEvaluator(m => text => {
  try {
    const w: Where = { m, program: m.program, cpu: 0, visible: [], key: '-' };
    const r = new Evaluator(w, text).eval(parse(w, text));
    return r.t.kind === 'int' ? r.v : undefined;
  } catch {
    return undefined;
  }
});

// ---- the API the debug adapter uses ------------------------------------------------------

function guard<R>(f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvalError) throw e;
    // a bug here must not take the debug session down: report it as the evaluation's error
    throw new EvalError(`cannot evaluate: ${e instanceof RangeError ? 'expression nested too deeply' : (e as Error)?.message ?? String(e)}`, 1);
  }
}

function toTyped(w: Where, r: V, evaluateName: string | undefined): TypedValue {
  const scalar = r.t.kind === 'int' || r.t.kind === 'ptr';
  return makeValue(w.m, r.t, r.addr, scalar ? r.v : undefined, { name: r.name, owner: r.owner, enumTag: r.enumTag, evaluateName });
}

function evalRaw(scope: EvalScope, text: string): { w: Where; r: V } {
  const w = resolve(scope);
  const e = parse(w, text);
  const r = new Evaluator(w, text.replace(/[\r\n\u2028\u2029]/g, ' ')).eval(e);
  return { w, r };
}

export interface EvalOptions {
  /** integers in hex (DAP ValueFormat.hex); a trailing ",x" in the text asks the same */
  hex?: boolean;
}

/** What the debug console accepts beyond the expression: a trailing ';' and a ",x" / ",d" format suffix. */
function consoleText(text: string): { text: string; hex?: boolean } {
  if (typeof text !== 'string') return { text };
  let t = text.replace(/[\s;]+$/, '');
  let hex: boolean | undefined;
  const f = /,\s*([xXd])$/.exec(t);
  if (f) { hex = f[1] !== 'd'; t = t.slice(0, f.index); }
  return { text: t, hex };
}

/** Evaluates a Kernel C expression over the selected frame. Throws EvalError. */
export function evaluate(scope: EvalScope, text: string, options: EvalOptions = {}): TypedValue {
  return guard(() => {
    const c = consoleText(text);
    const { w, r } = evalRaw(scope, c.text);
    const v = toTyped(w, r, c.text.trim());
    if ((c.hex ?? options.hex) && (v.kind === 'int' || v.kind === 'enum' || v.kind === 'bool') && v.numeric !== undefined) v.display = hex(v.numeric);
    return v;
  });
}

/** A breakpoint condition: true when the expression is non-zero (no display is made). Throws EvalError. */
export function evaluateCondition(scope: EvalScope, text: string): boolean {
  return guard(() => {
    const { r } = evalRaw(scope, text);
    if (r.t.kind !== 'int' && r.t.kind !== 'ptr') throw new EvalError(`the condition must be a number or a pointer, not '${typeName(r.t)}'`, 1);
    return r.v !== 0;
  });
}

/**
 * setVariable / setExpression: writes valueText's value into the integer lvalue
 * lvalueText, wrapped as C stores into the field's type (pcp->high = 70000 into an int
 * stays 70000; into a short it wraps). Returns the new value. Throws EvalError.
 */
export function assign(scope: EvalScope, lvalueText: string, valueText: string): TypedValue {
  return guard(() => {
    const w = resolve(scope);
    const target = parse(w, lvalueText);
    const ev = new Evaluator(w, String(lvalueText).replace(/[\r\n\u2028\u2029]/g, ' '));
    const t = target.type ?? T.int;
    if (t.kind !== 'int') throw new EvalError(`only integer values can be set; '${lvalueText.trim()}' is '${typeName(t)}'`, 1);
    const addr = ev.addr(target);
    valueText = typeof valueText === 'string' ? valueText.replace(/[\s;]+$/, '') : valueText;
    const value = parse(w, valueText);
    const vt = value.type;
    if (!vt || (vt.kind !== 'int' && vt.kind !== 'ptr')) throw new EvalError(`the new value must be a number, not '${typeName(vt)}'`, 1);
    const v = new Evaluator(w, String(valueText).replace(/[\r\n\u2028\u2029]/g, ' ')).eval(value).v;
    if (!Number.isFinite(v)) throw new EvalError(`the new value ${v} is not a number`, 1);
    const m = w.m;
    m.mem[addr] = wrap(v, widthOf(t));
    m.memChanged();
    const name = target.kind === 'Member' ? target.name : target.kind === 'Ident' ? target.name : undefined;
    const owner = target.kind === 'Member' ? target.field?.owner : undefined;
    const tag = target.kind === 'Ident' && (target.sym?.kind === 'local' || target.sym?.kind === 'global') ? declEnumTag((target.sym.decl as A.VarDecl).type) : undefined;
    return makeValue(m, t, addr, undefined, { name, owner, enumTag: tag, evaluateName: lvalueText.trim() });
  });
}

/** The parameters and locals of the selected frame that are in scope at its pc (params first). */
export function frameLocals(scope: EvalScope): NamedValue[] {
  return guard(() => {
    const w = resolve(scope);
    const f = w.frame;
    if (!f) return [];
    const vars = [...w.visible].sort((a, b) => (a.param === b.param ? 0 : a.param ? -1 : 1));
    return vars.map(v => ({
      name: v.name,
      value: makeValue(w.m, v.type, f.base + v.offset, undefined, { name: v.name, enumTag: declEnumTag(v.decl.type), evaluateName: v.name }),
    }));
  });
}

/**
 * Whether `text` parses and types where a breakpoint at file:line would evaluate it
 * (its locals in scope there), without reading the machine: the adapter's `verified`.
 * Without a location, any local of the program is accepted. Returns the error, if any.
 */
export function checkExpression(machine: Machine, text: string, at?: { file: string; line: number }): EvalError | undefined {
  try {
    guard(() => parse(whereAt(machine, at), text));
    return undefined;
  } catch (e) {
    return e instanceof EvalError ? e : new EvalError(String(e), 1);
  }
}

// ---- debug console completion ------------------------------------------------------------

export interface Completion {
  label: string;
  type: 'variable' | 'field' | 'function' | 'constant' | 'module';
  detail?: string;
}

/** The expression that ends just before `end` in text (balanced brackets, identifiers, -> and .). */
function objectBefore(text: string, end: number): string {
  let i = end;
  let depth = 0;
  while (i > 0) {
    const c = text[i - 1];
    if (c === ')' || c === ']') { depth++; i--; continue; }
    if (c === '(' || c === '[') { if (depth === 0) break; depth--; i--; continue; }
    if (depth > 0) { i--; continue; }
    if (/[\w$]/.test(c)) { i--; continue; }
    if (c === '.' ) { i--; continue; }
    if (c === '>' && text[i - 2] === '-') { i -= 2; continue; }
    if (c === '*' || c === '&') { i--; continue; }
    break;
  }
  return text.slice(i, end).trim();
}

/**
 * Completions for the debug console at `column` (1-based; default: the end): members after
 * `->` or `.` from the object's type, otherwise the frame's locals, the model's globals,
 * zones, enum constants, macros and the builtins a watch expression may call.
 */
export function completions(scope: EvalScope, text: string, column?: number): Completion[] {
  try {
    if (typeof text !== 'string') return [];
    const at = Math.max(0, Math.min(text.length, (column ?? text.length + 1) - 1));
    const before = text.slice(0, at);
    const prefix = /[\w$]*$/.exec(before)![0];
    const rest = before.slice(0, before.length - prefix.length);
    const w = resolve(scope);
    const access = /(->|\.)\s*$/.exec(rest);
    const out: Completion[] = [];
    if (access) {
      const obj = objectBefore(rest, rest.length - access[0].length);
      if (!obj) return [];
      const t = parse(w, obj).type;
      const st = access[1] === '->' ? (t?.kind === 'ptr' ? t.to : undefined) : t;
      if (!st || !isStruct(st)) return [];
      for (const f of st.fields) if (f.name.startsWith(prefix)) out.push({ label: f.name, type: 'field', detail: typeName(f.type) });
      return out;
    }
    const seen = new Set<string>();
    const add = (label: string, type: Completion['type'], detail?: string) => {
      if (!label.startsWith(prefix) || seen.has(label)) return;
      seen.add(label);
      out.push({ label, type, detail });
    };
    for (const v of w.visible) add(v.name, 'variable', typeName(v.type));
    for (const z of w.program.zoneSymbols.keys()) add(z, 'module', 'struct zone *');
    for (const [name, s] of w.program.model.scope) {
      if (s.kind === 'global' || s.kind === 'percpu') add(name, 'variable', typeName(s.type));
      else if (s.kind === 'enumConst') add(name, 'constant', String(s.value));
    }
    for (const name of PURE) add(name, 'function');
    const macros = w.program.preprocessor?.macros ?? new Map();
    // a function-like macro is offered only when what it calls may be called here
    const pureMacro = (body: Token[]) => body.every((t, k) => t.kind !== 'ident' || body[k + 1]?.text !== '(' || PURE.has(t.text) || macros.has(t.text));
    for (const [name, mac] of macros) {
      if (name.startsWith('CONFIG_') || (mac.params && !pureMacro(mac.body))) continue;
      add(name, 'constant', mac.params ? `${name}(${mac.params.join(', ')})` : undefined);
    }
    return out.sort((a, b) => (a.type === 'variable' ? 0 : 1) - (b.type === 'variable' ? 0 : 1) || a.label.localeCompare(b.label));
  } catch {
    return [];
  }
}

/**
 * The expression a hover at `column` (1-based) of a source line means: the identifier
 * under the cursor with the member chain before it, as a debugger hover wants
 * (`pcp->count` when hovering `count`, `pcp->lists[order]` when hovering `]`), with its
 * 1-based start and exclusive end columns. For the editor's EvaluatableExpressionProvider.
 */
export function expressionAt(line: string, column: number): { text: string; start: number; end: number } | undefined {
  if (typeof line !== 'string' || !Number.isFinite(column)) return undefined;
  let i = Math.max(0, Math.min(line.length, Math.floor(column) - 1));
  // on an identifier: to its end; on a closing ']': the subscript ends here
  if (!/[\w$\]]/.test(line[i] ?? '')) { if (i > 0 && /[\w$\]]/.test(line[i - 1])) i--; else return undefined; }
  let end = i;
  if (line[i] === ']') end = i + 1;
  else while (end < line.length && /[\w$]/.test(line[end])) end++;
  const text = objectBefore(line, end).replace(/^[*&]+/, '');
  if (!text || !/^[A-Za-z_$]/.test(text) || /^\d/.test(text)) return undefined;
  // a keyword or a type is nothing to evaluate
  if (/^(if|else|while|for|do|return|switch|case|default|break|continue|goto|struct|union|enum|static|inline|const|unsigned|int|long|char|void|bool|sizeof)$/.test(text)) return undefined;
  const start = end - text.length;
  return { text, start: start + 1, end: end + 1 };
}
