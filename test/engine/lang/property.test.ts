// Property: whatever a user's edit does to a valid file (delete, duplicate or insert
// characters and tokens, swap lines), the front end returns; it never throws, and
// every diagnostic names a file and a line and column inside it.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText, Diagnostic, formatDiagnostic, loadScenario } from '../../../src/engine';
import { generateModel } from '../../../bench/frontend';
import { assertPositioned, fixture, memory, readFixture } from './util';

type Mutation =
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'deleteToken'; at: number }
  | { op: 'duplicateToken'; at: number; to: number };

/** Fragments an editing user (or a bad merge) leaves behind. */
const FRAGMENTS = [
  '{', '}', '(', ')', '[', ']', ';', ',', '#', '##', '...', '->', '.', '*', '&', '?', ':', '=',
  '"', "'", '/*', '*/', '//', '\\\n', '\n', '\r\n', '\t', '\0', '\uFFFD', '\u{1F600}', '\ud800',
  '#if 0\n', '#if 1\n', '#endif\n', '#else\n', '#elif defined(CONFIG_SMP)\n', '#ifdef CONFIG_SMP\n',
  '#include "constructs.kc"\n', '#include "constructs-types.kc"\n', '#include "model.kc"\n', '#include <linux/mm.h>\n',
  '#define X X\n', '#define F(a, ...) F(a, __VA_ARGS__)\n', '#define S(x) #x\n', '#define P(a, b) a ## b\n', '#undef\n', '#error\n',
  'struct', 'union', 'enum', 'typedef', 'int', 'long', 'unsigned', 'static', 'inline', 'return', 'goto', 'case', 'default:',
  'if (', 'else', 'while (', 'do', 'for (;;)', 'switch (', 'break;', 'continue;', 'sizeof', 'NULL', 'true',
  'list_for_each_entry(', 'spin_lock(', 'this_cpu_ptr(', 'for_each_online_cpu(cpu)', 'DEFINE_PER_CPU(', 'LIST_HEAD(',
  '0x', '09', '1.5', '0b2', "'\\", '4294967296UL', '-1',
  'scenario', 'model', 'config UP', 'config PREEMPT_RT maybe', 'cpus 0', 'cpus 300', 'zone', 'pages', 'pcp cpu 9', 'order 11',
  'task cpu 0 {', 'irq cpu 9 times 0 {', 'expect no', 'expect finding', 'expect pages conserved', 'Normal',
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 6 }) }),
  fc.record({ op: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('deleteToken' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicateToken' as const), at: fc.nat(), to: fc.nat() }),
);

const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

/** LOCKSTEP_PROPERTY_SCALE=20 npm test runs 20 times as many cases (a longer hunt). */
const SCALE = Math.max(1, Number(process.env.LOCKSTEP_PROPERTY_SCALE) || 1);
const runs = (n: number) => ({ numRuns: n * SCALE });

/** A rough C tokenisation, good enough to cut at token boundaries. */
const TOKEN = /[A-Za-z_]\w*|\d\w*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\/\*|\*\/|\/\/|->|\+\+|--|<<=?|>>=?|[<>=!&|^*/%+-]=|&&|\|\||##|\.\.\.|\s+|[\s\S]/g;

export function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const n = t.length + 1;
    switch (m.op) {
      case 'delete': {
        const at = m.at % n;
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      }
      case 'duplicate': {
        const at = m.at % n;
        t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len);
        break;
      }
      case 'insert': {
        const at = m.at % n;
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      }
      case 'swapLines': {
        const lines = t.split('\n');
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b], lines[a]];
        t = lines.join('\n');
        break;
      }
      case 'deleteToken': case 'duplicateToken': {
        const toks = t.match(TOKEN) ?? [];
        if (toks.length === 0) break;
        const k = m.at % toks.length;
        if (m.op === 'deleteToken') toks.splice(k, 1);
        else toks.splice(m.to % (toks.length + 1), 0, toks[k]);
        t = toks.join('');
        break;
      }
    }
  }
  return t;
}

