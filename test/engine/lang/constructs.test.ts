// Every construct of languages.md parses and checks, with exact source ranges.
// Fixtures: test/fixtures/lang/constructs*.{kc,lockstep}.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkText, formatDiagnostic, loadScenario, LoadResult } from '../../../src/engine';
import type * as A from '../../../src/engine/lang/ast';
import { typeName, Type } from '../../../src/engine/lang/types';
import { assertClean, fixture, formatted, locate, memory, nodes, rangeOnly, readFixture } from './util';

const SMP = fixture('constructs.lockstep');
const UP_RT = fixture('constructs-up-rt.lockstep');
const MODEL = fixture('constructs.kc');
const TYPES = fixture('constructs-types.kc');

function load(file: string, options = {}): LoadResult & { program: NonNullable<LoadResult['program']> } {
  const r = loadScenario(file, options);
  assert.ok(r.program, `${file} did not load: ${formatted(r.diagnostics).join('\n')}`);
  return r as LoadResult & { program: NonNullable<LoadResult['program']> };
}

function fn(r: ReturnType<typeof load>, name: string): A.FunctionDecl {
  const f = r.program.model.functions.get(name);
  assert.ok(f, `the model has no function ${name}`);
  assert.ok(f.body, `${name} has no body`);
  return f;
}

