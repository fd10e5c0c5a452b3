// Item 4's engine side: a replayed trace walked as the debugger does - CPUs seen, events as
// steps, seeking anywhere (checkpoints + recorded effects) to the state the first pass had,
// per-CPU next/previous, breakpoints on event kinds and fields, zoneinfo at snapshots.
import * as assert from 'assert';
import { TraceTimeline, Reconstruction, RebuildState, parseTraceBreakpoint, TraceBreakpointError, replayImported, lockNamesBeside, EV } from '../../../src/engine';
import { imported, snapshotsOf, captureFile } from './captures';

describe('trace timeline (drain capture)', function () {
  this.timeout(60000);
  const snaps = snapshotsOf('drain');
  const zoneinfo = snaps.map(s => ({ label: s.label, info: s.info }));
  const trace = imported('drain', 'ftrace-raw');
  const tl = new TraceTimeline(replayImported(trace, zoneinfo, lockNamesBeside(captureFile('drain', 'ftrace-raw')), 2048));

  it('CPUs seen, events as steps, starting before the first event', () => {
    assert.deepStrictEqual(tl.cpus, [0, 1, 2, 3]);
    assert.equal(tl.length, trace.store.length);
    assert.equal(tl.position, -1);
  });

  it('seeking forward and backward gives the state the first pass had at that event', () => {
    const targets = [0, 1, 2047, 2048, 2049, 9999, 30000, 150, tl.length - 1, 4096, 4095, 17];
    for (const t of targets) {
      tl.seek(t);
      const fresh = new Reconstruction(trace, { zoneinfo, locks: tl.rec.options.locks });
      for (let i = 0; i <= t; i++) fresh.apply(i);
      for (const c of tl.cpus) for (let z = 0; z < fresh.zones.length; z++) {
        assert.deepStrictEqual(tl.rec.pcpView(c, z), fresh.pcpView(c, z), `event ${t} CPU ${c} zone ${z}`);
      }
      assert.deepStrictEqual(tl.rec.waitingNow(), fresh.waitingNow());
      for (const c of tl.cpus) assert.deepStrictEqual(tl.rec.irqNesting(c), fresh.irqNesting(c));
    }
  });

  it('checkpoints over their memory budget: every other one let go and the spacing doubled; seeking still gives the first pass\'s state', () => {
    // a budget of some 24 copies of the state at 64-event spacing: thinned several times
    const probe = new Reconstruction(trace, { zoneinfo, locks: tl.rec.options.locks }).run();
    const budget = 24 * probe.state.bytes();
    const rec = new Reconstruction(trace, { zoneinfo, locks: tl.rec.options.locks });
    const checkpoints: RebuildState[] = [];
    rec.run(64, checkpoints, budget);
    assert.ok(rec.checkpointSpacing >= 64 * 8, `spacing ${rec.checkpointSpacing}`);
    assert.equal(checkpoints.length, Math.ceil(trace.store.length / rec.checkpointSpacing));
    assert.ok(checkpoints.reduce((n, c) => n + c.bytes(), 0) <= budget);
    // each kept copy is the state before event k * spacing
    for (const k of [1, 2, checkpoints.length - 1]) assert.equal(checkpoints[k].next, k * rec.checkpointSpacing);
    const thin = new TraceTimeline({ trace, rec, checkpoints, checkpointEvery: rec.checkpointSpacing });
    for (const t of [0, rec.checkpointSpacing - 1, rec.checkpointSpacing, 3 * rec.checkpointSpacing + 5, tl.length - 1, 100]) {
      thin.seek(t);
      tl.seek(t);
      for (const c of tl.cpus) for (let z = 0; z < rec.zones.length; z++) assert.deepStrictEqual(thin.rec.pcpView(c, z), tl.rec.pcpView(c, z), `event ${t} CPU ${c} zone ${z}`);
    }
  });

  it('per-CPU next and previous event', () => {
    const st = trace.store;
    tl.seek(1000);
    for (const c of tl.cpus) {
      const n = tl.nextOnCpu(c), p = tl.prevOnCpu(c);
      assert.ok(n > 1000 && st.cpu[n] === c);
      for (let i = 1001; i < n; i++) assert.notEqual(st.cpu[i], c);
      assert.ok(p < 1000 && st.cpu[p] === c);
      for (let i = p + 1; i < 1000; i++) assert.notEqual(st.cpu[i], c);
    }
    assert.equal(tl.prevOnCpu(0, 0), -1);
    assert.equal(tl.nextOnCpu(0, tl.length - 1), -1);
  });

  it('breakpoints on event kinds and fields: a refill on CPU 2, a drain, contention on a lock', () => {
    const st = trace.store;
    const refill = tl.find(-1, 1, [parseTraceBreakpoint('refill cpu 2')]);
    assert.ok(refill >= 0);
    assert.equal(st.eventName(refill), 'mm_page_alloc_zone_locked');
    assert.equal(st.cpu[refill], 2); assert.equal(st.x[refill], 1);
    for (let i = 0; i < refill; i++) assert.ok(!(st.name[i] === EV.mm_page_alloc_zone_locked && st.cpu[i] === 2 && st.x[i] === 1));
    const drain = tl.find(refill, 1, [parseTraceBreakpoint('mm_page_pcpu_drain')]);
    assert.equal(st.eventName(drain), 'mm_page_pcpu_drain');
    const onTasklist = tl.find(-1, 1, [parseTraceBreakpoint('contended tasklist_lock')]);
    assert.equal(tl.event(onTasklist).fields.lock, 'tasklist_lock');
    const back = tl.find(tl.length, -1, [parseTraceBreakpoint('contention_begin lock=tasklist_lock')]);
    assert.ok(back > onTasklist && tl.event(back).fields.lock === 'tasklist_lock');
    const order3 = tl.find(-1, 1, [parseTraceBreakpoint('mm_page_alloc order=3')]);
    assert.equal(tl.event(order3).fields.order, 3);
    const remote = tl.find(-1, 1, [parseTraceBreakpoint('drain_pages_zone cpu=1')]);
    assert.equal(tl.event(remote).fields.cpu, 1);
    assert.throws(() => parseTraceBreakpoint(''), TraceBreakpointError);
    assert.throws(() => parseTraceBreakpoint('drain sometimes'), TraceBreakpointError);
    // interfaces.md's lock breakpoints: `lock` and `contended` have contention_begin; a failed trylock has no event
    assert.equal(tl.find(-1, 1, [parseTraceBreakpoint('lock tasklist_lock')]), onTasklist);
    assert.throws(() => parseTraceBreakpoint('trylock-fail pcp->lock'), /no event for a failed trylock/);
  });

  it('breakpoints on markers: a snapshot by its label (begin and end), a phase by the start of its text', () => {
    const at = (bp: string) => { const out: string[] = []; for (let i = tl.find(-1, 1, [parseTraceBreakpoint(bp)]); i >= 0; i = tl.find(i, 1, [parseTraceBreakpoint(bp)])) out.push(tl.event(i).text); return out; };
    assert.deepStrictEqual(at('snapshot cpus-offline'), ['SNAPSHOT cpus-offline begin', 'SNAPSHOT cpus-offline end']);
    assert.deepStrictEqual(at('snapshot after end'), ['SNAPSHOT after end']);
    assert.equal(at('snapshot').length, 16);
    assert.deepStrictEqual(at('marker PHASE cpu2 offline'), ['PHASE cpu2 offline (page_alloc_cpu_dead -> drain_pages)']);
    assert.equal(at('marker').length, 37);
  });

  it('the rebuilt lists as the debugger shows them, and zoneinfo beside them at a snapshot', () => {
    const s = tl.rec.snapshots.find(x => x.label === 'before-hotplug')!;
    tl.seek(s.endEvent);
    const z = tl.zoneinfoAt()!;
    assert.equal(z.label, 'before-hotplug');
    const actual = snaps.find(x => x.label === 'before-hotplug')!.info.zones.find(x => x.name === 'DMA32')!.pcp.find(p => p.cpu === 3)!;
    const compared = s.pcp.find(p => p.cpu === 3 && p.zone === 'DMA32');
    assert.deepStrictEqual(z.pcp.find(p => p.zone === 'DMA32' && p.cpu === 3), { cpu: 3, zone: 'DMA32', count: actual.count, high: actual.high, batch: actual.batch, compared });
    assert.ok(compared && compared.actual === actual.count);
    const pcp = tl.pcp(3).find(p => p.zone === 'DMA32')!;
    assert.equal(pcp.count, s.pcp.find(p => p.cpu === 3 && p.zone === 'DMA32')!.reconstructed);
    assert.equal(pcp.knownPages + pcp.unidentified, pcp.count);
    assert.equal(pcp.lists.reduce((a, l) => a + l.pfns.length * 2 ** l.order, 0), pcp.knownPages);
    tl.seek(s.endEvent + 50);
    assert.equal(tl.zoneinfoAt(), undefined);
  });

  it('CPU state from the flags column and the interrupt nesting', () => {
    const st = trace.store;
    let inIrq = -1;
    for (let i = 0; i < st.length; i++) if (st.name[i] === EV.irq_handler_entry) { inIrq = i; break; }
    tl.seek(inIrq);
    const c = tl.cpuState(st.cpu[inIrq]);
    assert.equal(c.context, 'hardirq');
    assert.equal(c.irqsOff, true);
    assert.match(c.interrupts[c.interrupts.length - 1], /^irq \d+/);
  });
});
