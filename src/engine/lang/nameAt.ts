// The variable a name in the source stands for, as the checker resolved it: the
// language server's hover and go-to-definition for parameters and locals (and
// globals), scoped exactly as the compiler scopes them — an inner block's declaration
// hides an outer one — because the checker already bound every use to its declaration.
import * as path from 'node:path';
import * as A from './ast';
import type { Range } from './diagnostics';
import type { CheckedProgram } from './load';
import { Type, Symbol, typeName } from './types';

export interface NameInfo {
  kind: 'parameter' | 'local' | 'global' | 'percpu';
  name: string;
  /** the declaration as C writes it: `struct page *page`, `int slots[4]` */
  declaration: string;
  type: Type;
  /** the declared name */
  declRange: Range;
  /** the function (or scenario block) it belongs to; undefined for globals */
  owner?: string;
}

/** `type name` as a declaration reads: the name goes before array dimensions, right after a '*'. */
export function declarationText(t: Type, name: string): string {
  if (t.kind === 'array') {
    const full = typeName(t);
    const at = full.indexOf('[');
    return `${full.slice(0, at)} ${name}${full.slice(at)}`;
  }
  const base = typeName(t);
  return base.endsWith('*') ? `${base}${name}` : `${base} ${name}`;
}

// fields that lead from the syntax tree into types and symbols (cycles), not into syntax
const NOT_SYNTAX = new Set(['type', 'sym', 'field', 'resolved', 'labels', 'decl', 'range', 'nameRange']);

/**
 * The variable named `name` whose use or declaration starts at (line, column), both
 * 1-based, in `file`; undefined when the name there is no variable (a function, a
 * macro, a type) or the position is in code compiled out.
 */
export function nameAt(program: CheckedProgram, file: string, line: number, column: number, name: string): NameInfo | undefined {
  const target = path.resolve(file);
  const here = (r: Range | undefined): boolean =>
    !!r && r.line === line && r.column === column && r.endLine === line && r.endColumn - r.column === name.length && path.resolve(r.file) === target;
  const contains = (r: Range): boolean => r.line <= line && line <= r.endLine && path.resolve(r.file) === target;

  const fromSym = (s: Symbol | undefined, owner: string): NameInfo | undefined => {
    if (!s) return undefined;
    if (s.kind === 'local') {
      const param = !('kind' in s.decl);
      return { kind: param ? 'parameter' : 'local', name: s.name, declaration: declarationText(s.type, s.name), type: s.type, declRange: s.decl.nameRange, owner };
    }
    if (s.kind === 'global' || s.kind === 'percpu') {
      return { kind: s.kind, name: s.name, declaration: declarationText(s.type, s.name), type: s.type, declRange: s.decl.nameRange };
    }
    return undefined;
  };

  // the function bodies and scenario blocks that span the line
  const bodies: { owner: string; params: A.Param[]; body: unknown }[] = [];
  for (const d of program.model.ast.decls) {
    if (d.kind === 'Function' && d.body && contains(d.range)) bodies.push({ owner: d.name, params: d.params, body: d.body });
  }
  for (const b of program.scenario.blocks) {
    if (b.body && contains(b.range)) bodies.push({ owner: `${b.kind} cpu ${b.cpu}`, params: [], body: b.body });
  }
  for (const { owner, params, body } of bodies) {
    for (const p of params) {
      if (p.name === name && here(p.nameRange) && p.type.resolved) {
        return { kind: 'parameter', name, declaration: declarationText(p.type.resolved, name), type: p.type.resolved, declRange: p.nameRange, owner };
      }
    }
    const found = search(body, name, here, owner, fromSym);
    if (found) return found;
  }
  // a global's own declaration
  for (const g of [...program.model.globals, ...program.model.percpu]) {
    if (g.name === name && here(g.nameRange)) return fromSym(g.sym, '');
  }
  return undefined;
}

