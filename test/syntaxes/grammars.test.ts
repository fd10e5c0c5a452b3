// The TextMate grammars, run in VS Code's own engine (vscode-textmate + Oniguruma)
// on fixture files: the scopes a theme colours are the ones a kernel developer expects.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILTINS, FINDING_KIND_IDS } from '../../src/engine';
import type { BuiltinCategory } from '../../src/engine';
import { root, scopesOf, Token, tokenize } from './tokenize';

const fixtures = path.join(root, 'test', 'fixtures', 'syntaxes');

function has(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`));
}

function assertScope(scopes: string[], prefix: string, what: string): void {
  assert.ok(has(scopes, prefix), `${what}: expected a ${prefix} scope, got ${scopes.join(' ')}`);
}

/** Which support.function scope each builtin category gets: lock/IRQ/preempt apart from the rest. */
const CATEGORY_SCOPE: Record<BuiltinCategory, string> = {
  spinlock: 'support.function.lock',
  local_lock: 'support.function.lock',
  irq: 'support.function.irq',
  context: 'support.function.irq',
  preempt: 'support.function.preempt',
  sleep: 'support.function.preempt',
  lockdep: 'support.function.lockdep',
  percpu: 'support.function.percpu',
  'cpu-iter': 'support.function.percpu',
  list: 'support.function.list',
  'list-iter': 'support.function.list',
  'zone-iter': 'support.function.mm',
  page: 'support.function.mm',
  zone: 'support.function.mm',
  assert: 'support.function.assert',
  trace: 'support.function.trace',
  compiler: 'support.function.builtin',
  math: 'support.function.builtin',
};

describe('grammar kernel-c (VS Code TextMate engine)', () => {
  const text = fs.readFileSync(path.join(fixtures, 'sample.kc'), 'utf8');
  const lines = text.split('\n');
  let tokens: Token[];
  const at = (tok: string, onLine?: string) => scopesOf(tokens, tok, onLine, lines);

  before(async () => {
    tokens = await tokenize('source.kernel-c', text);
  });

  it('scopes comments, block and line', () => {
    assertScope(at(' A small model for the grammar test: every construct the grammar scopes. '), 'comment.block', 'header comment');
    assertScope(at(' an ordinary model call'), 'comment.line.double-slash', 'line comment');
  });

  it('scopes preprocessor directives, include paths, macro names and CONFIG_ symbols', () => {
    assertScope(at('include'), 'keyword.control.directive.include', '#include');
    assertScope(at('"common/buddy.kc"'), 'string.quoted.double.include', 'include path');
    assertScope(at('PCP_BATCH_DEFAULT'), 'entity.name.function.preprocessor', '#define name');
    assertScope(at('if', '#if'), 'keyword.control.directive.conditional', '#if');
    assertScope(at('defined'), 'keyword.control.directive.defined', 'defined()');
    assertScope(at('IS_ENABLED'), 'keyword.control.directive.defined', 'IS_ENABLED()');
    assertScope(at('CONFIG_PREEMPT_RT'), 'constant.other.config', 'CONFIG_ symbol');
    assertScope(at('endif'), 'keyword.control.directive.conditional', '#endif');
  });

  it('scopes types, struct tags, lock types and storage modifiers', () => {
    assertScope(at('struct', 'struct pagesets {'), 'storage.type.struct', 'struct');
    assertScope(at('pagesets', 'struct pagesets {'), 'entity.name.type.struct', 'struct tag');
    assertScope(at('local_lock_t'), 'support.type.lock', 'local_lock_t');
    assertScope(at('static', 'nr_refills'), 'storage.modifier', 'static');
    assertScope(at('unsigned', 'nr_refills'), 'storage.type', 'unsigned');
    assertScope(at('u32'), 'support.type', 'u32');
  });

  it('scopes numbers, strings, escapes and language constants', () => {
    assertScope(at('0x10UL'), 'constant.numeric.hex', 'hex literal');
    assertScope(at('31'), 'constant.numeric.decimal', 'decimal literal');
    assertScope(at('oops'), 'string.quoted.double', 'string');
    assertScope(at('\\n'), 'constant.character.escape', 'escape');
    assertScope(at('NULL'), 'constant.language', 'NULL');
  });

  it('scopes control keywords, the definition of a function and ordinary calls', () => {
    assertScope(at('if', 'list_empty'), 'keyword.control', 'if');
    assertScope(at('return'), 'keyword.control', 'return');
    assertScope(at('rmqueue_pcplist'), 'entity.name.function.definition', 'function definition');
    const call = at('free_pcppages_bulk');
    assertScope(call, 'entity.name.function.call', 'model call');
    assert.ok(!has(call, 'support.function'), `an ordinary call is not a primitive: ${call.join(' ')}`);
  });

  it('scopes lock, IRQ and preempt primitives apart from ordinary calls', () => {
    assertScope(at('local_lock_irqsave'), 'support.function.lock', 'local_lock_irqsave');
    assertScope(at('spin_lock'), 'support.function.lock', 'spin_lock');
    assertScope(at('spin_unlock'), 'support.function.lock', 'spin_unlock');
    assertScope(at('local_unlock_irqrestore'), 'support.function.lock', 'local_unlock_irqrestore');
    assertScope(at('local_irq_save'), 'support.function.irq', 'local_irq_save in a macro body');
    assertScope(at('preempt_disable'), 'support.function.preempt', 'preempt_disable');
    assertScope(at('this_cpu_ptr'), 'support.function.percpu', 'this_cpu_ptr');
    assertScope(at('list_first_entry'), 'support.function.list', 'list_first_entry');
    assertScope(at('VM_BUG_ON'), 'support.function.assert', 'VM_BUG_ON');
    assertScope(at('trace_mm_page_alloc'), 'support.function.trace', 'trace_mm_page_alloc');
    assertScope(at('DEFINE_PER_CPU'), 'support.function.percpu', 'DEFINE_PER_CPU');
    assertScope(at('pcp_list', 'list_del'), 'variable.other.member', 'member after ->');
  });

  it('scopes every builtin of the engine by its category, and a longer model name as an ordinary call', async () => {
    const names = [...BUILTINS.keys()];
    const body = names.map((n) => `\t${n}(x);`).join('\n');
    const toks = await tokenize('source.kernel-c', `void f(void)\n{\n${body}\n\t${names.map((n) => `${n}_model(x);`).join(' ')}\n}\n`);
    for (const b of BUILTINS.values()) {
      const expected = CATEGORY_SCOPE[b.category];
      assert.ok(expected, `builtin category ${b.category} has no grammar scope`);
      const tok = toks.find((t) => t.text === b.name);
      assert.ok(tok, `${b.name} is not a token of its own`);
      assertScope(tok.scopes, expected, `builtin ${b.name} (${b.category})`);
      const lookalike = toks.find((t) => t.text === `${b.name}_model`);
      assert.ok(lookalike && !has(lookalike.scopes, 'support.function'), `${b.name}_model is scoped as a primitive`);
    }
  });
});

describe('grammar lockstep (VS Code TextMate engine)', () => {
  const text = fs.readFileSync(path.join(fixtures, 'sample.lockstep'), 'utf8');
  const lines = text.split('\n');
  let tokens: Token[];
  const at = (tok: string, onLine?: string) => scopesOf(tokens, tok, onLine, lines);

  before(async () => {
    tokens = await tokenize('source.lockstep', text);
  });

  it('scopes the declarations of a scenario', () => {
    for (const kw of ['scenario', 'model', 'config', 'cpus', 'zone', 'pcp', 'task', 'irq', 'expect']) {
      assertScope(at(kw), 'keyword.other.declaration', kw);
    }
    assertScope(at('"grammar sample: IRQ allocation while the task holds the pcp list"'), 'string.quoted.double', 'title');
    assertScope(at('pcp-spinlock-v1'), 'entity.name.type.model', 'model name');
    assertScope(at(' a bundled model'), 'comment.line.double-slash', 'comment after a declaration');
    assertScope(at(' expectations '), 'comment.block', 'block comment');
  });

  it('scopes configuration names and values', () => {
    assertScope(at('UP'), 'constant.language.config', 'UP');
    assertScope(at('PREEMPT_RT'), 'constant.language.config', 'PREEMPT_RT');
    assertScope(at('off'), 'constant.language.boolean', 'off');
    assertScope(at('CONFIG_NR_ZONES'), 'constant.other.config', 'CONFIG_ symbol');
  });

  it('scopes zones, pcp lines, migratetypes and numbers', () => {
    assertScope(at('Normal', 'zone Normal pages'), 'entity.name.zone', 'zone name');
    assertScope(at('pages', 'zone Normal'), 'keyword.other.attribute', 'pages');
    assertScope(at('256'), 'constant.numeric', 'page count');
    assertScope(at('reclaimable'), 'constant.language.migratetype', 'reclaimable');
    assertScope(at('Normal', 'pcp cpu'), 'variable.other.zone', 'zone named on a pcp line');
    assertScope(at('movable', 'pcp cpu'), 'constant.language.migratetype', 'movable');
    assertScope(at('order', 'pcp cpu'), 'keyword.other.attribute', 'order');
  });

  it('scopes task and irq headers and their Kernel C bodies with the kernel-c grammar', () => {
    assertScope(at('cpu', 'task cpu'), 'keyword.other.attribute', 'cpu');
    assertScope(at('times'), 'keyword.other.attribute', 'times');
    assertScope(at('alloc_pages', 'GFP_KERNEL'), 'entity.name.function.call.kernel-c', 'model call in a task');
    assertScope(at('spin_lock', 'spin_lock('), 'support.function.lock.kernel-c', 'spin_lock in a task');
    assertScope(at('local_irq_disable'), 'support.function.irq.kernel-c', 'local_irq_disable in an irq block');
    assertScope(at('GFP_ATOMIC'), 'constant.other.macro.kernel-c', 'GFP flag');
    // a nested block inside a task does not end the task's body
    const free = tokens.find((t) => t.text === '__free_pages');
    assert.ok(free && has(free.scopes, 'meta.block.kernel-c.lockstep'), 'statement after a nested block left the task body');
  });

  it('scopes every finding kind in expect lines and marks an unknown one', () => {
    assertScope(at('deadlock'), 'constant.language.finding-kind', 'deadlock');
    assertScope(at('no', 'expect no deadlock'), 'keyword.other.expect', 'no');
    assertScope(at('finding', 'mutual-exclusion'), 'keyword.other.expect', 'finding');
    assertScope(at('no-such-kind'), 'invalid.illegal.finding-kind', 'unknown kind');
    assertScope(at('conserved'), 'keyword.other.expect', 'pages conserved');
    assertScope(at('bogus'), 'invalid.illegal.declaration', 'unknown declaration');
  });

  it('scopes each finding kind of the engine as one token', async () => {
    const toks = await tokenize('source.lockstep', FINDING_KIND_IDS.map((k) => `expect finding ${k}`).join('\n'));
    for (const k of FINDING_KIND_IDS) {
      const tok = toks.find((t) => t.text === k);
      assert.ok(tok, `${k} is not one token`);
      assertScope(tok.scopes, 'constant.language.finding-kind', k);
    }
  });
});
