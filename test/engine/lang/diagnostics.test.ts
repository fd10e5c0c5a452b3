// Every kind of front-end diagnostic, as the user reads it: `file:line:column:
// severity: message` through formatDiagnostic, at the position of the mistake.
// Then the scenario rules of languages.md one by one, and the command line.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText, loadScenario, LoadOptions } from '../../../src/engine';
import { fixture, fixtures, formatted, locate, memory, root } from './util';

const M = '/m/model.kc';

/** The formatted diagnostics of a model checked on its own. */
function kc(text: string, files: Record<string, string> = {}): string[] {
  return formatted(checkText(M, text, { readFile: memory(files) }));
}

/** `file:line:column` of the `occurrence`-th `needle` in `text`. */
function at(text: string, needle: string, occurrence = 0, file = M): string {
  const w = locate(text, needle, occurrence);
  return `${file}:${w.line}:${w.column}`;
}

/** `file:line:column` just after the `occurrence`-th `needle`: where a missing ';' belongs. */
function after(text: string, needle: string, occurrence = 0, file = M): string {
  const w = locate(text, needle, occurrence);
  return `${file}:${w.endLine}:${w.endColumn}`;
}

/** One expected diagnostic at `needle`. */
function one(text: string, needle: string, message: string, occurrence = 0): void {
  assert.deepEqual(kc(text), [`${at(text, needle, occurrence)}: error: ${message}`]);
}

