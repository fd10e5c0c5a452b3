// The exhaustive search treats reads of the zone's boot constants (zone_start_pfn,
// spanned_pages, per_cpu_pageset, ...) as local steps: fewer states, the same findings;
// and when a context writes one after all, it notices and searches again without.
import * as assert from 'node:assert/strict';
import { exploreSync } from '../../../src/engine';
import { Dfs } from '../../../src/engine/explore/exhaustive';
import { StateStore } from '../../../src/engine/explore/store';
import { Pacer } from '../../../src/engine/explore/progress';
import { load, keys } from './util';

describe('explore: the zone\'s boot constants', function () {
  this.timeout(60000);
  for (const file of ['examples/b4-remote-drain-zone-pages-v5.18.lockstep', 'examples/b1-up-drain-irq-v6.2.lockstep', 'test/fixtures/engine/findings/data-race/bad.lockstep']) {
    it(`${file}: no more states than without the assumption (fewer where buddies merge), the same findings`, () => {
      const p = load(file);
      const on = exploreSync(p, { strategy: 'exhaustive', shrink: false });
      const off = exploreSync(p, { strategy: 'exhaustive', shrink: false, bootConstants: false });
      assert.equal(on.search.complete, true);
      assert.ok(on.search.states <= off.search.states, `${on.search.states} states with, ${off.search.states} without`);
      if (file.includes('b4-')) assert.ok(on.search.states < 0.9 * off.search.states, `${on.search.states} states with, ${off.search.states} without`);
      assert.deepEqual(keys(on.findings), keys(off.findings));
    });
  }

  it('a task that writes spanned_pages: the search notices and explores as without the assumption', () => {
    const p = load('test/fixtures/explore/zone-constant-written.lockstep');
    const assumed = new Dfs(p, new StateStore(), { maxSteps: 100000, detectors: true, reduction: true, stopOnFirst: false, assumeBootConstants: true }, new Pacer(undefined, undefined, undefined, () => ({ states: 0, schedules: 0, depth: 0 })));
    assumed.run({ prefix: [], sleep: [] });
    assert.equal(assumed.constantWritten, true, 'the write is seen');
    const on = exploreSync(p, { strategy: 'exhaustive', shrink: false, collectStates: true });
    const off = exploreSync(p, { strategy: 'exhaustive', shrink: false, collectStates: true, bootConstants: false });
    assert.ok(assumed.store.size < off.search.states, 'under the broken assumption states were missed');
    assert.deepEqual(new Set(on.stateKeys), new Set(off.stateKeys));
    assert.deepEqual(keys(on.findings), keys(off.findings));
  });
});
