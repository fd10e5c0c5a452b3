// Checked Kernel C → instructions. Addresses of globals, per-CPU variables and zones
// are known here (from the static layout), so the code the engine runs is flat.
import * as A from '../lang/ast';
import type { CheckedProgram } from '../lang/load';
import type { Range } from '../lang/diagnostics';
import { BUILTINS, Builtin } from '../builtins';
import { Type, T, isInt, isPtr, isStruct, arith, StructType, typeName } from '../lang/types';
import { Op, BinOp, UnOp, W, Instr, CompiledFn, LocalVar } from './ops';
import { cellsOf, fieldOffset } from './layout';

export interface StaticLayout {
  globals: number[];        // address of each global, by checker index
  percpuVars: number[];     // address of each DEFINE_PER_CPU variable in CPU 0's area
  zones: number[];          // address of each scenario zone
}

export interface CompiledProgram {
  fns: CompiledFn[];
  byName: Map<string, CompiledFn>;
  blocks: CompiledFn[];     // the scenario's task and irq blocks, in file order
  locs: Range[];
  builtinIds: Builtin[];
  /** arrays indexed by a computed index: checked at run time (Op.INDEX c = 1 + site) */
  bounds?: BoundsSite[];
}

/** Where an array is indexed, what the run-time check reports (UBSAN's words). */
export interface BoundsSite { range: Range; length: number; type: string }


const BIN: Record<string, BinOp> = {
  '+': BinOp.ADD, '-': BinOp.SUB, '*': BinOp.MUL, '/': BinOp.DIV, '%': BinOp.MOD, '<<': BinOp.SHL, '>>': BinOp.SHR,
  '&': BinOp.AND, '|': BinOp.OR, '^': BinOp.XOR, '==': BinOp.EQ, '!=': BinOp.NE, '<': BinOp.LT, '>': BinOp.GT, '<=': BinOp.LE, '>=': BinOp.GE,
};

export function widthOf(t: Type | undefined): W {
  if (!t) return W.NONE;
  if (t.kind === 'ptr') return W.U64;
  if (t.kind !== 'int') return W.NONE;
  if (t.bool) return W.BOOL;
  switch (t.bits) {
    case 8: return t.signed ? W.S8 : W.U8;
    case 16: return t.signed ? W.S16 : W.U16;
    case 32: return t.signed ? W.S32 : W.U32;
    default: return t.signed ? W.S64 : W.U64;
  }
}

function isUnsigned(t: Type | undefined): boolean {
  return !!t && (t.kind === 'ptr' || (t.kind === 'int' && !t.signed));
}

/** Builtins that are their own step: the primitives a scheduler may switch around. */
export function isPrimitive(b: Builtin): boolean {
  switch (b.category) {
    case 'spinlock': case 'local_lock': case 'irq': case 'preempt': case 'list': case 'sleep':
      return b.name !== 'list_empty' && b.name !== 'irqs_disabled' && b.name !== 'preempt_count' && !b.name.startsWith('list_first') && !b.name.startsWith('list_last') && b.name !== 'list_entry' && b.name !== 'container_of' && !b.name.startsWith('list_next') && !b.name.startsWith('list_prev') && b.name !== 'list_is_singular';
    default: return false;
  }
}

export class CompileError extends Error {
  constructor(readonly range: Range, msg: string) { super(msg); }
}

