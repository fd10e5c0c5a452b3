// The importers and the reconstruction on captures from another kernel (6.18) and machine
// than the shared 6.1 ones (test/fixtures/linux-6.18/README.md): event counts against a plain
// count of the lines, the byte fast path against the general reader, the rebuilt pcp counts
// against the zoneinfo snapshot, and perf script's real output (trailing ip and symbol).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTrace, parseZoneInfo, Reconstruction, EV } from '../../../src/engine';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'linux-6.18');
let dir = '';
function unpacked(name: string): string {
  const out = path.join(dir, name);
  if (!fs.existsSync(out)) fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, `${name}.gz`))));
  return out;
}

function lineCounts(file: string, re: RegExp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    const m = re.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + 1;
  }
  return out;
}
const sorted = (o: Record<string, number>) => Object.entries(o).sort((a, b) => a[0].localeCompare(b[0]));

describe('Linux 6.18 captures', function () {
  this.timeout(60000);
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-618-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('raw ftrace: every event counted, nothing warned, fast path and general reader agree', () => {
    const file = unpacked('ftrace-raw.txt');
    const t = importTrace(file);
    assert.equal(t.format, 'ftrace');
    assert.deepStrictEqual(t.warnings, []);
    assert.deepStrictEqual(sorted(t.byEvent), sorted(lineCounts(file, /\[\d{3}\] \S{5} +\d+\.\d{6}: (\w+):/)));
    const slow = importTrace(file, { fastPath: false });
    for (const c of ['name', 'cpu', 'ts', 'pid', 'task', 'pfn', 'order', 'mt', 'x', 'text', 'flags', 'line'] as const) {
      assert.deepStrictEqual(Array.from(t.store[c].subarray(0, t.store.length)), Array.from(slow.store[c].subarray(0, slow.store.length)), c);
    }
  });

  it('raw ftrace: the rebuilt counts of the Normal zone fall in the "after" snapshot window', () => {
    const t = importTrace(unpacked('ftrace-raw.txt'));
    const zoneinfo = ['before', 'after'].map(label => ({ label, info: parseZoneInfo(unpacked(`zoneinfo-${label}.txt`)) }));
    const r = new Reconstruction(t, { zoneinfo }).run();
    const after = r.snapshots.find(s => s.label === 'after')!;
    assert.ok(after && !after.start);
    const normal = after.pcp.filter(p => p.zone === 'Normal');
    assert.equal(normal.length, 2);
    // measured: both CPUs' Normal lists within the window (9662..9712 vs 9706, 15738..15770 vs 15739)
    for (const p of normal) assert.ok(p.match, `CPU ${p.cpu}: ${p.windowMin}..${p.windowMax} vs ${p.actual}`);
    assert.equal(after.matched, after.total);
  });

  it('perf script: detected, counted, and its fields read despite the trailing ip and symbol', () => {
    const file = unpacked('perf-script.txt');
    const t = importTrace(file);
    assert.equal(t.format, 'perf');
    assert.deepStrictEqual(t.warnings, []);
    assert.deepStrictEqual(sorted(t.byEvent), sorted(lineCounts(file, /\[\d{3}\] +\d+\.\d{6}: +\w+:(\w+):/)));
    // the first line read here independently
    const first = fs.readFileSync(file, 'latin1').split('\n')[0];
    const m = /^\s*(\S+) (\d+) \[(\d+)\] [\d.]+: +kmem:mm_page_alloc: page=\S+ pfn=0x([0-9a-f]+) order=(\d+) migratetype=(\d+) gfp_flags=(\S+) ([0-9a-f]{16}) (\S+) \(\[kernel.kallsyms\]\)$/.exec(first)!;
    assert.ok(m, first);
    const st = t.store;
    assert.equal(st.name[0], EV.mm_page_alloc);
    assert.equal(st.taskName(0), m[1]);
    assert.equal(st.pid[0], Number(m[2]));
    assert.equal(st.cpu[0], Number(m[3]));
    assert.equal(st.pfn[0], parseInt(m[4], 16));
    assert.equal(st.order[0], Number(m[5]));
    assert.equal(st.mt[0], Number(m[6]));
    assert.equal(st.textOf(0), m[7], 'gfp_flags without the sampled ip and symbol perf appends');
    const batched = [...Array(st.length).keys()].filter(i => st.name[i] === EV.mm_page_free_batched);
    assert.ok(batched.length > 100 && batched.every(i => st.pfn[i] > 0 && st.order[i] === 0));
  });
});
