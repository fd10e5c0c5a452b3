// The C preprocessor, at token level: includes, object- and function-like macros, the
// #if family with CONFIG_ symbols. Tokens keep the positions the user wrote (macro
// bodies take the position of their invocation), so compiled-out lines simply yield no
// tokens and every remaining line is still the line it was in the file.
import * as path from 'path';
import { DiagnosticBag, Range } from './diagnostics';
import { lex, Token, rangeOf } from './lexer';

export interface Macro {
  name: string;
  params?: string[];      // undefined: object-like
  variadic: boolean;
  body: Token[];
  def: Range;
}

export interface PreprocessHost {
  readFile(file: string): string | undefined;
}

interface Cond {
  active: boolean;       // this branch's tokens are kept
  taken: boolean;        // some branch of this #if was already kept
  elseSeen: boolean;
  parentActive: boolean;
  start: Token;
  directive: string;
}

const MAX_INCLUDE_DEPTH = 32;
const MAX_EXPANSION_DEPTH = 256;
const MAX_OUTPUT_TOKENS = 5_000_000;
/** Macro expansions per preprocessor: far above any model (the bundled ones need a few
 * thousand), far below what runs the heap out (each expansion carries its hide set). */
export const MAX_EXPANSIONS = 100_000;

export class Preprocessor {
  readonly macros = new Map<string, Macro>();
  readonly includedFiles: string[] = [];
  /** Lines compiled out by #if, per file, as [startLine, endLine] pairs. */
  readonly inactive: { file: string; startLine: number; endLine: number }[] = [];
  private includeStack: string[] = [];
  private produced = 0;
  private expansions = 0;
  private overflowReported = false;

  constructor(private readonly host: PreprocessHost, readonly diags: DiagnosticBag, defines: Map<string, string | number>) {
    for (const [name, value] of defines) this.define(name, String(value));
  }

  define(name: string, value: string): void {
    const where: Range = { file: '<config>', line: 1, column: 1, endLine: 1, endColumn: 1 };
    const body = lex('<config>', value, this.diags).filter(t => t.kind !== 'eof');
    this.macros.set(name, { name, variadic: false, body, def: where });
  }

  /** Preprocesses a file (and what it includes); returns its tokens ending with one eof. */
  file(file: string, text?: string, at?: Range): Token[] {
    const out: Token[] = [];
    const src = text ?? this.host.readFile(file);
    if (src === undefined) {
      this.diags.error(at ?? { file, line: 1, column: 1, endLine: 1, endColumn: 1 }, 'P001', file);
    } else {
      this.includeStack.push(file);
      const again = this.includedFiles.includes(file);
      if (!again) this.includedFiles.push(file);
      const inactive: Preprocessor['inactive'] = [];
      const lexDiags = new DiagnosticBag();
      this.process(file, lex(file, src, lexDiags), out, inactive);
      this.addInactive(file, inactive, again);
      // As in C, what #if compiles out is not diagnosed (stray characters, unterminated
      // quotes, bad numbers), except an unterminated comment: it swallows the rest of
      // the file whatever the #if says.
      for (const d of lexDiags.items) {
        if (d.code === 'L001' || !inactive.some(r => d.line >= r.startLine && d.line <= r.endLine)) this.diags.adopt(d);
      }
      this.includeStack.pop();
    }
    const last = out.length ? out[out.length - 1] : undefined;
    out.push({ kind: 'eof', text: '<end of file>', file, line: last?.endLine ?? 1, column: last?.endColumn ?? 1, endLine: last?.endLine ?? 1, endColumn: last?.endColumn ?? 1, bol: true, space: true });
    return out;
  }

  /** Expands macros in tokens that were lexed elsewhere (a scenario's blocks). */
  expand(tokens: Token[]): Token[] {
    const out: Token[] = [];
    this.expandInto(tokens, out);
    return out;
  }

  /**
   * A file included more than once (a header behind an include guard) is compiled out
   * only where every inclusion compiled it out: keep the intersection of the ranges.
   */
  private addInactive(file: string, ranges: Preprocessor['inactive'], again: boolean): void {
    if (!again) { this.inactive.push(...ranges); return; }
    const before = this.inactive.filter(r => r.file === file);
    const kept: Preprocessor['inactive'] = [];
    for (const a of before) {
      for (const b of ranges) {
        const startLine = Math.max(a.startLine, b.startLine);
        const endLine = Math.min(a.endLine, b.endLine);
        if (startLine <= endLine) kept.push({ file, startLine, endLine });
      }
    }
    const others = this.inactive.filter(r => r.file !== file);
    this.inactive.length = 0;
    this.inactive.push(...others, ...kept);
  }

