// `lockstep replay --json` as interfaces.md writes it, on a small trace made from the kernel's
// print formats: every field named there, of its type, and `state` in run --json's own shape
// (zones with pcp lists by pindex, order, migratetype and pfns; cpus; locks).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { importTraceText, replayImported, replayJson, parseZoneInfoText, ZoneInfoError, loadScenario, runScenario, machineState } from '../../../src/engine';
import { REPO } from './captures';

const HEAD = '# tracer: nop\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n#              | |         |   |||||     |         |\n';
const L = (task: string, cpu: number, flags: string, ts: string, ev: string) => `${task.padStart(16)} [${String(cpu).padStart(3, '0')}] ${flags} ${ts.padStart(12)}: ${ev}`;
const TRACE = HEAD + [
  L('init-1', 1, '.....', '1.000000', 'tracing_mark_write: SNAPSHOT before begin'),
  L('init-1', 1, '.....', '1.000010', 'tracing_mark_write: SNAPSHOT before end'),
  L('dd-10', 1, 'd..3.', '1.000100', 'mm_page_alloc_zone_locked: page=fffff1f240140f00 pfn=0x503c order=0 migratetype=1 percpu_refill=1'),
  L('dd-10', 1, 'd..3.', '1.000101', 'mm_page_alloc_zone_locked: page=fffff1f240140f40 pfn=0x503d order=0 migratetype=0 percpu_refill=1'),
  L('dd-10', 1, '.....', '1.000110', 'mm_page_alloc: page=fffff1f240140f00 pfn=0x503c order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE'),
  L('dd-11', 3, '.....', '1.000200', 'mm_page_free: page=fffff1f240141000 pfn=0x5040 order=0'),
  L('init-1', 1, '.....', '1.002000', 'tracing_mark_write: SNAPSHOT after begin'),
  L('init-1', 1, '.....', '1.002010', 'tracing_mark_write: SNAPSHOT after end'),
].join('\n') + '\n';

function zoneinfo(counts: number[]): string {
  const pcp = counts.map((c, cpu) => `    cpu: ${cpu}\n              count: ${c}\n              high:  378\n              batch: 63\n  vm stats threshold: 24`).join('\n');
  return `Node 0, zone    DMA32\n  pages free     1000\n        min      10\n        low      20\n        high     30\n        spanned  258048\n        present  258048\n        managed  241909\n  pagesets\n${pcp}\n  node_unreclaimable:  0\n  start_pfn:           4096\n`;
}

describe('replay --json: the document interfaces.md describes', () => {
  const t = importTraceText(TRACE, 'mini.txt');
  const zi = [{ label: 'before', info: parseZoneInfoText(zoneinfo([0, 4, 0, 2]), 'zi-before') }, { label: 'after', info: parseZoneInfoText(zoneinfo([0, 5, 0, 4]), 'zi-after') }];
  const j = replayJson(replayImported(t, zi));

  it('format, cpus, events, byEvent, warnings, snapshots with pcp {cpu, zone, reconstructed, actual}', () => {
    assert.equal(j.format, 'ftrace');
    assert.deepStrictEqual(j.cpus, [1, 3]);
    assert.equal(j.events, 8);
    assert.deepStrictEqual(j.byEvent, { tracing_mark_write: 4, mm_page_alloc_zone_locked: 2, mm_page_alloc: 1, mm_page_free: 1 });
    assert.deepStrictEqual(j.warnings, []);
    assert.deepStrictEqual(j.snapshots.map(s => s.label), ['after']);
    const dma32 = j.snapshots[0].pcp.filter(p => p.zone === 'DMA32').map(p => ({ cpu: p.cpu, reconstructed: p.reconstructed, actual: p.actual }));
    // CPU 1: 4 + 2 refilled - 1 allocated; CPU 3: 2 + 1 freed, against zoneinfo's 5 and 4
    assert.deepStrictEqual(dma32, [
      { cpu: 0, reconstructed: 0, actual: 0 }, { cpu: 1, reconstructed: 5, actual: 5 },
      { cpu: 2, reconstructed: 0, actual: 0 }, { cpu: 3, reconstructed: 3, actual: 4 }]);
  });

  it('state: the shape of run --json, migratetypes named as run names them', () => {
    const run = loadScenario(path.join(REPO, 'examples', 'refill-v6.1.lockstep'));
    const runState = machineState(runScenario(run.program!).machine) as unknown as { zones: { pcp: { lists: { migratetype: string }[] }[] }[] };
    const runNames = new Set(runState.zones.flatMap(z => z.pcp.flatMap(p => p.lists.map(l => l.migratetype))));
    assert.ok([...runNames].every(n => /^[a-z]+$/.test(n)), [...runNames].join(', '));
    const z = j.state.zones.find(x => x.name === 'DMA32')!;
    assert.equal(z.managedPages, 241909);
    assert.ok(Array.isArray(z.nrFree));
    const cpu1 = z.pcp.find(p => p.cpu === 1)!;
    assert.deepStrictEqual([cpu1.count, cpu1.high, cpu1.batch], [5, 378, 63]);
    assert.deepStrictEqual(cpu1.lists, [{ pindex: 0, order: 0, migratetype: 'unmovable', pfns: [0x503d] }]);
    for (const c of j.state.cpus) {
      assert.equal(typeof c.cpu, 'number');
      assert.ok(c.irqsDisabled === null || typeof c.irqsDisabled === 'boolean');
      assert.ok(c.preemptCount === null || typeof c.preemptCount === 'number');
    }
    assert.ok(Array.isArray(j.state.locks));
  });
});

