// Every diagnostic the front end can report is defined once here, with a stable code,
// so the CLI, the language server and the debugger all speak the same words.

export interface Range {
  file: string;
  line: number;      // 1-based
  column: number;    // 1-based
  endLine: number;
  endColumn: number; // exclusive
}

export interface Diagnostic extends Range {
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

const MESSAGES = {
  // lexer
  L001: 'unterminated comment',
  L002: 'unterminated string literal',
  L003: "unexpected character '{0}'",
  L004: 'invalid number literal {0}',
  L005: 'unterminated character literal',
  // preprocessor
  P001: "cannot open include file '{0}'",
  P002: 'include cycle: {0}',
  P003: 'unterminated #{0}: missing #endif',
  P004: '#{0} without #if',
  P005: "unknown preprocessor directive '#{0}'",
  P006: 'expected {0} in #{1}',
  P007: "macro '{0}' expects {1} argument(s), got {2}",
  P008: "unterminated argument list of macro '{0}'",
  P009: '#error {0}',
  P010: 'invalid #if expression: {0}',
  P011: 'macro expansion too deep (more than {0} levels)',
  P012: 'includes nested too deeply (more than {0} levels)',
  P013: '#else after #else',
  P014: 'more than {0} tokens after preprocessing; the rest is ignored',
  P015: "more than {0} macro expansions (reached expanding '{1}'); the rest is ignored",
  // parser
  S001: 'expected {0}, found {1}',
  S002: 'expected an expression, found {0}',
  S003: 'expected a statement, found {0}',
  S004: 'expected a declaration, found {0}',
  S005: 'nesting too deep (more than {0} levels)',
  S006: '{0} are not supported in Kernel C',
  // checker
  C001: "use of undeclared identifier '{0}'{1}",
  C002: "no member named '{0}' in '{1}'{2}",
  C003: "too {0} arguments to {1} '{2}': expected {3}, got {4}",
  C004: "unknown type name '{0}'{1}",
  C005: "redefinition of '{0}'",
  C006: "member access '{0}' on a value of type '{1}', which is not a struct",
  C007: "'{0}' used on a {1}; did you mean '{2}'?",
  C008: "cannot dereference a value of type '{0}'",
  C009: "called object '{0}' is not a function",
  C010: "use of undeclared label '{0}'",
  C011: "'{0}' statement not in a loop{1}",
  C012: "incomplete type '{0}'",
  C013: "expression is not assignable",
  C014: "subscripted value of type '{0}' is neither an array nor a pointer",
  C015: "argument {0} of '{1}' must be {2}",
  C016: "void function '{0}' should not return a value",
  C017: "non-void function '{0}' should return a value",
  C018: "function '{0}' is declared but never defined",
  C019: "duplicate case value {0}",
  C020: "'{0}' is an engine-provided kernel type and cannot be redefined",
  C021: "array size must be a positive integer constant",
  C022: "expression is not an integer constant",
  C023: "'{0}' statement not in a switch statement",
  C024: "incompatible types {0}: expected '{1}', found '{2}' ({3})",
  C025: 'void value not ignored as it ought to be',
  C026: "assignment to expression with array type '{0}'",
  C027: 'array index {0} is past the end of the array (which contains {1} elements)',
  C028: 'array index {0} is before the beginning of the array',
  C029: 'empty range specified: the case range ends below its start',
  C030: "invalid operands to binary {0} (have '{1}' and '{2}')",
  C031: 'excess elements in {0} initializer',
  C033: "conversion to non-scalar type '{0}' requested",
  C034: "cannot cast a value of struct type '{0}' to '{1}'",
  C035: "assignment of read-only variable '{0}'",
  C036: "assignment of a member of read-only object '{0}'",
  C037: "{0} is not an integer (it is '{1}')",
  C038: "wrong type argument to unary {0}: '{1}'",
  C039: "comparison between pointer and integer ('{0}' and '{1}')",
  C040: "comparison of distinct pointer types ('{0}' and '{1}') lacks a cast",
  C032: 'array index {0} in initializer exceeds array bounds (the array has {1} elements)',
  // scenario
  N001: "unknown scenario keyword '{0}'{1}",
  N002: "duplicate '{0}' declaration (first at line {1})",
  N003: "missing '{0}' declaration",
  N004: 'cpu {0} is out of range: the scenario has {1} CPU(s) (0..{2})',
  N005: 'a UP scenario has exactly one CPU, not {0}',
  N006: "unknown finding kind '{0}'{1}",
  N007: "unknown model '{0}'; bundled models: {1}",
  N008: "call to '{0}', which the model does not define{1}",
  N009: "unknown zone '{0}'{1}",
  N010: 'cpus must be between 1 and {0}, not {1}',
  N011: "unknown migratetype '{0}'{1}",
  N012: 'order {0} is out of range (0..10)',
  N013: "expected {0} after '{1}'",
  N014: "duplicate zone '{0}'",
  N015: 'the scenario needs at least one task block',
  N016: "config '{0}' expects on, off or an integer",
  N017: "unknown config '{0}'; use SMP, UP, PREEMPT_RT or CONFIG_<NAME>",
  N018: 'model file \'{0}\' was not found',
  N019: "cannot read scenario file '{0}'",
  N020: 'the pcp lines of zone {0} ask for {1} pages, but the zone has {2}',
  N021: 'batch must be at least 1, not {0} (the kernel keeps every pcp batch at 1 or more)',
} as const;

export type DiagnosticCode = keyof typeof MESSAGES;

export function message(code: DiagnosticCode, args: readonly (string | number)[]): string {
  return MESSAGES[code].replace(/\{(\d)\}/g, (_m, i: string) => String(args[Number(i)] ?? ''));
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  // A 10 MB file full of garbage must not yield a million diagnostics: keep the first
  // ones per file, which is what a user can act on anyway.
  private perFile = new Map<string, number>();
  static readonly LIMIT_PER_FILE = 100;

  error(range: Range, code: DiagnosticCode, ...args: (string | number)[]): void {
    this.add(range, 'error', code, args);
  }

  warning(range: Range, code: DiagnosticCode, ...args: (string | number)[]): void {
    this.add(range, 'warning', code, args);
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }

  /** Adds a diagnostic made by another bag (the preprocessor filters the lexer's), within this bag's limits. */
  adopt(d: Diagnostic): void {
    this.push(d, d.severity, d.code, d.message);
  }

  private add(range: Range, severity: 'error' | 'warning', code: DiagnosticCode, args: (string | number)[]): void {
    this.push(range, severity, code, message(code, args));
  }

  private push(range: Range, severity: 'error' | 'warning', code: string, text: string): void {
    const n = this.perFile.get(range.file) ?? 0;
    if (n > DiagnosticBag.LIMIT_PER_FILE) return;
    this.perFile.set(range.file, n + 1);
    if (n === DiagnosticBag.LIMIT_PER_FILE) {
      this.items.push({ ...pick(range), severity: 'error', code: 'X000', message: 'too many errors in this file; stopping here' });
      return;
    }
    this.items.push({ ...pick(range), severity, code, message: text });
  }
}

function pick(r: Range): Range {
  return { file: r.file, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

// "did you mean" for names: the closest candidate within an edit distance that scales
// with the name's length, as compilers do.
export function suggest(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestDist = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDist) continue;
    const d = editDistance(name, c, bestDist);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string, cap: number): number {
  // optimal string alignment: a swap of two neighbours ("tsak") is one edit
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    const t = prev2; prev2 = prev; prev = cur; cur = t;
  }
  return prev[b.length];
}
