// Issue 5, item 6: the exhaustive search finds B1-B5 on their example scenarios from
// scratch, and completes with no finding on the fixed models under SMP, UP and PREEMPT_RT.
import * as assert from 'node:assert/strict';
import { exploreSync } from '../../../src/engine';
import { load, loadUnder, assertReplays, CONFIGS } from './util';

const BUGS: { id: string; file: string; kind: string }[] = [
  { id: 'B1', file: 'examples/b1-up-drain-irq-v6.2.lockstep', kind: 'mutual-exclusion' },
  { id: 'B2', file: 'examples/b2-rt-drain-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { id: 'B3', file: 'examples/b3-rt-up-refill-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { id: 'B4', file: 'examples/b4-remote-drain-zone-pages-v5.18.lockstep', kind: 'data-race' },
  { id: 'B5', file: 'examples/b5-zone-lock-irqs-on-edited-v2.lockstep', kind: 'inconsistent-lock-state' },
];

describe('explore exhaustive: the known bugs', () => {
  for (const b of BUGS) {
    it(`finds ${b.id} (${b.kind}) from scratch, with a schedule that replays it`, () => {
      const p = load(b.file);
      const r = exploreSync(p, { strategy: 'exhaustive', stopOnFirst: true });
      const f = r.findings.find(x => x.kind === b.kind);
      assert.ok(f, `${b.id}: no ${b.kind}; found ${r.findings.map(x => x.kind).join(', ') || 'nothing'}`);
      assert.equal(r.search.limit, 'first-finding');
      assertReplays(p, f);
    });
  }

  it('B5 also deadlocks when the interrupt arrives inside the zone->lock section, and the whole search completes', () => {
    const p = load('examples/b5-zone-lock-irqs-on-edited-v2.lockstep');
    const r = exploreSync(p, { strategy: 'exhaustive' });
    assert.equal(r.search.complete, true);
    assert.ok(r.findings.some(f => f.kind === 'deadlock'), r.findings.map(f => f.kind).join(', '));
    assert.ok(r.ok);
  });
});

// The fixed twins: each on its own configuration, and on the two others.
const FIXED = [
  'examples/b1-fixed-v6.19.lockstep',
  'examples/b2-fixed-pcp-spinlock-v2.lockstep',
  'examples/b3-fixed-pcp-spinlock-v2.lockstep',
  'examples/b4-fixed-v6.1.lockstep',
  'examples/b5-fixed-pcp-spinlock-v2.lockstep',
];
describe('explore exhaustive: the fixed models stay clean', function () {
  this.timeout(60000);
  for (const file of FIXED) {
    for (const c of CONFIGS) {
      it(`${file.replace('examples/', '')} under ${c.name}: complete, no finding`, () => {
        const p = loadUnder(file, c);
        const r = exploreSync(p, { strategy: 'exhaustive' });
        assert.deepEqual(r.findings.map(f => `${f.kind} ${f.location.file}:${f.location.line} ${f.schedule}`), []);
        assert.equal(r.search.complete, true, JSON.stringify(r.search));
        assert.ok(r.search.states > 10);
      });
    }
  }
});
