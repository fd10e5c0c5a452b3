// Name resolution and typing of Kernel C. Fills `type` on every expression, `sym` on
// every name, slots on locals and fields, so the engine executes without looking a
// name up and the language server can answer hover and go-to-definition.
import * as A from './ast';
import { DiagnosticBag, Range, suggest } from './diagnostics';
import { BUILTINS, Builtin } from '../builtins';
import {
  T, NAMED_INTS, Type, StructType, FieldInfo, Symbol, LockKind, PtrType,
  isInt, isPtr, isStruct, ptrTo, typeName, arith, promote, sizeOf, conversionProblem, decay,
} from './types';
import { PRELUDE_FILE } from './prelude';

const CANONICAL: Record<string, Type> = {
  int: T.int, 'unsigned int': T.uint, long: T.long, 'unsigned long': T.ulong, 'long long': T.long,
  'unsigned long long': T.ulong, short: T.short, 'unsigned short': T.ushort, char: T.char,
  'unsigned char': T.uchar, bool: T.bool, void: T.void,
};

const LOCK_TYPES: LockKind[] = ['spinlock_t', 'raw_spinlock_t', 'local_lock_t'];

export interface CheckedModel {
  ast: A.ModelAst;
  structs: Map<string, StructType>;
  typedefs: Map<string, Type>;
  functions: Map<string, A.FunctionDecl>;
  globals: A.VarDecl[];
  percpu: A.PerCpuDecl[];
  enumConsts: Map<string, number>;
  /** the global scope, for the language server's completion and the debugger's evaluate */
  scope: Map<string, Symbol>;
  lockTypes: Map<LockKind, StructType>;
}

interface FnCtx {
  name: string;
  ret: Type;
  nextSlot: number;
  labels: Map<string, A.LabelStmt>;
  gotos: A.GotoStmt[];
  loops: number;
  switches: number;
  scenario: boolean;
  zones?: Map<string, Symbol>;
}

export class Checker {
  readonly structs = new Map<string, StructType>();
  readonly typedefs = new Map<string, Type>();
  readonly functions = new Map<string, A.FunctionDecl>();
  readonly globals: A.VarDecl[] = [];
  readonly percpu: A.PerCpuDecl[] = [];
  readonly enumConsts = new Map<string, number>();
  readonly global = new Map<string, Symbol>();
  readonly lockTypes = new Map<LockKind, StructType>();
  private structRefs = new Map<string, Range>();
  private scopes: Map<string, Symbol>[] = [];
  private fn: FnCtx | undefined;
  /** the operand of the `&` being typed (&a[N] may point one past the end) */
  private onePast: A.Expr | undefined;

  constructor(readonly diags: DiagnosticBag) {
    for (const k of LOCK_TYPES) {
      const st: StructType = { kind: 'struct', tag: k, union: false, fields: [], fieldMap: new Map(), slots: 0, complete: true, lock: k, engine: true };
      this.lockTypes.set(k, st);
      this.typedefs.set(k, st);
    }
    for (const [k, v] of Object.entries(NAMED_INTS)) this.typedefs.set(k, v);
  }

  // ---- models ----
  checkModel(ast: A.ModelAst): CheckedModel {
    for (const d of ast.decls) this.declare(d);
    for (const d of ast.decls) if (d.kind === 'Function' && d.body) this.checkFunction(d);
    for (const d of ast.decls) {
      if ((d.kind === 'Var' || d.kind === 'PerCpu') && d.init) this.checkInit(d.init, d.type.resolved ?? T.int, `when initializing '${d.name}'`);
    }
    this.reportUnknownStructs();
    return {
      ast, structs: this.structs, typedefs: this.typedefs, functions: this.functions, globals: this.globals,
      percpu: this.percpu, enumConsts: this.enumConsts, scope: this.global, lockTypes: this.lockTypes,
    };
  }

  /**
   * A checker over a model checked before, for lone expressions (the debugger's
   * evaluate, breakpoint conditions). It reads the model's declarations through copies
   * of its tables, so a cast to an unknown struct or an enum defined inside an
   * expression never changes the model.
   */
  static forModel(model: CheckedModel, diags: DiagnosticBag): Checker {
    const c = new Checker(diags);
    Object.assign(c, {
      structs: new Map(model.structs), typedefs: new Map(model.typedefs), functions: model.functions,
      globals: model.globals, percpu: model.percpu, enumConsts: new Map(model.enumConsts), global: new Map(model.scope),
      lockTypes: model.lockTypes,
    });
    return c;
  }

  /** Types one expression with `locals` innermost, then `zones`, then the model's globals. */
  checkExpression(e: A.Expr, locals: Map<string, Symbol>, zones: Map<string, Symbol>): Type {
    this.fn = { name: '<expression>', ret: T.void, nextSlot: 0, labels: new Map(), gotos: [], loops: 0, switches: 0, scenario: false, zones };
    this.scopes = [locals];
    try {
      const t = this.expr(e);
      this.reportUnknownStructs();
      return t;
    } finally {
      this.fn = undefined;
      this.scopes = [];
    }
  }

