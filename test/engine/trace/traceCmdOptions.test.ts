// `trace-cmd report` with its layout options (test/fixtures/trace-cmd-report/: real output of
// trace-cmd 3.1.6 on the shared drain capture's trace.dat): -l (latency layout, flags column),
// --ts-diff, -R (raw fields) and -t (nanoseconds) give the same events as the default report,
// and -l the same flags as the raw ftrace text of the same capture.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTraceText, EV, ImportedTrace } from '../../../src/engine';
import { imported } from './captures';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'trace-cmd-report');

function load(name: string): ImportedTrace {
  return importTraceText(zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, `drain-${name}.txt.gz`))).toString('latin1'), name);
}

describe('trace-cmd report options', function () {
  this.timeout(60000);
  const report = imported('drain', 'trace-cmd-report');
  const raw = imported('drain', 'ftrace-raw');

  for (const name of ['latency', 'ts-diff', 'raw', 'ns']) {
    it(`${name}: the same events as the default report, field by field`, () => {
      const t = load(name), st = t.store, ref = report.store;
      assert.equal(t.format, 'trace-cmd');
      assert.deepStrictEqual(t.warnings, []);
      assert.ok(st.length > 7000, `${st.length} events`);
      let markers = 0, contention = 0, batched = 0;
      for (let i = 0; i < st.length; i++) {
        const at = `event ${i} (line ${st.line[i]})`;
        assert.equal(st.eventName(i), ref.eventName(i), at);
        assert.equal(st.cpu[i], ref.cpu[i], at);
        assert.equal(st.pid[i], ref.pid[i], at);
        // (-l prints at most 8 characters of the task name)
        if (name === 'latency') assert.ok(ref.taskName(i).startsWith(st.taskName(i)) && st.taskName(i).length >= Math.min(8, ref.taskName(i).length), at);
        else assert.equal(st.taskName(i), ref.taskName(i), at);
        assert.ok(Math.abs(st.ts[i] - ref.ts[i]) < 1e-6, `${at}: ts ${st.ts[i]} vs ${ref.ts[i]}`);
        assert.equal(st.pfn[i], ref.pfn[i], at);
        assert.equal(st.order[i], ref.order[i], at);
        assert.equal(st.mt[i], ref.mt[i], at);
        assert.equal(st.x[i], ref.x[i], at);
        assert.equal(st.addrOf(i), ref.addrOf(i), at);
        const kind = st.name[i];
        if (kind === EV.tracing_mark_write) { markers++; assert.equal(st.textOf(i), ref.textOf(i), at); }
        if (kind === EV.contention_begin) contention++;
        if (kind === EV.mm_page_free_batched) batched++;
        // (a first pass near the cut may have its batched line beyond it)
        if (i < st.length - 500) assert.equal(st.flags[i] & 64, ref.flags[i] & 64, `${at}: batched-free pairing`);
      }
      assert.ok(markers >= 3 && contention >= 5 && batched > 1000, `${markers} markers, ${contention} contentions, ${batched} batched frees`);
      assert.deepStrictEqual([...st.stacks.keys()], [...ref.stacks.keys()].filter(k => k < st.length));
    });
  }

  it('latency: the flags column read as the raw ftrace text of the same capture shows it', () => {
    const st = load('latency').store;
    let withFlags = 0;
    for (let i = 0; i < st.length; i++) {
      assert.equal(st.flags[i] & 63, raw.store.flags[i] & 63, `event ${i}`);
      assert.equal(st.preempt[i], raw.store.preempt[i], `event ${i}`);
      if (st.flags[i] & 63) withFlags++;
    }
    assert.ok(withFlags > 1000);
    // without its `cpus=` header line the event lines themselves tell the layout
    const text = zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, 'drain-latency.txt.gz'))).toString('latin1');
    const bare = importTraceText(text.slice(text.indexOf('\n') + 1));
    assert.equal(bare.format, 'trace-cmd');
    assert.equal(bare.store.length, st.length);
  });
});
