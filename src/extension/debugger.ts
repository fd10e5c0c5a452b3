// The debugger's registration: the adapter runs inline in the extension host, and a
// configuration provider makes F5 on a .lockstep file work without a launch.json.
import * as vscode from 'vscode';
import { LockstepDebugSession } from '../debugAdapter/session';

export const DEBUG_TYPE = 'lockstep';

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineDebugAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new LockstepConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new LockstepDynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  );
}

/** Runs the debug adapter inside the extension host. */
class InlineDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(_session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    return new vscode.DebugAdapterInlineImplementation(new LockstepDebugSession());
  }
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
}

/** Offers "Debug scenario" in the Run and Debug view's dynamic list. */
class LockstepDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    return [scenarioConfiguration()];
  }
}