  /** Struct tags used but never defined: C allows a pointer to one, but here it is a typo. */
  private reportUnknownStructs(): void {
    for (const [tag, at] of this.structRefs) {
      const st = this.structs.get(tag);
      if (st && !st.complete) this.diags.error(at, 'C004', `struct ${tag}`, suggest(tag, [...this.structs.values()].filter(s => s.complete).map(s => s.tag)).replace(/'([^']+)'\?$/, "'struct $1'?"));
    }
    this.structRefs.clear();
  }

  private define(name: string, sym: Symbol, at: Range): void {
    const old = this.global.get(name);
    if (old && !(old.kind === 'function' && sym.kind === 'function')) this.diags.error(at, 'C005', name);
    this.global.set(name, sym);
  }

  private declare(d: A.TopDecl): void {
    switch (d.kind) {
      case 'TypeDecl': {
        const t = this.resolve(d.type);
        if (d.typedefName) {
          if (this.typedefs.has(d.typedefName) && this.isEngineName(d.typedefName)) this.diags.error(d.nameRange!, 'C020', d.typedefName);
          else this.typedefs.set(d.typedefName, t);
        }
        return;
      }
      case 'Var': {
        const t = this.resolve(d.type);
        const sym: Symbol = { kind: 'global', name: d.name, type: t, index: this.globals.length, decl: d };
        d.sym = sym;
        this.globals.push(d);
        this.define(d.name, sym, d.nameRange);
        return;
      }
      case 'PerCpu': {
        const t = this.resolve(d.type);
        const sym: Symbol = { kind: 'percpu', name: d.name, type: t, index: this.percpu.length, decl: d };
        d.sym = sym;
        this.percpu.push(d);
        this.define(d.name, sym, d.nameRange);
        return;
      }
      case 'Function': {
        const ret = this.resolve(d.returnType);
        const params = d.params.map(p => this.resolve(p.type));
        const prev = this.functions.get(d.name);
        const sym: Symbol = { kind: 'function', name: d.name, type: { kind: 'func', ret, params, variadic: d.variadic }, decl: d };
        d.sym = sym;
        if (prev?.body && d.body) { this.diags.error(d.nameRange, 'C005', d.name); return; }
        if (!prev || d.body) {
          this.functions.set(d.name, d);
          this.define(d.name, sym, d.nameRange);
        }
        return;
      }
    }
  }

  private isEngineName(name: string): boolean {
    const t = this.typedefs.get(name);
    return !!t && isStruct(t) && !!t.engine;
  }

  // ---- types ----
  resolve(spec: A.TypeSpec): Type {
    if (spec.resolved) return spec.resolved;
    let t = this.resolveBase(spec.base);
    for (let i = 0; i < spec.pointers; i++) t = ptrTo(t, spec.percpu && i === spec.pointers - 1);
    for (let i = spec.arrayDims.length - 1; i >= 0; i--) {
      const dim = spec.arrayDims[i];
      let n = 0;
      if (dim) {
        const v = this.constValue(dim);
        if (v === undefined || v <= 0 || !Number.isInteger(v) || v > 1 << 20) this.diags.error(dim.range, 'C021');
        else n = v;
      }
      t = { kind: 'array', of: t, length: n };
    }
    spec.resolved = t;
    return t;
  }

  private resolveBase(b: A.BaseSpec): Type {
    switch (b.kind) {
      case 'named': {
        const c = CANONICAL[b.name] ?? this.typedefs.get(b.name);
        if (c) return c;
        const names = [...Object.keys(CANONICAL), ...this.typedefs.keys()];
        this.diags.error(b.range, 'C004', b.name, suggest(b.name, names));
        return T.int;
      }
      case 'enum': {
        if (b.body) {
          let next = 0;
          for (const m of b.body) {
            if (m.value) {
              const v = this.constValue(m.value);
              if (v === undefined) this.diags.error(m.value.range, 'C022');
              else next = v;
            }
            m.resolved = next;
            this.enumConsts.set(m.name, next);
            this.define(m.name, { kind: 'enumConst', name: m.name, value: next, type: T.int, decl: m }, m.range);
            next++;
          }
        }
        return T.int;
      }
      case 'struct': {
        const key = b.tag;
        let st = key ? this.structs.get(key) : undefined;
        if (!b.body) {
          if (!st) {
            st = { kind: 'struct', tag: key, union: b.union, fields: [], fieldMap: new Map(), slots: 0, complete: false, range: b.range };
            this.structs.set(key, st);
          }
          if (!st.complete && !this.structRefs.has(key)) this.structRefs.set(key, b.range);
          return st;
        }
        if (st?.complete) {
          this.diags.error(b.range, st.engine ? 'C020' : 'C005', `struct ${key}`);
          return st;
        }
        if (!st) {
          st = { kind: 'struct', tag: key, union: b.union, fields: [], fieldMap: new Map(), slots: 0, complete: false, range: b.range };
          if (key) this.structs.set(key, st);
        }
        st.union = b.union;
        st.range = b.range;
        st.engine = b.range.file === PRELUDE_FILE;
        this.layout(st, b.body);
        st.complete = true;
        this.structRefs.delete(key);
        return st;
      }
    }
  }

