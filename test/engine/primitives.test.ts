// Every primitive of semantics.md's table ("Primitives per configuration"), in every
// configuration (SMP, UP, PREEMPT_RT on SMP and on UP): what ONE step of it does to the
// CPU's hard-IRQ flag, the context's preempt and migrate-disable counts, and the lock
// (held list, lock word, contention). Each block statement sits on a line of its own and
// every `step()` asserts which statement it ran, so each assertion is about one step.
// Model: test/fixtures/engine/prims/prims.kc; scenarios are generated in memory.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, loadScenario, Machine, runScenario } from '../../src/engine';
import type { Context } from '../../src/engine/sim/state';

const root = path.resolve(__dirname, '..', '..', '..');
const DIR = path.join(root, 'test', 'fixtures', 'engine', 'prims');
const SCENARIO = path.join(DIR, 'generated.lockstep');
const X86_EFLAGS_IF = 0x200;
const JUNK = 0x5a5a; // the flags variables' initial value: a save must overwrite it

interface Cfg { name: string; up: boolean; rt: boolean; cpus: number }
const SMP: Cfg = { name: 'SMP', up: false, rt: false, cpus: 2 };
const UP: Cfg = { name: 'UP', up: true, rt: false, cpus: 1 };
const RT_SMP: Cfg = { name: 'PREEMPT_RT SMP', up: false, rt: true, cpus: 2 };
const RT_UP: Cfg = { name: 'PREEMPT_RT UP', up: true, rt: true, cpus: 1 };
const ALL = [SMP, UP, RT_SMP, RT_UP];

interface Blocks { task0: string[]; task1?: string[]; irq0?: string[]; irq1?: string[] }

/** What a test looks at after a step. */
interface Snap {
  irqsOff: boolean;
  preempt: number;
  migrate: number;
  held: string[];
  waitingOn: string;
  status: string;
  pc: number;
}

class Rig {
  readonly m: Machine;
  readonly lines: string[];