describe('front end: diagnostics of Kernel C models', () => {
  describe('names (checker)', () => {
    it('reports an undeclared identifier with a "did you mean"', () => {
      const t = 'int f(void)\n{\n\tint count = 0;\n\treturn coutn;\n}\n';
      one(t, 'coutn', "use of undeclared identifier 'coutn'; did you mean 'count'?");
    });

    it('reports an undeclared identifier without a suggestion when nothing is close', () => {
      const t = 'int f(void) { return zzqqxx; }';
      one(t, 'zzqqxx', "use of undeclared identifier 'zzqqxx'");
    });

    it('suggests a builtin for a misspelt call', () => {
      const t = 'void f(spinlock_t *l) { spin_lokc(l); }';
      one(t, 'spin_lokc', "use of undeclared identifier 'spin_lokc'; did you mean 'spin_lock'?");
    });

    it('reports an unknown struct field with a "did you mean"', () => {
      const t = 'struct s { int count; };\nint f(struct s *p) { return p->coutn; }';
      one(t, 'coutn', "no member named 'coutn' in 'struct s'; did you mean 'count'?");
    });

    it('reports an unknown field of an engine-provided kernel struct with a "did you mean"', () => {
      const t = 'unsigned long f(struct page *page) { return page->privat; }';
      one(t, 'privat', "no member named 'privat' in 'struct page'; did you mean 'private'?");
    });

    it('reports an unknown list member in list_for_each_entry with a "did you mean"', () => {
      const t = 'void f(struct list_head *h) {\n\tstruct page *p;\n\tlist_for_each_entry(p, h, lruu) { }\n}';
      one(t, 'lruu', "no member named 'lruu' in 'struct page'; did you mean 'lru'?");
    });

    it('reports a redefinition of a global, a local, a field, a struct and a label', () => {
      one('int x;\nint x;', 'x', "redefinition of 'x'", 1);
      one('void f(void) { int a; int a; }', 'a', "redefinition of 'a'", 1);
      one('struct s { int a; long a; };', 'a', "redefinition of 'a'", 1);
      one('struct s { int a; };\nstruct s { int b; };', 'struct s', "redefinition of 'struct s'", 1);
      one('void f(void) { x: ; x: ; }', 'x: ;', "redefinition of 'x'", 1);
    });

    it('reports a goto to an undeclared label', () => {
      one('void f(void) { goto nowhere; }', 'nowhere', "use of undeclared label 'nowhere'");
    });

    it('reports a call of something that is not a function', () => {
      one('int x;\nint f(void) { return x(); }', 'x()', "called object 'x' is not a function");
    });
  });

  describe('argument counts (checker)', () => {
    const g = 'int g(int a, int b) { return a + b; }\n';

    it('reports too few arguments to a model function', () => {
      const t = `${g}int f(void) { return g(1); }`;
      one(t, 'g(1)', "too few arguments to function 'g': expected 2, got 1");
    });

    it('reports too many arguments to a model function', () => {
      const t = `${g}int f(void) { return g(1, 2, 3); }`;
      one(t, 'g(1, 2, 3)', "too many arguments to function 'g': expected 2, got 3");
    });

    it('accepts extra arguments to a variadic model function', () => {
      assert.deepEqual(kc('void log(int level, ...) { }\nvoid f(void) { log(1, 2, 3); }'), []);
    });

    it('reports too many arguments to a builtin', () => {
      const t = 'void f(spinlock_t *l) { spin_lock(l, 1); }';
      one(t, 'spin_lock(l, 1)', "too many arguments to builtin 'spin_lock': expected 1, got 2");
    });

    it('reports too few arguments to a builtin', () => {
      const t = 'void f(spinlock_t *l) { spin_unlock_irqrestore(l); }';
      one(t, 'spin_unlock_irqrestore(l)', "too few arguments to builtin 'spin_unlock_irqrestore': expected 2, got 1");
    });

    it('reports too few arguments to an iterator builtin', () => {
      const t = 'void f(struct list_head *h) {\n\tstruct page *p;\n\tlist_for_each_entry(p, h) { }\n}';
      one(t, 'list_for_each_entry(p, h) { }', "too few arguments to builtin 'list_for_each_entry': expected 3, got 2");
    });
  });

  describe('types (checker)', () => {
    it('reports an unknown type name at file scope', () => {
      one('static foo_t x;', 'foo_t', "unknown type name 'foo_t'");
    });

    it('reports an unknown type name of a local', () => {
      one('void f(void) { spinlok_t l; }', 'spinlok_t', "unknown type name 'spinlok_t'");
    });

    it('reports an unknown parameter type with a "did you mean"', () => {
      one('void f(spinlok_t *l) { }', 'spinlok_t', "unknown type name 'spinlok_t'; did you mean 'spinlock_t'?");
    });

    it('reports an unknown struct tag with a "did you mean"', () => {
      one('struct zone2 *zz;', 'struct zone2', "unknown type name 'struct zone2'; did you mean 'struct zone'?");
      one('void f(struct pag *p) { }', 'struct pag', "unknown type name 'struct pag'; did you mean 'struct page'?");
    });

    it('reports an unknown struct tag in a local declaration, as at file scope', () => {
      // at file scope and in parameters an unknown tag is an error; a local must be too
      const t = 'void f(void)\n{\n\tstruct pag *p = NULL;\n}\n';
      one(t, 'struct pag', "unknown type name 'struct pag'; did you mean 'struct page'?");
    });

    it('reports member access on a non-struct, -> on a struct and . on a pointer', () => {
      one('int f(int a) { return a.b; }', 'b;', "member access 'b' on a value of type 'int', which is not a struct");
      const t = 'struct s { int a; };\nint f(struct s v, struct s *p) { return v->a + p.a; }';
      assert.deepEqual(kc(t), [
        `${at(t, 'v->a')}: error: '->' used on a struct; did you mean '.'?`,
        `${at(t, 'p.a')}: error: '.' used on a pointer; did you mean '->'?`,
      ]);
    });

    it('reports a dereference of a non-pointer and of a void pointer', () => {
      one('int f(int a) { return *a; }', '*a', "cannot dereference a value of type 'int'");
      one('int f(void *p) { return *p; }', '*p', "cannot dereference a value of type 'void *'", 1);
    });

    it('reports a use of an incomplete struct', () => {
      const t = 'void f(void) { struct nosuch *p; p->x = 1; }';
      one(t, 'x = 1', "incomplete type 'struct nosuch'");
    });

    it('reports an assignment to something that is not assignable', () => {
      one('void f(void) { 3 = 4; }', '3 = 4', 'expression is not assignable');
    });

    it('reports subscripting a non-array', () => {
      one('int f(int a) { return a[0]; }', 'a[0]', "subscripted value of type 'int' is neither an array nor a pointer");
    });

    it('reports builtin arguments of the wrong kind', () => {
      one('void f(int x) { spin_lock(x); }', 'x);', "argument 1 of 'spin_lock' must be a pointer to a lock (spinlock_t *, raw_spinlock_t *, local_lock_t *)");
      one('void f(int x) { list_del(x); }', 'x);', "argument 1 of 'list_del' must be a pointer to a struct list_head");
      one('void f(int x) { __SetPageBuddy(x); }', 'x);', "argument 1 of '__SetPageBuddy' must be a struct page *");
      one('void f(int x) { zone_managed_pages(x); }', 'x);', "argument 1 of 'zone_managed_pages' must be a struct zone *");
      one('void f(struct page *p) { pfn_to_page(p); }', 'p);', "argument 1 of 'pfn_to_page' must be an integer");
      one('void f(void) { local_irq_save(3); }', '3', "argument 1 of 'local_irq_save' must be a variable (an lvalue)");
      one('int v;\nvoid f(void) { int *p = this_cpu_ptr(&v); }', '&v', "argument 1 of 'this_cpu_ptr' must be a __percpu pointer or DEFINE_PER_CPU variable");
      one('void f(struct list_head *h) { struct page *p = list_entry(h, struct page, 3); }', '3', "argument 3 of 'list_entry' must be a member name");
    });

    it('reports iterator variables of the wrong type', () => {
      one('void f(void) { int z; for_each_populated_zone(z) { } }', 'z)', "argument 1 of 'for_each_populated_zone' must be a struct zone * variable");
      one('void f(void) { struct page *c; for_each_online_cpu(c) { } }', 'c)', "argument 1 of 'for_each_online_cpu' must be an integer variable");
      one('void f(struct list_head *h) { int p; list_for_each_entry(p, h, lru) { } }', 'p, h', "argument 1 of 'list_for_each_entry' must be a pointer to the entry type");
    });

    it('reports a redefinition of an engine-provided kernel type', () => {
      one('struct page { int x; };', 'struct page', "'struct page' is an engine-provided kernel type and cannot be redefined");
      one('typedef int spinlock_t;', 'spinlock_t', "'spinlock_t' is an engine-provided kernel type and cannot be redefined");
    });

    it('reports array sizes and case labels that are not constants', () => {
      one('int a[0];', '0', 'array size must be a positive integer constant');
      one('int f(int a)\n{\n\tswitch (a) {\n\tcase a: break;\n\t}\n\treturn 0;\n}', 'a: break', 'expression is not an integer constant');
      one('int v;\nenum e { A = v };', 'v }', 'expression is not an integer constant');
    });

    it('reports a duplicate case value', () => {
      one('void f(int a) { switch (a) { case 1: break; case 1: break; } }', 'case 1', 'duplicate case value 1', 1);
    });
  });

  describe('functions and statements (checker)', () => {
    it('reports a value returned from a void function, and warns on a missing one', () => {
      one('void f(void) { return 1; }', '1;', "void function 'f' should not return a value");
      const t = 'int f(void) { return; }';
      assert.deepEqual(kc(t), [`${at(t, 'return;')}: warning: non-void function 'f' should return a value`]);
    });

    it('reports break and continue outside a loop', () => {
      one('void f(void) { break; }', 'break;', "'break' statement not in a loop or switch");
      one('void f(void) { continue; }', 'continue;', "'continue' statement not in a loop");
    });

    it('does not claim a case label in a loop is outside a loop', () => {
      const t = 'void f(void) { while (1) { case 1: break; } }';
      const ds = kc(t);
      assert.equal(ds.length, 1, ds.join('\n'));
      assert.ok(ds[0].startsWith(`${at(t, 'case 1')}: error: 'case' statement not in a`), ds[0]);
      assert.doesNotMatch(ds[0], /loop/, 'a case label needs a switch; the loop around it is irrelevant');
    });

    it('reports a redefined function once, without judging its body by the wrong return type', () => {
      const t = 'int g(void) { return 0; }\nint g(void) { return 1; }';
      assert.deepEqual(kc(t), [`${at(t, 'g', 1)}: error: redefinition of 'g'`]);
    });

    it('reports a call of a function that is declared but never defined', () => {
      const t = 'int g(int a);\nint f(void) { return g(1); }';
      const ds = kc(t);
      assert.equal(ds.length, 1, `expected one diagnostic, got: ${JSON.stringify(ds)}`);
      assert.match(ds[0], /^\/m\/model\.kc:[12]:\d+: error: function 'g' is declared but never defined$/);
    });
  });

  describe('syntax (parser)', () => {
    it("reports a missing semicolon just after the statement's last token, as gcc does", () => {
      const t = 'int f(void) { int a = 1 return a; }';
      assert.deepEqual(kc(t), [`${after(t, 'int a = 1')}: error: expected ';', found 'return'`]);
    });

    it('reports a missing closing brace at the end of the file', () => {
      // reported just after the last token, where the brace is missing
      const t = 'int f(void)\n{\n\treturn 1;\n\n';
      assert.deepEqual(kc(t), [`${M}:3:11: error: expected '}', found end of file`]);
    });

    it('reports a missing expression', () => {
      one('void f(int x) { x = ; }', ';', "expected an expression, found ';'");
    });

    it('reports something that cannot start a declaration', () => {
      one('int x;\n+ 3;', '+', "expected a declaration, found '+'");
    });

    it('reports unsupported C: floating point and function pointers', () => {
      one('int x = 1.5;', '1.5', 'floating-point numbers are not supported in Kernel C');
      one('void (*fp)(void);', '(*', 'function pointers are not supported in Kernel C');
    });

    it('reports nesting deeper than 200 levels once', () => {
      const t = `int f(void) { return ${'('.repeat(300)}1${')'.repeat(300)}; }`;
      const ds = kc(t);
      assert.equal(ds.length, 1, ds.join('\n'));
      assert.match(ds[0], /^\/m\/model\.kc:1:\d+: error: nesting too deep \(more than 200 levels\)$/);
    });

    it('keeps a declaration whose initialiser or semicolon is broken, so its uses are not undeclared', () => {
      const t = 'int f(void)\n{\n\tint a = ;\n\tint b = 1\n\tb++;\n\treturn a + b;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, ';')}: error: expected an expression, found ';'`, // the first ';' is a's
        `${after(t, 'int b = 1')}: error: expected ';', found 'b'`,
      ]);
      const g = 'int x = );\nint f(void) { return x; }';
      assert.deepEqual(kc(g), [`${at(g, ')')}: error: expected an expression, found ')'`]);
    });

    it('goes on after an error and reports the next one', () => {
      const t = 'int f(void) { int a = ; return a; }\nint g(void) { return nope; }\nint h(void) { int b = 1 return b; }';
      assert.deepEqual(kc(t), [
        `${at(t, '; return a')}: error: expected an expression, found ';'`,
        `${at(t, 'nope')}: error: use of undeclared identifier 'nope'`,
        `${after(t, 'int b = 1')}: error: expected ';', found 'return'`,
      ]);
    });
  });

  describe('tokens (lexer)', () => {
    it('reports an unterminated comment where it starts', () => {
      one('int x;\n/* hello', '/*', 'unterminated comment');
    });

    it('reports an unterminated string literal', () => {
      const t = 'const char *s = "abc\nint y;';
      assert.deepEqual(kc(t), [
        `${at(t, '"abc')}: error: unterminated string literal`,
        `${after(t, '"abc')}: error: expected ';', found 'int'`,
      ]);
    });

    it('reports an unterminated character literal', () => {
      const t = "int c = 'a;";
      assert.equal(kc(t)[0], `${at(t, "'a")}: error: unterminated character literal`);
    });

    it('reports an unexpected character, shown escaped when it is a control character', () => {
      const t = 'int x @ 3;';
      assert.ok(kc(t).includes(`${at(t, '@')}: error: unexpected character '@'`), kc(t).join('\n'));
      const u = 'int y;\n\u0001';
      assert.deepEqual(kc(u), [`${M}:2:1: error: unexpected character '\\x01'`]);
    });

    it('reports an invalid number literal', () => {
      one('int x = 09;', '09', 'invalid number literal 09');
      one('int x = 0x;', '0x', 'invalid number literal 0x');
    });
  });

  describe('preprocessor', () => {
    it('reports a missing include file at the #include', () => {
      const t = 'int a;\n#include "nope.kc"\n';
      assert.deepEqual(kc(t), [`${M}:2:1: error: cannot open include file '/m/nope.kc'`]);
    });

    it('reports an include cycle with the chain of files', () => {
      const files = { '/m/a.kc': '#include "b.kc"\n', '/m/b.kc': '#include "a.kc"\n' };
      const t = '#include "a.kc"\n';
      assert.deepEqual(kc(t, files), ['/m/b.kc:1:1: error: include cycle: a.kc -> b.kc -> a.kc']);
    });

    it('reports includes nested more than 32 deep', () => {
      const files: Record<string, string> = {};
      for (let k = 0; k < 40; k++) files[`/m/i${k}.kc`] = `#include "i${k + 1}.kc"\n`;
      const ds = kc('#include "i0.kc"\n', files);
      assert.deepEqual(ds, ['/m/i30.kc:1:1: error: includes nested too deeply (more than 32 levels)']);
    });

    it('reports a malformed #include', () => {
      one('#include\n', 'include', 'expected a file name in #include');
      one('#include nope.kc\n', 'nope', 'expected "file.kc" in #include');
    });

    it('reports an unterminated #if at the #if', () => {
      const t = 'int a;\n#ifdef CONFIG_SMP\nint x;\n';
      assert.deepEqual(kc(t), [`${M}:2:1: error: unterminated #ifdef: missing #endif`]);
    });

    it('reports #endif, #else and #elif without #if', () => {
      assert.deepEqual(kc('int x;\n#endif\n'), [`${M}:2:1: error: #endif without #if`]);
      assert.deepEqual(kc('#else\n'), [`${M}:1:1: error: #else without #if`]);
      assert.deepEqual(kc('#elif 1\n'), [`${M}:1:1: error: #elif without #if`]);
    });

    it('reports #else after #else', () => {
      assert.deepEqual(kc('#if 1\n#else\n#else\n#endif\n'), [`${M}:3:1: error: #else after #else`]);
    });

    it('reports an unknown directive', () => {
      assert.deepEqual(kc('#frobnicate 1\n'), [`${M}:1:1: error: unknown preprocessor directive '#frobnicate'`]);
    });

    it('reports malformed #define, #undef and #ifdef', () => {
      one('#define 3 4\n', '3', 'expected a macro name in #define');
      one('#undef\n', 'undef', 'expected a macro name in #undef');
      one('#ifdef\n#endif\n', 'ifdef', 'expected a macro name in #ifdef');
      one('#define F(a, 3) a\n', '3', 'expected a parameter name in #define');
    });

    it('reports a macro called with the wrong number of arguments', () => {
      const t = '#define F(a, b) ((a) + (b))\nint x = F(1);';
      assert.equal(kc(t)[0], `${at(t, 'F(1)')}: error: macro 'F' expects 2 argument(s), got 1`);
    });

    it('reports an unterminated macro argument list', () => {
      const t = '#define F(a) a\nint x = F(1;\n';
      assert.ok(kc(t).includes(`${at(t, 'F(1')}: error: unterminated argument list of macro 'F'`), kc(t).join('\n'));
    });

    it('reports #error with its text', () => {
      assert.deepEqual(kc('#ifndef CONFIG_SMP\n#else\n#error needs UP\n#endif\n'), [`${M}:3:1: error: #error needs UP`]);
    });

    it('reports invalid #if expressions', () => {
      one('#if 1 +\n#endif\n', '+', 'invalid #if expression: expression ends early');
      one('#if 1 / 0\n#endif\n', '/', 'invalid #if expression: division by zero');
      one('#if defined(\n#endif\n', 'defined', 'invalid #if expression: defined needs a macro name');
      one('#if (1\n#endif\n', '(', "invalid #if expression: expected ')'");
    });

    it('does not diagnose what #if compiled out, except an unterminated comment', () => {
      assert.deepEqual(kc('#if 0\nint x @ 09 "open\n#endif\nint y;\n'), []);
      const t = '#if 0\n/* never closed\n#endif\nint y;\n';
      assert.deepEqual(kc(t), [`${M}:2:1: error: unterminated comment`, `${M}:1:1: error: unterminated #if: missing #endif`].sort());
    });
  });
});

