// Hover and go to definition for parameters and local variables, over the protocol:
// the hover shows the declaration (type and name) and what the name is; definition
// jumps to the declaration in scope at that use — an inner block's declaration hides
// the outer one, and after the block the outer one is back. In a model and in a
// scenario's task block; globals show their declaration too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompletionItem, Hover, Location } from 'vscode-languageserver/node';
import { LspClient, positionOf, uriOf, hoverText } from './client';


const MODEL = [
  'struct counter {',
  '\tint value;',
  '};',
  '',
  'static struct counter totals[4];',
  '',
  'int bump(struct counter *c, int delta)',
  '{',
  '\tint n = c->value;',
  '\tunsigned long slots[4];',
  '',
  '\tslots[0] = n;',
  '\tif (delta > 0) {',
  '\t\tlong n = delta * 2;',
  '\t\tc->value += n;',
  '\t}',
  '\tc->value += n + slots[0];',
  '\ttotals[0].value = n;',
  '\treturn n;',
  '}',
  '',
].join('\n');

describe('language server: hover and definition for parameters and locals', function () {
  this.timeout(30_000);
  let client: LspClient;
  let tmp: string;
  let kc: string;

  before(async () => {
    client = new LspClient();
    await client.initialize();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lsp-locals-'));
    kc = path.join(tmp, 'counter.kc');
    fs.writeFileSync(kc, MODEL);
    client.open(kc);
  });

  after(async () => {
    client.close(kc);
    await client.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const hover = async (file: string, text: string, needle: string, offset = 0, nth = 0) =>
    hoverText(await client.request<Hover | null>('textDocument/hover', file, positionOf(text, needle, offset, nth)));
  const definition = async (file: string, text: string, needle: string, offset = 0, nth = 0) =>
    client.request<Location[]>('textDocument/definition', file, positionOf(text, needle, offset, nth));

  it('hovers a parameter with its declared type and name', async () => {
    const h = await hover(kc, MODEL, 'c->value;');
    assert.match(h, /```c\nstruct counter \*c\n```/);
    assert.match(h, /parameter of `bump`, counter\.kc:7/);
    assert.match(await hover(kc, MODEL, 'delta > 0'), /```c\nint delta\n```/);
  });

  it('hovers a local, an array local and the declaration itself', async () => {
    assert.match(await hover(kc, MODEL, 'n = c->value'), /```c\nint n\n```\nlocal variable in `bump`, counter\.kc:9/);
    assert.match(await hover(kc, MODEL, 'slots[0] = n'), /```c\nunsigned long slots\[4\]\n```/);
  });

  it('an inner declaration hides the outer one inside its block only', async () => {
    assert.match(await hover(kc, MODEL, 'n;\n\t}'), /```c\nlong n\n```\nlocal variable in `bump`, counter\.kc:14/);
    assert.match(await hover(kc, MODEL, 'n + slots'), /```c\nint n\n```/);
    assert.match(await hover(kc, MODEL, 'n;\n}'), /```c\nint n\n```/);
  });

  it('goes to the declaration in scope', async () => {
    const outer = positionOf(MODEL, 'n = c->value');
    const inner = positionOf(MODEL, 'n = delta');
    const param = positionOf(MODEL, 'c, int delta');
    const expect = (locs: Location[], pos: { line: number; character: number }, len: number) => {
      assert.equal(locs.length, 1, JSON.stringify(locs));
      assert.equal(locs[0].uri, uriOf(kc));
      assert.deepEqual(locs[0].range, { start: pos, end: { line: pos.line, character: pos.character + len } });
    };
    expect(await definition(kc, MODEL, 'n;\n\t}'), inner, 1);
    expect(await definition(kc, MODEL, 'n + slots'), outer, 1);
    expect(await definition(kc, MODEL, 'n;\n}'), outer, 1);
    expect(await definition(kc, MODEL, 'c->value += n +'), param, 1);
    expect(await definition(kc, MODEL, 'slots[0] = n'), positionOf(MODEL, 'slots[4]'), 5);
  });

  it('goes from a goto to its label in the same function', async () => {
    const file = path.join(tmp, 'labels.kc');
    const text = 'int first(int n)\n{\n\tif (n)\n\t\tgoto out;\n\tn++;\nout:\n\treturn n;\n}\nint second(int n)\n{\n\tgoto out;\nout:\n\treturn n;\n}\n';
    fs.writeFileSync(file, text);
    client.open(file);
    const first = await definition(file, text, 'out;');
    assert.deepEqual(first.map((l) => l.range), [{ start: positionOf(text, 'out:'), end: positionOf(text, 'out:', 3) }]);
    const second = await definition(file, text, 'out;', 0, 1);
    assert.deepEqual(second.map((l) => l.range.start), [positionOf(text, 'out:', 0, 1)]);
    client.close(file);
  });

  it('completes the parameters and locals in scope at the cursor, with their declarations', async () => {
    const items = async (needle: string, offset = 0) => {
      const r = await client.request<CompletionItem[] | { items: CompletionItem[] }>('textDocument/completion', kc, positionOf(MODEL, needle, offset));
      return (Array.isArray(r) ? r : r.items);
    };
    const detail = (list: CompletionItem[], name: string) => list.find((i) => i.label === name)?.detail;
    // inside the inner block, after its declaration: the inner n (long) hides the outer one
    const inner = await items('c->value += n;', 'c->value += '.length);
    assert.equal(detail(inner, 'n'), 'long n');
    assert.equal(detail(inner, 'c'), 'struct counter *c');
    assert.equal(detail(inner, 'delta'), 'int delta');
    assert.equal(detail(inner, 'slots'), 'unsigned long slots[4]');
    // after the block: the outer n again
    assert.equal(detail(await items('c->value += n + slots', 'c->value += '.length), 'n'), 'int n');
    // before slots is declared it is not offered
    assert.equal(detail(await items('unsigned long slots'), 'slots'), undefined);
  });

  it('hovers a struct member after -> and ., and goes to its declaration in the model', async () => {
    const h = await hover(kc, MODEL, 'value;', 0, 1);
    assert.match(h, /```c\nint value\n```\nmember of `struct counter`, counter\.kc:2/);
    assert.match(await hover(kc, MODEL, 'value = n'), /member of `struct counter`/);
    const locs = await definition(kc, MODEL, 'value;', 0, 1);
    assert.deepEqual(locs.map((l) => l.range.start), [positionOf(MODEL, 'value;')]);
    // an engine-provided kernel struct: the hover says so, and there is no file to jump to
    const file = path.join(tmp, 'pages.kc');
    const text = 'unsigned long order_of(struct page *page)\n{\n\treturn page->private;\n}\n';
    fs.writeFileSync(file, text);
    client.open(file);
    assert.match(await hover(file, text, 'private'), /```c\nunsigned long private\n```\nmember of `struct page`, provided by the engine/);
    assert.deepEqual(await definition(file, text, 'private'), []);
    client.close(file);
  });

  it('hovers a global with its declaration', async () => {
    assert.match(await hover(kc, MODEL, 'totals[0]'), /```c\nstruct counter totals\[4\]\n```\nglobal variable, counter\.kc:5/);
  });

  it("in a scenario's task block: a local declared there", async () => {
    const sc = path.join(tmp, 'run.lockstep');
    const text = 'model "./counter.kc"\ncpus 1\ntask cpu 0 {\n\tint step = 3;\n\tbump(0, step);\n}\n';
    fs.writeFileSync(sc, text);
    client.open(sc);
    assert.match(await hover(sc, text, 'step);'), /```c\nint step\n```\nlocal variable in `task cpu 0`, run\.lockstep:4/);
    const locs = await definition(sc, text, 'step);');
    assert.deepEqual(locs.map((l) => [l.uri, l.range.start]), [[uriOf(sc), positionOf(text, 'step = 3')]]);
    client.close(sc);
  });
});
