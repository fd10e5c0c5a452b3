// The debug adapter benchmark measures real DAP round trips; keep it honest on a tiny run.
import * as assert from 'node:assert/strict';
import { run, summary, scenarioText, TARGET_P95_4, TARGET_ANY_STEP } from '../../bench/dap';
import { BENCHES } from '../../bench/run';

describe('bench: dap', function () {
  this.timeout(120_000);

  it('generates scenarios with one looping task per CPU', () => {
    const text = scenarioText(64, 10);
    assert.match(text, /^cpus 64$/m);
    assert.equal(text.match(/^task cpu \d+ \{$/gm)?.length, 64);
  });

  it('reports next round trips and time travel with their targets', async () => {
    const r = await run({ cpus: [4], rounds: 3, longSteps: 20_000, jumps: 3 });
    assert.equal(r.name, 'dap');
    assert.equal(r.roundTrip.length, 1);
    const row = r.roundTrip[0];
    assert.equal(row.targetP95Ms, TARGET_P95_4);
    assert.equal(row.met, row.p95Ms < TARGET_P95_4);
    assert.ok(row.p50Ms > 0 && row.p95Ms >= row.p50Ms);
    assert.equal(r.timeTravel.steps, 20_000, 'the long run reached its maxSteps');
    assert.equal(r.timeTravel.targetMs, TARGET_ANY_STEP);
    assert.equal(r.targetMet, row.met && r.timeTravel.met);
    assert.match(summary(r), /^dap: next round trip 4 CPUs p50 [\d.]+ ms/);
  });

  it('is listed in bench/run.ts', () => {
    assert.ok(BENCHES.some(b => b.name === 'dap'));
  });
});
