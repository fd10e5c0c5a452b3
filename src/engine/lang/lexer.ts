// Tokens for both file types. Positions are exact (1-based line and column, end
// exclusive) so every later node can carry the range of what the user wrote.
import { DiagnosticBag, Range } from './diagnostics';

export type TokenKind = 'ident' | 'number' | 'string' | 'char' | 'punct' | 'eof';

export interface Token extends Range {
  kind: TokenKind;
  text: string;
  bol: boolean;    // first token on its (logical) line: directives start here
  space: boolean;  // whitespace before it: macro definitions and hyphenated names need it
  value?: number;  // number and char literals
  hide?: Set<string>; // macros that must not expand this token again (the C hide set)
}

/**
 * The punctuator starting with the characters c, c1, c2 (longest match), or undefined.
 * Three-character ones: ... <<= >>=; two: -> ++ -- << >> <= >= == != && || *= /= %= += -=
 * &= ^= |= ##; one: [ ] ( ) { } . & * + - ~ ! / % < > ^ | ? : ; = , #. The spelling is a
 * constant, so lexing a punctuator allocates no string.
 */
function punct(c: number, c1: number, c2: number): string | undefined {
  switch (c) {
    case 40: return '(';
    case 41: return ')';
    case 91: return '[';
    case 93: return ']';
    case 123: return '{';
    case 125: return '}';
    case 59: return ';';
    case 44: return ',';
    case 126: return '~';
    case 63: return '?';
    case 58: return ':';
    case 46: return c1 === 46 && c2 === 46 ? '...' : '.';
    case 45: return c1 === 62 ? '->' : c1 === 45 ? '--' : c1 === 61 ? '-=' : '-';
    case 43: return c1 === 43 ? '++' : c1 === 61 ? '+=' : '+';
    case 60: return c1 === 60 ? (c2 === 61 ? '<<=' : '<<') : c1 === 61 ? '<=' : '<';
    case 62: return c1 === 62 ? (c2 === 61 ? '>>=' : '>>') : c1 === 61 ? '>=' : '>';
    case 61: return c1 === 61 ? '==' : '=';
    case 33: return c1 === 61 ? '!=' : '!';
    case 38: return c1 === 38 ? '&&' : c1 === 61 ? '&=' : '&';
    case 124: return c1 === 124 ? '||' : c1 === 61 ? '|=' : '|';
    case 42: return c1 === 61 ? '*=' : '*';
    case 47: return c1 === 61 ? '/=' : '/';
    case 37: return c1 === 61 ? '%=' : '%';
    case 94: return c1 === 61 ? '^=' : '^';
    case 35: return c1 === 35 ? '##' : '#';
  }
  return undefined;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Every token has every field, in one order: one object shape for the JIT. A plain
// function, not a closure in lex(), so lex()'s position variables stay in registers.
function mk(kind: TokenKind, text: string, file: string, line: number, column: number, endLine: number, endColumn: number, bol: boolean, space: boolean): Token {
  return { kind, text, file, line, column, endLine, endColumn, bol, space, value: undefined, hide: undefined };
}

export function lex(file: string, text: string, diags: DiagnosticBag): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let bol = true;
  let space = false;
  let badRun = false;

  while (i < n) {
    const c = text.charCodeAt(i);
    // newlines
    if (c === 10) {
      i++; line++; lineStart = i; bol = true; space = true; badRun = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++; space = true;
      continue;
    }
    // line continuation: joins physical lines into one logical line
    if (c === 92 /* \ */ && (text.charCodeAt(i + 1) === 10 || (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10))) {
      i += text.charCodeAt(i + 1) === 13 ? 3 : 2;
      line++; lineStart = i; space = true;
      continue;
    }
    const startLine = line;
    const startCol = i - lineStart + 1;
    const start = i;
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      space = true;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
      if (end < 0) {
        diags.error({ file, line: startLine, column: startCol, endLine: startLine, endColumn: startCol + 2 }, 'L001');
      }
      i = stop;
      space = true;
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      out.push(mk('ident', text.slice(start, i), file, startLine, startCol, line, i - lineStart + 1, bol, space));
      bol = space = badRun = false;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      // a pp-number: digits, letters, dots (and exponent signs), then validated
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isIdentPart(d) || d === 46) i++;
        else if ((d === 43 || d === 45) && (text.charCodeAt(i - 1) | 32) === 101 && !/^0x/i.test(text.slice(start, i))) i++;
        else break;
      }
      const t = text.slice(start, i);
      const token = mk('number', t, file, startLine, startCol, line, i - lineStart + 1, bol, space);
      out.push(token);
      bol = space = badRun = false;
      const v = t.includes('.') ? floatValue(t) : parseNumber(t);
      if (v === undefined) {
        // A hyphenated scenario name such as v6.1 lexes ".1" as a number; that is
        // valid, so only flag numbers that are wrong in any position.
        diags.error(token, 'L004', t);
        token.value = 0;
      } else token.value = v;
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      i++;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) {
          // an escape; a backslash-newline continues the literal on the next line
          const e = text.charCodeAt(i + 1);
          const eol = e === 10 ? 2 : e === 13 && text.charCodeAt(i + 2) === 10 ? 3 : 0;
          if (eol) { i += eol; line++; lineStart = i; continue; }
          i += 2;
          continue;
        }
        if (d === 10) break;
        i++;
        if (d === c) { closed = true; break; }
      }
      if (i > n) i = n;
      const t = text.slice(start, i);
      const token = mk(c === 34 ? 'string' : 'char', t, file, startLine, startCol, line, i - lineStart + 1, bol, space);
      out.push(token);
      bol = space = badRun = false;
      if (!closed) diags.error(token, c === 34 ? 'L002' : 'L005');
      if (c === 39) token.value = charValue(t);
      continue;
    }
    {
      // past the end, charCodeAt gives NaN, which equals no character
      const p = punct(c, text.charCodeAt(i + 1), text.charCodeAt(i + 2));
      if (p !== undefined) {
        i += p.length;
        out.push(mk('punct', p, file, startLine, startCol, line, i - lineStart + 1, bol, space));
        bol = space = badRun = false;
        continue;
      }
    }
    // Anything else (binary garbage, stray unicode): one diagnostic per run of it.
    const cp = text.codePointAt(i) ?? c;
    i += cp > 0xffff ? 2 : 1;
    if (!badRun) {
      const shown = cp < 32 || cp === 127 ? `\\x${cp.toString(16).padStart(2, '0')}` : String.fromCodePoint(cp);
      diags.error({ file, line: startLine, column: startCol, endLine: startLine, endColumn: startCol + 1 }, 'L003', shown);
      badRun = true;
    }
  }
  out.push({ kind: 'eof', text: '<end of file>', file, line, column: i - lineStart + 1, endLine: line, endColumn: i - lineStart + 1, bol: true, space: true, value: undefined, hide: undefined });
  return out;
}