  /** Field slots: members of a union share storage when they have the same type. */
  private layout(st: StructType, body: A.FieldDecl[]): void {
    const add = (name: string, type: Type, slot: number, range: Range) => {
      if (st.fieldMap.has(name)) { this.diags.error(range, 'C005', name); return; }
      const f: FieldInfo = { name, type, slot, owner: st, range };
      st.fields.push(f);
      st.fieldMap.set(name, f);
    };
    const unionSlots: { type: Type; slot: number }[] = [];
    const place = (type: Type): number => {
      if (!st.union) return st.slots++;
      const same = unionSlots.find(u => typeName(u.type) === typeName(type));
      if (same) return same.slot;
      const slot = st.slots++;
      unionSlots.push({ type, slot });
      return slot;
    };
    for (const fd of body) {
      const t = this.resolve(fd.type);
      if (fd.name === '' && isStruct(t)) {
        // anonymous struct/union: its members are the parent's
        const inner = t;
        const base = st.slots;
        const slotOf = new Map<number, number>();
        for (const f of inner.fields) {
          let s = slotOf.get(f.slot);
          if (s === undefined) { s = st.union ? place(f.type) : base + f.slot; slotOf.set(f.slot, s); }
          add(f.name, f.type, s, f.range ?? fd.range);
        }
        if (!st.union) st.slots = base + inner.slots;
        continue;
      }
      if (isStruct(t) && !t.complete) this.diags.error(fd.type.range, 'C012', typeName(t));
      add(fd.name, t, place(t), fd.nameRange);
    }
  }

  // ---- constants ----
  constValue(e: A.Expr): number | undefined {
    switch (e.kind) {
      case 'Number': return e.value;
      case 'Ident': {
        const s = this.lookup(e.name);
        return s?.kind === 'enumConst' ? s.value : undefined;
      }
      case 'SizeOf': {
        this.expr(e);
        return e.value;
      }
      case 'Cast': return this.constValue(e.operand);
      case 'Unary': {
        const v = this.constValue(e.operand);
        if (v === undefined) return undefined;
        switch (e.op) { case '-': return -v; case '+': return v; case '!': return v ? 0 : 1; case '~': return ~v; }
        return undefined;
      }
      case 'Binary': {
        const l = this.constValue(e.left);
        const r = this.constValue(e.right);
        if (l === undefined || r === undefined) return undefined;
        switch (e.op) {
          case '+': return l + r; case '-': return l - r; case '*': return l * r;
          case '/': return r ? Math.trunc(l / r) : undefined; case '%': return r ? l % r : undefined;
          case '<<': return l * 2 ** r; case '>>': return Math.floor(l / 2 ** r);
          case '&': return Number(BigInt(l) & BigInt(r)); case '|': return Number(BigInt(l) | BigInt(r)); case '^': return Number(BigInt(l) ^ BigInt(r));
          case '==': return +(l === r); case '!=': return +(l !== r); case '<': return +(l < r); case '>': return +(l > r);
          case '<=': return +(l <= r); case '>=': return +(l >= r); case '&&': return +(!!l && !!r); case '||': return +(!!l || !!r);
        }
        return undefined;
      }
      case 'Ternary': {
        const c = this.constValue(e.cond);
        return c === undefined ? undefined : this.constValue(c ? e.then : e.else);
      }
      default: return undefined;
    }
  }