  constructor(readonly cfg: Cfg, blocks: Blocks) {
    const out = ['scenario "primitives"', 'model "./prims.kc"'];
    if (cfg.up) out.push('config UP');
    if (cfg.rt) out.push('config PREEMPT_RT on');
    out.push(`cpus ${cfg.cpus}`);
    const block = (head: string, body: string[] | undefined) => {
      if (!body) return;
      out.push(`${head} {`, ...body.map(s => `\t${s}`), '}');
    };
    block('task cpu 0', blocks.task0);
    block('task cpu 1', blocks.task1);
    block('irq cpu 0', blocks.irq0);
    block('irq cpu 1', blocks.irq1);
    const text = `${out.join('\n')}\n`;
    this.lines = out;
    const r = loadScenario(SCENARIO, {
      readFile: f => (f === SCENARIO ? text : fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
    });
    assert.ok(r.program, `scenario did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}\n${text}`);
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
    const run = runScenario(r.program, { schedule: '' });
    assert.equal(run.stop, 'schedule-end');
    this.m = run.machine;
    assert.equal(this.m.smp, !cfg.up);
    assert.equal(this.m.rt, cfg.rt);
    // junk in every variable a primitive writes: the step under test must overwrite it
    for (const v of ['f0', 'f0b', 'f1', 'fi']) this.m.mem[this.addr(v)] = JUNK;
    for (const v of ['r0', 'r1', 'ri']) this.m.mem[this.addr(v)] = 7;
  }

  task(cpu = 0): Context { return this.m.cpus[cpu].task; }
  irq(cpu = 0): Context { return this.m.cpus[cpu].irqs[0]; }

  /** One step of a CPU; asserts it ran and that it ran the statement containing `stmt`. */
  step(cpu: number, stmt: string, ctx?: Context): void {
    const before = this.m.step;
    assert.equal(this.m.stepCpu(cpu), true, `CPU ${cpu} had nothing to run (expected ${stmt})`);
    assert.equal(this.m.step, before + 1);
    const rec = this.m.steps[this.m.steps.length - 1];
    const line = this.lines[this.m.locOf(rec.loc).line - 1] ?? '';
    assert.ok(line.includes(stmt), `step ${rec.step} of CPU ${cpu} ran '${line.trim()}', expected '${stmt}'`);
    if (ctx) assert.equal(rec.context, ctx.label, `step ${rec.step} ran in ${rec.context}`);
  }

  /** Runs the declaration / preparation statements that are not under test. */
  steps(cpu: number, stmts: string[]): void {
    for (const s of stmts) this.step(cpu, s);
  }

  deliver(cpu: number): void {
    assert.equal(this.m.canDeliver(cpu, 0), true, `an interrupt cannot arrive on CPU ${cpu}`);
    this.m.deliver(cpu, 0);
  }

  snap(ctx: Context): Snap {
    const f = ctx.frames[ctx.frames.length - 1];
    return {
      irqsOff: this.m.cpus[ctx.cpu].irqsDisabled,
      preempt: ctx.preemptCount,
      migrate: ctx.migrateDisable,
      held: ctx.held.map(h => `${this.m.describeAddr(h.addr).instance}/${h.how}`),
      waitingOn: ctx.waitingOn ? this.m.describeAddr(ctx.waitingOn).instance : '',
      status: ctx.status,
      pc: f ? f.pc : -1,
    };
  }

  /** Asserts the fields given; the rest of the snapshot is not looked at. */
  expect(ctx: Context, want: Partial<Snap>, what: string): void {
    const s = this.snap(ctx);
    const got: Partial<Snap> = {};
    for (const k of Object.keys(want) as (keyof Snap)[]) (got as Record<string, unknown>)[k] = s[k];
    assert.deepEqual(got, want, `${this.cfg.name}: ${what}`);
  }

  addr(name: string, cpu?: number): number {
    const r = this.m.regions.find(x => x.name === name && x.cpu === cpu);
    assert.ok(r, `no variable ${name}${cpu === undefined ? '' : ` on CPU ${cpu}`}`);
    return r.base;
  }

  /** A global's value (flags, trylock results). */
  value(name: string): number { return this.m.mem[this.addr(name)]; }
  /** The lock word: 0 free, context id + 1 owned. */
  word(name: string, cpu?: number): number { return this.m.mem[this.addr(name, cpu)]; }
  owner(ctx: Context): number { return ctx.id + 1; }

  kinds(): string[] { return this.m.findings.map(f => f.kind); }
  noFindings(): void { assert.deepEqual(this.m.findings.map(f => `${f.kind}: ${f.message}`), [], `${this.cfg.name}: unexpected findings`); }
}

const FREE = { irqsOff: false, preempt: 0, migrate: 0, held: [] as string[], waitingOn: '', status: 'running' };

describe('engine: every primitive in every configuration, one step at a time', () => {
  for (const cfg of ALL) {
    describe(cfg.name, () => {
      // ---------------------------------------------------------------- spin_lock
      it('spin_lock then spin_unlock: preempt off / migrate off, the lock word, the held list', () => {
        const r = new Rig(cfg, { task0: ['spin_lock(&L);', 'spin_unlock(&L);'] });
        const t = r.task();
        r.expect(t, FREE, 'before');
        r.step(0, 'spin_lock(&L)');
        if (!cfg.rt && !cfg.up) {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['L/spin'], waitingOn: '' }, 'SMP spin_lock: preempt off, owns the lock word');
          assert.equal(r.word('L'), r.owner(t));
        } else if (!cfg.rt) {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['L/up'], waitingOn: '' }, 'UP spin_lock: preempt off, lockdep tracks it');
          assert.equal(r.word('L'), 0, 'UP has no lock word');
        } else {
          r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '' }, 'RT spin_lock: a sleeping lock, migrate off, preemptible');
          assert.equal(r.word('L'), r.owner(t));
        }
        assert.equal(r.m.steps[r.m.steps.length - 1].event, 'lock-acquired');
        r.step(0, 'spin_unlock(&L)');
        r.expect(t, FREE, 'after spin_unlock');
        assert.equal(r.word('L'), 0);
        r.noFindings();
      });

      if (cfg.cpus === 2) {
        it('spin_lock of a lock another CPU holds: spins (SMP) or blocks and yields the CPU (RT)', () => {
          const r = new Rig(cfg, {
            task0: ['spin_lock(&L);', 'spin_unlock(&L);'],
            task1: ['spin_lock(&L);', 'spin_unlock(&L);'],
            irq1: ['ri = 1;'],
          });
          const t0 = r.task(0);
          const t1 = r.task(1);
          r.step(0, 'spin_lock(&L)');
          r.step(1, 'spin_lock(&L)');
          if (!cfg.rt) {
            const spinning = { irqsOff: false, preempt: 1, migrate: 0, held: [], waitingOn: 'L', status: 'running' };
            r.expect(t1, spinning, 'SMP contender: preempt off, spinning on L');
            const first = r.snap(t1);
            assert.equal(r.m.steps[r.m.steps.length - 1].event, 'lock-contended,spin');
            assert.equal(r.m.canStep(1), true, 'a spinning CPU is still a choice');
            r.step(1, 'spin_lock(&L)');
            assert.deepEqual(r.snap(t1), first, 'a second spin step changes nothing');
            assert.equal(r.m.steps[r.m.steps.length - 1].event, 'spin');
            assert.equal(r.word('L'), r.owner(t0), 'the lock stays with CPU 0');
            r.step(0, 'spin_unlock(&L)');
            assert.equal(r.word('L'), 0);
            r.step(1, 'spin_lock(&L)');
            r.expect(t1, { irqsOff: false, preempt: 1, migrate: 0, held: ['L/spin'], waitingOn: '', status: 'running' }, 'the spinner takes the freed lock; preempt raised once, not per spin');
            assert.equal(r.word('L'), r.owner(t1));
          } else {
            r.expect(t1, { irqsOff: false, preempt: 0, migrate: 0, held: [], waitingOn: 'L', status: 'blocked' }, 'RT contender sleeps on the rtmutex');
            assert.equal(r.m.steps[r.m.steps.length - 1].event, 'lock-contended,blocked');
            assert.equal(r.m.canStep(1), false, 'CPU 1 has nothing else to run yet');
            r.deliver(1);
            r.step(1, 'ri = 1;', r.irq(1));
            assert.equal(r.value('ri'), 1, 'the CPU ran the threaded handler while the task slept');
            r.step(0, 'spin_unlock(&L)');
            assert.equal(t1.status, 'running', 'the unlock woke the waiter');
            assert.equal(r.word('L'), 0);
            r.step(1, '}', r.irq(1)); // the handler returns
            r.step(1, 'spin_lock(&L)', t1);
            r.expect(t1, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '', status: 'running' }, 'the woken waiter owns the lock');
            assert.equal(r.word('L'), r.owner(t1));
          }
          r.step(1, 'spin_unlock(&L)');
          r.expect(t1, FREE, 'after unlock');
          r.noFindings();
        });
      } else {
        it('spin_lock of a lock the interrupted task holds (one CPU)', () => {
          const r = new Rig(cfg, { task0: ['spin_lock(&L);', 'spin_unlock(&L);'], irq0: ['spin_lock(&L);', 'spin_unlock(&L);'] });
          const t = r.task();
          const h = r.irq();
          r.step(0, 'spin_lock(&L)');
          r.deliver(0);
          if (!cfg.rt) {
            // UP: no lock word, the handler walks into the task's critical section
            assert.equal(r.m.cpus[0].irqsDisabled, true, 'a hard IRQ runs with IRQs off');
            r.step(0, 'spin_lock(&L)', h);
            r.expect(h, { irqsOff: true, preempt: 1, migrate: 0, held: ['L/up'], waitingOn: '', status: 'running' }, 'UP: the handler gets the lock too');
            r.expect(t, { preempt: 1, held: ['L/up'] }, 'the task still holds it');
            assert.ok(r.kinds().includes('mutual-exclusion'), `findings: ${r.kinds()}`);
            r.step(0, 'spin_unlock(&L)', h);
            r.expect(h, { irqsOff: true, preempt: 0, held: [] }, 'handler unlocked (IRQs stay off until it returns)');
          } else {
            // RT: the threaded handler preempts the task (migrate off only), then blocks
            r.step(0, 'spin_lock(&L)', h);
            r.expect(h, { irqsOff: false, preempt: 0, migrate: 0, held: [], waitingOn: 'L', status: 'blocked' }, 'RT: the threaded handler sleeps on the task\'s lock');
            r.step(0, 'spin_unlock(&L)', t);
            r.expect(t, FREE, 'the task ran again and released');
            assert.equal(h.status, 'running', 'the unlock woke the handler');
            r.step(0, 'spin_lock(&L)', h);
            r.expect(h, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '', status: 'running' }, 'the handler owns the lock');
            assert.equal(r.word('L'), r.owner(h));
            r.noFindings();
          }
        });
      }

      if (cfg.rt) {
        it('spin_lock with IRQs or preemption disabled is sleep-in-atomic on PREEMPT_RT', () => {
          for (const off of [['local_irq_disable();', 'local_irq_enable();'], ['preempt_disable();', 'preempt_enable();']]) {
            const r = new Rig(cfg, { task0: [off[0], 'spin_lock(&L);', 'spin_unlock(&L);', off[1]] });
            r.step(0, off[0]);
            assert.deepEqual(r.kinds(), []);
            r.step(0, 'spin_lock(&L)');
            assert.deepEqual(r.kinds(), ['sleep-in-atomic'], off[0]);
            assert.match(r.m.findings[0].message, /BUG: sleeping function called from invalid context/);
          }
        });
      } else {
        it('spin_lock with IRQs or preemption disabled is fine without PREEMPT_RT', () => {
          const r = new Rig(cfg, { task0: ['local_irq_disable();', 'preempt_disable();', 'spin_lock(&L);', 'spin_unlock(&L);', 'preempt_enable();', 'local_irq_enable();'] });
          r.steps(0, ['local_irq_disable();', 'preempt_disable();']);
          r.step(0, 'spin_lock(&L)');
          r.expect(r.task(), { irqsOff: true, preempt: 2, migrate: 0 }, 'spin_lock nests in preempt_disable');
          r.steps(0, ['spin_unlock(&L);', 'preempt_enable();', 'local_irq_enable();']);
          r.expect(r.task(), FREE, 'all undone');
          r.noFindings();
        });
      }

      // ---------------------------------------------------------------- spin_trylock
      it('spin_trylock of a free lock succeeds and takes it', () => {
        const r = new Rig(cfg, { task0: ['r0 = spin_trylock(&L);', 'spin_unlock(&L);'] });
        const t = r.task();
        r.step(0, 'r0 = spin_trylock(&L)');
        assert.equal(r.value('r0'), 1);
        if (cfg.rt) {
          r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '', status: 'running' }, 'RT trylock: owns, migrate off');
          assert.equal(r.word('L'), r.owner(t));
        } else if (cfg.up) {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['L/up'] }, 'UP trylock: preempt off');
          assert.equal(r.word('L'), 0);
        } else {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['L/spin'] }, 'SMP trylock: preempt off, owns');
          assert.equal(r.word('L'), r.owner(t));
        }
        assert.equal(t.held[0].trylock, true, 'held as a trylock (lockdep: no IRQ usage, no dependency)');
        r.step(0, 'spin_unlock(&L)');
        r.expect(t, FREE, 'after unlock');
        r.noFindings();
      });

      it(cfg.up && !cfg.rt ? 'spin_trylock always succeeds on UP, even inside the holder\'s critical section' : 'spin_trylock of a held lock fails, changes nothing and never waits', () => {
        const other = cfg.cpus === 2
          ? { task0: ['spin_lock(&L);', 'spin_unlock(&L);'], task1: ['r1 = spin_trylock(&L);'] }
          : { task0: ['spin_lock(&L);', 'spin_unlock(&L);'], irq0: ['ri = spin_trylock(&L);', 'spin_unlock(&L);'] };
        const r = new Rig(cfg, other);
        r.step(0, 'spin_lock(&L)');
        let c: Context;
        if (cfg.cpus === 2) { c = r.task(1); r.step(1, 'r1 = spin_trylock(&L)', c); }
        else { c = r.irq(0); r.deliver(0); r.step(0, 'ri = spin_trylock(&L)', c); }
        const res = r.value(cfg.cpus === 2 ? 'r1' : 'ri');
        const irqsOff = !cfg.rt && cfg.cpus === 1; // a hard IRQ handler runs with IRQs off
        if (cfg.up && !cfg.rt) {
          assert.equal(res, 1, 'UP trylock succeeds');
          r.expect(c, { irqsOff, preempt: 1, migrate: 0, held: ['L/up'], waitingOn: '', status: 'running' }, 'the handler is inside the critical section');
          assert.equal(r.task().held.length, 1, 'while the task still holds L');
          assert.deepEqual(r.kinds(), ['mutual-exclusion']);
          assert.match(r.m.findings[0].message, /BUG: spinlock trylock failure on UP on CPU#0/);
        } else {
          assert.equal(res, 0, 'trylock of a held lock returns 0');
          r.expect(c, { irqsOff, preempt: 0, migrate: 0, held: [], waitingOn: '', status: 'running' }, 'a failed trylock leaves no trace');
          assert.equal(r.m.steps[r.m.steps.length - 1].event, 'trylock-failed');
          assert.equal(r.word('L'), r.owner(r.task(0)));
          r.noFindings();
        }
      });

      if (cfg.rt) {
        // rt_spin_trylock() fails and returns 0 on any owner, itself included; it never sleeps.
        it('spin_trylock of a lock the context itself holds fails without sleeping (RT)', () => {
          const r = new Rig(cfg, { task0: ['spin_lock(&L);', 'r0 = spin_trylock(&L);', 'spin_unlock(&L);'] });
          r.step(0, 'spin_lock(&L)');
          r.step(0, 'r0 = spin_trylock(&L)');
          assert.equal(r.value('r0'), 0);
          r.expect(r.task(), { migrate: 1, held: ['L/spin'], waitingOn: '', status: 'running' }, 'a failed trylock never sleeps');
          assert.ok(!r.kinds().includes('deadlock'), `findings: ${r.kinds()}`);
        });
      }

      it('spin_trylock_irqsave: IRQs off and own (RT: IRQs on, flags 0); a failure restores IRQs', () => {
        const blocks = cfg.cpus === 2
          ? { task0: ['spin_lock(&L);', 'spin_unlock(&L);'], task1: ['r1 = spin_trylock_irqsave(&L, f1);'] }
          : { task0: ['r0 = spin_trylock_irqsave(&L, f0);', 'spin_unlock_irqrestore(&L, f0);'] };
        const r = new Rig(cfg, blocks);
        if (cfg.cpus === 1) {
          r.step(0, 'r0 = spin_trylock_irqsave(&L, f0)');
          assert.equal(r.value('r0'), 1);
          assert.equal(r.value('f0'), cfg.rt ? 0 : X86_EFLAGS_IF);
          r.expect(r.task(), cfg.rt
            ? { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'] }
            : { irqsOff: true, preempt: 1, migrate: 0, held: ['L/up'] }, 'trylock_irqsave taken');
          r.step(0, 'spin_unlock_irqrestore(&L, f0)');
          r.expect(r.task(), FREE, 'restored');
        } else {
          r.step(0, 'spin_lock(&L)');
          r.step(1, 'r1 = spin_trylock_irqsave(&L, f1)');
          assert.equal(r.value('r1'), 0);
          r.expect(r.task(1), { irqsOff: false, preempt: 0, migrate: 0, held: [], waitingOn: '' }, 'failed: IRQs back on, nothing held');
        }
        r.noFindings();
      });

      // ---------------------------------------------------------------- irqsave / _irq
      it('spin_lock_irqsave: IRQs off and flags saved (RT: IRQs stay on, flags = 0); unlock_irqrestore restores', () => {
        const r = new Rig(cfg, { task0: ['spin_lock_irqsave(&L, f0);', 'spin_unlock_irqrestore(&L, f0);'], irq0: ['ri = 1;'] });
        const t = r.task();
        assert.equal(r.value('f0'), JUNK);
        r.step(0, 'spin_lock_irqsave(&L, f0)');
        if (cfg.rt) {
          r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '' }, 'RT irqsave = spin_lock');
          assert.equal(r.value('f0'), 0, 'RT: flags = 0');
          assert.equal(r.m.canDeliver(0, 0), true, 'RT: an interrupt can still arrive');
        } else {
          r.expect(t, { irqsOff: true, preempt: 1, migrate: 0, held: [cfg.up ? 'L/up' : 'L/spin'], waitingOn: '' }, 'IRQs off, then the lock');
          assert.equal(r.value('f0'), X86_EFLAGS_IF, 'flags record IRQs were on');
          assert.equal(r.m.canDeliver(0, 0), false, 'no interrupt while IRQs are off');
        }
        assert.equal(r.word('L'), cfg.up && !cfg.rt ? 0 : r.owner(t));
        r.step(0, 'spin_unlock_irqrestore(&L, f0)');
        r.expect(t, FREE, 'restored');
        assert.equal(r.word('L'), 0);
        assert.equal(r.m.canDeliver(0, 0), true);
        r.noFindings();
      });

      it('spin_lock_irqsave with IRQs already off saves flags 0 and unlock_irqrestore leaves them off', () => {
        const r = new Rig(cfg, { task0: ['local_irq_disable();', 'spin_lock_irqsave(&L, f0);', 'spin_unlock_irqrestore(&L, f0);', 'local_irq_enable();'] });
        const t = r.task();
        r.step(0, 'local_irq_disable()');
        r.step(0, 'spin_lock_irqsave(&L, f0)');
        assert.equal(r.value('f0'), 0);
        if (cfg.rt) {
          r.expect(t, { irqsOff: true, preempt: 0, migrate: 1, held: ['L/spin'] }, 'RT: taken, but invalid');
          assert.deepEqual(r.kinds(), ['sleep-in-atomic']);
        } else {
          r.expect(t, { irqsOff: true, preempt: 1, migrate: 0, held: [cfg.up ? 'L/up' : 'L/spin'] }, 'nested irqsave');
        }
        r.step(0, 'spin_unlock_irqrestore(&L, f0)');
        r.expect(t, { irqsOff: true, preempt: 0, migrate: 0, held: [] }, 'flags 0: IRQs stay off');
        r.step(0, 'local_irq_enable()');
        r.expect(t, FREE, 'on again');
        if (!cfg.rt) r.noFindings();
      });

      it('spin_lock_irq / spin_unlock_irq: IRQs off then on (RT: untouched)', () => {
        const r = new Rig(cfg, { task0: ['spin_lock_irq(&L);', 'spin_unlock_irq(&L);'] });
        const t = r.task();
        r.step(0, 'spin_lock_irq(&L)');
        r.expect(t, cfg.rt
          ? { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'] }
          : { irqsOff: true, preempt: 1, migrate: 0, held: [cfg.up ? 'L/up' : 'L/spin'] }, 'spin_lock_irq');
        r.step(0, 'spin_unlock_irq(&L)');
        r.expect(t, FREE, 'spin_unlock_irq');
        r.noFindings();
      });

      if (cfg.cpus === 2) {
        it('spin_lock_irqsave contended: SMP spins with IRQs off; RT sleeps with IRQs on', () => {
          const r = new Rig(cfg, {
            task0: ['spin_lock(&L);', 'spin_unlock(&L);'],
            task1: ['spin_lock_irqsave(&L, f1);', 'spin_unlock_irqrestore(&L, f1);'],
          });
          r.step(0, 'spin_lock(&L)');
          r.step(1, 'spin_lock_irqsave(&L, f1)');
          const t1 = r.task(1);
          if (cfg.rt) {
            r.expect(t1, { irqsOff: false, preempt: 0, migrate: 0, held: [], waitingOn: 'L', status: 'blocked' }, 'RT: blocked, IRQs on');
            assert.equal(r.value('f1'), 0);
            r.step(0, 'spin_unlock(&L)');
            r.step(1, 'spin_lock_irqsave(&L, f1)');
            r.expect(t1, { irqsOff: false, preempt: 0, migrate: 1, held: ['L/spin'], waitingOn: '', status: 'running' }, 'RT: acquired after wake-up');
          } else {
            const spin = { irqsOff: true, preempt: 1, migrate: 0, held: [], waitingOn: 'L', status: 'running' };
            r.expect(t1, spin, 'SMP: spinning with IRQs off');
            assert.equal(r.value('f1'), X86_EFLAGS_IF);
            r.step(1, 'spin_lock_irqsave(&L, f1)');
            r.expect(t1, spin, 'still spinning, same state');
            assert.equal(r.value('f1'), X86_EFLAGS_IF, 'the retry does not save flags again');
            r.step(0, 'spin_unlock(&L)');
            r.step(1, 'spin_lock_irqsave(&L, f1)');
            r.expect(t1, { irqsOff: true, preempt: 1, migrate: 0, held: ['L/spin'], waitingOn: '', status: 'running' }, 'acquired');
          }
          r.step(1, 'spin_unlock_irqrestore(&L, f1)');
          r.expect(t1, FREE, 'restored');
          r.noFindings();
        });
      }

      // ---------------------------------------------------------------- unlock errors
      it('spin_unlock of a lock not held is bad-unlock and changes nothing', () => {
        const r = new Rig(cfg, { task0: ['preempt_disable();', 'spin_unlock(&L);'] });
        r.step(0, 'preempt_disable()');
        r.step(0, 'spin_unlock(&L)');
        r.expect(r.task(), { irqsOff: false, preempt: 1, migrate: 0, held: [] }, 'unchanged');
        assert.deepEqual(r.kinds(), ['bad-unlock']);
        assert.match(r.m.findings[0].message, /BUG: bad unlock balance detected!/);
      });

      // ---------------------------------------------------------------- local locks
      it('local_lock / local_unlock: preempt off (RT: per-CPU sleeping lock, migrate off)', () => {
        const r = new Rig(cfg, { task0: ['local_lock(&pagesets.lock);', 'local_unlock(&pagesets.lock);'] });
        const t = r.task();
        r.step(0, 'local_lock(&pagesets.lock)');
        if (cfg.rt) {
          r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: ['pagesets.lock cpu 0/local'], waitingOn: '' }, 'RT local_lock');
          assert.equal(r.word('pagesets', 0), r.owner(t), 'RT: CPU 0\'s instance is owned');
        } else {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['pagesets.lock cpu 0/local'], waitingOn: '' }, 'local_lock = preempt_disable + lockdep map');
          assert.equal(r.word('pagesets', 0), 0, 'no lock word without RT');
        }
        r.step(0, 'local_unlock(&pagesets.lock)');
        r.expect(t, FREE, 'local_unlock');
        assert.equal(r.word('pagesets', 0), 0);
        r.noFindings();
      });

      it('local_lock_irqsave / local_unlock_irqrestore: IRQs off, preempt untouched (RT: as local_lock, flags 0)', () => {
        const r = new Rig(cfg, { task0: ['local_lock_irqsave(&pagesets.lock, f0);', 'local_unlock_irqrestore(&pagesets.lock, f0);'], irq0: ['ri = 1;'] });
        const t = r.task();
        r.step(0, 'local_lock_irqsave(&pagesets.lock, f0)');
        if (cfg.rt) {
          r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: ['pagesets.lock cpu 0/local'] }, 'RT local_lock_irqsave');
          assert.equal(r.value('f0'), 0);
          assert.equal(r.m.canDeliver(0, 0), true);
        } else {
          r.expect(t, { irqsOff: true, preempt: 0, migrate: 0, held: ['pagesets.lock cpu 0/local'] }, 'local_lock_irqsave');
          assert.equal(r.value('f0'), X86_EFLAGS_IF);
          assert.equal(r.m.canDeliver(0, 0), false);
        }
        r.step(0, 'local_unlock_irqrestore(&pagesets.lock, f0)');
        r.expect(t, FREE, 'restored');
        r.noFindings();
      });

      if (cfg.cpus === 2) {
        it('local_lock is per CPU: two CPUs hold their own instance at once', () => {
          const r = new Rig(cfg, { task0: ['local_lock(&pagesets.lock);'], task1: ['local_lock(&pagesets.lock);'] });
          r.step(0, 'local_lock(&pagesets.lock)');
          r.step(1, 'local_lock(&pagesets.lock)');
          r.expect(r.task(0), { held: ['pagesets.lock cpu 0/local'], waitingOn: '', status: 'running' }, 'CPU 0');
          r.expect(r.task(1), { held: ['pagesets.lock cpu 1/local'], waitingOn: '', status: 'running' }, 'CPU 1');
          if (cfg.rt) {
            assert.equal(r.word('pagesets', 0), r.owner(r.task(0)));
            assert.equal(r.word('pagesets', 1), r.owner(r.task(1)));
          }
          assert.ok(!r.kinds().includes('mutual-exclusion'));
        });
      }

      it('local_lock taken again on the same CPU by an interrupt', () => {
        const r = new Rig(cfg, { task0: ['local_lock(&pagesets.lock);', 'local_unlock(&pagesets.lock);'], irq0: ['local_lock(&pagesets.lock);', 'local_unlock(&pagesets.lock);'] });
        const t = r.task();
        const h = r.irq();
        r.step(0, 'local_lock(&pagesets.lock)');
        r.deliver(0);
        r.step(0, 'local_lock(&pagesets.lock)', h);
        if (cfg.rt) {
          r.expect(h, { irqsOff: false, preempt: 0, migrate: 0, held: [], waitingOn: 'pagesets.lock cpu 0', status: 'blocked' }, 'RT: the threaded handler sleeps');
          r.step(0, 'local_unlock(&pagesets.lock)', t);
          assert.equal(h.status, 'running');
          r.step(0, 'local_lock(&pagesets.lock)', h);
          r.expect(h, { migrate: 1, held: ['pagesets.lock cpu 0/local'], status: 'running' }, 'RT: acquired');
          r.noFindings();
        } else {
          // without RT a local lock only disables preemption: an interrupt walks in
          r.expect(h, { irqsOff: true, preempt: 1, held: ['pagesets.lock cpu 0/local'], status: 'running' }, 'hard IRQ inside the local lock');
          assert.ok(r.kinds().includes('mutual-exclusion'), `findings: ${r.kinds()}`);
        }
      });

      // ---------------------------------------------------------------- IRQ flags
      it('local_irq_save / local_irq_restore, nested: IRQs really off in every configuration', () => {
        const r = new Rig(cfg, { task0: ['local_irq_save(f0);', 'local_irq_save(f0b);', 'local_irq_restore(f0b);', 'local_irq_restore(f0);'], irq0: ['ri = 1;'] });
        const t = r.task();
        r.step(0, 'local_irq_save(f0)');
        r.expect(t, { irqsOff: true, preempt: 0, migrate: 0, held: [] }, 'local_irq_save');
        assert.equal(r.value('f0'), X86_EFLAGS_IF);
        assert.equal(r.m.canDeliver(0, 0), false, 'no interrupt with IRQs off (RT too)');
        r.step(0, 'local_irq_save(f0b)');
        assert.equal(r.value('f0b'), 0, 'nested save records IRQs were off');
        r.step(0, 'local_irq_restore(f0b)');
        r.expect(t, { irqsOff: true }, 'inner restore keeps IRQs off');
        r.step(0, 'local_irq_restore(f0)');
        r.expect(t, FREE, 'outer restore: on');
        assert.equal(r.m.canDeliver(0, 0), true);
        r.noFindings();
      });

      it('local_irq_disable / local_irq_enable', () => {
        const r = new Rig(cfg, { task0: ['local_irq_disable();', 'local_irq_enable();'], irq0: ['ri = 1;'] });
        const t = r.task();
        r.step(0, 'local_irq_disable()');
        r.expect(t, { irqsOff: true, preempt: 0, migrate: 0, held: [] }, 'disabled');
        assert.equal(r.m.canDeliver(0, 0), false);
        r.step(0, 'local_irq_enable()');
        r.expect(t, FREE, 'enabled');
        assert.equal(r.m.canDeliver(0, 0), true);
        r.noFindings();
      });

      // ---------------------------------------------------------------- preemption / migration
      it('preempt_disable / preempt_enable: the preempt count and nothing else', () => {
        const r = new Rig(cfg, { task0: ['preempt_disable();', 'preempt_disable();', 'preempt_enable();', 'preempt_enable();'] });
        const t = r.task();
        r.step(0, 'preempt_disable()');
        r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: [] }, 'one');
        r.step(0, 'preempt_disable()');
        r.expect(t, { preempt: 2 }, 'two');
        r.step(0, 'preempt_enable()');
        r.expect(t, { preempt: 1 }, 'one again');
        r.step(0, 'preempt_enable()');
        r.expect(t, FREE, 'zero');
        r.noFindings();
      });

      it('preempt_enable at count 0 is bad-unlock and leaves the count at 0', () => {
        const r = new Rig(cfg, { task0: ['preempt_enable();'] });
        r.step(0, 'preempt_enable()');
        r.expect(r.task(), { preempt: 0 }, 'not negative');
        assert.deepEqual(r.kinds(), ['bad-unlock']);
      });

      it('migrate_disable / migrate_enable: the migrate-disable count and nothing else', () => {
        const r = new Rig(cfg, { task0: ['migrate_disable();', 'r0 = smp_processor_id();', 'migrate_enable();'] });
        const t = r.task();
        r.step(0, 'migrate_disable()');
        r.expect(t, { irqsOff: false, preempt: 0, migrate: 1, held: [] }, 'migrate off');
        r.step(0, 'r0 = smp_processor_id()');
        assert.equal(r.value('r0'), 0);
        r.step(0, 'migrate_enable()');
        r.expect(t, FREE, 'migrate on');
        r.noFindings(); // smp_processor_id is stable with migration off: no preemptible-percpu
      });

      if (cfg.cpus === 2) {
        it('smp_processor_id while preemptible and migratable is preemptible-percpu (the twin of migrate_disable)', () => {
          const r = new Rig(cfg, { task0: ['r0 = smp_processor_id();'] });
          r.step(0, 'r0 = smp_processor_id()');
          assert.deepEqual(r.kinds(), ['preemptible-percpu']);
        });
      }

      if (cfg.rt) {
        it('RT: a threaded handler preempts a migrate-disabled task but not a preempt-disabled one', () => {
          for (const [off, preempts] of [['migrate_disable();', true], ['preempt_disable();', false]] as const) {
            const r = new Rig(cfg, { task0: [off, 'r0 = 1;'], irq0: ['ri = 1;'] });
            r.step(0, off);
            r.deliver(0);
            if (preempts) r.step(0, 'ri = 1;', r.irq());
            else r.step(0, 'r0 = 1;', r.task());
          }
        });
      } else {
        it('a hard IRQ runs on top of the task with IRQs off and its own preempt count', () => {
          const r = new Rig(cfg, { task0: ['preempt_disable();', 'preempt_enable();'], irq0: ['ri = 1;'] });
          r.step(0, 'preempt_disable()');
          r.deliver(0);
          r.expect(r.irq(), { irqsOff: true, preempt: 0, status: 'running' }, 'handler entered');
          r.step(0, 'ri = 1;', r.irq());
          r.step(0, '}', r.irq());
          r.expect(r.task(), { irqsOff: false, preempt: 1 }, 'back in the task, IRQs on again');
        });
      }

      // ---------------------------------------------------------------- raw spinlocks
      it('raw_spin_lock / raw_spin_unlock: preempt off, never sleeps (also on RT)', () => {
        const r = new Rig(cfg, { task0: ['raw_spin_lock(&R);', 'raw_spin_unlock(&R);'] });
        const t = r.task();
        r.step(0, 'raw_spin_lock(&R)');
        if (cfg.up) {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['R/up'], waitingOn: '' }, 'UP raw: preempt off, no lock word');
          assert.equal(r.word('R'), 0);
        } else {
          r.expect(t, { irqsOff: false, preempt: 1, migrate: 0, held: ['R/spin'], waitingOn: '' }, 'raw: preempt off, owns the word');
          assert.equal(r.word('R'), r.owner(t));
        }
        r.step(0, 'raw_spin_unlock(&R)');
        r.expect(t, FREE, 'released');
        assert.equal(r.word('R'), 0);
        r.noFindings();
      });

      it('raw_spin_lock_irqsave: IRQs really off, flags saved, in every configuration', () => {
        const r = new Rig(cfg, { task0: ['raw_spin_lock_irqsave(&R, f0);', 'raw_spin_unlock_irqrestore(&R, f0);'] });
        const t = r.task();
        r.step(0, 'raw_spin_lock_irqsave(&R, f0)');
        r.expect(t, { irqsOff: true, preempt: 1, migrate: 0, held: [cfg.up ? 'R/up' : 'R/spin'] }, 'raw irqsave');
        assert.equal(r.value('f0'), X86_EFLAGS_IF);
        r.step(0, 'raw_spin_unlock_irqrestore(&R, f0)');
        r.expect(t, FREE, 'restored');
        r.noFindings();
      });

      if (cfg.cpus === 2) {
        it('raw_spin_lock contended: spins, with RT too (status stays running)', () => {
          const r = new Rig(cfg, { task0: ['raw_spin_lock(&R);', 'raw_spin_unlock(&R);'], task1: ['raw_spin_lock(&R);', 'raw_spin_unlock(&R);'] });
          r.step(0, 'raw_spin_lock(&R)');
          r.step(1, 'raw_spin_lock(&R)');
          const spin = { irqsOff: false, preempt: 1, migrate: 0, held: [], waitingOn: 'R', status: 'running' };
          r.expect(r.task(1), spin, 'spinning');
          const before = r.snap(r.task(1));
          r.step(1, 'raw_spin_lock(&R)');
          assert.deepEqual(r.snap(r.task(1)), before, 'spinning again changes nothing');
          r.step(0, 'raw_spin_unlock(&R)');
          r.step(1, 'raw_spin_lock(&R)');
          r.expect(r.task(1), { preempt: 1, held: ['R/spin'], waitingOn: '' }, 'acquired');
          assert.equal(r.word('R'), r.owner(r.task(1)));
          r.noFindings();
        });
      }
    });
  }

  it('runs the same steps from a schedule string as from stepCpu/deliver', () => {
    // the schedule drives the machine identically: the UP B1 pattern in four choices
    const text = (cfg: string) => `scenario "s"\nmodel "./prims.kc"\n${cfg}\ncpus 1\ntask cpu 0 {\n\tspin_lock(&L);\n\tspin_unlock(&L);\n}\nirq cpu 0 {\n\tri = spin_trylock(&L);\n\tspin_unlock(&L);\n}\n`;
    const load = (cfg: string) => loadScenario(SCENARIO, { readFile: f => (f === SCENARIO ? text(cfg) : fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined) }).program!;
    const up = runScenario(load('config UP'), { schedule: 'c0,i0,c0' });
    assert.equal(up.machine.cpus[0].irqs[0].held.length, 1);
    assert.deepEqual(up.findings.map(f => f.kind), ['mutual-exclusion']);
    assert.equal(up.findings[0].schedule, 'c0,i0,c0');
    const smp = runScenario(load('config SMP'), { schedule: 'c0,i0,c0' });
    // SMP: the trylock fails; the handler's unlock of a lock it does not hold is bad-unlock
    assert.equal(smp.machine.cpus[0].irqs[0].held.length, 0);
    assert.deepEqual(smp.findings.map(f => f.kind), []);
  });
});
