// Item 8 of issue 6 (robustness) and item 7 (capabilities): unknown thread ids, stale
// references, requests out of order, disconnect during continue, an evaluation error —
// error responses, never a crash; the session goes on. Capabilities are what works.
import { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, initialize, fixture, example, frames, scope, failure, stepIn, move, launchRequest } from './dap';

describe('debug adapter: robustness and capabilities', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it('advertises what it implements, with one exception filter per finding kind and event', async () => {
    const caps = (await initialize(dc)).body!;
    for (const c of ['supportsStepBack', 'supportsGotoTargetsRequest', 'supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints',
      'supportsLogPoints', 'supportsFunctionBreakpoints', 'supportsDataBreakpoints', 'supportsExceptionInfoRequest', 'supportsSetVariable',
      'supportsEvaluateForHovers', 'supportsRestartRequest', 'supportsCancelRequest', 'supportsTerminateRequest', 'supportsSingleThreadExecutionRequests',
      'supportsConfigurationDoneRequest'] as const) {
      assert.equal(caps[c], true, c);
    }
    const filters = caps.exceptionBreakpointFilters!.map(f => f.filter);
    for (const k of ['deadlock', 'mutual-exclusion', 'inconsistent-lock-state', 'lock-order', 'data-race', 'page-accounting', 'irq-entry', 'refill', 'drain', 'fallback']) {
      assert.ok(filters.includes(k), k);
    }
  });

  it('requests before launch get error responses', async () => {
    await initialize(dc);
    assert.match(await failure(dc.stackTraceRequest({ threadId: 1 })), /launch first/);
    assert.match(await failure(dc.nextRequest({ threadId: 1 })), /launch first/);
    assert.match(await failure(dc.scopesRequest({ frameId: 1 })), /launch first/);
    assert.match(await failure(dc.customRequest('lockstep/goto', { step: 3 })), /launch first/);
    assert.deepEqual((await dc.threadsRequest()).body.threads, []);
  });

  it('unknown thread ids, stale frame and variable references, bad goto targets: errors, and the session goes on', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    assert.match(await failure(dc.stackTraceRequest({ threadId: 99 })), /unknown thread id 99/);
    assert.match(await failure(dc.nextRequest({ threadId: -1 })), /unknown thread id -1/);
    const f = await frames(dc, 1);
    const zone = await scope(dc, f[0].id, 'Zone');
    await stepIn(dc, 1);
    assert.match(await failure(dc.scopesRequest({ frameId: f[0].id })), /stale frame id/);
    // VS Code asks for the old frame's scopes after a stop: the error must not pop up for the user
    const raw = await new Promise<DebugProtocol.Response>(resolve =>
      (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend('scopes', { frameId: f[0].id }, resolve));
    assert.equal(raw.success, false);
    assert.equal((raw as DebugProtocol.ErrorResponse).body.error?.showUser, false);
    assert.match(await failure(dc.variablesRequest({ variablesReference: zone[0].variablesReference })), /stale variables reference/);
    assert.match(await failure(dc.gotoRequest({ threadId: 1, targetId: 1e9 })), /unknown goto target/);
    assert.match(await failure(dc.customRequest('lockstep/goto', { step: 'x' })), /step must be an integer/);
    assert.match(await failure(dc.customRequest('lockstep/nope')), /unknown request/);
    assert.match(await failure(dc.customRequest('lockstep/deliverInterrupt', { cpu: 7 })), /no CPU 7|no irq block/);
    // still alive and consistent
    const again = await frames(dc, 1);
    assert.equal(again[0].name, 'alloc_pages');
  });

  it('an evaluation error is an error response with its column; setVariable on a read-only value is refused', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 1, 2);
    const f = (await frames(dc, 1)).filter(x => x.name === 'alloc_pages');
    assert.equal(f.length, 1);
    assert.match(await failure(dc.evaluateRequest({ expression: 'order +', frameId: f[0].id, context: 'watch' })), /column \d+/);
    assert.match(await failure(dc.evaluateRequest({ expression: 'no_such_name', frameId: f[0].id, context: 'hover' })), /no_such_name/);
    const cpu = await scope(dc, f[0].id, 'CPU');
    assert.match(await failure(dc.setVariableRequest({ variablesReference: 999999, name: 'x', value: '1' })), /stale/);
    const cpuScope = (await dc.scopesRequest({ frameId: f[0].id })).body.scopes.find(s => s.name === 'CPU')!;
    assert.match(await failure(dc.setVariableRequest({ variablesReference: cpuScope.variablesReference, name: cpu[0].name, value: '1' })), /cannot be changed/);
    const ok = await dc.evaluateRequest({ expression: 'order + 1', frameId: f[0].id, context: 'watch' });
    assert.equal(ok.body.result, '1');
  });

  it('requests while running are refused politely; disconnect during continue ends cleanly', async () => {
    await launch(dc, { scenario: fixture('long-loop.lockstep'), maxSteps: 50_000_000 });
    await dc.continueRequest({ threadId: 1 });
    await new Promise(r => setTimeout(r, 200));
    assert.match(await failure(dc.stackTraceRequest({ threadId: 1 })), /running; pause it first/);
    assert.match(await failure(dc.nextRequest({ threadId: 1 })), /running/);
    await dc.disconnectRequest({});
  });

  it('cancel stops a long exploration with progress events', async () => {
    await launch(dc, { scenario: fixture('long-loop.lockstep'), strategy: 'explore', maxSteps: 50_000_000 });
    const progress = dc.waitForEvent('progressStart', 5000);
    await dc.continueRequest({ threadId: 1 });
    const p = await progress;
    assert.equal(p.body.cancellable, true);
    const s = await move(dc, () => dc.customRequest('cancel', { progressId: p.body.progressId }));
    assert.equal(s.body.reason, 'pause');
  });

  it('a launch error leaves the adapter able to launch again', async () => {
    await initialize(dc);
    await failure(launchRequest(dc, { scenario: fixture('broken.lockstep') }));
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), launchRequest(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep') })]);
    assert.equal((await stopped).body.reason, 'entry');
  });
});