describe('front end: every construct of languages.md', () => {
  const modelText = readFixture('constructs.kc');
  const smpText = readFixture('constructs.lockstep');
  let smp: ReturnType<typeof load>;
  let upRt: ReturnType<typeof load>;

  before(() => {
    smp = load(SMP);
    upRt = load(UP_RT);
  });

  describe('clean files', () => {
    it('loads the SMP scenario and its model (with an include) with zero diagnostics', () => {
      assertClean(smp.diagnostics, 'constructs.lockstep');
    });

    it('loads the UP + PREEMPT_RT scenario of the same model with zero diagnostics', () => {
      assertClean(upRt.diagnostics, 'constructs-up-rt.lockstep');
    });

    it('checks the model on its own (checkText on the .kc) with zero diagnostics', () => {
      assertClean(checkText(MODEL, modelText), 'constructs.kc');
    });

    it('reads the model through a custom readFile exactly as from disk', () => {
      const files = { [SMP]: smpText, [MODEL]: modelText, [TYPES]: readFixture('constructs-types.kc') };
      const r = loadScenario(SMP, { readFile: memory(files) });
      assertClean(r.diagnostics, 'in-memory constructs.lockstep');
      assert.deepEqual([...r.program!.model.functions.keys()], [...smp.program.model.functions.keys()]);
    });
  });

  describe('scenario constructs', () => {
    it('reads the title, the quoted model path, the machine and the config lines', () => {
      const sc = smp.program.scenario;
      assert.equal(sc.title, 'Every construct of both languages, SMP');
      assert.equal(sc.model?.quoted, true);
      assert.equal(sc.model?.name, './constructs.kc');
      assert.equal(smp.program.modelFile, MODEL);
      assert.equal(sc.smp, true);
      assert.equal(sc.preemptRt, false);
      assert.equal(sc.cpus, 2);
      assert.deepEqual(sc.configs.map(c => [c.name, c.value]), [
        ['CONFIG_LOCKSTEP_FEATURE', true],
        ['CONFIG_LOCKSTEP_OTHER', false],
        ['CONFIG_LOCKSTEP_LEVEL', 3],
      ]);
      const up = upRt.program.scenario;
      assert.equal(up.smp, false);
      assert.equal(up.preemptRt, true);
      assert.equal(up.cpus, 1);
    });

    it('turns config lines into the CONFIG_ symbols the model sees', () => {
      assert.deepEqual([...smp.program.config.symbols].sort(), [
        ['CONFIG_LOCKSTEP_FEATURE', 1],
        ['CONFIG_LOCKSTEP_LEVEL', 3],
        ['CONFIG_NR_CPUS', 2],
        ['CONFIG_SMP', 1],
      ]);
      const up = upRt.program.config.symbols;
      assert.equal(up.get('CONFIG_SMP'), undefined);
      assert.equal(up.get('CONFIG_PREEMPT_RT'), 1);
      assert.equal(up.get('CONFIG_NR_CPUS'), 1);
      assert.equal(up.get('CONFIG_LOCKSTEP_OTHER'), 1);
    });

    it('reads zones with pages, low, batch and high, and pcp lines', () => {
      const sc = smp.program.scenario;
      assert.deepEqual(sc.zones.map(z => [z.name, z.pages, z.low, z.batch, z.high, z.migratetype]), [
        ['Normal', 256, 16, 4, 12, 'movable'],
        ['DMA32', 1024, undefined, undefined, undefined, 'movable'],
      ]);
      assert.deepEqual(sc.pcps.map(p => [p.cpu, p.zone, p.order, p.migratetype, p.count]), [
        [0, 'Normal', 0, 'movable', 4],
        [1, 'DMA32', 3, 'unmovable', 2],
      ]);
      assert.deepEqual([...smp.program.zoneSymbols.keys()], ['Normal', 'DMA32']);
    });

    it('keeps several task blocks per CPU in file order, and irq blocks with their times', () => {
      const blocks = smp.program.scenario.blocks;
      assert.deepEqual(blocks.map(b => [b.kind, b.cpu, b.times, b.range.line]), [
        ['task', 0, 1, 17],
        ['task', 0, 1, 22],
        ['task', 1, 1, 28],
        ['irq', 0, 1, 32],
        ['irq', 1, 2, 37],
      ]);
      for (const b of blocks) assert.ok(b.body && b.body.length > 0, `block at line ${b.range.line} has a parsed body`);
    });

    it('reads every kind of expect line', () => {
      assert.deepEqual(smp.program.scenario.expects.map(e => [e.kind, e.finding]), [
        ['no', 'deadlock'],
        ['no', 'sleep-in-atomic'],
        ['finding', 'mutual-exclusion'],
        ['conserved', undefined],
      ]);
    });

    it('resolves calls in blocks to the model and zone names to the scenario zones', () => {
      const [, second] = smp.program.scenario.blocks;
      const calls = nodes(second.body).filter((n): n is A.Call => n.kind === 'Call');
      const drain = calls.find(c => c.callee.name === 'drain_all_pages')!;
      assert.equal(drain.callee.sym?.kind, 'function');
      const zoneArg = drain.args[0] as A.Ident;
      assert.equal(zoneArg.sym?.kind, 'zone');
      assert.deepEqual(rangeOnly(drain.range), locate(smpText, 'drain_all_pages(Normal)'));
      assert.deepEqual(rangeOnly(zoneArg.range), locate(smpText, 'Normal', 2));
    });
  });

  describe('preprocessor', () => {
    const only = (r: ReturnType<typeof load>, names: string[]) => names.filter(n => r.program.model.functions.has(n));

    it('compiles the #if/#elif/#else, #ifdef and #ifndef branches the config lines select', () => {
      const all = ['feature_on', 'feature_other', 'feature_off', 'smp_only', 'up_only', 'not_rt_only', 'rt_only', 'level_high', 'level_low'];
      assert.deepEqual(only(smp, all), ['feature_on', 'smp_only', 'not_rt_only', 'level_high']);
      assert.deepEqual(only(upRt, all), ['feature_other', 'up_only', 'rt_only', 'level_low']);
    });

    it('reports a call into a compiled-out branch at the scenario position, with a suggestion', () => {
      // defined(CONFIG_LOCKSTEP_FEATURE) false, IS_ENABLED(CONFIG_LOCKSTEP_OTHER) false: the #else
      const r = loadScenario(SMP, { config: { CONFIG_LOCKSTEP_FEATURE: false } });
      const at = locate(smpText, 'feature_on');
      assert.deepEqual(formatted(r.diagnostics), [
        `${SMP}:${at.line}:${at.column}: error: call to 'feature_on', which the model does not define; did you mean 'feature_off'?`,
      ]);
    });

    it('takes the #elif when only IS_ENABLED(CONFIG_LOCKSTEP_OTHER) holds', () => {
      const r = load(SMP, { config: { CONFIG_LOCKSTEP_FEATURE: false, CONFIG_LOCKSTEP_OTHER: true } });
      assert.deepEqual(only(r, ['feature_on', 'feature_other', 'feature_off']), ['feature_other']);
    });

    it('compares an integer config value in #if', () => {
      const r = loadScenario(SMP, { config: { CONFIG_LOCKSTEP_LEVEL: 2 } });
      assert.ok(!r.program!.model.functions.has('level_high'));
      assert.ok(r.program!.model.functions.has('level_low'));
      assert.deepEqual(r.diagnostics.map(d => d.message), ["call to 'level_high', which the model does not define"]);
    });

    it('includes a relative file once per #include and lists each model file once', () => {
      assert.deepEqual(smp.program.files, [MODEL, TYPES]);
      const counters = smp.program.model.structs.get('counters')!;
      assert.equal(counters.range?.file, TYPES);
    });

    it('does not report the lines of an include-guarded header as compiled out', () => {
      // the second #include of constructs-types.kc compiles its body out, the first does not
      assert.deepEqual(smp.program.inactive.filter(r => r.file === TYPES), []);
    });

    it('records the compiled-out lines of each #if branch', () => {
      const inactive = smp.program.inactive.filter(r => r.file === MODEL).map(r => [r.startLine, r.endLine]);
      const l = (needle: string) => locate(modelText, needle).line;
      assert.deepEqual(inactive, [
        [l('int feature_other'), l('int feature_off')],
        [l('int up_only'), l('int up_only')],
        [l('int rt_only'), l('int rt_only')],
        [l('int level_low'), l('int level_low')],
        [l('this line is not Kernel C'), l('this line is not Kernel C')],
      ]);
    });

    it('pastes with ##, stringizes with # and expands function-like and variadic macros', () => {
      const model = smp.program.model;
      const names = model.globals.map(g => g.name);
      assert.ok(names.includes('counter_allocs'), `globals: ${names.join(', ')}`);
      const modelName = model.globals.find(g => g.name === 'model_name')!;
      assert.equal((modelName.init as A.StringLit).kind, 'String');
      assert.equal((modelName.init as A.StringLit).value, 'constructs');

      // return checked_call(helper_add, x, (int)z);  ->  return helper_add(x, (int)z);
      const ret = fn(smp, 'expressions').body!.body.at(-1) as A.ReturnStmt;
      assert.equal(ret.kind, 'Return');
      const call = ret.value as A.Call;
      assert.equal(call.kind, 'Call');
      assert.equal(call.callee.name, 'helper_add');
      assert.deepEqual(call.args.map(a => a.kind), ['Ident', 'Cast']);
      assert.equal(call.callee.sym?.kind, 'function');
      // the callee came from the argument: it keeps its own position
      const arg = locate(modelText, 'helper_add, x, (int)z');
      assert.deepEqual(rangeOnly(call.callee.range), { ...arg, endColumn: arg.column + 'helper_add'.length });
      // the whole call spans from the callee to the invocation's closing parenthesis
      const inv = locate(modelText, 'checked_call(helper_add, x, (int)z)');
      assert.deepEqual(rangeOnly(call.range), { line: inv.line, column: call.callee.range.column, endLine: inv.endLine, endColumn: inv.endColumn });

      // an object-like macro in an expression: PCP_BATCH + 1 in a case label is 5
      const sw = fn(smp, 'statements').body!.body.find(s => s.kind === 'Switch') as A.SwitchStmt;
      const cases = (sw.body as A.Block).body.filter((s): s is A.CaseStmt => s.kind === 'Case');
      assert.deepEqual(cases.map(c => c.constValue), [0, 4, 5, undefined]);
    });

    it('keeps line numbers after a multi-line #define with continuation lines', () => {
      const text = [
        '#define BIG(a) \\',           // 1
        '\t((a) + \\',                 // 2
        '\t 1)',                       // 3
        'int f(void) { return BIG(2) + nope; }', // 4
      ].join('\n');
      const ds = checkText('/m/continued.kc', text, { readFile: () => undefined });
      const at = locate(text, 'nope');
      assert.equal(at.line, 4);
      assert.deepEqual(formatted(ds), [`/m/continued.kc:4:${at.column}: error: use of undeclared identifier 'nope'`]);
    });
  });

  describe('lines stay lines', () => {
    it('keeps line numbers after a string continued with a backslash-newline', () => {
      const text = 'const char *s = "one \\\ntwo";\nint f(void) { return nope; }\n';
      const ds = checkText('/m/string.kc', text, { readFile: () => undefined });
      const at = locate(text, 'nope');
      assert.equal(at.line, 3);
      assert.deepEqual(formatted(ds), [`/m/string.kc:3:${at.column}: error: use of undeclared identifier 'nope'`]);
    });

    it('gives the continued string its value without the backslash-newline', () => {
      const text = 'const char *s = "one \\\ntwo";\nstruct page *alloc_pages(gfp_t gfp, unsigned int order) { return NULL; }\n';
      const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 { alloc_pages(0, 0); }\n', '/m/m.kc': text }) });
      assert.deepEqual(formatted(r.diagnostics), []);
      assert.equal((r.program!.model.globals[0].init as A.StringLit).value, 'one two');
    });

    it('counts CRLF line ends as one line', () => {
      const text = 'int a;\r\n#if 0\r\nx x x\r\n#endif\r\nint f(void) { return nope; }\r\n';
      assert.deepEqual(formatted(checkText('/m/crlf.kc', text, { readFile: () => undefined })), ["/m/crlf.kc:5:22: error: use of undeclared identifier 'nope'"]);
    });
  });

  describe('compiled-out lines keep their positions', () => {
    const garbage = (n: number) => Array.from({ length: n }, (_, k) => `  this is not C { ) ${k} ] ## @ "`).join('\n');

    it('reports a diagnostic after a 500-line #if 0 block on its real line', () => {
      const text = [
        'int ok(void) { return 0; }',   // 1
        '#if 0',                       // 2
        garbage(500),                  // 3..502
        '#endif',                      // 503
        '',                            // 504
        'int bad(void)',               // 505
        '{',                           // 506
        '\treturn undeclared_name;',   // 507
        '}',
      ].join('\n');
      const diags = checkText('/m/big-if0.kc', text, { readFile: () => undefined });
      assert.deepEqual(formatted(diags), ["/m/big-if0.kc:507:9: error: use of undeclared identifier 'undeclared_name'"]);
    });

    it('reports it on its real line in a model loaded for a scenario, and gives the function its real range', () => {
      const model = [
        'void __free_pages(struct page *page, unsigned int order) { }', // 1
        '#ifdef CONFIG_NOT_SET',                                       // 2
        Array.from({ length: 300 }, (_, k) => `int dead_${k}(void) { return ${k}; }`).join('\n'), // 3..302
        '#elif defined(CONFIG_ALSO_NOT_SET)',                          // 303
        Array.from({ length: 200 }, (_, k) => `int dead_elif_${k}(void) { return ${k}; }`).join('\n'), // 304..503
        '#endif',                                                      // 504
        'int live(int x)',                                             // 505
        '{',                                                           // 506
        '\treturn x + missing;',                                       // 507
        '}',                                                           // 508
      ].join('\n');
      const scenario = 'model "./m.kc"\ncpus 1\ntask cpu 0 {\n\tlive(1);\n}\n';
      const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': scenario, '/m/m.kc': model }) });
      assert.deepEqual(formatted(r.diagnostics), ["/m/m.kc:507:13: error: use of undeclared identifier 'missing'"]);
      const live = r.program!.model.functions.get('live')!;
      assert.deepEqual(rangeOnly(live.range), { line: 505, column: 1, endLine: 508, endColumn: 2 });
      assert.ok(!r.program!.model.functions.has('dead_0'));
      assert.deepEqual(r.program!.inactive.map(x => [x.file, x.startLine, x.endLine]), [['/m/m.kc', 3, 503]]);
    });
  });

  describe('declarations', () => {
    const t = (x: Type | undefined) => typeName(x);

    it('lays out a struct with every kind of field', () => {
      const st = smp.program.model.structs.get('counters')!;
      assert.deepEqual(st.fields.map(f => [f.name, t(f.type)]), [
        ['nr', 'int'],
        ['total', 'long'],
        ['flags', 'unsigned int'],
        ['mask', 'unsigned long'],
        ['busy', 'bool'],
        ['last', 'struct page *'],
        ['hist', 'int[4]'],
        ['stats', 'struct stats'],
        ['list', 'struct list_head'],
        ['lock', 'spinlock_t'],
        ['llock', 'local_lock_t'],
      ]);
      const types = readFixture('constructs-types.kc');
      assert.deepEqual(rangeOnly(st.fieldMap.get('hist')!.range!), locate(types, 'hist'));
    });

    it('defines enums, typedefs, globals and per-CPU variables', () => {
      const m = smp.program.model;
      assert.deepEqual(['WALK_FORWARD', 'WALK_SAFE', 'WALK_REVERSE'].map(n => m.enumConsts.get(n)), [0, 4, 5]);
      assert.equal(m.typedefs.get('counters_t'), m.structs.get('counters'));
      assert.equal(t(m.typedefs.get('walk_mode_t')), 'int');
      assert.equal(t(m.typedefs.get('pfn_t')), 'unsigned long');
      assert.deepEqual(m.globals.map(g => [g.name, t(g.type.resolved)]), [
        ['nr_calls', 'int'],
        ['counter_allocs', 'long'],
        ['last_pfn', 'unsigned long'],
        ['spare_pages', 'struct list_head'],
        ['free_later', 'struct list_head'],
        ['stats_by_cpu', 'struct counters[4]'],
        ['model_name', 'char *'],
      ]);
      assert.equal(m.globals.find(g => g.name === 'free_later')!.emptyList, true);
      assert.deepEqual(m.percpu.map(p => [p.name, t(p.type.resolved)]), [
        ['pagesets', 'struct pagesets'],
        ['pcp_counters', 'struct counters'],
      ]);
    });

    it('accepts static, inline, __always_inline and __maybe_unused, and variadic prototypes', () => {
      const add = fn(smp, 'helper_add');
      assert.equal(add.isStatic, true);
      assert.deepEqual(add.params.map(p => p.name), ['a', 'b']);
      assert.deepEqual(rangeOnly(add.nameRange), locate(modelText, 'helper_add'));
      assert.equal(add.range.line, locate(modelText, 'static inline __always_inline').line);
      assert.equal(add.range.column, 1);
      const log = fn(smp, 'varargs_log');
      assert.equal(log.variadic, true);
      assert.equal(fn(smp, 'alloc_pages').isStatic, false);
    });
  });

  describe('statements', () => {
    it('parses blocks, locals, if/else, loops, switch, break, continue, return, goto and labels', () => {
      const body = fn(smp, 'statements').body!.body;
      assert.deepEqual(body.map(s => s.kind), ['DeclStmt', 'Block', 'If', 'While', 'DoWhile', 'For', 'For', 'Switch', 'If', 'ExprStmt', 'Label']);
      const decl = body[0] as A.DeclStmt;
      assert.deepEqual(decl.decls.map(d => [d.name, d.init ? (d.init as A.NumberLit).value : undefined]), [['i', undefined], ['sum', 0]]);
      const ifs = body[2] as A.IfStmt;
      assert.equal(ifs.else?.kind, 'If');
      assert.equal((ifs.else as A.IfStmt).else?.kind, 'ExprStmt');
      assert.equal((body[5] as A.ForStmt).init?.kind, 'ExprStmt');
      assert.equal((body[6] as A.ForStmt).init?.kind, 'DeclStmt');
      const kinds = new Set(nodes(body).map(n => n.kind));
      for (const k of ['Break', 'Continue', 'Return', 'Goto', 'Label', 'Case']) assert.ok(kinds.has(k), `no ${k} statement`);
      const f = fn(smp, 'statements');
      assert.deepEqual([...f.labels!.keys()], ['out']);
      const label = body[10] as A.LabelStmt;
      assert.equal(label.body.kind, 'Return');
    });

    it('gives statements exact multi-line ranges', () => {
      const body = fn(smp, 'statements').body!.body;
      const w = body[3] as A.WhileStmt;
      const start = locate(modelText, 'while (sum > 100) {');
      const end = locate(modelText, '\t}\n\tdo {');
      assert.deepEqual(rangeOnly(w.range), { line: start.line, column: start.column, endLine: end.line, endColumn: 3 });
      const goto = nodes(body).find((n): n is A.GotoStmt => n.kind === 'Goto')!;
      assert.deepEqual(rangeOnly(goto.range), locate(modelText, 'goto out;'));
      const g = locate(modelText, 'goto out;');
      assert.deepEqual(rangeOnly(goto.labelRange), { line: g.line, column: g.column + 5, endLine: g.line, endColumn: g.column + 8 });
    });
  });

  describe('expressions', () => {
    it('parses every expression form of languages.md', () => {
      const all = nodes(fn(smp, 'expressions').body);
      const kinds = new Set(all.map(n => n.kind));
      for (const k of ['Number', 'Ident', 'Unary', 'Postfix', 'Binary', 'Assign', 'Ternary', 'Comma', 'Call', 'Member', 'Index', 'Cast', 'SizeOf']) {
        assert.ok(kinds.has(k), `no ${k} expression`);
      }
      const ops = (kind: string) => new Set(all.filter(n => n.kind === kind).map(n => n.op as string));
      const binary = ops('Binary');
      for (const op of ['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '&&', '||', '==', '!=', '<', '>', '<=', '>=']) assert.ok(binary.has(op), `no binary ${op}`);
      const assign = ops('Assign');
      for (const op of ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']) assert.ok(assign.has(op), `no assignment ${op}`);
      const unary = ops('Unary');
      for (const op of ['-', '+', '!', '~', '*', '&', '++', '--']) assert.ok(unary.has(op), `no unary ${op}`);
      assert.deepEqual([...ops('Postfix')].sort(), ['++', '--']);
      const members = all.filter((n): n is A.Member => n.kind === 'Member');
      assert.ok(members.some(m => m.arrow) && members.some(m => !m.arrow), 'both . and ->');
      const sizes = all.filter((n): n is A.SizeOf => n.kind === 'SizeOf');
      assert.ok(sizes.some(s => s.of.kind === 'TypeSpec') && sizes.some(s => s.of.kind !== 'TypeSpec'), 'sizeof of a type and of an expression');
    });

    it('types expressions: literals, NULL, true/false, casts, sizeof of model types', () => {
      const all = nodes(fn(smp, 'expressions').body);
      const nums = all.filter((n): n is A.NumberLit => n.kind === 'Number');
      const byText = (s: string) => nums.find(n => n.text === s)!;
      assert.equal(byText('true').value, 1);
      assert.equal(byText('false').value, 0);
      assert.equal(byText("'a'").value, 97);
      assert.equal(byText('0x10').value, 16);
      assert.equal(byText('010').value, 8);
      assert.equal(byText('0b11').value, 3);
      assert.equal(typeName(byText('5UL').type), 'unsigned long');
      const sz = all.filter((n): n is A.SizeOf => n.kind === 'SizeOf');
      // struct counters: 4+8+4+8+1+8+16+16+16+4+4 bytes, as the engine lays it out (LP64, unpadded)
      assert.deepEqual(sz.map(s => s.value), [89, 89, 4]);
      const none = fn(smp, 'expressions').body!.body.find(s => s.kind === 'DeclStmt' && s.decls[0].name === 'none') as A.DeclStmt;
      assert.equal(none.decls[0].init!.kind, 'Cast'); // NULL is ((void *)0)
      assert.equal(typeName((none.decls[0].init as A.Cast).type), 'void *');
    });

    it('resolves members, & of fields and locals and * of pointers to their types', () => {
      const all = nodes(fn(smp, 'expressions').body);
      const member = all.find((n): n is A.Member => n.kind === 'Member' && n.name === 'frees')!;
      assert.equal(typeName(member.type), 'long');
      assert.equal(member.field?.owner.tag, 'stats');
      assert.deepEqual(rangeOnly(member.range), locate(modelText, 'cp->stats.frees'));
      assert.deepEqual(rangeOnly(member.nameRange), locate(modelText, 'frees', 0));
      const addrs = all.filter((n): n is A.Unary => n.kind === 'Unary' && n.op === '&');
      assert.deepEqual(addrs.map(a => typeName(a.type)), ['int *', 'struct counters *', 'int *']);
      const deref = all.find((n): n is A.Unary => n.kind === 'Unary' && n.op === '*')!;
      assert.equal(typeName(deref.type), 'int');
    });

    it('gives a call inside a function its exact range, and its callee and arguments theirs', () => {
      const ret = fn(smp, 'run_all').body!.body[0] as A.ReturnStmt;
      const calls = nodes(ret).filter((n): n is A.Call => n.kind === 'Call');
      const call = calls.find(c => c.callee.name === 'expressions')!;
      assert.deepEqual(rangeOnly(call.range), locate(modelText, 'expressions(n, 2)'));
      const whole = locate(modelText, 'expressions(n, 2)');
      assert.deepEqual(rangeOnly(call.calleeRange), { ...whole, endColumn: whole.column + 'expressions'.length });
      const [n, two] = call.args as A.Expr[];
      assert.deepEqual(rangeOnly(n.range), { line: whole.line, column: whole.column + 12, endLine: whole.line, endColumn: whole.column + 13 });
      assert.deepEqual(rangeOnly(two.range), { line: whole.line, column: whole.column + 15, endLine: whole.line, endColumn: whole.column + 16 });
      // a parenthesised binary expression covers its parentheses
      const cmp = nodes(ret).find((n): n is A.Binary => n.kind === 'Binary' && n.op === '!=')!;
      assert.deepEqual(rangeOnly(cmp.range), locate(modelText, '(model_name != NULL)'));
    });
  });

  describe('builtins', () => {
    it('resolves every builtin the language lists as a builtin', () => {
      const calls = new Set<string>();
      for (const f of smp.program.model.functions.values()) {
        for (const n of nodes(f.body)) {
          if (n.kind === 'Call' && (n as A.Call).callee.sym?.kind === 'builtin') calls.add((n as A.Call).callee.name);
          if (n.kind === 'ForEach') calls.add((n as A.ForEachStmt).iterator);
        }
      }
      const wanted = [
        'spin_lock', 'spin_unlock', 'spin_trylock', 'spin_lock_irqsave', 'spin_unlock_irqrestore',
        'local_lock', 'local_unlock', 'local_lock_irqsave', 'local_unlock_irqrestore',
        'local_irq_save', 'local_irq_restore', 'local_irq_disable', 'local_irq_enable', 'preempt_disable', 'preempt_enable',
        'list_add', 'list_add_tail', 'list_del', 'list_empty', 'list_move_tail', 'INIT_LIST_HEAD', 'list_first_entry_or_null',
        'list_for_each_entry', 'list_for_each_entry_safe', 'list_for_each_entry_reverse',
        'this_cpu_ptr', 'per_cpu_ptr', 'raw_cpu_ptr', 'smp_processor_id', 'for_each_online_cpu', 'for_each_populated_zone',
        'READ_ONCE', 'WRITE_ONCE', 'likely', 'unlikely', 'min', 'max',
        'BUG_ON', 'VM_BUG_ON', 'WARN_ON', 'WARN_ON_ONCE', 'lockdep_assert_held', 'lockdep_assert_irqs_disabled',
        'page_to_pfn', 'pfn_to_page', 'page_zone', 'PageBuddy', '__SetPageBuddy', '__ClearPageBuddy', 'buddy_order',
        'set_buddy_order', 'set_page_private',
        'trace_mm_page_alloc', 'trace_mm_page_free', 'trace_mm_page_free_batched', 'trace_mm_page_pcpu_drain', 'trace_mm_page_alloc_zone_locked',
      ];
      assert.deepEqual(wanted.filter(w => !calls.has(w)), []);
    });

    it('types per-CPU access and list iteration', () => {
      const body = fn(smp, 'lists_and_locks').body!;
      const all = nodes(body);
      const thisCpu = all.find((n): n is A.Call => n.kind === 'Call' && n.callee.name === 'this_cpu_ptr')!;
      assert.equal(typeName(thisCpu.type), 'struct per_cpu_pages *');
      const each = all.filter((n): n is A.ForEachStmt => n.kind === 'ForEach').map(s => s.iterator);
      assert.deepEqual(each, ['list_for_each_entry', 'list_for_each_entry_reverse', 'list_for_each_entry_safe', 'for_each_online_cpu']);
      const first = all.find((n): n is A.ForEachStmt => n.kind === 'ForEach')!;
      assert.deepEqual(rangeOnly(first.iteratorRange), locate(modelText, 'list_for_each_entry'));
      assert.equal(first.range.line, first.body.range.line - 1, 'the loop covers its body on the next line');
    });
  });

  it('formats a diagnostic as path:line:column: severity: message', () => {
    const d = { file: '/x/y.kc', line: 3, column: 7, endLine: 3, endColumn: 9, severity: 'error' as const, code: 'C001', message: 'oops' };
    assert.equal(formatDiagnostic(d), '/x/y.kc:3:7: error: oops');
    assert.equal(path.isAbsolute(smp.program.modelFile), true);
  });
});
