// An event's `print fmt` (a C format string and the argument expressions the kernel's
// TP_printk gave it) evaluated against a record, the way trace-cmd report prints events it
// has no plugin for. Covers what tracepoints and kprobes use: REC->field (numbers, arrays,
// __data_loc strings), casts, C operators and ?:, __get_str, __print_flags and
// __print_symbolic. An argument it cannot evaluate (a kernel symbol such as vmemmap_base,
// an unknown helper) throws; the caller then falls back to key=value pairs of the fields.
import type { EventFormat, Field } from './format';

export type Value = bigint | string;

/** Reads a record's fields (the adapter implements it over the ring-buffer bytes). */
export interface RecordView {
  number(f: Field, index?: number): bigint;
  string(f: Field): string;
  /** the symbol of a kernel address, '' if none */
  symbol(addr: bigint, withOffset: boolean): string;
}

type Node =
  | { k: 'num'; v: bigint } | { k: 'str'; v: string } | { k: 'id'; v: string }
  | { k: 'rec'; f: string; index?: Node } | { k: 'un'; op: string; a: Node } | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node } | { k: 'call'; f: string; args: Node[] } | { k: 'list'; items: Node[] } | { k: 'cast'; t: string; a: Node; bits?: number; unsigned?: boolean };

/** An argument that cannot be evaluated. Thrown per record and caught by the caller, so made
 * without a stack trace: capturing one cost more than printing the event. */
class FmtError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

const PUNCT = ['->', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '{', '}', ',', '?', ':', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '.'];

interface Tok { t: 'num' | 'str' | 'id' | 'p'; v: string }

