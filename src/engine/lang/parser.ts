// Recursive-descent parser for Kernel C. Every node gets the exact range of its
// tokens. On an error it reports, skips to the next statement or declaration boundary
// and goes on, so one file yields all its errors at once.
import * as A from './ast';
import { DiagnosticBag, Range } from './diagnostics';
import { Token, rangeOf, stringValue } from './lexer';
import { BUILTINS } from '../builtins';
import { NAMED_INTS } from './types';

const MAX_DEPTH = 200;

const INT_KEYWORDS = new Set(['int', 'unsigned', 'signed', 'long', 'short', 'char', 'void', 'bool', '_Bool']);
const QUALIFIERS = new Set([
  'const', 'volatile', 'static', 'inline', 'extern', 'register', 'auto', '__inline', '__inline__',
  '__always_inline', 'noinline', '__noinline', '__maybe_unused', '__always_unused', '__init', '__meminit', '__ref', '__read_mostly',
  '__cacheline_aligned', '__cacheline_aligned_in_smp', '__must_check', 'notrace', '__latent_entropy',
  '__weak', '__cold', '__hot', '__noreturn', '__rcu', '__user', '__iomem', '__force', '__private', 'restrict', '__restrict',
  '__data_racy', 'noinstr', '__sched', '__ro_after_init', '__initdata', '__meminitdata', '__pure', '__attribute_const__',
]);
/** annotations that carry a parenthesised argument: skipped with it */
const PAREN_NOISE = new Set(['__attribute__', '__attribute', '__aligned', '__releases', '__acquires', '__must_hold', '__cond_acquires', '__section', '__printf', 'asm', '__asm__']);
/** Kernel macros that define a global lock: `static DEFINE_SPINLOCK(name);`. */
const DEFINE_LOCK = new Map([['DEFINE_SPINLOCK', 'spinlock_t'], ['DEFINE_RAW_SPINLOCK', 'raw_spinlock_t']]);
const TOP_NOISE = new Set(['EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL', 'EXPORT_PER_CPU_SYMBOL', 'EXPORT_PER_CPU_SYMBOL_GPL', 'early_param', 'core_initcall', 'module_init', 'late_initcall', 'DECLARE_PER_CPU']);

class Abort extends Error {}

export class Parser {
  private pos = 0;
  private depth = 0;
  private depthReported = false;

  constructor(private readonly toks: Token[], private readonly diags: DiagnosticBag, readonly typedefs: Set<string>) {}

