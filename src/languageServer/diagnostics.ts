// Engine diagnostics (1-based, one file each) as LSP diagnostics of one document.
import * as path from 'node:path';
import { Diagnostic as LspDiagnostic, DiagnosticSeverity, Range as LspRange } from 'vscode-languageserver/node';
import { Diagnostic, formatDiagnostic, Range } from '../engine';

/** An engine range (1-based line and column, end column exclusive) as an LSP range. */
export function toLspRange(r: Range): LspRange {
  const startLine = Math.max(0, r.line - 1);
  const startCharacter = Math.max(0, r.column - 1);
  let endLine = Math.max(0, r.endLine - 1);
  let endCharacter = Math.max(0, r.endColumn - 1);
  if (endLine < startLine || (endLine === startLine && endCharacter < startCharacter)) {
    endLine = startLine;
    endCharacter = startCharacter;
  }
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return {
    range: toLspRange(d),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'lockstep',
    message: d.message,
  };
}

/**
 * The LSP diagnostics of one document. Diagnostics the engine reports in other files
 * (the scenario's model, an included file) are shown on the line that pulls that file
 * in when there is one (`model`, `#include`), else at the top, with their own location
 * in the message, so an error in the model is visible from the scenario.
 */
export function diagnosticsForDocument(
  docPath: string,
  diagnostics: readonly Diagnostic[],
  anchorOf: (file: string) => Range | undefined = () => undefined,
): LspDiagnostic[] {
  const own = path.resolve(docPath);
  const seen = new Set<string>();
  const out: LspDiagnostic[] = [];
  for (const d of diagnostics) {
    let shown: LspDiagnostic;
    if (path.resolve(d.file) === own) shown = toLspDiagnostic(d);
    else {
      const at = anchorOf(path.resolve(d.file)) ?? { file: own, line: 1, column: 1, endLine: 1, endColumn: 1 };
      shown = toLspDiagnostic({ ...d, ...at, file: own });
      shown.message = formatDiagnostic(d);
    }
    // one error said twice at one place (two blocks left open at the end of the file,
    // an included file's error seen through two #includes) is shown once
    const key = `${shown.range.start.line}:${shown.range.start.character}:${shown.range.end.line}:${shown.range.end.character}:${shown.severity}:${shown.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(shown);
  }
  return out;
}
