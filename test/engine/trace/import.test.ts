// Item 1 and 6 of issue 7: the importers on the real captures, event counts per type checked
// against counts taken here straight from the text (a plain regex over each line), and
// malformed lines giving line-numbered warnings while the rest loads.
import * as assert from 'assert';
import * as fs from 'fs';
import { importTraceText, importTrace, TraceImportError, EV } from '../../../src/engine';
import { captureFile, imported } from './captures';

/** Counts of the event-name field of each line, independent of the importer. */
function grepCounts(file: string, format: 'raw' | 'report'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /\[\d{3}\]\s+(?:\S{5}\s+)?\d+\.\d{6}: ([\w<>]+):/.exec(line);
    if (!m) continue;
    let name = m[1];
    if (format === 'report' && name === 'kernel_stack') continue;
    if (format === 'report' && name === 'print') name = 'tracing_mark_write';
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

function sorted(o: Record<string, number>): [string, number][] { return Object.entries(o).sort((a, b) => a[0].localeCompare(b[0])); }

for (const capture of ['drain', 'fork-storm']) {
  describe(`import ${capture} capture`, function () {
    this.timeout(60000);
    it('raw ftrace: every event type counted exactly as the lines of the file say', () => {
      const t = imported(capture, 'ftrace-raw');
      assert.equal(t.format, 'ftrace');
      assert.deepStrictEqual(sorted(t.byEvent), sorted(grepCounts(captureFile(capture, 'ftrace-raw'), 'raw')));
      assert.deepStrictEqual(t.warnings, []);
      assert.deepStrictEqual(t.cpus, [0, 1, 2, 3]);
    });
    it('trace-cmd report: the same counts as its own lines and as the raw text of the same ring buffer', () => {
      const t = imported(capture, 'trace-cmd-report');
      assert.equal(t.format, 'trace-cmd');
      assert.deepStrictEqual(sorted(t.byEvent), sorted(grepCounts(captureFile(capture, 'trace-cmd-report'), 'report')));
      assert.deepStrictEqual(sorted(t.byEvent), sorted(imported(capture, 'ftrace-raw').byEvent));
      assert.deepStrictEqual(t.warnings, []);
    });
    it('every contention_begin carries its <stack trace>, in both formats', () => {
      for (const kind of ['ftrace-raw', 'trace-cmd-report'] as const) {
        const t = imported(capture, kind), st = t.store;
        const text = fs.readFileSync(captureFile(capture, kind), 'latin1');
        const entries = (text.match(kind === 'ftrace-raw' ? /<stack trace>/g : /kernel_stack:/g) ?? []).length;
        assert.equal(t.stackTraces, entries);
        let begins = 0, withStack = 0;
        for (let i = 0; i < st.length; i++) if (st.name[i] === EV.contention_begin) { begins++; if (st.stackOf(i)[0] === 'trace_event_raw_event_contention_begin') withStack++; }
        assert.equal(withStack, begins, kind);
      }
    });
    it('fields parse: pfn, order, migratetype and percpu_refill of mm_page_alloc_zone_locked', () => {
      const raw = imported(capture, 'ftrace-raw').store, rep = imported(capture, 'trace-cmd-report').store;
      const text = fs.readFileSync(captureFile(capture, 'ftrace-raw'), 'latin1');
      const refills = (text.match(/percpu_refill=1/g) ?? []).length;
      let seen = 0;
      for (let i = 0; i < raw.length; i++) if (raw.name[i] === EV.mm_page_alloc_zone_locked && raw.x[i] === 1) seen++;
      assert.equal(seen, refills);
      // both formats agree event by event on the page fields
      assert.equal(raw.length, rep.length);
      for (let i = 0; i < raw.length; i += 97) {
        assert.equal(raw.eventName(i), rep.eventName(i));
        assert.equal(raw.pfn[i], rep.pfn[i]); assert.equal(raw.order[i], rep.order[i]); assert.equal(raw.mt[i], rep.mt[i]);
        assert.equal(raw.cpu[i], rep.cpu[i]); assert.equal(raw.ts[i], rep.ts[i]); assert.equal(raw.taskName(i), rep.taskName(i));
        assert.equal(raw.addrOf(i), rep.addrOf(i));
      }
    });
  });
}

describe('import: formats, bad input', () => {
  const head = fs.readFileSync(captureFile('drain', 'ftrace-raw'), 'latin1').split('\n').slice(0, 300);

  it('malformed lines (truncated, unknown, binary, bad fields) give line-numbered warnings; the rest loads', () => {
    const good = importTraceText(head.join('\n'));
    assert.deepStrictEqual(good.warnings, []);
    const lines = head.slice();
    // 1-based line numbers of the injected lines, in the final text
    lines.splice(20, 0, '            init-1       [002] .....');                                   // line 21: truncated before the timestamp
    lines.splice(40, 0, 'hello, this is not a trace line');                                        // line 41: unknown
    lines.splice(60, 0, '\u0000\u0001\u0002garbage\u0003');                                         // line 61: binary
    lines.splice(80, 0, '            init-1       [002] .....     4.036308: mm_page_alloc: page=fffff7fa40157200'); // line 81: fields cut off
    lines.splice(100, 0, '            init-1       [002] .....     4.0363');                         // line 101: timestamp cut
    const t = importTraceText(lines.join('\n'), 'broken.txt');
    assert.deepStrictEqual(t.warnings.map(w => w.line), [21, 41, 61, 81, 101]);
    assert.match(t.warnings[0].message, /truncated/);
    assert.match(t.warnings[1].message, /not an event line/);
    assert.match(t.warnings[2].message, /binary/);
    assert.match(t.warnings[3].message, /mm_page_alloc: truncated event: no pfn=/);
    assert.equal(t.store.length, good.store.length, 'every good line still loads');
    assert.deepStrictEqual(t.byEvent, good.byEvent);
  });

  it('perf script text: the same events, CPUs and stack traces as the raw text it was written from', () => {
    // perf script prints `comm pid [cpu] time: subsystem:event: fields` and call chains as
    // `\t address symbol+off (dso)` lines; written here from the raw capture's first 300 lines
    const sys: Record<string, string> = { contention_begin: 'lock', contention_end: 'lock', tracing_mark_write: 'ftrace', irq_handler_entry: 'irq', irq_handler_exit: 'irq', softirq_entry: 'irq', softirq_exit: 'irq' };
    const out: string[] = [];
    for (const l of head) {
      const m = /^\s*(.+)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+): (\S+): (.*)$/.exec(l);
      if (m) { const name = m[5] === 'tracing_mark_write' ? 'print' : m[5]; out.push(`${m[1].padStart(16)} ${m[2].padStart(6)} [${m[3]}] ${m[4]}: ${sys[m[5]] ?? 'kmem'}:${name}: ${m[5] === 'tracing_mark_write' ? 'buf=' : ''}${m[6]}`); continue; }
      const f = /^ => (\S+)/.exec(l);
      if (f) out.push(`\t    ffffffff81000000 ${f[1]}+0x10 ([kernel.kallsyms])`);
      else if (/<stack trace>/.test(l)) out.push('');
    }
    const perf = importTraceText(out.join('\n'));
    const raw = importTraceText(head.join('\n'));
    assert.equal(perf.format, 'perf');
    assert.deepStrictEqual(perf.warnings, []);
    assert.deepStrictEqual(perf.byEvent, raw.byEvent);
    assert.deepStrictEqual(perf.cpus, raw.cpus);
    for (let i = 0; i < raw.store.length; i++) {
      assert.equal(perf.store.pfn[i], raw.store.pfn[i]);
      assert.equal(perf.store.textOf(i), raw.store.textOf(i));
    }
  });

  it('raw text with the record-tgid column, without the flags column, and task names with spaces', () => {
    const t = importTraceText([
      '# tracer: nop',
      '           <...>-4077  (   4077) [003] d..2.   212.345678: mm_page_free: page=ffffea0000100000 pfn=0x4000 order=0',
      ' Web Content-1234  (   1200) [001] .....   212.345700: mm_page_alloc: page=ffffea0000100000 pfn=0x4000 order=0 migratetype=1 gfp_flags=GFP_KERNEL',
      '          kworker/u8:2-99    [000]   212.345800: softirq_entry: vec=9 [action=RCU]',
    ].join('\n'));
    assert.deepStrictEqual(t.warnings, []);
    assert.deepStrictEqual([0, 1, 2].map(i => [t.store.taskName(i), t.store.pid[i], t.store.cpu[i]]), [['<...>', 4077, 3], ['Web Content', 1234, 1], ['kworker/u8:2', 99, 0]]);
    assert.equal(t.store.pfn[1], 0x4000);
    assert.equal(t.store.x[2], 9);
  });

  it('a clock that does not count nanoseconds (counter, x86-tsc): raw integer timestamps, in order, said once', () => {
    // the drain capture's first events as `echo counter > trace_clock` prints them, raw and as trace-cmd report
    const raw = fs.readFileSync(captureFile('drain', 'ftrace-raw'), 'latin1').split('\n').slice(0, 3000);
    const ref = importTraceText(raw.join('\n'));
    const counter = raw.map(l => l.replace(/ (\d+)\.(\d{6}): /, (_m, a: string, b: string) => ` ${Number(a) * 1e6 + Number(b)}: `));
    for (const lines of [counter, counter.map(l => l.replace(/^(\s*\S.*?-\d+\s+\[\d+\]) \S+ /, '$1 '))]) {
      const t = importTraceText(lines.join('\n'));
      assert.equal(t.format, 'ftrace');
      assert.equal(t.store.length, ref.store.length);
      const raws = t.warnings.filter(w => /without a decimal point/.test(w.message));
      assert.equal(raws.length, 1);
      assert.deepStrictEqual(t.warnings.filter(w => !raws.includes(w)), ref.warnings);
      for (let i = 0; i < t.store.length; i += 101) {
        assert.equal(t.store.ts[i], Math.round(ref.store.ts[i] * 1e6));
        assert.equal(t.store.pfn[i], ref.store.pfn[i]);
        assert.equal(t.store.name[i], ref.store.name[i]);
      }
    }
    // and with no header to tell the format: the event lines themselves do
    const bare = importTraceText(counter.filter(l => !l.startsWith('#')).join('\n'));
    assert.equal(bare.format, 'ftrace');
    assert.equal(bare.store.length, ref.store.length);
  });

  it('function tracer lines among the events are kept and counted as `function` events, not warned about', () => {
    const t = importTraceText([
      '# tracer: function',
      '              dd-171     [001] d..1.     4.126100: rmqueue_bulk <-rmqueue',
      '              dd-171     [001] d..1.     4.126101: free_pcppages_bulk+0x0/0x2e0 <-free_unref_page_commit',
      '              dd-171     [001] d..2.     4.126102: mm_page_alloc_zone_locked: page=fffff7a9c0a8c000 pfn=0x2a300 order=0 migratetype=1 percpu_refill=1',
      '              dd-171     [001] d..1.     4.126103: this is not a trace line',
    ].join('\n'));
    assert.equal(t.store.length, 3);
    assert.equal(t.byEvent.function, 2);
    assert.equal(t.store.eventName(0), 'function');
    assert.equal(t.store.textOf(1), 'free_pcppages_bulk+0x0/0x2e0 <-free_unref_page_commit');
    assert.equal(t.store.pfn[2], 0x2a300);
    assert.deepStrictEqual(t.warnings.map(w => w.line), [5]);
  });

  it('a trace-cmd trace.dat is read directly (its own tests: dat.test.ts)', function () {
    this.timeout(60000);
    assert.equal(importTrace(captureFile('drain', 'ftrace-raw').replace(/ftrace-raw-drain\.txt$/, 'trace-drain.dat')).store.length, 50040);
  });

  it('a file with no trace line in it is refused, not loaded empty', () => {
    assert.throws(() => importTraceText('just\nsome\ntext\n', 'notes.txt'), (e: unknown) => e instanceof TraceImportError && /no event line recognised/.test(e.message));
  });

  it('a line split across read chunks is read whole', () => {
    const { readLines } = require('../../../src/engine/trace/lineReader') as typeof import('../../../src/engine/trace/lineReader');
    const lines: string[] = [];
    const stats = readLines(captureFile('drain', 'ftrace-raw'), (s, a, b) => { if (lines.length < 2000) lines.push(s.slice(a, b)); }, 4096);
    assert.deepStrictEqual(lines, head.concat(fs.readFileSync(captureFile('drain', 'ftrace-raw'), 'latin1').split('\n').slice(300, 2000)));
    assert.equal(stats.bytes, fs.statSync(captureFile('drain', 'ftrace-raw')).size);
  });
});
