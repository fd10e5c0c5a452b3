// End to end in a real VS Code (code-server + Debian's chromium, driven by
// playwright-core): install the .vsix, open an example, F5, see the paused CPUs in the
// Call Stack, read a pcp count in the Variables view, go to the model's definition,
// set a breakpoint by clicking the gutter, continue to it, step back. Any missing step
// fails the test; screenshots go to test-artifacts/e2e/ (one is copied to docs/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  checkInstalled, CodeServer, Dirs, freePort, installExtension, launchBrowser, prepareDirs, root, screenshot,
  startCodeServer, stopProcessGroup,
} from './harness';

const EXAMPLE = 'remote-drain-4cpus-v6.19.lockstep';
/** explored in the last steps: the search finds its mutual exclusion in a second or two */
const EXPLORED = 'b1-up-drain-irq-v6.2.lockstep';
const CPUS = 4;
/** a kernel trace (Linux 6.18, 2 CPUs) debugged in the last step */
const TRACE = 'ftrace-raw-6.18.txt';
const MODEL_FILE = 'pcp-irqs-on.kc';
/** drain_all_pages' call of drain_pages_zone in models/common/pcp-irqs-on.kc */
const BREAKPOINT_TEXT = '\t\tdrain_pages_zone(cpu, zone);';

