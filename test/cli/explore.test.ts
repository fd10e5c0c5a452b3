// `lockstep check --explore ...` and `lockstep merge` from the built dist/cli.js (worker
// threads included: the bundle's dist/exploreWorker.js).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runExploreCheck } from '../../src/cli/explore';

const root = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(root, 'dist', 'cli.js');
const B1 = 'examples/b1-up-drain-irq-v6.2.lockstep';
const B1_FIXED = 'examples/b1-fixed-v6.19.lockstep';
const B5 = 'examples/b5-zone-lock-irqs-on-edited-v2.lockstep';
const BIG = 'examples/irq-alloc-smp-v6.1.lockstep';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // every --jobs 2 search here goes to the worker threads, small as it is
  const env = { ...process.env, LOCKSTEP_PARALLEL_AFTER_MS: '0' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', timeout: 60000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]): { status: number | null; doc: any; stderr: string } {
  const r = cli(...args, '--json');
  let doc: unknown;
  try { doc = JSON.parse(r.stdout); } catch { assert.fail(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`); }
  return { status: r.status, doc, stderr: r.stderr };
}

describe('lockstep check --explore', function () {
  this.timeout(60000);

  it('exhaustive finds B1 with a schedule that `lockstep run --schedule` replays; the search object as interfaces.md', () => {
    const { status, doc } = json(['check', B1, '--explore', 'exhaustive']);
    assert.equal(status, 0);
    assert.equal(doc.search.strategy, 'exhaustive');
    assert.equal(doc.search.complete, true);
    for (const k of ['schedules', 'states', 'seconds']) assert.equal(typeof doc.search[k], 'number', k);
    assert.ok(doc.search.states > 0 && doc.search.schedules > 0);
    assert.deepEqual(doc.expectations, [{ text: 'expect finding mutual-exclusion', met: true }]);
    const f = doc.findings.find((x: { kind: string }) => x.kind === 'mutual-exclusion');
    assert.match(f.schedule, /^c0\*\d+,i0,c0\*\d+$/);
    const run = json(['run', B1, '--schedule', f.schedule]);
    const again = run.doc.findings.find((x: { kind: string }) => x.kind === 'mutual-exclusion');
    assert.deepEqual(again.location, f.location);
    assert.equal(run.doc.schedule, f.schedule);
  });

  it('a clean model: exit 0, human output names the strategy, the states and "complete"', () => {
    const r = cli('check', B1_FIXED, '--explore', 'exhaustive');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /b1-fixed-v6\.19\.lockstep: ok \(exhaustive: \d+ states, \d+ schedules, complete, [\d.]+ s, 0 finding\(s\)\)/);
    assert.equal(r.stderr, '', 'no progress line when stderr is not a terminal');
  });

  it('--time-limit: exit 3, search.limit "time-limit", complete false, what was found so far', () => {
    const { status, doc } = json(['check', BIG, '--explore', 'exhaustive', '--time-limit', '0.3']);
    assert.equal(status, 3);
    assert.equal(doc.search.limit, 'time-limit');
    assert.equal(doc.search.complete, false);
    assert.ok(Array.isArray(doc.findings));
  });

  it('--max-states: exit 3 and a message saying the cap was reached', () => {
    const r = cli('check', BIG, '--explore', 'exhaustive', '--max-states', '100');
    assert.equal(r.status, 3);
    assert.match(r.stdout, /INCOMPLETE .*stopped: max-states/);
    assert.match(r.stdout, /stopped after storing 100 states \(--max-states\)/);
  });

  it('bounded, pct and random from the command line', () => {
    const b = json(['check', B1, '--explore', 'bounded', '--preemptions', '1']);
    assert.equal(b.status, 0);
    assert.equal(b.doc.search.strategy, 'bounded');
    assert.equal(b.doc.search.preemptions, 1);
    for (const s of ['pct', 'random']) {
      const r = json(['check', B5, '--explore', s, '--schedules', '5', '--seed', '2']);
      assert.equal(r.doc.search.strategy, s);
      assert.equal(r.doc.search.schedules, 5);
      assert.equal(r.doc.search.complete, false);
    }
  });

  it('--jobs 2 runs on worker threads from the bundle and agrees with --jobs 1', () => {
    const one = json(['check', B5, '--explore', 'exhaustive', '--no-shrink']);
    const two = json(['check', B5, '--explore', 'exhaustive', '--jobs', '2', '--no-shrink']);
    assert.equal(two.status, one.status);
    assert.equal(two.doc.search.jobs, 2);
    assert.equal(two.doc.search.states, one.doc.search.states);
    const kinds = (d: any) => d.findings.map((f: any) => `${f.kind}@${f.location.line}`).sort();
    assert.deepEqual(kinds(two.doc), kinds(one.doc));
  });

  it('--shard 1/2 and 2/2 merged: one complete verdict with the findings of the whole search; a missing shard leaves it open', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-shards-'));
    const whole = json(['check', B5, '--explore', 'exhaustive']);
    const files: string[] = [];
    for (const i of [1, 2]) {
      const r = cli('check', B5, '--explore', 'exhaustive', '--shard', `${i}/2`, '--json');
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.search.shard, { index: i, count: 2 });
      const f = path.join(dir, `part${i}.json`);
      fs.writeFileSync(f, r.stdout);
      files.push(f);
    }
    const merged = json(['merge', ...files]);
    assert.equal(merged.status, 0);
    assert.equal(merged.doc.search.complete, true);
    const kinds = (d: any) => [...new Set(d.findings.map((f: any) => `${f.kind}@${f.location.file}:${f.location.line}`))].sort();
    assert.deepEqual(kinds(merged.doc), kinds(whole.doc));
    assert.deepEqual(merged.doc.expectations, whole.doc.expectations);
    const half = cli('merge', files[0]);
    assert.equal(half.status, 3);
    assert.match(half.stdout, /missing shard\(s\) 2 of 2/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bad input: exit 2 with a clear message', () => {
    for (const args of [['--explore', 'sideways'], ['--shard', '3/2'], ['--shard', 'x'], ['--jobs', '0'], ['--time-limit', '-1']]) {
      const r = cli('check', B1, ...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /lockstep: .*(--explore|--shard|--jobs|--time-limit)/);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-merge-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{\n  "scenario": "x",\n  oops\n}\n');
    const r = cli('merge', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json:3:\d+: error: not JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('lockstep check --explore: the progress line', function () {
  this.timeout(30000);
  it('a search longer than a second shows states/s, schedules and depth on the status line, then clears it', async () => {
    const lines: string[] = [];
    const out: string[] = [];
    const code = await runExploreCheck([path.join(root, BIG)], { out: l => out.push(l), err: l => out.push(l), progress: t => lines.push(t) }, { strategy: 'exhaustive', timeLimitMs: 1800 });
    assert.equal(code, 3);
    const shown = lines.filter(l => l !== '');
    assert.ok(shown.length >= 1, 'no progress line');
    assert.match(shown[0], /irq-alloc-smp-v6\.1\.lockstep: [\d,]+ states \([\d,]+\/s\), [\d,]+ schedules, depth \d+, 1\.\d s/);
    assert.equal(lines[lines.length - 1], '', 'the line is cleared before the verdict');
  });

  it('no progress line for a search under a second', async () => {
    const lines: string[] = [];
    await runExploreCheck([path.join(root, 'test/fixtures/engine/findings/data-race/fixed.lockstep')], { out: () => undefined, err: () => undefined, progress: t => lines.push(t) }, { strategy: 'exhaustive' });
    assert.deepEqual(lines, []);
  });
});
