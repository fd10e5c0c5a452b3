// Shards of a search together explore what the whole search explores (and worker threads
// too); every shrunk schedule replays its finding.
import * as assert from 'node:assert/strict';
import { explore, exploreSync, findingKey, runScenario } from '../../../src/engine';
import type { ExploreResult } from '../../../src/engine';
import { load, keys, assertReplays } from './util';

const SCENARIOS = [
  'examples/b1-up-drain-irq-v6.2.lockstep',
  'examples/b5-zone-lock-irqs-on-edited-v2.lockstep',
  'test/fixtures/engine/findings/deadlock/bad.lockstep',
  'test/fixtures/engine/findings/data-race/bad.lockstep',
];

describe('explore: shards and workers', function () {
  this.timeout(60000);
  for (const file of SCENARIOS) {
    it(`${file}: shards 1..3 of 3 explore together every state and finding of the whole search`, () => {
      const p = load(file);
      const whole = exploreSync(p, { strategy: 'exhaustive', collectStates: true, shrink: false });
      const parts: ExploreResult[] = [];
      for (let i = 1; i <= 3; i++) parts.push(exploreSync(p, { strategy: 'exhaustive', shard: { index: i, count: 3 }, collectStates: true, shrink: false }));
      const union = new Set(parts.flatMap(r => r.stateKeys!));
      for (const k of whole.stateKeys!) assert.ok(union.has(k), 'a state of the whole search is in no shard');
      assert.equal(union.size, whole.stateKeys!.length, 'the shards reach no state the whole search does not');
      assert.deepEqual([...new Set(parts.flatMap(r => keys(r.findings)))].sort(), keys(whole.findings));
      for (const r of parts) assert.equal(r.search.complete, true);
    });
  }

  // the parts split the work instead of each redoing it: a part holding branches from all
  // over the search tree reached nearly every state (3 parts cost 3 whole searches)
  for (const file of ['test/fixtures/engine/findings/deadlock/bad.lockstep', 'test/fixtures/engine/findings/data-race/bad.lockstep']) {
    it(`${file}: the states and schedules of shards 1..3 of 3 add up to about the whole search's`, () => {
      const p = load(file);
      const whole = exploreSync(p, { strategy: 'exhaustive', shrink: false });
      const parts = [1, 2, 3].map(i => exploreSync(p, { strategy: 'exhaustive', shard: { index: i, count: 3 }, shrink: false }));
      const states = parts.reduce((s, r) => s + r.search.states, 0);
      const schedules = parts.reduce((s, r) => s + r.search.schedules, 0);
      assert.ok(states <= 2.5 * whole.search.states, `the parts stored ${states} states, the whole search ${whole.search.states}`);
      assert.ok(schedules <= 2 * whole.search.schedules, `the parts ran ${schedules} schedules, the whole search ${whole.search.schedules}`);
      assert.ok(states >= whole.search.states && schedules >= whole.search.schedules, 'the parts together cover the whole search');
    });
  }

  // one CPU and an interrupt (the shape of most scenarios): the arrivals are dealt out, so
  // each part explores a share, not the whole
  for (const file of ['examples/b1-up-drain-irq-v6.2.lockstep', 'examples/b5-zone-lock-irqs-on-edited-v2.lockstep']) {
    it(`${file}: each of 3 shards explores at most 60% of the whole search's states, all finding together what it finds`, () => {
      const p = load(file);
      const whole = exploreSync(p, { strategy: 'exhaustive', shrink: false });
      const parts = [1, 2, 3].map(i => exploreSync(p, { strategy: 'exhaustive', shard: { index: i, count: 3 }, shrink: false }));
      for (const r of parts) assert.ok(r.search.states <= 0.6 * whole.search.states, `shard ${r.search.shard!.index}/3 stored ${r.search.states} of the whole search's ${whole.search.states} states`);
      assert.ok(parts.reduce((s, r) => s + r.search.states, 0) <= 1.25 * whole.search.states);
      assert.deepEqual([...new Set(parts.flatMap(r => keys(r.findings)))].sort(), keys(whole.findings));
      for (const r of parts) for (const f of r.findings) assertReplays(p, f);
    });
  }

  it('bounded and random shards split the work: together the findings of the whole', () => {
    const p = load('examples/b5-zone-lock-irqs-on-edited-v2.lockstep');
    for (const strategy of ['bounded', 'random'] as const) {
      const o = { strategy, preemptions: 1, schedules: 12, seed: 3, shrink: false };
      const whole = exploreSync(p, o);
      const parts = [1, 2].map(i => exploreSync(p, { ...o, shard: { index: i, count: 2 } }));
      assert.deepEqual([...new Set(parts.flatMap(r => keys(r.findings)))].sort(), keys(whole.findings), strategy);
      if (strategy === 'random') assert.equal(parts[0].search.schedules + parts[1].search.schedules, 12);
    }
  });

  it('two worker threads explore the same states and findings as one thread', async () => {
    const p = load('examples/b5-zone-lock-irqs-on-edited-v2.lockstep');
    const one = exploreSync(p, { strategy: 'exhaustive', collectStates: true, shrink: false });
    const two = await explore(p, { strategy: 'exhaustive', jobs: 2, collectStates: true, shrink: false, parallelAfterMs: 0 });
    assert.equal(two.search.jobs, 2);
    assert.equal(two.search.complete, true);
    assert.deepEqual(new Set(two.stateKeys), new Set(one.stateKeys));
    assert.deepEqual(keys(two.findings), keys(one.findings));
  });

  it('a small search with jobs 2 ends on the calling thread before any worker starts', async () => {
    const p = load('test/fixtures/engine/findings/data-race/bad.lockstep');
    const r = await explore(p, { strategy: 'exhaustive', jobs: 2, collectStates: true });
    assert.equal(r.search.complete, true);
    assert.equal(r.search.jobs, 2);
    assert.ok(r.findings.some(f => f.kind === 'data-race'));
  });
});