describe('front end: scenario rules (languages.md section 1)', () => {
  const S = '/s/a.lockstep';
  const MODEL = [
    'struct page *alloc_pages(gfp_t gfp, unsigned int order) { return NULL; }',
    'void __free_pages(struct page *page, unsigned int order) { }',
    'void drain_all_pages(struct zone *zone) { }',
    'int declared_only(int a);',
  ].join('\n');
  const BASE = 'model "./m.kc"\ncpus 2\ntask cpu 0 {\n\t__free_pages(alloc_pages(GFP_KERNEL, 0), 0);\n}\n';

  function scenario(text: string, options: LoadOptions = {}) {
    return loadScenario(S, { readFile: memory({ [S]: text, '/s/m.kc': MODEL }), modelsDir: fixture('cli'), ...options });
  }
  function diags(text: string, options: LoadOptions = {}): string[] {
    return formatted(scenario(text, options).diagnostics);
  }
  function sat(text: string, needle: string, occurrence = 0): string {
    return at(text, needle, occurrence, S);
  }

  it('accepts the base scenario', () => {
    const r = scenario(BASE);
    assert.deepEqual(formatted(r.diagnostics), []);
    assert.ok(r.program);
  });

  describe('exactly one model', () => {
    it('reports a second model line at that line', () => {
      const t = `model "./m.kc"\n${BASE}`;
      assert.deepEqual(diags(t), [`${S}:2:1: error: duplicate 'model' declaration (first at line 1)`]);
    });

    it('reports a missing model line, and loads no program', () => {
      const r = scenario('cpus 1\ntask cpu 0 { }\n');
      assert.deepEqual(formatted(r.diagnostics), [`${S}:1:1: error: missing 'model' declaration`]);
      assert.equal(r.program, undefined);
    });

    it('reports a model file that does not exist at its name', () => {
      const t = 'model "./none.kc"\ncpus 1\ntask cpu 0 { }\n';
      assert.deepEqual(diags(t), [`${sat(t, '"./none.kc"')}: error: model file './none.kc' was not found`]);
    });

    it('reports an unknown bundled model and lists the bundled ones', () => {
      const t = 'model pcp-spinlok-v1\ncpus 1\ntask cpu 0 { }\n';
      assert.deepEqual(diags(t), [`${sat(t, 'pcp-spinlok-v1')}: error: unknown model 'pcp-spinlok-v1'; bundled models: bad-model, model`]);
    });

    it('loads a bundled model by its name', () => {
      const t = 'model model\ncpus 1\ntask cpu 0 { count_calls(1); }\n';
      const r = loadScenario(S, { readFile: f => (f === S ? t : undefined), modelsDir: fixture('cli') });
      // the in-memory reader knows only the scenario: the model must come from modelsDir
      assert.deepEqual(formatted(r.diagnostics), [`${sat(t, 'model', 1)}: error: unknown model 'model'; bundled models: bad-model, model`]);
      const r2 = loadScenario(S, { readFile: f => (f === S ? t : fs.readFileSync(f, 'utf8')), modelsDir: fixture('cli') });
      assert.deepEqual(formatted(r2.diagnostics), []);
      assert.equal(r2.program?.modelFile, fixture('cli/model.kc'));
    });
  });

  describe('duplicate declarations', () => {
    const cases: [string, string, string][] = [
      ['cpus', 'cpus 2\n', "duplicate 'cpus' declaration (first at line 2)"],
      ['scenario', 'scenario "a"\nscenario "b"\n', "duplicate 'scenario' declaration (first at line 6)"],
      ['config PREEMPT_RT', 'config PREEMPT_RT on\nconfig PREEMPT_RT off\n', "duplicate 'config PREEMPT_RT' declaration (first at line 6)"],
      ['config UP/SMP', 'config SMP\nconfig UP\n', "duplicate 'config SMP/UP' declaration (first at line 6)"],
      ['config CONFIG_X', 'config CONFIG_FOO on\nconfig CONFIG_FOO 3\n', "duplicate 'config CONFIG_FOO' declaration (first at line 6)"],
    ];
    for (const [what, lines, message] of cases) {
      it(`reports a duplicate ${what} line at the second one`, () => {
        const t = BASE + lines;
        const second = BASE.split('\n').length - 1 + lines.split('\n').length - 1;
        assert.deepEqual(diags(t), [`${S}:${second}:1: error: ${message}`]);
      });
    }

    it('reports a duplicate zone at its name', () => {
      const t = `${BASE}zone Normal pages 10\nzone Normal pages 20\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'Normal', 1)}: error: duplicate zone 'Normal'`]);
    });
  });

  describe('cpus', () => {
    it('requires a cpus line', () => {
      assert.deepEqual(diags('model "./m.kc"\ntask cpu 0 { }\n'), [`${S}:1:1: error: missing 'cpus' declaration`]);
    });

    it('reports a number of CPUs outside 1..256 at the number, without blaming every block', () => {
      const zero = 'model "./m.kc"\ncpus 0\ntask cpu 0 { }\n';
      assert.deepEqual(diags(zero), [`${S}:2:6: error: cpus must be between 1 and 256, not 0`]);
      const many = 'model "./m.kc"\ncpus 300\ntask cpu 299 { }\n';
      assert.deepEqual(diags(many), [`${S}:2:6: error: cpus must be between 1 and 256, not 300`]);
      assert.deepEqual(diags('model "./m.kc"\ncpus 256\ntask cpu 255 { }\n'), []);
    });

    it('reports a task, irq or pcp CPU out of range at the CPU number', () => {
      const t = `${BASE}task cpu 2 { }\nirq cpu 7 { }\nzone Normal pages 10\npcp cpu 5 zone Normal order 0 movable 1\n`;
      assert.deepEqual(diags(t), [
        `${sat(t, '2 {')}: error: cpu 2 is out of range: the scenario has 2 CPU(s) (0..1)`,
        `${sat(t, '7 {')}: error: cpu 7 is out of range: the scenario has 2 CPU(s) (0..1)`,
        `${sat(t, '5 zone')}: error: cpu 5 is out of range: the scenario has 2 CPU(s) (0..1)`,
      ]);
    });

    it('reports a UP scenario with more than one CPU at the cpus line', () => {
      const t = `config UP\n${BASE}`;
      assert.deepEqual(diags(t), [`${S}:3:1: error: a UP scenario has exactly one CPU, not 2`]);
      assert.deepEqual(diags(t.replace('cpus 2', 'cpus 1')), []);
    });
  });

  describe('expect lines', () => {
    it('reports an unknown finding kind after expect no, with a "did you mean"', () => {
      const t = `${BASE}expect no dedlock\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'dedlock')}: error: unknown finding kind 'dedlock'; did you mean 'deadlock'?`]);
    });

    it('reports an unknown hyphenated finding kind after expect finding', () => {
      const t = `${BASE}expect finding mutual-exclusio\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'mutual-exclusio')}: error: unknown finding kind 'mutual-exclusio'; did you mean 'mutual-exclusion'?`]);
    });

    it('reports an expect line that is neither no, finding nor pages conserved', () => {
      const t = `${BASE}expect maybe deadlock\n`;
      assert.equal(diags(t)[0], `${sat(t, 'maybe')}: error: expected 'no <kind>', 'finding <kind>' or 'pages conserved' after 'expect'`);
    });
  });

  describe('blocks', () => {
    it('reports an unknown model function called from a block, with a "did you mean"', () => {
      const t = `${BASE}zone Normal pages 10\ntask cpu 1 {\n\tdrain_al_pages(Normal);\n}\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'drain_al_pages')}: error: call to 'drain_al_pages', which the model does not define; did you mean 'drain_all_pages'?`]);
    });

    it('reports a call from a block to a function the model only declares', () => {
      const t = `${BASE}task cpu 1 {\n\tdeclared_only(1);\n}\n`;
      const ds = diags(t);
      assert.equal(ds.length, 1, `expected one diagnostic, got: ${JSON.stringify(ds)}`);
      assert.ok(ds[0].startsWith(`${sat(t, 'declared_only')}: error: `), ds[0]);
    });

    it('reports Kernel C errors inside a block at their scenario position', () => {
      const t = `${BASE}task cpu 1 {\n\tint x = y;\n\tx = ;\n}\n`;
      const semi = locate(t, 'x = ;');
      assert.deepEqual(diags(t), [
        `${sat(t, 'y;')}: error: use of undeclared identifier 'y'`,
        `${S}:${semi.line}:${semi.column + 4}: error: expected an expression, found ';'`,
      ]);
    });

    it('reports a misspelt zone name in a block with a "did you mean"', () => {
      const t = `${BASE}zone Normal pages 10\ntask cpu 1 {\n\tdrain_all_pages(Nromal);\n}\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'Nromal')}: error: use of undeclared identifier 'Nromal'; did you mean 'Normal'?`]);
    });

    it('requires at least one task block', () => {
      assert.deepEqual(diags('model "./m.kc"\ncpus 1\nirq cpu 0 { }\n'), [`${S}:1:1: error: the scenario needs at least one task block`]);
    });

    it('reports a block that is never closed at its brace', () => {
      const t = `${BASE}task cpu 1 {\n\tint x = 1;\n`;
      assert.deepEqual(diags(t), [`${sat(t, '{', 1)}: error: expected '}' to close this block, found end of file`]);
    });

    it('reports an irq that may arrive zero times', () => {
      const t = `${BASE}irq cpu 0 times 0 { }\n`;
      const w = locate(t, 'times 0');
      assert.deepEqual(diags(t), [`${S}:${w.line}:${w.column + 6}: error: expected a positive count after 'times'`]);
    });
  });

  describe('keywords, zones, migratetypes and orders', () => {
    it('reports an unknown keyword with a "did you mean", skipping its block', () => {
      const t = `${BASE}tsak cpu 0 {\n\tthis is not checked;\n}\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'tsak')}: error: unknown scenario keyword 'tsak'; did you mean 'task'?`]);
    });

    it('reports an unknown zone in a pcp line with a "did you mean"', () => {
      const t = `${BASE}zone Normal pages 10\npcp cpu 0 zone Nromal order 0 movable 1\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'Nromal')}: error: unknown zone 'Nromal'; did you mean 'Normal'?`]);
    });

    it('reports an unknown migratetype with a "did you mean"', () => {
      const t = `${BASE}zone Normal pages 10\npcp cpu 0 zone Normal order 0 moveable 1\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'moveable')}: error: unknown migratetype 'moveable'; did you mean 'movable'?`]);
    });

    it('accepts every migratetype of languages.md on pcp and zone lines', () => {
      const mts = ['unmovable', 'movable', 'reclaimable', 'highatomic', 'cma', 'isolate'];
      const t = BASE + mts.map((m, k) => `zone Z${k} pages 16 ${m}\npcp cpu 0 zone Z${k} order 0 ${m} 1\n`).join('');
      const r = scenario(t);
      assert.deepEqual(formatted(r.diagnostics), []);
      assert.deepEqual(r.program!.scenario.pcps.map(p => p.migratetype), mts);
      assert.deepEqual(r.program!.scenario.zones.map(z => z.migratetype), mts);
    });

    it('accepts orders 0..10 and reports 11 at the number', () => {
      const ok = `${BASE}zone Normal pages 4096\npcp cpu 0 zone Normal order 0 movable 1\npcp cpu 1 zone Normal order 10 movable 1\n`;
      assert.deepEqual(diags(ok), []);
      const t = `${BASE}zone Normal pages 10\npcp cpu 0 zone Normal order 11 movable 1\n`;
      assert.deepEqual(diags(t), [`${sat(t, '11')}: error: order 11 is out of range (0..10)`]);
    });

    it('reports a zone line without pages, and an unknown zone attribute', () => {
      const t = `${BASE}zone Normal\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'Normal')}: error: expected 'pages <count>' after 'zone Normal'`]);
      const u = `${BASE}zone Normal pages 10 hihg 4\n`;
      assert.equal(diags(u)[0], `${sat(u, 'hihg')}: error: unknown scenario keyword 'hihg'; did you mean 'high'?`);
    });

    it('reports bad config lines', () => {
      const t = `${BASE}config PREEMPT_RT maybe\n`;
      assert.deepEqual(diags(t), [`${sat(t, 'maybe')}: error: config 'PREEMPT_RT' expects on, off or an integer`]);
      const u = `${BASE}config FOO on\n`;
      assert.deepEqual(diags(u), [`${sat(u, 'FOO')}: error: unknown config 'FOO'; use SMP, UP, PREEMPT_RT or CONFIG_<NAME>`]);
    });

    it('reports a missing quoted title', () => {
      const t = `scenario title\n${BASE}`;
      assert.deepEqual(diags(t), [`${sat(t, 'title')}: error: expected a quoted title after 'scenario'`]);
    });
  });

  it('reports a missing scenario file as a missing scenario, not as an include', () => {
    const ds = loadScenario('/nowhere/missing.lockstep', { readFile: () => undefined }).diagnostics;
    assert.equal(ds.length, 1);
    assert.equal(`${ds[0].file}:${ds[0].line}:${ds[0].column}`, '/nowhere/missing.lockstep:1:1');
    assert.match(ds[0].message, /missing\.lockstep/);
    assert.doesNotMatch(ds[0].message, /include/, ds[0].message);
  });
});