  private process(file: string, toks: Token[], out: Token[], inactive: Preprocessor['inactive']): void {
    const conds: Cond[] = [];
    // Active state changes only at directives, so the tokens waiting for macro
    // expansion are always one run toks[pendingFrom..i).
    let pendingFrom = -1;
    let inactiveFrom = 0;
    const active = () => conds.length === 0 || conds[conds.length - 1].active;
    let i = 0;
    const flush = () => {
      if (pendingFrom >= 0) this.expandInto(toks, out, 0, pendingFrom, i);
      pendingFrom = -1;
    };
    while (toks[i].kind !== 'eof') {
      const t = toks[i];
      if (!(t.bol && t.kind === 'punct' && t.text === '#')) {
        if (pendingFrom < 0 && active()) pendingFrom = i;
        i++;
        continue;
      }
      // a directive: the rest of the logical line
      let j = i + 1;
      while (!toks[j].bol && toks[j].kind !== 'eof') j++;
      const line = toks.slice(i + 1, j);
      const wasActive = active();
      const name = line[0]?.text ?? '';
      flush();
      i = j;
      if (line.length === 0) continue; // the null directive
      switch (name) {
        case 'if': case 'ifdef': case 'ifndef': {
          const parentActive = wasActive;
          let value = false;
          if (parentActive) value = name === 'if' ? this.evalIf(line) : this.evalDefined(line, name === 'ifndef');
          conds.push({ active: parentActive && value, taken: value, elseSeen: false, parentActive, start: t, directive: name });
          break;
        }
        case 'elif': case 'else': {
          const c = conds[conds.length - 1];
          if (!c) { this.diags.error(rangeOf(t, line[0]), 'P004', name); break; }
          if (c.elseSeen) this.diags.error(rangeOf(t, line[0]), 'P013');
          if (name === 'else') {
            c.elseSeen = true;
            c.active = c.parentActive && !c.taken;
            c.taken = true;
          } else {
            const v = c.parentActive && !c.taken ? this.evalIf(line) : false;
            c.active = v;
            if (v) c.taken = true;
          }
          break;
        }
        case 'endif':
          if (!conds.pop()) this.diags.error(rangeOf(t, line[0]), 'P004', name);
          break;
        default:
          if (wasActive) this.directive(file, t, line, out);
      }
      const nowActive = active();
      if (wasActive && !nowActive) inactiveFrom = t.line + 1;
      if (!wasActive && nowActive) inactive.push({ file, startLine: inactiveFrom, endLine: t.line - 1 });
    }
    flush();
    // an #if left open compiles out the rest of the file
    if (!active()) inactive.push({ file, startLine: inactiveFrom, endLine: toks[toks.length - 1].line });
    for (const c of conds.reverse()) this.diags.error(rangeOf(c.start), 'P003', c.directive);
  }

  private directive(file: string, hash: Token, line: Token[], out: Token[]): void {
    const name = line[0];
    switch (name.text) {
      case 'define': return this.parseDefine(hash, line);
      case 'undef':
        if (line[1]?.kind !== 'ident') this.diags.error(rangeOf(name), 'P006', 'a macro name', 'undef');
        else this.macros.delete(line[1].text);
        return;
      case 'include': {
        const arg = line[1];
        if (!arg) { this.diags.error(rangeOf(name), 'P006', 'a file name', 'include'); return; }
        // <linux/...> headers are what the engine already provides: accepted, ignored.
        if (arg.kind === 'punct' && arg.text === '<') return;
        if (arg.kind !== 'string') { this.diags.error(rangeOf(arg), 'P006', '"file.kc"', 'include'); return; }
        const target = path.resolve(path.dirname(file), arg.text.slice(1, -1));
        if (this.includeStack.includes(target)) {
          const chain = [...this.includeStack.slice(this.includeStack.indexOf(target)), target].map(f => path.basename(f)).join(' -> ');
          this.diags.error(rangeOf(hash, arg), 'P002', chain);
          return;
        }
        if (this.includeStack.length >= MAX_INCLUDE_DEPTH) { this.diags.error(rangeOf(hash, arg), 'P012', MAX_INCLUDE_DEPTH); return; }
        const toks = this.file(target, undefined, rangeOf(hash, arg));
        for (let k = 0; k < toks.length - 1; k++) out.push(toks[k]);
        return;
      }
      case 'error':
        this.diags.error(rangeOf(hash, line[line.length - 1]), 'P009', line.slice(1).map(x => x.text).join(' '));
        return;
      case 'warning': case 'pragma': case 'line':
        return;
      default:
        this.diags.error(rangeOf(hash, name), 'P005', name.text);
    }
  }

