// A missing ';' is reported where gcc reports "expected ';'": just after the last token
// of the statement or declaration, not at the first token of the next line. Every
// place a ';' is expected, and the line after it is still parsed (its own errors are
// reported, its declarations are known).
import * as assert from 'node:assert/strict';
import { checkText, loadScenario } from '../../../src/engine';
import { formatted, locate, memory } from './util';

const M = '/m/semi.kc';

function kc(text: string): string[] {
  return formatted(checkText(M, text));
}

/** `file:line:column` just after the `occurrence`-th `needle`. */
function after(text: string, needle: string, occurrence = 0, file = M): string {
  const w = locate(text, needle, occurrence);
  return `${file}:${w.endLine}:${w.endColumn}`;
}

const missing = (text: string, needle: string, found: string, occurrence = 0) =>
  `${after(text, needle, occurrence)}: error: expected ';', found ${found}`;

describe("front end: a missing ';' is reported after the statement's last token", () => {
  it('in statements: declaration, expression, return, break, continue, goto, do/while', () => {
    const t = [
      'int f(int n)',
      '{',
      '\tint a = n',
      '\ta = a + 1',
      '\twhile (a) {',
      '\t\tif (a > 3)',
      '\t\t\tbreak',
      '\t\tcontinue',
      '\t}',
      '\tdo {',
      '\t\ta--;',
      '\t} while (a > 0)',
      '\tgoto out',
      'out:',
      '\treturn a',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(kc(t), [
      missing(t, 'int a = n', "'a'"),
      missing(t, 'a = a + 1', "'while'"),
      missing(t, 'break', "'continue'"),
      missing(t, 'continue', "'}'"),
      missing(t, 'while (a > 0)', "'goto'"),
      missing(t, 'goto out', "'out'"),
      missing(t, 'return a', "'}'"),
    ]);
  });

  it('in a for header, and the loop is still checked', () => {
    const t = 'void f(void)\n{\n\tint i;\n\tfor (i = 0 i < 3; i++)\n\t\tnope++;\n\tfor (i = 0; i < 3 i++)\n\t\t;\n}\n';
    assert.deepEqual(kc(t), [
      missing(t, 'i = 0', "'i'"),
      `${M}:5:3: error: use of undeclared identifier 'nope'`,
      missing(t, 'i < 3', "'i'", 1),
    ]);
  });

  it('at top level: global, struct member, struct and enum definitions, typedef, DEFINE_PER_CPU', () => {
    const t = [
      'struct counter {',
      '\tint value',
      '\tint limit;',
      '}',
      'enum mode { OFF, ON }',
      'typedef unsigned long counter_t',
      'DEFINE_PER_CPU(int, hits)',
      'static counter_t total',
      'int f(struct counter *c)',
      '{',
      '\treturn c->limit + total + ON;',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(kc(t), [
      missing(t, 'int value', "'int'"),
      missing(t, '}', "'enum'"),
      missing(t, 'ON }', "'typedef'"),
      missing(t, 'counter_t', "'DEFINE_PER_CPU'"),
      missing(t, 'hits)', "'static'"),
      missing(t, 'total', "'int'"),
    ]);
  });

  it('after LIST_HEAD / DEFINE_SPINLOCK, and in a for header declaration; the names stay declared', () => {
    const t = 'static LIST_HEAD(spare)\nstatic DEFINE_SPINLOCK(spare_lock)\nint f(void)\n{\n\tLIST_HEAD(local)\n\tint n = 0;\n\tfor (int i = 0 i < 3; i++)\n\t\tn++;\n\tspin_lock(&spare_lock);\n\tlist_splice(&local, &spare);\n\tspin_unlock(&spare_lock);\n\treturn n;\n}\n';
    assert.deepEqual(kc(t), [
      missing(t, 'LIST_HEAD(spare)', "'static'"),
      missing(t, 'DEFINE_SPINLOCK(spare_lock)', "'int'"),
      missing(t, 'LIST_HEAD(local)', "'int'"),
      missing(t, 'int i = 0', "'i'"),
    ]);
  });

  it('after a function prototype, and the next declaration is kept', () => {
    const t = 'int g(void)\nint limit;\nint h(void)\n{\n\treturn limit;\n}\n';
    assert.deepEqual(kc(t), [missing(t, 'g(void)', "'int'")]);
  });

  it('after a macro: at the end of the macro use', () => {
    const t = '#define TWO (1 + \\\n\t1)\nint f(void)\n{\n\tint *p = NULL\n\tint x = TWO\n\treturn x;\n}\n';
    assert.deepEqual(kc(t), [missing(t, 'NULL', "'int'"), missing(t, 'TWO', "'return'", 1)]);
  });

  it('in a scenario block, in the .lockstep file', () => {
    const s = 'model "./m.kc"\ncpus 1\ntask cpu 0 {\n\tf(1)\n\tf(2);\n}\n';
    const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': s, '/m/m.kc': 'void f(int x)\n{\n}\n' }) });
    assert.deepEqual(formatted(r.diagnostics), [missing(s, 'f(1)', "'f'").replace(M, '/m/s.lockstep')]);
  });
});
