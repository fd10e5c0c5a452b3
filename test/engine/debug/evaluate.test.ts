// The debugger's expressions and values over real machine states: a frame inside the
// v6.1 allocator's rmqueue_pcplist, the pcp lists of both CPUs as machineState() shows
// them, what-if edits, and every kind of bad input coming back as an EvalError.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import {
  loadScenario, Machine, machineState, evaluate, evaluateCondition, assign, frameLocals, childrenOf, childCount, EvalError,
  checkExpression, dataSignature, runScenario, completions, expressionAt,
  CheckedProgram, EvalScope, Context,
} from '../../../src/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function load(file: string): CheckedProgram {
  const { program, diagnostics } = loadScenario(path.join(ROOT, 'examples', file));
  assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
  return program!;
}

/** A scenario of our own, written beside the examples so the bundled models resolve. */
function loadText(text: string): CheckedProgram {
  const file = path.join(ROOT, 'examples', '__eval-test__.lockstep');
  const { program, diagnostics } = loadScenario(file, { readFile: f => (f === file ? text : fs.readFileSync(f, 'utf8')) });
  assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
  return program!;
}

const fnNames = (ctx: Context) => ctx.frames.map(f => f.fn.name);

/** Steps one CPU until its innermost frame is `fn` (and `until` holds), failing after `max` steps. */
function stepInto(m: Machine, cpu: number, fn: string, until: (m: Machine) => boolean = () => true, max = 5000): Context {
  for (let i = 0; i < max; i++) {
    const ctx = m.cpus[cpu].task;
    const top = ctx.frames[ctx.frames.length - 1];
    if (top?.fn.name === fn && until(m)) return ctx;
    assert.ok(m.stepCpu(cpu), `CPU ${cpu} cannot step before reaching ${fn}`);
  }
  throw new Error(`CPU ${cpu} never reached ${fn}`);
}

function runToEnd(m: Machine, cpu: number): void {
  for (let i = 0; i < 100000 && m.canStep(cpu); i++) m.stepCpu(cpu);
}

