// What the checker now refuses reaches the editor as you type, at the offending
// expression: a string where an int is expected in a model, a constant index past a
// local array, a missing ';' after the statement, and the same in a scenario's task
// block (in the .lockstep file).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lspSession, positionOf } from './client';

describe('language server: type, bounds and semicolon diagnostics as you type', function () {
  this.timeout(30_000);
  const lsp = lspSession('lockstep-lsp-types-');

  it('in a model: each at its expression, cleared once fixed', async () => {
    const kc = path.join(lsp.tmp, 'm.kc');
    const good = 'int f(void)\n{\n\tint x = 1;\n\tint a[4];\n\ta[3] = x;\n\treturn a[3];\n}\n';
    const bad = 'int f(void)\n{\n\tint x = "str";\n\tint a[4];\n\ta[4] = x\n\treturn a[3];\n}\n';
    fs.writeFileSync(kc, good);
    lsp.client.open(kc, bad);
    const d = await lsp.client.diagnosticsOf(kc, (ds) => ds.length >= 3);
    const semi = positionOf(bad, 'a[4] = x');
    assert.deepEqual(d.map((x) => [x.range.start, x.message]), [
      [positionOf(bad, '"str"'), "incompatible types when initializing 'x': expected 'int', found 'char *' (makes integer from pointer without a cast)"],
      [positionOf(bad, '4] = x'), 'array index 4 is past the end of the array (which contains 4 elements)'],
      [{ line: semi.line, character: semi.character + 'a[4] = x'.length }, "expected ';', found 'return'"],
    ]);
    lsp.client.change(kc, good);
    assert.deepEqual(await lsp.client.diagnosticsOf(kc, (ds) => ds.length === 0), []);
    lsp.client.close(kc);
  });

  it("in a scenario's task block", async () => {
    const kc = path.join(lsp.tmp, 'n.kc');
    fs.writeFileSync(kc, 'void take(struct page *page)\n{\n}\n');
    const sc = path.join(lsp.tmp, 'n.lockstep');
    const text = 'model "./n.kc"\ncpus 1\ntask cpu 0 {\n\tint n = "two";\n\ttake(n);\n}\n';
    lsp.client.open(sc, text);
    const d = await lsp.client.diagnosticsOf(sc, (ds) => ds.length >= 2);
    assert.deepEqual(d.map((x) => x.range.start), [positionOf(text, '"two"'), positionOf(text, 'n);')]);
    assert.match(d[1].message, /argument 1 of 'take': expected 'struct page \*', found 'int'/);
    lsp.client.close(sc);
  });
});