function unescape(s: string): string {
  return s.replace(/\\(n|t|r|\\|"|'|0|x[0-9a-fA-F]{1,2})/g, (_, e: string) => e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : e);
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let p = 0;
  while (p < s.length) {
    const c = s[p];
    if (/\s/.test(c)) { p++; continue; }
    if (c === '"') {
      let q = p + 1;
      while (q < s.length && s[q] !== '"') q += s[q] === '\\' ? 2 : 1;
      if (q >= s.length) throw new FmtError('unterminated string');
      const v = unescape(s.slice(p + 1, q));
      // adjacent literals concatenate, as in C
      const last = out[out.length - 1];
      if (last && last.t === 'str') last.v += v; else out.push({ t: 'str', v });
      p = q + 1;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\.|[^'])'/.exec(s.slice(p));
      if (!m) throw new FmtError('bad character literal');
      out.push({ t: 'num', v: String(unescape(m[1]).charCodeAt(0)) });
      p += m[0].length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(s.slice(p));
    if (num) { out.push({ t: 'num', v: num[1] }); p += num[0].length; continue; }
    const id = /^[A-Za-z_]\w*/.exec(s.slice(p));
    if (id) { out.push({ t: 'id', v: id[0] }); p += id[0].length; continue; }
    const pu = PUNCT.find(x => s.startsWith(x, p));
    if (!pu) throw new FmtError(`unexpected '${c}'`);
    out.push({ t: 'p', v: pu });
    p += pu.length;
  }
  return out;
}

const TYPE_WORDS = new Set(['unsigned', 'signed', 'int', 'long', 'short', 'char', 'void', 'bool', '_Bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'struct', 'const', 'volatile', 'enum', 'union']);
const isTypeWord = (w: string) => TYPE_WORDS.has(w) || /_t$/.test(w);

const BINARY: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

class Parser {
  p = 0;
  constructor(readonly toks: Tok[]) {}
  peek(v?: string): boolean { const t = this.toks[this.p]; return !!t && (v === undefined || (t.t === 'p' && t.v === v)); }
  take(v: string): void { if (!this.peek(v)) throw new FmtError(`expected '${v}'`); this.p++; }
  expr(): Node {
    const c = this.binary(0);
    if (this.peek('?')) { this.p++; const a = this.expr(); this.take(':'); const b = this.expr(); return { k: 'cond', c, a, b }; }
    return c;
  }
  binary(level: number): Node {
    if (level >= BINARY.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.toks[this.p];
      if (!t || t.t !== 'p' || !BINARY[level].includes(t.v)) return a;
      this.p++;
      a = { k: 'bin', op: t.v, a, b: this.binary(level + 1) };
    }
  }
  unary(): Node {
    const t = this.toks[this.p];
    if (t && t.t === 'p' && ['!', '~', '-', '+', '*', '&'].includes(t.v)) { this.p++; return { k: 'un', op: t.v, a: this.unary() }; }
    if (t && t.t === 'p' && t.v === '(') {
      // a cast: `(type words and stars)` followed by an operand
      let q = this.p + 1, words = 0, stars = 0, first = '';
      const parts: string[] = [];
      while (q < this.toks.length && (this.toks[q].t === 'id' || (this.toks[q].t === 'p' && this.toks[q].v === '*'))) {
        if (this.toks[q].t === 'id') { if (!words) first = this.toks[q].v; words++; } else stars++;
        parts.push(this.toks[q].v); q++;
      }
      if (words && first !== 'REC' && q < this.toks.length && this.toks[q].t === 'p' && this.toks[q].v === ')' && (isTypeWord(first) || words > 1 || stars > 0)) {
        this.p = q + 1;
        return { k: 'cast', t: parts.join(' '), a: this.unary() };
      }
    }
    return this.postfix();
  }
  postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.peek('->') || this.peek('.')) {
        this.p++;
        const f = this.toks[this.p++];
        if (!f || f.t !== 'id') throw new FmtError('field name expected');
        if (n.k !== 'id' || n.v !== 'REC') throw new FmtError('only REC-> fields are known');
        n = { k: 'rec', f: f.v };
      } else if (this.peek('[')) {
        this.p++;
        const i = this.expr();
        this.take(']');
        if (n.k !== 'rec') throw new FmtError('indexing a non-field');
        n = { k: 'rec', f: n.f, index: i };
      } else if (this.peek('(') && n.k === 'id') {
        this.p++;
        const args: Node[] = [];
        if (!this.peek(')')) { args.push(this.arg()); while (this.peek(',')) { this.p++; args.push(this.arg()); } }
        this.take(')');
        n = { k: 'call', f: n.v, args };
      } else return n;
    }
  }
  arg(): Node {
    if (this.peek('{')) {
      this.p++;
      const items: Node[] = [];
      if (!this.peek('}')) { items.push(this.arg()); while (this.peek(',')) { this.p++; if (this.peek('}')) break; items.push(this.arg()); } }
      this.take('}');
      return { k: 'list', items };
    }
    return this.expr();
  }
  primary(): Node {
    const t = this.toks[this.p++];
    if (!t) throw new FmtError('unexpected end');
    if (t.t === 'num') return { k: 'num', v: BigInt(t.v) };
    if (t.t === 'str') return { k: 'str', v: t.v };
    if (t.t === 'id') return { k: 'id', v: t.v };
    if (t.v === '(') { const e = this.expr(); this.take(')'); return e; }
    if (t.v === '{') { this.p--; return this.arg(); }
    throw new FmtError(`unexpected '${t.v}'`);
  }
}

export interface CompiledFmt {
  format: string;
  args: Node[];
  /** the format cut at its conversions, once (render runs per record) */
  pieces?: Piece[];
}

/** Text before a conversion, and the conversion (none after the last one). */
interface Piece { text: string; spec?: Spec; star?: boolean }

/** Splits `"fmt", arg, arg` into the format string and parsed arguments; null if it does not parse. */
export function compileFmt(printFmt: string): CompiledFmt | null {
  try {
    const toks = tokenize(printFmt);
    if (!toks.length || toks[0].t !== 'str') return null;
    const ps = new Parser(toks);
    ps.p = 1;
    const args: Node[] = [];
    while (ps.peek(',')) { ps.p++; args.push(ps.arg()); }
    if (ps.p !== toks.length) return null;
    return { format: toks[0].v, args };
  } catch {
    return null;
  }
}

const truthy = (v: Value) => (typeof v === 'string' ? true : v !== 0n);
const num = (v: Value): bigint => { if (typeof v === 'string') throw new FmtError('string used as a number'); return v; };

/** A __print_flags / __print_symbolic table entry evaluated: its value and name, or the
 * error evaluating each gave (bad: the entry is not a `{ value, name }` pair). */
interface Entry { bad: boolean; v: bigint | FmtError; name: Value | FmtError }

/** Tables whose entries read nothing of the record, evaluated once per print fmt: a gfp
 * flags table is forty entries of shifts and casts, which cost more than the rest of an
 * event evaluated for every record. */
const constantTables = new WeakMap<Node, Entry[]>();

/** texts of a constant __print_flags table, by delimiter and value */
const flagTexts = new WeakMap<Node, Map<string, string>>();

function usesRecord(n: Node): boolean {
  switch (n.k) {
    case 'rec': case 'call': return true;
    case 'un': case 'cast': return usesRecord(n.a);
    case 'bin': return usesRecord(n.a) || usesRecord(n.b);
    case 'cond': return usesRecord(n.c) || usesRecord(n.a) || usesRecord(n.b);
    case 'list': return n.items.some(usesRecord);
    default: return false;
  }
}

function attempt<T>(f: () => T): T | FmtError {
  try { return f(); } catch (e) { if (e instanceof FmtError) return e; throw e; }
}

/** The entries of the table that follows argument `from` of `call`. */
function tableOf(call: Node & { k: 'call' }, from: number, ev: (n: Node) => Value): Entry[] {
  const known = constantTables.get(call);
  if (known) return known;
  const items = call.args.slice(from);
  const t = items.map((e): Entry => {
    if (e.k !== 'list' || e.items.length !== 2) return { bad: true, v: 0n, name: '' };
    return { bad: false, v: attempt(() => num(ev(e.items[0]))), name: attempt(() => ev(e.items[1])) };
  });
  if (!items.some(usesRecord)) constantTables.set(call, t);
  return t;
}

function flagsText(val: bigint, delim: string, table: Entry[]): string {
  const parts: string[] = [];
  let v = val;
  for (const e of table) {
    if (e.bad) throw new FmtError('bad flag table');
    if (e.v instanceof FmtError) throw e.v;
    const f = e.v, name = e.name;
    // the kernel's tables may end with { 0, NULL } (gfp flags since 6.x): the kernel stops there
    if (name === 0n) break;
    if (name instanceof FmtError) throw name;
    if (typeof name !== 'string') throw new FmtError('bad flag name');
    if (!val && !f) { parts.push(name); break; }
    if (f && (v & f) === f) { parts.push(name); v &= ~f; }
  }
  if (v) parts.push(`0x${v.toString(16)}`);
  return parts.join(delim);
}

function symbolicText(val: bigint, table: Entry[]): string {
  for (const e of table) {
    if (e.bad) throw new FmtError('bad symbol table');
    // an entry named by an enum the format file does not define cannot match: skip it
    if (e.v instanceof FmtError) continue;
    if (e.v === val) {
      if (e.name instanceof FmtError) throw e.name;
      if (typeof e.name === 'string') return e.name;
    }
  }
  return `0x${val.toString(16)}`;
}

export function evaluate(n: Node, fmt: EventFormat, rec: RecordView): Value {
  const ev = (x: Node): Value => evaluate(x, fmt, rec);
  switch (n.k) {
    case 'num': return n.v;
    case 'str': return n.v;
    case 'id': throw new FmtError(`unknown symbol ${n.v}`);
    case 'rec': {
      const f = fmt.byName.get(n.f);
      if (!f) throw new FmtError(`no field ${n.f}`);
      if (f.dataLoc || (f.arrayLen >= 0 && /char/.test(f.type) && n.index === undefined)) return rec.string(f);
      return rec.number(f, n.index === undefined ? undefined : Number(num(ev(n.index))));
    }
    case 'cast': {
      const v = ev(n.a);
      if (typeof v === 'string') return v;
      const t = n.t;
      if (t.includes('*')) return v;
      // (the type's width and sign, read from its name once: the node is evaluated per record)
      if (n.bits === undefined) {
        n.bits = /\b(u8|s8|char)\b/.test(t) ? 8 : /\b(u16|s16|short)\b/.test(t) ? 16 : /\b(u32|s32)\b/.test(t) || (/\bint\b/.test(t) && !/long/.test(t)) ? 32 : 64;
        n.unsigned = /unsigned|\bu(8|16|32|64)\b|_t$/.test(t) && !/\bs(8|16|32|64)\b/.test(t);
      }
      return n.unsigned ? BigInt.asUintN(n.bits, v) : BigInt.asIntN(n.bits, v);
    }
    case 'un': {
      const v = ev(n.a);
      switch (n.op) {
        case '!': return truthy(v) ? 0n : 1n;
        case '~': return BigInt.asUintN(64, ~num(v));
        case '-': return -num(v);
        case '+': return num(v);
        default: throw new FmtError(`unary ${n.op}`);
      }
    }
    case 'bin': {
      if (n.op === '&&') return truthy(ev(n.a)) && truthy(ev(n.b)) ? 1n : 0n;
      if (n.op === '||') return truthy(ev(n.a)) || truthy(ev(n.b)) ? 1n : 0n;
      const a = num(ev(n.a)), b = num(ev(n.b));
      // C compares -1UL with an unsigned long field: compare as 64-bit unsigned
      const ua = BigInt.asUintN(64, a), ub = BigInt.asUintN(64, b);
      switch (n.op) {
        case '|': return a | b; case '^': return a ^ b; case '&': return a & b;
        case '==': return ua === ub ? 1n : 0n; case '!=': return ua !== ub ? 1n : 0n;
        case '<': return a < b ? 1n : 0n; case '>': return a > b ? 1n : 0n; case '<=': return a <= b ? 1n : 0n; case '>=': return a >= b ? 1n : 0n;
        case '<<': return BigInt.asUintN(64, a << b); case '>>': return a >> b;
        case '+': return a + b; case '-': return a - b; case '*': return a * b;
        case '/': if (!b) throw new FmtError('division by zero'); return a / b;
        case '%': if (!b) throw new FmtError('division by zero'); return a % b;
        default: throw new FmtError(`operator ${n.op}`);
      }
    }
    case 'cond': return truthy(ev(n.c)) ? ev(n.a) : ev(n.b);
    case 'list': throw new FmtError('a { } list outside __print_flags');
    case 'call': {
      const a = n.args;
      switch (n.f) {
        case '__get_str': case '__get_rel_str': {
          const x = a[0];
          const name = x && (x.k === 'id' ? x.v : x.k === 'rec' ? x.f : '');
          const f = name ? fmt.byName.get(name) : undefined;
          if (!f) throw new FmtError('__get_str of an unknown field');
          return rec.string(f);
        }
        case '__print_flags': {
          const delim = ev(a[1]);
          if (typeof delim !== 'string') throw new FmtError('bad delimiter');
          const val = BigInt.asUintN(64, num(ev(a[0])));
          const table = tableOf(n, 2, ev);
          // a constant table gives each value one text: kept (a trace has few distinct gfp values)
          const texts = constantTables.has(n) ? (flagTexts.get(n) ?? new Map<string, string>()) : null;
          const key = `${delim}\0${val}`;
          let text = texts?.get(key);
          if (text === undefined) {
            text = flagsText(val, delim, table);
            if (texts && texts.size < 4096) { texts.set(key, text); flagTexts.set(n, texts); }
          }
          return text;
        }
        case '__print_symbolic': return symbolicText(num(ev(a[0])), tableOf(n, 1, ev));
        default: throw new FmtError(`unknown helper ${n.f}`);
      }
    }
  }
}

export interface Spec { flags: string; width: number; length: string; conv: string; ext: string }

/** printf of one conversion. */
export function convert(s: Spec, v: Value, rec: RecordView): string {
  let out: string;
  const wide = s.length.includes('l') || s.length.includes('L') || s.length === 'z' || s.length === 'j';
  switch (s.conv) {
    case 's': out = typeof v === 'string' ? v : v.toString(); break;
    case 'c': out = String.fromCharCode(Number(num(v) & 0xffn)); break;
    case 'd': case 'i': out = BigInt.asIntN(wide ? 64 : 32, num(v)).toString(); break;
    case 'u': out = BigInt.asUintN(wide ? 64 : 32, num(v)).toString(); break;
    case 'x': case 'X': {
      out = BigInt.asUintN(wide ? 64 : 32, num(v)).toString(16);
      if (s.conv === 'X') out = out.toUpperCase();
      if (s.flags.includes('#')) out = `0x${out}`;
      break;
    }
    case 'o': out = BigInt.asUintN(wide ? 64 : 32, num(v)).toString(8); break;
    case 'p': {
      const a = BigInt.asUintN(64, num(v));
      if (s.ext === 's' || s.ext === 'S' || s.ext === 'f' || s.ext === 'F') { out = rec.symbol(a, s.ext === 'S' || s.ext === 'F') || `0x${a.toString(16)}`; break; }
      out = `0x${a.toString(16)}`;
      break;
    }
    default: throw new FmtError(`conversion %${s.conv}`);
  }
  if (out.length < s.width) {
    if (s.flags.includes('-')) out = out.padEnd(s.width);
    else if (s.flags.includes('0') && s.conv !== 's') out = out.startsWith('-') ? `-${out.slice(1).padStart(s.width - 1, '0')}` : out.padStart(s.width, '0');
    else out = out.padStart(s.width);
  }
  return out;
}

const SPEC = /%([-+ #0]*)(\d+|\*)?(?:\.(\d+))?(hh|h|ll|l|L|z|j|t)?([diouxXcsp%])/g;

/** The format's literal text and conversions (`%%` is text; `%pS` and kin keep their letter). */
function piecesOf(format: string): Piece[] {
  const out: Piece[] = [];
  let text = '', last = 0;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(format); m; m = SPEC.exec(format)) {
    text += format.slice(last, m.index);
    last = SPEC.lastIndex;
    if (m[5] === '%') { text += '%'; continue; }
    let ext = '';
    if (m[5] === 'p') {
      const e = /^[sSfFBbxXhKRrIiMmUEaNdDgGCeOo]/.exec(format.slice(last));
      if (e) { ext = e[0]; last++; SPEC.lastIndex++; }
    }
    out.push({ text, spec: { flags: m[1], width: m[2] && m[2] !== '*' ? Number(m[2]) : 0, length: m[4] ?? '', conv: m[5], ext }, star: m[2] === '*' });
    text = '';
  }
  out.push({ text: text + format.slice(last) });
  return out;
}

/** The event's text as its print fmt makes it; throws when an argument cannot be evaluated. */
export function render(c: CompiledFmt, fmt: EventFormat, rec: RecordView): string {
  const pieces = c.pieces ??= piecesOf(c.format);
  let out = '';
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k];
    out += p.text;
    if (!p.spec) break;
    if (p.star) throw new FmtError('* width');
    const node = c.args[k];
    if (!node) throw new FmtError('fewer arguments than conversions');
    out += convert(p.spec, evaluate(node, fmt, rec), rec);
  }
  return out;
}

/** Just the argument printed after `key=` in the format (e.g. gfp_flags=%s), or null. */
export function argAfter(c: CompiledFmt, key: string): Node | null {
  let arg = 0;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(c.format); m; m = SPEC.exec(c.format)) {
    if (m[5] === '%') continue;
    if (c.format.slice(0, m.index).endsWith(key)) return c.args[arg] ?? null;
    arg++;
  }
  return null;
}

export { FmtError };
