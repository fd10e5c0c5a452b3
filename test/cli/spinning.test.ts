// `lockstep check` on 64 CPUs queueing on zone->lock: the round-robin run ends (spinning is
// waiting for a holder that makes progress, not a loop).
import * as assert from 'node:assert/strict';
import { cliIn, ROOT } from './cliRun';

const FILE = 'test/fixtures/engine/spinning/zone-lock-64cpus.lockstep';

// (`check`, not `run`: a run prints every one of its ~70,000 steps)
describe('lockstep check: 64 CPUs spinning on zone->lock', function () {
  this.timeout(60000);
  it('its round-robin and random runs finish within the default step limit: exit 0, ok', () => {
    const r = cliIn(ROOT, 'check', FILE, '--schedules', '1');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /zone-lock-64cpus\.lockstep: ok \(2 schedules, 0 finding\(s\)\)/);
  });

  it('with a step limit too small: exit 3 and a message that says the limit was reached and how to raise it', () => {
    const r = cliIn(ROOT, 'check', FILE, '--schedules', '1', '--max-steps', '20000');
    assert.equal(r.status, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /error: stopped after 20000 steps \(--max-steps\): the step limit was reached .*raise it with --max-steps N/);
    assert.doesNotMatch(r.stdout, /may loop/);
  });
});
