// Many CPUs spinning on one lock while its holder works: spinning is waiting, not a loop.
// Round-robin used to give the holder one step in 64, so the run hit --max-steps and
// said the model may loop forever.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadScenario, runScenario, judge, CheckedProgram, formatDiagnostic } from '../../src/engine';
import { DebugRuntime } from '../../src/engine/debug';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FILE = path.join(ROOT, 'test/fixtures/engine/spinning/zone-lock-64cpus.lockstep');
const LOOP = path.join(ROOT, 'test/fixtures/engine/bad-input/loop.lockstep');

function load(file: string): CheckedProgram {
  const r = loadScenario(file);
  assert.ok(r.program, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.program;
}

describe('many CPUs spinning on zone->lock', function () {
  this.timeout(60000);

  it('round-robin: the run ends, every CPU got its page, in steps linear in the CPUs, none of them wasted spinning while the holder could move', () => {
    const p = load(FILE);
    const r = runScenario(p, { strategy: 'roundrobin', recordSteps: false });
    assert.equal(r.stop, 'finished', r.message);
    assert.ok(judge(p, r.findings).ok, JSON.stringify(r.findings.map(f => f.message)));
    assert.ok(r.machine.step < 64 * 2000, `${r.machine.step} steps`);
    assert.ok(r.machine.contexts.every(c => c.status === 'done'));
  });

  it('random: the run ends as well', () => {
    const p = load(FILE);
    const r = runScenario(p, { strategy: 'random', seed: 3, recordSteps: false });
    assert.equal(r.stop, 'finished', r.message);
    assert.ok(judge(p, r.findings).ok);
  });

  it('a step limit too small for the run says so and how to raise it, not that the model may loop', () => {
    const p = load(FILE);
    const r = runScenario(p, { strategy: 'roundrobin', maxSteps: 20000, recordSteps: false });
    assert.equal(r.stop, 'max-steps');
    assert.match(r.message ?? '', /step limit was reached while the CPUs were still making progress/);
    assert.match(r.message ?? '', /--max-steps N/);
    assert.doesNotMatch(r.message ?? '', /may loop/);
    assert.ok((r.message ?? '').length < 1000, 'the message names a few CPUs, not all 64');
  });

  it('a model that really loops (no lock taken or released, nothing ends) is still called a possible loop', () => {
    const r = runScenario(load(LOOP), { maxSteps: 5000 });
    assert.equal(r.stop, 'max-steps');
    assert.match(r.message ?? '', /the model may loop forever; CPU 0 task in spin_forever .*no lock was taken or released and no context ended in the last \d+ steps/);
  });

  it('the debugger\'s round-robin continue runs to the end', () => {
    const rt = new DebugRuntime(load(FILE), { strategy: 'roundrobin' });
    const stop = rt.continueSync();
    assert.equal(stop.reason, 'end');
    assert.match(stop.description ?? '', /every context has finished/);
  });
});
