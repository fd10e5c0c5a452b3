// Item 3 of issue 6: threads are CPUs (threaded handlers on PREEMPT_RT are their own
// threads) named by what runs there; an interrupt's frames sit above the interrupted
// task's, with a <hardirq> label frame between; scopes Locals, CPU, Per-CPU lists, Zone,
// Locks, Findings; big lists paged; locks show holder, where taken, waiters, lockdep.
// The B1 stop is compared with a golden file (LOCKSTEP_UPDATE_GOLDEN=1 rewrites it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient, launch, example, fixture, frames, scope, children, byName, move, stepIn, ROOT } from './dap';

const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'debugAdapter', 'golden');

function golden(name: string, actual: unknown): void {
  const file = path.join(GOLDEN, name);
  // paths relative to the repository, so the file reads the same in every clone
  const text = `${JSON.stringify(actual, null, 2)}\n`.split(`${ROOT}${path.sep}`).join('');
  if (process.env.LOCKSTEP_UPDATE_GOLDEN || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
  }
  assert.equal(text, fs.readFileSync(file, 'utf8'), `${name} differs from the golden file (LOCKSTEP_UPDATE_GOLDEN=1 to accept)`);
}

async function tree(dc: DebugClient, vars: DebugProtocol.Variable[], depth: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const v of vars) {
    if (depth > 0 && v.variablesReference > 0) out.push({ [v.name]: v.value, children: await tree(dc, await children(dc, v), depth - 1) });
    else out.push({ [v.name]: v.value });
  }
  return out;
}

