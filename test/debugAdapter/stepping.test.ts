// Item 4 of issue 6: next/stepIn/stepOut move only the chosen CPU; continue follows the
// strategy; pause; stepBack and reverseContinue; restart; goto a step; an interrupt
// delivered by hand; going back and choosing differently forks the run.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient, launch, example, fixture, frames, move, stepIn, failure } from './dap';

async function where(dc: DebugClient, threadId: number): Promise<string> {
  return (await frames(dc, threadId)).map(f => `${f.name}@${f.line}`).join(' < ');
}

async function timeline(dc: DebugClient): Promise<{ steps: number; current: number; intervals: { cpu: number; kind: string; name: string; from: number; to: number }[]; findings: { step: number; kind: string }[] }> {
  return (await dc.customRequest('lockstep/timeline')).body;
}

async function evaluate(dc: DebugClient, expression: string): Promise<string> {
  return (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;
}

describe('debug adapter: stepping and time travel', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('stepIn moves only the selected CPU; the others stay where they were', async () => {
    await launch(dc, { scenario: example('remote-drain-4cpus-v6.19.lockstep') });
    const before = await Promise.all([1, 2, 3].map(t => where(dc, t)));
    const s = await stepIn(dc, 4, 5);
    assert.equal(s.body.reason, 'step');
    assert.equal(s.body.threadId, 4);
    assert.deepEqual(await Promise.all([1, 2, 3].map(t => where(dc, t))), before);
    assert.match(await where(dc, 4), /^\w+@\d+ < .*drain_all_pages@\d+ < task cpu 3@26$/);
  });

  it('next steps over a call; stepIn enters it; stepOut returns to the caller', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    assert.equal(await where(dc, 1), 'task cpu 0@10');
    await stepIn(dc, 1);
    const inside = await frames(dc, 1);
    assert.equal(inside[0].name, 'alloc_pages');
    assert.equal(inside.length, 2);
    await stepIn(dc, 1, 3);
    assert.ok((await frames(dc, 1)).length >= 2);
    await move(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.equal(await where(dc, 1), 'task cpu 0@11', 'back in the block, at the statement after the call');
    await move(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal(await where(dc, 1), 'task cpu 0@12', 'next ran all of __free_pages');
    assert.equal(await where(dc, 2), 'task cpu 1@15', 'CPU 1 never moved');
  });

  it('continue with the explore strategy stops at the first finding (B1)', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), strategy: 'explore', seed: 3 });
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'exception');
    assert.equal(s.body.text, 'mutual-exclusion');
    const info = await dc.exceptionInfoRequest({ threadId: s.body.threadId! });
    assert.equal(info.body.exceptionId, 'mutual-exclusion');
    assert.match(info.body.description ?? '', /mutual exclusion violated/);
  });

  it('random with a seed is reproducible; roundrobin runs to the end', async () => {
    const runs: string[] = [];
    for (let k = 0; k < 2; k++) {
      if (k) { await dc.stop(); dc = await startClient(); }
      await launch(dc, { scenario: fixture('two-cpus-irq.lockstep'), strategy: 'random', seed: 7 });
      const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.match(s.body.description ?? '', /Run ended/);
      runs.push(await evaluate(dc, ':schedule'));
    }
    assert.equal(runs[0], runs[1]);
    assert.match(runs[0], /i1/, 'the interrupt arrived somewhere');
  });

  it('pause stops a long continue; the adapter answers meanwhile', async () => {
    await launch(dc, { scenario: fixture('long-loop.lockstep'), maxSteps: 50_000_000 });
    await dc.continueRequest({ threadId: 1 });
    await new Promise(r => setTimeout(r, 300));
    const threads = await dc.threadsRequest();   // served while running
    assert.equal(threads.body.threads.length, 2);
    const s = await move(dc, () => dc.pauseRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'pause');
    const tl = await timeline(dc);
    assert.ok(tl.current > 1000, `ran ${tl.current} steps before the pause`);
  });

  it('stepBack returns to the exact earlier state; stepping forward again follows the recording', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 1, 3);
    const at3 = await where(dc, 1);
    await stepIn(dc, 1, 2);
    const at5 = await where(dc, 1);
    await move(dc, () => dc.stepBackRequest({ threadId: 1 }));
    await move(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.equal(await where(dc, 1), at3);
    assert.equal((await timeline(dc)).steps, 5, 'the future is kept while nothing else is chosen');
    await stepIn(dc, 1, 2);
    assert.equal(await where(dc, 1), at5);
  });

  it('going back and stepping another CPU forks the run: the old future is dropped', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 1, 6);
    const invalidated = dc.waitForEvent('invalidated');
    await move(dc, () => dc.customRequest('lockstep/goto', { step: 2 }));
    assert.deepEqual((await invalidated).body.areas, ['all'], 'time travel invalidates what the views show');
    assert.equal((await timeline(dc)).steps, 6);
    await stepIn(dc, 2);
    const tl = await timeline(dc);
    assert.equal(tl.steps, 3);
    assert.equal(tl.current, 3);
    assert.equal(await evaluate(dc, ':schedule'), 'c0*2,c1');
  });

  it('reverseContinue goes back to the previous breakpoint hit, else to the entry', async () => {
    const file = fixture('two-cpus-irq.lockstep');
    await launch(dc, { scenario: file }, { breakpoints: [{ file, lines: [11] }] });
    // CPU 0 reaches line 11 after its alloc_pages; run on past it
    let s: DebugProtocol.StoppedEvent;
    s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    const hitAt = (await timeline(dc)).current;
    s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    const later = (await timeline(dc)).current;
    assert.ok(later > hitAt);
    s = await move(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    // the latest hit before `later` (CPU 1 reaches line 16 is not a breakpoint; CPU 0's line 11 is)
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal((await timeline(dc)).current, hitAt);
    s = await move(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'entry');
    assert.equal((await timeline(dc)).current, 0);
  });

  it('gotoTargets lists the recorded steps at a line; goto jumps there; lockstep/step follows', async () => {
    const file = fixture('two-cpus-irq.lockstep');
    await launch(dc, { scenario: file, strategy: 'roundrobin' });
    await move(dc, () => dc.continueRequest({ threadId: 1 }));
    await move(dc, () => dc.customRequest('lockstep/goto', { step: 0 }));
    const src = { path: file };
    const targets = (await dc.gotoTargetsRequest({ source: src, line: 11 })).body.targets;
    assert.ok(targets.length >= 1);
    const stepEvent = dc.waitForEvent(('lockstep/step')) as Promise<DebugProtocol.Event>;
    const s = await move(dc, () => dc.gotoRequest({ threadId: 1, targetId: targets[0].id }));
    assert.equal(s.body.reason, 'goto');
    assert.equal((await stepEvent).body.step, targets[0].id);
    const f = await frames(dc, s.body.threadId!);
    assert.equal(f[f.length - 1].line, 11);
  });

  it('Deliver interrupt here: the handler runs on top of the task; refused where IRQs cannot arrive', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    assert.match(await failure(dc.customRequest('lockstep/deliverInterrupt', { cpu: 0 })), /CPU 0 has no irq block/);
    const s = await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 1 }));
    assert.equal(s.body.reason, 'interrupt');
    assert.equal(s.body.threadId, 2);
    const f = await frames(dc, 2);
    assert.deepEqual(f.map(x => x.name), ['irq cpu 1', '<hardirq>', 'task cpu 1']);
    assert.match(await failure(dc.customRequest('lockstep/deliverInterrupt', { cpu: 1 })), /its handler is running/);
    // the debug console offers the same
    await stepIn(dc, 2, 40);
    assert.match(await evaluate(dc, ':schedule'), /^i1,c1\*/);
  });

  it('restart goes back to the entry with a fresh run', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 1, 4);
    const s = await move(dc, () => dc.restartRequest({}));
    assert.equal(s.body.reason, 'entry');
    assert.equal((await timeline(dc)).steps, 0);
    assert.equal(await where(dc, 1), 'task cpu 0@10');
  });

  it('the timeline shows lock intervals and findings by step', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*289,i0,c0*23' });
    await move(dc, () => dc.continueRequest({ threadId: 1 }));
    const tl = await timeline(dc);
    assert.equal(tl.current, 313);
    assert.deepEqual(tl.findings.map(f => [f.kind, f.step]), [['mutual-exclusion', 313]]);
    assert.ok(tl.intervals.some(i => i.kind === 'irq' && i.from === 289));
    assert.ok(tl.intervals.some(i => i.kind === 'lock' && i.name === 'pcp->lock cpu 0'));
  });
});

