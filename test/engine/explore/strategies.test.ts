// The four strategies, limits, cancellation and progress.
import * as assert from 'node:assert/strict';
import { explore, exploreSync } from '../../../src/engine';
import type { ExploreProgress } from '../../../src/engine';
import { load, assertReplays } from './util';

const NARROW = 'test/fixtures/explore/narrow.lockstep';
const B1 = 'examples/b1-up-drain-irq-v6.2.lockstep';
const B4 = 'examples/b4-remote-drain-zone-pages-v5.18.lockstep';

describe('explore: a narrow interleaving', function () {
  this.timeout(30000);
  it('random runs rarely hit a two-step window; exhaustive always finds it', () => {
    const p = load(NARROW);
    let hits = 0;
    for (let seed = 1; seed <= 40; seed++) {
      if (exploreSync(p, { strategy: 'random', schedules: 1, seed, shrink: false }).findings.length) hits++;
    }
    assert.ok(hits <= 4, `random hit the window in ${hits} of 40 runs`);
    const r = exploreSync(p, { strategy: 'exhaustive' });
    assert.equal(r.search.complete, true);
    const f = r.findings.find(x => x.kind === 'mutual-exclusion');
    assert.ok(f);
    assert.ok(r.ok);
    assertReplays(p, f);
  });
});

describe('explore: bounded, pct, random', function () {
  this.timeout(30000);
  it('bounded: B1 needs one preemption (the interrupt); with none it is not found and the search is incomplete', () => {
    const p = load(B1);
    const zero = exploreSync(p, { strategy: 'bounded', preemptions: 0 });
    assert.equal(zero.findings.length, 0);
    assert.equal(zero.search.complete, false);
    const one = exploreSync(p, { strategy: 'bounded', preemptions: 1 });
    assert.ok(one.findings.some(f => f.kind === 'mutual-exclusion'));
    assert.equal(one.search.preemptions, 1);
    assert.ok(one.ok);
  });

  it('bounded with a bound that cuts nothing completes and agrees with exhaustive', () => {
    const p = load('test/fixtures/engine/findings/data-race/bad.lockstep');
    const b = exploreSync(p, { strategy: 'bounded', preemptions: 10, shrink: false });
    const e = exploreSync(p, { strategy: 'exhaustive', shrink: false });
    assert.equal(b.search.complete, true);
    assert.deepEqual(b.findings.map(f => f.kind).sort(), e.findings.map(f => f.kind).sort());
  });

  it('pct and random find B4 with a seed, the same findings for the same seed', () => {
    const p = load(B4);
    for (const strategy of ['pct', 'random'] as const) {
      const a = exploreSync(p, { strategy, schedules: 10, seed: 7, shrink: false });
      const b = exploreSync(p, { strategy, schedules: 10, seed: 7, shrink: false });
      assert.ok(a.findings.some(f => f.kind === 'data-race'), strategy);
      assert.deepEqual(a.findings.map(f => f.schedule), b.findings.map(f => f.schedule));
      assert.equal(a.search.schedules, 10);
      assert.equal(a.search.complete, false);
      // a CPU spinning on a lock held by a lower-priority one yields (no run to --max-steps)
      assert.equal(a.search.limit, undefined, strategy);
      assert.ok((a.search.maxDepth ?? 0) < 5000, `${strategy}: a run of ${a.search.maxDepth} steps`);
    }
  });
});

describe('explore: limits, cancellation, progress', function () {
  this.timeout(30000);
  const BIG = 'examples/irq-alloc-smp-v6.1.lockstep';

  it('a time limit stops the search with what was found so far', () => {
    const p = load(BIG);
    const t0 = Date.now();
    const r = exploreSync(p, { strategy: 'exhaustive', timeLimitMs: 300 });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.search.limit, 'time-limit');
    assert.equal(r.search.complete, false);
    assert.ok(r.search.states > 0);
  });

  it('the cap on stored states stops the search with a clear message', () => {
    const p = load(BIG);
    const r = exploreSync(p, { strategy: 'exhaustive', maxStates: 200 });
    assert.equal(r.search.limit, 'max-states');
    assert.ok(r.search.states <= 200);
    assert.match(r.search.message ?? '', /200 states.*--max-states/);
  });

  it('shouldStop cancels, onProgress reports states, schedules and depth', () => {
    const p = load(BIG);
    const seen: ExploreProgress[] = [];
    const t0 = Date.now();
    const r = exploreSync(p, { strategy: 'exhaustive', onProgress: x => seen.push(x), shouldStop: () => Date.now() - t0 > 700 });
    assert.equal(r.search.limit, 'stopped');
    assert.ok(seen.length >= 1);
    const last = seen[seen.length - 1];
    assert.ok(last.states > 0 && last.depth > 0 && last.elapsedMs > 0 && last.statesPerSecond > 0);
  });

  it('stopOnFirst stops at the first finding; explore() with jobs 1 answers synchronously', () => {
    const p = load(B1);
    const r = explore(p, { strategy: 'exhaustive', stopOnFirst: true });
    assert.ok(!(r instanceof Promise));
    assert.equal(r.findings.length, 1);
    assert.equal(r.search.limit, 'first-finding');
  });
});
