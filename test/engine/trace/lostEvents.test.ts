// Events the ring buffer lost (a full per-CPU buffer), as the tracers write it: where and how
// many are kept with the trace, in both readers; the reconstruction says that the counts of
// the CPU that lost them can be off from there, and a later mismatch names the loss.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTrace, importTraceText, parseZoneInfoText, replayImported, replayJson, chromeTraceOfReplay } from '../../../src/engine';
import { assertSameImport, betweenSnapshots, ev } from './captures';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'lost-events');

function fixture(name: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lost-')), name.replace(/\.gz$/, ''));
  fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, name))));
  return file;
}

describe('events the ring buffer lost', () => {
  it('trace_pipe: `CPU:0 [LOST 851 EVENTS]` is kept where it was, not warned about, in both readers', () => {
    const file = fixture('pipe.txt.gz');
    const t = importTrace(file);
    assertSameImport(t, importTrace(file, { fastPath: false }));
    assert.deepStrictEqual(t.warnings, []);
    assert.equal(t.store.length, 200);
    assert.deepStrictEqual(t.lost, [{ cpu: 0, events: 851, line: 101, before: 100 }]);
    assert.equal(t.store.line[100], 102, 'the next event is the line after it');
  });

  it('the trace file in overwrite mode: the header\'s entries-written minus entries-in-buffer is what was overwritten', () => {
    const file = fixture('overwrite.txt.gz');
    const t = importTrace(file);
    assertSameImport(t, importTrace(file, { fastPath: false }));
    assert.equal(t.overwritten, 1339 - 488);
    assert.deepStrictEqual(t.lost, []);
    const r = replayImported(t, []);
    assert.match(r.rec.notes.get('overwritten')?.why ?? '', /overwrote its 851 oldest events/);
  });

  it('trace-cmd report: `CPU:1 [2776 EVENTS DROPPED]`, also before the first event line', () => {
    const file = fixture('trace-cmd-report.txt.gz');
    const t = importTrace(file);
    assertSameImport(t, importTrace(file, { fastPath: false }));
    assert.equal(t.format, 'trace-cmd');
    assert.deepStrictEqual(t.warnings, []);
    assert.deepStrictEqual(t.lost.map(l => [l.cpu, l.events, l.line]), [[1, 2776, 2], [0, 6129, 273]]);
  });

  it('a loss of unknown size (`CPU:3 [LOST EVENTS]`) and lines that only look like one', () => {
    const t = importTraceText([
      '# tracer: nop',
      '            bash-1234    [003] d..1.  1234.000001: mm_page_free: page=x pfn=0x2a400 order=0',
      'CPU:3 [LOST EVENTS]',
      'CPU:3 [LOST 12 EVENTS] and more',
      '            bash-1234    [003] d..1.  1234.000002: mm_page_free: page=x pfn=0x2a401 order=0',
    ].join('\n'));
    assert.deepStrictEqual(t.lost, [{ cpu: 3, events: null, line: 3, before: 1 }]);
    assert.deepStrictEqual(t.warnings.map(w => w.line), [4]);
  });

  describe('in the reconstruction', () => {
    const zoneinfo = (c0: number, c1: number) => parseZoneInfoText(`Node 0, zone    DMA32
  pages free     220972
        spanned  258015
        managed  241909
  pagesets
    cpu: 0
              count: ${c0}
              high:  3464
              batch: 63
    cpu: 1
              count: ${c1}
              high:  3464
              batch: 63
  node_unreclaimable:  0
  start_pfn:           4096
`);
    const t = importTraceText(betweenSnapshots([
      ev(1, 2.0, 'mm_page_free: page=x pfn=0x7000 order=0'),
      'CPU:1 [LOST 12 EVENTS]',
      ev(1, 3.0, 'mm_page_free: page=x pfn=0x7001 order=0'),
      ev(0, 3.1, 'mm_page_free: page=x pfn=0x7002 order=0'),
    ]));
    // the kernel's counts went 10 -> 12 on CPU 0 (rebuilt 11) and 5 -> 9 on CPU 1 (rebuilt 7)
    const r = replayImported(t, [{ label: 'before', info: zoneinfo(10, 5) }, { label: 'after', info: zoneinfo(12, 9) }]);

    it('notes the loss, with its line', () => {
      const n = r.rec.notes.get('lost-events')!;
      assert.deepStrictEqual([n.events, n.firstLine], [12, 5]);
    });
    it('a mismatch on the CPU that lost events names the loss; one on another CPU does not', () => {
      const s = r.rec.snapshots.find(x => x.label === 'after')!;
      const why = new Map(s.pcp.map(p => [p.cpu, p.why ?? '']));
      assert.match(why.get(1)!, /CPU 1 lost 12 events before this snapshot \(ring buffer full, first at line 5\)/);
      assert.ok(why.get(0) && !/lost/.test(why.get(0)!), why.get(0));
    });
    it('overwrite mode: a CPU whose oldest kept event comes after the starting zoneinfo is named', () => {
      const o = importTraceText(betweenSnapshots([ev(1, 2.0, 'mm_page_free: page=x pfn=0x7000 order=0')], ['# entries-in-buffer/entries-written: 5/9   #P:2']));
      assert.equal(o.overwritten, 4);
      const ro = replayImported(o, [{ label: 'before', info: zoneinfo(10, 5) }, { label: 'after', info: zoneinfo(10, 9) }]);
      assert.match(ro.rec.notes.get('overwritten')!.why, /on CPU 1 that is after the starting zoneinfo was taken/);
      const p1 = ro.rec.snapshots.find(x => x.label === 'after')!.pcp.find(p => p.cpu === 1)!;
      assert.match(p1.why ?? '', /overwrote CPU 1's events from before its first kept one/);
    });
    it('the JSON lists it, and the Chrome trace marks it on its CPU\'s track', () => {
      assert.deepStrictEqual(replayJson(r).lostEvents, [{ cpu: 1, events: 12, line: 5 }]);
      const mark = chromeTraceOfReplay(r).traceEvents.find(e => e.name === 'LOST 12 events');
      assert.ok(mark && mark.tid === 1 && mark.ph === 'i', JSON.stringify(mark));
    });
  });
});
