// The tracefs `trace` file under its options (test/fixtures/ftrace-options/: real captures,
// one option changed in each): every event line read, with its task, pid, CPU, name and pfn as
// an independent reading of the line gives them, in time order per CPU, and the same with the
// WebAssembly scanner as with the general reader alone.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTrace } from '../../../src/engine';
import { assertSameImport } from './captures';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'ftrace-options');

/** task, pid, CPU, event name and pfn of an event line, read without the importer */
function reference(line: string): { task: string; pid: number; cpu: number; name: string; pfn: number } | null {
  const m = /^\s*(.*?)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?(?:\[(\d+)\]|(\d+)\S{5}\s)/.exec(line);
  const n = /:\s(\w+):\s/.exec(line);
  if (!m || !n) return null;
  const pfn = /\bpfn=0x([0-9a-f]+)/.exec(line);
  return { task: m[1], pid: Number(m[2]), cpu: Number(m[3] ?? m[4]), name: n[1], pfn: pfn ? parseInt(pfn[1], 16) : -1 };
}

describe('raw ftrace under its tracefs options', function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-ftrace-options-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [name, what] of [['lat', 'latency-format'], ['tsc', 'x86-tsc clock'], ['counter', 'counter clock'], ['tgid', 'record-tgid'], ['noirq', 'irq-info off'], ['nocmd', 'record-cmd off']]) {
    it(`${what}: every event line, as the line says, in time order per CPU`, () => {
      const file = path.join(dir, `${name}.txt`);
      fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, `${name}.txt.gz`))));
      const t = importTrace(file), st = t.store;
      assert.equal(t.format, 'ftrace');
      const rawClock = name === 'tsc' || name === 'counter';
      assert.deepStrictEqual(t.warnings.map(w => /without a decimal point/.test(w.message)), rawClock ? [true] : []);
      const lines = fs.readFileSync(file, 'latin1').split('\n').filter(l => l && !l.startsWith('#'));
      assert.equal(st.length, lines.length);
      const lastTs = new Map<number, number>();
      for (let i = 0; i < st.length; i++) {
        const r = reference(lines[i]);
        assert.ok(r, lines[i]);
        assert.deepStrictEqual([st.taskName(i), st.pid[i], st.cpu[i], st.eventName(i), st.pfn[i]], [r.task, r.pid, r.cpu, r.name, r.pfn], lines[i]);
        assert.ok(st.ts[i] >= (lastTs.get(st.cpu[i]) ?? 0), `time goes back on CPU ${st.cpu[i]}: ${lines[i]}`);
        lastTs.set(st.cpu[i], st.ts[i]);
      }
      assert.equal(st.textOf(st.length - 1), 'SNAPSHOT x begin');
      if (name === 'lat') assert.ok(st.ts[st.length - 1] < 10, 'microseconds since the trace began');
      if (name === 'nocmd') assert.ok([...Array(st.length).keys()].filter(i => st.taskName(i) === '<...>').length > st.length / 2, 'most tasks unnamed');
      assertSameImport(t, importTrace(file, { fastPath: false }));
    });
  }
});
