// The engine benchmark measures a clean, deterministic run; keep it honest.
import * as assert from 'node:assert/strict';
import { runScenario } from '../../src/engine';
import { loadBench, run, summary, CPUS, TARGET_OFF, TARGET_ON } from '../../bench/engine';
import { BENCHES } from '../../bench/run';

describe('bench: engine', function () {
  this.timeout(60_000);

  it('runs a clean model: every alloc/free pair succeeds and no detector fires', () => {
    // recorded, so the event log can show every lock taken (benchmark runs record nothing)
    const res = runScenario(loadBench(100), { strategy: 'roundrobin', recordSteps: true, maxSteps: 1e7 });
    assert.equal(res.stop, 'finished');
    assert.deepEqual(res.findings.map(f => `${f.kind}: ${f.message}`), []);
    // alloc takes pcp->lock, and free takes it only for a page it got: 2 per pair when all succeed
    assert.equal(res.machine.events.filter(e => e.kind === 'lock-acquired').length, CPUS * 100 * 2);
    // the pages went back where they came from: 4 on every CPU's list, none handed out
    assert.equal(res.machine.accounting.allocated.size, 0);
  });

  it('reports steps/s off and on, their targets, memory and the baseline ratio', () => {
    const r = run({ iterations: 200, runs: 1 });
    assert.equal(r.name, 'engine');
    assert.deepEqual(r.findings, []);
    assert.ok(r.steps > CPUS * 200 * 20, `${r.steps} steps`);
    assert.equal(r.targetOff, TARGET_OFF);
    assert.equal(r.targetOn, TARGET_ON);
    assert.equal(r.targetOffMet, r.stepsPerSecondOff >= TARGET_OFF);
    assert.equal(r.targetOnMet, r.stepsPerSecondOn >= TARGET_ON);
    assert.equal(r.targetMet, r.targetOffMet && r.targetOnMet);
    assert.ok(Math.abs(r.stepsPerSecondOff - r.steps / (r.medianMsOff / 1000)) <= r.stepsPerSecondOff * 0.01);
    assert.ok(r.peakRssMB >= r.peakRssMBOff && r.peakRssMBOff > 0);
    assert.ok(r.baseline.opsPerSecond > 0 && r.ratios.offVsBaseline > 1, 'a step costs more than a push and a pop');
    assert.match(summary(r), /^engine: \d+ steps \(4 CPUs x 200 alloc\/free pairs\), detectors off \d+k steps\/s/);
  });

  it('is listed in bench/run.ts', () => {
    assert.ok(BENCHES.some(b => b.name === 'engine'));
  });
});
