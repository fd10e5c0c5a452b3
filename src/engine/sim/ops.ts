// The compiled form of Kernel C: a flat list of stack-machine instructions per
// function. A step runs instructions up to a statement boundary, a model-function call
// or a lock/list primitive, so a context can stop anywhere a scheduler may switch.
import type { Range } from '../lang/diagnostics';
import type { Builtin } from '../builtins';
import type { Type } from '../lang/types';
import type { VarDecl, Param } from '../lang/ast';

export const enum Op {
  PUSH, POP, DUP, SWAP,
  ADDR_LOCAL,   // a: cell offset in the frame
  ADDR_ABS,     // a: absolute address (globals, zones, per-CPU variables in CPU 0's area)
  THIS_CPU,     // per-CPU pointer → this CPU's instance
  PER_CPU,      // per-CPU pointer, cpu → that CPU's instance
  LOAD,         // a: width kind
  STORE,        // a: width kind; leaves the value
  INCDEC,       // a: width kind, b: delta, c: 1 = postfix (leave old value)
  OFFSET,       // a: cells
  INDEX,        // a: stride
  BIN,          // a: BinOp, b: width kind of the result, c: 1 = unsigned comparison/division
  UN,           // a: UnOp, b: width kind
  CONV,         // a: width kind (casts, assignments to narrower types)
  JMP, JZ, JNZ, // a: target
  CALL,         // a: function index, b: argc
  RET,          // a: 1 = with value
  BUILTIN,      // a: builtin id, b: argc, c: constant (member offset, stride ...)
  STEP,         // end of a statement
  ZONE_ITER,    // a: 0 first / 1 next; replaces top (zone address) with the next zone or 0
}

export const enum BinOp { ADD, SUB, MUL, DIV, MOD, SHL, SHR, AND, OR, XOR, EQ, NE, LT, GT, LE, GE }
export const enum UnOp { NEG, NOT, BITNOT }

/** Width kinds: how a value is wrapped when stored or computed. */
export const enum W { NONE, S8, U8, S16, U16, S32, U32, S64, U64, BOOL }

export interface Instr {
  op: Op;
  a: number;
  b: number;
  c: number;
  /** index into CompiledProgram.locs: the statement or primitive call it belongs to */
  loc: number;
  builtin?: Builtin;
}

export interface CompiledFn {
  index: number;
  name: string;
  code: Instr[];
  frameCells: number;
  paramOffsets: number[];
  paramWidths: W[];
  returnsValue: boolean;
  range: Range;
  /** scenario blocks are functions too: a task or irq body */
  block?: { kind: 'task' | 'irq'; cpu: number; index: number };
  /** cells of locals that hold list heads initialised empty (LIST_HEAD) */
  emptyLists: number[];
  /** parameters and locals with their frame cells and the code they are in scope for (the debugger's Locals) */
  locals?: LocalVar[];
}

/** A named parameter or local: in scope for instructions from <= pc < to. */
export interface LocalVar {
  name: string;
  type: Type;
  offset: number;           // cell offset in the frame
  from: number;
  to: number;
  param: boolean;
  /** block nesting depth: an inner declaration hides an outer one of the same name */
  depth: number;
  decl: VarDecl | Param;
}

export function wrap(v: number, w: W): number {
  switch (w) {
    case W.NONE: return v;
    case W.S32: return v | 0;
    case W.U32: return v >>> 0;
    case W.S8: return (v << 24) >> 24;
    case W.U8: return v & 0xff;
    case W.S16: return (v << 16) >> 16;
    case W.U16: return v & 0xffff;
    case W.BOOL: return v ? 1 : 0;
    case W.S64:
      if (Number.isSafeInteger(v)) return v;
      return Number.isFinite(v) ? Number(BigInt.asIntN(64, BigInt(Math.trunc(v)))) : 0;
    case W.U64:
      if (v >= 0 && Number.isSafeInteger(v)) return v;
      return Number.isFinite(v) ? Number(BigInt.asUintN(64, BigInt(Math.trunc(v)))) : 0;
  }
}
