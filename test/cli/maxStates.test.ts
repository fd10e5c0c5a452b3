// `lockstep check --explore exhaustive` stopped by the state cap: the message says what
// was explored and how to narrow the search, and the narrowing it names works.
import * as assert from 'node:assert/strict';
import { cliIn, ROOT } from './cliRun';

const FILE = 'test/fixtures/explore/v62-smp-irqs-remote-drain.lockstep';

describe('lockstep check: the state cap', function () {
  this.timeout(60000);
  it('v6.2, 2 CPUs with an interrupt each and a remote drain: exit 3, what was explored, and how to narrow the search', () => {
    const r = cliIn(ROOT, 'check', FILE, '--explore', 'exhaustive', '--max-states', '2000');
    assert.equal(r.status, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /INCOMPLETE \(exhaustive: 2000 states, \d+ schedules, stopped: max-states/);
    assert.match(r.stdout, /stopped after storing 2000 states \(--max-states\): the search is incomplete/);
    assert.match(r.stdout, /Explored: \d+ schedules, runs up to \d+ steps deep/);
    assert.match(r.stdout, /2 task\(s\) and 2 interrupt block\(s\) on 2 CPU\(s\)/);
    assert.match(r.stdout, /--explore bounded --preemptions 2/);
    assert.match(r.stdout, /raise --max-states N/);
  });

  it('the narrowing it proposes completes: bounded with 1 preemption, exit 0', () => {
    const r = cliIn(ROOT, 'check', FILE, '--explore', 'bounded', '--preemptions', '1');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /ok \(bounded: \d+ states, \d+ schedules, 1 preemption\(s\)/);
  });

  it('a bounded search stopped by the cap proposes fewer preemptions, not bounded search again', () => {
    const r = cliIn(ROOT, 'check', FILE, '--explore', 'bounded', '--preemptions', '2', '--max-states', '1000');
    assert.equal(r.status, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /a lower --preemptions \(this search had reached \d\)/);
  });
});
