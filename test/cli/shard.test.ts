// `lockstep check --explore exhaustive --shard I/N` from the built dist/cli.js: the parts
// split the search's work (they add up to about the whole), and a bug is reported by the
// part (or parts) whose branches reach it.
import * as assert from 'node:assert/strict';
import { cliIn, ROOT } from './cliRun';

const B1 = 'examples/b1-up-drain-irq-v6.2.lockstep';

function search(...args: string[]): { states: number; schedules: number; complete: boolean; kinds: string[] } {
  const r = cliIn(ROOT, 'check', B1, '--explore', 'exhaustive', '--json', ...args);
  let doc: any;
  try { doc = JSON.parse(r.stdout); } catch { assert.fail(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`); }
  return { states: doc.search.states, schedules: doc.search.schedules, complete: doc.search.complete, kinds: doc.findings.map((f: any) => f.kind) };
}

describe('lockstep check --shard', function () {
  this.timeout(60000);
  it('B1 in 3 shards: each part explores a share of the search, together about the whole, and they find its race', () => {
    const whole = search();
    assert.deepEqual(whole.kinds, ['mutual-exclusion']);
    const parts = [1, 2, 3].map(i => search('--shard', `${i}/3`));
    const states = parts.reduce((s, p) => s + p.states, 0);
    const schedules = parts.reduce((s, p) => s + p.schedules, 0);
    assert.ok(states <= 1.5 * whole.states, `the parts stored ${states} states, the whole search ${whole.states}`);
    assert.ok(schedules <= 1.5 * whole.schedules, `the parts ran ${schedules} schedules, the whole search ${whole.schedules}`);
    for (const p of parts) assert.ok(p.states <= 0.6 * whole.states, `a part stored ${p.states} of ${whole.states} states`);
    assert.ok(parts.every(p => p.complete));
    assert.ok(parts.some(p => p.kinds.includes('mutual-exclusion')), JSON.stringify(parts));
  });
});
