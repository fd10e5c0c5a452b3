// The Lockstep debug adapter: maps the engine to the Debug Adapter Protocol.
// It runs inline in the extension host, as its own process over stdio
// (src/debugAdapter/main.ts) and inside tests.
//
// For now it loads and checks the scenario on launch; stepping arrives with the
// engine's execution API.
import { InitializedEvent, LoggingDebugSession, TerminatedEvent } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { formatDiagnostic, loadScenario } from '../engine';

/** The attributes of a `lockstep` launch configuration (see package.json). */
export interface LockstepLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the `.lockstep` scenario. */
  scenario?: string;
  /** Stop before the first step (default true). */
  stopOnEntry?: boolean;
}

/** Error ids of the responses this adapter sends (DAP `Message.id`). */
export const enum LockstepErrorId {
  NoScenario = 3001,
  ScenarioErrors = 3002,
  Internal = 3003,
}

export class LockstepDebugSession extends LoggingDebugSession {
  constructor() {
    super();
    // Our positions are 1-based like the engine's diagnostics.
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    _args: DebugProtocol.InitializeRequestArguments,
  ): void {
    // Only what the base class already provides (configurationDone); each
    // capability is announced by the issue that implements it.
    response.body = response.body ?? {};
    response.body.supportsConfigurationDoneRequest = true;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: LockstepLaunchArguments,
  ): void {
    const scenario = args.scenario;
    if (typeof scenario !== 'string' || scenario.trim() === '') {
      this.fail(response, LockstepErrorId.NoScenario, 'lockstep: the launch configuration names no "scenario" file');
      return;
    }
    let errorLines: string[];
    try {
      const result = loadScenario(scenario);
      errorLines = result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    } catch (err) {
      this.fail(response, LockstepErrorId.Internal, `lockstep: internal error: ${describeError(err)}`);
      return;
    }
    if (errorLines.length > 0) {
      this.fail(response, LockstepErrorId.ScenarioErrors, errorLines.join('\n'));
      return;
    }
    this.sendResponse(response);
    // No execution engine yet: the session ends once the scenario has loaded cleanly.
    this.sendEvent(new TerminatedEvent());
  }

  /**
   * Sends an error response whose message is `text` verbatim. The base class
   * treats `{name}` in a message as a placeholder; an empty variable map keeps
   * braces in diagnostics (C code!) from being substituted or tripping it up.
   */
  private fail(response: DebugProtocol.Response, id: number, text: string): void {
    this.sendErrorResponse(response, { id, format: text, variables: {}, showUser: true });
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}
