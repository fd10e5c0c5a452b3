// VS Code glue: activation, the debug configuration provider and the inline
// debug adapter factory. Keep it thin; behaviour lives in the adapter and engine.
import * as vscode from 'vscode';
import { LockstepDebugSession } from '../debugAdapter/session';

export const DEBUG_TYPE = 'lockstep';

export function activate(context: vscode.ExtensionContext): void {
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

export function deactivate(): void {
  // Nothing to release beyond context.subscriptions.
}

/** Runs the debug adapter inside the extension host. */
class InlineDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(_session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    return new vscode.DebugAdapterInlineImplementation(new LockstepDebugSession());
  }
}

function currentFileConfiguration(): vscode.DebugConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: 'Debug scenario',
    scenario: '${file}',
    stopOnEntry: true,
  };
}

/** Fills in a launch configuration when there is no launch.json (F5 on a scenario). */
class LockstepConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      // No launch.json: debug the file in the active editor.
      return currentFileConfiguration();
    }
    if (config.scenario === undefined) {
      config.scenario = '${file}';
    }
    return config;
  }
}

/** Offers "Debug scenario" in the Run and Debug view's dynamic list. */
class LockstepDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    return [currentFileConfiguration()];
  }
}
