// The debugger's registration: the adapter runs inline in the extension host for a
// scenario, in a process of its own for a kernel trace; a configuration provider makes F5 on
// a .lockstep file work without a launch.json, and a command debugs a trace file.
import * as path from 'path';
import * as vscode from 'vscode';
import { LockstepDebugSession } from '../debugAdapter/session';
import { resolveLaunchPaths } from './launchPaths';

export const DEBUG_TYPE = 'lockstep';

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new LockstepAdapterFactory(context.extensionPath)),
    vscode.commands.registerCommand('lockstep.debugTrace', (arg?: unknown) => debugTrace(arg)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new LockstepConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new LockstepDynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  );
}

/**
 * A scenario's adapter runs inside the extension host. A kernel trace's runs in a process of
 * its own (the bundled dist/debugAdapter.js on the extension host's own runtime): opening a
 * trace of hundreds of megabytes takes seconds of synchronous reading, which would hold up
 * every extension, and its progress notification would only arrive once it was over.
 */
class LockstepAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionPath: string) {}
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    if (session.configuration.trace !== undefined) {
      // (VS Code's runtime is Electron: ELECTRON_RUN_AS_NODE makes it run the script as node)
      return new vscode.DebugAdapterExecutable(process.execPath, [path.join(this.extensionPath, 'dist', 'debugAdapter.js')], {
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
    }
    return new vscode.DebugAdapterInlineImplementation(new LockstepDebugSession());
  }
}

/** `Lockstep: Debug Kernel Trace`: the file clicked in the explorer, else the active editor's,
 * else one picked. */
async function debugTrace(arg?: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (uri === undefined || uri.scheme !== 'file') {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Lockstep: a kernel trace to debug (ftrace, trace-cmd report, perf script, trace.dat)' });
    uri = picked?.[0];
  }
  if (uri === undefined) return;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  await vscode.debug.startDebugging(folder, traceConfiguration(uri.fsPath));
}

export function traceConfiguration(trace: string): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug kernel trace ${path.basename(trace)}`, trace, stopOnEntry: true };
}

export function scenarioConfiguration(scenario = '${file}', extra: Partial<vscode.DebugConfiguration> = {}): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug scenario', scenario, stopOnEntry: true, ...extra };
}

/** Fills in a launch configuration when there is no launch.json (F5 on a scenario). */
export class LockstepConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      // No launch.json: debug the scenario in the active editor, else a visible one
      // (F5 pressed in a model file beside its scenario).
      if (vscode.window.activeTextEditor?.document.languageId === 'lockstep') return scenarioConfiguration();
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'lockstep');
      if (visible !== undefined) return scenarioConfiguration(visible.document.uri.fsPath);
      void vscode.window.showInformationMessage('Lockstep: open a .lockstep scenario to debug it (or add a launch configuration).');
      return undefined;
    }
    if (config.scenario === undefined && config.trace === undefined) config.scenario = '${file}';
    return config;
  }

  /** After ${...} are substituted: relative files are the workspace folder's. */
  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    return resolveLaunchPaths(config, folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined) as vscode.DebugConfiguration;
  }
}

/** Offers "Debug scenario" in the Run and Debug view's dynamic list. */
class LockstepDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    return [scenarioConfiguration()];
  }
}
