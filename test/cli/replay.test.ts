// `lockstep replay` and `lockstep export` as a user runs them (dist/cli.js).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { runReplay } from '../../src/cli/replay';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DRAIN = path.resolve(ROOT, '..', 'shared', 'data', 'kernel-traces', 'drain');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
}

describe('lockstep replay', function () {
  this.timeout(60000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-replay-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--json: format, cpus, events by name, warnings, snapshots compared, the rebuilt state; --chrome writes Perfetto JSON', () => {
    const chrome = path.join(tmp, 'drain.json');
    const r = cli('replay', path.join(DRAIN, 'trace-cmd-report-drain.txt'), '--zoneinfo', `before=${path.join(DRAIN, 'zoneinfo-drain-before.txt')}`,
      `--zoneinfo=after-fill=${path.join(DRAIN, 'zoneinfo-drain-after-fill.txt')}`, '--zoneinfo', path.join(DRAIN, 'zoneinfo-drain-cpus-offline.txt'), '--json', '--chrome', chrome);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.format, 'trace-cmd');
    assert.deepStrictEqual(j.cpus, [0, 1, 2, 3]);
    assert.equal(j.byEvent.mm_page_pcpu_drain, 11903);
    assert.equal(j.events, Object.values(j.byEvent as Record<string, number>).reduce((a, b) => a + b, 0));
    assert.deepStrictEqual(j.warnings, []);
    assert.deepStrictEqual(j.snapshots.map((s: { label: string }) => s.label), ['after-fill', 'cpus-offline']);
    const p = j.snapshots[0].pcp.find((x: { cpu: number; zone: string }) => x.cpu === 3 && x.zone === 'DMA32');
    assert.deepStrictEqual(Object.keys(p).slice(0, 4), ['cpu', 'zone', 'reconstructed', 'actual']);
    assert.equal(p.actual, 1024);
    assert.equal(j.snapshots[1].pcp.length, 2, 'cpus-offline: only CPU 0 is in that zoneinfo (DMA, DMA32)');
    assert.ok(j.undecided.length > 0);
    assert.ok(j.state.zones.find((z: { name: string }) => z.name === 'DMA32').pcp.length === 4);
    const c = JSON.parse(fs.readFileSync(chrome, 'utf8'));
    assert.ok(c.traceEvents.some((e: { ph: string }) => e.ph === 'C'));
  });

  it('human output: event table, snapshot lines with mismatches, lock contention by name', () => {
    const r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', `before=${path.join(DRAIN, 'zoneinfo-drain-before.txt')}`, '--zoneinfo', `after=${path.join(DRAIN, 'zoneinfo-drain-after.txt')}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ftrace text, 50040 events on CPUs 0, 1, 2, 3/);
    assert.match(r.stdout, /snapshot after \(line \d+\): \d\/8 pcp counts/);
    // 9 SPIN|READ + 4 SPIN|WRITE at tasklist_lock+0x0 in lock-addrs-drain.txt
    assert.match(r.stdout, /tasklist_lock: 13 contention\(s\)/);
    assert.match(r.stdout, /free_pcppages_bulk pcp_count checks: \d+\/282/);
  });

  it('zoneinfos given in another order than the trace took them (a shell glob): the earlier snapshot is not compared, and the report says why', () => {
    const r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', `after-fill=${path.join(DRAIN, 'zoneinfo-drain-after-fill.txt')}`,
      '--zoneinfo', `before=${path.join(DRAIN, 'zoneinfo-drain-before.txt')}`, '--zoneinfo', `after=${path.join(DRAIN, 'zoneinfo-drain-after.txt')}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /starting state: zoneinfo 'after-fill'/);
    assert.match(r.stdout, /snapshot before \(line 423\): not compared: taken before the starting state 'after-fill' \(line \d+\).*give the earliest snapshot first/);
    assert.doesNotMatch(r.stdout, /MISMATCH by 3\d\d\d/, 'no mismatch reported against counts that had not started');
    assert.match(r.stdout, /snapshot after \(line \d+\): \d\/8 pcp counts/);
  });

  it('bad input: exit 2 with file:line:column', () => {
    const bad = path.join(tmp, 'bad.txt');
    fs.writeFileSync(bad, 'this is\nnot a trace\n');
    let r = cli('replay', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.txt:1:1: error: .*not a raw ftrace, trace-cmd report or perf script text/);
    r = cli('replay', path.join(tmp, 'missing.txt'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.txt:1:1: error: no such file/);
    r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', `before=${bad}`);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.txt:1:1: error: not a \/proc\/zoneinfo file/);
    r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', 'nolabel');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--zoneinfo needs LABEL=FILE/);
    // a trace.dat is read directly now (replayDat.test.ts); a truncated one is bad input
    const cut = path.join(tmp, 'cut.dat');
    fs.writeFileSync(cut, fs.readFileSync(path.join(DRAIN, 'trace-drain.dat')).subarray(0, 4000));
    r = cli('replay', cut);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cut\.dat:1:1: error: .*at byte \d+/);
  });

  it('bad input: a directory for the trace or a zoneinfo, an empty FILE in LABEL=FILE: exit 2, said without an internal error', () => {
    let r = cli('replay', tmp);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, /:1:1: error: a directory, not a trace file/);
    r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', 'before=');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--zoneinfo needs LABEL=FILE .* not 'before='/);
    r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--zoneinfo', `before=${tmp}`);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /:1:1: error: a directory, not a \/proc\/zoneinfo file/);
    r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--kallsyms', tmp);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^${tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: error: a directory, not a file`));
  });

  it('warnings for malformed lines name their line, and the trace still replays', () => {
    const text = fs.readFileSync(path.join(DRAIN, 'ftrace-raw-drain.txt'), 'latin1').split('\n').slice(0, 400);
    text.splice(99, 0, '       init-1 [002] .....  4.03');
    const f = path.join(tmp, 'cut.txt');
    fs.writeFileSync(f, text.join('\n'));
    const r = cli('replay', f, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepStrictEqual(j.warnings.map((w: { line: number }) => w.line), [100]);
    const h = cli('replay', f);
    assert.match(h.stderr, /cut\.txt:100:1: warning: /);
  });
});

