// goto targets include step 0 for the lines the tasks start on. A replayed `schedule` ends where `lockstep run --schedule` ends (continue stops there,
// and the next continue goes on with the strategy); a restart that cannot load (the
// scenario now has an error, new arguments name a missing file) is an error response
// and leaves the session exactly as it was.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, fixture, ROOT, failure, stepIn, move, frames, scope, byName, children } from './dap';

const TWO = fixture('two-cpus-irq.lockstep');

async function schedule(dc: DebugClient): Promise<{ scenario: string; current: string; recorded: string; step: number }> {
  return (await dc.customRequest('lockstep/schedule')).body;
}

describe('debug adapter: schedule replay, restart, goto targets', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it('continue replays the launch schedule and stops at its end, in the state `lockstep run --schedule` ends in', async () => {
    const sched = 'c0*6,c1*9,i1,c1*4';
    const run = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', TWO, '--schedule', sched, '--json'], { encoding: 'utf8' }));
    await launch(dc, { scenario: TWO, schedule: sched, strategy: 'roundrobin' });
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /end of the replayed schedule/);
    const at = await schedule(dc);
    assert.equal(at.current, sched);
    assert.equal(at.step, 20, "every choice of the schedule, the interrupt's arrival included");
    // the per-CPU lists are those the command line shows after the same schedule
    const f = await frames(dc, 1);
    const normal = byName(await scope(dc, f[0].id, 'Per-CPU lists'), 'Normal');
    const cpus = await children(dc, byName(await children(dc, normal), 'all CPUs'));
    for (const want of run.state.zones[0].pcp as { cpu: number; count: number }[]) {
      const shown = byName(await children(dc, byName(cpus, `cpu ${want.cpu}`)), 'count');
      assert.equal(Number(shown.value), want.count, `cpu ${want.cpu} count`);
    }
    // going on: the strategy runs the rest of the scenario
    const end = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(end.body.description ?? '', /Run ended/);
    assert.ok((await schedule(dc)).step > at.step);
  });

  it("goto targets on a task's first line include step 0 (where it stands before anything ran)", async () => {
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const end = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(end.body.description ?? '', /Run ended/);
    const first = fs.readFileSync(TWO, 'utf8').split('\n').findIndex(l => l.includes('alloc_pages(GFP_KERNEL')) + 1;
    const t = await dc.gotoTargetsRequest({ source: { path: TWO }, line: first });
    assert.equal(t.body.targets[0]?.id, 0, JSON.stringify(t.body.targets));
    assert.match(t.body.targets[0].label, /step 0/);
    const s = await move(dc, () => dc.gotoRequest({ threadId: 1, targetId: 0 }));
    assert.equal(s.body.reason, 'goto');
    assert.equal((await schedule(dc)).step, 0);
    assert.equal((await frames(dc, 1))[0].line, first);
  });

  it('a restart that cannot load keeps the session: same scenario, same position, and a later restart still works', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-restart-'));
    const file = path.join(tmp, 'edit.lockstep');
    const good = fs.readFileSync(TWO, 'utf8');
    fs.writeFileSync(file, good);
    try {
      await launch(dc, { scenario: file });
      await stepIn(dc, 1, 4);
      const before = await schedule(dc);
      fs.writeFileSync(file, good.replace('cpus 2', 'cpus two'));
      assert.match(await failure(dc.restartRequest({})), /edit\.lockstep:\d+:\d+: error: /);
      assert.match(await failure(dc.restartRequest({ arguments: { scenario: path.join(tmp, 'missing.lockstep') } as never })), /cannot read scenario file/);
      assert.deepEqual(await schedule(dc), before, 'the session did not move or change its scenario');
      assert.equal((await stepIn(dc, 1)).body.reason, 'step');
      fs.writeFileSync(file, good);
      const s = await move(dc, () => dc.restartRequest({}));
      assert.equal(s.body.reason, 'entry');
      const after = await schedule(dc);
      assert.equal(after.scenario, before.scenario);
      assert.equal(after.step, 0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