function search(
  node: unknown, name: string, here: (r: Range | undefined) => boolean, owner: string,
  fromSym: (s: Symbol | undefined, owner: string) => NameInfo | undefined,
): NameInfo | undefined {
  if (Array.isArray(node)) {
    for (const x of node) {
      const f = search(x, name, here, owner, fromSym);
      if (f) return f;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const n = node as { kind?: string; name?: string; range?: Range; nameRange?: Range; sym?: Symbol };
  if (n.kind === 'Ident' && n.name === name && here(n.range)) return fromSym(n.sym, owner);
  if (n.kind === 'Var' && n.name === name && here(n.nameRange)) return fromSym(n.sym, owner);
  for (const [k, v] of Object.entries(n)) {
    if (NOT_SYNTAX.has(k) || !v || typeof v !== 'object') continue;
    const f = search(v, name, here, owner, fromSym);
    if (f) return f;
  }
  return undefined;
}

/**
 * The label a `goto name;` at (line, column) jumps to (or the label itself when the
 * position is on it): the range of the label statement's name, for go to definition.
 */
export function labelAt(program: CheckedProgram, file: string, line: number, column: number, name: string): Range | undefined {
  const target = path.resolve(file);
  const here = (r: Range): boolean => r.line === line && r.column === column && path.resolve(r.file) === target;
  for (const d of program.model.ast.decls) {
    if (d.kind !== 'Function' || !d.body || !d.labels || path.resolve(d.range.file) !== target || d.range.line > line || d.range.endLine < line) continue;
    const label = d.labels.get(name);
    if (!label) return undefined;
    const labelName: Range = { ...label.range, endLine: label.range.line, endColumn: label.range.column + name.length };
    if (here(label.range)) return labelName;
    const gotos: A.GotoStmt[] = [];
    collectGotos(d.body, gotos);
    return gotos.some(g => g.label === name && here(g.labelRange)) ? labelName : undefined;
  }
  return undefined;
}

function collectGotos(node: unknown, out: A.GotoStmt[]): void {
  if (Array.isArray(node)) { for (const x of node) collectGotos(x, out); return; }
  if (!node || typeof node !== 'object') return;
  const n = node as { kind?: string };
  if (n.kind === 'Goto') { out.push(node as A.GotoStmt); return; }
  for (const [k, v] of Object.entries(n)) if (!NOT_SYNTAX.has(k) && v && typeof v === 'object') collectGotos(v, out);
}

/**
 * The parameters and locals visible at (line, column), both 1-based, in `file`: those
 * of the enclosing function (or scenario block) declared before the position in an
 * enclosing block, an inner declaration hiding an outer one of the same name.
 * For completion.
 */
export function localsAt(program: CheckedProgram, file: string, line: number, column: number): NameInfo[] {
  const target = path.resolve(file);
  const before = (r: Range): boolean => r.endLine < line || (r.endLine === line && r.endColumn <= column);
  const inside = (r: Range): boolean =>
    (r.line < line || (r.line === line && r.column <= column)) && (line < r.endLine || (line === r.endLine && column <= r.endColumn));
  const visible = new Map<string, NameInfo>();
  const addDecl = (d: A.VarDecl, owner: string) => {
    const s = d.sym;
    if (s?.kind === 'local') visible.set(d.name, { kind: 'local', name: d.name, declaration: declarationText(s.type, d.name), type: s.type, declRange: d.nameRange, owner });
  };
  const walk = (s: A.Stmt | undefined, owner: string): void => {
    if (!s || !inside(s.range)) return;
    switch (s.kind) {
      case 'Block': stmts(s.body, owner); return;
      case 'For':
        if (s.init?.kind === 'DeclStmt' && before(s.init.range)) for (const d of s.init.decls) addDecl(d, owner);
        walk(s.body, owner);
        return;
      case 'If': walk(s.then, owner); walk(s.else, owner); return;
      case 'While': case 'DoWhile': case 'ForEach': case 'Switch': walk(s.body, owner); return;
      case 'Label': walk(s.body, owner); return;
      default: return;
    }
  };
  const stmts = (list: A.Stmt[], owner: string): void => {
    for (const st of list) {
      if (st.kind === 'DeclStmt' && before(st.range)) for (const d of st.decls) addDecl(d, owner);
      else walk(st, owner);
    }
  };
  for (const d of program.model.ast.decls) {
    if (d.kind !== 'Function' || !d.body || path.resolve(d.range.file) !== target || !inside(d.range)) continue;
    for (const p of d.params) {
      if (p.name && p.type.resolved) visible.set(p.name, { kind: 'parameter', name: p.name, declaration: declarationText(p.type.resolved, p.name), type: p.type.resolved, declRange: p.nameRange, owner: d.name });
    }
    walk(d.body, d.name);
  }
  for (const b of program.scenario.blocks) {
    if (b.body && path.resolve(b.range.file) === target && inside(b.range)) stmts(b.body, `${b.kind} cpu ${b.cpu}`);
  }
  return [...visible.values()];
}

export interface MemberInfo {
  name: string;
  /** the member's declaration: `int count` */
  declaration: string;
  /** the struct it belongs to: `struct per_cpu_pages` */
  owner: string;
  /** where the member is declared (the kernel prelude's file for engine-provided structs) */
  declRange?: Range;
  /** an engine-provided kernel struct (struct page, zone, per_cpu_pages, list_head) */
  engine: boolean;
}

/** The struct member named at (line, column) by `x.name` or `p->name`, as the checker resolved it. */
export function memberAt(program: CheckedProgram, file: string, line: number, column: number, name: string): MemberInfo | undefined {
  const target = path.resolve(file);
  const here = (r: Range | undefined): boolean =>
    !!r && r.line === line && r.column === column && r.endColumn - r.column === name.length && path.resolve(r.file) === target;
  const find = (node: unknown): A.Member | undefined => {
    if (Array.isArray(node)) { for (const x of node) { const f = find(x); if (f) return f; } return undefined; }
    if (!node || typeof node !== 'object') return undefined;
    const n = node as { kind?: string; name?: string; nameRange?: Range };
    if (n.kind === 'Member' && n.name === name && here(n.nameRange)) return node as A.Member;
    for (const [k, v] of Object.entries(n)) {
      if (NOT_SYNTAX.has(k) || !v || typeof v !== 'object') continue;
      const f = find(v);
      if (f) return f;
    }
    return undefined;
  };
  const contains = (r: Range): boolean => r.line <= line && line <= r.endLine && path.resolve(r.file) === target;
  let m: A.Member | undefined;
  for (const d of program.model.ast.decls) {
    if (d.kind === 'Function' && d.body && contains(d.range)) m = find(d.body);
    if (m) break;
  }
  if (!m) for (const b of program.scenario.blocks) if (b.body && contains(b.range) && (m = find(b.body))) break;
  const f = m?.field;
  if (!f) return undefined;
  return {
    name: f.name, declaration: declarationText(f.type, f.name), owner: typeName(f.owner), declRange: f.range, engine: !!f.owner.engine,
  };
}
