// The Lockstep language server (dist/languageServer.js), LSP over stdio.
// For now: diagnostics from the engine's parser and checker as you type.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  Diagnostic as LspDiagnostic,
  DiagnosticSeverity,
  InitializeResult,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkText, Diagnostic, formatDiagnostic } from '../engine';

/** Milliseconds to wait after the last keystroke before checking a document again. */
const CHECK_DELAY_MS = 150;

const EXTENSION_OF_LANGUAGE: Record<string, string> = {
  lockstep: '.lockstep',
  'kernel-c': '.kc',
};

/**
 * The file system path the engine sees for a document. The engine picks the
 * language by extension, so a document without the right one (an untitled
 * editor) gets its language's extension appended.
 */
export function documentPath(uri: string, languageId: string): string {
  let p: string;
  try {
    p = uri.startsWith('file:') ? fileURLToPath(uri) : decodeURIComponent(new URL(uri).pathname || uri);
  } catch {
    p = uri;
  }
  const ext = EXTENSION_OF_LANGUAGE[languageId];
  if (ext !== undefined && path.extname(p) !== ext) p += ext;
  return p;
}

/** Converts an engine diagnostic (1-based line and column) to LSP (0-based). */
export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const startLine = Math.max(0, d.line - 1);
  const startCharacter = Math.max(0, d.column - 1);
  let endLine = Math.max(0, d.endLine - 1);
  let endCharacter = Math.max(0, d.endColumn - 1);
  if (endLine < startLine || (endLine === startLine && endCharacter < startCharacter)) {
    endLine = startLine;
    endCharacter = startCharacter;
  }
  return {
    range: {
      start: { line: startLine, character: startCharacter },
      end: { line: endLine, character: endCharacter },
    },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'lockstep',
    message: d.message,
  };
}

/**
 * The LSP diagnostics of one document. Diagnostics the engine reports in
 * other files (an included model, say) are shown at the top of this document
 * with their own location in the message.
 */
export function diagnosticsForDocument(docPath: string, diagnostics: readonly Diagnostic[]): LspDiagnostic[] {
  const own = path.resolve(docPath);
  return diagnostics.map((d) => {
    if (path.resolve(d.file) === own) return toLspDiagnostic(d);
    const elsewhere = toLspDiagnostic({ ...d, line: 1, column: 1, endLine: 1, endColumn: 1 });
    elsewhere.message = formatDiagnostic(d);
    return elsewhere;
  });
}

function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const pending = new Map<string, NodeJS.Timeout>();

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
    },
    serverInfo: { name: 'lockstep-language-server' },
  }));

  const check = (doc: TextDocument): void => {
    const docPath = documentPath(doc.uri, doc.languageId);
    let diagnostics: LspDiagnostic[];
    try {
      diagnostics = diagnosticsForDocument(docPath, checkText(docPath, doc.getText()));
    } catch (err) {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      connection.console.error(`lockstep: internal error while checking ${docPath}: ${text}`);
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Error,
          source: 'lockstep',
          message: `lockstep: internal error: ${err instanceof Error ? err.message : String(err)}`,
        },
      ];
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const schedule = (doc: TextDocument, delay: number): void => {
    const previous = pending.get(doc.uri);
    if (previous !== undefined) clearTimeout(previous);
    pending.set(
      doc.uri,
      setTimeout(() => {
        pending.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current !== undefined) check(current);
      }, delay),
    );
  };

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document, CHECK_DELAY_MS));
  documents.onDidClose((e) => {
    const previous = pending.get(e.document.uri);
    if (previous !== undefined) clearTimeout(previous);
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  documents.listen(connection);
  connection.listen();
}

if (require.main === module) {
  startServer();
}