  private parseDefine(hash: Token, line: Token[]): void {
    const nameTok = line[1];
    if (!nameTok || nameTok.kind !== 'ident') {
      this.diags.error(rangeOf(nameTok ?? line[0]), 'P006', 'a macro name', 'define');
      return;
    }
    let k = 2;
    let params: string[] | undefined;
    let variadic = false;
    if (line[2] && line[2].text === '(' && !line[2].space) {
      params = [];
      k = 3;
      for (;;) {
        const p = line[k];
        if (!p) { this.diags.error(rangeOf(line[k - 1]), 'P006', "')'", 'define'); return; }
        if (p.text === ')') { k++; break; }
        if (p.text === '...') { variadic = true; params.push('__VA_ARGS__'); }
        else if (p.kind === 'ident') params.push(p.text);
        else { this.diags.error(rangeOf(p), 'P006', 'a parameter name', 'define'); return; }
        k++;
        if (line[k]?.text === ',') k++;
        else if (line[k]?.text !== ')') { this.diags.error(rangeOf(line[k] ?? p), 'P006', "',' or ')'", 'define'); return; }
      }
    }
    this.macros.set(nameTok.text, { name: nameTok.text, params, variadic, body: line.slice(k), def: rangeOf(nameTok) });
  }

  private evalDefined(line: Token[], negate: boolean): boolean {
    const id = line[1];
    if (!id || id.kind !== 'ident') {
      this.diags.error(rangeOf(line[0]), 'P006', 'a macro name', line[0].text);
      return false;
    }
    return this.macros.has(id.text) !== negate;
  }

  private enabled(name: string): boolean {
    const m = this.macros.get(name);
    return !!m && !m.params && m.body.length === 1 && m.body[0].kind === 'number' && m.body[0].value !== 0;
  }

