// The debugger's use of the Kernel C evaluator: frame locals, watch/hover/console
// expressions, breakpoint conditions, lvalues for data breakpoints and what-if edits.
// One interface so the adapter does not care how expressions are evaluated.
import type { Machine } from '../sim/machine';
import type { Context } from '../sim/state';
import type { ViewNode } from './views';
import { evaluate, evaluateCondition, frameLocals, childrenOf, childCount, EvalError } from './evaluate';
import type { TypedValue } from './values';

export interface EvalAt { ctx?: Context; frame: number }

export interface LocalsProvider {
  frameLocals(m: Machine, ctx: Context, frame: number): ViewNode[];
  /** a node, or an error message (with the column) */
  evaluate(m: Machine, at: EvalAt, text: string): ViewNode | string;
  /** true when the condition holds; throws when it cannot be evaluated */
  condition(m: Machine, ctx: Context, text: string): boolean;
  /** an error message when the condition cannot be parsed/typed, else undefined */
  checkCondition(m: Machine, text: string): string | undefined;
  lvalue(m: Machine, at: EvalAt, text: string): { addr: number; cells: number; list: boolean } | string;
  /** the number a what-if edit writes */
  numericValue(m: Machine, at: EvalAt, text: string): number | string;
}

const NO_EVAL = 'Kernel C expressions need the evaluator, which this build does not have yet';

function parseInteger(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  return undefined;
}

/** Until the evaluator lands: integers only. */
export const localsOf: LocalsProvider = {
  frameLocals: () => [],
  evaluate: (_m, _at, text) => {
    const n = parseInteger(text);
    return n === undefined ? `${NO_EVAL} (1:1)` : { name: text, value: String(n) };
  },
  condition: () => { throw new Error(NO_EVAL); },
  checkCondition: () => `breakpoint conditions: ${NO_EVAL}`,
  lvalue: () => NO_EVAL,
  numericValue: (_m, _at, text) => parseInteger(text) ?? `'${text}' is not an integer`,
};

// ---- with the evaluator (src/engine/debug/evaluate.ts) ----

/** A typed value as a view node: children on demand, paged when indexed. */
export function valueNode(m: Machine, name: string, v: TypedValue): ViewNode {
  const node: ViewNode = {
    name, value: v.display, type: v.typeName, addr: v.addr, cells: v.cells, list: v.isList,
    editable: v.addr !== undefined && (v.kind === 'int' || v.kind === 'bool' || v.kind === 'enum'),
    expression: v.evaluateName,
  };
  if (v.expandable) {
    let n: number | undefined;
    Object.defineProperty(node, 'count', { get: () => (n ??= childCount(m, v)), enumerable: true });
    node.indexed = !!v.indexed;
    node.children = (start, count) => childrenOf(m, v, start, count).map(c => valueNode(m, c.name, c.value));
  }
  return node;
}

function message(e: unknown, text: string): string {
  if (e instanceof EvalError) return `${e.message} (at column ${e.column} of '${text.trim()}')`;
  return `cannot evaluate '${text.trim()}': ${(e as Error)?.message ?? String(e)}`;
}

const SYNTAX = /syntax|expected|unexpected|empty expression|too long|unterminated|invalid/i;

export const evalLocals: LocalsProvider = {
  frameLocals: (m, ctx, frame) => {
    try {
      return frameLocals({ machine: m, context: ctx, frame }).map(l => valueNode(m, l.name, l.value));
    } catch (e) {
      return [{ name: '<error>', value: message(e, '') }];
    }
  },
  evaluate: (m, at, text) => {
    try {
      return valueNode(m, text, evaluate({ machine: m, context: at.ctx, frame: at.frame }, text));
    } catch (e) {
      return message(e, text);
    }
  },
  condition: (m, ctx, text) => evaluateCondition({ machine: m, context: ctx, frame: 0 }, text),
  checkCondition: (m, text) => {
    try {
      evaluate({ machine: m }, text);
      return undefined;
    } catch (e) {
      // names are only known at the hit (a local of the function); syntax is known now
      return e instanceof EvalError && SYNTAX.test(e.message) ? `condition: ${message(e, text)}` : undefined;
    }
  },
  lvalue: (m, at, text) => {
    try {
      const v = evaluate({ machine: m, context: at.ctx, frame: at.frame }, text);
      if (v.addr === undefined) return `'${text.trim()}' is a value, not memory the machine can watch`;
      return { addr: v.addr, cells: v.cells ?? 1, list: !!v.isList };
    } catch (e) {
      return message(e, text);
    }
  },
  numericValue: (m, at, text) => {
    try {
      const v = evaluate({ machine: m, context: at.ctx, frame: at.frame }, text);
      if (v.numeric === undefined) return `the new value must be a number, not '${v.typeName}'`;
      return v.numeric;
    } catch (e) {
      return message(e, text);
    }
  },
};
