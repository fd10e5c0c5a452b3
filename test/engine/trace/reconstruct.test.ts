// Item 2 and 6 of issue 7: the rebuilt per-CPU counts against every zoneinfo snapshot of the
// drain and fork-storm captures, and each counting rule on a small trace written here.
//
// A snapshot's pcp count "matches" when the zoneinfo value lies within the range the rebuilt
// count took between the snapshot's `SNAPSHOT <label> begin` and `end` markers: the reading
// `cat` runs somewhere in between and the trace does not say when it read each CPU's line.
// That window is the only tolerance; the numbers below are the ones measured (2026-12-02)
// and the test fails if the reconstruction gets better or worse, so a change is noticed.
import * as assert from 'assert';
import { importTraceText, parseZoneInfoText, replayImported, lockNamesBeside, EV, Reconstruction, rebuiltState } from '../../../src/engine';
import type { RebuildState } from '../../../src/engine/trace/reconstruct';
import { imported, snapshotsOf, captureFile, ev, betweenSnapshots } from './captures';

const MEASURED: Record<string, { snapshots: Record<string, [matched: number, total: number]>; checks?: [number, number] }> = {
  drain: {
    snapshots: { 'after-fill': [7, 8], 'after-high-fraction': [8, 8], 'before-hotplug': [8, 8], 'cpus-offline': [2, 2], 'before-mem-offline': [6, 8], 'after-mem-offline': [7, 8], 'after': [7, 8] },
    // free_pcppages_bulk's pcp_count (the kernel's own count) equal to the rebuilt one
    checks: [273, 282],
  },
  'fork-storm': { snapshots: { after: [6, 8] } },
};

for (const capture of Object.keys(MEASURED)) {
  for (const kind of ['ftrace-raw', 'trace-cmd-report'] as const) {
    describe(`reconstruction of ${capture} (${kind}) against its zoneinfo snapshots`, function () {
      this.timeout(60000);
      const snaps = snapshotsOf(capture);
      const r = replayImported(imported(capture, kind), snaps.map(s => ({ label: s.label, info: s.info })), lockNamesBeside(captureFile(capture, kind)));
      it('starts from the first snapshot and compares every later one', () => {
        assert.equal(r.rec.startLabel, 'before');
        const compared = r.rec.snapshots.filter(s => !s.start).map(s => s.label);
        assert.deepStrictEqual(compared, snaps.slice(1).map(s => s.label));
      });
      it(`match rate as measured: ${Object.entries(MEASURED[capture].snapshots).map(([l, [m, t]]) => `${l} ${m}/${t}`).join(', ')}`, () => {
        const got: Record<string, [number, number]> = {};
        for (const s of r.rec.snapshots) if (!s.start) got[s.label] = [s.matched, s.total];
        assert.deepStrictEqual(got, MEASURED[capture].snapshots);
        const m = Object.values(got).reduce((a, [x]) => a + x, 0), t = Object.values(got).reduce((a, [, y]) => a + y, 0);
        assert.ok(m / t >= 0.75, `overall ${m}/${t}`);
      });
      it('the zoneinfo pages the window misses are all rebuilt too high (pages taken off without an event), never too low', () => {
        for (const s of r.rec.snapshots) for (const p of s.pcp) if (!p.match) assert.ok(p.windowMin > p.actual, `${s.label} CPU ${p.cpu} ${p.zone}: ${p.windowMin}..${p.windowMax} vs ${p.actual}`);
      });
      it('each mismatch says why and by how much, with what its list showed; a match says nothing', () => {
        for (const s of r.rec.snapshots) {
          for (const p of s.pcp) {
            if (p.match) { assert.equal(p.why, undefined); continue; }
            assert.match(p.why!, new RegExp(`^rebuilt ${p.off} pages? above the kernel's count: .*__alloc_pages_bulk`));
            assert.match(p.why!, /before this snapshot \d+ pages? on this list were seen to have left that way/);
            assert.equal(/no free_pcppages_bulk kprobe/.test(p.why!), capture === 'fork-storm', 'only the capture without drain kprobes lacks them');
          }
        }
      });
      if (MEASURED[capture].checks) {
        it('the drain kprobes: free_pcppages_bulk pcp_count equals the rebuilt count at 273 of 282 drains', () => {
          const ok = r.rec.checks.filter(c => c.reconstructed === c.actual).length;
          assert.deepStrictEqual([ok, r.rec.checks.length], MEASURED[capture].checks);
        });
      }
      it('says where the events could not decide a count, and by how many pages', () => {
        const notes = [...r.rec.notes.values()];
        assert.ok(notes.length > 0);
        for (const n of notes) { assert.ok(n.why.length > 40); assert.ok(n.pages >= 0 && n.events > 0); assert.ok(n.firstLine > 0); }
        assert.ok(notes.some(n => n.reason === 'silent-alloc'));
      });
      it('lock contention intervals: one per contention_begin/end pair, named', () => {
        const st = r.trace.store;
        let begins = 0;
        for (let i = 0; i < st.length; i++) if (st.name[i] === EV.contention_begin) begins++;
        assert.equal(r.rec.lockIntervals.length, begins);
        for (const l of r.rec.lockIntervals) { assert.ok(l.to > l.from); assert.equal(st.addrOf(l.to), l.addr); }
        assert.ok(r.rec.lockIntervals.some(l => l.name === 'tasklist_lock'), 'the static tasklist_lock named from lock-addrs/kallsyms');
        assert.ok(r.rec.lockIntervals.some(l => /^lruvec->lru_lock/.test(l.name)), 'a dynamic lock named from its taker');
      });
    });
  }
}

