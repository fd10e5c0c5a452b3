// `lockstep run` and `--trace FILE` (interfaces.md): a run is judged by the scenario's
// expect lines (exit 0 when they hold for this run, 1 when one fails); `--trace` writes the
// run as Chrome trace JSON (*.json) or ftrace text. From the built dist/cli.js.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliIn, ROOT } from './cliRun';

const root = ROOT;
const B1 = 'examples/b1-up-drain-irq-v6.2.lockstep';
const cli = (...args: string[]) => cliIn(root, ...args);

describe('lockstep run: exit code and --trace', function () {
  this.timeout(60000);
  let dir: string;
  let b1Schedule: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-run-'));
    const r = cli('check', B1, '--explore', 'exhaustive', '--json');
    b1Schedule = JSON.parse(r.stdout).findings.find((f: { kind: string }) => f.kind === 'mutual-exclusion').schedule;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaying the counterexample of an expected finding exits 0; a run without it exits 1', () => {
    const hit = cli('run', B1, '--schedule', b1Schedule, '--json');
    assert.equal(hit.status, 0, hit.stdout.slice(-2000) + hit.stderr);
    const doc = JSON.parse(hit.stdout);
    assert.ok(doc.findings.some((f: { kind: string }) => f.kind === 'mutual-exclusion'));
    assert.deepEqual(doc.expectations, [{ text: 'expect finding mutual-exclusion', met: true }]);
    // round-robin: the task drains before the interrupt comes, so the expected finding is missing
    const miss = cli('run', B1);
    assert.equal(miss.status, 1, miss.stdout.slice(-2000));
    assert.match(miss.stdout, /FAIL expect finding mutual-exclusion/);
  });

  it('a finding in a scenario without expect lines still exits 1', () => {
    fs.writeFileSync(path.join(dir, 'race.kc'), 'int shared;\nvoid bump(void)\n{\n\tshared = shared + 1;\n}\n');
    fs.writeFileSync(path.join(dir, 'race.lockstep'), 'model "./race.kc"\ncpus 2\ntask cpu 0 { bump(); }\ntask cpu 1 { bump(); }\n');
    const r = cli('run', path.join(dir, 'race.lockstep'), '--schedule', 'c0,c1,c0,c1,c0,c1');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /data-race: BUG: KCSAN: data-race in bump \/ bump/);
  });

  it('a schedule item that cannot be applied is bad input at its column (--schedule:1:COL)', () => {
    const scenario = path.join(dir, 'race.lockstep');
    const far = cli('run', scenario, '--schedule', 'c0,c5');
    assert.equal(far.status, 2);
    assert.match(far.stdout, /^--schedule:1:4: error: schedule item 2 \(c5\): the scenario has 2 CPU\(s\)$/m);
    const irq = cli('run', scenario, '--schedule', 'c0*2, i0');
    assert.equal(irq.status, 2);
    assert.match(irq.stdout, /^--schedule:1:7: error: schedule item 3 \(i0\): the interrupt cannot arrive/m);
    // with --json, stdout carries only JSON: the problem goes to stderr
    const json = cli('run', scenario, '--schedule', 'c0,c5', '--json');
    assert.equal(json.status, 2);
    assert.equal(json.stdout, '');
    assert.match(json.stderr, /^--schedule:1:4: error: /m);
  });

  it('run --trace: Chrome JSON for a .json name, ftrace text otherwise, stdout stays JSON', () => {
    const chrome = path.join(dir, 'b1.json');
    const r = cli('run', B1, '--schedule', b1Schedule, '--trace', chrome, '--json');
    assert.equal(r.status, 0, r.stderr);
    JSON.parse(r.stdout);
    const trace = JSON.parse(fs.readFileSync(chrome, 'utf8'));
    assert.ok(Array.isArray(trace.traceEvents) && trace.traceEvents.length > 0);
    assert.ok(trace.traceEvents.some((e: { name: string }) => /pcp->lock/.test(e.name)));
    const text = path.join(dir, 'b1.txt');
    assert.equal(cli('run', B1, '--schedule', b1Schedule, '--trace', text).status, 0);
    const ftrace = fs.readFileSync(text, 'utf8');
    assert.match(ftrace, /^# tracer: nop/);
    assert.match(ftrace, /irq_handler_entry: /);
    assert.match(ftrace, /lock_acquire: \S+ pcp->lock/);
    assert.equal(cli('run', B1, '--trace', path.join(dir, 'no', 'such', 'x.txt')).status, 2);
  });

  it('check --trace writes the first finding\'s counterexample', () => {
    const out = path.join(dir, 'check.json');
    const r = cli('check', B1, '--explore', 'exhaustive', '--trace', out);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8'));
    // the interrupt of the counterexample is in the trace
    assert.ok(trace.traceEvents.some((e: { name: string; cat?: string }) => /irq|interrupt/i.test(`${e.name} ${e.cat ?? ''}`)), JSON.stringify(trace.traceEvents.slice(0, 20)));
  });
});