export function parseNumber(t: string): number | undefined {
  // the common case first: a short plain decimal (no leading 0: that is octal)
  if (t.length < 16 && t.charCodeAt(0) !== 48 && /^[0-9]+$/.test(t)) return Number(t);
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uU]?[lL]{0,2}[uU]?)$/.exec(t);
  if (!m || (m[2].match(/[uU]/g)?.length ?? 0) > 1) return undefined;
  const body = m[1];
  if (/^0[xX]/.test(body)) return Number(BigInt(body));
  if (/^0[bB]/.test(body)) return Number(BigInt(body));
  if (body.length > 1 && body[0] === '0') {
    if (/[89]/.test(body)) return undefined;
    return Number(BigInt('0o' + body.slice(1)));
  }
  return Number(BigInt(body));
}

// Floats lex (a scenario's "v6.1" contains ".1"); the parser rejects them in Kernel C.
function floatValue(t: string): number | undefined {
  return /^[0-9]*\.[0-9]*([eE][+-]?[0-9]+)?[fF]?$/.test(t) ? parseFloat(t) : undefined;
}

function charValue(t: string): number {
  const inner = t.slice(1, t.endsWith("'") && t.length > 1 ? -1 : undefined);
  if (inner.startsWith('\\')) {
    const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
    if (inner[1] === 'x') return parseInt(inner.slice(2), 16) || 0;
    return esc[inner[1]] ?? inner.charCodeAt(1);
  }
  return inner.length ? inner.charCodeAt(0) : 0;
}

export function stringValue(t: string): string {
  let s = t.slice(1, t.endsWith('"') && t.length > 1 ? -1 : undefined);
  s = s.replace(/\\\r?\n/g, ''); // backslash-newline: the literal goes on
  s = s.replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', t: '\t', '\\': '\\', '"': '"' } as Record<string, string>)[ch] ?? ch);
  return s;
}

/** The range from a's start to b's end. Ranges are never mutated, so a range of one
 *  token is that token itself: no allocation for the most common case. */
export function rangeOf(a: Range, b: Range = a): Range {
  if (a === b) return a;
  return { file: a.file, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}
