// Item 5 of issue 7: simulated runs as ftrace text (read back by the importer to the same
// events) and as Chrome trace-event JSON; imported traces as Chrome JSON.
import * as assert from 'assert';
import * as path from 'path';
import { loadScenario, runScenario, runForExport, ftraceText, importTraceText, chromeTraceOfRun, chromeTraceOfReplay, replayImported, machineState, EV, TraceTimeline, CheckedProgram, MachineEvent, ChromeEvent } from '../../../src/engine';
import { REPO, imported, snapshotsOf } from './captures';

function program(name: string): CheckedProgram {
  const r = loadScenario(path.join(REPO, 'examples', name));
  assert.ok(r.program, r.diagnostics.map(d => d.message).join('\n'));
  return r.program!;
}

/** A schedule on which the scenario reports a finding (seeded random runs, as check does). */
function findingSchedule(p: CheckedProgram): string {
  for (let seed = 1; seed < 200; seed++) {
    const r = runScenario(p, { strategy: 'random', seed, stopOnFinding: true });
    if (r.findings.length) return r.machine.schedule();
  }
  throw new Error('no finding');
}

/** The kernel event each machine event should come back as. */
function expected(events: MachineEvent[]): { cpu: number; name: string; pfn?: number; order?: number; mt?: number; refill?: number }[] {
  const out: { cpu: number; name: string; pfn?: number; order?: number; mt?: number; refill?: number }[] = [];
  for (const e of events) {
    const f = e.fields ?? {};
    if (e.kind === 'trace' && e.name.startsWith('mm_page')) {
      out.push({ cpu: e.cpu, name: e.name, pfn: Number(f.pfn), order: e.name === 'mm_page_free_batched' ? 0 : Number(f.order),
        mt: f.migratetype === undefined ? undefined : Number(f.migratetype), refill: f.percpu_refill === undefined ? undefined : Number(f.percpu_refill) });
    } else if (e.kind === 'irq-entry') out.push({ cpu: e.cpu, name: 'irq_handler_entry' });
    else if (e.kind === 'irq-exit') out.push({ cpu: e.cpu, name: 'irq_handler_exit' });
    else if (e.kind === 'lock-contended') out.push({ cpu: e.cpu, name: 'contention_begin' });
    else if (e.kind === 'finding') out.push({ cpu: e.cpu, name: 'tracing_mark_write' });
  }
  return out;
}

