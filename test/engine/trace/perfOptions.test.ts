// `perf script` with its field selections (test/fixtures/perf-script/: one real recording
// printed four ways, another two): without the comm, with the sample period or without the
// time it gives the same events as with them; without the CPU it cannot be replayed, and every
// line says what is missing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTraceText, ImportedTrace } from '../../../src/engine';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'perf-script');

function load(name: string): ImportedTrace {
  return importTraceText(zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, `${name}.txt.gz`))).toString('latin1'), name);
}

describe('perf script field selections', () => {
  const ref = load('default');

  it('the default output: page and softirq events on both CPUs, no warnings', () => {
    assert.equal(ref.format, 'perf');
    assert.deepStrictEqual(ref.warnings, []);
    assert.ok(ref.store.length > 2000);
    assert.deepStrictEqual(ref.cpus, [0, 1]);
    assert.ok(ref.byEvent.mm_page_alloc > 100 && ref.byEvent.softirq_entry > 10);
  });

  for (const name of ['no-comm', 'period']) {
    it(`${name}: the same events as the default, field by field`, () => {
      const t = load(name), st = t.store, r = ref.store;
      assert.equal(t.format, 'perf');
      assert.deepStrictEqual(t.warnings, []);
      assert.equal(st.length, r.length);
      for (let i = 0; i < st.length; i++) {
        const at = `event ${i}`;
        assert.equal(st.eventName(i), r.eventName(i), at);
        assert.equal(st.cpu[i], r.cpu[i], at);
        assert.equal(st.pid[i], r.pid[i], at);
        assert.equal(st.ts[i], r.ts[i], at);
        assert.equal(st.pfn[i], r.pfn[i], at);
        assert.equal(st.order[i], r.order[i], at);
        assert.equal(st.mt[i], r.mt[i], at);
        assert.equal(st.x[i], r.x[i], at);
        assert.equal(st.textOf(i), r.textOf(i), at);
        if (name !== 'no-comm') assert.equal(st.taskName(i), r.taskName(i), at);
      }
    });
  }

  it('no-time: the same events in the same order, numbered 1, 2, 3... as their time, with one warning saying so', () => {
    const t = load('no-time'), r = load('with-time');
    assert.equal(t.format, 'perf');
    assert.deepStrictEqual(r.warnings, []);
    assert.deepStrictEqual(t.warnings.map(w => w.line), [1]);
    assert.match(t.warnings[0].message, /no time field .* numbered 1, 2, 3/);
    assert.equal(t.store.length, r.store.length);
    assert.ok(t.store.length > 100);
    for (let i = 0; i < t.store.length; i++) {
      const at = `event ${i}`;
      assert.equal(t.store.eventName(i), r.store.eventName(i), at);
      assert.equal(t.store.cpu[i], r.store.cpu[i], at);
      assert.equal(t.store.pid[i], r.store.pid[i], at);
      assert.equal(t.store.taskName(i), r.store.taskName(i), at);
      assert.equal(t.store.pfn[i], r.store.pfn[i], at);
      assert.equal(t.store.order[i], r.store.order[i], at);
      assert.equal(t.store.ts[i], i + 1, at);
    }
  });

  it('no-cpu: recognised as perf, no events, each line saying it needs -F +cpu', () => {
    const t = load('no-cpu');
    assert.equal(t.format, 'perf');
    assert.equal(t.store.length, 0);
    assert.ok(t.warnings.length > 100);
    assert.match(t.warnings[0].message, /needs the cpu field, -F \+cpu/);
  });
});
