// Less common Kernel C that kernel code uses, written from languages.md and run, not
// only parsed: DEFINE_PER_CPU with an initialiser (every CPU's copy starts with it,
// INIT_LOCAL_LOCK for the local lock inside), GCC case ranges (`case 1 ... 3:`),
// ARRAY_SIZE (the element count, and an error for a pointer, as the kernel's
// __must_be_array). Each model checks itself with WARN_ON: a wrong value is an
// `assertion` finding at the WARN_ON's line.
import * as assert from 'node:assert/strict';
import { Finding, formatDiagnostic, loadScenario, runScenario } from '../../../src/engine';
import { formatted, locate, memory } from './util';

const KC = '/m/less.kc';
const SC = '/m/less.lockstep';

/** Loads the model with a scenario running `body` on CPU `cpu` of `cpus`, and runs it round-robin. */
function run(model: string, body: string, cpus = 2, cpu = 1): Finding[] {
  const scenario = `model "./less.kc"\ncpus ${cpus}\ntask cpu ${cpu} {\n${body}\n}\n`;
  const r = loadScenario(SC, { readFile: memory({ [KC]: model, [SC]: scenario }) });
  assert.ok(r.program && r.diagnostics.length === 0, r.diagnostics.map(formatDiagnostic).join('\n'));
  const res = runScenario(r.program, {});
  assert.equal(res.stop, 'finished');
  return res.findings;
}

function diags(model: string): string[] {
  const scenario = 'model "./less.kc"\ncpus 1\ntask cpu 0 {\n}\n';
  return formatted(loadScenario(SC, { readFile: memory({ [KC]: model, [SC]: scenario }) }).diagnostics);
}

const warnLines = (fs: Finding[]) => fs.filter(f => f.kind === 'assertion').map(f => f.location.line);

describe('Kernel C: less common constructs, run', () => {
  describe('DEFINE_PER_CPU(type, name) = initialiser', () => {
    const model = [
      'struct budget { local_lock_t lock; int left; int used; };',
      'DEFINE_PER_CPU(int, seeds) = 5;',
      'static DEFINE_PER_CPU(struct budget, budgets) = {',
      '\t.lock = INIT_LOCAL_LOCK(lock),',
      '\t.left = 10,',
      '};',
      'int bad_cpus(void)',
      '{',
      '\tint cpu, bad = 0;',
      '\tfor_each_possible_cpu(cpu) {',
      '\t\tif (per_cpu(seeds, cpu) != 5 || per_cpu_ptr(&budgets, cpu)->left != 10 || per_cpu(budgets, cpu).used)',
      '\t\t\tbad++;',
      '\t}',
      '\treturn bad;',
      '}',
      'void spend(void)',
      '{',
      '\tlocal_lock(&budgets.lock);',
      '\tthis_cpu_ptr(&budgets)->left--;',
      '\tlocal_unlock(&budgets.lock);',
      '}',
      '',
    ].join('\n');

    it("every CPU's copy starts with the initialiser, and the local lock in it works", () => {
      const fs = run(model, '\tWARN_ON(bad_cpus() != 0);\n\tspend();\n\tWARN_ON(per_cpu(budgets, 1).left != 9);\n\tWARN_ON(per_cpu(budgets, 0).left != 10);', 3);
      assert.deepEqual(fs.map(f => `${f.kind}: ${f.message}`), []);
    });

    it('a wrong expectation is caught (the check can fail)', () => {
      const fs = run(model, '\tWARN_ON(per_cpu(seeds, 0) == 5);');
      assert.deepEqual(warnLines(fs), [4]);
    });

    it('the initialiser is type-checked', () => {
      const bad = 'DEFINE_PER_CPU(int, seeds) = "five";\n';
      assert.deepEqual(diags(bad), [`${KC}:1:30: error: incompatible types when initializing 'seeds': expected 'int', found 'char *' (makes integer from pointer without a cast)`]);
    });
  });

  describe('case ranges', () => {
    const model = [
      'int classify(int v)',
      '{',
      '\tswitch (v) {',
      '\tcase 0:',
      '\t\treturn 10;',
      '\tcase 1 ... 3:',
      '\t\treturn 20;',
      '\tcase 4 ... 4:',
      '\t\treturn 30;',
      '\tdefault:',
      '\t\treturn 40;',
      '\t}',
      '}',
      '',
    ].join('\n');

    it('a value inside the range takes it, outside does not', () => {
      const body = [0, 1, 2, 3, 4, 5, -1].map((v, i) => `\tWARN_ON(classify(${v}) != ${[10, 20, 20, 20, 30, 40, 40][i]});`).join('\n');
      assert.deepEqual(run(model, body).map(f => f.message), []);
      assert.deepEqual(warnLines(run(model, '\tWARN_ON(classify(2) != 30);')), [4]);
    });

    it('overlapping cases and an empty range are errors', () => {
      const t = 'int f(int v)\n{\n\tswitch (v) {\n\tcase 1 ... 5:\n\tcase 3:\n\t\treturn 1;\n\tcase 9 ... 7:\n\t\treturn 2;\n\t}\n\treturn 0;\n}\n';
      const w = locate(t, 'case 3');
      const e = locate(t, '7:');
      assert.deepEqual(diags(t), [
        `${KC}:${w.line}:${w.column}: error: duplicate case value 3`,
        `${KC}:${e.line}:${e.column}: error: empty range specified: the case range ends below its start`,
      ]);
    });
  });

  describe('a global initialised with a string literal', () => {
    it('runs (it stopped the machine with "a global initialiser must be a constant expression")', () => {
      const model = 'static const char *model_name = "less";\nstatic int calls = 2;\nint bump(void) { return ++calls; }\n';
      assert.deepEqual(run(model, '\tWARN_ON(bump() != 3);').map(f => f.message), []);
    });
  });

  describe("GNU ', ## __VA_ARGS__' in a variadic macro", () => {
    const model = [
      'static int logged;',
      'static void log_it(int level, int a, int b) { logged += level * 100 + a + b; }',
      'static void log0(int level) { logged += level * 1000; }',
      '#define LOG(level, ...) log_it(level, ##__VA_ARGS__)',
      '#define LOG0(level, ...) log0(level, ##__VA_ARGS__)',
      'int logs(void)',
      '{',
      '\tLOG(1, 4, 5);',
      '\tLOG0(2);',
      '\treturn logged;',
      '}',
      '',
    ].join('\n');

    it('keeps the comma before arguments and drops it when there are none', () => {
      assert.deepEqual(run(model, '\tWARN_ON(logs() != 2109);').map(f => f.message), []);
    });
  });

  describe('ARRAY_SIZE', () => {
    it('is the number of elements of the array', () => {
      const model = 'struct item { int key; };\nstatic struct item items[6];\nstatic long grid[3][5];\nint n_items(void) { return ARRAY_SIZE(items); }\nint n_rows(void) { return ARRAY_SIZE(grid) * 10 + ARRAY_SIZE(grid[0]); }\n';
      assert.deepEqual(run(model, '\tWARN_ON(n_items() != 6);\n\tWARN_ON(n_rows() != 35);').map(f => f.message), []);
    });

    it('refuses a pointer, as the kernel does', () => {
      const t = 'int f(int *p)\n{\n\treturn ARRAY_SIZE(p);\n}\n';
      const w = locate(t, 'p);');
      assert.deepEqual(diags(t), [`${KC}:${w.line}:${w.column}: error: argument 1 of 'ARRAY_SIZE' must be an array`]);
    });
  });
});