describe('export: ftrace text of a simulated run', () => {
  for (const [scenario, how] of [['irq-alloc-smp-v6.1.lockstep', 'roundrobin'], ['trim-at-high-v6.1.lockstep', 'roundrobin'], ['b1-up-drain-irq-v6.2.lockstep', 'finding']] as const) {
    it(`${scenario}: the importer reads back the run's events, fields and CPUs (round trip)`, () => {
      const p = program(scenario);
      const schedule = how === 'finding' ? findingSchedule(p) : runScenario(p).machine.schedule();
      const { run } = runForExport(p, schedule);
      const m = run.machine;
      const text = ftraceText(m);
      assert.match(text, /^# tracer: nop\n/);
      const t = importTraceText(text, 'export.txt');
      assert.equal(t.format, 'ftrace');
      assert.deepStrictEqual(t.warnings, []);
      const want = expected(m.events);
      assert.ok(want.filter(w => w.name.startsWith('mm_page')).length >= 2, 'the run logs page events');
      const st = t.store;
      const got: typeof want = [];
      const interesting = new Set(['mm_page_alloc', 'mm_page_free', 'mm_page_free_batched', 'mm_page_pcpu_drain', 'mm_page_alloc_zone_locked', 'irq_handler_entry', 'irq_handler_exit', 'contention_begin', 'tracing_mark_write']);
      for (let i = 0; i < st.length; i++) {
        const name = st.eventName(i);
        if (!interesting.has(name)) continue;
        if (name === 'tracing_mark_write' && !st.textOf(i).startsWith('FINDING ')) continue;
        const g: (typeof want)[number] = { cpu: st.cpu[i], name };
        if (name.startsWith('mm_page')) {
          g.pfn = st.pfn[i]; g.order = st.order[i];
          g.mt = name === 'mm_page_free' || name === 'mm_page_free_batched' ? undefined : st.mt[i];
          g.refill = name === 'mm_page_alloc_zone_locked' ? st.x[i] : undefined;
        }
        got.push(g);
      }
      assert.deepStrictEqual(got, want);
      if (how === 'finding') {
        assert.ok(m.findings.length > 0);
        const marks = [];
        for (let i = 0; i < st.length; i++) if (st.name[i] === EV.tracing_mark_write) marks.push(st.textOf(i));
        assert.ok(marks.includes(`FINDING ${m.findings[0].kind}`), marks.join(', '));
      }
    });
  }

  it('the flags column says what the CPU was doing: irqs off (d), hardirq (h), the preempt depth, as the importer reads them back', () => {
    const p = program('irq-alloc-smp-v6.1.lockstep');
    const { run } = runForExport(p, runScenario(p).machine.schedule());
    const m = run.machine;
    const t = importTraceText(ftraceText(m), 'export.txt');
    const st = t.store;
    const pages = m.events.filter(e => e.kind === 'trace' && e.name.startsWith('mm_page'));
    const back: number[] = [];
    for (let i = 0; i < st.length; i++) if (st.eventName(i).startsWith('mm_page')) back.push(i);
    assert.equal(back.length, pages.length);
    const tl = new TraceTimeline(replayImported(t, [], undefined, 64));
    let off = 0, preempted = 0;
    pages.forEach((e, k) => {
      const ev = tl.event(back[k]);
      assert.equal(ev.irqsOff, e.irqsOff || e.context === 'hardirq', `${e.name} at step ${e.step} on CPU ${e.cpu}`);
      assert.equal(ev.preempt, Math.min(e.preempt ?? 0, 15), `${e.name} at step ${e.step}`);
      assert.equal(ev.context, e.context === 'hardirq' ? 'hardirq' : 'task');
      if (ev.irqsOff) off++;
      if (ev.preempt) preempted++;
    });
    assert.ok(off > 0 && preempted > 0, 'some page events happen with IRQs off, some with preemption disabled');
  });

  it('each lock_release names the address and lock its lock_acquire named (per-CPU pcp->lock of a remote drain)', () => {
    const p = program('remote-drain-4cpus-v6.19.lockstep');
    const { run } = runForExport(p, runScenario(p).machine.schedule());
    const t = importTraceText(ftraceText(run.machine), 'export.txt');
    const st = t.store;
    const held = new Map<string, string[]>();   // CPU/pid -> addresses taken, innermost last
    let releases = 0;
    const pcpLocks = new Set<string>();
    for (let i = 0; i < st.length; i++) {
      const name = st.eventName(i), who = `${st.cpu[i]}/${st.pid[i]}`;
      const m = /^([0-9a-f]+) (?:try )?(.*)$/.exec(st.textOf(i));
      if (name === 'lock_acquire') {
        held.set(who, [...(held.get(who) ?? []), m![1]]);
        if (/^pcp->lock cpu \d+$/.test(m![2])) pcpLocks.add(m![1]);
      }
      if (name === 'lock_release') {
        releases++;
        const l = held.get(who) ?? [];
        const k = l.lastIndexOf(m![1]);
        assert.ok(k >= 0, `line ${st.line[i]}: lock_release ${st.textOf(i)} of a lock this CPU did not take (held: ${l.join(', ')})`);
        l.splice(k, 1);
      }
    }
    assert.ok(releases >= 4, 'the run releases locks');
    assert.ok(pcpLocks.size >= 2, 'each CPU\'s pcp->lock has its own address');
  });
});

describe('export: Chrome trace-event JSON', () => {
  it('a run that stops holding locks (a deadlock): the still-open holds are slices on the CPU that took them', () => {
    const p = program('b5-zone-lock-irqs-on-edited-v2.lockstep');
    let open = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { run, counts } = runForExport(p, runScenario(p, { strategy: 'random', seed }).machine.schedule());
      const c = chromeTraceOfRun(run.machine, 'b5', counts);
      const tracks = new Set(c.traceEvents.filter(e => e.ph === 'M' && e.name === 'thread_name').map(e => e.tid));
      for (const e of c.traceEvents.filter(x => x.ph === 'X')) {
        assert.ok(typeof e.tid === 'number' && tracks.has(e.tid), `seed ${seed}: ${JSON.stringify(e)}`);
        if (e.args?.open) open++;
      }
    }
    assert.ok(open > 0, 'some run stops holding a lock');
  });

  it('a simulated run: a named track per CPU, lock-hold and IRQ slices, pcp counters ending at the final counts, findings', () => {
    const p = program('b1-up-drain-irq-v6.2.lockstep');
    const x = runForExport(p, findingSchedule(p));
    const j = JSON.parse(JSON.stringify(chromeTraceOfRun(x.run.machine, 'b1', x.counts))) as { traceEvents: ChromeEvent[] };
    const ev = j.traceEvents;
    const m = x.run.machine;
    const threads = ev.filter(e => e.ph === 'M' && e.name === 'thread_name').map(e => (e.args as { name: string }).name);
    assert.deepStrictEqual(threads, m.cpus.map(c => `CPU ${c.id}`));
    const holds = ev.filter(e => e.ph === 'X' && e.cat === 'lock');
    assert.ok(holds.some(h => /pcp->lock/.test(h.name)), holds.map(h => h.name).join(', '));
    for (const h of holds) assert.ok((h.dur ?? 0) > 0 && (h.ts ?? -1) >= 0);
    assert.ok(ev.some(e => e.ph === 'X' && e.cat === 'irq'));
    const finding = ev.filter(e => e.ph === 'i' && e.cat === 'finding');
    assert.equal(finding.length, m.findings.length);
    assert.match(finding[0].name, /^mutual-exclusion: /);
    // the last counter sample of each pcp is the run's final count
    const st = machineState(m);
    for (const z of st.zones) for (const pc of z.pcp) {
      const samples = ev.filter(e => e.ph === 'C' && e.name === `pcp ${z.name} CPU ${pc.cpu}`);
      assert.ok(samples.length > 0);
      assert.equal((samples[samples.length - 1].args as { count: number }).count, pc.count);
    }
  });

  it('an imported capture: CPU tracks, contention and IRQ slices, pcp counters, snapshot findings', function () {
    this.timeout(60000);
    const snaps = snapshotsOf('drain');
    const r = replayImported(imported('drain', 'ftrace-raw'), snaps.map(s => ({ label: s.label, info: s.info })));
    const ev = chromeTraceOfReplay(r).traceEvents;
    assert.deepStrictEqual(ev.filter(e => e.name === 'thread_name').map(e => e.tid), [0, 1, 2, 3]);
    assert.equal(ev.filter(e => e.ph === 'X' && e.cat === 'lock').length, r.rec.lockIntervals.length);
    assert.equal(ev.filter(e => e.ph === 'X' && (e.cat === 'irq' || e.cat === 'softirq')).length, r.rec.irqIntervals.length);
    let moves = 0;
    for (let i = 0; i < r.rec.pcpOf.length; i++) if (r.rec.pcpOf[i] >= 0) moves++;
    assert.equal(ev.filter(e => e.ph === 'C').length, moves);
    const snapEvents = ev.filter(e => e.ph === 'i' && /^SNAPSHOT /.test(e.name) && e.s === 'g');
    assert.equal(snapEvents.length, snaps.length - 1);
    for (const e of ev) if (e.ph !== 'M') assert.ok(Number.isFinite(e.ts), JSON.stringify(e));
  });
});