describe('lockstep replay: the progress line on a terminal', function () {
  this.timeout(60000);
  it('says how far reading and rebuilding have got, percentages rising, and clears itself; no line when stderr is not a terminal', () => {
    const lines: string[] = [];
    const out: string[] = [];
    const was = process.env.LOCKSTEP_PROGRESS_MS;
    process.env.LOCKSTEP_PROGRESS_MS = '0';   // every report, not one per 100 ms
    try {
      const code = runReplay(path.join(DRAIN, 'ftrace-raw-drain.txt'), { out: l => out.push(l), err: l => out.push(l), progress: t => lines.push(t) }, { zoneinfo: [], json: false });
      assert.equal(code, 0);
    } finally {
      if (was === undefined) delete process.env.LOCKSTEP_PROGRESS_MS; else process.env.LOCKSTEP_PROGRESS_MS = was;
    }
    assert.equal(lines[lines.length - 1], '', 'the line is cleared at the end');
    const pct = (what: string) => lines.filter(l => l.includes(`: ${what} `)).map(l => Number(/(\d+)%$/.exec(l)![1]));
    for (const what of ['reading', 'rebuilding the per-CPU lists']) {
      const p = pct(what);
      assert.ok(p.length >= 2, `${what}: ${p.length} reports`);
      for (let k = 1; k < p.length; k++) assert.ok(p[k] >= p[k - 1] && p[k] <= 100, `${what}: ${p.join(' ')}`);
    }
    assert.ok(lines.every(l => l === '' || l.includes('ftrace-raw-drain.txt: ')), lines[0]);
    // through the real command, stderr a pipe: none of it
    const r = cli('replay', path.join(DRAIN, 'ftrace-raw-drain.txt'));
    assert.equal(r.status, 0);
    assert.ok(!r.stderr.includes('%'), r.stderr);
  });
});

