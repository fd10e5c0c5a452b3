// A minimal LSP client for tests: starts dist/languageServer.js --stdio as a child
// process and speaks JSON-RPC to it (vscode-jsonrpc, as vscode-languageclient does).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import * as os from 'node:os';
import type { Diagnostic, Hover, Position } from 'vscode-languageserver/node';

export const root = path.resolve(__dirname, '..', '..', '..');

export const uriOf = (file: string) => pathToFileURL(path.resolve(file)).toString();

/** A hover's text, whichever form its contents take. */
export const hoverText = (h: Hover | null): string => (h === null ? '' : typeof h.contents === 'string' ? h.contents : 'value' in h.contents ? h.contents.value : JSON.stringify(h.contents));

/** In a describe: a started server and a scratch folder for the suite, stopped and removed after it. */
export function lspSession(prefix: string): { readonly client: LspClient; readonly tmp: string } {
  const s = {} as { client: LspClient; tmp: string };
  before(async () => {
    s.client = new LspClient();
    await s.client.initialize();
    s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(async () => {
    await s.client.stop();
    fs.rmSync(s.tmp, { recursive: true, force: true });
  });
  return s;
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly proc: ChildProcess;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: (() => void)[] = [];
  readonly progress: { token: string | number; value: any }[] = [];
  readonly stderr: string[] = [];
  private versions = new Map<string, number>();
  exited = false;

  constructor() {
    this.proc = spawn(process.execPath, [path.join(root, 'dist', 'languageServer.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.proc.on('exit', () => (this.exited = true));
    this.connection = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.connection.onNotification('$/progress', (p: { token: string | number; value: any }) => this.progress.push(p));
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/configuration', () => []);
    this.connection.listen();
  }

  async initialize(): Promise<any> {
    const r = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(root),
      capabilities: { window: { workDoneProgress: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
    });
    await this.connection.sendNotification('initialized', {});
    return r;
  }

  open(file: string, text = fs.readFileSync(file, 'utf8')): string {
    const uri = uriOf(file);
    const languageId = file.endsWith('.kc') ? 'kernel-c' : 'lockstep';
    this.versions.set(uri, 1);
    this.diagnostics.delete(uri);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  change(file: string, text: string): void {
    const uri = uriOf(file);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.diagnostics.delete(uri);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(file: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
  }

  /** The next diagnostics published for the file that satisfy `ok` (default: any). */
  async diagnosticsOf(file: string, ok: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const uri = uriOf(file);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.diagnostics.get(uri);
      if (d !== undefined && ok(d)) return d;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${file}; last: ${JSON.stringify(d)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  request<T = any>(method: string, file: string, position: Position): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri: uriOf(file) }, position });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.connection.sendNotification('exit');
    } catch {
      /* already gone */
    }
    this.connection.dispose();
    this.proc.kill();
  }
}

/** The position of the n-th occurrence (0-based) of `needle` in the text, plus `offset` characters. */
export function positionOf(text: string, needle: string, offset = 0, nth = 0): Position {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
