// Items 1 and 2 of issue 6: one session class, run as dist/debugAdapter.js over stdio;
// the launch attributes; a scenario with errors fails the launch with its diagnostics.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, initialize, example, fixture, failure, frames, stepIn, move, launchRequest } from './dap';
import { LockstepDebugSession } from '../../src/debugAdapter/session';

describe('debug adapter: launch', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('the session class can be created inline (the extension host uses it so)', () => {
    const s = new LockstepDebugSession();
    assert.equal(typeof s.handleMessage, 'function');
    s.dispose();
  });

  it('stops on entry before the first step of a bundled example, CPU 0 selected', async () => {
    const s = await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep') });
    assert.equal(s.body.reason, 'entry');
    assert.equal(s.body.threadId, 1);
    const f = await frames(dc, 1);
    assert.deepEqual(f.map(x => [x.name, x.file, x.line]), [['task cpu 0', 'b1-up-drain-irq-v6.2.lockstep', 11]]);
  });

  it('a scenario with errors fails the launch with path:line:column diagnostics', async () => {
    await initialize(dc);
    const msg = await failure(launchRequest(dc, { scenario: fixture('broken.lockstep') }));
    assert.match(msg, /broken\.lockstep:6:10: error: cpu 5 is out of range/);
    assert.match(msg, /broken\.lockstep:11:5: error: call to 'no_such_function'/);
  });

  it('a missing scenario file and a missing attribute are errors, not crashes', async () => {
    await initialize(dc);
    assert.match(await failure(launchRequest(dc, {})), /names no "scenario"/);
    assert.match(await failure(launchRequest(dc, { scenario: fixture('does-not-exist.lockstep') })), /does-not-exist\.lockstep:1:1: error/);
    // the adapter still answers
    assert.deepEqual((await dc.threadsRequest()).body.threads, []);
  });

  it('a bad schedule fails the launch naming the column; a bad strategy is refused', async () => {
    await initialize(dc);
    assert.match(await failure(launchRequest(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*3,x9' })), /"schedule":6: error: bad schedule item 'x9'/);
    assert.match(await failure(launchRequest(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c4' })), /the scenario has 1 CPU/);
    assert.match(await failure(launchRequest(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), strategy: 'fastest' })), /unknown strategy 'fastest'/);
  });

  it('`schedule` is replayed by continue: the B1 schedule reaches its mutual-exclusion finding', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*289,i0,c0*40' });
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'exception');
    assert.equal(s.body.text, 'mutual-exclusion');
  });

  it('`config` as text lines and `model` override the scenario (PREEMPT_RT gives handler threads)', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep'), config: 'PREEMPT_RT on', model: 'v6.19' });
    const names = (await dc.threadsRequest()).body.threads.map(t => t.name);
    assert.deepEqual(names.map(n => n.split(' — ')[0]), ['CPU 0', 'CPU 1', 'CPU 1 irq/1-0']);
    const f = await frames(dc, 1);
    assert.match(f[0].file ?? '', /two-cpus-irq/);
  });

  it('a bad `config` is an error naming the line', async () => {
    await initialize(dc);
    assert.match(await failure(launchRequest(dc, { scenario: fixture('two-cpus-irq.lockstep'), config: 'PREEMPT_RT maybe' })), /config line 'PREEMPT_RT maybe'/);
  });

  it('stopOnEntry false runs the strategy to the end of the run', async () => {
    const s = await launch(dc, { scenario: fixture('two-cpus-irq.lockstep'), stopOnEntry: false, strategy: 'roundrobin' });
    assert.equal(s.body.reason, 'step');
    assert.match(s.body.description ?? '', /Run ended: every context has finished/);
    await stepIn(dc, 1).catch(() => undefined);
  });

  it('a `trace` launch of a missing file is a clear error', async () => {
    await initialize(dc);
    assert.match(await failure(launchRequest(dc, { trace: fixture('some.trace') })), /kernel trace/);
  });
});
