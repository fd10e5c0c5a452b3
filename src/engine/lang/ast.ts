// The Kernel C syntax tree. Every node carries the exact range the user wrote; the
// checker fills in `type` on expressions and `sym` on names so later layers (engine,
// debugger, language server) never resolve a name twice.
import { Range } from './diagnostics';
import type { Type, Symbol, FieldInfo } from './types';

export interface NodeBase { range: Range }

// ---- type syntax ----------------------------------------------------------
export interface TypeSpec extends NodeBase {
  kind: 'TypeSpec';
  base: BaseSpec;
  pointers: number;
  percpu: boolean;          // __percpu: a per-CPU pointer (zone->per_cpu_pageset)
  arrayDims: (Expr | undefined)[];
  resolved?: Type;
  /** the declared object itself is const (const int x; struct page *const p): not assignable */
  readonly?: boolean;
}

export type BaseSpec = (
  | { kind: 'named'; name: string; range: Range }                 // int, unsigned long, u8, a typedef
  | { kind: 'struct'; tag: string; union: boolean; body?: FieldDecl[]; range: Range }
  | { kind: 'enum'; tag: string; body?: EnumMember[]; range: Range }
) & { isConst?: boolean };                                         // const among the specifiers

export interface FieldDecl extends NodeBase {
  name: string;             // '' for an anonymous union/struct member
  type: TypeSpec;
  nameRange: Range;
}

export interface EnumMember extends NodeBase { name: string; value?: Expr; resolved?: number }

// ---- top-level declarations ----------------------------------------------
export type TopDecl = FunctionDecl | VarDecl | TypeDecl | PerCpuDecl;

export interface FunctionDecl extends NodeBase {
  kind: 'Function';
  name: string;
  nameRange: Range;
  returnType: TypeSpec;
  params: Param[];
  variadic: boolean;
  body?: Block;             // undefined: a prototype
  isStatic: boolean;
  // filled by the checker
  frameSize?: number;       // local slots (params first)
  labels?: Map<string, LabelStmt>;
  sym?: Symbol;
}

export interface Param extends NodeBase { name: string; type: TypeSpec; nameRange: Range; slot?: number }

export interface VarDecl extends NodeBase {
  kind: 'Var';
  name: string;
  nameRange: Range;
  type: TypeSpec;
  init?: Expr | InitList;
  global: boolean;
  emptyList?: boolean;      // LIST_HEAD(name): a list head initialised empty
  slot?: number;            // local slot, set by the checker
  sym?: Symbol;
}

export interface PerCpuDecl extends NodeBase {
  kind: 'PerCpu';
  name: string;
  nameRange: Range;
  type: TypeSpec;
  /** DEFINE_PER_CPU(type, name) = { ... }: every CPU's copy starts with it */
  init?: Expr | InitList;
  sym?: Symbol;
}

export interface TypeDecl extends NodeBase {
  kind: 'TypeDecl';         // struct/union/enum definition, or typedef
  typedefName?: string;
  nameRange?: Range;
  type: TypeSpec;
}

export interface InitList extends NodeBase {
  kind: 'InitList';
  items: { designator?: string; index?: Expr; value: Expr | InitList; range: Range }[];
}

// ---- statements -------------------------------------------------------------
export type Stmt =
  | Block | ExprStmt | DeclStmt | IfStmt | WhileStmt | DoWhileStmt | ForStmt | SwitchStmt
  | BreakStmt | ContinueStmt | ReturnStmt | GotoStmt | LabelStmt | CaseStmt | EmptyStmt | ForEachStmt;

export interface Block extends NodeBase { kind: 'Block'; body: Stmt[] }
export interface ExprStmt extends NodeBase { kind: 'ExprStmt'; expr: Expr }
export interface DeclStmt extends NodeBase { kind: 'DeclStmt'; decls: VarDecl[] }
export interface IfStmt extends NodeBase { kind: 'If'; cond: Expr; then: Stmt; else?: Stmt }
export interface WhileStmt extends NodeBase { kind: 'While'; cond: Expr; body: Stmt }
export interface DoWhileStmt extends NodeBase { kind: 'DoWhile'; body: Stmt; cond: Expr }
export interface ForStmt extends NodeBase { kind: 'For'; init?: Stmt; cond?: Expr; step?: Expr; body: Stmt }
export interface SwitchStmt extends NodeBase { kind: 'Switch'; expr: Expr; body: Stmt }
/** A case label inside a switch body (value undefined: default); the statements after it follow in the block. */
/** `case lo ... hi:` (GCC's case range, common in the kernel) sets high. */
export interface CaseStmt extends NodeBase { kind: 'Case'; value?: Expr; constValue?: number; high?: Expr; constHigh?: number }
export interface BreakStmt extends NodeBase { kind: 'Break' }
export interface ContinueStmt extends NodeBase { kind: 'Continue' }
export interface ReturnStmt extends NodeBase { kind: 'Return'; value?: Expr }
export interface GotoStmt extends NodeBase { kind: 'Goto'; label: string; labelRange: Range }
export interface LabelStmt extends NodeBase { kind: 'Label'; label: string; body: Stmt }
export interface EmptyStmt extends NodeBase { kind: 'Empty' }
/** list_for_each_entry(pos, head, member) body, for_each_online_cpu(cpu) body, ... */
export interface ForEachStmt extends NodeBase {
  kind: 'ForEach';
  iterator: string;
  iteratorRange: Range;
  args: Arg[];
  body: Stmt;
}

// ---- expressions ------------------------------------------------------------
export type Expr =
  | NumberLit | StringLit | Ident | Unary | Postfix | Binary | Assign | Ternary | Call
  | Member | Index | Cast | SizeOf | Comma;

interface ExprBase extends NodeBase { type?: Type }
export interface NumberLit extends ExprBase { kind: 'Number'; value: number; text: string }
export interface StringLit extends ExprBase { kind: 'String'; value: string }
export interface Ident extends ExprBase { kind: 'Ident'; name: string; sym?: Symbol }
export interface Unary extends ExprBase { kind: 'Unary'; op: '-' | '+' | '!' | '~' | '*' | '&' | '++' | '--'; operand: Expr }
export interface Postfix extends ExprBase { kind: 'Postfix'; op: '++' | '--'; operand: Expr }
export interface Binary extends ExprBase { kind: 'Binary'; op: string; left: Expr; right: Expr }
export interface Assign extends ExprBase { kind: 'Assign'; op: string; target: Expr; value: Expr }
export interface Ternary extends ExprBase { kind: 'Ternary'; cond: Expr; then: Expr; else: Expr }
export interface Comma extends ExprBase { kind: 'Comma'; left: Expr; right: Expr }
export interface Call extends ExprBase { kind: 'Call'; callee: Ident; args: Arg[]; calleeRange: Range }
export interface Member extends ExprBase { kind: 'Member'; object: Expr; name: string; arrow: boolean; nameRange: Range; field?: FieldInfo }
export interface Index extends ExprBase { kind: 'Index'; object: Expr; index: Expr }
export interface Cast extends ExprBase { kind: 'Cast'; to: TypeSpec; operand: Expr }
export interface SizeOf extends ExprBase { kind: 'SizeOf'; of: TypeSpec | Expr; value?: number }

/** A call argument: an expression, or for builtins such as list_entry a type or a member name. */
export type Arg = Expr | TypeArg | MemberArg;
export interface TypeArg extends NodeBase { kind: 'TypeArg'; spec: TypeSpec }
export interface MemberArg extends NodeBase { kind: 'MemberArg'; name: string }

export interface ModelAst {
  decls: TopDecl[];
}
