// Checkpoints: a machine restored to a step goes on exactly as the run that never
// stopped there (what time travel and the exhaustive search rely on), and the state
// hash names a state, not the schedule that reached it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadScenario, runScenario, parseSchedule, machineState, Machine, CheckedProgram } from '../../src/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = ['b1-up-drain-irq-v6.2.lockstep', 'b4-remote-drain-zone-pages-v5.18.lockstep', 'b5-zone-lock-irqs-on-edited-v2.lockstep', 'remote-drain-4cpus-v6.19.lockstep'];

function load(file: string): CheckedProgram {
  const { program, diagnostics } = loadScenario(path.join(ROOT, 'examples', file));
  assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
  return program!;
}

function apply(m: Machine, ch: { kind: 'cpu' | 'irq'; cpu: number; irq: number }): void {
  if (ch.kind === 'cpu') assert.ok(m.stepCpu(ch.cpu));
  else { assert.ok(m.canDeliver(ch.cpu, ch.irq)); m.deliver(ch.cpu, ch.irq); }
}

function outcome(m: Machine): string {
  return JSON.stringify({ findings: m.findings, schedule: m.schedule(), state: machineState(m), events: m.events.length, steps: m.steps.length, hash: m.stateHash() });
}

describe('engine: checkpoints and state hashes', () => {
  for (const file of EXAMPLES) {
    it(`${file}: restoring a checkpoint and replaying gives the same findings, state and schedule`, () => {
      const program = load(file);
      for (const seed of [1, 2, 3]) {
        const ref = runScenario(program, { strategy: 'random', seed, horizon: 300 });
        const choices = parseSchedule(ref.machine.schedule());
        const expected = outcome(ref.machine);
        const m = new Machine(program);
        const at = Math.floor(choices.length / 2);
        for (const ch of choices.slice(0, at)) apply(m, ch);
        const cp = m.checkpoint();
        const hashAt = m.stateHash();
        for (const ch of choices.slice(at)) apply(m, ch);
        assert.equal(outcome(m), expected, `seed ${seed}: the stepped run differs from runScenario`);
        m.restore(cp);
        assert.equal(m.stateHash(), hashAt, 'the restored state hashes as it did');
        assert.equal(m.step, at - choices.slice(0, at).filter(c => c.kind === 'irq').length);
        for (const ch of choices.slice(at)) apply(m, ch);
        assert.equal(outcome(m), expected, `seed ${seed}: the run after restore differs`);
      }
    });
  }

  it('a restore drops the future: a different choice after it leads elsewhere, and back again', () => {
    const program = load('b1-up-drain-irq-v6.2.lockstep');
    const m = new Machine(program);
    for (let k = 0; k < 20; k++) m.stepCpu(0);
    const cp = m.checkpoint();
    m.deliver(0, 0);
    for (let k = 0; k < 5; k++) m.stepCpu(0);
    const withIrq = m.stateHash();
    m.restore(cp);
    for (let k = 0; k < 5; k++) m.stepCpu(0);
    assert.notEqual(m.stateHash(), withIrq);
    assert.ok(!m.schedule().includes('i0'), m.schedule());
    m.restore(cp);
    m.deliver(0, 0);
    for (let k = 0; k < 5; k++) m.stepCpu(0);
    assert.equal(m.stateHash(), withIrq, 'the same choices reach the same state again');
  });

  it('a long run: checkpoints restored out of order, after the history was rewritten past them, keep their own schedule', () => {
    // thousands of choices, so the history spans several of the machine's choice chunks
    const text = ['scenario "long"', 'model v6.1', 'cpus 2', 'zone Normal pages 1024 batch 4 high 12',
      ...[0, 1].flatMap(c => [`task cpu ${c} {`, '\tfor (int i = 0; i < 100000; i++) {', '\t\tstruct page *page = alloc_pages(GFP_KERNEL, 0);', '\t\t__free_pages(page, 0);', '\t}', '}'])].join('\n') + '\n';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-cp-')), 'long.lockstep');
    fs.writeFileSync(file, text);
    const { program, diagnostics } = loadScenario(file);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
    const m = new Machine(program!, { maxSteps: 100_000 });
    m.recordSteps = false;
    const run = (n: number, cpuOf: (k: number) => number) => { for (let k = 0; k < n; k++) assert.ok(m.stepCpu(cpuOf(k)) || m.stepCpu(1 - cpuOf(k))); };
    run(3000, k => (k >> 4) & 1);
    const a = { cp: m.checkpoint(), schedule: m.schedule(), hash: m.stateHash(), n: m.choices.length };
    run(9000, k => (k >> 6) & 1);
    const b = { cp: m.checkpoint(), schedule: m.schedule(), hash: m.stateHash(), n: m.choices.length };
    run(2000, () => 0);
    const bThen = m.schedule();
    // back to a, and a different future over the positions b's history holds
    m.restore(a.cp);
    assert.equal(m.schedule(), a.schedule);
    run(12000, k => (k >> 2) & 1);
    assert.notEqual(m.schedule().slice(0, b.schedule.length), b.schedule);
    m.restore(b.cp);
    assert.equal(m.schedule(), b.schedule, 'b keeps its history although a later run rewrote it');
    assert.equal(m.choices.length, b.n);
    assert.equal(m.stateHash(), b.hash);
    run(2000, () => 0);
    assert.equal(m.schedule(), bThen, 'the same choices after b give the same schedule again');
    m.restore(a.cp);
    assert.equal(m.schedule(), a.schedule);
    assert.equal(m.choices.length, a.n);
    assert.equal(m.stateHash(), a.hash);
  });

  it('two schedules that reach the same state hash alike; a different state hashes differently', () => {
    const program = load('remote-drain-4cpus-v6.19.lockstep');
    const a = new Machine(program);
    const b = new Machine(program);
    // CPU 0 and CPU 1 each take one step: the order does not matter to the state
    a.stepCpu(0); a.stepCpu(1);
    b.stepCpu(1); b.stepCpu(0);
    assert.equal(a.stateHash(), b.stateHash());
    a.stepCpu(2);
    assert.notEqual(a.stateHash(), b.stateHash());
  });
});