describe('lockstep check (dist/cli.js)', () => {
  const cli = path.join(root, 'dist', 'cli.js');
  const cwd = path.join(fixtures, 'cli');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'check', ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  const lines = (s: string) => s.split('\n').filter(l => l.length > 0);

  it('prints each diagnostic as path:line:column: error: message and exits 2', () => {
    const r = run('bad.lockstep');
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "bad.lockstep:4:1: error: unknown scenario keyword 'tsak'; did you mean 'task'?",
      'bad.lockstep:5:10: error: cpu 2 is out of range: the scenario has 2 CPU(s) (0..1)',
      "bad.lockstep:6:2: error: call to 'count_call', which the model does not define; did you mean 'count_calls'?",
      "bad.lockstep:8:11: error: unknown finding kind 'dedlock'; did you mean 'deadlock'?",
    ]);
  });

  it('names the model file of a diagnostic in the model (relative to the working directory)', () => {
    const r = run('bad-model.lockstep');
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "bad-model.kc:8:12: error: no member named 'valeu' in 'struct counter'; did you mean 'value'?",
    ]);
  });

  it('exits 0 for a good scenario and prints no error', () => {
    const r = run('good.lockstep');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /error:/);
  });

  it('exits 2 when any of several files has an error, and reports a missing file', () => {
    const r = run('good.lockstep', 'missing.lockstep');
    assert.equal(r.status, 2);
    assert.ok(lines(r.stdout).some(l => l.startsWith('missing.lockstep:1:1: error: ')), r.stdout);
  });
});
