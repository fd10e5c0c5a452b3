// Item 6 of issue 6: evaluate for watch, hover and the debug console over the selected
// frame; errors come back with the position and the session goes on; setVariable on a
// numeric field is a what-if that discards the recorded future.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, fixture, frames, scope, byName, failure, stepIn, move } from './dap';

describe('debug adapter: evaluate and setVariable', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('Kernel C over the selected frame: locals of that frame, per-CPU data, expandable results', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 2, 2);
    const f = await frames(dc, 2);
    const alloc = f.find(x => x.name === 'alloc_pages')!;
    const locals = await scope(dc, alloc.id, 'Locals');
    assert.ok(locals.some(v => v.name === 'order'), locals.map(v => v.name).join(','));
    const hover = await dc.evaluateRequest({ expression: 'order', frameId: alloc.id, context: 'hover' });
    assert.equal(hover.body.result, '0');
    const count = await dc.evaluateRequest({ expression: 'per_cpu_ptr(Normal->per_cpu_pageset, 0)->count', frameId: alloc.id, context: 'watch' });
    assert.equal(count.body.result, '2');
    const pcp = await dc.evaluateRequest({ expression: '*per_cpu_ptr(Normal->per_cpu_pageset, 0)', frameId: alloc.id, context: 'repl' });
    assert.ok(pcp.body.variablesReference > 0);
    const kids = (await dc.variablesRequest({ variablesReference: pcp.body.variablesReference })).body.variables;
    assert.equal(byName(kids, 'count').value, '2');
  });

  it('an error names its column and the session goes on', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    const f = await frames(dc, 1);
    assert.match(await failure(dc.evaluateRequest({ expression: 'Normal->nosuch', frameId: f[0].id, context: 'watch' })), /nosuch.*column \d+/s);
    assert.equal((await dc.evaluateRequest({ expression: 'Normal->managed_pages', frameId: f[0].id, context: 'watch' })).body.result, '256');
  });

  it('setVariable on pcp->high is a what-if: the value changes, the recorded future is dropped, and the run follows it', async () => {
    await launch(dc, { scenario: fixture('two-cpus-irq.lockstep') });
    await stepIn(dc, 1, 3);
    await move(dc, () => dc.customRequest('lockstep/goto', { step: 1 }));
    assert.equal((await dc.customRequest('lockstep/timeline')).body.steps, 3);
    const f = await frames(dc, 1);
    // Per-CPU lists › Normal: the frame CPU's (CPU 0's) pcp
    const cpu0 = byName(await scope(dc, f[0].id, 'Per-CPU lists'), 'Normal');
    const r = await dc.setVariableRequest({ variablesReference: cpu0.variablesReference, name: 'high', value: '70 + 7' });
    assert.equal(r.body.value, '77');
    const tl = (await dc.customRequest('lockstep/timeline')).body;
    assert.equal(tl.steps, 1, 'the recorded future is discarded');
    // the edit survives time travel: back to 0 and forward again
    await move(dc, () => dc.customRequest('lockstep/goto', { step: 0 }));
    await stepIn(dc, 1, 1);
    const f2 = await frames(dc, 1);
    const again = await dc.evaluateRequest({ expression: 'per_cpu_ptr(Normal->per_cpu_pageset, 0)->high', frameId: f2[0].id, context: 'watch' });
    assert.equal(again.body.result, '77');
    assert.match(await failure(dc.setVariableRequest({ variablesReference: cpu0.variablesReference, name: 'high', value: '1' })), /stale/);
  });
});
