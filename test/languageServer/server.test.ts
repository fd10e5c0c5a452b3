// The language server over stdio (dist/languageServer.js --stdio), as VS Code's client
// drives it: diagnostics as you type (including edits to an open model that a scenario
// uses), hover with per-configuration semantics, completion, go to definition, symbols,
// the explore request with progress and cancellation, and malformed input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompletionItem, DocumentSymbol, Hover, Location } from 'vscode-languageserver/node';
import { BUILTINS, builtinDoc, bundledModels, bundledModelSummaries, FINDING_KIND_IDS } from '../../src/engine';
import { LspClient, positionOf, root, uriOf, hoverText } from './client';

const example = (name: string) => path.join(root, 'examples', name);
const model = (name: string) => path.join(root, 'models', name);
const labels = (items: CompletionItem[] | { items: CompletionItem[] }) => (Array.isArray(items) ? items : items.items).map((i) => i.label);
const docOf = (name: string) => BUILTINS.get(name)!.doc as { smp: string; up: string; rt: string };

describe('language server (LSP over stdio)', function () {
  this.timeout(30_000);
  let client: LspClient;
  let tmp: string;

  before(async () => {
    client = new LspClient();
    const init = await client.initialize();
    assert.ok(init.capabilities.hoverProvider && init.capabilities.definitionProvider && init.capabilities.documentSymbolProvider);
    assert.ok(init.capabilities.completionProvider);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lsp-'));
  });

  after(async () => {
    await client.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('diagnostics as you type', () => {
    it('reports an unknown finding kind at its position, and clears it once fixed', async () => {
      const file = path.join(tmp, 'typo.lockstep');
      const good = fs.readFileSync(example('b1-up-drain-irq-v6.2.lockstep'), 'utf8');
      const bad = good.replace('expect finding mutual-exclusion', 'expect finding mutual-exclusio');
      client.open(file, bad);
      const d = await client.diagnosticsOf(file, (ds) => ds.length > 0);
      const at = positionOf(bad, 'mutual-exclusio');
      assert.equal(d[0].range.start.line, at.line);
      assert.equal(d[0].range.start.character, at.character);
      assert.match(d[0].message, /mutual-exclusio/);
      assert.match(d[0].message, /mutual-exclusion/, 'the message suggests the right kind');
      client.change(file, good);
      assert.deepEqual(await client.diagnosticsOf(file, (ds) => ds.length === 0), []);
      client.close(file);
    });

    it("an open model's unsaved edits change the diagnostics of the scenario that uses it", async () => {
      const kc = path.join(tmp, 'mine.kc');
      const sc = path.join(tmp, 'mine.lockstep');
      const modelText = 'void do_work(int n)\n{\n\tpreempt_disable();\n\tpreempt_enable();\n}\n';
      fs.writeFileSync(kc, modelText);
      const scenarioText = 'model "./mine.kc"\ncpus 1\ntask cpu 0 {\n\tdo_work(1);\n}\n';
      fs.writeFileSync(sc, scenarioText);
      client.open(sc);
      client.open(kc);
      assert.deepEqual(await client.diagnosticsOf(sc), []);
      // rename the function in the editor only: the scenario's call no longer resolves
      client.change(kc, modelText.replace('do_work', 'do_other_work'));
      const d = await client.diagnosticsOf(sc, (ds) => ds.length > 0);
      assert.equal(d[0].range.start.line, positionOf(scenarioText, 'do_work').line);
      assert.match(d[0].message, /do_work/);
      assert.equal(fs.readFileSync(kc, 'utf8'), modelText, 'the file on disk is untouched');
      // an error inside the model shows in the scenario, on its model line
      client.change(kc, modelText.replace('preempt_enable();', 'preempt_enable(;'));
      const inModel = await client.diagnosticsOf(sc, (ds) => ds.some((x) => x.message.includes('mine.kc:')));
      const shown = inModel.find((x) => x.message.includes('mine.kc:'))!;
      assert.equal(shown.range.start.line, 0, 'on the model line');
      const own = await client.diagnosticsOf(kc, (ds) => ds.length > 0);
      assert.equal(own[0].range.start.line, 3);
      client.change(kc, modelText);
      assert.deepEqual(await client.diagnosticsOf(sc, (ds) => ds.length === 0), []);
      client.close(sc);
      client.close(kc);
    });

    it('checks a file meant to be #included inside the model that includes it, or the open scenario', async () => {
      // pcp-irqs-on.kc uses macros its includers (v6.2.kc, v6.19.kc) define
      const inc = model('common/pcp-irqs-on.kc');
      client.open(inc);
      assert.deepEqual(await client.diagnosticsOf(inc), []);
      const text = fs.readFileSync(inc, 'utf8');
      client.change(inc, text.replace('drain_pages_zone(cpu, zone);\n}', 'drain_pages_zone(cpu, zone)\n}'));
      const d = await client.diagnosticsOf(inc, (ds) => ds.length > 0);
      // the missing ';' is reported just after the call, as gcc does, in this file
      const call = positionOf(text, 'drain_pages_zone(cpu, zone);\n}');
      assert.deepEqual(d[0].range.start, { line: call.line, character: call.character + 'drain_pages_zone(cpu, zone)'.length }, JSON.stringify(d));
      assert.match(d[0].message, /';'/);
      client.close(inc);
    });
  });

  describe('hover', () => {
    it('shows a primitive under the scenario configuration: UP', async () => {
      const file = path.join(tmp, 'up.lockstep');
      const text = 'model v6.2\nconfig UP\ncpus 1\nzone Normal pages 64\ntask cpu 0 {\n\tspin_lock(&page_zone(pfn_to_page(0))->lock);\n}\n';
      client.open(file, text);
      const h = hoverText(await client.request('textDocument/hover', file, positionOf(text, 'spin_lock', 2)));
      assert.ok(h.includes(docOf('spin_lock').up), h);
      assert.ok(!h.includes(docOf('spin_lock').smp));
      assert.match(h, /\bUP\b/);
      client.close(file);
    });

    it('shows a primitive under the scenario configuration: PREEMPT_RT', async () => {
      const file = path.join(tmp, 'rt.lockstep');
      const text = 'model v6.19\nconfig PREEMPT_RT on\ncpus 2\ntask cpu 0 {\n\tlocal_irq_disable();\n\tspin_lock_irq(&page_zone(pfn_to_page(0))->lock);\n}\n';
      client.open(file, text);
      const h = hoverText(await client.request('textDocument/hover', file, positionOf(text, 'spin_lock_irq')));
      const rt = builtinDoc(BUILTINS.get('spin_lock_irq')!, { smp: true, preemptRt: true });
      assert.ok(h.includes(rt), h);
      assert.match(h, /PREEMPT_RT/);
      client.close(file);
    });

    it('shows SMP, UP and PREEMPT_RT side by side for a model opened alone', async () => {
      const inc = model('common/pcp-irqs-on.kc');
      const text = fs.readFileSync(inc, 'utf8');
      client.open(inc, text);
      const h = hoverText(await client.request('textDocument/hover', inc, positionOf(text, '\tspin_lock_irqsave(', 2)));
      const d = docOf('spin_lock_irqsave');
      for (const s of [d.smp, d.up, d.rt]) assert.ok(h.includes(s), `missing "${s}" in ${h}`);
      client.close(inc);
    });

    it("uses an open scenario's configuration for the model it runs", async () => {
      const sc = path.join(tmp, 'uses-model.lockstep');
      const kc = path.join(tmp, 'used.kc');
      const modelText = 'void grab(spinlock_t *l)\n{\n\tspin_lock(l);\n\tspin_unlock(l);\n}\n';
      fs.writeFileSync(kc, modelText);
      client.open(sc, 'model "./used.kc"\nconfig UP\ncpus 1\ntask cpu 0 {\n}\n');
      client.open(kc, modelText);
      const h = hoverText(await client.request('textDocument/hover', kc, positionOf(modelText, 'spin_lock(')));
      assert.ok(h.includes(docOf('spin_lock').up), h);
      assert.ok(!h.includes(docOf('spin_lock').rt));
      client.close(sc);
      client.close(kc);
    });

    it('describes finding kinds on expect lines, the bundled model and model functions in blocks', async () => {
      const file = example('b1-up-drain-irq-v6.2.lockstep');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      const kind = hoverText(await client.request('textDocument/hover', file, positionOf(text, 'mutual-exclusion', 3)));
      assert.match(kind, /mutual-exclusion/);
      assert.match(kind, /critical section/);
      const modelHover = hoverText(await client.request('textDocument/hover', file, positionOf(text, 'model v6.2', 8)));
      const summary = bundledModelSummaries().find((m) => m.name === 'v6.2')!.summary;
      assert.ok(modelHover.includes(summary), modelHover);
      const fn = hoverText(await client.request('textDocument/hover', file, positionOf(text, 'drain_all_pages(Normal)', 1)));
      assert.match(fn, /void drain_all_pages\(struct zone \*zone\)/);
      client.close(file);
    });
  });

  describe('completion', () => {
    const file = example('b1-up-drain-irq-v6.2.lockstep');
    const text = fs.readFileSync(file, 'utf8');
    const at = async (edited: string, needle: string, offset: number) => {
      client.change(file, edited);
      return labels(await client.request('textDocument/completion', file, positionOf(edited, needle, offset)));
    };
    before(() => client.open(file));
    after(() => client.close(file));

    it('offers model functions, primitives, zones and GFP flags in a task block', async () => {
      const edited = text.replace('drain_all_pages(Normal);', 'drain_all_pages(Normal);\n    x');
      const l = await at(edited, '    x', 5);
      for (const name of ['drain_all_pages', 'alloc_pages', 'free_pcppages_bulk', 'spin_lock_irqsave', 'local_irq_save', 'Normal', 'GFP_ATOMIC', 'if']) {
        assert.ok(l.includes(name), `no ${name} in ${l.length} items`);
      }
      // the kernel prelude's macros, not a fixed list; its bit numbers stay out
      for (const name of ['GFP_HIGHUSER_MOVABLE', '__GFP_ZERO', 'PAGE_ALLOC_COSTLY_ORDER', 'NR_PCP_LISTS']) assert.ok(l.includes(name), `no ${name}`);
      assert.ok(!l.some(n => n.startsWith('___GFP_')), 'an internal ___GFP_ bit offered');
    });

    it('offers every finding kind after expect no / expect finding', async () => {
      const edited = `${text}expect no `;
      const l = await at(edited, 'expect no ', 10);
      assert.deepEqual([...l].sort(), [...FINDING_KIND_IDS].sort());
    });

    it('offers declarations at a line start, bundled models after model, zone names and migratetypes on pcp lines', async () => {
      const decl = await at(`${text}\n`, 'expect finding mutual-exclusion\n', 32);
      for (const k of ['scenario', 'model', 'config', 'cpus', 'zone', 'pcp', 'task', 'irq', 'expect']) assert.ok(decl.includes(k), k);
      const models = await at(text.replace('model v6.2', 'model v'), 'model v', 7);
      assert.deepEqual([...models].sort(), bundledModels().sort());
      const zones = await at(text.replace('pcp cpu 0 zone Normal', 'pcp cpu 0 zone No'), 'pcp cpu 0 zone No', 17);
      assert.deepEqual(zones, ['Normal']);
      const mts = await at(text.replace('unmovable 3', 'u'), 'order 0 u', 9);
      for (const m of ['unmovable', 'movable', 'reclaimable']) assert.ok(mts.includes(m), m);
    });
  });

  describe('go to definition', () => {
    it('goes from a scenario call into the model, through its #include', async () => {
      const file = example('b1-up-drain-irq-v6.2.lockstep');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      const [loc] = await client.request<Location[]>('textDocument/definition', file, positionOf(text, 'drain_all_pages(Normal)', 3));
      assert.equal(loc.uri, uriOf(model('common/pcp-irqs-on.kc')));
      const target = fs.readFileSync(model('common/pcp-irqs-on.kc'), 'utf8').split('\n')[loc.range.start.line];
      assert.equal(target.slice(loc.range.start.character, loc.range.end.character), 'drain_all_pages');
      // the zone name goes to its zone line; the model line to the model file
      const [zone] = await client.request<Location[]>('textDocument/definition', file, positionOf(text, 'Normal', 1, 1));
      assert.equal(zone.range.start.line, positionOf(text, 'zone Normal').line);
      const [m] = await client.request<Location[]>('textDocument/definition', file, positionOf(text, 'model v6.2', 7));
      assert.equal(m.uri, uriOf(model('v6.2.kc')));
      client.close(file);
    });

    it('goes from a model to a function in another included file, and from #include to the file', async () => {
      const file = model('common/pcp-irqs-on.kc');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      const [loc] = await client.request<Location[]>('textDocument/definition', file, positionOf(text, '__rmqueue(', 2));
      assert.equal(loc.uri, uriOf(model('common/buddy.kc')));
      const line = fs.readFileSync(model('common/buddy.kc'), 'utf8').split('\n')[loc.range.start.line];
      assert.match(line, /__rmqueue\(struct zone/);
      const [inc] = await client.request<Location[]>('textDocument/definition', file, positionOf(text, '#include "buddy.kc"', 12));
      assert.equal(inc.uri, uriOf(model('common/buddy.kc')));
      client.close(file);
    });
  });

  describe('document symbols', () => {
    it("outlines a scenario's declarations and blocks", async () => {
      const file = example('b1-up-drain-irq-v6.2.lockstep');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      const syms = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uriOf(file) } });
      const names = syms.map((s) => s.name);
      for (const n of ['model v6.2', 'config UP', 'cpus 1', 'task cpu 0', 'irq cpu 0', 'expect finding mutual-exclusion']) assert.ok(names.includes(n), `${n} in ${names}`);
      const irq = syms.find((s) => s.name === 'irq cpu 0')!;
      assert.equal(irq.range.start.line, positionOf(text, 'irq cpu 0').line);
      assert.equal(irq.range.end.line, positionOf(text, '}', 0, 1).line, 'the block ends at its closing brace');
      client.close(file);
    });

    it("outlines a model's functions, structs and macros in this file only", async () => {
      const file = model('common/pcp-irqs-on.kc');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      const syms = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uriOf(file) } });
      const fn = syms.find((s) => s.name === 'drain_all_pages');
      assert.ok(fn, syms.map((s) => s.name).join(' '));
      assert.equal(fn.selectionRange.start.line, positionOf(text, 'void drain_all_pages(').line);
      assert.ok(!syms.some((s) => s.name === '__rmqueue'), 'a function of an included file is not in this outline');
      client.close(file);
    });
  });

  describe('lockstep/explore', () => {
    it('finds the B1 mutual exclusion with a schedule, reporting work-done progress', async () => {
      const file = example('b1-up-drain-irq-v6.2.lockstep');
      client.open(file);
      const r = await client.connection.sendRequest<any>('lockstep/explore', { uri: uriOf(file), timeLimitMs: 20_000, workDoneToken: 'explore-1' });
      assert.equal(r.search.strategy, 'exhaustive');
      assert.equal(r.search.complete, true, 'the exhaustive search of B1 completes');
      const f = r.findings.find((x: any) => x.kind === 'mutual-exclusion');
      assert.ok(f, JSON.stringify(r));
      assert.match(f.schedule, /^[ci]\d/);
      assert.deepEqual(r.expectations, [{ text: 'expect finding mutual-exclusion', met: true }]);
      const kinds = client.progress.filter((p) => p.token === 'explore-1').map((p) => p.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.ok(kinds.includes('report'));
      assert.equal(kinds[kinds.length - 1], 'end');
      client.close(file);
    });

    it('stops when cancelled and says so', async () => {
      const file = example('remote-drain-4cpus-v6.19.lockstep');
      client.open(file);
      const source = new (require('vscode-jsonrpc').CancellationTokenSource)();
      const started = Date.now();
      const pending = client.connection.sendRequest<any>('lockstep/explore', { uri: uriOf(file), strategy: 'random', schedules: 1_000_000 }, source.token);
      setTimeout(() => source.cancel(), 300);
      const r = await pending.catch((e: Error) => ({ error: e.message }));
      assert.ok(Date.now() - started < 5000, 'cancellation took too long');
      assert.ok(r.cancelled === true || /cancel/i.test(String(r.error)), JSON.stringify(r).slice(0, 200));
      client.close(file);
    });

    it('answers with the load errors of a broken scenario', async () => {
      const file = path.join(tmp, 'broken.lockstep');
      client.open(file, 'model nosuchmodel\ncpus 1\ntask cpu 0 {\n}\n');
      const r = await client.connection.sendRequest<any>('lockstep/explore', { uri: uriOf(file) });
      assert.equal(r.findings.length, 0);
      assert.match(r.errors[0], /nosuchmodel/);
      client.close(file);
    });
  });

  describe('malformed input', () => {
    it('never crashes: garbage, binary, unbalanced braces, huge files, include cycles, requests anywhere', async () => {
      const a = path.join(tmp, 'cycle-a.kc');
      const b = path.join(tmp, 'cycle-b.kc');
      fs.writeFileSync(a, '#include "cycle-b.kc"\nint x;\n');
      fs.writeFileSync(b, '#include "cycle-a.kc"\nint y;\n');
      const samples: [string, string][] = [
        ['garbage.lockstep', '}}}{{{ ((( "unterminated \n /* \n expect finding \n task cpu 99999999999999999999 {'],
        ['binary.lockstep', String.fromCharCode(...Array.from({ length: 2000 }, (_v, k) => (k * 7919) % 256))],
        ['unbalanced.kc', 'void f(void) {\n if (x { spin_lock(; }\n#if\n#include "nowhere.kc"\nstruct s { struct s inner; };\n'],
        ['huge.lockstep', `model v6.2\ncpus 1\ntask cpu 0 {\n${'\tpreempt_disable(); preempt_enable();\n'.repeat(20000)}}\n`],
        ['deep.kc', `int f(void) { return ${'('.repeat(5000)}1${')'.repeat(5000)}; }\n`],
        ['cycle-a.kc', fs.readFileSync(a, 'utf8')],
        ['empty.lockstep', ''],
      ];
      for (const [name, text] of samples) {
        const file = path.join(tmp, name);
        client.open(file, text);
        const d = await client.diagnosticsOf(file);
        assert.ok(Array.isArray(d));
        const lines = text.split('\n');
        for (const line of [0, 1, 2, Math.floor(lines.length / 2), lines.length - 1]) {
          for (const character of [0, 3, 10]) {
            const p = { line: Math.max(0, line), character };
            await client.request('textDocument/hover', file, p);
            await client.request('textDocument/completion', file, p);
            await client.request('textDocument/definition', file, p);
          }
        }
        await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uriOf(file) } });
        client.close(file);
      }
      assert.equal(client.exited, false, client.stderr.join(''));
      // still answering
      const file = example('b1-up-drain-irq-v6.2.lockstep');
      const text = fs.readFileSync(file, 'utf8');
      client.open(file);
      assert.match(hoverText(await client.request('textDocument/hover', file, positionOf(text, 'alloc_pages'))), /alloc_pages/);
      client.close(file);
    });
  });
});
