// Helpers shared by the front-end suites (not a suite itself: no .test in the name).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, formatDiagnostic } from '../../../src/engine';

/** Repository root: this file runs as out/test/engine/lang/util.js. */
export const root = path.resolve(__dirname, '..', '..', '..', '..');
export const fixtures = path.join(root, 'test', 'fixtures', 'lang');

export function fixture(name: string): string {
  return path.join(fixtures, name);
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixture(name), 'utf8');
}

/** A readFile for loadScenario / checkText over in-memory files (absolute paths). */
export function memory(files: Record<string, string>): (file: string) => string | undefined {
  return (file: string) => (Object.prototype.hasOwnProperty.call(files, file) ? files[file] : undefined);
}

export interface Where { line: number; column: number; endLine: number; endColumn: number }

/**
 * The 1-based range of the `occurrence`-th (0-based) occurrence of `needle` in `text`,
 * end exclusive: what the front end must report for a node spelled exactly `needle`.
 */
export function locate(text: string, needle: string, occurrence = 0): Where {
  let at = -1;
  for (let k = 0; k <= occurrence; k++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `fixture does not contain ${JSON.stringify(needle)} (occurrence ${occurrence})`);
  }
  const pos = (offset: number) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  };
  const s = pos(at);
  const e = pos(at + needle.length);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** The line number (1-based) of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  return locate(text, needle).line;
}

export function rangeOnly(r: Where): Where {
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

export function formatted(ds: readonly Diagnostic[]): string[] {
  return ds.map(formatDiagnostic);
}

export function assertClean(ds: readonly Diagnostic[], what: string): void {
  assert.deepEqual(formatted(ds), [], `${what} should have no diagnostics`);
}

// fields that lead from the syntax tree into the checker's types and symbols (cycles)
const NOT_SYNTAX = new Set(['type', 'sym', 'field', 'resolved', 'labels', 'decl']);

/** Every syntax node (object with a string `kind`) reachable from `node`, depth first. */
export function nodes(node: unknown, out: { kind: string; [k: string]: unknown }[] = []): { kind: string; [k: string]: any }[] {
  if (Array.isArray(node)) {
    for (const x of node) nodes(x, out);
  } else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.kind === 'string') out.push(o as { kind: string });
    for (const [k, v] of Object.entries(o)) if (!NOT_SYNTAX.has(k) && v && typeof v === 'object') nodes(v, out);
  }
  return out;
}

/** A diagnostic is positioned inside its file: line and column within the text. */
export function assertPositioned(d: Diagnostic, text: string | undefined, what: string): void {
  assert.equal(typeof d.file, 'string', `${what}: diagnostic without a file`);
  assert.ok(d.file.length > 0, `${what}: empty file name`);
  assert.ok(Number.isInteger(d.line) && d.line >= 1, `${what}: line ${d.line} in ${formatDiagnostic(d)}`);
  assert.ok(Number.isInteger(d.column) && d.column >= 1, `${what}: column ${d.column} in ${formatDiagnostic(d)}`);
  assert.ok(d.message.length > 0, `${what}: empty message`);
  if (text !== undefined) {
    const lines = text.split('\n');
    // the position may be one past the end (an "expected X, found end of file")
    assert.ok(d.line <= lines.length + 1, `${what}: line ${d.line} past the end (${lines.length} lines): ${formatDiagnostic(d)}`);
    const len = d.line <= lines.length ? lines[d.line - 1].length : 0;
    assert.ok(d.column <= len + 2, `${what}: column ${d.column} past the end of line ${d.line} (${len} chars): ${formatDiagnostic(d)}`);
  }
}
