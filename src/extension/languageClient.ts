// Starts the language server (dist/languageServer.js --stdio) for both languages.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export function startLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/languageServer.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'lockstep' },
      { scheme: 'file', language: 'kernel-c' },
      { scheme: 'untitled', language: 'lockstep' },
      { scheme: 'untitled', language: 'kernel-c' },
    ],
  };
  client = new LanguageClient('lockstep', 'Lockstep Language Server', serverOptions, clientOptions);
  void client.start();
  return client;
}

export function stopLanguageClient(): Thenable<void> | undefined {
  return client?.stop();
}
