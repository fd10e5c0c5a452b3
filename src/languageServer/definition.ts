// Go to definition: parameters and locals to their declaration (the one in scope);
// from a scenario into the model (functions, globals, structs,
// enum constants, macros, the model file itself) and to its zone lines; within a model
// across its #include files.
import * as path from 'node:path';
import { Location, Position } from 'vscode-languageserver/node';
import { labelAt, memberAt, nameAt, Range } from '../engine';
import { toLspRange } from './diagnostics';
import { fileUri, isScenario } from './paths';
import { Analysis } from './workspace';
import { lineAt, macroDefinitions, wordAt } from './words';

const at = (r: Range): Location => ({ uri: fileUri(path.resolve(r.file)), range: toLspRange(r) });
const fileStart = (file: string): Location => ({ uri: fileUri(file), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });

export function definition(analysis: Analysis, pos: Position, read: (file: string) => string | undefined): Location[] {
  const text = analysis.text;
  const line = lineAt(text, pos.line);

  // #include "file": the included file
  const inc = /^\s*#\s*include\s*"([^"]+)"/.exec(line);
  if (inc) {
    const target = path.resolve(path.dirname(analysis.file), inc[1]);
    return read(target) !== undefined ? [fileStart(target)] : [];
  }
  const program = analysis.program;
  if (program === undefined) return [];

  // model <name>: the model file
  if (isScenario(analysis.file) && /^\s*model\b/.test(line)) return [fileStart(program.modelFile)];

  const w = wordAt(text, pos);
  if (w === undefined) return [];
  const name = w.text;
  const model = program.model;

  // a parameter or local (scoped as the checker bound this use), or a global variable
  const v = nameAt(program, analysis.file, w.range.start.line + 1, w.range.start.character + 1, name);
  if (v !== undefined) return [at(v.declRange)];
  // a member of a model's struct: its declaration (engine-provided structs have no file to open)
  const member = memberAt(program, analysis.file, w.range.start.line + 1, w.range.start.character + 1, name);
  if (member !== undefined) return member.engine || !member.declRange ? [] : [at(member.declRange)];
  // goto name: the label in the same function
  const label = labelAt(program, analysis.file, w.range.start.line + 1, w.range.start.character + 1, name);
  if (label !== undefined) return [at(label)];
  const fn = model.functions.get(name);
  if (fn !== undefined) return [at(fn.nameRange)];
  if (isScenario(analysis.file)) {
    const zone = program.scenario.zones.find((z) => z.name === name);
    if (zone !== undefined) return [at(zone.nameRange)];
  }
  const global = model.globals.find((g) => g.name === name) ?? model.percpu.find((p) => p.name === name);
  if (global !== undefined) return [at(global.nameRange)];
  const struct = model.structs.get(name);
  if (struct?.range !== undefined && !struct.engine) return [at(struct.range)];
  const sym = model.scope.get(name);
  if (sym?.kind === 'enumConst' && sym.decl !== undefined) return [at(sym.decl.range)];
  // macros: the #define lines of the model's files (the last definition wins, as in cpp)
  const files = isScenario(analysis.file) ? program.files : [analysis.file, ...program.files.filter((f) => f !== analysis.file)];
  for (const file of files) {
    const m = macroDefinitions(file, read(file) ?? '').find((d) => d.name === name);
    if (m !== undefined) {
      return [{ uri: fileUri(file), range: { start: { line: m.line, character: m.character }, end: { line: m.line, character: m.character + name.length } } }];
    }
  }
  return [];
}
