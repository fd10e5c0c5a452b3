// A corpus of malformed inputs. Each must give at least one positioned diagnostic
// (a line and column inside the file it names), never an exception, and quickly.
import * as assert from 'node:assert/strict';
import { checkText, Diagnostic, formatDiagnostic, loadScenario } from '../../../src/engine';
import { generateModel } from '../../../bench/frontend';
import { assertPositioned, fixture, memory, readFixture } from './util';

/** A deterministic pseudo-random generator (a 32-bit LCG): the corpus is the same every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Outcome { diagnostics: Diagnostic[]; ms: number }

/**
 * The budgets below catch pathological (quadratic, exponential) behaviour on huge input,
 * not speed: they are scaled by how slow this machine is right now, measured on a fixed
 * workload in the same run (1 on an idle machine of the kind CI uses), so a loaded
 * machine does not fail them. Speed itself is measured by bench/frontend.
 */
let slowdown = 1;
function calibrate(): void {
  const text = 'static int f(int a) { return a + 1; }\n'.repeat(20_000);
  const t0 = Date.now();
  for (let k = 0; k < 4; k++) text.split(/\b/).length;
  // ~100 ms on an idle machine here
  slowdown = Math.max(1, (Date.now() - t0) / 100);
}
const budget = (ms: number) => ms * slowdown;

/** Runs the front end on in-memory files; an exception fails the test with the input named. */
function run(what: string, fn: () => Diagnostic[]): Outcome {
  const t0 = Date.now();
  let diagnostics: Diagnostic[];
  try {
    diagnostics = fn();
  } catch (err) {
    assert.fail(`${what}: the front end threw ${err instanceof Error ? err.stack : String(err)}`);
  }
  return { diagnostics, ms: Date.now() - t0 };
}

/** At least one diagnostic, each inside the text of the file it names, within `budgetMs`. */
function expectPositioned(what: string, o: Outcome, files: Record<string, string>, budgetMs = 2000): void {
  assert.ok(o.diagnostics.length >= 1, `${what}: no diagnostic`);
  for (const d of o.diagnostics) assertPositioned(d, files[d.file], what);
  assert.ok(o.ms < budget(budgetMs), `${what}: took ${o.ms} ms (budget ${budget(budgetMs)} ms)`);
}

function model(what: string, text: string, files: Record<string, string> = {}, budgetMs?: number): Outcome {
  const file = '/corpus/model.kc';
  const all = { ...files, [file]: text };
  const o = run(what, () => checkText(file, text, { readFile: memory(all) }));
  expectPositioned(what, o, all, budgetMs);
  return o;
}

const GOOD_MODEL = [
  'struct page *alloc_pages(gfp_t gfp, unsigned int order) { return NULL; }',
  'void __free_pages(struct page *page, unsigned int order) { }',
  'int count(int n) { return n + 1; }',
].join('\n');

function scenario(what: string, text: string, modelText = GOOD_MODEL, budgetMs?: number): Outcome {
  const files = { '/corpus/s.lockstep': text, '/corpus/m.kc': modelText };
  const o = run(what, () => loadScenario('/corpus/s.lockstep', { readFile: memory(files) }).diagnostics);
  expectPositioned(what, o, files, budgetMs);
  return o;
}

const SC_HEAD = 'scenario "s"\nmodel "./m.kc"\ncpus 1\n';

