// The extension's contributions beyond languages and grammars (manifest.test.ts):
// activation, commands and their menus, debugger snippets, workspace trust, icon, and
// that what the manifest promises the bundle registers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const COMMANDS = ['lockstep.exploreScenario', 'lockstep.exportChromeTrace', 'lockstep.openTimeline', 'lockstep.debugTrace'];
/** Launch attributes: the debugger's launch schema, plus what every configuration has. */
const LAUNCH_ATTRIBUTES = ['type', 'request', 'name', ...Object.keys(contributes.debuggers[0].configurationAttributes.launch.properties)];

describe('extension contributions (package.json)', () => {
  it('activates only on its languages, its debug type and its commands', () => {
    const allowed = new Set([
      'onLanguage:lockstep', 'onLanguage:kernel-c',
      'onDebugResolve:lockstep', 'onDebugDynamicConfigurations:lockstep', 'onDebugInitialConfigurations', 'onDebugAdapterProtocolTracker:lockstep',
      ...COMMANDS.map((c) => `onCommand:${c}`),
    ]);
    const events: string[] = manifest.activationEvents;
    assert.deepEqual(events.filter((e) => !allowed.has(e)), []);
    for (const e of ['onLanguage:lockstep', 'onLanguage:kernel-c', 'onDebugResolve:lockstep']) assert.ok(events.includes(e), e);
    assert.ok(!events.includes('*'));
  });

  it('contributes the four commands in the Lockstep category, registered by the bundle', () => {
    const commands: { command: string; title: string; category: string }[] = contributes.commands;
    assert.deepEqual(commands.map((c) => c.command).sort(), [...COMMANDS].sort());
    const titles = Object.fromEntries(commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles['lockstep.exploreScenario'], 'Lockstep: Explore Scenario');
    assert.equal(titles['lockstep.exportChromeTrace'], 'Lockstep: Export Chrome Trace');
    assert.equal(titles['lockstep.openTimeline'], 'Lockstep: Open Timeline');
    assert.equal(titles['lockstep.debugTrace'], 'Lockstep: Debug Kernel Trace');
    const bundle = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    for (const c of COMMANDS) assert.ok(bundle.includes(`"${c}"`), `dist/extension.js does not register ${c}`);
  });

  it('has menus that name only contributed commands, with when clauses', () => {
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string; when?: string }[]>)) {
      for (const item of items) {
        assert.ok(COMMANDS.includes(item.command), `${menu}: unknown command ${item.command}`);
        assert.ok(item.when, `${menu}: ${item.command} shows everywhere`);
      }
    }
    assert.ok(contributes.menus.commandPalette.some((m: { command: string; when: string }) => m.command === 'lockstep.exploreScenario' && /editorLangId == lockstep/.test(m.when)));
    assert.ok(contributes.menus['debug/toolBar'].some((m: { command: string }) => m.command === 'lockstep.openTimeline'));
    // a trace file in the explorer (a trace.dat, or a name that says trace or perf)
    const t = contributes.menus['explorer/context'].find((m: { command: string }) => m.command === 'lockstep.debugTrace');
    assert.match(t.when, /resourceExtname == \.dat/);
  });

  it('offers an initial configuration and launch.json snippets that use only launch attributes', () => {
    const dbg = contributes.debuggers.find((d: { type: string }) => d.type === 'lockstep');
    assert.ok(dbg.initialConfigurations.length >= 1);
    for (const c of dbg.initialConfigurations) {
      assert.equal(c.type, 'lockstep');
      assert.equal(c.request, 'launch');
      assert.deepEqual(Object.keys(c).filter((k) => !LAUNCH_ATTRIBUTES.includes(k)), []);
    }
    assert.ok(dbg.configurationSnippets.length >= 3);
    for (const s of dbg.configurationSnippets) {
      assert.match(s.label, /^Lockstep: /);
      assert.ok(s.description, `${s.label} has no description`);
      assert.equal(s.body.type, 'lockstep');
      assert.equal(s.body.request, 'launch');
      assert.ok(s.body.scenario !== undefined || s.body.trace !== undefined, `${s.label} names neither scenario nor trace`);
      assert.deepEqual(Object.keys(s.body).filter((k) => !LAUNCH_ATTRIBUTES.includes(k)), [], s.label);
    }
    assert.ok(dbg.configurationSnippets.some((s: { body: { schedule?: string } }) => s.body.schedule !== undefined), 'a snippet replays a schedule');
  });

  it('states honestly what works in an untrusted workspace', () => {
    const u = manifest.capabilities.untrustedWorkspaces;
    assert.ok([true, false, 'limited'].includes(u.supported));
    if (u.supported !== true) assert.ok(typeof u.description === 'string' && u.description.length > 20);
    if (u.supported === 'limited') {
      // what needs trust (running scenarios) is not enabled in Restricted Mode
      for (const c of contributes.commands.filter((x: { command: string }) => x.command !== 'lockstep.openTimeline')) {
        assert.match(c.enablement ?? '', /isWorkspaceTrusted/, `${c.command} runs scenarios without trust`);
      }
    }
  });

  it('embeds Kernel C in scenario blocks and folds by brackets and markers', () => {
    const g = contributes.grammars.find((x: { language: string }) => x.language === 'lockstep');
    assert.equal(g.embeddedLanguages['meta.block.kernel-c.lockstep'], 'kernel-c');
    for (const l of contributes.languages) {
      const config = JSON.parse(fs.readFileSync(path.join(root, l.configuration), 'utf8'));
      assert.ok(config.folding?.markers?.start && config.folding?.markers?.end, `${l.id}: no folding markers`);
      assert.ok(config.autoClosingPairs.some((p: { open: string }) => p.open === '{'));
    }
  });

  it('has a PNG icon of at least 128x128', () => {
    const png = fs.readFileSync(path.join(root, manifest.icon));
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128);
  });

  it('has the package and end-to-end scripts', () => {
    assert.match(manifest.scripts.package, /vsce package/);
    assert.match(manifest.scripts['test:e2e'], /e2e/);
  });
});