function evalError(scope: EvalScope, text: string): EvalError {
  try {
    evaluate(scope, text);
  } catch (e) {
    assert.ok(e instanceof EvalError, `'${text}' threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail(`'${text}' evaluated without an error`);
}

describe('debugger: evaluate and values (v6.1 refill example)', () => {
  const program = load('refill-v6.1.lockstep');

  /** CPU 1 ran its whole task (its pcp list 0 holds a refilled batch); CPU 0 stands inside __rmqueue_pcplist. */
  function stopped(): { m: Machine; ctx: Context; scope: EvalScope } {
    const m = new Machine(program);
    runToEnd(m, 1);
    const ctx = stepInto(m, 0, '__rmqueue_pcplist');
    return { m, ctx, scope: { machine: m, context: ctx, frame: 1 } };
  }

  it('shows the parameters and locals of rmqueue_pcplist, parameters first', () => {
    const { ctx, scope } = stopped();
    assert.deepEqual(fnNames(ctx).slice(-2), ['rmqueue_pcplist', '__rmqueue_pcplist']);
    const locals = frameLocals(scope);
    const names = locals.map(l => l.name);
    assert.deepEqual(names.slice(0, 6), ['preferred_zone', 'zone', 'order', 'gfp_flags', 'migratetype', 'alloc_flags']);
    for (const n of ['pcp', 'list', 'page', 'flags']) assert.ok(names.includes(n), `${n} missing from ${names}`);
    const byName = new Map(locals.map(l => [l.name, l.value]));
    assert.equal(byName.get('zone')!.display, `(struct zone *) ${byName.get('zone')!.display.split(' ')[3]} Normal`);
    assert.match(byName.get('pcp')!.display, /^\(struct per_cpu_pages \*\) 0x[0-9a-f]+ CPU 0 Normal pcp$/);
    assert.equal(byName.get('page')!.display, 'NULL');
    assert.equal(byName.get('migratetype')!.display, '0 (MIGRATE_UNMOVABLE)');
    assert.equal(byName.get('gfp_flags')!.display, `${evaluate({ machine: scope.machine }, 'GFP_KERNEL').numeric} (GFP_KERNEL)`);
    // spin_lock_irqsave saved IRQs-on flags
    assert.equal(byName.get('flags')!.display, '512 (X86_EFLAGS_IF)');
    // the innermost frame has its own locals, and the task block its own
    assert.ok(frameLocals({ ...scope, frame: 0 }).some(l => l.name === 'list'));
    const block = frameLocals({ ...scope, frame: ctx.frames.length - 1 }).map(l => l.name);
    assert.deepEqual(block.slice(0, 3), ['pcp', 'empty', 'before']);
  });

  it('reads pcp->count, zone->free_area[0].nr_free and pcp->high as machineState() reports them', () => {
    const { m, scope } = stopped();
    const st = machineState(m).zones[0];
    const count = evaluate(scope, 'pcp->count');
    assert.equal(count.typeName, 'int');
    assert.equal(count.numeric, st.pcp[0].count);
    assert.equal(count.display, String(st.pcp[0].count));
    assert.equal(count.cells, 1);
    assert.equal(m.mem[count.addr!], st.pcp[0].count);
    assert.equal(evaluate(scope, 'zone->free_area[0].nr_free').numeric, st.nrFree[0]);
    assert.equal(evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->count').numeric, st.pcp[1].count);
    assert.equal(evaluate(scope, 'Normal->per_cpu_pageset == zone->per_cpu_pageset').numeric, 1);
    assert.equal(evaluate(scope, 'this_cpu_ptr(zone->per_cpu_pageset) == pcp').numeric, 1);
    assert.equal(evaluate(scope, 'pcp->high - pcp->batch * 2').numeric, st.pcp[0].high - st.pcp[0].batch * 2);
    assert.equal(evaluate(scope, 'smp_processor_id()').numeric, 0);
    assert.equal(evaluate(scope, 'irqs_disabled()').display, 'true');
    assert.equal(evaluateCondition(scope, 'pcp->count == 0 && pcp != NULL'), st.pcp[0].count === 0);
  });

  it("expands CPU 1's list 0 into the pages machineState() lists, with order and migratetype", () => {
    const { m, scope } = stopped();
    const want = machineState(m).zones[0].pcp[1].lists.find(l => l.pindex === 0)!;
    assert.ok(want && want.pfns.length > 0, 'CPU 1 should hold a refilled batch');
    const v = evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lists[0]');
    assert.equal(v.typeName, 'struct list_head');
    assert.equal(v.isList, true);
    assert.equal(v.display, `list: ${want.pfns.length} entries`);
    assert.equal(childCount(m, v), want.pfns.length);
    const kids = childrenOf(m, v);
    assert.deepEqual(kids.map(k => k.value.display.split(',')[0]), want.pfns.map(p => `pfn ${p}`));
    assert.equal(kids[0].value.display, `pfn ${want.pfns[0]}, order 0, MIGRATE_UNMOVABLE`);
    assert.equal(kids[0].value.typeName, 'struct page *');
    // values are plain data an adapter can log
    assert.doesNotThrow(() => JSON.stringify([v, kids, evaluate(scope, '*pcp'), childrenOf(m, kids[0].value)]));
    // an entry expands into its struct page, and its evaluateName evaluates back to it
    const fields = childrenOf(m, kids[0].value).map(k => k.name);
    assert.deepEqual(fields.slice(0, 2), ['pfn', 'flags']);
    assert.equal(evaluate(scope, kids[0].value.evaluateName!).numeric, kids[0].value.numeric);
    // a page pointer says which list the page is on now
    assert.equal(evaluate(scope, kids[0].value.evaluateName!).display.replace(/0x[0-9a-f]+/, 'ADDR'),
      `(struct page *) ADDR pfn ${want.pfns[0]} Normal, on CPU 1 Normal pcp->lists[0]`);
    // paging
    assert.deepEqual(childrenOf(m, v, 2, 3).map(k => k.name), ['[2]', '[3]', '[4]'].slice(0, Math.max(0, Math.min(3, want.pfns.length - 2))));
    // the array of lists, and a pointer to one
    const lists = evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lists');
    assert.equal(childCount(m, lists), 15);
    assert.match(childrenOf(m, lists, 0, 1)[0].value.display, /^list: \d+ entries \(order 0, MIGRATE_UNMOVABLE\)$/);
    const p = evaluate(scope, '&per_cpu_ptr(zone->per_cpu_pageset, 1)->lists[0]');
    assert.equal(p.isList, true);
    assert.deepEqual(childrenOf(m, p).map(k => k.value.numeric), kids.map(k => k.value.numeric));
  });

  it('shows locks by their holder and the free lists by order', () => {
    const { m, scope } = stopped();
    const lock = evaluate(scope, 'pcp->lock');
    assert.equal(lock.typeName, 'spinlock_t');
    assert.equal(lock.display, 'locked by CPU 0 task');
    assert.match(childrenOf(m, lock).find(k => k.name === 'taken at')!.value.display, /^v6\.1\.kc:\d+:\d+ \(step \d+\)$/);
    assert.equal(evaluate(scope, 'zone->lock').display, 'unlocked');
    assert.equal(evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lock').display, 'unlocked');
    assert.ok(childrenOf(m, lock).some(k => k.name === 'holder' && k.value.display === 'CPU 0 task'));
    const st = machineState(m).zones[0];
    const fa = evaluate(scope, 'zone->free_area');
    assert.equal(childCount(m, fa), 11);
    const order = st.nrFree.findIndex(n => n > 0);
    const mt = evaluate(scope, `zone->free_area[${order}].free_list[MIGRATE_MOVABLE]`);
    assert.equal(childCount(m, mt), st.nrFree[order]);
    assert.match(childrenOf(m, mt, 0, 1)[0].value.display, new RegExp(`^pfn \\d+, order ${order}, MIGRATE_MOVABLE$`));
  });

  it('completes members from the object\'s type and names in scope (debug console)', () => {
    const { scope } = stopped();
    const labels = (t: string, col?: number) => completions(scope, t, col).map(c => c.label);
    assert.deepEqual(labels('pcp->'), ['lock', 'count', 'high', 'batch', 'free_factor', 'expire', 'lists']);
    assert.deepEqual(labels('pcp->co'), ['count']);
    assert.deepEqual(labels('per_cpu_ptr(zone->per_cpu_pageset, 1)->li'), ['lists']);
    assert.deepEqual(labels('zone->free_area[order].n'), ['nr_free']);
    assert.deepEqual(labels('(*pcp).h'), ['high']);
    assert.ok(labels('pc').includes('pcp'));
    assert.ok(!labels('pc').includes('pcp_spin_lock_irqsave'), 'a lock-taking macro is no watch expression');
    assert.ok(labels('MIGRATE_M').includes('MIGRATE_MOVABLE'));
    assert.ok(labels('Nor').includes('Normal'));
    assert.deepEqual(labels('pcp->co + 1', 8), ['count']);
    assert.deepEqual(labels('nothing->'), []);
    assert.deepEqual(labels('order->'), []);
  });

  it('finds the expression under a hover in a source line, and it evaluates', () => {
    const { scope } = stopped();
    const line = '\tif (pcp->count >= pcp->high && zone->free_area[order].nr_free) list = &pcp->lists[order];';
    const at = (word: string, offset = 1) => expressionAt(line, line.indexOf(word) + offset);
    assert.deepEqual(at('count'), { text: 'pcp->count', start: 6, end: 16 });
    assert.equal(at('nr_free')!.text, 'zone->free_area[order].nr_free');
    assert.equal(at('order]')!.text, 'order');
    assert.equal(at('order];', 6)!.text, 'pcp->lists[order]');
    assert.equal(at('if'), undefined);
    assert.equal(at('>='), undefined);
    for (const w of ['count', 'nr_free', 'order];']) {
      const e = at(w, w === 'order];' ? 6 : 1)!;
      assert.equal(line.slice(e.start - 1, e.end - 1), e.text);
      evaluate(scope, e.text);
    }
  });

  it('shows a corrupted list as far as it goes, and why it stops', () => {
    const { m, scope } = stopped();
    const v = evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lists[0]');
    const n = childCount(m, v);
    assert.ok(n >= 3);
    const third = childrenOf(m, v, 2, 1)[0].value;
    // what list_del leaves in a node's next pointer, written into the third page's lru.next
    m.mem[evaluate(scope, `&${third.evaluateName}->lru`).numeric!] = 0xdead000000000100;
    m.memChanged();
    const after = evaluate(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lists[0]');
    assert.equal(after.display, 'list: 3 entries, then broken: a next pointer is LIST_POISON1 (an entry was deleted while linked)');
    assert.equal(childCount(m, after), 3);
    assert.equal(childrenOf(m, evaluate(scope, `${third.evaluateName}->lru`))[0].value.display, '(struct list_head *) LIST_POISON1');
  });

  it('shows a contended zone->lock with its holder and its spinning waiter', () => {
    const m = new Machine(program);
    const g: EvalScope = { machine: m };
    for (let i = 0; i < 5000 && !evaluate(g, 'Normal->lock').display.startsWith('locked by CPU 0'); i++) m.stepCpu(0);
    assert.equal(evaluate(g, 'Normal->lock').display, 'locked by CPU 0 task');
    assert.equal(evaluate(g, 'spin_is_locked(&Normal->lock)').display, 'true');
    for (let i = 0; i < 5000 && m.contexts[1].waitingOn === 0; i++) m.stepCpu(1);
    const lock = evaluate(g, 'zone->lock');
    assert.equal(lock.display, 'locked by CPU 0 task; waiters: CPU 1 task');
    const kids = childrenOf(m, lock);
    assert.ok(kids.some(k => k.name === 'waiter' && k.value.display === 'CPU 1 task (spinning)'));
    // lockdep: zone->lock is taken with IRQs off under pcp->lock in v6.1's refill
    assert.ok(kids.some(k => k.name === 'lockdep: taken inside' && /pcp->lock/.test(k.value.display)), kids.map(k => k.name).join());
    assert.equal(childCount(m, lock), kids.length);
  });

  it('assigns pcp->high in the machine memory, with C wrap-around of the field type', () => {
    const { m, scope } = stopped();
    const v = assign(scope, 'pcp->high', '1000');
    assert.equal(v.numeric, 1000);
    assert.equal(machineState(m).zones[0].pcp[0].high, 1000);
    assert.equal(evaluate(scope, 'pcp->high').display, '1000');
    assert.equal(assign(scope, 'pcp->high', '0x100000000 + 7').numeric, 7);     // int: 32 bits
    assert.equal(assign(scope, 'pcp->free_factor', '70000').numeric, 70000 - 65536); // short: 16 bits
    assign(scope, 'per_cpu_ptr(zone->per_cpu_pageset, 1)->batch', 'pcp->batch * 2');
    assert.equal(machineState(m).zones[0].pcp[1].batch, machineState(m).zones[0].pcp[0].batch * 2);
    assert.throws(() => assign(scope, 'pcp->lists[0]', '1'), (e: EvalError) => e instanceof EvalError && /only integer/.test(e.message));
    assert.throws(() => assign(scope, 'pcp->count + 1', '1'), EvalError);
    assert.throws(() => assign(scope, 'pcp->high', 'pcp->lists'), EvalError);
  });

  it('reports errors with a column and a did-you-mean, and never runs side effects', () => {
    const { m, scope } = stopped();
    const before = m.mem.slice();
    const cases: [string, number, RegExp][] = [
      ['pcpp->count', 1, /undeclared identifier 'pcpp'; did you mean 'pcp'\?/],
      ['pcp->cuont', 6, /no member named 'cuont' in 'struct per_cpu_pages'; did you mean 'count'\?/],
      ['pcp->count +', 13, /expected an expression/],
      ['pcp->count )', 12, /expected the end of the expression, found '\)'/],
      ['pcp->count++', 11, /side effects are not allowed in watch expressions/],
      ['pcp->high = 3', 11, /side effects are not allowed in watch expressions/],
      ['1 + alloc_pages(GFP_KERNEL, 0)', 5, /side effects are not allowed in watch expressions.*alloc_pages/],
      ['spin_lock(&zone->lock)', 1, /side effects are not allowed in watch expressions/],
      ['page->private', 1, /NULL pointer dereference: 'page' is NULL/],
      ['pcp->lists[15]', 12, /out of bounds/],
      ['pcp->count / (pcp->high - pcp->high)', 14, /division by zero/],
      ['per_cpu_ptr(zone->per_cpu_pageset, 7)', 36, /CPU 7 does not exist/],
      ['@', 1, /unexpected character '@'/],
    ];
    for (const [text, column, re] of cases) {
      const e = evalError(scope, text);
      assert.match(e.message, re, text);
      assert.equal(e.column, column, `${text}: ${e.message}`);
    }
    assert.deepEqual(m.mem, before, 'evaluation changed the machine');
  });

  it('evaluates without a context (globals and zones) and refuses a frame that does not exist', () => {
    const { m, ctx } = stopped();
    // what the debug console also accepts: a trailing ';', a hex format
    assert.equal(evaluate({ machine: m }, 'Normal->managed_pages;').display, '1024');
    assert.equal(evaluate({ machine: m }, 'Normal->managed_pages,x').display, '0x400');
    assert.equal(evaluate({ machine: m }, 'Normal->managed_pages', { hex: true }).display, '0x400');
    const st = machineState(m).zones[0];
    assert.equal(evaluate({ machine: m }, 'Normal->free_area').display, `nr_free by order: ${st.nrFree.join(' ')}`);
    assert.equal(evaluate({ machine: m }, '*Normal').display, `Normal, ${st.freePages} free pages`);
    assert.equal(evaluate({ machine: m }, 'Normal->managed_pages').numeric, 1024);
    assert.match(evaluate({ machine: m }, 'zone').display, /Normal$/);
    assert.throws(() => evaluate({ machine: m, context: ctx, frame: 99 }, '1'), EvalError);
    assert.throws(() => evaluate({ machine: m }, 'pcp'), EvalError);
  });
});

describe('debugger: per-CPU variables, local locks, interrupts (v5.18 and v6.2 examples)', () => {
  it('PREEMPT_RT: pagesets.lock is a per-CPU local lock shown with its holder', () => {
    const { program } = loadScenario(path.join(ROOT, 'examples', 'b4-remote-drain-zone-pages-v5.18.lockstep'), { config: { PREEMPT_RT: true } });
    const m = new Machine(program!);
    const ctx = stepInto(m, 1, 'free_pcppages_bulk');
    const scope: EvalScope = { machine: m, context: ctx, frame: 1 };
    assert.deepEqual(fnNames(ctx).slice(-2), ['drain_zone_pages', 'free_pcppages_bulk']);
    assert.equal(evaluate(scope, 'pagesets.lock').display, 'locked by CPU 1 task');
    assert.equal(evaluate(scope, 'per_cpu(pagesets, 0).lock').display, 'unlocked');
    assert.equal(evaluate(scope, 'this_cpu_ptr(&pagesets)').display.endsWith('CPU 1 pagesets'), true);
    assert.match(evaluate(scope, '&pagesets').display, /pagesets \(per-CPU\)$/);
    // drain_zone_pages works on CPU 0's pcp from CPU 1
    const pcp = evaluate(scope, 'pcp');
    assert.match(pcp.display, /CPU 0 Normal pcp$/);
    assert.equal(evaluate(scope, 'to_drain').numeric, evaluate(scope, 'min(pcp->count, batch)').numeric);
    // to_drain is drain_zone_pages' local, not free_pcppages_bulk's
    assert.match(evalError({ ...scope, frame: 0 }, 'to_drain').message, /undeclared identifier 'to_drain'/);
    const page = evaluate(scope, 'list_first_entry(&pcp->lists[0], struct page, pcp_list)');
    assert.equal(page.numeric, childrenOf(m, evaluate(scope, 'pcp->lists[0]'), 0, 1)[0].value.numeric);
    assert.equal(evaluate(scope, 'page_to_pfn(list_first_entry(&pcp->lists[0], struct page, pcp_list))').numeric,
      machineState(m).zones[0].pcp[0].lists.find(l => l.pindex === 0)!.pfns[0]);
    assert.equal(evaluate(scope, 'zone->name').display, '"Normal"');
    assert.equal(evaluate(scope, '(enum migratetype)1').display, 'MIGRATE_MOVABLE');
    assert.equal(evaluate(scope, '(enum migratetype)1').typeName, 'enum migratetype');
    assert.match(evaluate(scope, '(gfp_t)(GFP_ATOMIC | __GFP_ZERO)').display, /^\d+ \(GFP_ATOMIC \| __GFP_ZERO\)$/);
  });

  it('an interrupt handler frame: its own locals, in_hardirq(), IRQs off', () => {
    const program = load('b1-up-drain-irq-v6.2.lockstep');
    const m = new Machine(program);
    // inside the task's model call, at a step where the interrupt may arrive
    for (let i = 0; i < 500 && !(m.canDeliver(0, 0) && m.cpus[0].task.frames.length > 2); i++) m.stepCpu(0);
    assert.ok(m.canDeliver(0, 0));
    m.deliver(0, 0);
    const irq = m.cpus[0].irqs[0];
    for (let i = 0; i < 8; i++) m.stepCpu(0);
    const scope: EvalScope = { machine: m, context: irq, frame: 0 };
    assert.equal(evaluate(scope, 'in_hardirq()').display, 'true');
    assert.equal(evaluate(scope, 'irqs_disabled()').display, 'true');
    assert.equal(evaluate({ machine: m, context: m.cpus[0].task, frame: 0 }, 'in_hardirq()').display, 'false');
    const names = frameLocals(scope).map(l => l.name);
    assert.ok(names.includes('gfp_flags'), names.join());
    assert.equal(evaluate(scope, 'gfp_flags == GFP_ATOMIC').numeric, 1);
  });
});

describe('debugger: evaluate where a run stopped on a finding (runScenario)', () => {
  it('B4: at the data race, the racing CPU\'s frame and the model\'s globals evaluate', () => {
    const program = load('b4-remote-drain-zone-pages-v5.18.lockstep');
    let f = runScenario(program, { strategy: 'random', seed: 1, stopOnFinding: true, horizon: 200 }).findings[0];
    for (let seed = 2; (!f || f.kind !== 'data-race') && seed < 50; seed++) {
      f = runScenario(program, { strategy: 'random', seed, stopOnFinding: true, horizon: 200 }).findings.find(x => x.kind === 'data-race')!;
    }
    assert.equal(f?.kind, 'data-race');
    // replaying the finding's schedule reaches the same state
    const replay = runScenario(program, { schedule: f.schedule });
    const ctx = replay.machine.cpus[f.cpu].task;
    const scope: EvalScope = { machine: replay.machine, context: ctx, frame: 0 };
    const top = ctx.frames[ctx.frames.length - 1];
    assert.equal(top?.fn.name, f.stacks[0].frames[0].function);
    for (const l of frameLocals(scope)) assert.equal(evaluate(scope, l.name).display, l.value.display);
    assert.equal(evaluate(scope, 'percpu_pagelist_high_fraction').numeric, 0);
    assert.equal(evaluate(scope, 'per_cpu_ptr(Normal->per_cpu_pageset, 0)->count').numeric, machineState(replay.machine).zones[0].pcp[0].count);
  });
});

describe('debugger: breakpoint support (conditions, verification, data breakpoints)', () => {
  const program = load('refill-v6.1.lockstep');
  const model = path.join(ROOT, 'models', 'v6.1.kc');
  const lineOf = (text: string) => fs.readFileSync(model, 'utf8').split('\n').findIndex(l => l.includes(text)) + 1;

  it('checkExpression types a condition with the locals in scope at a line', () => {
    const m = new Machine(program);
    const at = { file: model, line: lineOf('pcp->free_factor >>= 1;') };
    assert.equal(checkExpression(m, 'pcp->count > 3 && order == 0', at), undefined);
    assert.match(checkExpression(m, 'pcp->cuont > 3', at)!.message, /did you mean 'count'/);
    assert.match(checkExpression(m, 'pcp->count++', at)!.message, /side effects/);
    assert.equal(checkExpression(m, 'pcp->count > 3'), undefined);
    assert.equal(checkExpression(m, 'pcp->count >'.repeat(1))?.column, 13);
  });

  it('evaluateCondition, editable integers, and a data signature that sees a list change', () => {
    const m = new Machine(program);
    const ctx = stepInto(m, 0, 'rmqueue_pcplist', mm => evaluate({ machine: mm, context: mm.cpus[0].task, frame: 0 }, 'pcp').numeric !== 0);
    const scope: EvalScope = { machine: m, context: ctx, frame: 0 };
    assert.equal(evaluateCondition(scope, 'pcp'), true);
    assert.equal(evaluateCondition(scope, 'pcp->count > 1000000'), false);
    assert.throws(() => evaluateCondition(scope, '*pcp'), EvalError);
    assert.equal(evaluate(scope, 'pcp->count').editable, true);
    assert.ok(!evaluate(scope, 'pcp->count + 1').editable);
    const list = evaluate(scope, 'pcp->lists[0]');
    const count = evaluate(scope, 'pcp->count');
    const before = [dataSignature(m, list), dataSignature(m, count)];
    // step until the refill puts pages on the list
    const empty = 'list_empty(&per_cpu_ptr(Normal->per_cpu_pageset, 0)->lists[0])';
    for (let i = 0; i < 2000 && evaluate({ machine: m }, empty).numeric; i++) m.stepCpu(0);
    assert.equal(evaluate({ machine: m }, empty).numeric, 0);
    assert.notEqual(dataSignature(m, list), before[0]);
    assert.equal(dataSignature(m, count), String(m.mem[count.addr!]));
    for (let i = 0; i < 2000 && m.mem[count.addr!] === count.numeric; i++) m.stepCpu(0);
    assert.notEqual(dataSignature(m, count), before[1]);
  });
});

describe('debugger: evaluate never throws anything but EvalError', () => {
  const program = load('refill-v6.1.lockstep');
  const m = new Machine(program);
  const ctx = stepInto(m, 0, '__rmqueue_pcplist');
  const scope: EvalScope = { machine: m, context: ctx, frame: 1 };
  const pieces = ['pcp', 'zone', 'page', '->', '.', '[', ']', '(', ')', '*', '&', '+', '-', '/', '%', '?', ':', ',', '0', '1', '-1',
    '0xffffffffffffffff', 'lists', 'count', 'per_cpu_ptr(', 'list_first_entry(', 'struct page', 'sizeof', '(struct page *)', 'NULL',
    '"s"', "'c'", '#', '\n', 'MIGRATE_MOVABLE', 'list_entry(', 'page_to_pfn(', 'pfn_to_page(', 'container_of(', 'lru', ' ', '!', '~', '<<', '>>',
    '==', '&&', '||', 'READ_ONCE(', 'Normal', 'high', 'free_area', 'nr_free', 'spin_lock(', '++', '=', 'lock', 'unknown_thing'];

  it('on random token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), parts => {
      const text = parts.join('');
      let v;
      try { v = evaluate(scope, text); } catch (e) { assert.ok(e instanceof EvalError, `${JSON.stringify(text)}: ${(e as Error).stack}`); }
      // whatever came out can be expanded two levels down without throwing
      if (v) {
        const n = childCount(m, v);
        const kids = childrenOf(m, v, 0, 5);
        assert.ok(kids.length <= Math.min(5, n), `${text}: ${kids.length} children of ${n}`);
        for (const k of kids) { childCount(m, k.value); childrenOf(m, k.value, 0, 3); }
      }
      try { frameLocals(scope); } catch (e) { assert.fail(`${(e as Error).message}`); }
    }), { numRuns: Number(process.env.EVAL_FUZZ_RUNS ?? 400), seed: Number(process.env.EVAL_FUZZ_SEED ?? 6) });
  });

  it('on random well-formed expressions over the frame (deep evaluator paths)', () => {
    const names = ['pcp', 'zone', 'page', 'list', 'order', 'migratetype', 'Normal', 'preferred_zone', 'flags', 'NULL', '0', '1', '3', '-1', '1000000', 'MIGRATE_MOVABLE'];
    const members = ['count', 'high', 'batch', 'lists', 'lock', 'free_area', 'nr_free', 'free_list', 'per_cpu_pageset', 'next', 'prev', 'lru', 'private', 'flags', 'managed_pages'];
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>(tie => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...names),
        fc.tuple(tie('e'), fc.constantFrom('->', '.'), fc.constantFrom(...members)).map(([a, op, b]) => `${a}${op}${b}`),
        fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}[${b}]`),
        fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '==', '<', '&&', '||'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
        fc.tuple(fc.constantFrom('*', '&', '!', '~', '-'), tie('e')).map(([op, a]) => `${op}(${a})`),
        fc.tuple(fc.constantFrom('per_cpu_ptr(', 'min(', 'max(', 'list_first_entry_or_null('), tie('e'), tie('e')).map(([f, a, b]) => f.startsWith('list_') ? `${f}${a}, struct page, lru)` : `${f}${a}, ${b})`),
        fc.tuple(fc.constantFrom('page_to_pfn(', 'pfn_to_page(', 'list_empty(', 'this_cpu_ptr(', 'PageBuddy(', 'buddy_order(', 'page_zone(', 'READ_ONCE('), tie('e')).map(([f, a]) => `${f}${a})`),
        fc.tuple(fc.constantFrom('(struct page *)', '(struct list_head *)', '(unsigned short)', '(long)', '(struct per_cpu_pages *)'), tie('e')).map(([c, a]) => `${c}(${a})`),
        fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
      ),
    })).e;
    let values = 0;
    fc.assert(fc.property(expr, text => {
      let v;
      try { v = evaluate(scope, text); } catch (e) { assert.ok(e instanceof EvalError, `${JSON.stringify(text)}: ${(e as Error).stack}`); return; }
      values++;
      childCount(m, v);
      for (const k of childrenOf(m, v, 0, 4)) childrenOf(m, k.value, 0, 2);
      if (v.editable) {
        const before = m.mem.slice();
        try { assign(scope, text, String(v.numeric)); } catch (e) { assert.ok(e instanceof EvalError, `${text}: ${(e as Error).stack}`); }
        assert.deepEqual(m.mem, before, `${text}: assigning its own value changed memory`);
      }
    }), { numRuns: Number(process.env.EVAL_FUZZ_RUNS ?? 400), seed: Number(process.env.EVAL_FUZZ_SEED ?? 8) });
    assert.ok(values > 20, `only ${values} expressions evaluated`);
  });

  it('on random strings, huge input and deep nesting', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), text => {
      try { evaluate(scope, text); } catch (e) { assert.ok(e instanceof EvalError, `${JSON.stringify(text)}: ${(e as Error).stack}`); }
    }), { numRuns: 300, seed: 7 });
    for (const text of ['(' .repeat(5000) + '1' + ')'.repeat(5000), '-'.repeat(3000) + '1', 'pcp' + '->lists[0].next'.repeat(400), 'x'.repeat(1_000_000), '', '   ', '\u0000']) {
      assert.throws(() => evaluate(scope, text), EvalError, text.slice(0, 20));
    }
    assert.throws(() => evaluate({ machine: m, context: ctx, frame: -1 }, '1'), EvalError);
    assert.throws(() => evaluate(undefined as unknown as EvalScope, '1'), EvalError);
  });
});