describe('debug adapter: threads, stacks, scopes, variables', () => {
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('one thread per CPU, named by what runs there', async () => {
    await launch(dc, { scenario: example('remote-drain-4cpus-v6.19.lockstep') });
    const t = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(t.map(x => x.id), [1, 2, 3, 4]);
    assert.deepEqual(t.map(x => x.name), ['CPU 0 — task in task cpu 0', 'CPU 1 — task in task cpu 1', 'CPU 2 — task in task cpu 2', 'CPU 3 — task in task cpu 3']);
    await stepIn(dc, 4, 2);
    const t2 = (await dc.threadsRequest()).body.threads;
    assert.equal(t2[3].name, 'CPU 3 — task in drain_all_pages');
  });

  it('B1 at the interrupt: hardirq frames above a <hardirq> label above the drain (golden)', async () => {
    await launch(dc, { scenario: example('b1-up-drain-irq-v6.2.lockstep'), schedule: 'c0*289,i0,c0*23' });
    const s = await move(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'exception');
    const f = await frames(dc, 1);
    const labels = f.filter(x => x.label).map(x => x.name);
    assert.deepEqual(labels, ['<hardirq>']);
    const at = f.findIndex(x => x.label);
    assert.equal(f[at - 1].name, 'irq cpu 0', 'the handler block is the bottom of the interrupt frames');
    assert.equal(f[at + 1].name, 'free_pcppages_bulk', 'the interrupted drain is below the label');
    assert.equal(f[f.length - 1].name, 'task cpu 0');
    const threads = (await dc.threadsRequest()).body.threads;
    const scopes = (await dc.scopesRequest({ frameId: f[0].id })).body.scopes.map(x => x.name);
    assert.deepEqual(scopes, ['Locals', 'CPU', 'Per-CPU lists', 'Zone', 'Locks', 'Findings']);
    golden('b1-at-finding.json', {
      stopped: { reason: s.body.reason, text: s.body.text, description: s.body.description },
      threads: threads.map(x => x.name),
      stack: f.map(({ id: _id, ...rest }) => rest),
      cpu: await tree(dc, await scope(dc, f[0].id, 'CPU'), 1),
      locks: await tree(dc, (await scope(dc, f[0].id, 'Locks')).slice(0, 1), 2),
      findings: await tree(dc, await scope(dc, f[0].id, 'Findings'), 1),
    });
  });

  it('PREEMPT_RT: the threaded handler is its own thread with its own stack', async () => {
    await launch(dc, { scenario: fixture('rt-irq-thread.lockstep') });
    await move(dc, () => dc.customRequest('lockstep/deliverInterrupt', { cpu: 0 }));
    const t = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(t.map(x => x.name.split(' — ')[0]), ['CPU 0', 'CPU 0 irq/0-0']);
    const irqThread = t[1].id;
    const f = await frames(dc, irqThread);
    assert.deepEqual(f.map(x => x.name), ['irq cpu 0']);
    assert.equal(f[0].file, 'rt-irq-thread.lockstep');
    assert.equal(f[0].line, 16);
    // stepping the handler thread runs the handler (SCHED_FIFO over the task)
    await stepIn(dc, irqThread, 2);
    const f2 = await frames(dc, irqThread);
    assert.equal(f2[f2.length - 1].name, 'irq cpu 0');
    assert.ok(f2.length > 1, 'the handler called into the model');
  });

  it('Per-CPU lists: per zone the frame CPU\'s count, high, batch and lists, then every CPU, paged; lists by order and migratetype with their pfns', async () => {
    await launch(dc, { scenario: example('remote-drain-4cpus-v6.19.lockstep') });
    const f = await frames(dc, 2);
    const zones = await scope(dc, f[0].id, 'Per-CPU lists');
    const normal = byName(zones, 'Normal');
    // thread 2 is CPU 1: its pcp is the zone's own fields
    assert.match(normal.value, /^cpu 1: count=2 high=\d+ batch=\d+$/);
    const own = await children(dc, normal);
    assert.deepEqual(own.slice(0, 3).map(v => v.name), ['count', 'high', 'batch']);
    assert.equal(byName(own, 'count').value, '2');
    const all = byName(own, 'all CPUs');
    assert.equal(all.indexedVariables, 4);
    // the frame's CPU comes first; a page of two from index 1
    const page = await children(dc, all, 1, 2);
    assert.deepEqual(page.map(v => v.name), ['cpu 0', 'cpu 2']);
    const first = await children(dc, all, 0, 1);
    assert.equal(first[0].name, 'cpu 1');
    assert.match(first[0].value, /^count=2 high=\d+ batch=\d+$/);
    const cpu1 = await children(dc, first[0]);
    assert.equal(byName(cpu1, 'count').value, '2');
    for (const lists of [await children(dc, byName(cpu1, 'lists')), await children(dc, byName(own, 'lists'))]) {
      const unmovable = lists.find(v => v.name.endsWith('order 0 unmovable'))!;
      assert.match(unmovable.value, /^2 pages: pfn \d+, \d+$/);
      assert.equal(unmovable.indexedVariables, 2);
      assert.match((await children(dc, unmovable, 1, 1))[0].value, /^pfn \d+$/);
    }
  });

  it('Zone: free areas by order with nr_free and per-migratetype lists', async () => {
    await launch(dc, { scenario: example('remote-drain-4cpus-v6.19.lockstep') });
    const f = await frames(dc, 1);
    const normal = byName(await scope(dc, f[0].id, 'Zone'), 'Normal');
    const kids = await children(dc, normal);
    assert.equal(byName(kids, 'managed_pages').value, '512');
    const fa = byName(kids, 'free_area');
    assert.equal(fa.indexedVariables, 11);
    const top = (await children(dc, fa, 10, 1))[0];
    assert.match(top.value, /^nr_free=\d+$/);
    const lists = await children(dc, top);
    assert.ok(lists.some(v => v.name === 'free_list[unmovable]'));
  });

  it('Locks: a held lock names its holder, where it was taken, waiters and lockdep usage', async () => {
    // CPU 3 drains: step it until it holds a lock
    await launch(dc, { scenario: example('remote-drain-4cpus-v6.19.lockstep') });
    let held: DebugProtocol.Variable | undefined;
    for (let i = 0; i < 60 && !held; i++) {
      await stepIn(dc, 4);
      const f = await frames(dc, 4);
      const locks = await scope(dc, f[0].id, 'Locks');
      held = locks.find(v => v.value.startsWith('held by'));
    }
    assert.ok(held, 'CPU 3 took a lock within 60 steps');
    assert.match(held.value, /^held by CPU 3 task/);
    const kids = await children(dc, held);
    assert.equal(byName(kids, 'holder').value, 'CPU 3 task');
    assert.match(byName(kids, 'taken at').value, /\.kc:\d+:\d+$/);
    assert.equal(byName(kids, 'waiters').value, 'none');
    assert.match(byName(kids, 'lockdep').value, /HARDIRQ-ON-W|no usage recorded/);
    const all = (await scope(dc, (await frames(dc, 4))[0].id, 'Locks')).find(v => v.name === 'all locks')!;
    assert.ok(all.indexedVariables! >= 5, 'zone->lock and one pcp->lock per CPU');
  });
});
