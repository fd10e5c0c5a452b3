// The debugger's use of the Kernel C evaluator: frame locals, watch/hover/console
// expressions, breakpoint conditions, lvalues for data breakpoints and what-if edits.
// One interface so the adapter does not care how expressions are evaluated.
import type { Machine } from '../sim/machine';
import type { Context } from '../sim/state';
import type { ViewNode } from './views';

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