describe('lockstep export', function () {
  this.timeout(60000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-export-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--chrome and --ftrace of a scheduled run; the ftrace file replays', () => {
    const chrome = path.join(tmp, 'run.json'), ftrace = path.join(tmp, 'run.txt');
    const schedule = /schedule: (\S+)/.exec(cli('run', 'examples/irq-alloc-smp-v6.1.lockstep').stdout)![1];
    const r = cli('export', 'examples/irq-alloc-smp-v6.1.lockstep', '--schedule', schedule, '--chrome', chrome, '--ftrace', ftrace);
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(fs.readFileSync(chrome, 'utf8'));
    assert.deepStrictEqual(c.traceEvents.filter((e: { name: string }) => e.name === 'thread_name').map((e: { args: { name: string } }) => e.args.name), ['CPU 0', 'CPU 1']);
    const back = cli('replay', ftrace, '--json');
    assert.equal(back.status, 0, back.stderr);
    const j = JSON.parse(back.stdout);
    assert.match(r.stdout, new RegExp(`wrote .*run\\.txt: ${j.events} events as ftrace text`));
    assert.equal(j.format, 'ftrace');
    assert.ok(j.byEvent.mm_page_alloc > 0 && j.byEvent.irq_handler_entry > 0 && j.byEvent.irq_handler_entry === j.byEvent.irq_handler_exit, JSON.stringify(j.byEvent));
  });

  it('a kernel trace (no --schedule): --chrome writes what replay --chrome writes; --ftrace or no --chrome is a usage error', () => {
    const trace = path.join(DRAIN, 'ftrace-raw-drain.txt'), zi = `before=${path.join(DRAIN, 'zoneinfo-drain-before.txt')}`;
    const a = path.join(tmp, 'export.json'), b = path.join(tmp, 'replay.json');
    const r = cli('export', trace, '--chrome', a, '--zoneinfo', zi);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wrote .*export\.json: 50040 events on CPUs 0, 1, 2, 3/);
    assert.equal(cli('replay', trace, '--zoneinfo', zi, '--chrome', b).status, 0);
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(a, 'utf8')), JSON.parse(fs.readFileSync(b, 'utf8')));
    let bad = cli('export', trace, '--ftrace', path.join(tmp, 'x.txt'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--ftrace writes a simulated run/);
    bad = cli('export', trace);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /needs --chrome FILE/);
    bad = cli('export', path.join(tmp, 'missing.txt'), '--chrome', a);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /missing\.txt:1:1: error: no such file/);
  });

  it('an output file that cannot be written (no such directory): exit 2 with the file named, no internal error', () => {
    const nowhere = path.join(tmp, 'no-such-dir', 'out.json');
    for (const args of [
      ['replay', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--chrome', nowhere],
      ['export', path.join(DRAIN, 'ftrace-raw-drain.txt'), '--chrome', nowhere],
      ['export', 'examples/irq-alloc-smp-v6.1.lockstep', '--schedule', 'c0', '--chrome', nowhere],
      ['export', 'examples/irq-alloc-smp-v6.1.lockstep', '--schedule', 'c0', '--ftrace', nowhere],
    ]) {
      const r = cli(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.match(r.stderr, /lockstep: cannot write the (Chrome trace|ftrace file) '.*no-such-dir.*out\.json'/);
    }
  });

  it('bad input: a missing option or a bad schedule exits 2', () => {
    let r = cli('export', 'examples/irq-alloc-smp-v6.1.lockstep', '--chrome', path.join(tmp, 'x.json'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--schedule/);
    r = cli('export', 'examples/irq-alloc-smp-v6.1.lockstep', '--schedule', 'c0*3,x9', '--ftrace', path.join(tmp, 'x.txt'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--schedule:1:6: error: bad schedule item 'x9'/);
    r = cli('export', 'examples/irq-alloc-smp-v6.1.lockstep', '--schedule', 'c0');
    assert.equal(r.status, 2);
  });
});
