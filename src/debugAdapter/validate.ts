// The shape of a request's arguments, checked before any handler runs: a client that
// leaves out `threadId` or sends a string for `frameId` gets one clear error naming the
// attribute, not a TypeError from deep inside a handler (and the session goes on).
import type { DebugProtocol } from '@vscode/debugprotocol';

type Check = 'int' | 'string' | 'object' | 'array' | 'int?' | 'string?' | 'array?' | 'object?';

/** Required (and optional, `?`) attributes of the requests that have some. */
const SHAPES: Record<string, Record<string, Check>> = {
  next: { threadId: 'int' },
  stepIn: { threadId: 'int' },
  stepOut: { threadId: 'int' },
  stepBack: { threadId: 'int' },
  reverseContinue: { threadId: 'int?' },
  continue: { threadId: 'int?' },
  stackTrace: { threadId: 'int', startFrame: 'int?', levels: 'int?' },
  exceptionInfo: { threadId: 'int' },
  scopes: { frameId: 'int' },
  variables: { variablesReference: 'int', start: 'int?', count: 'int?' },
  setVariable: { variablesReference: 'int', name: 'string', value: 'string' },
  evaluate: { expression: 'string', frameId: 'int?' },
  setBreakpoints: { source: 'object', breakpoints: 'array?', lines: 'array?' },
  breakpointLocations: { source: 'object', line: 'int', endLine: 'int?' },
  setFunctionBreakpoints: { breakpoints: 'array' },
  setExceptionBreakpoints: { filters: 'array', filterOptions: 'array?' },
  setDataBreakpoints: { breakpoints: 'array' },
  dataBreakpointInfo: { name: 'string', variablesReference: 'int?', frameId: 'int?' },
  gotoTargets: { source: 'object', line: 'int' },
  goto: { threadId: 'int', targetId: 'int' },
};

/** Each element of these arrays must be an object with these attributes. */
const ELEMENTS: Record<string, [string, Record<string, Check>]> = {
  setBreakpoints: ['breakpoints', { line: 'int', condition: 'string?', hitCondition: 'string?', logMessage: 'string?' }],
  setFunctionBreakpoints: ['breakpoints', { name: 'string', condition: 'string?', hitCondition: 'string?' }],
  setDataBreakpoints: ['breakpoints', { dataId: 'string', condition: 'string?', hitCondition: 'string?' }],
};

function fits(v: unknown, c: Check): boolean {
  if (c.endsWith('?') && (v === undefined || v === null)) return true;
  switch (c.replace('?', '')) {
    case 'int': return typeof v === 'number' && Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'array': return Array.isArray(v);
    default: return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

const WANT: Record<string, string> = { int: 'an integer', string: 'a string', array: 'an array', object: 'an object' };

function checkShape(where: string, obj: Record<string, unknown>, shape: Record<string, Check>): string | undefined {
  for (const [key, c] of Object.entries(shape)) {
    const v = obj[key];
    if (fits(v, c)) continue;
    const want = WANT[c.replace('?', '')];
    return v === undefined ? `${where}: missing "${key}" (${want})` : `${where}: "${key}" must be ${want}, not ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** What is wrong with a request's arguments, or undefined when they have the shape DAP gives them. */
export function argumentProblem(request: DebugProtocol.Request): string | undefined {
  const shape = SHAPES[request.command];
  if (!shape) return undefined;
  const args = request.arguments as unknown;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return `lockstep: '${request.command}' needs its arguments (an object)`;
  const obj = args as Record<string, unknown>;
  const problem = checkShape(`lockstep: '${request.command}'`, obj, shape);
  if (problem) return problem;
  const el = ELEMENTS[request.command];
  const list = el && obj[el[0]];
  if (Array.isArray(list)) {
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as unknown;
      const where = `lockstep: '${request.command}' ${el[0]}[${i}]`;
      if (typeof item !== 'object' || item === null) return `${where} must be an object`;
      const p = checkShape(where, item as Record<string, unknown>, el[1]);
      if (p) return p;
    }
  }
  if (request.command === 'setExceptionBreakpoints' && (obj.filters as unknown[]).some(f => typeof f !== 'string')) {
    return `lockstep: 'setExceptionBreakpoints': "filters" must be strings`;
  }
  if (request.command === 'setBreakpoints' && Array.isArray(obj.lines) && obj.lines.some(l => !Number.isInteger(l))) {
    return `lockstep: 'setBreakpoints': "lines" must be integers`;
  }
  return undefined;
}

/** Standard requests this adapter does not offer (not advertised in its capabilities): a
 * client that sends one anyway gets an error, not an empty success it might trust. */
export const UNSUPPORTED = new Set([
  'attach', 'restartFrame', 'stepInTargets', 'loadedSources', 'source', 'setExpression', 'completions', 'readMemory',
  'writeMemory', 'disassemble', 'setInstructionBreakpoints', 'terminateThreads', 'modules', 'locations',
]);