describe('VS Code end to end (code-server + chromium)', function () {
  this.timeout(300_000);
  let dirs: Dirs;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const started = Date.now();
  const timings: Record<string, number> = {};
  const mark = (what: string) => (timings[what] = (Date.now() - started) / 1000);

  before(async () => {
    checkInstalled();
    dirs = prepareDirs();
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const vsix = path.join(root, `lockstep-${manifest.version}.vsix`);
    assert.ok(fs.existsSync(vsix), `${vsix} is missing: npm run package`);
    for (const f of [EXAMPLE, EXPLORED]) fs.copyFileSync(path.join(root, 'examples', f), path.join(dirs.workspace, f));
    fs.writeFileSync(path.join(dirs.workspace, TRACE), zlib.gunzipSync(fs.readFileSync(path.join(root, 'test', 'fixtures', 'linux-6.18', 'ftrace-raw.txt.gz'))));
    const out = installExtension(dirs, vsix);
    assert.match(out, /lockstep/i);
    mark('installed');
    server = await startCodeServer(dirs, await freePort());
    mark('code-server up');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    mark('workbench');
  });

  after(async function () {
    try {
      if (page !== undefined && failed) await screenshot(page, dirs, 'failure').catch(() => undefined);
      await browser?.close().catch(() => undefined);
    } finally {
      stopProcessGroup(server?.proc);
      if (server !== undefined) fs.writeFileSync(path.join(dirs.artifacts, 'code-server.log'), server.log.join(''));
      fs.writeFileSync(path.join(dirs.artifacts, 'timings.json'), JSON.stringify({ ...timings, total: (Date.now() - started) / 1000 }, null, 2));
    }
  });

  // each step needs the one before: after a failure the rest are skipped, not timed out
  let failed = false;
  beforeEach(function () {
    if (failed) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  const callStack = () => page.locator('.debug-call-stack');
  const variables = () => page.locator('.debug-variables');
  const row = (container: Locator, text: string | RegExp) => container.locator('.monaco-list-row', { hasText: text }).first();

  /** Runs a command from the palette; one retry, as a key press can land while focus moves. */
  async function command(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(`>${name}`);
      try {
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
        await page.keyboard.press('Enter');
        return;
      } catch (err) {
        await page.keyboard.press('Escape');
        if (attempt > 0) throw err;
        await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      }
    }
  }

  async function openFile(name: string): Promise<void> {
    const tab = page.locator('.tab', { hasText: name }).first();
    if (await tab.isVisible()) {
      await tab.click();
      await page.locator('.tab.active', { hasText: name }).waitFor();
      return;
    }
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor();
  }

  /** The frame of a webview whose document has `selector` (webviews are nested iframes). */
  async function webviewFrame(selector: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const f of page.frames()) {
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      await page.waitForTimeout(250);
    }
    throw new Error(`no webview with ${selector}`);
  }

  async function lineNumberBox(line: number) {
    const ln = page.locator('.monaco-editor .margin-view-overlays .line-numbers', { hasText: new RegExp(`^${line}$`) }).first();
    await ln.waitFor();
    const box = await ln.boundingBox();
    assert.ok(box, `line ${line} is not on screen`);
    return box;
  }

  it('opens a scenario with the Lockstep language and its diagnostics-free editor', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(EXAMPLE);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: EXAMPLE }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'drain_all_pages(Normal);' }).waitFor();
    await page.locator('.statusbar-item', { hasText: /^Lockstep$/ }).first().waitFor({ timeout: 30_000 });
    mark('scenario open');
    await screenshot(page, dirs, '1-scenario');
  });

  it('F5 stops on entry with the paused CPU in the Call Stack', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('F5');
    await page.locator('.codicon-debug-stop').first().waitFor({ timeout: 60_000 });
    // the Run and Debug view, whatever the user's debug.openDebug setting
    if (!(await callStack().isVisible())) await page.keyboard.press('Control+Shift+D');
    for (let cpu = 0; cpu < CPUS; cpu++) {
      const thread = row(callStack(), new RegExp(`^\\s*CPU ${cpu}\\b`));
      await thread.waitFor({ timeout: 60_000 });
      // the stopped thread shows the stop's description, the others 'Paused'
      assert.match(await thread.innerText(), /paused|before the first step/i, `CPU ${cpu} is not shown paused`);
    }
    mark('paused on entry');
    await screenshot(page, dirs, '2-paused');
  });

  it('shows the Per-CPU lists in the Variables view with the scenario\'s pcp count', async () => {
    // pcp cpu 0 zone Normal order 0 unmovable 2
    await row(variables(), 'Per-CPU lists').click();
    // the zone shows the paused CPU's pcp itself (the other CPUs under 'all CPUs', below)
    await row(variables(), /^Normal/).click();
    const count = row(variables(), /^count/);
    await count.waitFor();
    const text = (await count.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /^\s*count\s*[:=]?\s*2\b/, `pcp count row: ${text}`);
    mark('pcp count read');
    await screenshot(page, dirs, '3-variables');
  });

  it('goes to the model definition, sets a breakpoint by clicking the gutter and continues to it', async () => {
    // F12 on the scenario's call: the language server answers with the model file
    await page.locator('.monaco-editor .view-line', { hasText: 'drain_all_pages(Normal);' }).locator('span', { hasText: /^drain_all_pages$/ }).first().click();
    await page.keyboard.press('F12');
    await page.locator('.tab.active', { hasText: MODEL_FILE }).waitFor({ timeout: 30_000 });
    const modelText = fs.readFileSync(path.join(root, 'models', 'common', MODEL_FILE), 'utf8').split('\n');
    const line = modelText.indexOf(BREAKPOINT_TEXT) + 1;
    assert.ok(line > 0, 'breakpoint line not found in the model');
    const box = await lineNumberBox(line);
    // the glyph margin is just left of the line numbers
    await page.mouse.move(box.x - 8, box.y + box.height / 2);
    await page.mouse.click(box.x - 8, box.y + box.height / 2);
    await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    mark('breakpoint set');
    await page.keyboard.press('F5');
    // CPU 3 stops at the breakpoint: its thread says so and its top frame is drain_all_pages at that line
    await callStack().getByText(new RegExp(`breakpoint`, 'i')).first().waitFor({ timeout: 60_000 });
    const top = callStack().locator('.monaco-list-row:has(.stack-frame)', { hasText: 'drain_all_pages' }).first();
    await top.waitFor();
    assert.match(await top.innerText(), new RegExp(`${MODEL_FILE}[\\s\\S]*\\b${line}:`));
    await page.locator('.monaco-editor .debug-top-stack-frame-line').first().waitFor();
    mark('breakpoint hit');
    await screenshot(page, dirs, '4-breakpoint');
    fs.copyFileSync(path.join(dirs.artifacts, '4-breakpoint.png'), path.join(root, 'docs', 'vscode-debug.png'));
  });

  it('steps back from the breakpoint', async () => {
    const before = await callStack().innerText();
    assert.match(before, /breakpoint/i);
    await page.locator('.action-label.codicon-debug-step-back').first().click();
    // one step back in the recorded run: the debugger stops elsewhere, no longer at the breakpoint
    await page.waitForFunction(
      (prev) => {
        const cs = document.querySelector('.debug-call-stack') as HTMLElement | null;
        return cs !== null && cs.innerText !== prev && !/breakpoint/i.test(cs.innerText) && /paused|step/i.test(cs.innerText);
      },
      before,
      { timeout: 30_000 },
    );
    mark('stepped back');
    await screenshot(page, dirs, '5-step-back');
  });

  it('opens the timeline: a lane per CPU, and a click moves the debugger', async () => {
    await command('Lockstep: Open Timeline');
    const view = await webviewFrame('#lanes svg rect.lane');
    assert.equal(await view.locator('#lanes svg rect.lane').count(), CPUS);
    assert.ok((await view.locator('#lanes svg rect.task').count()) >= CPUS, 'every CPU ran its task');
    const status = view.locator('#status');
    const m = /Step (\d+) of (\d+)/.exec(await status.innerText());
    assert.ok(m, await status.innerText());
    const svg = view.locator('#lanes svg');
    // the view re-renders on every step event: wait for a laid-out svg
    let box = await svg.boundingBox();
    for (let k = 0; k < 20 && box === null; k++) {
      await page.waitForTimeout(250);
      box = await svg.boundingBox();
    }
    assert.ok(box, 'the timeline has no svg');
    // the lanes start 70 px in; click step 2, early in the run
    const steps = Number(m[2]);
    const px = (box.width - 70 - 12) / Math.max(1, steps);
    await svg.click({ position: { x: 70 + 2 * px, y: 30 } });
    await view.locator('#status', { hasText: /^Step 2 of / }).waitFor({ timeout: 30_000 });
    await callStack().getByText(/step 2\b/i).first().waitFor({ timeout: 30_000 });
    mark('timeline goto');
    await screenshot(page, dirs, '6-timeline');
  });

  it('explores a scenario with a progress notification and debugs the finding\'s schedule', async () => {
    await page.keyboard.press('Shift+F5');
    await page.locator('.codicon-debug-stop').first().waitFor({ state: 'detached', timeout: 30_000 });
    await openFile(EXPLORED);
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await command('Lockstep: Explore Scenario');
    await page.locator('.notification-toast', { hasText: 'Lockstep: exploring' }).first().waitFor({ timeout: 10_000 });
    const toast = page.locator('.notification-toast', { hasText: 'mutual-exclusion' }).first();
    await toast.waitFor({ timeout: 90_000 });
    mark('explored');
    await screenshot(page, dirs, '7-explore');
    await toast.locator('.monaco-button', { hasText: 'Debug this schedule' }).click();
    await page.locator('.codicon-debug-stop').first().waitFor({ timeout: 60_000 });
    // one CPU: VS Code lists its frames directly; the replayed run is on the timeline
    await row(callStack(), 'task cpu 0').waitFor({ timeout: 30_000 });
    const view = await webviewFrame('#lanes svg rect.lane');
    await view.locator('#status', { hasText: /^Step 0 of [1-9]/ }).waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('#lanes svg rect.lane').count(), 1);
    mark('debugging the schedule');
    await screenshot(page, dirs, '8-debug-schedule');
  });

  it('continues the schedule to its finding: the timeline shows the lock, the interrupt and the finding', async () => {
    // B1 also runs drain_all_pages: the breakpoint set above would stop it first
    await command('Remove All Breakpoints');
    await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await page.keyboard.press('F5');
    await page.locator('.exception-widget', { hasText: 'mutual-exclusion' }).first().waitFor({ timeout: 60_000 });
    const view = await webviewFrame('#lanes svg path.finding');
    assert.ok((await view.locator('#lanes svg rect.irq').count()) >= 1, 'no interrupt interval');
    assert.ok((await view.locator('#lanes svg rect[fill^="hsl"]').count()) >= 1, 'no lock-hold interval');
    assert.match(await view.locator('#legend').innerText(), /lock/);
    mark('finding on the timeline');
    await screenshot(page, dirs, '9-finding-timeline');
  });

  it("exports a Chrome trace of the finding's schedule", async () => {
    await page.keyboard.press('Escape');   // the exception widget holds the focus
    // while the session runs (the editor shows the model), the export offers the run debugged
    await command('Lockstep: Export Chrome Trace');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'The run being debugged' }).first().waitFor({ timeout: 30_000 });
    mark('export offers the run being debugged');
    await page.keyboard.press('Escape');
    // end the session
    await page.locator('.codicon-debug-stop').first().click();
    await page.locator('.codicon-debug-stop').first().waitFor({ state: 'detached', timeout: 30_000 });
    await openFile(EXPLORED);
    await command('Lockstep: Export Chrome Trace');
    // the last exploration's finding is offered first
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'mutual-exclusion' }).first().waitFor();
    await page.keyboard.press('Enter');
    // VS Code's save dialog, prefilled with <scenario>.trace.json beside the scenario
    const input = page.locator('.quick-input-widget input');
    await page.waitForFunction(() => {
      const i = document.querySelector('.quick-input-widget input') as HTMLInputElement | null;
      return i !== null && i.value.endsWith('.trace.json');
    });
    await input.press('Enter');
    await page.locator('.notification-toast', { hasText: 'Chrome trace written' }).first().waitFor({ timeout: 30_000 });
    const file = path.join(dirs.workspace, EXPLORED.replace(/\.lockstep$/, '.trace.json'));
    const trace = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.ok(Array.isArray(trace.traceEvents) && trace.traceEvents.length > 3);
    assert.ok(trace.traceEvents.some((e: { name?: string }) => /irq/i.test(e.name ?? '')), 'the interrupt of the finding is in the trace');
    mark('chrome trace exported');
  });

  it('debugs a kernel trace: Lockstep: Debug Kernel Trace on the open trace, its CPUs in the Call Stack, a step onto an event line and its fields in the Variables', async () => {
    await openFile(TRACE);
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await command('Lockstep: Debug Kernel Trace');
    await page.locator('.codicon-debug-stop').first().waitFor({ timeout: 60_000 });
    if (!(await callStack().isVisible())) await page.keyboard.press('Control+Shift+D');
    // (the stopped CPU's row runs its name into its description: 'CPU 0before the first event')
    for (const cpu of [0, 1]) await row(callStack(), new RegExp(`^\\s*CPU ${cpu}(?!\\d)`)).waitFor({ timeout: 60_000 });
    mark('trace paused on entry');
    // step into the first event: the editor shows its line of the trace, the Variables its lists
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('F11');
    await page.locator('.monaco-editor .debug-top-stack-frame-line').first().waitFor({ timeout: 30_000 });
    await row(callStack(), /mm_page_alloc/).waitFor({ timeout: 30_000 });
    // (the Event scope opens first; the scopes below it, Per-CPU lists among them, may be off
    // the pane's rendered rows)
    await row(variables(), /mm_page_alloc/).waitFor({ timeout: 30_000 });
    await row(variables(), /0x175186/).waitFor({ timeout: 30_000 });
    mark('trace stepped');
    await screenshot(page, dirs, '11-kernel-trace');
    await page.keyboard.press('Shift+F5');
    await page.locator('.codicon-debug-stop').first().waitFor({ state: 'detached', timeout: 30_000 });
  });
});
