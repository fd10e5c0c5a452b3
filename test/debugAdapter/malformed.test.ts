// Requests a client should not send, sent anyway: arguments missing or of the wrong type,
// standard requests this adapter does not offer, anything that moves after terminate.
// Each gets an error response that names the problem; the adapter never crashes and the
// user's session (position, recorded run) is what it was.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient, launch, initialize, launchRequest, fixture, model, failure, stepIn, frames } from './dap';

const TWO = fixture('two-cpus-irq.lockstep');

/** Sends a request as a raw message (DebugClient's helpers always fill the arguments in; an
 * empty object is sent as no arguments at all). */
function raw(dc: DebugClient, command: string, args: unknown): Promise<DebugProtocol.Response> {
  return new Promise(resolve => (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend(command, args, resolve));
}

async function schedule(dc: DebugClient): Promise<{ current: string; step: number }> {
  return (await dc.customRequest('lockstep/schedule')).body;
}

describe('debug adapter: malformed and out-of-place requests', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it('missing or mistyped arguments get an error naming the attribute, not an internal error', async () => {
    await launch(dc, { scenario: TWO });
    await stepIn(dc, 2, 3);
    const before = await schedule(dc);
    const cases: [string, unknown, RegExp][] = [
      ['next', undefined, /'next' needs its arguments/],
      ['stepIn', { frameId: 1 }, /'stepIn': missing "threadId"/],
      ['stackTrace', { threadId: 'CPU 0' }, /"threadId" must be an integer/],
      ['scopes', { threadId: 1 }, /missing "frameId"/],
      ['variables', { variablesReference: null }, /missing "variablesReference"|"variablesReference" must be/],
      ['evaluate', { frameId: 1 }, /missing "expression"/],
      ['setBreakpoints', { lines: [3] }, /missing "source"/],
      ['setBreakpoints', { source: { path: TWO }, breakpoints: [{ column: 3 }] }, /breakpoints\[0\]: missing "line"/],
      ['setFunctionBreakpoints', { breakpoints: [{}] }, /breakpoints\[0\]: missing "name"/],
      ['setFunctionBreakpoints', { name: 'rmqueue' }, /missing "breakpoints"/],
      ['setDataBreakpoints', { breakpoints: [{ accessType: 'write' }] }, /missing "dataId"/],
      ['setExceptionBreakpoints', { filters: [1] }, /"filters" must be strings/],
      ['gotoTargets', { source: { path: TWO } }, /missing "line"/],
      ['goto', { threadId: 1 }, /missing "targetId"/],
      ['dataBreakpointInfo', { frameId: 1 }, /missing "name"/],
      ['exceptionInfo', { frameId: 1 }, /missing "threadId"/],
      ['setVariable', { variablesReference: 1, name: 'count' }, /missing "value"/],
      ['breakpointLocations', { source: { path: TWO } }, /missing "line"/],
    ];
    for (const [command, args, want] of cases) {
      const r = await raw(dc, command, args);
      assert.equal(r.success, false, `${command} ${JSON.stringify(args)} succeeded`);
      assert.match(r.message ?? '', want, command);
      assert.doesNotMatch(r.message ?? '', /internal error|TypeError/, command);
    }
    // nothing moved, and the session still answers
    assert.deepEqual(await schedule(dc), before);
    const f = await frames(dc, 2);
    assert.ok(f.length >= 1);
  });

  it('a model file given as the scenario (F5 with ${file} in a .kc editor) is one clear error, and a launch after it works', async () => {
    await initialize(dc);
    const msg = await failure(launchRequest(dc, { scenario: model('v6.1.kc') }));
    assert.match(msg, /v6\.1\.kc is a Kernel C model, not a scenario/);
    assert.equal(msg.split('\n').length, 1);
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), launchRequest(dc, { scenario: TWO })]);
    assert.equal((await stopped).body.reason, 'entry');
  });

  it('standard requests it does not offer are refused, not answered with an empty success', async () => {
    await launch(dc, { scenario: TWO });
    for (const command of ['restartFrame', 'stepInTargets', 'source', 'setExpression', 'readMemory', 'attach']) {
      const r = await raw(dc, command, { frameId: 1, sourceReference: 1, expression: 'x', value: '1', memoryReference: '0', count: 1 });
      assert.equal(r.success, false, command);
      assert.match(r.message ?? '', /not supported/, command);
    }
    const s = await stepIn(dc, 1);
    assert.equal(s.body.reason, 'step');
  });

  it('after terminate nothing moves: continue, step and goto are refused; the last state stays readable', async () => {
    await launch(dc, { scenario: TWO });
    await stepIn(dc, 1, 4);
    const before = await schedule(dc);
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
    assert.match(await failure(dc.continueRequest({ threadId: 1 })), /session has ended/);
    assert.match(await failure(dc.nextRequest({ threadId: 1 })), /session has ended/);
    assert.match(await failure(dc.stepBackRequest({ threadId: 1 })), /session has ended/);
    assert.match(await failure(dc.customRequest('lockstep/goto', { step: 1 })), /session has ended/);
    assert.match(await failure(dc.restartRequest({})), /session has ended/);
    // the machine did not start running: the state is still there to read
    assert.deepEqual(await schedule(dc), before);
    const f = await frames(dc, 1);
    assert.equal(f[0].name, 'alloc_pages');
    await dc.disconnectRequest({});
  });

  it('terminate while continue runs stops the run where it is, once', async () => {
    await launch(dc, { scenario: fixture('long-loop.lockstep'), maxSteps: 50_000_000 });
    await dc.continueRequest({ threadId: 1 });
    await new Promise(r => setTimeout(r, 150));
    let terminatedEvents = 0;
    dc.on('terminated', () => terminatedEvents++);
    await dc.terminateRequest({});
    await dc.terminateRequest({});
    const s = await schedule(dc);
    assert.ok(s.step > 0, 'the run had moved');
    // not running any more: stack traces are answered
    assert.ok((await frames(dc, 1)).length >= 1);
    assert.equal((await schedule(dc)).step, s.step, 'nothing moves after terminate');
    assert.equal(terminatedEvents, 1);
  });
});
