// PREEMPT_RT: a CPU's task and its threaded interrupt handler are two threads. Stepping
// one moves only it (singleThread); stepping one that cannot run now (the handler before
// its interrupt arrives or after it returned, the task while the handler runs first)
// says why and moves nothing.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, fixture, frames, move } from './dap';

const RT = fixture('rt-irq-thread.lockstep');

async function step(dc: DebugClient): Promise<number> {
  return (await dc.customRequest('lockstep/schedule')).body.step;
}

describe('debug adapter: PREEMPT_RT handler threads', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it('stepping the handler thread before its interrupt arrived does not move the task', async () => {
    await launch(dc, { scenario: RT });
    const threads = (await dc.threadsRequest()).body.threads;
    assert.match(threads[1].name, /^CPU 0 irq\//);
    const s = await move(dc, () => dc.stepInRequest({ threadId: 2 }));
    assert.equal(s.body.threadId, 2);
    assert.match(s.body.description ?? '', /cannot run now: its interrupt has not arrived/);
    assert.equal(await step(dc), 0, 'nothing moved');
    assert.equal((await frames(dc, 1))[0].name, 'task cpu 0');
  });

  it('after delivery the handler thread runs first: the task says so; once the handler returned, it cannot be stepped again', async () => {
    await launch(dc, { scenario: RT });
    await move(dc, () => dc.stepInRequest({ threadId: 1 }));
    const d = await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 0 }));
    assert.equal(d.body.threadId, 2);
    const at = await step(dc);
    const blocked = await move(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.match(blocked.body.description ?? '', /cannot run now: CPU 0 runs irq\/\S+ first/);
    assert.equal(await step(dc), at);
    // run the handler to its end, then it is finished
    let s = await move(dc, () => dc.stepOutRequest({ threadId: 2 }));
    for (let i = 0; i < 50 && !/finished/.test((await dc.threadsRequest()).body.threads[1].name); i++) s = await move(dc, () => dc.nextRequest({ threadId: 2 }));
    assert.match((await dc.threadsRequest()).body.threads[1].name, /finished/);
    const before = await step(dc);
    s = await move(dc, () => dc.nextRequest({ threadId: 2 }));
    assert.match(s.body.description ?? '', /cannot run now: it has finished/);
    assert.equal(await step(dc), before);
    // the task goes on
    s = await move(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal(s.body.threadId, 1);
    assert.ok(await step(dc) > before);
  });
});

describe('debug adapter: PREEMPT_RT stepBack on a thread', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it("stepBack on the handler thread undoes the handler's last step, not the task's later move on the same CPU", async () => {
    await launch(dc, { scenario: RT });
    await move(dc, () => dc.stepInRequest({ threadId: 1 }));
    await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 0 }));
    // the handler runs to its end, a step at a time
    let handlerLast = await step(dc);
    for (let i = 0; i < 200 && !/finished/.test((await dc.threadsRequest()).body.threads[1].name); i++) {
      await move(dc, () => dc.stepInRequest({ threadId: 2 }));
      handlerLast = await step(dc);
    }
    assert.match((await dc.threadsRequest()).body.threads[1].name, /finished/);
    // then the task moves on: the CPU's previous move is now the task's
    await move(dc, () => dc.stepInRequest({ threadId: 1 }));
    const taskAt = await step(dc);
    assert.ok(taskAt > handlerLast);
    const back = await move(dc, () => dc.stepBackRequest({ threadId: 2 }));
    assert.equal(back.body.threadId, 2, 'the stop selects the handler thread');
    assert.equal(await step(dc), handlerLast - 1, "back to before the handler's last step");
    assert.doesNotMatch((await dc.threadsRequest()).body.threads[1].name, /finished/, 'the handler has its last step still to run');
    // the task thread's stepBack from there undoes the task's step before the interrupt
    const t = await move(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.equal(t.body.threadId, 1);
    assert.ok(await step(dc) < handlerLast - 1);
  });
});
