// Words under the cursor and small text scans the features share.
import { Position, Range } from 'vscode-languageserver/node';

export interface Word {
  text: string;
  range: Range;
}

const IDENT = /[A-Za-z0-9_]/;
/** finding kinds and model names contain '-' and '.' */
const SCENARIO_WORD = /[A-Za-z0-9_.\-]/;

export function lineAt(text: string, line: number): string {
  let start = 0;
  for (let k = 0; k < line; k++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

export function wordAt(text: string, pos: Position, scenarioWord = false): Word | undefined {
  const line = lineAt(text, pos.line);
  const ch = scenarioWord ? SCENARIO_WORD : IDENT;
  let start = Math.min(pos.character, line.length);
  let end = start;
  while (start > 0 && ch.test(line[start - 1])) start--;
  while (end < line.length && ch.test(line[end])) end++;
  if (start === end) return undefined;
  return { text: line.slice(start, end), range: { start: { line: pos.line, character: start }, end: { line: pos.line, character: end } } };
}

/** The text of a line before the cursor. */
export function prefixAt(text: string, pos: Position): string {
  return lineAt(text, pos.line).slice(0, pos.character);
}

/**
 * How many braces are open at `offset`, skipping comments and strings: in a scenario,
 * > 0 means the cursor is inside a task or irq block.
 */
export function braceDepthAt(text: string, offset: number): number {
  return braceDepths(text, offset).depth;
}

/** The brace depth at the start of every line, in one pass over the text. */
export function lineDepths(text: string): number[] {
  return braceDepths(text, text.length).lines;
}

function braceDepths(text: string, offset: number): { depth: number; lines: number[] } {
  let depth = 0;
  const lines = [0];
  let state: 'code' | 'line' | 'block' | '"' | "'" = 'code';
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '\n') {
      if (state === 'line' || state === '"' || state === "'") state = 'code';
      lines.push(depth);
      continue;
    }
    switch (state) {
      case 'code':
        if (c === '/' && text[i + 1] === '/') state = 'line';
        else if (c === '/' && text[i + 1] === '*') { state = 'block'; i++; }
        else if (c === '"' || c === "'") state = c;
        else if (c === '{') depth++;
        else if (c === '}') depth = Math.max(0, depth - 1);
        break;
      case 'block':
        if (c === '*' && text[i + 1] === '/') { state = 'code'; i++; }
        break;
      case '"': case "'":
        if (c === '\\') i++;
        else if (c === state) state = 'code';
        break;
      default:
        break;
    }
  }
  return { depth, lines };
}

export function offsetAt(text: string, pos: Position): number {
  let offset = 0;
  for (let k = 0; k < pos.line; k++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + pos.character);
}

export interface MacroDef {
  name: string;
  file: string;
  line: number; // 0-based
  character: number;
  body: string;
}

/** `#define NAME ...` lines of a text. */
export function macroDefinitions(file: string, text: string): MacroDef[] {
  const out: MacroDef[] = [];
  const re = /^([ \t]*#[ \t]*define[ \t]+)([A-Za-z_]\w*)(.*)$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const line = text.slice(0, m.index).split('\n').length - 1;
    out.push({ name: m[2], file, line, character: m[1].length, body: m[3].trim() });
  }
  return out;
}
