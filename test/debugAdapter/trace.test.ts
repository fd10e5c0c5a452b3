// Item 4 of issue 7: the debugger on a real kernel trace (launch attribute `trace`), over
// stdio against dist/debugAdapter.js: CPUs seen are the threads, events the steps; stepping
// per CPU, globally and backwards; breakpoints on event kinds (a refill on CPU 2, contention
// on a lock) and the drain filter; the rebuilt pcp lists as variables; zoneinfo beside them
// at a snapshot.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugClient as DebugClientClass } from '@vscode/debugadapter-testsupport';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient, launch, move, frames, scope, byName, children, failure, initialize, ROOT, ADAPTER } from './dap';

const DRAIN = path.resolve(ROOT, '..', 'shared', 'data', 'kernel-traces', 'drain');
const TRACE = path.join(DRAIN, 'ftrace-raw-drain.txt');
// (grep -n '\[000\].*mm_page_pcpu_drain' ftrace-raw-drain.txt: lines 11223, 11224, 11225, ...)
const THIRD_DRAIN_ON_CPU0 = 11225;

describe('debug adapter: replaying a kernel trace', function () {
  this.timeout(60000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('opening a trace shows progress (reading, then rebuilding the lists) to a client that takes it, and none to one that does not', async () => {
    const open = async (progress: boolean) => {
      // (every report, not one per 100 ms: a fast machine opens this trace in less)
      const c = new DebugClientClass('node', ADAPTER, 'lockstep', { env: { ...process.env, LOCKSTEP_PROGRESS_MS: '0' } });
      c.defaultTimeout = 15000;
      await c.start();
      const seen: DebugProtocol.Event[] = [];
      for (const e of ['progressStart', 'progressUpdate', 'progressEnd']) c.on(e, ev => seen.push(ev as DebugProtocol.Event));
      try {
        await c.initializeRequest({ adapterID: 'lockstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsProgressReporting: progress });
        await Promise.all([c.launchRequest({ trace: TRACE } as DebugProtocol.LaunchRequestArguments), c.waitForEvent('initialized')]);
      } finally { await c.stop(); }
      return seen;
    };
    const seen = await open(true);
    assert.equal(seen[0].event, 'progressStart');
    assert.match(seen[0].body.title, /opening the kernel trace/);
    assert.equal(seen[seen.length - 1].event, 'progressEnd');
    const updates = seen.filter(e => e.event === 'progressUpdate');
    assert.ok(updates.some(u => u.body.message === 'reading the trace') && updates.some(u => u.body.message === 'rebuilding the per-CPU lists'));
    const pct = updates.map(u => u.body.percentage as number);
    for (let k = 1; k < pct.length; k++) assert.ok(pct[k] >= pct[k - 1] && pct[k] <= 100, `percentages ${pct.join(' ')}`);
    assert.ok(new Set(seen.map(e => e.body.progressId)).size === 1);
    assert.deepEqual(await open(false), []);
  });

  it('CPUs seen are the threads; stepping per CPU, globally and backwards moves through the events', async () => {
    const entry = await launch(dc, { trace: TRACE });
    assert.equal(entry.body.reason, 'entry');
    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(threads.map(t => t.name), ['CPU 0', 'CPU 1', 'CPU 2', 'CPU 3']);
    // the trace's first event: tracing_mark_write on CPU 2 (line 13 of the file)
    let s = await move(dc, () => dc.stepInRequest({ threadId: 1, singleThread: false }));
    assert.equal(s.body.threadId, 3);
    let f = await frames(dc, 3);
    assert.equal(f[0].name, 'tracing_mark_write: SCENARIO drain begin');
    assert.equal(f[0].file, 'ftrace-raw-drain.txt');
    assert.equal(f[0].line, 13);
    assert.equal(f[f.length - 1].name, 'init-1');
    // next on CPU 1 (thread 2): that CPU's first event, whatever the others did before
    s = await move(dc, () => dc.nextRequest({ threadId: 2 }));
    assert.equal(s.body.threadId, 2);
    f = await frames(dc, 2);
    assert.match(f[0].name, /^\w+: /);
    const line1 = f[0].line;
    s = await move(dc, () => dc.nextRequest({ threadId: 2 }));
    const line2 = (await frames(dc, 2))[0].line;
    assert.ok(line2 > line1);
    // and back
    s = await move(dc, () => dc.stepBackRequest({ threadId: 2 }));
    assert.equal((await frames(dc, 2))[0].line, line1);
  });

  it('stepIn and next advance only the selected CPU; singleThread false or the step-in target "any CPU" go in trace order', async () => {
    await launch(dc, { trace: TRACE });
    // the trace's first event is CPU 2's: stepping in on CPU 0 (thread 1) stays on CPU 0
    let s = await move(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.equal(s.body.threadId, 1);
    const first0 = (await frames(dc, 1))[0].line;
    assert.ok(first0 > 13, `CPU 0's first event is after the trace's first (line ${first0})`);
    s = await move(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.equal(s.body.threadId, 1);
    assert.ok((await frames(dc, 1))[0].line > first0);
    // the targets VS Code's "Step Into Target" offers
    const targets = (await dc.customRequest('stepInTargets', { frameId: (await frames(dc, 1))[0].id })).body.targets as { id: number; label: string }[];
    assert.deepEqual(targets.map(t => t.label), ['Next event of CPU 0', 'Next event of any CPU (trace order)']);
    // (waiting for the stop before asking: it may come in the response's own chunk)
    await move(dc, () => dc.customRequest('restart', {}));
    s = await move(dc, () => dc.stepInRequest({ threadId: 1, targetId: targets[1].id }));
    assert.equal(s.body.threadId, 3);
    assert.equal((await frames(dc, 3))[0].line, 13);
    s = await move(dc, () => dc.nextRequest({ threadId: 3, singleThread: false }));
    const second = (await frames(dc, s.body.threadId!))[0].line;
    assert.ok(second > 13);
    // back one event in trace order
    s = await move(dc, () => dc.stepBackRequest({ threadId: s.body.threadId!, singleThread: false }));
    assert.equal(s.body.threadId, 3);
    assert.equal((await frames(dc, 3))[0].line, 13);
  });

  it('a trace\'s debugger announces its step-in targets in a capabilities event (a scenario\'s has none)', async () => {
    const caps = dc.waitForEvent('capabilities');
    await launch(dc, { trace: TRACE });
    assert.equal((await caps).body.capabilities.supportsStepInTargetsRequest, true);
  });

  it('a function breakpoint on a refill on CPU 2 and on contention on tasklist_lock; reverse continue', async () => {
    const st = await launch(dc, { trace: TRACE }, { functionBreakpoints: ['refill cpu 2', 'contended tasklist_lock', 'nonsense words here'] });
    assert.equal(st.body.reason, 'entry');
    let s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'function breakpoint');
    assert.equal(s.body.threadId, 3);
    let ev = await scope(dc, (await frames(dc, 3))[0].id, 'Event');
    assert.equal(byName(ev, 'name').value, 'mm_page_alloc_zone_locked');
    assert.equal(byName(ev, 'percpu_refill').value, '1');
    // keep going until the contention
    let guard = 0;
    do {
      s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
      ev = await scope(dc, (await frames(dc, s.body.threadId!))[0].id, 'Event');
    } while (byName(ev, 'name').value !== 'contention_begin' && ++guard < 2000);
    assert.equal(byName(ev, 'lock').value, 'tasklist_lock');
    const f = await frames(dc, s.body.threadId!);
    assert.ok(f.some(x => x.name === 'do_wait' || x.name === 'do_exit' || x.name === 'release_task'), f.map(x => x.name).join(' < '));
    const locks = await scope(dc, f[0].id, 'Locks');
    assert.ok(locks.some(v => v.name === 'tasklist_lock'));
    s = await move(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'function breakpoint');
  });

  it('the drain exception filter stops on mm_page_pcpu_drain with exceptionInfo', async () => {
    await launch(dc, { trace: TRACE }, { filters: ['drain'] });
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: s.body.threadId! });
    assert.equal(info.body.exceptionId, 'drain');
    assert.match(info.body.description!, /^mm_page_pcpu_drain: pfn=0x/);
  });

  it('a trace.dat: the same events, frames naming the record with no binary file to open, zoneinfo beside it found', async () => {
    await launch(dc, { trace: path.join(DRAIN, 'trace-drain.dat') });
    const tl = await dc.customRequest('lockstep/timeline');
    assert.equal(tl.body.steps, 50040);
    const s = await move(dc, () => dc.stepInRequest({ threadId: 1, singleThread: false }));
    const st = await dc.stackTraceRequest({ threadId: s.body.threadId! });
    const top = st.body.stackFrames[0];
    assert.equal(top.name, 'tracing_mark_write: SCENARIO drain begin');
    // no path to a binary file: the records as text, through the `source` request
    assert.equal(top.source?.path, undefined);
    assert.ok(top.source?.sourceReference);
    const text = (await dc.customRequest('source', { source: top.source, sourceReference: top.source!.sourceReference })).body.content as string;
    const lines = text.split('\n');
    assert.match(lines[top.line - 1], /init-1 +\[002\] +4\.035650: tracing_mark_write: SCENARIO drain begin$/);
    assert.ok(lines.length >= 50040);
    assert.ok(lines.some(l => /mm_page_pcpu_drain: pfn=0x[0-9a-f]+ order=0 migratetype=\d/.test(l)));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tracing_mark_write' }] });
    let names: string[] = [];
    for (let k = 0; k < 40 && !names.some(n => n.startsWith('Zoneinfo (')); k++) {
      const m = await move(dc, () => dc.continueRequest({ threadId: 1 }));
      const f = await dc.stackTraceRequest({ threadId: m.body.threadId! });
      names = (await dc.scopesRequest({ frameId: f.body.stackFrames[0].id })).body.scopes.map(x => x.name);
    }
    assert.ok(names.some(n => /^Zoneinfo \(/.test(n)), names.join(', '));
  });

  it('the rebuilt pcp lists as variables, and zoneinfo values beside them at a snapshot', async () => {
    await launch(dc, { trace: TRACE });
    const tl = await dc.customRequest('lockstep/timeline');
    assert.equal(tl.body.cpus.length, 4);
    assert.equal(tl.body.steps, 50040);
    assert.ok(tl.body.intervals.some((i: { kind: string; name: string }) => i.kind === 'lock' && /tasklist_lock/.test(i.name)));
    // stop at each marker write until the end marker of SNAPSHOT before-hotplug
    let s;
    const markers: number[] = [];
    const text = require('fs').readFileSync(TRACE, 'latin1').split('\n') as string[];
    text.forEach((l: string, k: number) => { if (/SNAPSHOT before-hotplug end/.test(l)) markers.push(k + 1); });
    assert.equal(markers.length, 1);
    // events are lines minus the header and stack lines: find the event index through a search
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tracing_mark_write' }] });
    let found = false;
    for (let k = 0; k < 40 && !found; k++) {
      s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
      const f = await frames(dc, s.body.threadId!);
      if (f[0].line === markers[0]) {
        found = true;
        const sc = await dc.scopesRequest({ frameId: f[0].id });
        const z = sc.body.scopes.find(x => x.name === 'Zoneinfo (before-hotplug)');
        assert.ok(z, sc.body.scopes.map(x => x.name).join(', '));
        const zv = (await dc.variablesRequest({ variablesReference: z.variablesReference })).body.variables;
        const dma32 = byName(zv, 'DMA32');
        assert.match(dma32.value, /^count \d+, high 3464, batch 63 \(rebuilt \d+\)$/);
        // and how it compared: every pcp of this snapshot is within its window
        assert.match(byName(await children(dc, dma32), 'compared').value, /^within the rebuilt \d+\.\.\d+ between the markers$/);
        const pcp = await scope(dc, f[0].id, 'Per-CPU lists');
        const rebuilt = byName(pcp, 'DMA32');
        const fields = await children(dc, rebuilt);
        const count = Number(byName(fields, 'count').value);
        assert.equal(count, Number(/rebuilt (\d+)/.exec(dma32.value)![1]));
        assert.equal(Number(byName(fields, 'pages identified').value) + Number(byName(fields, 'pages not identified').value), count);
        const list = fields.find(v => v.name.startsWith('lists['));
        assert.ok(list && list.indexedVariables! > 0);
        const page = await children(dc, list, 0, 2);
        assert.equal(page.length, Math.min(2, list.indexedVariables!));
        assert.match(page[0].value, /^pfn 0x[0-9a-f]+$/);
      }
    }
    assert.ok(found, 'stopped at the before-hotplug end marker');
  });

  it('breakpoints on lines of the trace file: a comment line moves to the next event; continue and reverse continue stop there', async () => {
    await launch(dc, { trace: TRACE });
    const set = await dc.setBreakpointsRequest({ source: { path: TRACE }, breakpoints: [{ line: 5 }, { line: 11223 }, { line: 999999 }, { line: 11224, condition: 'x' }] });
    assert.deepEqual(set.body.breakpoints.map(b => [b.verified, b.line]), [[true, 13], [true, 11223], [false, 999999], [false, 11224]]);
    const locs = await dc.customRequest('breakpointLocations', { source: { path: TRACE }, line: 1, endLine: 14 });
    assert.deepEqual(locs.body.breakpoints, [{ line: 13 }, { line: 14 }]);
    let s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.equal((await frames(dc, s.body.threadId!))[0].line, 13);
    s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    const f = await frames(dc, s.body.threadId!);
    assert.deepEqual([f[0].line, f[0].name.split(':')[0], s.body.threadId], [11223, 'mm_page_pcpu_drain', 1]);
    s = await move(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal((await frames(dc, s.body.threadId!))[0].line, 13);
    // Jump to Cursor: the event on that line
    const targets = (await dc.gotoTargetsRequest({ source: { path: TRACE }, line: 11224 })).body.targets;
    assert.deepEqual(targets.map(t => [t.line, t.label.replace(/^event \d+: /, '')]), [[11224, 'mm_page_pcpu_drain on CPU 0']]);
    s = await move(dc, () => dc.gotoRequest({ threadId: 1, targetId: targets[0].id }));
    assert.equal((await frames(dc, s.body.threadId!))[0].line, 11224);
    // another file's lines are not the trace's
    const other = await dc.setBreakpointsRequest({ source: { path: path.join(DRAIN, 'README.md') }, breakpoints: [{ line: 3 }] });
    assert.equal(other.body.breakpoints[0].verified, false);
  });

  it('a function breakpoint with a condition (more fields, == and && allowed) and a hit condition', async () => {
    const st = await launch(dc, { trace: TRACE }, { functionBreakpoints: [
      { name: 'mm_page_pcpu_drain', condition: 'cpu == 0 && order == 0', hitCondition: '3' },
      { name: 'mm_page_alloc', hitCondition: 'every other' },
    ] });
    assert.equal(st.body.reason, 'entry');
    let s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'function breakpoint');
    assert.equal((await frames(dc, 1))[0].line, THIRD_DRAIN_ON_CPU0);
    s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /end of the trace/, 'the third only');
    const bad = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'mm_page_alloc', hitCondition: 'every other' }, { name: 'drain', hitCondition: '% 1000' }] });
    assert.deepEqual(bad.body.breakpoints.map(b => b.verified), [false, true]);
    assert.match(bad.body.breakpoints[0].message ?? '', /expected N, == N, >= N, > N or % N/);
  });

  it('a data breakpoint on a pcp count stops on each event that moves it, and says to what', async () => {
    await launch(dc, { trace: TRACE });
    let s = await move(dc, () => dc.stepInRequest({ threadId: 1, singleThread: false }));
    const top = (await frames(dc, 2))[0];
    const sc = (await dc.scopesRequest({ frameId: top.id })).body.scopes.find(x => x.name === 'Per-CPU lists')!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: sc.variablesReference, name: 'DMA32' });
    assert.equal(info.body.dataId, 'pcp:1:DMA32');
    assert.deepEqual(info.body.accessTypes, ['write']);
    // the zone's own `count` is the same count
    const zone = byName((await dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables, 'DMA32');
    assert.equal((await dc.dataBreakpointInfoRequest({ variablesReference: zone.variablesReference, name: 'count' })).body.dataId, 'pcp:1:DMA32');
    assert.equal((await dc.dataBreakpointInfoRequest({ variablesReference: zone.variablesReference, name: 'high' })).body.dataId, null);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }, { dataId: 'pcp:9:Nowhere' }] });
    assert.deepEqual(set.body.breakpoints.map(b => b.verified), [true, false]);
    const countOf = async (threadId: number) => {
      const f = (await frames(dc, threadId))[0];
      const lists = await scope(dc, f.id, 'Per-CPU lists');
      return Number(byName(await children(dc, byName(lists, 'DMA32')), 'count').value);
    };
    let before = await countOf(2);
    for (let k = 0; k < 3; k++) {
      s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(s.body.reason, 'data breakpoint');
      assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
      const now = await countOf(2);
      assert.notEqual(now, before, 'the count moved');
      assert.match(s.body.description ?? '', new RegExp(`CPU 1 DMA32 pcp count is now ${now}`));
      before = now;
    }
  });

  it('evaluate: the pcp of the frame\'s CPU or another, one field per zone, one zone\'s list', async () => {
    await launch(dc, { trace: TRACE });
    await move(dc, () => dc.stepInRequest({ threadId: 1, singleThread: false }));
    const f = (await frames(dc, 2))[0];
    const ev = async (expression: string) => (await dc.evaluateRequest({ expression, frameId: f.id, context: 'watch' })).body;
    const lists = await scope(dc, f.id, 'Per-CPU lists');
    const dma32 = byName(await children(dc, byName(lists, 'DMA32')), 'count').value;
    assert.equal((await ev('pcp->count')).result, `DMA: ${byName(await children(dc, byName(lists, 'DMA')), 'count').value}, DMA32: ${dma32}`);
    assert.match((await ev('DMA32')).result, new RegExp(`^CPU 1 DMA32: count ${dma32}, high \\d+, batch \\d+$`));
    const other = await ev('pcp[3].DMA32');
    assert.match(other.result, /^CPU 3 DMA32: count \d+/);
    assert.ok(other.variablesReference > 0);
    assert.match((await ev('cpu 0 pcp')).result, /^DMA: count \d+, DMA32: count \d+$/);
    // the Kernel C spelling of interfaces.md
    assert.equal((await ev('per_cpu_ptr(zone->per_cpu_pageset, 3)->count')).result, (await ev('pcp[3]->count')).result);
    assert.equal((await ev('this_cpu_ptr(zone->per_cpu_pageset)->batch')).result, (await ev('pcp->batch')).result);
    assert.equal((await ev('per_cpu_ptr(DMA32->per_cpu_pageset, 3)')).result, other.result);
    const bad = await dc.evaluateRequest({ expression: 'pcp->nonsense', frameId: f.id }).catch((e: Error) => e);
    assert.ok(bad instanceof Error && /count, high, batch/.test(bad.message), String(bad));
  });

  it('a trace whose ring buffer lost events says where, in the debug console and the Trace scope', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lost-')), 'pipe.txt');
    fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lost-events', 'pipe.txt.gz'))));
    const said = dc.waitForEvent('output').then(function wait(e): Promise<DebugProtocol.Event> | DebugProtocol.Event {
      return /lost/.test(e.body.output) ? e : dc.waitForEvent('output').then(wait);
    });
    await launch(dc, { trace: file });
    assert.match((await said).body.output, /pipe\.txt:101: CPU 0 lost 851 events \(ring buffer full\)/);
    const s = await move(dc, () => dc.stepInRequest({ threadId: 1, singleThread: false }));
    const f = await frames(dc, s.body.threadId!);
    assert.equal(byName(await scope(dc, f[0].id, 'Trace'), 'lost events').value, 'CPU 0: 851 at line 101');
  });

  it('a gzip-compressed trace: the frames point into its decompressed copy, where the event\'s line is', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-gz-'));
    const gz = path.join(dir, 'ftrace-raw-drain.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(TRACE)));
    const said = dc.waitForEvent('output').then(function wait(e): Promise<DebugProtocol.Event> | DebugProtocol.Event {
      return /decompressed to/.test(e.body.output) ? e : dc.waitForEvent('output').then(wait);
    });
    await launch(dc, { trace: gz });
    assert.match((await said).body.output, /ftrace-raw-drain\.txt\.gz \(decompressed to .*ftrace-raw-drain\.txt\): ftrace text, 50040 events/);
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    const top = (await dc.stackTraceRequest({ threadId: s.body.threadId! })).body.stackFrames[0];
    const copy = top.source!.path!;
    assert.notEqual(copy, gz);
    assert.match(fs.readFileSync(copy, 'latin1').split('\n')[top.line - 1], new RegExp(top.name.split(':')[0]));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stepOut leaves the interrupt the CPU is in (hardirq inside a softirq: one level at a time); in task context it is the next event, said so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-nest-'));
    const file = path.join(dir, 'nest.txt');
    const L = (flags: string, ts: string, ev: string) => `              dd-11      [003] ${flags}     1.000${ts}: ${ev}`;
    fs.writeFileSync(file, ['# tracer: nop', '#',
      L('.....', '200', 'mm_page_free: page=fffff1f240141000 pfn=0x5040 order=0'),          // line 3
      L('..s1.', '300', 'softirq_entry: vec=3 [action=NET_RX]'),                           // 4
      L('d.H2.', '310', 'irq_handler_entry: irq=24 name=nvme0q1'),                         // 5
      L('d.H2.', '311', 'mm_page_alloc: page=fffff1f240141000 pfn=0x5040 order=0 migratetype=0 gfp_flags=GFP_ATOMIC'), // 6
      L('d.H2.', '312', 'mm_page_free: page=fffff1f240141000 pfn=0x5040 order=0'),          // 7
      L('d.H2.', '320', 'irq_handler_exit: irq=24 ret=handled'),                           // 8
      L('..s1.', '330', 'mm_page_alloc: page=fffff1f240141000 pfn=0x5040 order=0 migratetype=0 gfp_flags=GFP_ATOMIC'), // 9
      L('..s1.', '400', 'softirq_exit: vec=3 [action=NET_RX]'),                            // 10
      L('.....', '500', 'mm_page_free: page=fffff1f240141000 pfn=0x5040 order=0'),          // 11
    ].join('\n') + '\n');
    await launch(dc, { trace: file }, { breakpoints: [{ file, lines: [6] }] });
    let s = await move(dc, () => dc.continueRequest({ threadId: 4 }));
    assert.equal((await frames(dc, 4))[0].line, 6);
    assert.deepEqual((await frames(dc, 4)).slice(1).map(f => f.name), ['<hardirq> irq 24 nvme0q1', '<softirq> softirq NET_RX', 'dd-11']);
    s = await move(dc, () => dc.stepOutRequest({ threadId: 4 }));
    assert.equal((await frames(dc, 4))[0].line, 8);
    assert.match(s.body.description!, /out of its interrupt/);
    s = await move(dc, () => dc.stepOutRequest({ threadId: 4 }));
    assert.equal((await frames(dc, 4))[0].line, 10);
    s = await move(dc, () => dc.stepOutRequest({ threadId: 4 }));
    assert.equal((await frames(dc, 4))[0].line, 11);
    assert.match(s.body.description!, /next event of CPU 3 \(not in an interrupt\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing trace file is a clear launch error', async () => {
    await initialize(dc);
    assert.match(await failure(dc.launch({ trace: path.join(DRAIN, 'nope.txt') })), /cannot read the kernel trace .*nope\.txt/);
  });

  it('a directory or a binary file given as the trace: a clear launch error, and the adapter still answers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-notrace-'));
    await initialize(dc);
    const said = await failure(dc.launch({ trace: dir }));
    assert.doesNotMatch(said, /internal error/);
    assert.match(said, /a directory, not a trace file/);
    assert.deepEqual((await dc.threadsRequest()).body.threads, []);
    const bin = path.join(dir, 'bin.txt');
    fs.writeFileSync(bin, Buffer.from([0, 1, 2, 3, 10, 0xff, 0xfe, 10]));
    const c2 = await startClient();
    try {
      await initialize(c2);
      assert.match(await failure(c2.launch({ trace: bin })), /bin\.txt.*not a raw ftrace, trace-cmd report or perf script text/);
      assert.deepEqual((await c2.threadsRequest()).body.threads, []);
    } finally { await c2.stop(); }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a trace without events (its header only) is a clear launch error, not an empty session', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-empty-'));
    const file = path.join(dir, 'header-only.txt');
    fs.writeFileSync(file, '# tracer: nop\n#\n');
    await initialize(dc);
    assert.match(await failure(dc.launch({ trace: file })), /header-only\.txt: no events to step through \(2 lines\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
