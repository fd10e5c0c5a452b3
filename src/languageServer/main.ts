// The Lockstep language server (dist/languageServer.js), LSP over stdio: diagnostics
// as you type, hover, completion, go to definition, document symbols, and the
// 'lockstep/explore' request. Every feature runs on the workspace's analyses; an
// internal error in one is logged and answered empty, never a crash.
import * as path from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
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
import { complete } from './completion';
import { definition } from './definition';
import { diagnosticsForDocument } from './diagnostics';
import { runExplore } from './explore';
import { runExploreWorker } from './exploreWorker';
import { hover } from './hover';
import { documentPath, isScenario } from './paths';
import { EXPLORE_REQUEST, ExploreParams, ExploreResponse } from './protocol';
import { documentSymbols } from './symbols';
import { Analysis, Workspace } from './workspace';

export { documentPath } from './paths';
export { diagnosticsForDocument, toLspDiagnostic } from './diagnostics';

/** Milliseconds to wait after the last keystroke before checking documents again. */
const CHECK_DELAY_MS = 150;

function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace();
  let pending: NodeJS.Timeout | undefined;

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [' ', '-'] },
      definitionProvider: true,
      documentSymbolProvider: true,
    },
    serverInfo: { name: 'lockstep-language-server' },
  }));

  const safely = <T>(what: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      connection.console.error(`lockstep: internal error in ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  };

  const pathOf = (doc: TextDocument) => documentPath(doc.uri, doc.languageId);
  const analysisOf = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    return doc === undefined ? undefined : workspace.analyze(pathOf(doc));
  };

  const publish = (doc: TextDocument): void => {
    const file = pathOf(doc);
    const a = workspace.analyze(file);
    let diagnostics: LspDiagnostic[];
    if (a.internalError !== undefined) {
      connection.console.error(`lockstep: internal error while checking ${file}: ${a.internalError}`);
      diagnostics = [{
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Error,
        source: 'lockstep',
        message: `lockstep: internal error: ${a.internalError.split('\n')[0]}`,
      }];
    } else {
      // a scenario shows its model's errors on its model line
      const anchor = () => (isScenario(file) ? a.program?.scenario.model?.range : undefined);
      diagnostics = safely('diagnostics', [], () => diagnosticsForDocument(file, a.diagnostics, anchor));
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  /** Re-checks every open document: an edit to a model changes its scenarios' diagnostics. */
  const publishAll = (): void => {
    pending = undefined;
    for (const doc of documents.all()) publish(doc);
  };
  const schedule = (delay: number): void => {
    if (pending !== undefined) clearTimeout(pending);
    pending = setTimeout(publishAll, delay);
  };

  documents.onDidOpen((e) => {
    const file = pathOf(e.document);
    workspace.setText(file, e.document.getText());
    schedule(0);
  });
  documents.onDidChangeContent((e) => {
    workspace.setText(pathOf(e.document), e.document.getText());
    schedule(CHECK_DELAY_MS);
  });
  documents.onDidClose((e) => {
    const file = pathOf(e.document);
    workspace.close(file);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    schedule(CHECK_DELAY_MS);
  });

  connection.onHover((p) => safely('hover', null, () => {
    const a = analysisOf(p.textDocument.uri);
    return a === undefined ? null : hover(a, p.position, workspace.read);
  }));
  connection.onCompletion((p) => safely('completion', [], () => {
    const a = analysisOf(p.textDocument.uri);
    return a === undefined ? [] : complete(a, p.position, workspace.read);
  }));
  connection.onDefinition((p) => safely('definition', [], () => {
    const a = analysisOf(p.textDocument.uri);
    return a === undefined ? [] : definition(a, p.position, workspace.read);
  }));
  connection.onDocumentSymbol((p) => safely('document symbols', [], () => {
    const a = analysisOf(p.textDocument.uri);
    return a === undefined ? [] : documentSymbols(a);
  }));

  connection.onRequest(EXPLORE_REQUEST, async (params: ExploreParams, token): Promise<ExploreResponse> => {
    const doc = documents.get(params.uri);
    const scenario = doc !== undefined ? pathOf(doc) : documentPath(params.uri);
    const overlay: Record<string, string> = {};
    for (const d of documents.all()) overlay[pathOf(d)] = d.getText();
    const progress = connection.languages.attachWorkDoneProgress({ workDoneToken: params.workDoneToken });
    return runExplore(
      {
        scenario: path.resolve(scenario),
        overlay,
        strategy: params.strategy ?? 'exhaustive',
        schedules: params.schedules ?? 1000,
        timeLimitMs: params.timeLimitMs ?? 60_000,
      },
      progress,
      token,
    );
  });

  documents.listen(connection);
  connection.listen();
}

if (!isMainThread && (workerData as { lockstepExplore?: boolean } | undefined)?.lockstepExplore) {
  runExploreWorker();
} else if (require.main === module) {
  startServer();
}
