// Lockstep: Export Chrome Trace. Runs the bundled CLI (`lockstep export <scenario>
// --schedule S --chrome FILE`) for a schedule the user picks (a finding of the last
// exploration, or one typed in) and offers to reveal the JSON for chrome://tracing or
// Perfetto.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lastFindings, scenarioOf } from './explore';
import { SCHEDULE_REQUEST, type ScheduleResponseBody } from '../debugAdapter/protocol';

export function registerExportCommand(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.exportChromeTrace', async (arg?: unknown, schedule?: string, target?: vscode.Uri) => {
      // the scenario in the editor, else the one being debugged (the editor may show its model)
      const active = await activeRun();
      const scenario = scenarioOf(arg) ?? (active ? vscode.Uri.file(active.scenario) : undefined);
      if (scenario === undefined) {
        void vscode.window.showWarningMessage('Lockstep: open a .lockstep scenario to export a trace of it.');
        return undefined;
      }
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === scenario.toString());
      if (doc?.isDirty) await doc.save();
      schedule ??= await chooseSchedule(scenario, active);
      if (schedule === undefined) return undefined;
      target ??= await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(scenario.fsPath.replace(/\.lockstep$/, '.trace.json')),
        filters: { 'Chrome trace (JSON)': ['json'] },
        title: 'Lockstep: export Chrome trace',
      });
      if (target === undefined) return undefined;
      const cli = context.asAbsolutePath(path.join('dist', 'cli.js'));
      const args = [cli, 'export', scenario.fsPath, '--schedule', schedule, '--chrome', target.fsPath];
      const result = await run(args);
      output.appendLine(`lockstep export ${path.basename(scenario.fsPath)} --schedule ${schedule} --chrome ${target.fsPath}: exit ${result.code}`);
      if (result.stderr) output.appendLine(result.stderr);
      if (result.code !== 0 && result.code !== 1) {
        void vscode.window.showErrorMessage(`Lockstep: export failed: ${result.stderr.split('\n')[0] || `exit code ${result.code}`}`);
        return undefined;
      }
      void vscode.window.showInformationMessage(`Lockstep: Chrome trace written to ${path.basename(target.fsPath)} (open it in Perfetto or chrome://tracing).`, 'Reveal').then((pick) => {
        if (pick) void vscode.commands.executeCommand('revealFileInOS', target);
      });
      return target;
    }),
  );
}

/** The run of the active Lockstep debug session, if one has run a step of a scenario. */
async function activeRun(): Promise<ScheduleResponseBody | undefined> {
  const s = vscode.debug.activeDebugSession;
  if (!s || s.type !== 'lockstep') return undefined;
  try {
    const body = (await s.customRequest(SCHEDULE_REQUEST)) as ScheduleResponseBody;
    return body.steps > 0 ? body : undefined;
  } catch {
    return undefined;   // a trace session, or not launched yet
  }
}

async function chooseSchedule(scenario: vscode.Uri, active: ScheduleResponseBody | undefined): Promise<string | undefined> {
  const findings = lastFindings.get(scenario.fsPath) ?? [];
  const run = active && path.resolve(active.scenario) === path.resolve(scenario.fsPath) ? active : undefined;
  const typeOne = { label: '$(edit) Enter a schedule…', schedule: undefined as string | undefined };
  const items = [
    ...(run ? [{
      label: '$(debug) The run being debugged', description: `${run.steps} steps`,
      detail: run.overridden ? 'the session replaces the model or adds config lines: the export uses the scenario as written' : run.recorded,
      schedule: run.recorded as string | undefined,
    }] : []),
    ...findings.map((f) => ({ label: f.kind, description: f.schedule, detail: f.message, schedule: f.schedule as string | undefined })),
    typeOne,
  ];
  const pick = items.length > 1 ? await vscode.window.showQuickPick(items, { title: 'Lockstep: which schedule to export' }) : typeOne;
  if (pick === undefined) return undefined;
  if (pick.schedule !== undefined) return pick.schedule;
  return vscode.window.showInputBox({
    title: 'Lockstep: schedule to export',
    prompt: 'A schedule string, e.g. c0*12,i0,c0*5 (Explore Scenario finds them)',
    validateInput: (v) => (/^\s*[ci]\d/.test(v) ? undefined : 'a schedule starts with c<cpu> or i<cpu>'),
  });
}

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    // the extension host's executable runs as plain Node with ELECTRON_RUN_AS_NODE
    execFile(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 2;
      resolve({ code, stderr: String(stderr ?? (err?.message ?? '')) });
    });
  });
}