  private evalIf(line: Token[]): boolean {
    // defined / IS_ENABLED are resolved before expansion, as C requires.
    const pre: Token[] = [];
    const toks = line.slice(1);
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      if (t.kind === 'ident' && (t.text === 'defined' || t.text === 'IS_ENABLED' || t.text === 'IS_BUILTIN')) {
        let name: Token | undefined;
        let end = k;
        if (toks[k + 1]?.text === '(' && toks[k + 2]?.kind === 'ident' && toks[k + 3]?.text === ')') { name = toks[k + 2]; end = k + 3; }
        else if (t.text === 'defined' && toks[k + 1]?.kind === 'ident') { name = toks[k + 1]; end = k + 1; }
        if (!name) { this.diags.error(rangeOf(t), 'P010', `${t.text} needs a macro name`); return false; }
        const v = t.text === 'defined' ? this.macros.has(name.text) : this.enabled(name.text);
        pre.push({ ...t, kind: 'number', text: v ? '1' : '0', value: v ? 1 : 0 });
        k = end;
      } else pre.push(t);
    }
    const expanded = this.expand(pre);
    const ev = new IfEvaluator(expanded);
    try {
      const v = ev.ternary();
      if (ev.pos < expanded.length) throw new IfError(expanded[ev.pos], `unexpected '${expanded[ev.pos].text}'`);
      return v !== 0;
    } catch (e) {
      if (!(e instanceof IfError)) throw e;
      this.diags.error(rangeOf(e.at ?? line[0]), 'P010', e.message);
      return false;
    }
  }

  // Macro expansion with hide sets: a macro is never re-expanded inside its own
  // expansion, which terminates self- and mutually-recursive definitions.
  //
  // The tokens still to read are `work` (a stack: expansions pushed back, next on top)
  // followed by input[i..]. Tokens that cannot expand go straight to the output.
  private expandInto(input: Token[], out: Token[], depth = 0, from = 0, to = input.length): void {
    const work: Token[] = [];
    const n = to;
    let i = from;
    const left = () => work.length + n - i;
    const top = (k: number): Token => (k < work.length ? work[work.length - 1 - k] : input[i + k - work.length]);
    const pop = (): Token => (work.length ? work.pop()! : input[i++]);
    while (work.length || i < n) {
      // past the output cap (reported once) an exponential macro would still run for ever
      if (this.overflowReported) return;
      if (!work.length) {
        const x = input[i];
        if (x.kind !== 'ident' || (x.text !== 'IS_ENABLED' && !this.macros.has(x.text))) { i++; this.emit(out, x); continue; }
      }
      const t = pop();
      if (t.kind !== 'ident') { this.emit(out, t); continue; }
      if (t.text === 'IS_ENABLED' && left() >= 3 && top(0).text === '(' && top(2).text === ')') {
        pop();
        const name = pop();
        const close = pop();
        const v = this.enabled(name.text) ? 1 : 0;
        this.emit(out, { ...rangeOf(t, close), kind: 'number', text: String(v), value: v, bol: t.bol, space: t.space });
        continue;
      }
      const m = this.macros.get(t.text);
      if (!m || t.hide?.has(m.name)) { this.emit(out, t); continue; }
      if ((t.hide?.size ?? 0) >= MAX_EXPANSION_DEPTH || depth > MAX_EXPANSION_DEPTH) {
        this.diags.error(rangeOf(t), 'P011', MAX_EXPANSION_DEPTH);
        this.emit(out, t);
        continue;
      }
      if (++this.expansions > MAX_EXPANSIONS) {
        // an exponentially growing macro (each level using the one below twice)
        this.diags.error(rangeOf(t), 'P015', MAX_EXPANSIONS, m.name);
        this.overflowReported = true;
        return;
      }
      const hide = new Set(t.hide ?? []);
      hide.add(m.name);
      if (!m.params) {
        for (let k = m.body.length - 1; k >= 0; k--) work.push(this.relocate(m.body[k], t, t, hide, k === 0));
        continue;
      }
      if (!left() || top(0).text !== '(') { this.emit(out, t); continue; }
      pop();
      // collect the arguments, balanced
      const args: Token[][] = [[]];
      let level = 0;
      let close: Token | undefined;
      while (left()) {
        const a = pop();
        if (a.kind === 'eof') { work.push(a); break; }
        if (a.text === '(') level++;
        else if (a.text === ')') {
          if (level === 0) { close = a; break; }
          level--;
        } else if (a.text === ',' && level === 0 && !(m.variadic && args.length === m.params.length)) {
          args.push([]);
          continue;
        }
        args[args.length - 1].push(a);
      }
      if (!close) { this.diags.error(rangeOf(t), 'P008', m.name); continue; }
      if (args.length === 1 && args[0].length === 0 && m.params.length === 0) args.pop();
      if (m.variadic && args.length === m.params.length - 1) args.push([]);
      if (args.length !== m.params.length) {
        this.diags.error(rangeOf(t, close), 'P007', m.name, m.params.length, args.length);
        continue;
      }
      const body = this.substitute(m, args, t, close, hide, depth);
      for (let k = body.length - 1; k >= 0; k--) work.push(body[k]);
    }
  }

  private emit(out: Token[], t: Token): void {
    if (++this.produced > MAX_OUTPUT_TOKENS) {
      if (!this.overflowReported) this.diags.error(rangeOf(t), 'P014', MAX_OUTPUT_TOKENS);
      this.overflowReported = true;
      return;
    }
    out.push(t);
  }

  private relocate(b: Token, from: Token, to: Token, hide: Set<string>, first: boolean): Token {
    return {
      kind: b.kind, text: b.text, file: from.file, line: from.line, column: from.column,
      endLine: to.endLine, endColumn: to.endColumn, bol: first ? from.bol : false, space: first ? from.space : b.space, value: b.value, hide,
    };
  }

  private substitute(m: Macro, args: Token[][], call: Token, close: Token, hide: Set<string>, depth: number): Token[] {
    const params = m.params!;
    const expandedArgs = new Map<number, Token[]>();
    const expandedArg = (idx: number): Token[] => {
      let e = expandedArgs.get(idx);
      if (!e) {
        e = [];
        this.expandInto(args[idx], e, depth + 1);
        expandedArgs.set(idx, e);
      }
      return e;
    };
    const res: Token[] = [];
    const body = m.body;
    for (let k = 0; k < body.length; k++) {
      const b = body[k];
      // # param: a string literal of the argument's spelling
      if (b.text === '#' && body[k + 1]?.kind === 'ident' && params.includes(body[k + 1].text)) {
        const idx = params.indexOf(body[k + 1].text);
        const text = JSON.stringify(args[idx].map(x => x.text).join(' '));
        res.push({ ...this.relocate(b, call, close, hide, res.length === 0), kind: 'string', text });
        k++;
        continue;
      }
      // GNU `, ## __VA_ARGS__`: the comma goes when there are no variable arguments, else nothing is pasted
      if (b.text === ',' && body[k + 1]?.text === '##' && body[k + 2]?.text === '__VA_ARGS__' && params.includes('__VA_ARGS__')) {
        const idx = params.indexOf('__VA_ARGS__');
        if (args[idx]?.length) {
          res.push(this.relocate(b, call, close, hide, res.length === 0));
          for (const a of expandedArg(idx)) res.push(a);
        }
        k += 2;
        continue;
      }
      // a ## b: paste spellings into one token
      if (body[k + 1]?.text === '##' && body[k + 2]) {
        const left = this.spelling(b, params, args);
        const right = this.spelling(body[k + 2], params, args);
        const text = left + right;
        const kind = /^[A-Za-z_$]/.test(text) ? 'ident' : /^[0-9]/.test(text) ? 'number' : 'punct';
        res.push({ ...this.relocate(b, call, close, hide, res.length === 0), kind, text, value: kind === 'number' ? Number(text) || 0 : undefined });
        k += 2;
        continue;
      }
      const idx = b.kind === 'ident' ? params.indexOf(b.text) : -1;
      if (idx >= 0) {
        // arguments keep their own positions: the user wrote them at the call site
        for (const a of expandedArg(idx)) res.push(a);
      } else {
        res.push(this.relocate(b, call, close, hide, res.length === 0));
      }
    }
    return res;
  }

  private spelling(t: Token, params: string[], args: Token[][]): string {
    const idx = t.kind === 'ident' ? params.indexOf(t.text) : -1;
    return idx >= 0 ? args[idx].map(x => x.text).join('') : t.text;
  }
}

