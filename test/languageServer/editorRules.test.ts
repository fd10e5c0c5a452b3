// Editor behaviour over the protocol beyond the main suite: one error is shown once, a
// macro (the kernel prelude's GFP flags, a model's pcp_spin_* helpers) has a hover with
// its definition, and the configuration names on `config` lines say what they change.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover } from 'vscode-languageserver/node';
import { lspSession, positionOf, root, hoverText } from './client';

describe('language server: editor rules', function () {
  this.timeout(30_000);
  const lsp = lspSession('lockstep-lsp-rules-');

  it('two blocks left open at the end of a model: the error at that place is shown once', async () => {
    const file = path.join(lsp.tmp, 'open.kc');
    const text = 'void f(void)\n{\n\twhile (1) {\n';
    lsp.client.open(file, text);
    const d = await lsp.client.diagnosticsOf(file, (ds) => ds.length > 0);
    const keys = d.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.message}`);
    assert.deepEqual(keys, [...new Set(keys)], keys.join('\n'));
    assert.ok(d.some((x) => /expected '\}'/.test(x.message)));
    lsp.client.close(file);
  });

  it('hover on a GFP flag in a task block shows its definition from the kernel prelude', async () => {
    const file = path.join(lsp.tmp, 'gfp.lockstep');
    const text = 'model v6.1\ncpus 1\nzone Normal pages 256\ntask cpu 0 {\n\tstruct page *p = alloc_pages(GFP_KERNEL, 0);\n\t__free_pages(p, 0);\n}\n';
    lsp.client.open(file, text);
    assert.deepEqual(await lsp.client.diagnosticsOf(file), []);
    const h = await lsp.client.request<Hover | null>('textDocument/hover', file, positionOf(text, 'GFP_KERNEL', 3));
    assert.match(hoverText(h), /#define GFP_KERNEL\s+\(__GFP_RECLAIM/);
    assert.match(hoverText(h), /kernel prelude/);
    assert.deepEqual(h!.range!.start, positionOf(text, 'GFP_KERNEL'));
    lsp.client.close(file);
  });

  it("hover on a model's own macro shows its #define line and where it is", async () => {
    const file = path.join(root, 'models', 'v6.1.kc');
    const text = fs.readFileSync(file, 'utf8');
    lsp.client.open(file, text);
    await lsp.client.diagnosticsOf(file);
    const use = text.indexOf('pcp_spin_trylock_irqsave(zone->per_cpu_pageset');
    assert.ok(use > 0);
    const h = await lsp.client.request<Hover | null>('textDocument/hover', file, positionOf(text, 'pcp_spin_trylock_irqsave(zone->per_cpu_pageset', 4));
    const defLine = text.split('\n').findIndex((l) => /#define\s+pcp_spin_trylock_irqsave\b/.test(l));
    assert.ok(defLine >= 0);
    assert.match(hoverText(h), /#define pcp_spin_trylock_irqsave\(ptr, flags\)/);
    assert.match(hoverText(h), new RegExp(`v6\\.1\\.kc:${defLine + 1}\\b`));
    lsp.client.close(file);
  });

  it('hover on UP and PREEMPT_RT in config lines says what the configuration changes', async () => {
    const file = path.join(lsp.tmp, 'cfg.lockstep');
    const text = 'model v6.2\nconfig UP\nconfig PREEMPT_RT on\ncpus 1\ntask cpu 0 {\n\tpreempt_disable();\n\tpreempt_enable();\n}\n';
    lsp.client.open(file, text);
    await lsp.client.diagnosticsOf(file);
    assert.match(hoverText(await lsp.client.request('textDocument/hover', file, positionOf(text, 'UP', 1))), /spin_trylock. always succeeds/);
    assert.match(hoverText(await lsp.client.request('textDocument/hover', file, positionOf(text, 'PREEMPT_RT', 3))), /sleeping locks/);
    // not on other lines: `UP` in a block is just a word
    assert.equal(await lsp.client.request('textDocument/hover', file, positionOf(text, 'cpus', 1)), null);
    lsp.client.close(file);
  });
});
