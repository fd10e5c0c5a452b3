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

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##']);
const PUNCT1 = '[](){}.&*+-~!/%<>^|?:;=,#';

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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

  const tok = (kind: TokenKind, start: number, startLine: number, startCol: number, t: string): Token => {
    const token: Token = {
      kind, text: t, file, line: startLine, column: startCol,
      endLine: line, endColumn: i - lineStart + 1, bol, space,
    };
    out.push(token);
    bol = false;
    space = false;
    badRun = false;
    return token;
  };

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
      tok('ident', start, startLine, startCol, text.slice(start, i));
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
      const token = tok('number', start, startLine, startCol, t);
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
        if (d === 92) { i += 2; continue; }
        if (d === 10) break;
        i++;
        if (d === c) { closed = true; break; }
      }
      if (i > n) i = n;
      const t = text.slice(start, i);
      const token = tok(c === 34 ? 'string' : 'char', start, startLine, startCol, t);
      if (!closed) diags.error(token, c === 34 ? 'L002' : 'L005');
      if (c === 39) token.value = charValue(t);
      continue;
    }
    const s3 = text.substr(i, 3);
    if (PUNCT3.has(s3)) { i += 3; tok('punct', start, startLine, startCol, s3); continue; }
    const s2 = text.substr(i, 2);
    if (PUNCT2.has(s2)) { i += 2; tok('punct', start, startLine, startCol, s2); continue; }
    const s1 = text[i];
    if (PUNCT1.includes(s1)) { i++; tok('punct', start, startLine, startCol, s1); continue; }
    // Anything else (binary garbage, stray unicode): one diagnostic per run of it.
    const cp = text.codePointAt(i) ?? c;
    i += cp > 0xffff ? 2 : 1;
    if (!badRun) {
      const shown = cp < 32 || cp === 127 ? `\\x${cp.toString(16).padStart(2, '0')}` : String.fromCodePoint(cp);
      diags.error({ file, line: startLine, column: startCol, endLine: startLine, endColumn: startCol + 1 }, 'L003', shown);
      badRun = true;
    }
  }
  out.push({ kind: 'eof', text: '<end of file>', file, line, column: i - lineStart + 1, endLine: line, endColumn: i - lineStart + 1, bol: true, space: true });
  return out;
}

export function parseNumber(t: string): number | undefined {
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
  s = s.replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', t: '\t', '\\': '\\', '"': '"' } as Record<string, string>)[ch] ?? ch);
  return s;
}

export function rangeOf(a: Range, b: Range = a): Range {
  return { file: a.file, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}