class IfError extends Error {
  constructor(readonly at: Token | undefined, msg: string) { super(msg); }
}

// Integer constant expressions of #if: identifiers left after expansion are 0.
class IfEvaluator {
  pos = 0;
  private depth = 0;
  constructor(private readonly t: Token[]) {}
  private peek(): string | undefined { return this.t[this.pos]?.text; }
  ternary(): number {
    const c = this.binary(0);
    if (this.peek() === '?') {
      this.pos++;
      const a = this.ternary();
      if (this.peek() !== ':') throw new IfError(this.t[this.pos], "expected ':'");
      this.pos++;
      const b = this.ternary();
      return c ? a : b;
    }
    return c;
  }
  private static readonly PREC: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
    '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };
  private binary(min: number): number {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      const p = op !== undefined && this.t[this.pos].kind === 'punct' ? IfEvaluator.PREC[op] : undefined;
      if (p === undefined || p <= min) return l;
      const at = this.t[this.pos];
      this.pos++;
      const r = this.binary(p);
      switch (op) {
        case '||': l = l || r ? 1 : 0; break;
        case '&&': l = l && r ? 1 : 0; break;
        case '|': l = l | r; break;
        case '^': l = l ^ r; break;
        case '&': l = l & r; break;
        case '==': l = l === r ? 1 : 0; break;
        case '!=': l = l !== r ? 1 : 0; break;
        case '<': l = l < r ? 1 : 0; break;
        case '>': l = l > r ? 1 : 0; break;
        case '<=': l = l <= r ? 1 : 0; break;
        case '>=': l = l >= r ? 1 : 0; break;
        case '<<': l = l * 2 ** r; break;
        case '>>': l = Math.floor(l / 2 ** r); break;
        case '+': l = l + r; break;
        case '-': l = l - r; break;
        case '*': l = l * r; break;
        case '/': case '%':
          if (r === 0) throw new IfError(at, 'division by zero');
          l = op === '/' ? Math.trunc(l / r) : l % r;
          break;
      }
    }
  }
  private unary(): number {
    // (((...))) and !!!... recurse: bounded like the parser's nesting
    if (++this.depth > 200) throw new IfError(this.t[this.pos], 'nesting too deep (more than 200 levels)');
    try { return this.unaryInner(); } finally { this.depth--; }
  }
  private unaryInner(): number {
    const tok = this.t[this.pos];
    if (!tok) throw new IfError(this.t[this.pos - 1], 'expression ends early');
    this.pos++;
    if (tok.kind === 'number' || tok.kind === 'char') return tok.value ?? 0;
    if (tok.kind === 'ident') {
      // a function-like macro that was not defined: skip its argument list, value 0
      if (this.peek() === '(') this.skipParens();
      return 0;
    }
    switch (tok.text) {
      case '!': return this.unary() ? 0 : 1;
      case '~': return ~this.unary();
      case '-': return -this.unary();
      case '+': return this.unary();
      case '(': {
        const v = this.ternary();
        if (this.peek() !== ')') throw new IfError(this.t[this.pos] ?? tok, "expected ')'");
        this.pos++;
        return v;
      }
    }
    throw new IfError(tok, `unexpected '${tok.text}'`);
  }
  private skipParens(): void {
    let level = 0;
    while (this.pos < this.t.length) {
      const x = this.t[this.pos++].text;
      if (x === '(') level++;
      else if (x === ')' && --level === 0) return;
    }
  }
}