export function compileProgram(p: CheckedProgram, layout: StaticLayout): CompiledProgram {
  const out: CompiledProgram = { fns: [], byName: new Map(), blocks: [], locs: [], builtinIds: [...BUILTINS.values()], bounds: [] };
  const builtinIndex = new Map(out.builtinIds.map((b, i) => [b.name, i]));
  // function indexes first, so calls can be compiled in any order
  const decls = [...p.model.functions.values()].filter(f => f.body);
  decls.forEach((f, i) => {
    const fn: CompiledFn = { index: i, name: f.name, code: [], frameCells: 0, paramOffsets: [], paramWidths: [], returnsValue: false, range: f.range, emptyLists: [] };
    out.fns.push(fn);
    out.byName.set(f.name, fn);
  });
  decls.forEach((f, i) => new FnCompiler(out, p, layout, builtinIndex).compileFunction(f, out.fns[i]));
  p.scenario.blocks.forEach((b, bi) => {
    const fn: CompiledFn = {
      index: out.fns.length, name: `${b.kind} cpu ${b.cpu}`, code: [], frameCells: 0, paramOffsets: [], paramWidths: [],
      returnsValue: false, range: b.range, block: { kind: b.kind, cpu: b.cpu, index: bi }, emptyLists: [],
    };
    out.fns.push(fn);
    out.blocks.push(fn);
    new FnCompiler(out, p, layout, builtinIndex).compileBlock(b.body ?? [], fn);
  });
  return out;
}

class FnCompiler {
  private code: Instr[] = [];
  private loc = 0;
  /** the operand of the `&` being compiled: &a[N] may point one past the end */
  private onePast: A.Expr | undefined;
  private offsets: number[] = [];   // local slot → cell offset
  private cells = 0;
  private breaks: number[][] = [];
  private continues: number[][] = [];
  private labels = new Map<string, number>();
  private gotos: { at: number; label: string; range: Range }[] = [];
  private fn!: CompiledFn;
  private locals: LocalVar[] = [];
  private open: LocalVar[][] = [[]];  // locals of the enclosing blocks, closed at their ends

  constructor(private readonly prog: CompiledProgram, private readonly p: CheckedProgram, private readonly layout: StaticLayout, private readonly builtinIndex: Map<string, number>) {}

  compileFunction(f: A.FunctionDecl, fn: CompiledFn): void {
    this.fn = fn;
    for (const prm of f.params) {
      const off = this.slot(prm.slot, prm.type.resolved ?? T.int);
      fn.paramOffsets.push(off);
      fn.paramWidths.push(widthOf(prm.type.resolved));
      if (prm.name && prm.slot !== undefined) this.declared(prm.name, prm.type.resolved ?? T.int, off, true, prm);
    }
    const ret = f.sym?.kind === 'function' ? f.sym.type.ret : T.void;
    fn.returnsValue = ret.kind !== 'void';
    this.stmts(f.body!.body);
    this.setLoc({ ...f.body!.range, line: f.body!.range.endLine, column: f.body!.range.endColumn - 1 });
    this.emit(Op.STEP);
    this.emit(Op.PUSH, 0);
    this.emit(Op.RET, 1);
    this.finish();
  }

  compileBlock(stmts: A.Stmt[], fn: CompiledFn): void {
    this.fn = fn;
    this.stmts(stmts);
    this.setLoc({ ...fn.range, line: fn.range.endLine, column: fn.range.endColumn - 1 });
    this.emit(Op.STEP);
    this.emit(Op.PUSH, 0);
    this.emit(Op.RET, 1);
    this.finish();
  }

  private declared(name: string, type: Type, offset: number, param: boolean, decl: A.VarDecl | A.Param): void {
    const v: LocalVar = { name, type, offset, from: param ? 0 : this.here(), to: -1, param, depth: this.open.length - 1, decl };
    this.locals.push(v);
    this.open[this.open.length - 1].push(v);
  }

  private scoped(body: () => void): void {
    this.open.push([]);
    body();
    for (const v of this.open.pop()!) v.to = this.here();
  }

