// Lockstep: Open Timeline. A webview with one lane per CPU of the active Lockstep debug
// session: it asks the adapter for 'lockstep/timeline', follows 'lockstep/step' events,
// and on a click sends 'lockstep/goto' so the debugger moves to that step.
import * as vscode from 'vscode';
import { GOTO_REQUEST, STEP_EVENT, TIMELINE_REQUEST } from '../../debugAdapter/protocol';
import { DEBUG_TYPE } from '../debugger';
import { FromView, isFromView, TimelineData, ToView } from './messages';

export function registerTimeline(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.openTimeline', () => TimelinePanel.show(context)),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type === DEBUG_TYPE && e.event === STEP_EVENT) void TimelinePanel.current?.refresh(e.session);
    }),
    vscode.debug.onDidChangeActiveDebugSession((s) => {
      if (s?.type === DEBUG_TYPE) void TimelinePanel.current?.refresh(s);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => TimelinePanel.current?.ended(s)),
  );
}

export class TimelinePanel {
  static current: TimelinePanel | undefined;
  private session: vscode.DebugSession | undefined;

  static show(context: vscode.ExtensionContext): TimelinePanel {
    if (TimelinePanel.current) {
      TimelinePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel('lockstep.timeline', 'Lockstep Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
      });
      TimelinePanel.current = new TimelinePanel(panel, context);
    }
    const s = vscode.debug.activeDebugSession;
    void TimelinePanel.current.refresh(s?.type === DEBUG_TYPE ? s : undefined);
    return TimelinePanel.current;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, context: vscode.ExtensionContext) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'images', 'icon.png');
    panel.webview.html = html(panel.webview, vscode.Uri.joinPath(context.extensionUri, 'dist', 'timelineView.js'));
    panel.onDidDispose(() => {
      if (TimelinePanel.current === this) TimelinePanel.current = undefined;
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (isFromView(m)) void this.handle(m);
    });
  }

  private post(m: ToView): void {
    void this.panel.webview.postMessage(m);
  }

  private async handle(m: FromView): Promise<void> {
    if (m.type === 'ready') return this.refresh(this.session);
    if (this.session === undefined) return;
    try {
      await this.session.customRequest(GOTO_REQUEST, { step: m.step });
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  async refresh(session: vscode.DebugSession | undefined): Promise<void> {
    this.session = session ?? this.session;
    if (this.session === undefined) {
      this.post({ type: 'noSession' });
      return;
    }
    const s = this.session;
    try {
      const data = (await s.customRequest(TIMELINE_REQUEST, {})) as TimelineData;
      if (this.session === s) this.post({ type: 'timeline', session: s.name, data });
    } catch (err) {
      // not stopped yet, or already gone: the next step event refreshes again
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  ended(s: vscode.DebugSession): void {
    if (this.session?.id !== s.id) return;
    this.session = undefined;
    this.post({ type: 'noSession' });
  }
}

function html(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = Array.from({ length: 24 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Lockstep Timeline</title>
<style>
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 6px 10px; }
  #status { margin-bottom: 6px; opacity: 0.85; }
  #lanes { overflow-x: auto; }
  svg text { fill: var(--vscode-foreground); font-size: 11px; }
  .lane { fill: var(--vscode-editorWidget-background, rgba(128,128,128,0.08)); }
  .task { fill: var(--vscode-descriptionForeground, #888); opacity: 0.45; }
  .irq { fill: var(--vscode-charts-red, #e05252); opacity: 0.75; }
  .finding { fill: var(--vscode-errorForeground, #f14c4c); stroke: var(--vscode-editor-background, #000); }
  .cursor { stroke: var(--vscode-editorCursor-foreground, #fff); stroke-width: 2; }
  .tick { stroke: var(--vscode-editorLineNumber-foreground, #888); opacity: 0.4; }
  .legend span { display: inline-block; margin-right: 12px; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
</style>
</head>
<body>
<div id="status">Start a Lockstep debug session (F5 on a .lockstep file) to see its timeline.</div>
<div id="lanes"></div>
<div class="legend" id="legend"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script)}"></script>
</body>
</html>`;
}
