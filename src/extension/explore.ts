// Lockstep: Explore Scenario. The language server runs the search (request
// 'lockstep/explore') with the editors' unsaved text; this shows its work-done progress
// in a cancellable notification and offers "Debug this schedule" for each finding.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressReport } from 'vscode-languageclient';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EXPLORE_REQUEST, ExploreFinding, ExploreParams, ExploreResponse, ExploreStrategyName } from '../languageServer/protocol';
import { scenarioConfiguration } from './debugger';

export const DEBUG_SCHEDULE = 'Debug this schedule';

/** The last exploration's findings, by scenario path: the export command offers their schedules. */
export const lastFindings = new Map<string, ExploreFinding[]>();

/** The scenario a command applies to: the explorer's selection, else the active editor. */
export function scenarioOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'lockstep' ? doc.uri : undefined;
}

export function registerExploreCommand(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.exploreScenario', async (arg?: unknown) => {
      const uri = scenarioOf(arg);
      if (uri === undefined) {
        void vscode.window.showWarningMessage('Lockstep: open a .lockstep scenario to explore it.');
        return undefined;
      }
      const result = await explore(client, uri);
      if (result !== undefined) await report(uri, result, output);
      return result;
    }),
  );
}

async function explore(client: LanguageClient, uri: vscode.Uri): Promise<ExploreResponse | undefined> {
  const config = vscode.workspace.getConfiguration('lockstep.explore', uri);
  const token = `lockstep-explore-${Date.now()}`;
  const title = `Lockstep: exploring ${path.basename(uri.fsPath)}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, cancel) => {
    let done = 0;
    const sub = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'end') return;
      const v = value as WorkDoneProgressBegin | WorkDoneProgressReport;
      const pct = v.percentage ?? done;
      progress.report({ increment: Math.max(0, pct - done), message: v.message });
      done = Math.max(done, pct);
    });
    try {
      await client.start();
      const params: ExploreParams = {
        uri: uri.toString(),
        strategy: config.get<ExploreStrategyName>('strategy', 'exhaustive'),
        schedules: config.get<number>('schedules', 1000),
        timeLimitMs: 1000 * config.get<number>('timeLimitSeconds', 60),
        workDoneToken: token,
      };
      return await client.sendRequest<ExploreResponse>(EXPLORE_REQUEST, params, cancel);
    } catch (err) {
      if (cancel.isCancellationRequested) return undefined;
      void vscode.window.showErrorMessage(`Lockstep: exploring failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    } finally {
      sub.dispose();
    }
  });
}

function describe(f: ExploreFinding): string {
  return `${f.kind} at ${path.basename(f.location.file)}:${f.location.line} (CPU ${f.cpu}, ${f.context}): ${f.message}`;
}

/** Starts a debug session replaying a finding's schedule. */
export function debugSchedule(scenario: vscode.Uri, f: ExploreFinding): Thenable<boolean> {
  const folder = vscode.workspace.getWorkspaceFolder(scenario);
  return vscode.debug.startDebugging(folder, scenarioConfiguration(scenario.fsPath, { name: `Lockstep: ${f.kind}`, schedule: f.schedule }));
}

async function report(uri: vscode.Uri, r: ExploreResponse, output: vscode.OutputChannel): Promise<void> {
  const name = path.basename(uri.fsPath);
  const states = r.search.states !== undefined ? `, ${r.search.states} states` : '';
  const complete = r.search.complete ? 'complete' : `incomplete${r.search.limit ? `: ${r.search.limit}` : ''}`;
  output.appendLine(`${name}: ${r.search.strategy} search, ${r.search.schedules} schedule(s)${states} in ${r.search.seconds.toFixed(1)} s (${complete})`);
  for (const e of r.errors) output.appendLine(`  ${e}`);
  for (const f of r.findings) output.appendLine(`  ${describe(f)}\n    schedule: ${f.schedule}`);
  for (const e of r.expectations) output.appendLine(`  ${e.met ? 'met' : 'NOT met'}: ${e.text}`);
  lastFindings.set(uri.fsPath, r.findings);

  if (r.cancelled) {
    void vscode.window.showInformationMessage(`Lockstep: exploring ${name} was cancelled.`);
    return;
  }
  if (r.errors.length > 0) {
    const pick = await vscode.window.showErrorMessage(`Lockstep: ${name} does not load: ${r.errors[0]}`, 'Show Output');
    if (pick) output.show(true);
    return;
  }
  const verdict = r.ok ? 'every expectation met' : 'an expectation failed';
  if (r.findings.length === 0) {
    void vscode.window.showInformationMessage(`Lockstep: no finding in ${name} (${r.search.strategy} search, ${r.search.complete ? 'complete' : 'incomplete'}; ${verdict}).`);
    return;
  }
  // one notification per finding (the first few), each with its own debug action
  const shown = r.findings.slice(0, 3);
  const more = r.findings.length - shown.length;
  await Promise.all(
    shown.map(async (f, i) => {
      const actions = [DEBUG_SCHEDULE, ...(i === 0 && more > 0 ? ['Show All'] : [])];
      const text = `Lockstep: ${describe(f)} — ${verdict}.`;
      const pick = r.ok ? await vscode.window.showInformationMessage(text, ...actions) : await vscode.window.showWarningMessage(text, ...actions);
      if (pick === DEBUG_SCHEDULE) await debugSchedule(uri, f);
      else if (pick === 'Show All') await pickFinding(uri, r.findings);
    }),
  );
}

async function pickFinding(uri: vscode.Uri, findings: ExploreFinding[]): Promise<void> {
  const items = findings.map((f) => ({ label: f.kind, description: `${path.basename(f.location.file)}:${f.location.line}`, detail: `${f.message} — ${f.schedule}`, finding: f }));
  const pick = await vscode.window.showQuickPick(items, { title: `${DEBUG_SCHEDULE}: choose a finding`, matchOnDetail: true });
  if (pick) await debugSchedule(uri, pick.finding);
}
