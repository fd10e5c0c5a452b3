// C types as the checker and the engine see them. Widths are the kernel's on x86_64
// (LP64): int 32, long 64, pointers 64.
import type { FunctionDecl, VarDecl, PerCpuDecl, EnumMember, Param } from './ast';
import type { Builtin } from '../builtins';
import type { Range } from './diagnostics';

export type Type = IntType | VoidType | PtrType | ArrayType | StructType | FuncType;

export interface IntType { kind: 'int'; name: string; bits: 8 | 16 | 32 | 64; signed: boolean; bool?: boolean }
export interface VoidType { kind: 'void' }
export interface PtrType { kind: 'ptr'; to: Type; percpu: boolean }
export interface ArrayType { kind: 'array'; of: Type; length: number }
export interface FuncType { kind: 'func'; ret: Type; params: Type[]; variadic: boolean }

/** Lock types and the engine's kernel structs are marked, so the engine knows them. */
export type LockKind = 'spinlock_t' | 'raw_spinlock_t' | 'local_lock_t';

export interface StructType {
  kind: 'struct';
  tag: string;
  union: boolean;
  fields: FieldInfo[];
  fieldMap: Map<string, FieldInfo>;
  slots: number;           // storage cells; members of an anonymous union share one
  complete: boolean;
  lock?: LockKind;
  engine?: boolean;        // provided by the engine (struct page, zone, ...)
  range?: Range;
}

export interface FieldInfo { name: string; type: Type; slot: number; owner: StructType; range?: Range }

export type Symbol =
  | { kind: 'local'; name: string; type: Type; slot: number; decl: VarDecl | Param }
  | { kind: 'global'; name: string; type: Type; index: number; decl: VarDecl }
  | { kind: 'percpu'; name: string; type: Type; index: number; decl: PerCpuDecl }
  | { kind: 'function'; name: string; type: FuncType; decl: FunctionDecl }
  | { kind: 'enumConst'; name: string; value: number; type: Type; decl?: EnumMember }
  | { kind: 'builtin'; name: string; builtin: Builtin }
  | { kind: 'zone'; name: string; index: number; type: Type };

const int = (name: string, bits: 8 | 16 | 32 | 64, signed: boolean): IntType => ({ kind: 'int', name, bits, signed });

export const T = {
  void: { kind: 'void' } as VoidType,
  bool: { kind: 'int', name: 'bool', bits: 8, signed: false, bool: true } as IntType,
  char: int('char', 8, true),
  uchar: int('unsigned char', 8, false),
  short: int('short', 16, true),
  ushort: int('unsigned short', 16, false),
  int: int('int', 32, true),
  uint: int('unsigned int', 32, false),
  long: int('long', 64, true),
  ulong: int('unsigned long', 64, false),
};

/** Base type names a kernel developer writes, beyond C's keywords. */
export const NAMED_INTS: Record<string, IntType> = {
  u8: int('u8', 8, false), u16: int('u16', 16, false), u32: int('u32', 32, false), u64: int('u64', 64, false),
  s8: int('s8', 8, true), s16: int('s16', 16, true), s32: int('s32', 32, true), s64: int('s64', 64, true),
  __u8: int('__u8', 8, false), __u16: int('__u16', 16, false), __u32: int('__u32', 32, false), __u64: int('__u64', 64, false),
  uint8_t: int('uint8_t', 8, false), uint16_t: int('uint16_t', 16, false), uint32_t: int('uint32_t', 32, false), uint64_t: int('uint64_t', 64, false),
  int8_t: int('int8_t', 8, true), int16_t: int('int16_t', 16, true), int32_t: int('int32_t', 32, true), int64_t: int('int64_t', 64, true),
  size_t: int('size_t', 64, false), ssize_t: int('ssize_t', 64, true),
  gfp_t: int('gfp_t', 32, false), pgoff_t: int('pgoff_t', 64, false), atomic_t: int('atomic_t', 32, true),
  atomic_long_t: int('atomic_long_t', 64, true), uintptr_t: int('uintptr_t', 64, false),
};

export function isInt(t: Type | undefined): t is IntType { return !!t && t.kind === 'int'; }
export function isPtr(t: Type | undefined): t is PtrType { return !!t && t.kind === 'ptr'; }
export function isScalar(t: Type | undefined): boolean { return !!t && (t.kind === 'int' || t.kind === 'ptr'); }
export function isStruct(t: Type | undefined): t is StructType { return !!t && t.kind === 'struct'; }

export function ptrTo(to: Type, percpu = false): PtrType { return { kind: 'ptr', to, percpu }; }

