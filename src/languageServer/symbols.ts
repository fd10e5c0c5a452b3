// Document symbols: a scenario's declarations and blocks (read line by line, so a
// broken scenario still has an outline), a model's functions, structs, globals, enums
// and macros (from the checked model, restricted to this file).
import * as path from 'node:path';
import { DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { toLspRange } from './diagnostics';
import { isScenario } from './paths';
import { Analysis } from './workspace';
import { lineDepths, macroDefinitions } from './words';

export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  return isScenario(analysis.file) ? scenarioSymbols(analysis.text) : modelSymbols(analysis);
}

const KINDS: Record<string, SymbolKind> = {
  scenario: SymbolKind.File, model: SymbolKind.Module, config: SymbolKind.Property, cpus: SymbolKind.Number,
  zone: SymbolKind.Struct, pcp: SymbolKind.Array, task: SymbolKind.Function, irq: SymbolKind.Event, expect: SymbolKind.Boolean,
};

function scenarioSymbols(text: string): DocumentSymbol[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const depths = lineDepths(text);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = /^(\s*)(scenario|model|config|cpus|zone|pcp|task|irq|expect)\b(.*)$/.exec(line);
    if (!m || depths[i] > 0) continue;
    const keyword = m[2];
    const rest = m[3].replace(/\/\/.*$|\/\*.*$/, '').replace(/\{.*$/, '').trim();
    let endLine = i;
    if (keyword === 'task' || keyword === 'irq') {
      // the block ends on its closing brace's line: the last one that starts inside it
      while (endLine + 1 < lines.length && depths[endLine + 1] > 0) endLine++;
    }
    const name = keyword === 'scenario' ? (/"([^"]*)"/.exec(rest)?.[1] ?? 'scenario') : `${keyword} ${rest}`.trim();
    out.push({
      name,
      detail: keyword === 'scenario' ? 'scenario' : undefined,
      kind: KINDS[keyword],
      range: { start: { line: i, character: 0 }, end: { line: endLine, character: lines[endLine].length } },
      selectionRange: { start: { line: i, character: m[1].length }, end: { line: i, character: m[1].length + keyword.length } },
    });
  }
  return out;
}

function modelSymbols(analysis: Analysis): DocumentSymbol[] {
  const file = analysis.file;
  const out: DocumentSymbol[] = [];
  const mine = (f: string) => path.resolve(f) === file;
  const program = analysis.program;
  if (program !== undefined) {
    for (const d of program.model.ast.decls) {
      if (!mine(d.range.file)) continue;
      const range = toLspRange(d.range);
      switch (d.kind) {
        case 'Function':
          if (d.body === undefined) break; // prototypes are not where a function is
          out.push({ name: d.name, detail: `(${d.params.map((p) => p.name).join(', ')})`, kind: SymbolKind.Function, range, selectionRange: toLspRange(d.nameRange) });
          break;
        case 'Var':
          out.push({ name: d.name, kind: SymbolKind.Variable, range, selectionRange: toLspRange(d.nameRange) });
          break;
        case 'PerCpu':
          out.push({ name: d.name, detail: 'per-CPU', kind: SymbolKind.Variable, range, selectionRange: toLspRange(d.nameRange) });
          break;
        case 'TypeDecl': {
          const base = d.type.base;
          if (d.typedefName !== undefined) {
            out.push({ name: d.typedefName, detail: 'typedef', kind: SymbolKind.TypeParameter, range, selectionRange: toLspRange(d.nameRange ?? d.range) });
          } else if (base.kind === 'struct' && base.body !== undefined) {
            const fields = base.body.filter((f) => f.name !== '').map((f) => ({ name: f.name, kind: SymbolKind.Field, range: toLspRange(f.range), selectionRange: toLspRange(f.nameRange) }));
            out.push({ name: `${base.union ? 'union' : 'struct'} ${base.tag}`, kind: SymbolKind.Struct, range, selectionRange: toLspRange(base.range), children: fields });
          } else if (base.kind === 'enum' && base.body !== undefined) {
            const members = base.body.map((e) => ({ name: e.name, kind: SymbolKind.EnumMember, range: toLspRange(e.range), selectionRange: toLspRange(e.range) }));
            out.push({ name: `enum ${base.tag || '(anonymous)'}`, kind: SymbolKind.Enum, range, selectionRange: toLspRange(base.range), children: members });
          }
          break;
        }
      }
    }
  }
  for (const m of macroDefinitions(file, analysis.text)) {
    const r = { start: { line: m.line, character: m.character }, end: { line: m.line, character: m.character + m.name.length } };
    out.push({ name: m.name, detail: '#define', kind: SymbolKind.Constant, range: r, selectionRange: r });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