  // ---- token helpers ----
  private get tok(): Token { return this.toks[Math.min(this.pos, this.toks.length - 1)]; }
  private peek(k = 1): Token { return this.toks[Math.min(this.pos + k, this.toks.length - 1)]; }
  private next(): Token { const t = this.tok; if (t.kind !== 'eof') this.pos++; return t; }
  private is(text: string): boolean { const t = this.tok; return t.text === text && (t.kind === 'punct' || t.kind === 'ident'); }
  private eat(text: string): boolean { if (this.is(text)) { this.pos++; return true; } return false; }
  private prev(): Token { return this.toks[Math.max(0, this.pos - 1)]; }
  /** A scenario block's statements end with an eof token named '<end of block>' (load.ts). */
  private describe(t: Token): string { return t.kind === 'eof' ? (t.text === '<end of block>' ? 'the end of the block' : 'end of file') : `'${t.text}'`; }
  private expect(text: string): Token {
    if (this.is(text)) return this.next();
    if (text === ';') this.missingSemicolon();
    else this.diags.error(this.tok, 'S001', `'${text}'`, this.describe(this.tok));
    throw new Abort();
  }
  /**
   * The ';' that ends a statement. When it is missing and the next token starts a new
   * line (or closes the block), that token most likely starts the next statement: keep
   * this one and go on, so the next line is parsed rather than skipped.
   */
  private endStatement(): void {
    if (this.eat(';')) return;
    this.missingSemicolon();
    if (this.tok.bol || this.is('}') || this.tok.kind === 'eof') return;
    throw new Abort();
  }
  /**
   * A missing ';' is reported where it belongs, just after the statement's last token
   * (as gcc does), not at the next line's first token.
   */
  private missingSemicolon(): void {
    const last = this.pos > 0 ? this.toks[this.pos - 1] : undefined;
    const at: Range = last
      ? { file: last.file, line: last.endLine, column: last.endColumn, endLine: last.endLine, endColumn: last.endColumn + 1 }
      : this.tok;
    this.diags.error(at, 'S001', "';'", this.describe(this.tok));
  }
  private ident(what = 'an identifier'): Token {
    if (this.tok.kind === 'ident') return this.next();
    this.diags.error(this.tok, 'S001', what, this.describe(this.tok));
    throw new Abort();
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth--; // the caller's leave() is not reached: keep the count balanced
      if (!this.depthReported) this.diags.error(this.tok, 'S005', MAX_DEPTH);
      this.depthReported = true;
      throw new Abort();
    }
  }
  private leave(): void { this.depth--; }
  private from(start: Token): Range { return rangeOf(start, this.prev()); }

  /** Skips to a plausible restart point: after ';' or before '}' at this nesting level. */
  private sync(topLevel: boolean): void {
    let level = 0;
    const start = this.pos;
    while (this.tok.kind !== 'eof') {
      const t = this.tok.text;
      if (this.tok.kind === 'punct') {
        if (t === '{' || t === '(' || t === '[') level++;
        else if (t === '}' || t === ')' || t === ']') {
          if (level === 0) {
            if (t === '}' && !topLevel) return;
            this.pos++;
            if (topLevel && t === '}' && this.is(';')) this.pos++;
            if (topLevel && t === '}') return;
            continue;
          }
          level--;
          if (level === 0 && t === '}' && topLevel) { this.pos++; this.eat(';'); return; }
        } else if (t === ';' && level === 0) { this.pos++; return; }
      }
      this.pos++;
    }
    if (this.pos === start) this.pos++;
  }

  // ---- model files ----
  parseModel(): A.ModelAst {
    const decls: A.TopDecl[] = [];
    while (this.tok.kind !== 'eof') {
      const before = this.pos;
      this.depth = 0;
      try {
        this.topLevel(decls);
      } catch (e) {
        if (!(e instanceof Abort) && !(e instanceof RangeError)) throw e;
        if (e instanceof RangeError) this.reportTooDeep();
        this.sync(true);
      }
      if (this.pos === before) this.pos++;
    }
    return { decls };
  }

  /** Statements of a scenario block (already macro-expanded tokens), up to eof. */
  parseStatements(): A.Stmt[] {
    const out: A.Stmt[] = [];
    while (this.tok.kind !== 'eof') {
      const before = this.pos;
      const s = this.statementSafe();
      if (s) out.push(s);
      if (this.pos === before) this.pos++;
    }
    return out;
  }

  /** One expression filling all the tokens (the debugger's evaluate); undefined after a reported error. */
  parseLoneExpression(): A.Expr | undefined {
    try {
      const e = this.expression();
      if (this.tok.kind !== 'eof') {
        this.diags.error(this.tok, 'S001', 'the end of the expression', this.describe(this.tok));
        return undefined;
      }
      return e;
    } catch (e) {
      if (e instanceof RangeError) { this.reportTooDeep(); return undefined; }
      if (!(e instanceof Abort)) throw e;
      return undefined;
    }
  }

  private reportTooDeep(): void {
    if (!this.depthReported) this.diags.error(this.tok, 'S005', MAX_DEPTH);
    this.depthReported = true;
  }

  private topLevel(decls: A.TopDecl[]): void {
    const start = this.tok;
    if (this.eat(';')) return;
    let isTypedef = false;
    let isStatic = false;
    for (;;) {
      if (this.is('typedef')) { this.pos++; isTypedef = true; continue; }
      if (this.is('static')) { this.pos++; isStatic = true; continue; }
      if (this.is('const')) break; // the declaration's own: declSpecifiers records it
      if (this.skipNoise()) continue;
      break;
    }
    const t = this.tok;
    if (t.kind === 'ident' && (t.text === 'DEFINE_PER_CPU' || t.text === 'DEFINE_PER_CPU_SHARED_ALIGNED')) {
      this.pos++;
      this.expect('(');
      const spec = this.typeName();
      this.expect(',');
      const name = this.ident('a variable name');
      this.expect(')');
      const init = this.eat('=') ? this.initializer() : undefined;
      this.endStatement();
      decls.push({ kind: 'PerCpu', name: name.text, nameRange: rangeOf(name), type: spec, init, range: this.from(start) });
      return;
    }
    if (t.kind === 'ident' && TOP_NOISE.has(t.text) && this.peek().text === '(') {
      this.pos++;
      this.skipParens();
      this.eat(';');
      return;
    }
    if (t.kind === 'ident' && t.text === 'LIST_HEAD' && this.peek().text === '(') {
      decls.push(this.listHead(start, true));
      return;
    }
    if (t.kind === 'ident' && DEFINE_LOCK.has(t.text) && this.peek().text === '(') {
      decls.push(this.defineLock(start, DEFINE_LOCK.get(t.text)!));
      return;
    }
    if (!this.isTypeStart()) {
      if (t.kind === 'ident' && this.peek().kind === 'ident') {
        this.diags.error(t, 'C004', t.text, '');
        this.pos++;
        this.skipToEndOfDecl();
        return;
      }
      this.diags.error(t, 'S004', this.describe(t));
      throw new Abort();
    }
    const base = this.declSpecifiers();
    // a struct/enum definition alone; its ';' forgotten when the next line starts another declaration
    const bodyOnly = (base.kind === 'struct' || base.kind === 'enum') && !!base.body && !isTypedef
      && (this.tok.kind === 'eof' || (this.tok.bol && !this.startsDeclarator()));
    if (this.eat(';') || bodyOnly) {
      if (bodyOnly) this.missingSemicolon();
      decls.push({ kind: 'TypeDecl', type: this.makeSpec(base, 0, false, [], start), range: this.from(start) });
      return;
    }
    for (;;) {
      const d = this.declarator(base, start);
      if (isTypedef) {
        this.typedefs.add(d.name.text);
        decls.push({ kind: 'TypeDecl', typedefName: d.name.text, nameRange: rangeOf(d.name), type: d.spec, range: this.from(start) });
      } else if (this.is('(')) {
        decls.push(this.functionRest(d.spec, d.name, start, isStatic));
        return;
      } else {
        let init: A.Expr | A.InitList | undefined;
        if (this.eat('=')) init = this.initializer();
        decls.push({ kind: 'Var', name: d.name.text, nameRange: rangeOf(d.name), type: d.spec, init, global: true, range: this.from(start) });
      }
      if (this.eat(',')) continue;
      this.endStatement();
      return;
    }
  }

  /** `name;`, `name = ...`, `name[...]`, `*name`: a declarator after a struct body, on the next line. */
  private startsDeclarator(): boolean {
    if (this.is('*')) return true;
    if (this.tok.kind !== 'ident' || this.isTypeStart()) return false;
    const n = this.peek().text;
    return n === ';' || n === ',' || n === '=' || n === '[';
  }

  /** A ';' inside a for header: reported when missing, the header parsed on as if it were there. */
  private softSemicolon(): void {
    if (!this.eat(';')) this.missingSemicolon();
  }

  private skipToEndOfDecl(): void {
    let level = 0;
    while (this.tok.kind !== 'eof') {
      const x = this.tok.text;
      if (x === '{' || x === '(') level++;
      else if (x === '}' || x === ')') { level--; if (level <= 0 && x === '}') { this.pos++; return; } }
      else if (x === ';' && level <= 0) { this.pos++; return; }
      this.pos++;
    }
  }

  private listHead(start: Token, global: boolean): A.VarDecl {
    return { ...this.macroVar(start, 'a list name', { kind: 'struct', tag: 'list_head', union: false, range: rangeOf(start) }, global), emptyList: true };
  }

  /** `DEFINE_SPINLOCK(name);`: a global lock, unlocked, as the kernel's initialiser leaves it. */
  private defineLock(start: Token, type: string): A.VarDecl {
    return this.macroVar(start, 'a lock name', { kind: 'named', name: type, range: rangeOf(start) }, true);
  }

  /** `MACRO(name);` declaring a variable of type `base` (LIST_HEAD, DEFINE_SPINLOCK). */
  private macroVar(start: Token, what: string, base: A.BaseSpec, global: boolean): A.VarDecl {
    this.pos++;
    this.expect('(');
    const name = this.ident(what);
    this.expect(')');
    this.endStatement();
    const spec: A.TypeSpec = { kind: 'TypeSpec', base, pointers: 0, percpu: false, arrayDims: [], range: rangeOf(start) };
    return { kind: 'Var', name: name.text, nameRange: rangeOf(name), type: spec, global, range: this.from(start) };
  }

  private functionRest(spec: A.TypeSpec, name: Token, start: Token, isStatic: boolean): A.FunctionDecl {
    this.expect('(');
    const params: A.Param[] = [];
    let variadic = false;
    if (this.is('void') && this.peek().text === ')') this.pos++;
    else if (!this.is(')')) {
      for (;;) {
        if (this.eat('...')) { variadic = true; break; }
        const pstart = this.tok;
        const base = this.declSpecifiers();
        let pointers = 0;
        let percpu = false;
        let ptrConst = false;
        for (;;) {
          if (this.eat('*')) { pointers++; ptrConst = false; continue; }
          if (this.is('__percpu')) { this.pos++; percpu = true; continue; }
          if (this.is('const') && pointers > 0) ptrConst = true;
          if (this.skipNoise()) continue;
          break;
        }
        let pname: Token | undefined;
        if (this.tok.kind === 'ident') pname = this.next();
        const dims = this.arrayDims();
        const pspec = this.makeSpec(base, pointers + (dims.length ? 1 : 0), percpu, [], pstart);
        if (!dims.length && (pointers > 0 ? ptrConst : base.isConst)) pspec.readonly = true;
        params.push({ name: pname?.text ?? '', nameRange: rangeOf(pname ?? pstart), type: pspec, range: this.from(pstart) });
        if (!this.eat(',')) break;
      }
    }
    this.expect(')');
    while (this.skipNoise()) { /* trailing annotations */ }
    const fn: A.FunctionDecl = { kind: 'Function', name: name.text, nameRange: rangeOf(name), returnType: spec, params, variadic, isStatic, range: rangeOf(start) };
    if (this.eat(';')) { fn.range = this.from(start); return fn; }
    // neither a body nor ';', and the next line starts something else: a prototype missing its ';'
    if (!this.is('{') && (this.tok.bol || this.tok.kind === 'eof')) {
      this.missingSemicolon();
      fn.range = this.from(start);
      return fn;
    }
    fn.body = this.block();
    fn.range = this.from(start);
    return fn;
  }

  // ---- types ----
  private skipNoise(): boolean {
    const t = this.tok;
    if (t.kind !== 'ident') return false;
    if (QUALIFIERS.has(t.text)) { this.pos++; return true; }
    if (PAREN_NOISE.has(t.text) && this.peek().text === '(') { this.pos++; this.skipParens(); return true; }
    return false;
  }

  private skipParens(): void {
    this.expect('(');
    let level = 1;
    while (level > 0 && this.tok.kind !== 'eof') {
      const x = this.next().text;
      if (x === '(') level++;
      else if (x === ')') level--;
    }
  }

  isTypeStart(): boolean {
    const t = this.tok;
    if (t.kind !== 'ident') return false;
    const x = t.text;
    return INT_KEYWORDS.has(x) || x === 'struct' || x === 'union' || x === 'enum' || x === 'const' || x === 'volatile'
      || this.typedefs.has(x) || x in NAMED_INTS || (QUALIFIERS.has(x) && x !== 'restrict');
  }

  /** Specifiers and qualifiers up to the declarator. */
  private declSpecifiers(): A.BaseSpec {
    let isConst = false;
    while (this.is('const') ? (isConst = true) && this.skipNoise() : this.skipNoise()) { /* static, const, ... */ }
    const start = this.tok;
    const t = this.tok;
    let base: A.BaseSpec;
    if (t.text === 'struct' || t.text === 'union') {
      this.pos++;
      const union = t.text === 'union';
      let tag = '';
      while (this.skipNoise()) { /* __attribute__ */ }
      if (this.tok.kind === 'ident') tag = this.next().text;
      let body: A.FieldDecl[] | undefined;
      if (this.is('{')) body = this.structBody();
      base = { kind: 'struct', tag, union, body, range: this.from(start) };
    } else if (t.text === 'enum') {
      this.pos++;
      let tag = '';
      if (this.tok.kind === 'ident') tag = this.next().text;
      let body: A.EnumMember[] | undefined;
      if (this.is('{')) body = this.enumBody();
      base = { kind: 'enum', tag, body, range: this.from(start) };
    } else if (INT_KEYWORDS.has(t.text)) {
      const words: string[] = [];
      while (this.tok.kind === 'ident' && (INT_KEYWORDS.has(this.tok.text) || QUALIFIERS.has(this.tok.text))) {
        const w = this.next().text;
        if (INT_KEYWORDS.has(w)) words.push(w);
        else if (w === 'const') isConst = true;
      }
      base = { kind: 'named', name: canonicalInt(words), range: this.from(start) };
    } else if (t.kind === 'ident') {
      this.pos++;
      base = { kind: 'named', name: t.text, range: rangeOf(t) };
    } else {
      this.diags.error(t, 'S001', 'a type', this.describe(t));
      throw new Abort();
    }
    while (this.is('const') ? (isConst = true) && this.skipNoise() : this.skipNoise()) { /* trailing const */ }
    if (isConst) base.isConst = true;
    return base;
  }

  private makeSpec(base: A.BaseSpec, pointers: number, percpu: boolean, dims: (A.Expr | undefined)[], start: Token): A.TypeSpec {
    return { kind: 'TypeSpec', base, pointers, percpu, arrayDims: dims, range: this.from(start) };
  }

  private declarator(base: A.BaseSpec, start: Token): { spec: A.TypeSpec; name: Token } {
    let pointers = 0;
    let percpu = false;
    let ptrConst = false; // `* const`: the pointer itself is const
    for (;;) {
      if (this.eat('*')) { pointers++; ptrConst = false; continue; }
      if (this.is('__percpu')) { this.pos++; percpu = true; continue; }
      if (this.is('const') && pointers > 0) ptrConst = true;
      if (this.skipNoise()) continue;
      break;
    }
    if (this.is('(') && this.peek().text === '*') {
      this.diags.error(this.tok, 'S006', 'function pointers');
      throw new Abort();
    }
    const name = this.ident('a name');
    const dims = this.arrayDims();
    while (this.skipNoise()) { /* __aligned(..) */ }
    if (this.eat(':')) this.conditional(); // a bitfield width: accepted, storage is a full field
    const spec = this.makeSpec(base, pointers, percpu, dims, start);
    if (pointers > 0 ? ptrConst : base.isConst) spec.readonly = true;
    return { spec, name };
  }

  private arrayDims(): (A.Expr | undefined)[] {
    const dims: (A.Expr | undefined)[] = [];
    while (this.eat('[')) {
      dims.push(this.is(']') ? undefined : this.conditional());
      this.expect(']');
    }
    return dims;
  }

  /** A type name as in casts, sizeof and list_entry: specifiers and abstract pointers. */
  typeName(): A.TypeSpec {
    const start = this.tok;
    const base = this.declSpecifiers();
    let pointers = 0;
    let percpu = false;
    for (;;) {
      if (this.eat('*')) { pointers++; continue; }
      if (this.is('__percpu')) { this.pos++; percpu = true; continue; }
      if (this.skipNoise()) continue;
      break;
    }
    const dims = this.arrayDims();
    return this.makeSpec(base, pointers, percpu, dims, start);
  }

  private structBody(): A.FieldDecl[] {
    this.expect('{');
    const fields: A.FieldDecl[] = [];
    while (!this.is('}') && this.tok.kind !== 'eof') {
      const before = this.pos;
      try {
        const start = this.tok;
        if (this.eat(';')) continue;
        if (!this.isTypeStart()) {
          if (this.tok.kind === 'ident' && this.peek().kind === 'ident') {
            this.diags.error(this.tok, 'C004', this.tok.text, '');
            this.skipToEndOfDecl();
            continue;
          }
          this.diags.error(this.tok, 'S001', 'a member declaration', this.describe(this.tok));
          throw new Abort();
        }
        const base = this.declSpecifiers();
        if (this.eat(';')) {
          // anonymous union / struct member
          fields.push({ name: '', nameRange: rangeOf(start), type: this.makeSpec(base, 0, false, [], start), range: this.from(start) });
          continue;
        }
        for (;;) {
          const d = this.declarator(base, start);
          fields.push({ name: d.name.text, nameRange: rangeOf(d.name), type: d.spec, range: this.from(start) });
          if (!this.eat(',')) break;
        }
        this.endStatement();
      } catch (e) {
        if (!(e instanceof Abort)) throw e;
        this.sync(false);
      }
      if (this.pos === before) this.pos++;
    }
    this.expect('}');
    return fields;
  }

  private enumBody(): A.EnumMember[] {
    this.expect('{');
    const members: A.EnumMember[] = [];
    while (!this.is('}') && this.tok.kind !== 'eof') {
      const start = this.tok;
      const name = this.ident('an enumerator');
      let value: A.Expr | undefined;
      if (this.eat('=')) value = this.conditional();
      members.push({ name: name.text, value, range: this.from(start) });
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return members;
  }

  private initList(): A.InitList {
    const start = this.expect('{');
    const items: A.InitList['items'] = [];
    while (!this.is('}') && this.tok.kind !== 'eof') {
      const istart = this.tok;
      let designator: string | undefined;
      let index: A.Expr | undefined;
      if (this.eat('.')) { designator = this.ident('a member name').text; this.expect('='); }
      else if (this.eat('[')) { index = this.conditional(); this.expect(']'); this.expect('='); }
      const value = this.is('{') ? this.initList() : this.assignment();
      items.push({ designator, index, value, range: this.from(istart) });
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { kind: 'InitList', items, range: this.from(start) };
  }

  // ---- statements ----
  private statementSafe(): A.Stmt | undefined {
    try {
      return this.statement();
    } catch (e) {
      if (e instanceof RangeError) this.reportTooDeep();
      else if (!(e instanceof Abort)) throw e;
      this.sync(false);
      return undefined;
    }
  }

  block(): A.Block {
    const start = this.expect('{');
    const body: A.Stmt[] = [];
    this.enter();
    while (!this.is('}') && this.tok.kind !== 'eof') {
      const before = this.pos;
      const s = this.statementSafe();
      if (s) body.push(s);
      if (this.pos === before) this.pos++;
    }
    this.leave();
    // at end of file the block is reported unclosed but kept, so its contents still get checked
    if (this.tok.kind === 'eof') this.diags.error(this.tok, 'S001', "'}'", 'end of file');
    else this.expect('}');
    return { kind: 'Block', body, range: this.from(start) };
  }

  private statement(): A.Stmt {
    const start = this.tok;
    const t = this.tok;
    if (t.kind === 'punct') {
      if (t.text === '{') return this.block();
      if (t.text === ';') { this.pos++; return { kind: 'Empty', range: rangeOf(t) }; }
    }
    if (t.kind === 'ident') {
      switch (t.text) {
        case 'if': {
          this.pos++;
          this.expect('(');
          const cond = this.expression();
          this.expect(')');
          const then = this.substatement();
          let els: A.Stmt | undefined;
          if (this.eat('else')) els = this.substatement();
          return { kind: 'If', cond, then, else: els, range: this.from(start) };
        }
        case 'while': {
          this.pos++;
          this.expect('(');
          const cond = this.expression();
          this.expect(')');
          const body = this.substatement();
          return { kind: 'While', cond, body, range: this.from(start) };
        }
        case 'do': {
          this.pos++;
          const body = this.substatement();
          this.expect('while');
          this.expect('(');
          const cond = this.expression();
          this.expect(')');
          this.endStatement();
          return { kind: 'DoWhile', body, cond, range: this.from(start) };
        }
        case 'for': {
          this.pos++;
          this.expect('(');
          let init: A.Stmt | undefined;
          if (this.eat(';')) init = undefined;
          else if (this.isDeclStart()) init = this.declStatement();
          else { const e = this.expression(); this.softSemicolon(); init = { kind: 'ExprStmt', expr: e, range: e.range }; }
          const cond = this.is(';') ? undefined : this.expression();
          this.softSemicolon();
          const step = this.is(')') ? undefined : this.expression();
          this.expect(')');
          const body = this.substatement();
          return { kind: 'For', init, cond, step, body, range: this.from(start) };
        }
        case 'switch': {
          this.pos++;
          this.expect('(');
          const expr = this.expression();
          this.expect(')');
          const body = this.substatement();
          return { kind: 'Switch', expr, body, range: this.from(start) };
        }
        case 'case': {
          this.pos++;
          const value = this.conditional();
          const high = this.eat('...') ? this.conditional() : undefined;
          this.expect(':');
          return { kind: 'Case', value, high, range: this.from(start) };
        }
        case 'default':
          if (this.peek().text === ':') {
            this.pos += 2;
            return { kind: 'Case', value: undefined, range: this.from(start) };
          }
          break;
        case 'break': this.pos++; this.endStatement(); return { kind: 'Break', range: this.from(start) };
        case 'continue': this.pos++; this.endStatement(); return { kind: 'Continue', range: this.from(start) };
        case 'return': {
          this.pos++;
          const value = this.is(';') ? undefined : this.expression();
          this.endStatement();
          return { kind: 'Return', value, range: this.from(start) };
        }
        case 'goto': {
          this.pos++;
          const label = this.ident('a label');
          this.endStatement();
          return { kind: 'Goto', label: label.text, labelRange: rangeOf(label), range: this.from(start) };
        }
        case 'LIST_HEAD':
          if (this.peek().text === '(') return { kind: 'DeclStmt', decls: [this.listHead(start, false)], range: this.from(start) };
          break;
      }
      if (this.peek().text === ':' && this.peek().kind === 'punct' && !this.typedefs.has(t.text)) {
        this.pos += 2;
        const body = this.is('}') ? { kind: 'Empty', range: rangeOf(t) } as A.EmptyStmt : this.substatement();
        return { kind: 'Label', label: t.text, body, range: this.from(start) };
      }
      const b = BUILTINS.get(t.text);
      if (b?.iterator && this.peek().text === '(') return this.forEach(b.name);
      if (this.isDeclStart()) return this.declStatement(true);
      if (this.peek().kind === 'ident' && !this.typedefs.has(t.text) && !BUILTINS.has(t.text)) {
        // "foo_t x;": a declaration with a type nobody declared
        this.diags.error(t, 'C004', t.text, '');
        this.skipToEndOfDecl();
        return { kind: 'Empty', range: this.from(start) };
      }
    }
    const expr = this.expression();
    this.endStatement();
    return { kind: 'ExprStmt', expr, range: this.from(start) };
  }

  private substatement(): A.Stmt {
    this.enter();
    try { return this.statement(); } finally { this.leave(); }
  }

  private forEach(name: string): A.ForEachStmt {
    const start = this.next();
    this.expect('(');
    const args = this.callArgs(name);
    const body = this.substatement();
    return { kind: 'ForEach', iterator: name, iteratorRange: rangeOf(start), args, body, range: this.from(start) };
  }

  private isDeclStart(): boolean {
    if (!this.isTypeStart()) return false;
    // "x * y" with a typedef x is a declaration in C; sizeof/casts start elsewhere.
    return true;
  }

  private declStatement(asStatement = false): A.DeclStmt {
    const start = this.tok;
    const base = this.declSpecifiers();
    const decls: A.VarDecl[] = [];
    if (this.eat(';')) return { kind: 'DeclStmt', decls, range: this.from(start) };
    for (;;) {
      const d = this.declarator(base, start);
      let init: A.Expr | A.InitList | undefined;
      if (this.eat('=')) init = this.initializer();
      decls.push({ kind: 'Var', name: d.name.text, nameRange: rangeOf(d.name), type: d.spec, init, global: false, range: this.from(start) });
      if (!this.eat(',')) break;
    }
    if (asStatement && !this.is(';')) {
      // Keep the declarations, so that their later uses are not reported as
      // undeclared. A token on a new line most likely starts the next statement;
      // otherwise skip as after any error.
      this.missingSemicolon();
      const range = this.from(start);
      if (!this.tok.bol) this.sync(false);
      return { kind: 'DeclStmt', decls, range };
    }
    this.softSemicolon(); // a for header's declaration: the header goes on
    return { kind: 'DeclStmt', decls, range: this.from(start) };
  }

  /** An initialiser; a broken one is reported and skipped, and the declaration kept. */
  private initializer(): A.Expr | A.InitList | undefined {
    try {
      return this.is('{') ? this.initList() : this.assignment();
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      let level = 0;
      while (this.tok.kind !== 'eof') {
        const x = this.tok.text;
        if (this.tok.kind === 'punct') {
          if (x === '(' || x === '[' || x === '{') level++;
          else if (x === ')' || x === ']') { if (level > 0) level--; } // a stray one is part of the mistake
          else if (x === '}') { if (level === 0) break; level--; }     // the end of the enclosing block
          else if ((x === ',' || x === ';') && level === 0) break;
        }
        this.pos++;
      }
      return undefined;
    }
  }

  // ---- expressions ----
  expression(): A.Expr {
    let e = this.assignment();
    let folds = 0;
    try {
      while (this.is(',')) {
        this.pos++;
        this.enter(); folds++; // a chain link: see postfix()
        const r = this.assignment();
        e = { kind: 'Comma', left: e, right: r, range: rangeOf(e.range, r.range) };
      }
    } finally { this.depth -= folds; }
    return e;
  }

  private static readonly ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);

  assignment(): A.Expr {
    this.enter();
    try {
      const left = this.conditional();
      if (this.tok.kind === 'punct' && Parser.ASSIGN.has(this.tok.text)) {
        const op = this.next().text;
        const value = this.assignment();
        return { kind: 'Assign', op, target: left, value, range: rangeOf(left.range, value.range) };
      }
      return left;
    } finally { this.leave(); }
  }

  conditional(): A.Expr {
    const cond = this.binary(0);
    if (!this.is('?')) return cond;
    this.pos++;
    const then = this.expression();
    this.expect(':');
    const els = this.conditional();
    return { kind: 'Ternary', cond, then, else: els, range: rangeOf(cond.range, els.range) };
  }

  private static readonly PREC: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
    '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  private binary(min: number): A.Expr {
    let left = this.unary();
    let folds = 0;
    try {
      for (;;) {
        const t = this.tok;
        const p = t.kind === 'punct' ? Parser.PREC[t.text] : undefined;
        if (p === undefined || p <= min) return left;
        this.pos++;
        this.enter(); folds++; // a chain link: see postfix()
        const right = this.binary(p);
        left = { kind: 'Binary', op: t.text, left, right, range: rangeOf(left.range, right.range) };
      }
    } finally { this.depth -= folds; }
  }

  private unary(): A.Expr {
    const t = this.tok;
    this.enter();
    try {
      if (t.kind === 'punct') {
        switch (t.text) {
          case '-': case '+': case '!': case '~': case '*': case '&': case '++': case '--': {
            this.pos++;
            const operand = this.unary();
            return { kind: 'Unary', op: t.text as A.Unary['op'], operand, range: rangeOf(t, operand.range) };
          }
          case '(':
            if (this.peekIsType(1)) {
              this.pos++;
              const to = this.typeName();
              this.expect(')');
              const operand = this.unary();
              return { kind: 'Cast', to, operand, range: rangeOf(t, operand.range) };
            }
        }
      }
      if (t.kind === 'ident' && t.text === 'sizeof') {
        this.pos++;
        if (this.is('(') && this.peekIsType(1)) {
          this.pos++;
          const of = this.typeName();
          this.expect(')');
          return { kind: 'SizeOf', of, range: this.from(t) };
        }
        const of = this.unary();
        return { kind: 'SizeOf', of, range: rangeOf(t, of.range) };
      }
      return this.postfix(this.primary());
    } finally { this.leave(); }
  }

  private peekIsType(k: number): boolean {
    const save = this.pos;
    this.pos += k;
    const r = this.isTypeStart();
    this.pos = save;
    return r;
  }

  private primary(): A.Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.pos++;
        if (t.text.includes('.') || !Number.isFinite(t.value ?? NaN)) this.diags.error(t, 'S006', 'floating-point numbers');
        return { kind: 'Number', value: t.value ?? 0, text: t.text, range: rangeOf(t) };
      case 'char':
        this.pos++;
        return { kind: 'Number', value: t.value ?? 0, text: t.text, range: rangeOf(t) };
      case 'string': {
        this.pos++;
        let value = stringValue(t.text);
        let end = t;
        while (this.tok.kind === 'string') { end = this.next(); value += stringValue(end.text); }
        return { kind: 'String', value, range: rangeOf(t, end) };
      }
      case 'ident': {
        this.pos++;
        if (t.text === 'true' || t.text === 'false') return { kind: 'Number', value: t.text === 'true' ? 1 : 0, text: t.text, range: rangeOf(t) };
        const id: A.Ident = { kind: 'Ident', name: t.text, range: rangeOf(t) };
        if (this.is('(')) {
          this.pos++;
          const args = this.callArgs(t.text);
          return { kind: 'Call', callee: id, args, calleeRange: rangeOf(t), range: this.from(t) };
        }
        return id;
      }
      case 'punct':
        if (t.text === '(') {
          this.pos++;
          const e = this.expression();
          this.expect(')');
          e.range = this.from(t);
          return e;
        }
    }
    this.diags.error(t, 'S002', this.describe(t));
    throw new Abort();
  }

  /** Arguments after '(' up to and including ')'; builtins may take types and member names. */
  private callArgs(callee: string): A.Arg[] {
    const kinds = BUILTINS.get(callee)?.args;
    const args: A.Arg[] = [];
    if (this.eat(')')) return args;
    for (;;) {
      const kind = kinds?.[args.length];
      const start = this.tok;
      if (kind === 'type') args.push({ kind: 'TypeArg', spec: this.typeName(), range: this.from(start) });
      else if (kind === 'member' && this.tok.kind === 'ident' && (this.peek().text === ',' || this.peek().text === ')')) {
        args.push({ kind: 'MemberArg', name: this.next().text, range: rangeOf(start) });
      } else args.push(this.assignment());
      if (this.eat(',')) continue;
      this.expect(')');
      return args;
    }
  }

  /**
   * Chains (a->b->c, a + b + c, a, b, c) are parsed by loops but build trees as deep
   * as they are long, which the checker and the engine walk recursively: each link
   * counts as a nesting level (undone when the chain ends), so no file can produce a
   * tree deep enough to overflow their stack.
   */
  private postfix(e: A.Expr): A.Expr {
    let links = 0;
    try {
      for (;;) {
        const t = this.tok;
        if (t.kind !== 'punct') return e;
        if (t.text === '(') {
          this.diags.error(t, 'S006', 'calls through expressions (function pointers)');
          throw new Abort();
        }
        if (t.text === '[') {
          this.enter(); links++;
          this.pos++;
          const index = this.expression();
          this.expect(']');
          e = { kind: 'Index', object: e, index, range: rangeOf(e.range, this.prev()) };
        } else if (t.text === '.' || t.text === '->') {
          this.enter(); links++;
          this.pos++;
          const name = this.ident('a member name');
          e = { kind: 'Member', object: e, name: name.text, arrow: t.text === '->', nameRange: rangeOf(name), range: rangeOf(e.range, name) };
        } else if (t.text === '++' || t.text === '--') {
          this.enter(); links++;
          this.pos++;
          e = { kind: 'Postfix', op: t.text, operand: e, range: rangeOf(e.range, t) };
        } else return e;
      }
    } finally { this.depth -= links; }
  }
}

function canonicalInt(words: string[]): string {
  const has = (w: string) => words.includes(w);
  const longs = words.filter(w => w === 'long').length;
  if (has('void')) return 'void';
  if (has('bool') || has('_Bool')) return 'bool';
  const unsigned = has('unsigned');
  if (has('char')) return unsigned ? 'unsigned char' : 'char';
  if (has('short')) return unsigned ? 'unsigned short' : 'short';
  if (longs >= 2) return unsigned ? 'unsigned long long' : 'long long';
  if (longs === 1) return unsigned ? 'unsigned long' : 'long';
  return unsigned ? 'unsigned int' : 'int';
}