describe('debug adapter: lockstep/schedule', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('gives the run up to here and the whole recorded run; both replay with `lockstep run --schedule`', async () => {
    const scenario = fixture('two-cpus-irq.lockstep');
    await launch(dc, { scenario });
    await stepIn(dc, 1, 3);
    await stepIn(dc, 2, 2);
    await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 1 }));
    let b = (await dc.customRequest('lockstep/schedule')).body;
    assert.equal(b.scenario, scenario);
    assert.equal(b.overridden, false);
    assert.equal(b.current, b.recorded);
    assert.equal(b.step, b.steps);
    assert.match(b.current, /^c0\*3,c1\*2,i1$/);
    await move(dc, () => dc.stepBackRequest({ threadId: 1 }));
    await move(dc, () => dc.stepBackRequest({ threadId: 1 }));
    b = (await dc.customRequest('lockstep/schedule')).body;
    assert.ok(b.step < b.steps);
    assert.ok(b.recorded.startsWith(b.current.replace(/\*\d+$/, '')), `${b.current} is a prefix of ${b.recorded}`);
    // the CLI replays the recorded run to the same number of choices
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'dist', 'cli.js'), 'run', scenario, '--schedule', b.recorded, '--json'], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const steps = (JSON.parse(r.stdout) as { steps: unknown[] }).steps;
    assert.ok(steps.length >= b.steps - 1, `${steps.length} steps replayed of ${b.steps}`);
  });

  it('says when the launch overrides the model or config', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep'), config: 'PREEMPT_RT on' });
    assert.equal((await dc.customRequest('lockstep/schedule')).body.overridden, true);
  });
});
