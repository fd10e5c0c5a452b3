// Bad input (issue 3): a model that divides by zero, dereferences NULL, recurses
// without end or loops forever yields a finding or a clear error with its position and
// stack; nothing crashes. The engine API returns, the command line exits with its code
// and prints the message. Fixtures: test/fixtures/engine/bad-input/.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckedProgram, checkScenario, Finding, formatDiagnostic, loadScenario, runScenario } from '../../src/engine';
import { root } from './lang/util';
import { assertPagesAccounted, runAccounted } from './pages';

const DIR = path.join(root, 'test', 'fixtures', 'engine', 'bad-input');
const MODEL = path.join(DIR, 'model.kc');
const CLI = path.join(root, 'dist', 'cli.js');

function load(name: string, readFile?: (f: string) => string | undefined): CheckedProgram {
  const r = loadScenario(path.join(DIR, name), readFile ? { readFile } : {});
  assert.ok(r.program, `${name} did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.program;
}

/** 1-based line of the first line of the model containing `needle`. */
function modelLine(needle: string): number {
  const i = fs.readFileSync(MODEL, 'utf8').split('\n').findIndex(l => l.includes(needle));
  assert.ok(i >= 0, `model.kc has no ${needle}`);
  return i + 1;
}

function only(fs: readonly Finding[], what: string): Finding {
  assert.equal(fs.length, 1, `${what}: expected one finding, got ${fs.map(f => `${f.kind}: ${f.message}`).join(' | ') || 'none'}`);
  return fs[0];
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('engine: bad input never crashes', () => {
  describe('runScenario returns a finding with the position and the stack', () => {
    it('division by zero: "divide error" at the division, in the function that divides', () => {
      const p = load('div-zero.lockstep');
      const r = runAccounted(p, {}, 'div-zero');
      assert.equal(r.stop, 'finished');
      const f = only(r.findings, 'div-zero');
      assert.equal(f.kind, 'assertion');
      assert.match(f.message, /^divide error: 0000 \[#1\]/);
      assert.equal(f.location.file, MODEL);
      assert.equal(f.location.line, modelLine('per_slot = table.items / table.slots;'));
      assert.deepEqual(f.stacks[0].frames.map(x => x.function), ['average_load', 'task cpu 0']);
      assert.equal(f.stacks[0].frames[0].line, f.location.line);
      assert.equal(r.machine.contexts[0].status, 'dead', 'the oops kills the task, as the kernel kills it');
    });

    it('modulo by zero inside a lock: the dead task keeps the lock, and the CPU that wants it is reported stuck', () => {
      const p = load('oops-lock.lockstep');
      const m = runScenario(p, { schedule: '' }).machine;
      while (m.canStep(0)) m.stepCpu(0);
      for (let k = 0; k < 5 && m.canStep(1); k++) m.stepCpu(1);
      const r = runAccounted(p, { schedule: m.schedule() }, 'oops-lock');
      assert.deepEqual(r.findings.map(f => f.kind), ['assertion', 'deadlock']);
      assert.match(r.findings[0].message, /^divide error: 0000 \[#1\] \(modulo by zero\)/);
      assert.equal(r.findings[0].location.line, modelLine('b = key % table.slots;'));
      assert.match(r.findings[1].message, /task on CPU#1 waits for table\.lock/);
      assert.equal(r.findings[1].cpu, 1);
      // and the strategies stop instead of spinning to the step limit
      const rr = runScenario(p, {});
      assert.notEqual(rr.stop, 'max-steps');
    });

    it('NULL dereference: "BUG: kernel NULL pointer dereference" at the dereference', () => {
      const r = runAccounted(load('null-deref.lockstep'), {}, 'null-deref');
      const f = only(r.findings, 'null-deref');
      assert.equal(f.kind, 'assertion');
      assert.match(f.message, /^BUG: kernel NULL pointer dereference, address: 0x[0-9a-f]{16}$/);
      assert.equal(f.location.line, modelLine('return b->items;'));
      assert.deepEqual(f.stacks[0].frames.map(x => x.function), ['next_items', 'task cpu 0']);
    });

    it('a lock through a NULL pointer: the NULL dereference, and no lock taken at address 0', () => {
      const r = runAccounted(load('null-lock.lockstep'), {}, 'null-lock');
      const f = only(r.findings, 'null-lock');
      assert.equal(f.kind, 'assertion');
      assert.match(f.message, /^BUG: kernel NULL pointer dereference, address: 0x0000000000000000$/);
      assert.equal(f.location.line, modelLine('spin_lock(&b->lock);'));
      assert.deepEqual(f.stacks[0].frames.map(x => x.function), ['lock_missing', 'task cpu 0']);
      assert.equal(r.machine.mem[0], 0, 'nothing was written at address 0');
      assert.deepEqual(r.machine.contexts[0].held, []);
    });

    it('recursion without end: "kernel stack overflow" with the whole (bounded) stack', () => {
      const r = runAccounted(load('recursion.lockstep'), {}, 'recursion');
      const f = only(r.findings, 'recursion');
      assert.equal(f.kind, 'assertion');
      assert.match(f.message, /^BUG: kernel stack overflow: depth called \d+ frames deep/);
      assert.equal(f.location.line, modelLine('return depth(n + 1) + 1;'));
      const frames = f.stacks[0].frames;
      assert.ok(frames.length > 100 && frames.length <= 1000, `${frames.length} frames`);
      assert.ok(frames.slice(0, -1).every(x => x.function === 'depth'));
      assert.equal(frames[frames.length - 1].function, 'task cpu 0');
    });

    it('an infinite loop: the step limit stops the run with a clear message, and the machine shows where it loops', () => {
      const p = load('loop.lockstep');
      const r = runScenario(p, { maxSteps: 5000 });
      assert.equal(r.stop, 'max-steps');
      // the message names where each running context is stuck
      assert.match(r.message ?? '', /^stopped after 5000 steps \(--max-steps\): the model may loop forever; CPU 0 task in spin_forever \(.*model\.kc:42:9\)/);
      assert.equal(r.machine.step, 5000);
      assert.deepEqual(r.findings, []);
      assertPagesAccounted(p, r, 'loop');
      const s = r.machine.stackOf(r.machine.contexts[0]);
      assert.deepEqual(s.frames.map(x => x.function), ['spin_forever', 'task cpu 0']);
      assert.ok([modelLine('while (table.slots == 0)'), modelLine('n++;')].includes(s.frames[0].line));
      // random strategy too
      assert.equal(runScenario(p, { strategy: 'random', seed: 7, maxSteps: 2000 }).stop, 'max-steps');
    });

    it('an infinite loop holding a lock another CPU spins on: the step limit, not a hang', () => {
      const r = runScenario(load('loop-lock.lockstep'), { maxSteps: 3000 });
      assert.equal(r.stop, 'max-steps');
      assert.equal(r.machine.contexts[1].waitingOn !== 0, true, 'CPU 1 is spinning');
      assert.ok(!r.findings.some(f => f.kind === 'deadlock'), 'a lock holder that runs is not a deadlock');
    });

    it('checkScenario returns the limit as an error for every run and does not throw', () => {
      const c = checkScenario(load('loop.lockstep'), { schedules: 2, maxSteps: 1000 });
      // the same limit in every run is said once
      assert.equal(c.errors.length, 1);
      for (const e of c.errors) assert.match(e, /stopped after 1000 steps \(--max-steps\)/);
      assert.deepEqual(c.findings, []);
    });

    it('an oops in an interrupt handler: the handler dies, the run stops, nothing throws', () => {
      const scenario = path.join(DIR, 'irq-oops.lockstep');
      const text = `scenario "the interrupt divides by zero"\nmodel "./model.kc"\ncpus 1\n\ntask cpu 0 {\n    take_lock();\n}\n\nirq cpu 0 {\n    average_load();\n}\n`;
      const p = load('irq-oops.lockstep', f => (f === scenario ? text : fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined));
      const r = runScenario(p, { schedule: 'c0,i0,c0*3' });
      const f = only(r.findings, 'irq-oops');
      assert.equal(f.context, 'hardirq');
      assert.match(f.message, /^divide error/);
      assert.deepEqual(f.stacks[0].frames.map(x => x.function), ['average_load', 'irq cpu 0']);
      const rr = runScenario(p, {});
      assert.ok(['deadlock', 'finished'].includes(rr.stop), rr.stop);
    });

    it('a model whose zone_batchsize loops forever at boot: a finding at the loop, not a hang', () => {
      const scenario = path.join(DIR, 'boot.lockstep');
      const model = path.join(DIR, 'boot.kc');
      const files: Record<string, string> = {
        [scenario]: 'scenario "boot"\nmodel "./boot.kc"\ncpus 1\nzone Normal pages 64\ntask cpu 0 {\n    alloc_pages(GFP_KERNEL, 0);\n}\n',
        [model]: 'int zone_batchsize(struct zone *zone)\n{\n\tint batch = 0;\n\n\twhile (batch < 10)\n\t\tbatch--;\n\treturn batch;\n}\n\nstruct page *alloc_pages(gfp_t gfp, unsigned int order)\n{\n\treturn NULL;\n}\n',
      };
      const p = load('boot.lockstep', f => files[f]);
      const r = runScenario(p, { maxSteps: 2000 });
      assert.ok(r.findings.length >= 1);
      const f = r.findings[0];
      assert.equal(f.kind, 'assertion');
      assert.match(f.message, /zone_batchsize\(\) did not return within 2000 steps at boot/);
      assert.equal(f.location.file, model);
      assert.ok([5, 6].includes(f.location.line), `line ${f.location.line}`);
      assert.equal(f.stacks[0].frames[0].function, 'zone_batchsize');
    });
  });

  describe('the command line prints the message and exits with its code', function () {
    this.timeout(60_000);
    before(function () {
      if (!fs.existsSync(CLI)) this.skip(); // `npm test` builds dist/ first
    });

    it('run: division by zero → exit 1, the finding with its position, stack and schedule', () => {
      const r = cli(['run', 'div-zero.lockstep']);
      assert.equal(r.status, 1, r.stderr);
      const line = modelLine('per_slot = table.items / table.slots;');
      // the model's path as the command line shows it (relative to the working directory, or absolute)
      assert.match(r.stdout, new RegExp(`^(\\S*/)?model\\.kc:${line}:2: assertion: divide error: 0000 \\[#1\\] \\(division by zero\\)$`, 'm'));
      assert.match(r.stdout, new RegExp(`^    average_load at (\\S*/)?model\\.kc:${line}:2$`, 'm'));
      assert.match(r.stdout, /schedule: c0\*3/);
      assert.equal(r.stderr, '');
    });

    it('run: NULL dereference and endless recursion → exit 1 with the kernel-style message', () => {
      const n = cli(['run', 'null-deref.lockstep']);
      assert.equal(n.status, 1, n.stderr);
      assert.match(n.stdout, /: assertion: BUG: kernel NULL pointer dereference, address: 0x/);
      const s = cli(['run', 'recursion.lockstep', '--json']);
      assert.equal(s.status, 1, s.stderr);
      const doc = JSON.parse(s.stdout);
      assert.equal(doc.findings.length, 1);
      assert.match(doc.findings[0].message, /kernel stack overflow/);
      assert.equal(doc.findings[0].location.line, modelLine('return depth(n + 1) + 1;'));
    });

    it('run: an infinite loop with --max-steps → exit 3 and the limit named', () => {
      const r = cli(['run', 'loop.lockstep', '--max-steps', '500']);
      assert.equal(r.status, 3, r.stderr);
      assert.ok(r.stdout.includes('stopped: max-steps (stopped after 500 steps (--max-steps): the model may loop forever; CPU 0 task in spin_forever ('), r.stdout.slice(-500));
      const j = cli(['run', 'loop-lock.lockstep', '--max-steps', '500', '--json']);
      assert.equal(j.status, 3, j.stderr);
      const doc = JSON.parse(j.stdout);
      assert.equal(doc.stop, 'max-steps');
      assert.match(doc.message, /stopped after 500 steps/);
      // where it loops: the last steps point into the model
      const last = doc.steps[doc.steps.length - 1];
      assert.equal(path.resolve(DIR, last.location.file), MODEL);
    });

    it('check: an infinite loop → exit 3; a crashing model without expect lines → exit 1', () => {
      const loop = cli(['check', 'loop.lockstep', '--max-steps', '500', '--schedules', '1']);
      assert.equal(loop.status, 3, loop.stdout + loop.stderr);
      assert.match(loop.stdout, /loop\.lockstep: error: stopped after 500 steps \(--max-steps\): the model may loop forever/);
      assert.match(loop.stdout, /^loop\.lockstep: INCOMPLETE \(/m, 'a run stopped by a limit is not "ok"');
      const div = cli(['check', 'div-zero.lockstep', '--schedules', '2']);
      assert.equal(div.status, 1, div.stdout + div.stderr);
      assert.match(div.stdout, /div-zero\.lockstep: FAILED/);
      assert.match(div.stdout, /assertion: divide error/);
      for (const r of [loop, div]) assert.ok(!/internal error/.test(r.stderr), r.stderr);
    });
  });
});