  // ---- scopes ----
  private lookup(name: string): Symbol | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i].get(name);
      if (s) return s;
    }
    return this.fn?.zones?.get(name) ?? this.global.get(name);
  }

  private visibleNames(): string[] {
    const names = new Set<string>(this.global.keys());
    for (const sc of this.scopes) for (const k of sc.keys()) names.add(k);
    if (this.fn?.zones) for (const k of this.fn.zones.keys()) names.add(k);
    return [...names];
  }

  private declareLocal(d: A.VarDecl | A.Param, type: Type): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope.has(d.name)) this.diags.error(d.nameRange, 'C005', d.name);
    const slot = this.fn!.nextSlot++;
    d.slot = slot;
    const sym: Symbol = { kind: 'local', name: d.name, type, slot, decl: d };
    if ('kind' in d) d.sym = sym;
    scope.set(d.name, sym);
  }

  // ---- functions and blocks ----
  private checkFunction(f: A.FunctionDecl): void {
    const sym = f.sym;
    const ret = sym?.kind === 'function' ? sym.type.ret : T.void;
    this.fn = { name: f.name, ret, nextSlot: 0, labels: new Map(), gotos: [], loops: 0, switches: 0, scenario: false };
    this.scopes = [new Map()];
    for (const p of f.params) if (p.name) this.declareLocal(p, this.resolve(p.type));
    this.block(f.body!, false);
    this.finishLabels();
    f.frameSize = this.fn.nextSlot;
    f.labels = this.fn.labels;
    this.fn = undefined;
    this.scopes = [];
  }

  /** A scenario block: statements in the model's global scope plus the scenario's zones. */
  checkScenarioBlock(stmts: A.Stmt[], zones: Map<string, Symbol>): { frameSize: number; labels: Map<string, A.LabelStmt> } {
    this.fn = { name: '<scenario>', ret: T.void, nextSlot: 0, labels: new Map(), gotos: [], loops: 0, switches: 0, scenario: true, zones };
    this.scopes = [new Map()];
    for (const s of stmts) this.stmt(s);
    this.finishLabels();
    this.reportUnknownStructs();
    const res = { frameSize: this.fn.nextSlot, labels: this.fn.labels };
    this.fn = undefined;
    this.scopes = [];
    return res;
  }

  private finishLabels(): void {
    for (const g of this.fn!.gotos) {
      if (!this.fn!.labels.has(g.label)) this.diags.error(g.labelRange, 'C010', g.label);
    }
  }

  private block(b: A.Block, newScope = true): void {
    if (newScope) this.scopes.push(new Map());
    for (const s of b.body) this.stmt(s);
    if (newScope) this.scopes.pop();
  }

  private stmt(s: A.Stmt): void {
    const fn = this.fn!;
    switch (s.kind) {
      case 'Block': return this.block(s);
      case 'ExprStmt': this.expr(s.expr); return;
      case 'DeclStmt':
        for (const d of s.decls) {
          const t = this.resolve(d.type);
          if (isStruct(t) && !t.complete) this.diags.error(d.type.range, 'C012', typeName(t));
          if (d.init) this.checkInit(d.init, t, `when initializing '${d.name}'`);
          this.declareLocal(d, t); // after the initialiser: "int x = x;" names the outer x
        }
        return;
      case 'If': this.cond(s.cond); this.stmt(s.then); if (s.else) this.stmt(s.else); return;
      case 'While': this.cond(s.cond); fn.loops++; this.stmt(s.body); fn.loops--; return;
      case 'DoWhile': fn.loops++; this.stmt(s.body); fn.loops--; this.cond(s.cond); return;
      case 'For':
        this.scopes.push(new Map());
        if (s.init) this.stmt(s.init);
        if (s.cond) this.cond(s.cond);
        if (s.step) this.expr(s.step);
        fn.loops++; this.stmt(s.body); fn.loops--;
        this.scopes.pop();
        return;
      case 'ForEach':
        this.forEach(s);
        return;
      case 'Switch': {
        const before = this.diags.errorCount;
        const st = decay(this.expr(s.expr));
        if (st.kind !== 'int' && this.diags.errorCount === before) this.diags.error(s.expr.range, 'C037', 'switch quantity', typeName(st));
        fn.switches++;
        const seen = new Set<number>();
        this.stmt(s.body);
        const cases = s.body.kind === 'Block' ? s.body.body.filter((x): x is A.CaseStmt => x.kind === 'Case') : [];
        for (const c of cases) {
          if (c.constValue === undefined) continue;
          const hi = c.high ? c.constHigh : c.constValue;
          if (hi === undefined) continue;
          // a range is checked value by value while that stays cheap
          for (let v = c.constValue; v <= Math.min(hi, c.constValue + 4096); v++) {
            if (seen.has(v)) { this.diags.error(c.range, 'C019', v); break; }
            seen.add(v);
          }
        }
        fn.switches--;
        return;
      }
      case 'Case':
        if (fn.switches === 0) this.diags.error(s.range, 'C023', s.value ? 'case' : 'default');
        if (s.value) {
          this.expr(s.value);
          const v = this.constValue(s.value);
          if (v === undefined) this.diags.error(s.value.range, 'C022');
          s.constValue = v;
          if (s.high) {
            this.expr(s.high);
            const h = this.constValue(s.high);
            if (h === undefined) this.diags.error(s.high.range, 'C022');
            else if (v !== undefined && h < v) this.diags.error(s.high.range, 'C029');
            s.constHigh = h;
          }
        }
        return;
      case 'Break':
        if (fn.loops === 0 && fn.switches === 0) this.diags.error(s.range, 'C011', 'break', ' or switch');
        return;
      case 'Continue':
        if (fn.loops === 0) this.diags.error(s.range, 'C011', 'continue', '');
        return;
      case 'Return':
        if (s.value) {
          const before = this.diags.errorCount;
          this.expr(s.value);
          if (fn.ret.kind === 'void' && !fn.scenario) this.diags.error(s.value.range, 'C016', fn.name);
          else if (!fn.scenario) this.convert(fn.ret, s.value, before, `when returning from '${fn.name}'`);
        } else if (fn.ret.kind !== 'void') this.diags.warning(s.range, 'C017', fn.name);
        return;
      case 'Goto': fn.gotos.push(s); return;
      case 'Label':
        if (fn.labels.has(s.label)) this.diags.error(s.range, 'C005', s.label);
        fn.labels.set(s.label, s);
        this.stmt(s.body);
        return;
      case 'Empty': return;
    }
  }

  private cond(e: A.Expr): void {
    const t = this.expr(e);
    if (isStruct(t)) this.diags.error(e.range, 'C015', 1, 'condition', 'a scalar (integer or pointer)');
  }

  private forEach(s: A.ForEachStmt): void {
    const b = BUILTINS.get(s.iterator)!;
    this.scopes.push(new Map());
    const types = this.builtinArgs(b, s.args, s.iteratorRange, s.range);
    const fn = this.fn!;
    if (b.category === 'list-iter' && s.iterator !== 'list_for_each') {
      // the member names the list node inside the entry type of pos
      const pos = types[0];
      const member = s.args[s.args.length - 1];
      if (isPtr(pos) && isStruct(pos.to) && member?.kind === 'MemberArg') this.memberOf(pos.to, member.name, member.range);
      else if (pos && !isPtr(pos)) this.diags.error(s.args[0].range, 'C015', 1, s.iterator, 'a pointer to the entry type');
    } else if (b.category === 'zone-iter') {
      const z = types[0];
      if (z && !(isPtr(z) && isStruct(z.to) && z.to.tag === 'zone')) this.diags.error(s.args[0].range, 'C015', 1, s.iterator, 'a struct zone * variable');
    } else if (b.category === 'cpu-iter') {
      if (types[0] && !isInt(types[0])) this.diags.error(s.args[0].range, 'C015', 1, s.iterator, 'an integer variable');
    }
    fn.loops++;
    this.stmt(s.body);
    fn.loops--;
    this.scopes.pop();
  }

  private checkInit(init: A.Expr | A.InitList, t: Type, what: string): void {
    if (init.kind !== 'InitList') {
      const before = this.diags.errorCount;
      this.expr(init);
      this.convert(t, init, before, what);
      return;
    }
    // a scalar in braces (int x = { 1 };) is C; its one value is checked as the scalar
    if (!isStruct(t) && t.kind !== 'array') {
      init.items.forEach((item, i) => {
        if (i === 0) this.checkInit(item.value, t, what);
        else this.diags.error(item.value.range, 'C031', 'scalar');
      });
      return;
    }
    let pos = 0; // the next element or field a value without a designator goes to
    for (const item of init.items) {
      let ft: Type | undefined;
      if (isStruct(t)) {
        if (item.designator) {
          const f = this.memberOf(t, item.designator, item.range);
          ft = f?.type;
          if (f) pos = t.fields.indexOf(f) + 1;
        } else if (pos < t.fields.length) {
          ft = t.fields[pos++].type;
        } else {
          // storing it would write past the struct
          this.diags.error(item.value.range, 'C031', t.union ? 'union' : 'struct');
        }
      } else if (t.kind === 'array') {
        ft = t.of;
        let at = pos;
        if (item.index) {
          this.expr(item.index);
          const v = this.constValue(item.index);
          if (v === undefined) { this.diags.error(item.index.range, 'C022'); at = -1; } else at = v;
        }
        if (at >= 0 && t.length > 0 && (at >= t.length)) {
          if (item.index) this.diags.error(item.index.range, 'C032', at, t.length);
          else this.diags.error(item.value.range, 'C031', 'array');
        }
        pos = at + 1;
      }
      // a member that does not exist has been reported: type its value, nothing more
      if (ft) this.checkInit(item.value, ft, what);
      else if (item.value.kind !== 'InitList') this.expr(item.value);
    }
  }

  /**
   * A value stored into a `to` (initialiser, assignment, argument, return): report what
   * gcc refuses, at the value. A value that was already wrong (an undeclared name, say)
   * has said so since `before`: no second error about its type.
   */
  private convert(to: Type, value: A.Expr, before: number, what: string): void {
    if (this.diags.errorCount > before || !value.type) return;
    const from = value.type;
    const nullConst = isInt(from) && this.constValue(value) === 0;
    const problem = conversionProblem(to, from, nullConst, value.kind === 'String');
    if (!problem) return;
    if (from.kind === 'void') this.diags.error(value.range, 'C025');
    else this.diags.error(value.range, 'C024', what, typeName(to), typeName(from), problem);
  }

  // ---- expressions ----
  expr(e: A.Expr): Type {
    const t = this.exprInner(e);
    e.type = t;
    return t;
  }

  private isLvalue(e: A.Expr): boolean {
    switch (e.kind) {
      // an undeclared name was already reported; do not add "not assignable" to it
      case 'Ident': return !e.sym || e.sym.kind === 'local' || e.sym.kind === 'global' || e.sym.kind === 'percpu';
      case 'Member': case 'Index': return true;
      case 'Unary': return e.op === '*';
      case 'Call': {
        const b = e.callee.sym?.kind === 'builtin' ? e.callee.sym.builtin : undefined;
        return b?.returns === 'percpu-var0' || b?.name === 'READ_ONCE';
      }
      default: return false;
    }
  }

  private requireLvalue(e: A.Expr): void {
    if (!this.isLvalue(e)) this.diags.error(e.range, 'C013');
  }

  /** An assignment or ++/-- of a const variable, or of a member or element of one. */
  private requireWritable(e: A.Expr): void {
    let root = e;
    while ((root.kind === 'Member' && !root.arrow) || (root.kind === 'Index' && root.object.type?.kind === 'array')) root = root.object;
    if (root.kind !== 'Ident' || !root.sym || (root.sym.kind !== 'local' && root.sym.kind !== 'global' && root.sym.kind !== 'percpu')) return;
    if (!root.sym.decl.type.readonly) return;
    if (root === e) this.diags.error(e.range, 'C035', root.name);
    else this.diags.error(e.range, 'C036', root.name);
  }

  private exprInner(e: A.Expr): Type {
    switch (e.kind) {
      case 'Number':
        if (/[uU]/.test(e.text)) return e.value > 0xffffffff || /[lL]/.test(e.text) ? T.ulong : T.uint;
        if (/[lL]/.test(e.text)) return T.long;
        return e.value > 0x7fffffff ? (e.value > 0xffffffff ? T.long : T.uint) : T.int;
      case 'String': return ptrTo(T.char);
      case 'Ident': {
        const s = this.lookup(e.name);
        e.sym = s;
        if (!s) {
          this.undeclared(e.name, e.range);
          return T.int;
        }
        switch (s.kind) {
          case 'local': case 'global': case 'percpu': case 'zone': return s.type;
          case 'enumConst': return T.int;
          case 'function': return s.type;
          case 'builtin': return T.int;
        }
        return T.int;
      }
      case 'Unary': {
        const outer = this.onePast;
        if (e.op === '&') this.onePast = e.operand;
        const t = this.expr(e.operand);
        this.onePast = outer;
        switch (e.op) {
          case '*':
            if (t.kind === 'ptr') {
              if (t.to.kind === 'void') this.diags.error(e.range, 'C008', typeName(t));
              return t.to;
            }
            if (t.kind === 'array') return t.of;
            this.diags.error(e.range, 'C008', typeName(t));
            return T.int;
          case '&':
            this.requireLvalue(e.operand);
            return ptrTo(t.kind === 'array' ? t : t, this.isPercpuLvalue(e.operand));
          case '!': return T.int;
          case '++': case '--': this.requireLvalue(e.operand); this.requireWritable(e.operand); return t;
          default:
            // -p, +p, ~p of a pointer or a struct: gcc's "wrong type argument to unary"
            if (t.kind !== 'int') this.diags.error(e.range, 'C038', e.op, typeName(t));
            return promote(t);
        }
      }
      case 'Postfix': {
        const t = this.expr(e.operand);
        this.requireLvalue(e.operand);
        this.requireWritable(e.operand);
        return t;
      }
      case 'Binary': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        switch (e.op) {
          case '==': case '!=': case '<': case '>': case '<=': case '>=': {
            // gcc's warnings: a pointer compared with a non-zero integer, or with a pointer to another type
            const pl = decay(l);
            const pr = decay(r);
            if (isPtr(pl) !== isPtr(pr) && (isInt(pl) || isInt(pr))) {
              const intSide = isInt(pl) ? e.left : e.right;
              if (this.constValue(intSide) !== 0) this.diags.warning(e.range, 'C039', typeName(l), typeName(r));
            } else if (isPtr(pl) && isPtr(pr) && conversionProblem(pl, pr, false)) {
              this.diags.warning(e.range, 'C040', typeName(l), typeName(r));
            }
            return T.int;
          }
          case '&&': case '||': return T.int;
          case '+': case '-': {
            const pl = isPtr(decay(l));
            const pr = isPtr(decay(r));
            // pointer + pointer and integer - pointer mean nothing in C
            if ((pl && pr && e.op === '+') || (!pl && pr && e.op === '-')) this.diags.error(e.range, 'C030', e.op, typeName(l), typeName(r));
            if (pl && pr && e.op === '-') return T.long;
            if (isPtr(l) || l.kind === 'array') return isPtr(l) ? l : ptrTo((l as { of: Type }).of);
            if (isPtr(r) && e.op === '+') return r;
            return arith(l, r);
          }
          case '<<': case '>>':
            if (isPtr(decay(l)) || isPtr(decay(r))) this.diags.error(e.range, 'C030', e.op, typeName(l), typeName(r));
            return promote(l);
          default:
            if (isStruct(l) || isStruct(r)) this.diags.error(e.range, 'C015', 1, e.op, 'an integer');
            else if (isPtr(decay(l)) || isPtr(decay(r))) this.diags.error(e.range, 'C030', e.op, typeName(l), typeName(r));
            return arith(l, r);
        }
      }
      case 'Assign': {
        const before = this.diags.errorCount;
        const t = this.expr(e.target);
        this.requireLvalue(e.target);
        this.requireWritable(e.target);
        if (t.kind === 'array' && this.diags.errorCount === before) this.diags.error(e.target.range, 'C026', typeName(t));
        this.expr(e.value);
        if (e.op === '=' && t.kind !== 'array') this.convert(t, e.value, before, 'in assignment');
        return t;
      }
      case 'Ternary': {
        this.cond(e.cond);
        const a = this.expr(e.then);
        const b = this.expr(e.else);
        if (isPtr(a)) return a;
        if (isPtr(b)) return b;
        return isInt(a) && isInt(b) ? arith(a, b) : a;
      }
      case 'Comma': this.expr(e.left); return this.expr(e.right);
      case 'Cast': {
        const before = this.diags.errorCount;
        const from = decay(this.expr(e.operand));
        const to = this.resolve(e.to);
        // checked, then ignored (languages.md): only scalars convert, and anything to void
        if (this.diags.errorCount === before && to.kind !== 'void') {
          if (to.kind === 'struct' || to.kind === 'array') this.diags.error(e.range, 'C033', typeName(to));
          else if (from.kind === 'struct') this.diags.error(e.operand.range, 'C034', typeName(from), typeName(to));
          else if (from.kind === 'void') this.diags.error(e.operand.range, 'C025');
        }
        return to;
      }
      case 'SizeOf': {
        const t = e.of.kind === 'TypeSpec' ? this.resolve(e.of) : this.expr(e.of);
        if (isStruct(t) && !t.complete) this.diags.error(e.range, 'C012', typeName(t));
        e.value = sizeOf(t);
        return T.ulong;
      }
      case 'Index': {
        const t = this.expr(e.object);
        const beforeIndex = this.diags.errorCount;
        const it = decay(this.expr(e.index));
        if (it.kind !== 'int' && this.diags.errorCount === beforeIndex) this.diags.error(e.index.range, 'C037', 'array subscript', typeName(it));
        if (t.kind === 'array') {
          this.constantBounds(e, t.length);
          return t.of;
        }
        if (t.kind === 'ptr') return t.to;
        this.diags.error(e.object.range, 'C014', typeName(t));
        return T.int;
      }
      case 'Member': {
        const t = this.expr(e.object);
        let st: Type | undefined;
        if (e.arrow) {
          if (isPtr(t)) st = t.to;
          else if (isStruct(t)) { this.diags.error(e.range, 'C007', '->', 'struct', '.'); st = t; }
        } else {
          if (isStruct(t)) st = t;
          else if (isPtr(t) && isStruct(t.to)) { this.diags.error(e.range, 'C007', '.', 'pointer', '->'); st = t.to; }
        }
        if (!st || !isStruct(st)) {
          if (t !== T.int || e.object.kind !== 'Ident' || e.object.sym) this.diags.error(e.nameRange, 'C006', e.name, typeName(t));
          return T.int;
        }
        const f = this.memberOf(st, e.name, e.nameRange);
        e.field = f;
        return f?.type ?? T.int;
      }
      case 'Call': return this.call(e);
    }
  }

  /**
   * A constant index outside a local or field array is a bug the compiler can see:
   * report it (clang's -Warray-bounds wording) instead of letting it write beside the
   * array. &a[N], one past the end, is C.
   */
  private constantBounds(e: A.Index, length: number): void {
    // the debugger's evaluate reports it itself, naming the expression and the valid range
    if (length <= 0 || this.fn?.name === '<expression>') return;
    const i = this.constValue(e.index);
    if (i === undefined) return;
    if (i < 0) this.diags.error(e.index.range, 'C028', i);
    else if (i > length || (i === length && this.onePast !== e)) this.diags.error(e.index.range, 'C027', i, length);
  }

  private isPercpuLvalue(e: A.Expr): boolean {
    if (e.kind === 'Ident') return e.sym?.kind === 'percpu';
    if (e.kind === 'Member' && !e.arrow) return this.isPercpuLvalue(e.object);
    if (e.kind === 'Index') return this.isPercpuLvalue(e.object);
    return false;
  }

  private memberOf(st: StructType, name: string, at: Range): FieldInfo | undefined {
    if (!st.complete) {
      // the use names the problem; do not also call the tag unknown at the end
      this.structRefs.delete(st.tag);
      this.diags.error(at, 'C012', typeName(st));
      return undefined;
    }
    const f = st.fieldMap.get(name);
    if (!f) this.diags.error(at, 'C002', name, typeName(st), suggest(name, st.fieldMap.keys()));
    return f;
  }

  private undeclared(name: string, at: Range): void {
    this.diags.error(at, 'C001', name, suggest(name, this.visibleNames()));
  }

  private call(e: A.Call): Type {
    const name = e.callee.name;
    const s = this.lookup(name);
    if (s && s.kind === 'function') {
      e.callee.sym = s;
      e.callee.type = s.type;
      if (!this.functions.get(name)?.body) {
        if (this.fn?.scenario) this.diags.error(e.calleeRange, 'N008', name, '');
        else this.diags.error(e.calleeRange, 'C018', name);
      }
      const ft = s.type;
      const n = e.args.length;
      if (n < ft.params.length || (n > ft.params.length && !ft.variadic)) {
        this.diags.error(e.range, 'C003', n < ft.params.length ? 'few' : 'many', 'function', name, ft.params.length, n);
      }
      e.args.forEach((a, i) => {
        const before = this.diags.errorCount;
        this.arg(a);
        if (i < ft.params.length && a.kind !== 'TypeArg' && a.kind !== 'MemberArg') this.convert(ft.params[i], a, before, `for argument ${i + 1} of '${name}'`);
      });
      return ft.ret;
    }
    if (s && s.kind !== 'builtin') {
      e.callee.sym = s;
      this.diags.error(e.calleeRange, 'C009', name);
      for (const a of e.args) this.arg(a);
      return T.int;
    }
    const b = BUILTINS.get(name);
    if (!b) {
      if (this.fn?.scenario) {
        const names = [...this.functions.keys()].filter(f => this.functions.get(f)?.body);
        this.diags.error(e.calleeRange, 'N008', name, suggest(name, names));
      } else {
        this.diags.error(e.calleeRange, 'C001', name, suggest(name, [...this.visibleNames(), ...BUILTINS.keys()]));
      }
      for (const a of e.args) this.arg(a);
      return T.int;
    }
    const sym: Symbol = { kind: 'builtin', name, builtin: b };
    e.callee.sym = sym;
    if (b.iterator) this.diags.error(e.calleeRange, 'S001', 'a loop body after', `'${name}(...)' used as a value`);
    const types = this.builtinArgs(b, e.args, e.calleeRange, e.range);
    return this.builtinReturn(b, e.args, types);
  }

  private arg(a: A.Arg): Type | undefined {
    if (a.kind === 'TypeArg') return this.resolve(a.spec);
    if (a.kind === 'MemberArg') return undefined;
    return this.expr(a);
  }

  private builtinArgs(b: Builtin, args: A.Arg[], calleeRange: Range, whole: Range): (Type | undefined)[] {
    if (args.length !== b.args.length) {
      this.diags.error(whole, 'C003', args.length < b.args.length ? 'few' : 'many', 'builtin', b.name, b.args.length, args.length);
    }
    const types: (Type | undefined)[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const kind = b.args[i];
      if (kind === 'type' && a.kind !== 'TypeArg') { this.diags.error(a.range, 'C015', i + 1, b.name, 'a type name'); types.push(undefined); continue; }
      if (kind === 'member' && a.kind !== 'MemberArg') { this.diags.error(a.range, 'C015', i + 1, b.name, 'a member name'); types.push(undefined); continue; }
      const before = this.diags.errorCount;
      const t = this.arg(a);
      types.push(t);
      if (!t || a.kind === 'TypeArg' || a.kind === 'MemberArg') continue;
      // an argument that is itself wrong (an undeclared name, say) has said so: no second error on its type
      if (this.diags.errorCount > before) continue;
      const want = this.argProblem(kind, t, a as A.Expr);
      if (want) this.diags.error(a.range, 'C015', i + 1, b.name, want);
      // the kernel's ARRAY_SIZE refuses a pointer (__must_be_array)
      else if (b.name === 'ARRAY_SIZE' && t.kind !== 'array') this.diags.error(a.range, 'C015', 1, b.name, 'an array');
      // WRITE_ONCE(x, v) is x = v
      else if (b.name === 'WRITE_ONCE' && i === 1 && types[0]) this.convert(types[0], a as A.Expr, before, `for argument 2 of 'WRITE_ONCE'`);
    }
    void calleeRange;
    return types;
  }

  /** What the argument should have been, or '' when it is fine. */
  private argProblem(kind: string | undefined, t: Type, e: A.Expr): string {
    const voidPtr = isPtr(t) && t.to.kind === 'void';
    const ptrToStruct = (tags: string[]) => voidPtr || (isPtr(t) && isStruct(t.to) && (tags.includes(t.to.tag) || (!!t.to.lock && tags.includes(t.to.lock))));
    switch (kind) {
      case 'lock': return ptrToStruct(LOCK_TYPES) ? '' : 'a pointer to a lock (spinlock_t *, raw_spinlock_t *, local_lock_t *)';
      case 'list': return ptrToStruct(['list_head']) ? '' : 'a pointer to a struct list_head';
      case 'page': return ptrToStruct(['page']) ? '' : 'a struct page *';
      case 'zone': return ptrToStruct(['zone']) ? '' : 'a struct zone *';
      case 'int': return isInt(t) ? '' : 'an integer';
      case 'out': case 'lvalue': return this.isLvalue(e) ? '' : 'a variable (an lvalue)';
      case 'percpu': return (isPtr(t) && t.percpu) || this.isPercpuLvalue(e) ? '' : 'a __percpu pointer or DEFINE_PER_CPU variable';
      default: return '';
    }
  }

  private builtinReturn(b: Builtin, args: A.Arg[], types: (Type | undefined)[]): Type {
    switch (b.returns) {
      case 'void': return T.void;
      case 'int': return T.int;
      case 'bool': return T.bool;
      case 'uint': return T.uint;
      case 'ulong': return T.ulong;
      case 'long': return T.long;
      case 'page': return ptrTo(this.structs.get('page') ?? T.void);
      case 'zone': return ptrTo(this.structs.get('zone') ?? T.void);
      case 'arg0': return types[0] ?? T.int;
      case 'arg1': return types[1] ?? T.int;
      case 'type0': return types[0] ?? T.int;
      case 'deref-percpu0': {
        const t = types[0];
        if (isPtr(t)) return { kind: 'ptr', to: t.to, percpu: false } as PtrType;
        return t ? ptrTo(t) : T.int;
      }
      case 'percpu-var0': return types[0] ?? T.int;
      case 'entry1': {
        const t = types[1];
        const m = args[2];
        if (t && isStruct(t) && m?.kind === 'MemberArg') this.memberOf(t, m.name, m.range);
        return t ? ptrTo(t) : T.int;
      }
    }
  }
}