describe('debugger: scopes of locals (a model of our own)', () => {
  const MODEL = `
struct thing {
	int a;
	enum migratetype mt;
	unsigned short small;
};
int g_counter = 5;
struct thing g_thing = { .a = 7, .mt = MIGRATE_RECLAIMABLE };
DEFINE_PER_CPU(int, pc_counter);

int inner(int x)
{
	int y = x * 2;
	{
		int y = 100;
		g_counter = y;
	}
	for (int i = 0; i < 2; i++) {
		y += i;
	}
	this_cpu_write_marker: g_counter = y;
	return y;
}
`;
  function load2(): CheckedProgram {
    const dir = path.join(ROOT, 'examples');
    const scen = path.join(dir, '__eval-scope__.lockstep');
    const model = path.join(dir, '__eval-scope__.kc');
    const text = 'scenario "scopes"\nmodel "./__eval-scope__.kc"\ncpus 2\ntask cpu 1 { int r = inner(21); r = r + 1; }\n';
    const { program, diagnostics } = loadScenario(scen, { readFile: f => (f === scen ? text : f === model ? MODEL : fs.readFileSync(f, 'utf8')) });
    assert.deepEqual(diagnostics.filter(d => d.severity === 'error').map(d => d.message), []);
    return program!;
  }

  it('an inner declaration hides an outer one only inside its block; a for variable lives in its loop', () => {
    const m = new Machine(load2());
    const ctx = m.cpus[1].task;
    const scope: EvalScope = { machine: m, context: ctx, frame: 0 };
    const line = () => m.locOf(ctx.frames[ctx.frames.length - 1].fn.code[ctx.frames[ctx.frames.length - 1].pc].loc).line;
    const seen = new Map<number, string>();
    for (let i = 0; i < 200 && ctx.frames.length; i++) {
      if (ctx.frames[ctx.frames.length - 1].fn.name === 'inner') {
        const locals = frameLocals(scope);
        seen.set(line(), locals.map(l => `${l.name}=${l.value.display}`).join(' '));
        // one entry per name: the visible one
        assert.equal(new Set(locals.map(l => l.name)).size, locals.length);
      }
      m.stepCpu(1);
    }
    const at = (l: number) => seen.get(l) ?? `(never stopped at line ${l})`;
    const lineOf = (t: string) => MODEL.split('\n').findIndex(x => x.includes(t)) + 1;
    assert.equal(at(lineOf('g_counter = y;')), 'x=21 y=100');
    assert.match(at(lineOf('y += i;')), /^x=21 y=4[23] i=[01]$/);
    assert.equal(at(lineOf('this_cpu_write_marker')), 'x=21 y=43');
    assert.equal(evaluate({ machine: m }, 'g_counter').numeric, 43);
  });

  it('model globals, initialised structs, enum fields and per-CPU ints', () => {
    const m = new Machine(load2());
    const g: EvalScope = { machine: m, context: m.cpus[1].task, frame: 0 };
    assert.equal(evaluate(g, 'g_thing.a').numeric, 7);
    assert.equal(evaluate(g, 'g_thing.mt').display, 'MIGRATE_RECLAIMABLE');
    assert.equal(evaluate(g, 'g_thing.mt').typeName, 'enum migratetype');
    const kids = childrenOf(m, evaluate(g, 'g_thing'));
    assert.deepEqual(kids.map(k => `${k.name}=${k.value.display}`), ['a=7', 'mt=MIGRATE_RECLAIMABLE', 'small=0']);
    assert.equal(kids[1].value.evaluateName, 'g_thing.mt');
    assert.equal(assign(g, 'g_thing.small', '-1').numeric, 65535);
    assign(g, 'per_cpu(pc_counter, 0)', '3');
    assign(g, 'pc_counter', '4');  // this CPU: 1
    assert.equal(evaluate(g, 'per_cpu(pc_counter, 0) * 10 + per_cpu(pc_counter, 1)').numeric, 34);
    assert.equal(evaluate({ machine: m, context: m.cpus[0].task }, 'this_cpu_read(pc_counter)').numeric, 3);
    assert.match(evaluate(g, '&pc_counter').display, /pc_counter \(per-CPU\)$/);
    assert.match(evaluate(g, 'this_cpu_ptr(&pc_counter)').display, /CPU 1 pc_counter$/);
  });
});

