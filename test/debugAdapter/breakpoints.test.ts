// Item 5 of issue 6: line breakpoints in .kc and .lockstep files with conditions, hit
// counts and logpoints; function breakpoints on model functions and locks; data
// breakpoints from the variables view; exception filters per finding kind and event,
// with exceptionInfo; `verified` only for breakpoints that can hit.
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient, launch, initialize, example, fixture, model, frames, move, scope, children, byName, stepIn, launchRequest, lineOf } from './dap';

const PCP_IRQS_OFF = model('common/pcp-irqs-off.kc');
const TWO = fixture('two-cpus-irq.lockstep');

async function cont(dc: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  return move(dc, () => dc.continueRequest({ threadId: 1 }));
}

describe('debug adapter: breakpoints', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('a line breakpoint in a .kc model stops the CPU that arrives there; only lines with a statement verify', async () => {
    const line = lineOf(PCP_IRQS_OFF, 'spin_lock(&zone->lock);');
    await initialize(dc);
    const stopped = dc.waitForEvent('stopped');
    let answer!: DebugProtocol.SetBreakpointsResponse;
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        answer = await dc.setBreakpointsRequest({ source: { path: PCP_IRQS_OFF }, breakpoints: [{ line }, { line: 1 }, { line: 8 }] });
        await dc.configurationDoneRequest();
      }),
      launchRequest(dc, { scenario: TWO }),
    ]);
    await stopped;
    assert.deepEqual(answer.body.breakpoints.map(b => b.verified), [true, false, false]);
    assert.match(answer.body.breakpoints[1].message ?? '', /no statement/);
    const s = await cont(dc);
    assert.equal(s.body.reason, 'breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [answer.body.breakpoints[0].id]);
    const f = await frames(dc, s.body.threadId!);
    assert.deepEqual([f[0].name, f[0].file, f[0].line], ['rmqueue_bulk', 'pcp-irqs-off.kc', line]);
  });

  it('a line breakpoint in the .lockstep scenario; a file outside the program never verifies', async () => {
    await launch(dc, { scenario: TWO }, { breakpoints: [{ file: TWO, lines: [16] }] });
    const s = await cont(dc);
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(s.body.threadId, 2);
    const r = await dc.setBreakpointsRequest({ source: { path: example('b1-up-drain-irq-v6.2.lockstep') }, breakpoints: [{ line: 11 }] });
    assert.equal(r.body.breakpoints[0].verified, false);
  });

  it('hit counts: the third arrival stops (the third page of a refill)', async () => {
    const line = lineOf(PCP_IRQS_OFF, 'allocated++;');
    await launch(dc, { scenario: TWO }, { breakpoints: [{ file: PCP_IRQS_OFF, lines: [{ line, hitCondition: '3' }] }] });
    const s = await cont(dc);
    assert.equal(s.body.reason, 'breakpoint');
    const f = await frames(dc, s.body.threadId!);
    assert.equal(f[0].line, line);
    const i = byName(await scope(dc, f[0].id, 'Locals'), 'i');
    assert.equal(i.value, '2');
  });

  it('a condition in Kernel C over the frame: stops only where it holds; a syntax error does not verify', async () => {
    const line = lineOf(PCP_IRQS_OFF, 'spin_lock(&zone->lock);');
    await initialize(dc);
    const stopped = dc.waitForEvent('stopped');
    let answer!: DebugProtocol.SetBreakpointsResponse;
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        answer = await dc.setBreakpointsRequest({ source: { path: PCP_IRQS_OFF }, breakpoints: [{ line, condition: 'smp_processor_id() == 1 && count > 0' }] });
        await dc.configurationDoneRequest();
      }),
      launchRequest(dc, { scenario: TWO }),
    ]);
    await stopped;
    assert.equal(answer.body.breakpoints[0].verified, true);
    const s = await cont(dc);
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(s.body.threadId, 2);
    const bad = await dc.setBreakpointsRequest({ source: { path: PCP_IRQS_OFF }, breakpoints: [{ line, condition: 'count >' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message ?? '', /column/);
  });

  it('a logpoint prints with {expressions} and does not stop', async () => {
    const line = lineOf(PCP_IRQS_OFF, 'spin_lock(&zone->lock);');
    await launch(dc, { scenario: TWO }, { breakpoints: [{ file: PCP_IRQS_OFF, lines: [{ line, logMessage: 'refill on CPU {smp_processor_id()} count={count}' }] }] });
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    const s = await cont(dc);
    assert.match(s.body.description ?? '', /Run ended/);
    // CPU 0 starts with pages on its list; CPU 1 and its interrupt refill
    assert.ok(outputs.some(o => /^refill on CPU 1 count=4\n$/.test(o)), outputs.join(''));
  });

  it('function breakpoints: a model function, `lock zone->lock`, `lock pcp->lock cpu 1`; unknown names do not verify', async () => {
    await launch(dc, { scenario: TWO });
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock pcp->lock cpu 1' }, { name: 'no_such_fn' }, { name: 'lock no->lock' }] });
    assert.deepEqual(r.body.breakpoints.map(b => b.verified), [true, false, false]);
    assert.match(r.body.breakpoints[1].message ?? '', /no model function 'no_such_fn'/);
    assert.match(r.body.breakpoints[2].message ?? '', /no lock named 'no->lock'/);
    // v6.1 protects the pcp lists with a local lock: the zone lock and the function are the checks
    const r2 = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'rmqueue_bulk' }] });
    assert.equal(r2.body.breakpoints[0].verified, true);
    let s = await cont(dc);
    assert.equal(s.body.reason, 'function breakpoint');
    assert.equal((await frames(dc, s.body.threadId!))[0].name, 'rmqueue_bulk');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lock zone->lock' }] });
    s = await cont(dc);
    assert.equal(s.body.reason, 'function breakpoint');
    const locks = await scope(dc, (await frames(dc, s.body.threadId!))[0].id, 'Locks');
    assert.match(locks[0].value, /^held by CPU 1 (task|hardirq)$/);
  });

  it('lock breakpoints per CPU and trylock-fail / contended on B5', async () => {
    // B5: the interrupt's pcp trylock fails while the drain holds pcp->lock, then it spins on zone->lock
    await launch(dc, { scenario: example('b5-zone-lock-irqs-on-edited-v2.lockstep') }, { functionBreakpoints: ['lock zone->lock'], filters: [] });
    let s: DebugProtocol.StoppedEvent | undefined;
    for (let k = 0; k < 400; k++) {
      s = await stepIn(dc, 1);
      if (s.body.reason === 'function breakpoint') break;
    }
    assert.equal(s?.body.reason, 'function breakpoint', 'stepping CPU 0 stops where the drain takes zone->lock');
    assert.match(s!.body.description ?? '', /lock zone->lock/);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'trylock-fail pcp->lock' }, { name: 'contended zone->lock' }, { name: 'lock pcp->lock cpu 1' }] });
    s = await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 0 }));
    assert.equal(s.body.reason, 'interrupt');
    s = await cont(dc);
    assert.equal(s.body.reason, 'function breakpoint');
    assert.match(s.body.description ?? '', /trylock-fail pcp->lock/);
    s = await cont(dc);
    assert.equal(s.body.reason, 'function breakpoint');
    assert.match(s.body.description ?? '', /contended zone->lock/);
  });

  it('a data breakpoint on pcp->count from the variables view stops when it changes', async () => {
    await launch(dc, { scenario: TWO });
    const f = await frames(dc, 1);
    // Per-CPU lists › Normal: the frame CPU's (CPU 0's) pcp
    const cpu0 = byName(await scope(dc, f[0].id, 'Per-CPU lists'), 'Normal');
    const kids = await children(dc, cpu0);
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: cpu0.variablesReference, name: 'count' });
    assert.ok(info.body.dataId);
    assert.deepEqual(info.body.accessTypes, ['write']);
    // a list from the view: its pages are watched, not just the head's links
    const lists = await children(dc, byName(kids, 'lists'));
    const listInfo = await dc.dataBreakpointInfoRequest({ variablesReference: byName(kids, 'lists').variablesReference, name: lists[0].name });
    assert.match(listInfo.body.description, /^changes of the list /);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const before = byName(kids, 'count').value;
    const s = await cont(dc);
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(s.body.threadId, 1);
    const after = byName(await children(dc, byName(await scope(dc, (await frames(dc, 1))[0].id, 'Per-CPU lists'), 'Normal')), 'count').value;
    assert.notEqual(after, before);
    // an expression works too (watch view)
    const byExpr = await dc.dataBreakpointInfoRequest({ name: 'Normal->free_area[0].nr_free', frameId: (await frames(dc, 1))[0].id });
    assert.ok(byExpr.body.dataId);
  });

  it('exception filters: findings stop with exceptionInfo (message and stacks); events like interrupt delivered stop when enabled', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*289,i0,c0*23' }, { filters: ['irq-entry', 'mutual-exclusion'] });
    let s = await cont(dc);
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /Interrupt delivered/);
    s = await cont(dc);
    assert.equal(s.body.text, 'mutual-exclusion');
    const info = await dc.exceptionInfoRequest({ threadId: s.body.threadId! });
    assert.equal(info.body.breakMode, 'always');
    assert.match(info.body.details?.stackTrace ?? '', /CPU 0 hardirq:\n {2}at pcp_spin_trylock/);
    assert.match(info.body.details?.stackTrace ?? '', /CPU 0 task:\n {2}at /);
  });

  it('with the finding filter off, the same run goes past the finding to the end of the schedule, then to its end', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*289,i0,c0*23' }, { filters: [] });
    let s = await cont(dc);
    assert.notEqual(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /end of the replayed schedule \(step 313\)/);
    s = await cont(dc);
    assert.match(s.body.description ?? '', /Run ended/);
    const f = await frames(dc, 1);
    const findings = await scope(dc, f[0].id, 'Findings');
    assert.equal(findings.length, 1, 'the finding is still recorded');
    await stepIn(dc, 1).catch(() => undefined);
  });
});