/** Runs the front end; it must return, and every diagnostic must be positioned in a known file. */
function check(files: Record<string, string>, fn: () => Diagnostic[]): Diagnostic[] {
  const diagnostics = fn();
  assert.ok(Array.isArray(diagnostics));
  for (const d of diagnostics) {
    assert.ok(Object.prototype.hasOwnProperty.call(files, d.file), `diagnostic in an unknown file: ${formatDiagnostic(d)}`);
    assertPositioned(d, files[d.file], 'mutated input');
    assert.ok(d.severity === 'error' || d.severity === 'warning');
    assert.ok(formatDiagnostic(d).startsWith(`${d.file}:${d.line}:${d.column}: ${d.severity}: `));
  }
  return diagnostics;
}

describe('front end: mutated valid files (fast-check)', function () {
  this.timeout(60_000 * SCALE);

  const MODEL = fixture('constructs.kc');
  const TYPES = fixture('constructs-types.kc');
  const SCENARIO = fixture('constructs.lockstep');
  const base = {
    [MODEL]: readFixture('constructs.kc'),
    [TYPES]: readFixture('constructs-types.kc'),
    [SCENARIO]: readFixture('constructs.lockstep'),
  };

  it('mutates the test itself: mutations change the text, and the clean files are clean', () => {
    assert.notEqual(mutate('int a;', [{ op: 'deleteToken', at: 0 }]), 'int a;');
    assert.equal(mutate('a\nb', [{ op: 'swapLines', a: 0, b: 1 }]), 'b\na');
    assert.deepEqual(loadScenario(SCENARIO, { readFile: memory(base) }).diagnostics.map(formatDiagnostic), []);
  });

  it('checkText on a mutated model (with an include) always returns positioned diagnostics', () => {
    fc.assert(fc.property(mutations, ms => {
      const text = mutate(base[MODEL], ms);
      const files = { ...base, [MODEL]: text };
      check(files, () => checkText(MODEL, text, { readFile: memory(files) }));
    }), runs(250));
  });

  it('loadScenario on a mutated scenario always returns positioned diagnostics', () => {
    fc.assert(fc.property(mutations, ms => {
      const text = mutate(base[SCENARIO], ms);
      const files = { ...base, [SCENARIO]: text };
      check(files, () => loadScenario(SCENARIO, { readFile: memory(files) }).diagnostics);
      check(files, () => checkText(SCENARIO, text, { readFile: memory(files) }));
    }), runs(250));
  });

  it('loadScenario with a mutated model and a mutated scenario always returns positioned diagnostics', () => {
    fc.assert(fc.property(mutations, mutations, (mm, ms) => {
      const files = { ...base, [MODEL]: mutate(base[MODEL], mm), [SCENARIO]: mutate(base[SCENARIO], ms) };
      const r = loadScenario(SCENARIO, { readFile: memory(files) });
      check(files, () => r.diagnostics);
      if (r.program) assert.equal(r.program.modelFile, MODEL);
    }), runs(200));
  });

  it('checkText on a mutated generated model always returns positioned diagnostics', () => {
    const file = '/gen/model.kc';
    const original = generateModel(400);
    fc.assert(fc.property(mutations, ms => {
      const text = mutate(original, ms);
      check({ [file]: text }, () => checkText(file, text, { readFile: () => undefined }));
    }), runs(150));
  });

  it('reports a deleted closing brace anywhere in the compiled lines of the model', () => {
    // a targeted property: losing any one '}' the scenario's configuration compiles is never silent
    const text = base[MODEL];
    const inactive = loadScenario(SCENARIO, { readFile: memory(base) }).program!.inactive.filter(r => r.file === MODEL);
    const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
    const braces = [...text.matchAll(/}/g)].map(m => m.index!)
      .filter(at => !inactive.some(r => lineAt(at) >= r.startLine && lineAt(at) <= r.endLine));
    assert.ok(braces.length > 20, `${braces.length} braces`);
    fc.assert(fc.property(fc.constantFrom(...braces), at => {
      const cut = text.slice(0, at) + text.slice(at + 1);
      const files = { ...base, [MODEL]: cut };
      const ds = check(files, () => loadScenario(SCENARIO, { readFile: memory(files) }).diagnostics);
      assert.ok(ds.some(d => d.severity === 'error'), `deleting the '}' at offset ${at} went unreported`);
    }), runs(Math.min(200, braces.length * 2)));
  });
});
