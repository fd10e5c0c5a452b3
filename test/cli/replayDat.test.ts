// `lockstep replay` on trace-cmd's binary trace.dat (dist/cli.js, as a user runs it): the
// same replay as from the `trace-cmd report` text printed from that file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DRAIN = path.resolve(ROOT, '..', 'shared', 'data', 'kernel-traces', 'drain');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
}

describe('lockstep replay of a trace.dat', function () {
  this.timeout(60000);
  // made in before(): describe bodies run even when --grep skips every test of the suite
  let tmp = '';
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-replay-dat-')); });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });
  const zoneinfo = ['before', 'after-fill', 'cpus-offline', 'after'].flatMap(l => ['--zoneinfo', `${l}=${path.join(DRAIN, `zoneinfo-drain-${l}.txt`)}`]);

  it('--json: the same events, snapshots, drain checks and rebuilt state as from the report text', () => {
    const d = cli('replay', path.join(DRAIN, 'trace-drain.dat'), ...zoneinfo, '--json');
    assert.equal(d.status, 0, d.stderr);
    const t = cli('replay', path.join(DRAIN, 'trace-cmd-report-drain.txt'), ...zoneinfo, '--json');
    assert.equal(t.status, 0, t.stderr);
    const jd = JSON.parse(d.stdout), jt = JSON.parse(t.stdout);
    assert.equal(jd.format, 'trace.dat');
    assert.deepStrictEqual(jd.byEvent, jt.byEvent);
    assert.equal(jd.byEvent.mm_page_pcpu_drain, 11903);
    assert.deepStrictEqual(jd.warnings, []);
    assert.deepStrictEqual(jd.cpus, [0, 1, 2, 3]);
    // snapshot results equal; `line` differs by design (a .dat numbers records, not lines)
    const strip = (s: { line: number }[]) => s.map(({ line, ...rest }) => rest);
    assert.deepStrictEqual(strip(jd.snapshots), strip(jt.snapshots));
    assert.deepStrictEqual(jd.snapshots.map((s: { label: string }) => s.label), ['after-fill', 'cpus-offline', 'after']);
    assert.deepStrictEqual([jd.kprobeChecks.total, jd.kprobeChecks.matched], [jt.kprobeChecks.total, jt.kprobeChecks.matched]);
    assert.deepStrictEqual(strip(jd.kprobeChecks.mismatches), strip(jt.kprobeChecks.mismatches));
    assert.deepStrictEqual(jd.state.zones, jt.state.zones);
    // the one difference: the .dat has each record's common_flags and preempt count, the
    // report text no flags column, so only the .dat replay knows the CPUs' irq/preempt state
    assert.ok(jt.state.cpus.every((c: { irqsDisabled: unknown }) => c.irqsDisabled === null));
    assert.ok(jd.state.cpus.every((c: { irqsDisabled: unknown; preemptCount: unknown }) => typeof c.irqsDisabled === 'boolean' && typeof c.preemptCount === 'number'));
  });

  it('human output and --chrome: events by name, lock contention named from --lock-addrs', () => {
    const chrome = path.join(tmp, 'drain.json');
    const r = cli('replay', path.join(DRAIN, 'trace-drain.dat'), ...zoneinfo, '--lock-addrs', path.join(DRAIN, 'lock-addrs-drain.txt'), '--chrome', chrome);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /trace-drain\.dat: trace-cmd trace\.dat, 50040 events on CPUs 0, 1, 2, 3, \d+ records, 72 stack traces/);
    assert.match(r.stdout, /snapshot after \(line \d+\): \d\/8 pcp counts/);
    assert.match(r.stdout, /tasklist_lock: 13 contention\(s\)/);
    assert.match(r.stdout, /free_pcppages_bulk pcp_count checks: \d+\/282/);
    const c = JSON.parse(fs.readFileSync(chrome, 'utf8'));
    assert.ok(c.traceEvents.some((e: { ph: string }) => e.ph === 'C'));
  });

  it('names contended locks from the lock-addrs and kallsyms files beside trace-<capture>.dat, as beside the text', () => {
    const r = cli('replay', path.join(DRAIN, 'trace-drain.dat'));
    assert.equal(r.status, 0, r.stderr);
    const t = cli('replay', path.join(DRAIN, 'trace-cmd-report-drain.txt'));
    const locks = (out: string) => out.slice(out.indexOf('lock contention'), out.indexOf('rebuilt pcp counts'));
    assert.match(locks(r.stdout), /tasklist_lock: 13 contention\(s\)/);
    assert.equal(locks(r.stdout), locks(t.stdout));
  });

  it('a corrupt trace.dat: exit 2, the error names the byte', () => {
    const bad = path.join(tmp, 'bad.dat');
    const b = fs.readFileSync(path.join(DRAIN, 'trace-drain.dat'));
    b.write('lz4x', 18, 'latin1');
    fs.writeFileSync(bad, b);
    const r = cli('replay', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.dat:1:1: error: unknown compression 'lz4x'.*at byte \d+/);
  });
});
