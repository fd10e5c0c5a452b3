// The evaluator benchmark measures what it says: a stopped frame, a list of the asked
// length paged completely, and targets that follow from the numbers.
import * as assert from 'node:assert/strict';
import { run, summary, TARGET_CONDITION_STEPS, TARGET_PAGE_MS } from '../../bench/eval';
import { BENCHES } from '../../bench/run';

describe('bench: eval', function () {
  this.timeout(60_000);

  it('reports condition, evaluate and paging costs with their ratios and targets', () => {
    const r = run({ pages: 500, calls: 200 });
    assert.equal(r.name, 'eval');
    assert.equal(r.listPages, 500);
    assert.ok(r.conditionUs > 0 && r.stepUs > 0 && r.rawWalkMs >= 0);
    assert.ok(Math.abs(r.ratios.conditionVsStep - r.conditionUs / r.stepUs) < 1e-6);
    assert.equal(r.targetMet, r.ratios.conditionVsStep <= TARGET_CONDITION_STEPS && r.pagesMs.p95 <= TARGET_PAGE_MS);
    assert.match(summary(r), /^eval: condition [\d.]+ us \([\d.]+ steps\)/);
  });

  it('is listed in bench/run.ts', () => {
    assert.ok(BENCHES.some(b => b.name === 'eval'));
  });
});