describe('zoneinfo files: other kernels read, cut or edited ones refused with their line', () => {
  const real = fs.readFileSync(path.join(REPO, '..', 'shared', 'data', 'kernel-traces', 'drain', 'zoneinfo-drain-before.txt'), 'latin1');

  it('a 6.18 pageset (high_min, high_max lines) and a NUMA zoneinfo of two nodes', () => {
    const z = parseZoneInfoText(zoneinfo([1, 2]).replace(/(batch: 63)/g, '$1\n              high_min: 13\n              high_max: 240'));
    assert.deepStrictEqual(z.zones[0].pcp.map(p => [p.cpu, p.count, p.high, p.batch]), [[0, 1, 378, 63], [1, 2, 378, 63]]);
    const two = parseZoneInfoText(zoneinfo([1, 2]) + zoneinfo([3, 4]).replace('Node 0, zone    DMA32', 'Node 1, zone   Normal'));
    assert.deepStrictEqual(two.zones.map(x => [x.node, x.name, x.pcp.length]), [[0, 'DMA32', 2], [1, 'Normal', 2]]);
  });

  it('a file cut inside a pageset: an error at that CPU\'s line, not a count, high or batch of 0', () => {
    const lines = real.split('\n');
    const cpu3 = lines.findIndex((l, k) => k > 124 && /^\s+cpu: 3$/.test(l));   // DMA32's last pageset
    const cut = lines.slice(0, cpu3 + 2).join('\n') + '\n';
    assert.throws(() => parseZoneInfoText(cut, 'cut.txt'), (e: unknown) => e instanceof ZoneInfoError && e.line === cpu3 + 1 && /CPU 3's pageset in zone DMA32 has no high, batch line/.test(e.message));
  });

  it('a value that is not a number: an error at its line', () => {
    const edited = real.replace(/(cpu: 1\n\s+count:\s+)\d+/, '$1many');
    const line = edited.split('\n').findIndex(l => /count:\s+many/.test(l)) + 1;
    assert.throws(() => parseZoneInfoText(edited, 'edited.txt'), (e: unknown) => e instanceof ZoneInfoError && e.line === line && /count of CPU 1's pageset in zone DMA is not a number/.test(e.message));
  });

  it('the captures\' zoneinfos all read', () => {
    for (const cap of ['drain', 'fork-storm']) {
      const dir = path.join(REPO, '..', 'shared', 'data', 'kernel-traces', cap);
      for (const f of fs.readdirSync(dir).filter(x => x.startsWith('zoneinfo-'))) assert.ok(parseZoneInfoText(fs.readFileSync(path.join(dir, f), 'latin1'), f).zones.length >= 2, f);
    }
  });
});
