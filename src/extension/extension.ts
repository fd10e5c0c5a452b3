// VS Code glue: activation wires the language client, the debugger and the commands.
// Keep it thin; behaviour lives in the language server, the adapter and the engine.
import * as vscode from 'vscode';
import { registerDebugger } from './debugger';
import { registerExploreCommand } from './explore';
import { registerExportCommand } from './exportTrace';
import { startLanguageClient, stopLanguageClient } from './languageClient';
import { registerTimeline } from './timeline/panel';

export { DEBUG_TYPE } from './debugger';

export function activate(context: vscode.ExtensionContext): void {
  registerDebugger(context);
  const client = startLanguageClient(context);
  const output = vscode.window.createOutputChannel('Lockstep');
  context.subscriptions.push(output);
  registerExploreCommand(context, client, output);
  registerExportCommand(context, output);
  registerTimeline(context);
}

export function deactivate(): Thenable<void> | undefined {
  return stopLanguageClient();
}
