// The debug runtime without the protocol: time travel lands on exactly the state a
// straight run reaches (checkpoints + re-execution), memory stays bounded by thinning,
// what-if edits survive going back and forth, and one CPU's steps move only that CPU.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadScenario, CheckedProgram, Machine } from '../../../src/engine';
import { DebugRuntime, CheckpointStore, cpuChoice, irqChoice } from '../../../src/engine/debug';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function load(rel: string): CheckedProgram {
  const r = loadScenario(path.join(ROOT, rel));
  assert.ok(r.program, r.diagnostics.map(d => d.message).join('\n'));
  return r.program;
}

describe('engine: debug runtime', () => {
  const program = load('examples/remote-drain-4cpus-v6.19.lockstep');

  it('goto any step reaches the state of a straight run to that step (small checkpoint spacing)', () => {
    const rt = new DebugRuntime(program, { strategy: 'random', seed: 5, checkpointSpacing: 16 });
    const end = rt.continueSync();
    assert.equal(end.reason, 'end');
    const n = rt.length;
    assert.ok(n > 100, `${n} steps`);
    const hashes: number[] = [];
    const straight = new Machine(program);
    hashes.push(straight.stateHash());
    for (let p = 0; p < n; p++) {
      const c = rt.choiceAt(p);
      if (c >= 0) straight.stepCpu(c); else { const v = -c - 1; straight.deliver(Math.floor(v / 65536), v % 65536); }
      hashes.push(straight.stateHash());
    }
    for (const p of [n, 0, 17, n - 1, 3, Math.floor(n / 2), 16, 15, n]) {
      rt.goto(p);
      assert.equal(rt.pos, p);
      assert.equal(rt.m.stateHash(), hashes[p], `state at step ${p}`);
    }
  });

  it('a long run keeps a bounded number of checkpoints', () => {
    const store = new CheckpointStore({ spacing: 4, maxCount: 8, minCount: 2 });
    const m = new Machine(program);
    store.take(m, 0);
    for (let p = 1; p <= 400; p++) store.maybeTake(m, p);
    assert.ok(store.count <= 8, `${store.count} checkpoints`);
    assert.ok(store.spacing > 4, 'the spacing grew');
    assert.equal(store.atOrBefore(0)!.pos, 0, 'the boot state always stays');
    assert.ok(400 - store.atOrBefore(400)!.pos <= store.spacing);
  });

  it('stepping one CPU moves only that CPU; stepBack undoes exactly that move', () => {
    const rt = new DebugRuntime(program);
    const before = rt.m.contexts.map(c => c.frames.map(f => `${f.fn.name}:${f.pc}`).join('/'));
    rt.step(2, 'in');
    rt.step(2, 'in');
    const after = rt.m.contexts.map(c => c.frames.map(f => `${f.fn.name}:${f.pc}`).join('/'));
    assert.deepEqual(after.filter((_x, i) => i !== 2), before.filter((_x, i) => i !== 2));
    assert.notEqual(after[2], before[2]);
    const h2 = rt.m.stateHash();
    rt.step(1, 'in');
    rt.stepBack(1);
    assert.equal(rt.m.stateHash(), h2);
    assert.equal(rt.length, 3, 'the undone move stays recorded until another choice is made');
    rt.step(3, 'in');
    assert.equal(rt.length, 3, 'a different choice forked the run');
    assert.equal(rt.schedule(), 'c2*2,c3');
  });

  it('a what-if edit applies whenever its step is reached again; the future after it is dropped', () => {
    const rt = new DebugRuntime(program, { checkpointSpacing: 4 });
    for (let k = 0; k < 10; k++) rt.step(0, 'in');
    rt.goto(6);
    const addr = rt.m.pcpAddr(0, 1) + 2;   // some cell of CPU 1's pcp
    rt.edit(addr, 4242);
    assert.equal(rt.length, 6);
    for (let k = 0; k < 4; k++) rt.step(0, 'in');
    rt.goto(2);
    assert.notEqual(rt.m.mem[addr], 4242, 'before the edit the old value');
    rt.goto(8);
    assert.equal(rt.m.mem[addr], 4242, 'after the edit, again');
  });

  it('deliver refuses an interrupt that cannot arrive, with the reason', () => {
    const b1 = load('examples/b1-up-drain-irq-v6.2.lockstep');
    const rt = new DebugRuntime(b1);
    assert.match(rt.deliver(0, 3).text ?? '', /no irq block #3/);
    assert.equal(rt.deliver(0).reason, 'interrupt');
    assert.match(rt.deliver(0).text ?? '', /handler is running/);
    assert.equal(rt.choiceAt(0), irqChoice(0, 0));
    assert.notEqual(rt.choiceAt(0), cpuChoice(0));
  });
});