describe('explore: shrinking', function () {
  this.timeout(60000);
  for (const file of ['examples/b1-up-drain-irq-v6.2.lockstep', 'examples/b4-remote-drain-zone-pages-v5.18.lockstep', 'examples/b5-zone-lock-irqs-on-edited-v2.lockstep', 'test/fixtures/explore/narrow.lockstep']) {
    it(`${file}: every shrunk schedule replays its finding, and is no longer than the one found`, () => {
      const p = load(file);
      const raw = exploreSync(p, { strategy: 'exhaustive', shrink: false });
      const shrunk = exploreSync(p, { strategy: 'exhaustive' });
      assert.deepEqual(keys(shrunk.findings), keys(raw.findings));
      for (const f of shrunk.findings) {
        assertReplays(p, f);
        const before = raw.findings.find(g => findingKey(g) === findingKey(f))!;
        assert.ok(f.step <= before.step, `${findingKey(f)}: ${f.step} steps after shrinking, ${before.step} before`);
      }
    });
  }

  it('B1 shrinks to the shortest schedule: no shorter task prefix, interrupt, task suffix reproduces it', () => {
    const p = load('examples/b1-up-drain-irq-v6.2.lockstep');
    const r = exploreSync(p, { strategy: 'exhaustive' });
    const f = r.findings.find(x => x.kind === 'mutual-exclusion')!;
    const m = /^c0\*(\d+),i0,c0\*(\d+)$/.exec(f.schedule);
    assert.ok(m, f.schedule);
    const total = Number(m[1]) + 1 + Number(m[2]);
    assert.equal(f.step, total - 1, "the step count leaves out the arrival");
    for (let before = 0; before < total; before++) {
      for (let after = 0; before + 1 + after < total; after++) {
        const s = `${before ? `c0*${before},` : ''}i0${after ? `,c0*${after}` : ''}`;
        const run = runScenario(p, { schedule: s, recordSteps: false });
        assert.ok(!run.findings.some(g => findingKey(g) === findingKey(f)), `${s} is shorter than ${f.schedule} and reproduces it`);
      }
    }
  });
});
