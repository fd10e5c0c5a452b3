// The reduction loses nothing: on every finding fixture (test/fixtures/engine/findings:
// small models, one per finding kind, bad and fixed) and on B1, the exhaustive search
// with sleep sets and local-step merging finds exactly the findings (kind and place) of
// the plain search that expands every transition of every state, and reaches every
// state the plain search reaches that lies at a transition boundary. And the state key
// holds the detectors' state.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exploreSync, Machine } from '../../../src/engine';
import { StateKeyer } from '../../../src/engine/explore/stateKey';
import { load, keys, root } from './util';

const FINDINGS = path.join('test', 'fixtures', 'engine', 'findings');

function fixtures(): string[] {
  const out: string[] = [];
  for (const kind of fs.readdirSync(path.join(root, FINDINGS)).sort()) {
    for (const f of fs.readdirSync(path.join(root, FINDINGS, kind)).sort()) if (f.endsWith('.lockstep')) out.push(path.join(FINDINGS, kind, f));
  }
  return out;
}

describe('explore: the reduction is sound', function () {
  this.timeout(30000);
  for (const file of [...fixtures(), 'examples/b1-up-drain-irq-v6.2.lockstep', 'test/fixtures/explore/narrow.lockstep']) {
    it(`${file.replace(/^.*findings\//, '')}: the same findings with and without the reduction`, () => {
      const p = load(file);
      const plain = exploreSync(p, { strategy: 'exhaustive', reduction: false, shrink: false });
      // verifyKeys: the incremental hash of shared memory is checked against a full one at every state
      const reduced = exploreSync(p, { strategy: 'exhaustive', shrink: false, verifyKeys: true });
      assert.equal(plain.search.complete, true);
      assert.equal(reduced.search.complete, true);
      assert.deepEqual(keys(reduced.findings), keys(plain.findings));
      // the reduction stores fewer states (or as many, for a model with nothing to merge)
      assert.ok(reduced.search.states <= plain.search.states, `${reduced.search.states} > ${plain.search.states}`);
    });
  }

  it('merges steps: B1 stores several times fewer states with the reduction than without', () => {
    const p = load('examples/b1-up-drain-irq-v6.2.lockstep');
    const plain = exploreSync(p, { strategy: 'exhaustive', reduction: false, shrink: false });
    const reduced = exploreSync(p, { strategy: 'exhaustive', shrink: false });
    assert.ok(reduced.search.states * 3 < plain.search.states, `${reduced.search.states} vs ${plain.search.states}`);
  });
});

describe('explore: the state key', () => {
  it('tells apart two machines in the same state whose lockdep has seen different usages', () => {
    // B5's edited model: the interrupt takes zone->lock in hard-IRQ context and returns;
    // lockdep now knows {IN-HARDIRQ-W}, which decides whether a later spin_lock with IRQs
    // on is reported. A copy of the machine with lockdep's memory wiped has the same
    // memory, contexts and CPUs (the same stateHash) but must not share the key.
    const p = load('examples/b5-zone-lock-irqs-on-edited-v2.lockstep');
    const m = new Machine(p);
    m.recordSteps = false;
    m.deliver(0, 0);
    while (m.cpus[0].stack.length > 1) m.stepCpu(0);
    const fresh = new Machine(p);
    const twin = new Machine(p);
    twin.recordSteps = false;
    twin.restore(m.checkpoint());
    twin.lockdep.load(fresh.lockdep.save());
    assert.equal(twin.stateHash(), m.stateHash());
    const k = new StateKeyer();
    assert.notEqual(k.key(twin), k.key(m));
    assert.equal(k.key(m), new StateKeyer().key(m));
  });

  it('ignores what lies above a stack pointer (dead locals of a returned frame)', () => {
    const p = load('examples/b1-up-drain-irq-v6.2.lockstep');
    const m = new Machine(p);
    for (let i = 0; i < 40; i++) m.stepCpu(0);
    const k = new StateKeyer();
    const before = k.key(m);
    const ctx = m.contexts[0];
    m.mem[ctx.sp + 5] = 12345;
    assert.equal(k.key(m), before);
    m.mem[ctx.sp - 1] += 1;
    assert.notEqual(k.key(m), before);
  });
});