  private finish(): void {
    for (const v of this.locals) if (v.to < 0) v.to = this.code.length;
    this.fn.locals = this.locals;
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      if (target === undefined) throw new CompileError(g.range, `use of undeclared label '${g.label}'`);
      this.code[g.at].a = target;
    }
    this.fn.code = this.code;
    this.fn.frameCells = this.cells;
  }

  private slot(slot: number | undefined, t: Type): number {
    if (slot === undefined) return 0;
    if (this.offsets[slot] === undefined) {
      this.offsets[slot] = this.cells;
      this.cells += cellsOf(t);
    }
    return this.offsets[slot];
  }

  private setLoc(r: Range): void {
    this.prog.locs.push(r);
    this.loc = this.prog.locs.length - 1;
  }

  private emit(op: Op, a = 0, b = 0, c = 0, builtin?: Builtin): number {
    this.code.push({ op, a, b, c, loc: this.loc, builtin });
    return this.code.length - 1;
  }

  private here(): number { return this.code.length; }

  // ---- statements ----
  private stmts(list: A.Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private begin(r: Range): void {
    this.setLoc(r);
    this.emit(Op.STEP);
  }

  private stmt(s: A.Stmt): void {
    switch (s.kind) {
      case 'Block': this.scoped(() => this.stmts(s.body)); return;
      case 'Empty': return;
      case 'ExprStmt':
        this.begin(s.range);
        this.value(s.expr);
        this.emit(Op.POP);
        return;
      case 'DeclStmt':
        for (const d of s.decls) {
          const t = d.type.resolved ?? T.int;
          const off = this.slot(d.slot, t);
          if (d.slot !== undefined) this.declared(d.name, t, off, false, d);
          if (d.emptyList) {
            this.begin(d.range);
            this.emit(Op.ADDR_LOCAL, off);
            this.emit(Op.BUILTIN, this.bid('INIT_LIST_HEAD'), 1, 0, BUILTINS.get('INIT_LIST_HEAD'));
            this.emit(Op.POP);
          } else if (d.init && d.init.kind !== 'InitList') {
            this.begin(d.range);
            this.emit(Op.ADDR_LOCAL, off);
            this.value(d.init);
            this.emit(Op.STORE, widthOf(t));
            this.emit(Op.POP);
          } else {
            // locals start zeroed: deterministic, and a missing initialiser is visible as 0
            this.begin(d.range);
            this.zeroLocal(off, t);
          }
        }
        return;
      case 'If': {
        this.begin(s.cond.range);
        this.value(s.cond);
        const jz = this.emit(Op.JZ);
        this.stmt(s.then);
        if (s.else) {
          const jmp = this.emit(Op.JMP);
          this.code[jz].a = this.here();
          this.stmt(s.else);
          this.code[jmp].a = this.here();
        } else this.code[jz].a = this.here();
        return;
      }
      case 'While': {
        const top = this.here();
        this.begin(s.cond.range);
        this.value(s.cond);
        const jz = this.emit(Op.JZ);
        this.loop(() => this.stmt(s.body));
        this.emit(Op.JMP, top);
        this.patchLoop(this.here());
        this.code[jz].a = this.here();
        return;
      }
      case 'DoWhile': {
        const top = this.here();
        this.loop(() => this.stmt(s.body));
        const condAt = this.here();
        this.begin(s.cond.range);
        this.value(s.cond);
        this.emit(Op.JNZ, top);
        this.patchLoop(this.here(), condAt);
        return;
      }
      case 'For': return this.scoped(() => this.forLoop(s));
      case 'ForEach': return this.forEach(s);
      case 'Switch': {
        // the selector lives in a hidden local, so breaks and fallthrough see a clean stack
        const tmp = this.cells++;
        this.begin(s.expr.range);
        this.emit(Op.ADDR_LOCAL, tmp);
        this.value(s.expr);
        this.emit(Op.STORE, widthOf(s.expr.type));
        this.emit(Op.POP);
        const body = s.body.kind === 'Block' ? s.body.body : [s.body];
        const jumps: { at: number; c: A.CaseStmt }[] = [];
        for (const c of body) {
          if (c.kind !== 'Case' || !c.value) continue;
          this.emit(Op.ADDR_LOCAL, tmp);
          this.emit(Op.LOAD, widthOf(s.expr.type));
          this.emit(Op.PUSH, c.constValue ?? 0);
          if (c.high) {
            // case lo ... hi: lo <= x && x <= hi
            this.emit(Op.BIN, BinOp.GE, W.S32);
            this.emit(Op.ADDR_LOCAL, tmp);
            this.emit(Op.LOAD, widthOf(s.expr.type));
            this.emit(Op.PUSH, c.constHigh ?? 0);
            this.emit(Op.BIN, BinOp.LE, W.S32);
            this.emit(Op.BIN, BinOp.AND, W.S32);
          } else {
            this.emit(Op.BIN, BinOp.EQ, W.S32);
          }
          jumps.push({ at: this.emit(Op.JNZ), c });
        }
        const toDefault = this.emit(Op.JMP);
        const targets = new Map<A.CaseStmt, number>();
        this.breaks.push([]);
        for (const st of body) {
          if (st.kind === 'Case') targets.set(st, this.here());
          else this.stmt(st);
        }
        const end = this.here();
        for (const j of jumps) this.code[j.at].a = targets.get(j.c)!;
        const def = body.find((c): c is A.CaseStmt => c.kind === 'Case' && !c.value);
        this.code[toDefault].a = def ? targets.get(def)! : end;
        for (const b of this.breaks.pop()!) this.code[b].a = end;
        return;
      }
      case 'Case': return;
      case 'Break': {
        this.begin(s.range);
        const list = this.breaks[this.breaks.length - 1];
        list.push(this.emit(Op.JMP));
        return;
      }
      case 'Continue': {
        this.begin(s.range);
        const list = this.continues[this.continues.length - 1];
        list.push(this.emit(Op.JMP));
        return;
      }
      case 'Return':
        this.begin(s.range);
        if (s.value) this.value(s.value); else this.emit(Op.PUSH, 0);
        this.emit(Op.RET, 1);
        return;
      case 'Goto':
        this.begin(s.range);
        this.gotos.push({ at: this.emit(Op.JMP), label: s.label, range: s.labelRange });
        return;
      case 'Label':
        this.labels.set(s.label, this.here());
        this.stmt(s.body);
        return;
    }
  }

  private forLoop(s: A.ForStmt): void {
    if (s.init) this.stmt(s.init);
    const top = this.here();
    let jz = -1;
    if (s.cond) {
      this.begin(s.cond.range);
      this.value(s.cond);
      jz = this.emit(Op.JZ);
    }
    this.loop(() => this.stmt(s.body));
    const stepAt = this.here();
    if (s.step) {
      this.begin(s.step.range);
      this.value(s.step);
      this.emit(Op.POP);
    }
    this.emit(Op.JMP, top);
    this.patchLoop(this.here(), stepAt);
    if (jz >= 0) this.code[jz].a = this.here();
  }

  private loop(body: () => void): void {
    this.breaks.push([]);
    this.continues.push([]);
    body();
  }

  private patchLoop(breakTarget: number, continueTarget?: number): void {
    for (const b of this.breaks.pop()!) this.code[b].a = breakTarget;
    const cont = this.continues.pop()!;
    for (const c of cont) this.code[c].a = continueTarget ?? breakTarget - 1;
  }

  private zeroLocal(off: number, t: Type): void {
    const n = cellsOf(t);
    for (let k = 0; k < n; k++) {
      this.emit(Op.ADDR_LOCAL, off + k);
      this.emit(Op.PUSH, 0);
      this.emit(Op.STORE, W.NONE);
      this.emit(Op.POP);
    }
  }

  private forEach(s: A.ForEachStmt): void {
    const b = BUILTINS.get(s.iterator)!;
    const args = s.args;
    this.begin(s.range.line === s.body.range.line ? s.iteratorRange : { ...s.range, endLine: s.iteratorRange.endLine, endColumn: s.iteratorRange.endColumn });
    const headLoc = this.loc;
    if (b.category === 'cpu-iter') {
      // for (cpu = 0; cpu < nr_cpus; cpu++)
      const cpu = args[0] as A.Expr;
      this.addr(cpu); this.emit(Op.PUSH, 0); this.emit(Op.STORE, widthOf(cpu.type)); this.emit(Op.POP);
      const top = this.here();
      this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
      this.value(cpu);
      this.emit(Op.BUILTIN, this.bid('num_online_cpus'), 0, 0, BUILTINS.get('num_online_cpus'));
      this.emit(Op.BIN, BinOp.LT, W.S32);
      const jz = this.emit(Op.JZ);
      this.loop(() => this.stmt(s.body));
      const stepAt = this.here();
      this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
      this.addr(cpu); this.emit(Op.INCDEC, widthOf(cpu.type), 1, 0); this.emit(Op.POP);
      this.emit(Op.JMP, top);
      this.patchLoop(this.here(), stepAt);
      this.code[jz].a = this.here();
      return;
    }
    if (b.category === 'zone-iter') {
      const zone = args[0] as A.Expr;
      this.addr(zone); this.emit(Op.PUSH, 0); this.emit(Op.ZONE_ITER, 0); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
      const top = this.here();
      this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
      this.value(zone);
      const jz = this.emit(Op.JZ);
      this.loop(() => this.stmt(s.body));
      const stepAt = this.here();
      this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
      this.addr(zone); this.value(zone); this.emit(Op.ZONE_ITER, 1); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
      this.emit(Op.JMP, top);
      this.patchLoop(this.here(), stepAt);
      this.code[jz].a = this.here();
      return;
    }
    // lists: pos walks entries; the member's offset turns a node into its entry
    const safe = s.iterator.includes('_safe');
    const reverse = s.iterator.includes('reverse');
    const plain = s.iterator === 'list_for_each';
    const pos = args[0] as A.Expr;
    const nxt = safe ? args[1] as A.Expr : undefined;
    const head = args[safe ? 2 : 1] as A.Expr;
    const member = plain ? undefined : args[args.length - 1];
    let off = 0;
    if (member?.kind === 'MemberArg' && isPtr(pos.type) && isStruct(pos.type.to)) {
      const f = pos.type.to.fieldMap.get(member.name);
      if (f) off = fieldOffset(f);
    }
    const link = reverse ? 1 : 0; // next or prev cell of a list_head
    // pos = entry(head->next)
    const loadLinkOf = (nodeAddr: () => void) => { nodeAddr(); this.emit(Op.OFFSET, link); this.emit(Op.LOAD, W.U64); this.emit(Op.PUSH, off); this.emit(Op.BIN, BinOp.SUB, W.U64); };
    this.addr(pos); loadLinkOf(() => this.value(head)); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
    if (nxt) { this.addr(nxt); loadLinkOf(() => { this.value(pos); this.emit(Op.OFFSET, off); }); this.emit(Op.STORE, W.U64); this.emit(Op.POP); }
    const top = this.here();
    this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
    // while (&pos->member != head)
    this.value(pos); this.emit(Op.OFFSET, off); this.value(head); this.emit(Op.BIN, BinOp.NE, W.S32);
    const jz = this.emit(Op.JZ);
    this.loop(() => this.stmt(s.body));
    const stepAt = this.here();
    this.setLoc(this.prog.locs[headLoc]); this.emit(Op.STEP);
    if (nxt) {
      this.addr(pos); this.value(nxt); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
      this.addr(nxt); loadLinkOf(() => { this.value(nxt); this.emit(Op.OFFSET, off); }); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
    } else {
      this.addr(pos); loadLinkOf(() => { this.value(pos); this.emit(Op.OFFSET, off); }); this.emit(Op.STORE, W.U64); this.emit(Op.POP);
    }
    this.emit(Op.JMP, top);
    this.patchLoop(this.here(), stepAt);
    this.code[jz].a = this.here();
  }

  private bid(name: string): number { return this.builtinIndex.get(name)!; }

  // ---- expressions ----
  private isPercpuLvalue(e: A.Expr): boolean {
    if (e.kind === 'Ident') return e.sym?.kind === 'percpu';
    if (e.kind === 'Member' && !e.arrow) return this.isPercpuLvalue(e.object);
    if (e.kind === 'Index' && e.object.type?.kind === 'array') return this.isPercpuLvalue(e.object);
    return false;
  }

  /** The address of an lvalue. `raw`: a per-CPU variable yields its CPU-0 (per-CPU pointer) address. */
  private addr(e: A.Expr, raw = false): void {
    switch (e.kind) {
      case 'Ident': {
        const s = e.sym;
        if (!s) throw new CompileError(e.range, `unresolved name '${e.name}'`);
        if (s.kind === 'local') { this.emit(Op.ADDR_LOCAL, this.slot(s.slot, s.type)); return; }
        if (s.kind === 'global') { this.emit(Op.ADDR_ABS, this.layout.globals[s.index]); return; }
        if (s.kind === 'percpu') { this.emit(Op.ADDR_ABS, this.layout.percpuVars[s.index]); if (!raw) this.emit(Op.THIS_CPU); return; }
        throw new CompileError(e.range, `'${e.name}' is not a variable`);
      }
      case 'Member': {
        if (e.arrow) this.value(e.object); else this.addr(e.object, raw);
        this.emit(Op.OFFSET, e.field ? fieldOffset(e.field) : 0);
        return;
      }
      case 'Index': {
        const ot = e.object.type;
        if (ot?.kind === 'array') this.addr(e.object, raw); else this.value(e.object);
        this.value(e.index);
        const elem = ot?.kind === 'array' ? ot.of : ot?.kind === 'ptr' ? ot.to : T.int;
        if (ot?.kind === 'array' && ot.length > 0) {
          // an index past the array must not reach the memory beside it; &a[N] (one past) is C
          const bounds = (this.prog.bounds ??= []);
          bounds.push({ range: e.range, length: ot.length, type: typeName(ot) });
          this.emit(Op.INDEX, cellsOf(elem), ot.length + (this.onePast === e ? 1 : 0), bounds.length);
        } else {
          this.emit(Op.INDEX, cellsOf(elem));
        }
        return;
      }
      case 'Unary':
        if (e.op === '*') { this.value(e.operand); return; }
        break;
      case 'Call': {
        const b = e.callee.sym?.kind === 'builtin' ? e.callee.sym.builtin : undefined;
        if (b && (b.name === 'per_cpu' || b.name === 'this_cpu_read')) { this.callBuiltin(e, b, true); return; }
        if (b && b.name === 'READ_ONCE') { this.addr(e.args[0] as A.Expr); return; }
        break;
      }
    }
    throw new CompileError(e.range, 'expression is not assignable');
  }

  private value(e: A.Expr): void {
    const t = e.type;
    switch (e.kind) {
      case 'Number': this.emit(Op.PUSH, e.value); return;
      case 'String': this.emit(Op.PUSH, 0); return;
      case 'SizeOf': this.emit(Op.PUSH, e.value ?? 0); return;
      case 'Ident': {
        const s = e.sym;
        if (s?.kind === 'enumConst') { this.emit(Op.PUSH, s.value); return; }
        if (s?.kind === 'zone') { this.emit(Op.ADDR_ABS, this.layout.zones[s.index]); return; }
        this.addr(e);
        if (t && (t.kind === 'array' || t.kind === 'struct')) return;
        this.emit(Op.LOAD, widthOf(t));
        return;
      }
      case 'Member': case 'Index':
        this.addr(e);
        if (t && (t.kind === 'array' || t.kind === 'struct')) return;
        this.emit(Op.LOAD, widthOf(t));
        return;
      case 'Unary':
        switch (e.op) {
          case '*':
            this.value(e.operand);
            if (t && (t.kind === 'array' || t.kind === 'struct')) return;
            this.emit(Op.LOAD, widthOf(t));
            return;
          case '&': this.onePast = e.operand; this.addr(e.operand, this.isPercpuLvalue(e.operand)); this.onePast = undefined; return;
          case '++': case '--': this.addr(e.operand); this.incdec(e.operand.type, e.op === '++' ? 1 : -1, 0); return;
          case '+': this.value(e.operand); return;
          case '-': this.value(e.operand); this.emit(Op.UN, UnOp.NEG, widthOf(t)); return;
          case '!': this.value(e.operand); this.emit(Op.UN, UnOp.NOT, W.S32); return;
          case '~': this.value(e.operand); this.emit(Op.UN, UnOp.BITNOT, widthOf(t)); return;
        }
        return;
      case 'Postfix': this.addr(e.operand); this.incdec(e.operand.type, e.op === '++' ? 1 : -1, 1); return;
      case 'Binary': return this.binary(e);
      case 'Assign': {
        const tt = e.target.type;
        this.addr(e.target);
        if (e.op === '=') {
          this.value(e.value);
        } else {
          this.emit(Op.DUP);
          this.emit(Op.LOAD, widthOf(tt));
          const op = e.op.slice(0, -1);
          if (isPtr(tt) && (op === '+' || op === '-')) {
            this.value(e.value);
            this.emit(Op.PUSH, cellsOf(tt.to));
            this.emit(Op.BIN, BinOp.MUL, W.S64);
          } else this.value(e.value);
          const rt = isPtr(tt) ? tt : arith(tt, e.value.type);
          this.emit(Op.BIN, BIN[op], widthOf(rt), isUnsigned(rt) ? 1 : 0);
        }
        this.emit(Op.STORE, widthOf(tt));
        return;
      }
      case 'Ternary': {
        this.value(e.cond);
        const jz = this.emit(Op.JZ);
        this.value(e.then);
        const jmp = this.emit(Op.JMP);
        this.code[jz].a = this.here();
        this.value(e.else);
        this.code[jmp].a = this.here();
        return;
      }
      case 'Comma': this.value(e.left); this.emit(Op.POP); this.value(e.right); return;
      case 'Cast': {
        this.value(e.operand);
        const w = widthOf(t);
        if (isInt(t) && w !== W.NONE) this.emit(Op.CONV, w);
        return;
      }
      case 'Call': return this.call(e);
    }
  }

  private incdec(t: Type | undefined, delta: number, post: number): void {
    const d = isPtr(t) ? delta * cellsOf(t.to) : delta;
    this.emit(Op.INCDEC, widthOf(t), d, post);
  }

  private binary(e: A.Binary): void {
    const l = e.left.type;
    const r = e.right.type;
    if (e.op === '&&' || e.op === '||') {
      this.value(e.left);
      const j1 = this.emit(e.op === '&&' ? Op.JZ : Op.JNZ);
      this.value(e.right);
      const j2 = this.emit(e.op === '&&' ? Op.JZ : Op.JNZ);
      this.emit(Op.PUSH, e.op === '&&' ? 1 : 0);
      const jend = this.emit(Op.JMP);
      this.code[j1].a = this.code[j2].a = this.here();
      this.emit(Op.PUSH, e.op === '&&' ? 0 : 1);
      this.code[jend].a = this.here();
      return;
    }
    const ptrL = isPtr(l) || l?.kind === 'array';
    const ptrR = isPtr(r) || r?.kind === 'array';
    if ((e.op === '+' || e.op === '-') && (ptrL || ptrR) && !(ptrL && ptrR)) {
      const pt = (ptrL ? l : r)!;
      const stride = cellsOf(pt.kind === 'ptr' ? pt.to : pt.kind === 'array' ? pt.of : T.int);
      if (ptrL) { this.value(e.left); this.value(e.right); this.emit(Op.PUSH, stride); this.emit(Op.BIN, BinOp.MUL, W.S64); }
      else { this.value(e.left); this.emit(Op.PUSH, stride); this.emit(Op.BIN, BinOp.MUL, W.S64); this.value(e.right); }
      this.emit(Op.BIN, BIN[e.op], W.U64);
      return;
    }
    if (e.op === '-' && ptrL && ptrR) {
      const stride = cellsOf(isPtr(l) ? l.to : T.int);
      this.value(e.left); this.value(e.right);
      this.emit(Op.BIN, BinOp.SUB, W.S64);
      this.emit(Op.PUSH, stride);
      this.emit(Op.BIN, BinOp.DIV, W.S64);
      return;
    }
    this.value(e.left);
    this.value(e.right);
    const cmp = ['==', '!=', '<', '>', '<=', '>='].includes(e.op);
    const opType = ptrL || ptrR ? T.ulong : e.op === '<<' || e.op === '>>' ? e.type : arith(l, r);
    this.emit(Op.BIN, BIN[e.op], cmp ? W.S32 : widthOf(e.type), isUnsigned(opType) ? 1 : 0);
  }

  private call(e: A.Call): void {
    const s = e.callee.sym;
    if (s?.kind === 'function') {
      const fn = this.prog.byName.get(e.callee.name);
      if (!fn) throw new CompileError(e.calleeRange, `function '${e.callee.name}' is declared but never defined`);
      e.args.forEach((a, i) => {
        this.value(a as A.Expr);
        const pt = s.type.params[i];
        if (pt && isInt(pt)) this.emit(Op.CONV, widthOf(pt));
      });
      this.setLoc(e.range);
      this.emit(Op.CALL, fn.index, e.args.length);
      return;
    }
    if (s?.kind === 'builtin') { this.callBuiltin(e, s.builtin); return; }
    throw new CompileError(e.calleeRange, `'${e.callee.name}' is not callable`);
  }

  private callBuiltin(e: A.Call, b: Builtin, asAddr = false): void {
    let c = 0;
    const percpuRaw = (a: A.Expr) => {
      // a per-CPU pointer value, or &var / var of a DEFINE_PER_CPU variable (CPU-0 address)
      if (this.isPercpuLvalue(a)) this.addr(a, true);
      else if (a.kind === 'Unary' && a.op === '&' && this.isPercpuLvalue(a.operand)) this.addr(a.operand, true);
      else this.value(a);
    };
    b.args.forEach((kind, i) => {
      const a = e.args[i];
      if (!a) { this.emit(Op.PUSH, 0); return; }
      if (a.kind === 'TypeArg') return;
      if (a.kind === 'MemberArg') {
        // entry type: a type argument before it, or the pointee of the first argument
        const typeArg = e.args.find((x): x is A.TypeArg => x.kind === 'TypeArg');
        const st = typeArg?.spec.resolved ?? (isPtr((e.args[0] as A.Expr).type) ? ((e.args[0] as A.Expr).type as { to: Type }).to : undefined);
        if (st && isStruct(st)) {
          const f = (st as StructType).fieldMap.get(a.name);
          if (f) c = fieldOffset(f);
        }
        return;
      }
      switch (kind) {
        case 'out': case 'lvalue': this.addr(a); return;
        case 'percpu': percpuRaw(a); return;
        case 'lock':
          if (isPtr(a.type) && a.type.percpu) { percpuRaw(a); this.emit(Op.THIS_CPU); } else this.value(a);
          return;
        default: this.value(a);
      }
    });
    // ARRAY_SIZE(a) is a compile-time constant: the builtin returns c
    if (b.name === 'ARRAY_SIZE') { const t = (e.args[0] as A.Expr | undefined)?.type; c = t?.kind === 'array' ? t.length : 1; }
    const argc = e.args.filter(a => a.kind !== 'TypeArg' && a.kind !== 'MemberArg').length;
    if (isPrimitive(b) || b.category === 'assert' || b.category === 'lockdep') this.setLoc(e.range);
    this.emit(Op.BUILTIN, this.bid(b.name), argc, c, b);
    if (!asAddr && b.returns === 'percpu-var0' && e.type && e.type.kind !== 'array' && e.type.kind !== 'struct') {
      // per_cpu(var, cpu) used as a value: the builtin yields the address; read it
      this.emit(Op.LOAD, widthOf(e.type));
    }
  }
}