export function typeName(t: Type | undefined): string {
  if (!t) return '<error>';
  switch (t.kind) {
    case 'int': return t.name;
    case 'void': return 'void';
    case 'ptr': return `${typeName(t.to)}${t.percpu ? ' __percpu' : ''} *`;
    case 'array': {
      // int a[2][3] is an array of 2 arrays of 3: the dimensions read outermost first
      let base: Type = t;
      let dims = '';
      while (base.kind === 'array') { dims += `[${base.length}]`; base = base.of; }
      return `${typeName(base)}${dims}`;
    }
    case 'struct': return t.lock ? t.lock : `${t.union ? 'union' : 'struct'} ${t.tag || '<anonymous>'}`;
    case 'func': return `${typeName(t.ret)}(${t.params.map(typeName).join(', ')})`;
  }
}

/** Usual arithmetic conversions (simplified: the wider operand, unsigned wins a tie, at least int). */
export function arith(a: Type | undefined, b: Type | undefined): IntType {
  const x = isInt(a) ? a : T.int;
  const y = isInt(b) ? b : T.int;
  const bits = Math.max(x.bits, y.bits, 32) as 32 | 64;
  const unsigned = (x.bits === bits && !x.signed && !x.bool) || (y.bits === bits && !y.signed && !y.bool);
  if (bits === 64) return unsigned ? T.ulong : T.long;
  return unsigned ? T.uint : T.int;
}

export function promote(a: Type | undefined): IntType {
  const x = isInt(a) ? a : T.int;
  return x.bits < 32 || x.bool ? T.int : x;
}

/** sizeof, LP64: used by sizeof expressions and array strides. */
export function sizeOf(t: Type): number {
  switch (t.kind) {
    case 'int': return t.bits / 8;
    case 'void': return 1;
    case 'ptr': case 'func': return 8;
    case 'array': return t.length * sizeOf(t.of);
    case 'struct': {
      if (t.lock) return 4;
      let size = 0;
      for (const f of t.fields) size = t.union ? Math.max(size, sizeOf(f.type)) : size + sizeOf(f.type);
      return Math.max(size, 1);
    }
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'int': return a.bits === (b as IntType).bits && a.signed === (b as IntType).signed;
    case 'ptr': return sameType(a.to, (b as PtrType).to);
    case 'array': return sameType(a.of, (b as ArrayType).of);
    default: return false;
  }
}

/** An array or function used as a value becomes a pointer (C's decay). */
export function decay(t: Type): Type {
  if (t.kind === 'array') return ptrTo(t.of);
  if (t.kind === 'func') return ptrTo(t);
  return t;
}

/**
 * Whether pointers to `a` and to `b` may be converted silently, as gcc 14 accepts them
 * without -fpermissive: void on either side, the same struct, integers of one width
 * (a signedness difference is only gcc's -Wpointer-sign), and so on down the pointers.
 * __percpu is a sparse annotation, invisible to the compiler.
 */
function compatiblePointee(a: Type, b: Type, top = true): boolean {
  if (a === b) return true;
  if (top && (a.kind === 'void' || b.kind === 'void')) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'int': return a.bits === (b as IntType).bits;
    case 'ptr': return compatiblePointee(a.to, (b as PtrType).to, false);
    case 'array': return compatiblePointee(a.of, (b as ArrayType).of, false);
    case 'struct': { const s = b as StructType; return a.tag !== '' && a.tag === s.tag && a.union === s.union; }
    default: return true; // void and void, functions (no function pointers in models)
  }
}

/**
 * Why a value of type `from` cannot be stored into `to` by initialisation, assignment,
 * argument passing or return ('' when it can). `nullConst`: the value is an integer
 * constant 0 (or NULL), which any pointer accepts. `stringLit`: a string literal, which
 * initialises a char array.
 */
export function conversionProblem(to: Type, from: Type, nullConst: boolean, stringLit = false): string {
  if (to.kind === 'array') {
    if (stringLit && isInt(to.of) && to.of.bits === 8) return '';
    return 'an array is initialised with a brace list, not a single value';
  }
  const v = decay(from);
  if (to.kind === 'void') return '';
  if (v.kind === 'void') return 'void value not ignored as it ought to be';
  if (to.kind === 'int') {
    if (v.kind === 'int') return '';
    if (v.kind === 'ptr') return to.bool ? '' : 'makes integer from pointer without a cast';
    return 'a struct is not an integer';
  }
  if (to.kind === 'ptr') {
    if (v.kind === 'ptr') return compatiblePointee(to.to, v.to) ? '' : 'incompatible pointer types';
    if (v.kind === 'int') return nullConst ? '' : 'makes pointer from integer without a cast';
    return 'a struct is not a pointer';
  }
  if (to.kind === 'struct') {
    if (v.kind === 'struct' && (v === to || (to.tag !== '' && v.tag === to.tag && v.union === to.union))) return '';
    return `'${typeName(to)}' needs a value of the same struct type`;
  }
  return '';
}
