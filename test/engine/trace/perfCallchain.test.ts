// `perf record -g` then `perf script`: each sample's call chain follows its own event line
// (tab-indented `address symbol+offset (dso)` lines, then a blank line), with no
// `<stack trace>` entry of its own. The chain is the event's stack: a contention_begin's
// names the lock's taker as the raw trace's stacktrace trigger does.
import * as assert from 'assert';
import { importTraceText, replayImported, replayJson } from '../../../src/engine';

const PERF_G = [
  '              dd    11 [001]     1.000200:              kmem:mm_page_free: page=0xfffff1f240141000 pfn=0x5040 order=0',
  '\tffffffff98c50000 free_unref_page+0x10 ([kernel.kallsyms])',
  '\tffffffff98c50100 __folio_put+0x20 ([kernel.kallsyms])',
  '',
  '              dd    11 [001]     1.000300:         lock:contention_begin: 0xffff89e47fca8ad0 (flags=SPIN)',
  '\tffffffff98310791 trace_event_raw_event_contention_begin+0x81 ([kernel.kallsyms])',
  '\tffffffff98c5a904 native_queued_spin_lock_slowpath+0x1a4 ([kernel.kallsyms])',
  '\tffffffff98c5a000 _raw_spin_lock_irqsave+0x30 ([kernel.kallsyms])',
  '\tffffffff98c5a100 rmqueue_bulk+0x50 ([kernel.kallsyms])',
  '\tffffffff98c5a200 get_page_from_freelist+0x300 ([kernel.kallsyms])',
  '',
  '              dd    11 [001]     1.000400:           lock:contention_end: 0xffff89e47fca8ad0 (ret=0)',
  '\tffffffff98310800 trace_event_raw_event_contention_end+0x81 ([kernel.kallsyms])',
  '',
].join('\n') + '\n';

describe('perf script -g call chains', () => {
  it('are read as the stacks of the events they follow, without warnings', () => {
    const t = importTraceText(PERF_G, 'perf-g.txt');
    assert.equal(t.format, 'perf');
    assert.deepStrictEqual(t.warnings, []);
    assert.equal(t.store.length, 3);
    assert.equal(t.stackTraces, 3);
    const frames = (i: number) => (t.store.stacks.get(i) ?? []).map(id => t.store.strings.get(id));
    assert.deepStrictEqual(frames(0), ['free_unref_page', '__folio_put']);
    assert.deepStrictEqual(frames(1), ['trace_event_raw_event_contention_begin', 'native_queued_spin_lock_slowpath',
      '_raw_spin_lock_irqsave', 'rmqueue_bulk', 'get_page_from_freelist']);
  });

  it('name a contended lock by its taker, as the raw trace does', () => {
    const j = replayJson(replayImported(importTraceText(PERF_G, 'perf-g.txt')));
    assert.equal(j.locks.length, 1);
    assert.deepStrictEqual(j.locks[0].takenIn, ['rmqueue_bulk']);
    assert.match(j.locks[0].name, /zone->lock/);
  });
});
