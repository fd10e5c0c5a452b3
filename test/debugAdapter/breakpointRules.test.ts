// The rules a user relies on beyond "it stops": a breakpoint shown unverified (bad
// condition, bad hit count) never stops the run; "any lock on CPU 1" is a function
// breakpoint (`lock * cpu 1`, `lock zone->lock cpu 0`); a data breakpoint on an
// expression that does not read says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient, launch, fixture, model, frames, move, lineOf } from './dap';

const PCP_IRQS_OFF = model('common/pcp-irqs-off.kc');
const TWO = fixture('two-cpus-irq.lockstep');

const cont = (dc: DebugClient) => move(dc, () => dc.continueRequest({ threadId: 1 }));

/** Continues until the run ends; the stops on the way. */
async function stopsToEnd(dc: DebugClient, limit = 40): Promise<DebugProtocol.StoppedEvent[]> {
  const out: DebugProtocol.StoppedEvent[] = [];
  for (let i = 0; i < limit; i++) {
    const s = await cont(dc);
    if (/^Run ended/.test(s.body.description ?? '')) return out;
    out.push(s);
  }
  assert.fail(`the run did not end within ${limit} stops`);
}

describe('debug adapter: breakpoint rules', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop().catch(() => undefined); });

  it('a line breakpoint whose condition or hit count does not read is unverified and never stops', async () => {
    const line = lineOf(PCP_IRQS_OFF, 'spin_lock(&zone->lock);');
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const r = await dc.setBreakpointsRequest({ source: { path: PCP_IRQS_OFF }, breakpoints: [{ line, condition: 'count +' }] });
    assert.equal(r.body.breakpoints[0].verified, false);
    assert.match(r.body.breakpoints[0].message ?? '', /column/);
    assert.deepEqual((await stopsToEnd(dc)).map(s => s.body.reason), []);
    // the same line with a good condition does stop (the line is reached)
    await dc.customRequest('lockstep/goto', { step: 0 });
    const good = await dc.setBreakpointsRequest({ source: { path: PCP_IRQS_OFF }, breakpoints: [{ line, condition: 'count >= 0' }] });
    assert.equal(good.body.breakpoints[0].verified, true);
    assert.equal((await cont(dc)).body.reason, 'breakpoint');
  });

  it('a function breakpoint with an unreadable hit count or condition is unverified and never stops', async () => {
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'rmqueue_bulk', hitCondition: 'often' }, { name: 'lock zone->lock', condition: 'count ==' }] });
    assert.deepEqual(r.body.breakpoints.map(b => b.verified), [false, false]);
    assert.match(r.body.breakpoints[0].message ?? '', /hit count 'often'/);
    assert.deepEqual(await stopsToEnd(dc), []);
  });

  it('a hit count written `=== 2` (as js-debug accepts it) stops at the second hit only', async () => {
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const all = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock *' }] });
    assert.equal(all.body.breakpoints[0].verified, true);
    const every = await stopsToEnd(dc);
    assert.ok(every.length >= 2, `locks are taken ${every.length} time(s)`);
    await dc.customRequest('lockstep/goto', { step: 0 });
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock *', hitCondition: '=== 2' }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    assert.equal((await stopsToEnd(dc)).length, 1);
  });

  it('`lock * cpu 1` stops at every lock CPU 1 takes and at no other; `lock zone->lock cpu 1` at CPU 1 only', async () => {
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock * cpu 1' }, { name: 'lock cpu 7' }, { name: 'lock no->lock cpu 1' }] });
    assert.deepEqual(r.body.breakpoints.map(b => b.verified), [true, false, false]);
    assert.match(r.body.breakpoints[1].message ?? '', /no CPU 7/);
    const stops = await stopsToEnd(dc);
    assert.ok(stops.length >= 2, 'CPU 1 takes zone->lock (refill) and its pcp lock');
    for (const s of stops) {
      assert.equal(s.body.reason, 'function breakpoint');
      assert.equal(s.body.threadId, 2, 'thread 2 is CPU 1');
    }
    // the same run again: zone->lock taken on CPU 1 (its refill), not on CPU 0
    await dc.customRequest('lockstep/goto', { step: 0 });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock zone->lock cpu 1' }] });
    let zoneStops = 0;
    for (let s = await cont(dc); !/^Run ended/.test(s.body.description ?? ''); s = await cont(dc)) {
      zoneStops++;
      assert.equal(s.body.threadId, 2);
      assert.equal((await frames(dc, 2))[0].name, 'rmqueue_bulk');
    }
    assert.ok(zoneStops >= 1);
  });

  it('a function breakpoint on a primitive (`spin_lock`, `spin_trylock_irqsave`) stops before each call of it, once per call', async () => {
    const v61 = model('v6.1.kc');
    await launch(dc, { scenario: TWO, strategy: 'roundrobin' });
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'spin_lock' }, { name: 'spin_trylock_irqsave' }, { name: 'local_lock_irqsave' }] });
    assert.deepEqual(r.body.breakpoints.map(b => b.verified), [true, true, false]);
    assert.match(r.body.breakpoints[2].message ?? '', /never call 'local_lock_irqsave'/);
    const spinLockLine = lineOf(PCP_IRQS_OFF, 'spin_lock(&zone->lock);');
    const seen: string[] = [];
    for (let s = await cont(dc); !/^Run ended/.test(s.body.description ?? ''); s = await cont(dc)) {
      assert.equal(s.body.reason, 'function breakpoint');
      const top = (await frames(dc, s.body.threadId!))[0];
      const text = fs.readFileSync(top.file === 'v6.1.kc' ? v61 : PCP_IRQS_OFF, 'utf8').split('\n')[top.line - 1];
      assert.match(text, new RegExp(`\\b${s.body.description}\\(`), `${top.file}:${top.line} calls ${s.body.description}`);
      seen.push(`${s.body.description} ${top.file}:${top.line}`);
      assert.ok(seen.length < 40);
    }
    assert.ok(seen.includes(`spin_lock pcp-irqs-off.kc:${spinLockLine}`), seen.join('\n'));
    assert.ok(seen.some(x => x.startsWith('spin_trylock_irqsave v6.1.kc:')), seen.join('\n'));
    // once per call: v6.1 takes zone->lock only with spin_lock, as often as `lock zone->lock` stops
    await dc.customRequest('lockstep/goto', { step: 0 });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock zone->lock' }] });
    let locks = 0;
    for (let s = await cont(dc); !/^Run ended/.test(s.body.description ?? ''); s = await cont(dc)) locks++;
    assert.equal(seen.filter(x => x.startsWith('spin_lock ')).length, locks);
  });

  it('every non-finding event of semantics.md is a filter: lock acquired and interrupt returned stop too', async () => {
    const init = await launch(dc, { scenario: TWO, strategy: 'roundrobin' }, { filters: ['lock-acquired'] });
    assert.equal(init.body.reason, 'entry');
    let s = await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 1 }));
    assert.ok((await frames(dc, 2)).some(f => f.name === '<hardirq>'));
    s = await cont(dc);
    assert.equal(s.body.reason, 'exception');
    assert.equal(s.body.text, 'lock-acquired');
    const info = await dc.exceptionInfoRequest({ threadId: s.body.threadId! });
    assert.equal(info.body.exceptionId, 'lock-acquired');
    assert.match(info.body.description ?? '', /Lock acquired: .*lock on CPU \d/);
    await dc.setExceptionBreakpointsRequest({ filters: ['irq-exit'] });
    s = await cont(dc);
    assert.equal(s.body.reason, 'exception');
    assert.equal(s.body.text, 'irq-exit');
    assert.equal(s.body.threadId, 2);
    assert.ok(!(await frames(dc, 2)).some(f => f.name === '<hardirq>'), 'the handler has returned');
  });

  it('dataBreakpointInfo on an expression that does not read says why; a data breakpoint with a bad condition is unverified', async () => {
    await launch(dc, { scenario: TWO });
    const bad = await dc.dataBreakpointInfoRequest({ name: 'Normal->free_area[' });
    assert.equal(bad.body.dataId, null);
    assert.match(bad.body.description, /can watch: .*expected/);
    const ok = await dc.dataBreakpointInfoRequest({ name: 'per_cpu_ptr(Normal->per_cpu_pageset, 1)->count' });
    assert.ok(ok.body.dataId);
    const r = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: ok.body.dataId!, condition: 'count >' }] });
    assert.equal(r.body.breakpoints[0].verified, false);
    assert.deepEqual((await stopsToEnd(dc)).map(s => s.body.reason), []);
  });
});