// ---- each rule on a small trace ----

const ZONEINFO = `Node 0, zone      DMA
  pages free     3808
        managed  3840
  pagesets
    cpu: 0
              count: 0
              high:  55
              batch: 1
    cpu: 1
              count: 0
              high:  55
              batch: 1
  node_unreclaimable:  0
  start_pfn:           1
Node 0, zone    DMA32
  pages free     220972
        spanned  258015
        managed  241909
  pagesets
    cpu: 0
              count: 10
              high:  3464
              batch: 63
    cpu: 1
              count: 5
              high:  3464
              batch: 63
  node_unreclaimable:  0
  start_pfn:           4096
`;
const AFTER = ZONEINFO.replace('count: 10', 'count: 12').replace('count: 5', 'count: 3');


describe('reconstruction rules (small traces)', () => {
  const dma = parseZoneInfoText(ZONEINFO.replace(/spanned\s+258015/, 'spanned 258015').replace('pages free     3808', 'pages free 3808\n        spanned  4095'));
  const lines = [
    '# tracer: nop',
    ev(0, 1.0, 'tracing_mark_write: SNAPSHOT before begin'),
    ev(0, 1.1, 'tracing_mark_write: SNAPSHOT before end'),
    // refill of 3 pages on CPU 0, then one allocated from the list
    ev(0, 2.0, 'mm_page_alloc_zone_locked: page=x pfn=0x5000 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.1, 'mm_page_alloc_zone_locked: page=x pfn=0x5001 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.2, 'mm_page_alloc_zone_locked: page=x pfn=0x5002 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.3, 'mm_page_alloc: page=x pfn=0x5000 order=0 migratetype=1 gfp_flags=GFP_KERNEL'),
    // an order-4 allocation never touches the pcp (percpu_refill=0)
    ev(0, 2.4, 'mm_page_alloc_zone_locked: page=x pfn=0x6000 order=4 migratetype=0 percpu_refill=0'),
    ev(0, 2.5, 'mm_page_alloc: page=x pfn=0x6000 order=4 migratetype=0 gfp_flags=GFP_KERNEL'),
    // free_unref_page_list: mm_page_free for both pages first, then mm_page_free_batched
    ev(1, 3.0, 'mm_page_free: page=x pfn=0x7000 order=0'),
    ev(1, 3.1, 'mm_page_free: page=x pfn=0x7001 order=0'),
    ev(1, 3.2, 'mm_page_free_batched: page=x pfn=0x7000 order=0'),
    ev(1, 3.3, 'mm_page_free_batched: page=x pfn=0x7001 order=0'),
    // a single free of an order-1 page (2 pages on the pcp) and of an order-5 page (buddy)
    ev(1, 3.4, 'mm_page_free: page=x pfn=0x7100 order=1'),
    ev(1, 3.5, 'mm_page_free: page=x pfn=0x7200 order=5'),
    // CPU 0 drains CPU 1's list remotely (kprobes tell whose): 0x7000 and one unidentified page
    ev(0, 4.0, 'drain_pages_zone: (drain_pages_zone+0x0/0x70) cpu=1 zone=0xffff0000aa'),
    ev(0, 4.1, 'free_pcppages_bulk: (free_pcppages_bulk+0x0/0x2e0) zone=0xffff0000aa count=2 pcp=0xffff0000bb pindex=0 pcp_count=9 pcp_high=3464 pcp_batch=63'),
    ev(0, 4.2, 'mm_page_pcpu_drain: page=x pfn=0x7000 order=0 migratetype=1'),
    ev(0, 4.3, 'mm_page_pcpu_drain: page=x pfn=0x9999 order=0 migratetype=1'),
    ev(0, 5.0, 'tracing_mark_write: SNAPSHOT after begin'),
    ev(0, 5.1, 'tracing_mark_write: SNAPSHOT after end'),
  ];
  const t = importTraceText(lines.join('\n'));
  const r = replayImported(t, [{ label: 'before', info: dma }, { label: 'after', info: parseZoneInfoText(AFTER) }]);
  const dma32 = r.rec.zones.findIndex(z => z.name === 'DMA32');
  const countAt = (line: number, cpu: number): number => {
    let c = NaN;
    for (let i = 0; i < t.store.length && t.store.line[i] <= line; i++) if (r.rec.pcpOf[i] === r.rec.pcpIndex(cpu, dma32)) c = r.rec.countAfter[i];
    return c;
  };

  it('a refill adds each page to the executing CPU; an allocation takes it off', () => {
    assert.equal(countAt(4, 0), 11);
    assert.equal(countAt(6, 0), 13);
    assert.equal(countAt(7, 0), 12);
    assert.deepStrictEqual(t.warnings, []);
  });
  it('orders above PAGE_ALLOC_COSTLY_ORDER go to and from the buddy', () => {
    assert.equal(r.rec.pcpOf[t.store.line.indexOf(8)], -1);
    assert.equal(r.rec.pcpOf[t.store.line.indexOf(9)], -1);
    assert.equal(r.rec.pcpOf[t.store.line.indexOf(15)], -1);
  });
  it('batched frees count once: mm_page_free of the first pass moves nothing, mm_page_free_batched adds', () => {
    assert.equal(r.rec.pcpOf[t.store.line.indexOf(10)], -1);
    assert.equal(r.rec.pcpOf[t.store.line.indexOf(11)], -1);
    assert.equal(countAt(13, 1), 7);
    assert.equal(countAt(14, 1), 9, 'an order-1 page is two pages on the count');
  });
  it('a remote drain comes off the CPU the drain kprobes name, and free_pcppages_bulk pcp_count checks it', () => {
    assert.deepStrictEqual(r.rec.checks.map(c => [c.cpu, c.reconstructed, c.actual]), [[1, 9, 9]]);
    assert.equal(countAt(19, 1), 7);
    assert.equal(countAt(19, 0), 12, 'the executing CPU keeps its pages');
    const v = r.rec.pcpView(1, dma32);
    assert.ok(!v.lists.some(l => l.pfns.includes(0x7000)));
    assert.ok(v.lists.some(l => l.pfns.includes(0x7100) && l.order === 1));
  });
  it('compares with the later snapshot', () => {
    const s = r.rec.snapshots.find(x => x.label === 'after')!;
    const p = s.pcp.filter(x => x.zone === 'DMA32').map(x => [x.cpu, x.reconstructed, x.actual, x.match]);
    assert.deepStrictEqual(p, [[0, 12, 12, true], [1, 7, 3, false]]);
    assert.equal(s.notCompared, undefined);
  });
  it('zoneinfos given out of trace order: a snapshot taken before the starting one is not compared, and says why', () => {
    const late = replayImported(t, [{ label: 'after', info: parseZoneInfoText(AFTER) }, { label: 'before', info: dma }]);
    assert.equal(late.rec.startLabel, 'after');
    const s = late.rec.snapshots.find(x => x.label === 'before')!;
    assert.deepStrictEqual([s.pcp, s.matched, s.total], [[], 0, 0], 'nothing compared: the rebuilt counts begin at the later snapshot');
    assert.match(s.notCompared ?? '', /before the starting state 'after' \(line 21\).*give the earliest snapshot first/);
  });
});

describe('reconstruction rules: a refill finds its list empty', () => {
  const dma = parseZoneInfoText(ZONEINFO.replace('pages free     3808', 'pages free 3808\n        spanned  4095'));
  const lines = [
    '# tracer: nop',
    ev(0, 1.0, 'tracing_mark_write: SNAPSHOT before begin'),
    ev(0, 1.1, 'tracing_mark_write: SNAPSHOT before end'),
    // a refill of two movable pages; one is allocated with an event
    ev(0, 2.0, 'mm_page_alloc_zone_locked: page=x pfn=0x5000 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.1, 'mm_page_alloc_zone_locked: page=x pfn=0x5001 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.2, 'mm_page_alloc: page=x pfn=0x5000 order=0 migratetype=1 gfp_flags=GFP_KERNEL'),
    // an unmovable refill: another list, 0x5001 stays
    ev(0, 2.3, 'mm_page_alloc_zone_locked: page=x pfn=0x5100 order=0 migratetype=0 percpu_refill=1'),
    // a second movable refill: the movable list was empty, so 0x5001 had left it silently
    ev(0, 2.4, 'mm_page_alloc_zone_locked: page=x pfn=0x5200 order=0 migratetype=1 percpu_refill=1'),
    ev(0, 2.5, 'mm_page_alloc_zone_locked: page=x pfn=0x5201 order=0 migratetype=1 percpu_refill=1'),
  ];
  const t = importTraceText(lines.join('\n'));
  const r = replayImported(t, [{ label: 'before', info: dma }]);
  const dma32 = r.rec.zones.findIndex(z => z.name === 'DMA32');
  const at = (line: number) => r.rec.countAfter[t.store.line.indexOf(line)];

  it('takes the pages the rebuilt list still holds there off it, and says so', () => {
    assert.equal(at(4), 11);
    assert.equal(at(5), 12);
    assert.equal(at(6), 11);
    assert.equal(at(7), 12, 'a refill of another migratetype leaves the movable page');
    assert.equal(at(8), 12, '0x5001 off, 0x5200 on');
    assert.equal(at(9), 13, 'the second page of the same batch removes nothing');
    const pfns = r.rec.pcpView(0, dma32).lists.flatMap(l => l.pfns);
    assert.deepStrictEqual(pfns.sort((a, b) => a - b), [0x5100, 0x5200, 0x5201]);
    const n = r.rec.notes.get('refill-list-not-empty');
    assert.ok(n && n.events === 1 && n.pages === 1 && n.firstLine === 8, JSON.stringify(n));
  });
  it('a batch begins after any other event of the CPU, even when the refill before was of the same list', () => {
    const again = importTraceText([
      ...lines.slice(0, 6),
      // straight on with a movable refill: the allocation between ends the first batch
      ev(0, 2.4, 'mm_page_alloc_zone_locked: page=x pfn=0x5200 order=0 migratetype=1 percpu_refill=1'),
      ev(0, 2.5, 'mm_page_alloc_zone_locked: page=x pfn=0x5201 order=0 migratetype=1 percpu_refill=1'),
    ].join('\n'));
    const r2 = replayImported(again, [{ label: 'before', info: dma }]);
    const pfns = r2.rec.pcpView(0, dma32).lists.flatMap(l => l.pfns);
    assert.deepStrictEqual(pfns.sort((a, b) => a - b), [0x5200, 0x5201]);
    assert.equal(r2.rec.notes.get('refill-list-not-empty')?.pages, 1);
  });
  it('seeking replays the removal', () => {
    const cps: RebuildState[] = [];
    const rec = new Reconstruction(t, { zoneinfo: [{ label: 'before', info: dma }] }).run(1, cps);
    rec.restore(cps[t.store.line.indexOf(7)]);
    for (let j = t.store.line.indexOf(7); j < t.store.length; j++) rec.replay(j);
    assert.deepStrictEqual(rec.pcpView(0, dma32), r.rec.pcpView(0, dma32));
  });
});

describe('reconstruction on a machine of two NUMA nodes', () => {
  // every node has its own Normal zone, and each CPU a pcp in each: the pages of node 1's
  // Normal go on node 1's pcp, compared with node 1's pagesets, and are shown with the node
  const normal = (node: number, start: number, counts: [number, number]) => `Node ${node}, zone   Normal
  pages free     100000
        spanned  262144
        managed  250000
  pagesets
    cpu: 0
              count: ${counts[0]}
              high:  3464
              batch: 63
    cpu: 1
              count: ${counts[1]}
              high:  3464
              batch: 63
  node_unreclaimable:  0
  start_pfn:           ${start}
`;
  const zoneinfo = (n0: [number, number], n1: [number, number]) => parseZoneInfoText(normal(0, 0x100000, n0) + normal(1, 0x140000, n1));
  const t = importTraceText(betweenSnapshots([
    ev(1, 2.0, 'mm_page_free: page=x pfn=0x150000 order=0'),
    ev(1, 2.1, 'mm_page_free: page=x pfn=0x150001 order=0'),
    ev(1, 2.2, 'mm_page_free: page=x pfn=0x100100 order=0'),
  ]));
  const r = replayImported(t, [{ label: 'before', info: zoneinfo([4, 5], [6, 7]) }, { label: 'after', info: zoneinfo([4, 6], [6, 9]) }]);

  it('one zone per node, named with its node', () => {
    assert.deepStrictEqual(r.rec.zones.map(z => z.name), ['Node 0 Normal', 'Node 1 Normal']);
  });
  it('starts each node\'s pcp from that node\'s pagesets and compares it with them', () => {
    const s = r.rec.snapshots.find(x => x.label === 'after')!;
    assert.deepStrictEqual(s.pcp.map(p => [p.cpu, p.zone, p.reconstructed, p.actual, p.match]), [
      [0, 'Node 0 Normal', 4, 4, true], [1, 'Node 0 Normal', 6, 6, true],
      [0, 'Node 1 Normal', 6, 6, true], [1, 'Node 1 Normal', 9, 9, true],
    ]);
    assert.deepStrictEqual(r.rec.pcpView(1, 1).lists.flatMap(l => l.pfns), [0x150000, 0x150001]);
  });
  it('the JSON state names each zone with its node and its managed pages', () => {
    const state = rebuiltState(r.rec);
    assert.deepStrictEqual(state.zones.map(z => [z.name, z.managedPages, z.pcp[1].count]), [['Node 0 Normal', 250000, 6], ['Node 1 Normal', 250000, 9]]);
  });
});