describe('debugger: long lists are paged without re-walking them', () => {
  const program = loadText(`scenario "a long pcp list"
model v6.1
cpus 2
zone Normal pages 16384 batch 63 high 12000
pcp cpu 1 zone Normal order 0 movable 10000
task cpu 0 { struct page *page = alloc_pages(GFP_KERNEL, 0); __free_pages(page, 0); }
`);

  it('childrenOf pages through a 10,000-entry list in order', () => {
    const m = new Machine(program);
    const scope: EvalScope = { machine: m, context: m.cpus[0].task, frame: 0 };
    const v = evaluate(scope, 'per_cpu_ptr(Normal->per_cpu_pageset, 1)->lists[MIGRATE_MOVABLE]');
    const pfns = machineState(m).zones[0].pcp[1].lists.find(l => l.pindex === 1)!.pfns;
    assert.equal(pfns.length, 10000);
    assert.equal(childCount(m, v), 10000);
    const seen: string[] = [];
    const t0 = Date.now();
    for (let start = 0; start < 10000; start += 100) seen.push(...childrenOf(m, v, start, 100).map(k => k.value.display.split(',')[0]));
    const ms = Date.now() - t0;
    assert.deepEqual(seen, pfns.map(p => `pfn ${p}`));
    // generous: a re-walk per page would be 100 walks of 10,000 nodes; this is one
    assert.ok(ms < 2000, `paging took ${ms} ms`);
    assert.equal(childrenOf(m, v, 9990, 100).length, 10);
    assert.equal(childrenOf(m, v, 20000, 100).length, 0);
  });
});