describe('front end: malformed inputs', function () {
  before(calibrate);
  this.timeout(60_000);

  describe('truncated files', () => {
    it('reports every cut of the constructs model (loaded for its scenario)', () => {
      const text = readFixture('constructs.kc');
      const files = {
        [fixture('constructs.lockstep')]: readFixture('constructs.lockstep'),
        [fixture('constructs-types.kc')]: readFixture('constructs-types.kc'),
      };
      // the scenario calls run_all(), the model's last function: every cut before its end loses something
      const end = text.lastIndexOf('}');
      const cuts: number[] = [];
      for (let k = 0; k < end; k += 7) cuts.push(k);
      const dense = text.indexOf('static int statements');
      for (let k = dense; k < dense + 300; k++) cuts.push(k);
      const t0 = Date.now();
      for (const cut of cuts) {
        const cutText = text.slice(0, cut);
        const all = { ...files, [fixture('constructs.kc')]: cutText };
        const o = run(`model cut at ${cut}`, () => loadScenario(fixture('constructs.lockstep'), { readFile: memory(all) }).diagnostics);
        expectPositioned(`model cut at ${cut}`, o, all);
      }
      assert.ok(Date.now() - t0 < budget(20_000), `${cuts.length} cuts took ${Date.now() - t0} ms`);
    });

    it('reports every cut of a scenario before the end of its only task block', () => {
      const full = readFixture('constructs.lockstep').replace(/task cpu \d \{[^}]*\}\n/g, '')
        + 'task cpu 0 {\n\tint n = run_all(feature_on());\n\tif (n > 0)\n\t\tdrain_all_pages(Normal);\n}\n';
      const files = { [fixture('constructs.kc')]: readFixture('constructs.kc'), [fixture('constructs-types.kc')]: readFixture('constructs-types.kc') };
      const clean = loadScenario(fixture('constructs.lockstep'), { readFile: memory({ ...files, [fixture('constructs.lockstep')]: full }) });
      assert.deepEqual(clean.diagnostics.map(formatDiagnostic), [], 'the uncut scenario is clean');
      const end = full.lastIndexOf('}');
      for (let cut = 0; cut <= end; cut += 3) {
        const all = { ...files, [fixture('constructs.lockstep')]: full.slice(0, cut) };
        const o = run(`scenario cut at ${cut}`, () => loadScenario(fixture('constructs.lockstep'), { readFile: memory(all) }).diagnostics);
        expectPositioned(`scenario cut at ${cut}`, o, all);
      }
    });
  });

  describe('unbalanced braces', () => {
    it('reports an unclosed function body, an unclosed struct and a stray closing brace', () => {
      model('unclosed body', 'int f(void)\n{\n\tif (1) {\n\t\treturn 1;\n}\n');
      model('unclosed struct', 'struct s {\n\tint a;\n\nint f(void) { return 0; }\n');
      model('stray brace', 'int f(void) { return 0; }\n}\nint g(void) { return 1; }\n');
      model('only braces', '}}}{{{');
    });

    it('reports unbalanced parentheses and brackets', () => {
      model('unclosed call', 'int g(int a) { return a; }\nint f(void) { return g(1; }\n');
      model('extra paren', 'int f(void) { return (1)); }\n');
      model('unclosed index', 'int a[4];\nint f(void) { return a[1; }\n');
    });

    it('reports unbalanced braces in scenario blocks', () => {
      scenario('unclosed task', `${SC_HEAD}task cpu 0 {\n\tcount(1);\n`);
      scenario('unclosed inner', `${SC_HEAD}task cpu 0 {\n\tif (1) {\n\t\tcount(1);\n}\n`);
      scenario('extra closing', `${SC_HEAD}task cpu 0 {\n\tcount(1);\n}\n}\n`);
      scenario('brace before keyword', `${SC_HEAD}{ task cpu 0 { count(1); }\n`);
    });
  });

  describe('unbalanced #if', () => {
    it('reports an #if, #ifdef or #ifndef without #endif', () => {
      for (const d of ['#if 1', '#ifdef CONFIG_SMP', '#ifndef CONFIG_SMP', '#if 0']) {
        const o = model(d, `int a;\n${d}\nint b;\n`);
        assert.ok(o.diagnostics.some(x => x.line === 2 && /missing #endif/.test(x.message)), `${d}: ${o.diagnostics.map(formatDiagnostic)}`);
      }
    });

    it('reports a stray #endif, #else and #elif', () => {
      model('stray endif', 'int a;\n#endif\n');
      model('stray else', '#else\nint a;\n');
      model('stray elif', '#elif defined(CONFIG_SMP)\nint a;\n');
      model('two endifs', '#if 1\n#endif\n#endif\n');
    });

    it('reports an #if left open inside an included file, in that file', () => {
      const o = model('open if in include', '#include "inc.kc"\nint b;\n', { '/corpus/inc.kc': 'int a;\n#if 1\nint c;\n' });
      assert.ok(o.diagnostics.some(d => d.file === '/corpus/inc.kc' && d.line === 2), o.diagnostics.map(formatDiagnostic).join('\n'));
    });
  });

  describe('unterminated comments and strings', () => {
    it('reports them in models', () => {
      model('comment', 'int a;\n/* never closed\nint b;\n');
      model('comment at the end', 'int a; /*');
      model('string', 'const char *s = "never closed;\nint b;\n');
      model('char', "int c = 'x;\n");
      model('string with escape at the end', 'const char *s = "abc\\');
      model('string in macro', '#define S "open\nconst char *s = S;\n');
    });

    it('reports them in scenarios', () => {
      scenario('comment', `${SC_HEAD}/* never closed\ntask cpu 0 { count(1); }\n`);
      scenario('title', 'scenario "never closed\nmodel "./m.kc"\ncpus 1\ntask cpu 0 { count(1); }\n');
      scenario('model path', 'model "./m.kc\ncpus 1\ntask cpu 0 { count(1); }\n');
      scenario('string in block', `${SC_HEAD}task cpu 0 {\n\tconst char *s = "open;\n}\n`);
    });
  });

  describe('binary garbage', () => {
    const bytes = (seed: number, n: number) => {
      const r = random(seed);
      let s = '';
      for (let k = 0; k < n; k++) s += String.fromCharCode(Math.floor(r() * 256));
      return s;
    };

    it('reports random bytes (with NUL) as a model and as a scenario', () => {
      for (let seed = 1; seed <= 20; seed++) {
        const text = bytes(seed, 200 + seed * 50);
        model(`bytes seed ${seed}`, text);
        scenario(`bytes seed ${seed}`, text);
      }
    });

    it('reports NUL bytes inside otherwise valid files', () => {
      const o = model('NUL in a model', 'int a;\nint\0 b;\n');
      assert.ok(o.diagnostics.some(d => d.line === 2 && d.column === 4 && /\\x00/.test(d.message)), o.diagnostics.map(formatDiagnostic).join('\n'));
      scenario('NUL in a scenario', `${SC_HEAD}\0\ntask cpu 0 { count(1); }\n`);
    });

    it('reports invalid UTF-8 decoded with replacement characters, and stray unicode', () => {
      const r = random(99);
      const buf = Buffer.from(Array.from({ length: 2000 }, () => Math.floor(r() * 256)));
      model('utf-8 decoded bytes', buf.toString('utf8'));
      model('emoji', 'int a = 1;\nint b = 😀;\n');
      model('lone surrogate', 'int a = \ud800;\n');
      scenario('utf-8 decoded bytes', buf.toString('utf8'));
    });

    it('reports garbage appended to a valid model at the garbage', () => {
      const good = readFixture('constructs.kc');
      const text = `${good}\n${bytes(7, 500)}`;
      const files = { [fixture('constructs-types.kc')]: readFixture('constructs-types.kc'), [fixture('constructs.kc')]: text };
      const o = run('appended garbage', () => checkText(fixture('constructs.kc'), text, { readFile: memory(files) }));
      expectPositioned('appended garbage', o, files);
      const goodLines = good.split('\n').length;
      assert.ok(o.diagnostics.every(d => d.line >= goodLines), o.diagnostics.map(formatDiagnostic).slice(0, 5).join('\n'));
    });
  });

  describe('huge inputs', () => {
    it('checks a 10 MB model and reports the one mistake at its last line', () => {
      const unit = generateModel(10_000);
      const header = unit.slice(0, unit.indexOf('/* function 0:'));
      const body = unit.slice(header.length, unit.lastIndexOf('\nint bench_drain_all'));
      const parts = [header];
      let size = header.length;
      for (let copy = 0; size < 10_000_000; copy++) {
        const renamed = body.replace(/bench_free_refill_(\d+)/g, `bench_free_refill_${copy}_$1`);
        parts.push(renamed);
        size += renamed.length;
      }
      parts.push('\nint broken(void)\n{\n\treturn nope;\n}\n');
      const text = parts.join('');
      assert.ok(text.length >= 10_000_000);
      const lines = text.split('\n');
      const o = run('10 MB model', () => checkText('/corpus/big.kc', text, { readFile: () => undefined }));
      assert.deepEqual(o.diagnostics.map(formatDiagnostic), [`/corpus/big.kc:${lines.length - 2}:9: error: use of undeclared identifier 'nope'`]);
      assert.ok(o.ms < budget(15_000), `10 MB took ${o.ms} ms (budget ${budget(15_000)} ms)`);
    });

    it('reports 10 MB of random bytes with a bounded number of diagnostics', () => {
      const r = random(5);
      const parts: string[] = [];
      for (let k = 0; k < 10_000_000 / 1000; k++) {
        let s = '';
        for (let j = 0; j < 1000; j++) s += String.fromCharCode(Math.floor(r() * 256));
        parts.push(s);
      }
      const text = parts.join('');
      const o = model('10 MB of bytes', text, {}, 10_000);
      assert.ok(o.diagnostics.length <= 101, `${o.diagnostics.length} diagnostics`);
      assert.equal(o.diagnostics.at(-1)?.message, 'too many errors in this file; stopping here');
    });

    it('reports 10 MB of nested braces without running out of stack', () => {
      const text = `void f(void) ${'{'.repeat(5_000_000)}${'}'.repeat(5_000_000)}`;
      const o = model('10 MB of braces', text, {}, 15_000);
      assert.match(o.diagnostics[0].message, /nesting too deep/);
      // 10,000,000 tokens: the preprocessor stops at 5,000,000 and says so
      assert.ok(o.diagnostics.some(d => d.message === 'more than 5000000 tokens after preprocessing; the rest is ignored'),
        o.diagnostics.map(formatDiagnostic).join('\n'));
    });
  });

  describe('deep nesting', () => {
    const parens = (n: number, inner = '1') => `${'('.repeat(n)}${inner}${')'.repeat(n)}`;

    it('reports 10,000 nested parentheses in an expression once', () => {
      const o = model('10,000 parentheses', `int f(void) { return ${parens(10_000)}; }\n`);
      assert.deepEqual(o.diagnostics.map(d => d.message), ['nesting too deep (more than 200 levels)']);
    });

    it('reports 10,000 nested parentheses in #if', () => {
      const o = model('10,000 parentheses in #if', `#if ${parens(10_000)}\nint a;\n#endif\n`);
      assert.deepEqual(o.diagnostics.map(d => d.message), ['invalid #if expression: nesting too deep (more than 200 levels)']);
    });

    it('reports 10,000 nested parentheses in a macro argument and in a scenario block', () => {
      model('10,000 parentheses in a macro argument', `#define ID(x) x\nint f(void) { return ID(${parens(10_000)}); }\n`);
      scenario('10,000 parentheses in a block', `${SC_HEAD}task cpu 0 {\n\tcount(${parens(10_000)});\n}\n`);
    });

    it('reports long chains of operators, members and commas without running out of stack', () => {
      model('a + a + ...', `int f(int a) { return a${' + a'.repeat(20_000)}; }\n`);
      model('a && a && ...', `int f(int a) { return a${' && a'.repeat(20_000)}; }\n`);
      model('p->n->n...', `struct s { struct s *n; };\nvoid f(struct s *p) { p${'->n'.repeat(20_000)} = 0; }\n`);
      model('a[0][0]...', `int f(int *a) { return a${'[0]'.repeat(20_000)}; }\n`);
      model('(a, a, ...)', `int f(int a) { return (a${', a'.repeat(20_000)}); }\n`);
      model('enum constant chain', `enum e { A = 1${' + 1'.repeat(20_000)} };\n`);
      model('!!!...', `int f(int a) { return ${'!'.repeat(20_000)}a; }\n`);
      model('#if !!!...', `#if ${'!'.repeat(20_000)}1\n#endif\n`);
      model('else if chain', `void f(int a) { ${'if (a) a++; else '.repeat(5_000)}a--; }\n`);
      model('nested macro calls', `#define F(x) x\nint f(void) { return ${'F('.repeat(2_000)}1${')'.repeat(2_000)}; }\n`, {}, 10_000);
    });

    it('keeps the nesting limit after an error deep inside a function', () => {
      // an error 150 levels deep must not let the next function nest deeper before the limit
      const deep = (n: number, inner: string) => `${'{'.repeat(n)} ${inner} ${'}'.repeat(n)}`;
      const g = `void g(void) ${deep(210, '')}\n`;
      const alone = model('deep function alone', g).diagnostics.find(d => /nesting too deep/.test(d.message));
      const after = model('deep function after an error', `void f(int x) ${deep(150, 'x = ;')}\n${g}`).diagnostics.find(d => /nesting too deep/.test(d.message));
      assert.ok(alone && after);
      assert.equal(after.line, 2);
      assert.equal(after.column, alone.column);
      assert.ok(alone.column < 'void g(void) '.length + 205, `reported at column ${alone.column}`);
    });
  });

  describe('recursive includes and macros', () => {
    it('reports a file that includes itself', () => {
      const o = model('self include', 'int a;\n#include "model.kc"\nint b;\n');
      assert.deepEqual(o.diagnostics.map(formatDiagnostic), ['/corpus/model.kc:2:1: error: include cycle: model.kc -> model.kc']);
    });

    it('reports mutual includes, at the include that closes the cycle', () => {
      const o = model('mutual include', '#include "a.kc"\n', { '/corpus/a.kc': 'int a;\n#include "b.kc"\n', '/corpus/b.kc': 'int b;\n#include "a.kc"\n' });
      assert.deepEqual(o.diagnostics.map(formatDiagnostic), ['/corpus/b.kc:2:1: error: include cycle: a.kc -> b.kc -> a.kc']);
    });

    it('reports a scenario whose model includes itself', () => {
      const o = scenario('model including itself', `${SC_HEAD}task cpu 0 { count(1); }\n`, `#include "m.kc"\n${GOOD_MODEL}`);
      assert.deepEqual(o.diagnostics.map(formatDiagnostic), ['/corpus/m.kc:1:1: error: include cycle: m.kc -> m.kc']);
    });

    it('stops a macro that expands to itself, directly or through another', () => {
      const direct = model('self macro', '#define foo foo\nint x = foo;\n');
      assert.deepEqual(direct.diagnostics.map(formatDiagnostic), ["/corpus/model.kc:2:9: error: use of undeclared identifier 'foo'"]);
      model('self function macro', '#define f(x) f(x) + 1\nint y = f(2);\n');
      model('mutual macros', '#define A B\n#define B A\nint z = A;\n');
      scenario('self macro used in a block', `${SC_HEAD}task cpu 0 { count(loop); }\n`, `#define loop loop\n${GOOD_MODEL}`);
    });

    it('reports macro chains more than 256 deep', () => {
      const defs = Array.from({ length: 300 }, (_, k) => `#define M${k} M${k + 1}`).join('\n');
      const o = model('300-deep macro chain', `${defs}\nint x = M0;\n`);
      assert.ok(o.diagnostics.some(d => d.line === 301 && /macro expansion too deep/.test(d.message)), o.diagnostics.map(formatDiagnostic).join('\n'));
    });
  });
});
