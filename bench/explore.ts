// Explore benchmark (issue 5, item 7): distinct states per second and time to verdict of
// the exhaustive search on a 2-CPU + interrupt scenario and a 3-CPU scenario, with
// --jobs 1 and --jobs 2; time to the first finding of B1-B5; and, in the same run, SPIN
// (the Debian package `spin`, installed here with apt-get when missing) on a Promela
// model of the 2-CPU scenario written for this benchmark
// (bench/fixtures/explore-2cpu-irq.pml). SPIN's time to verdict is spin -a, the C
// compiler and pan together (what a user waits for), also given without the compile.
// Goals: Lockstep's time to verdict no worse than SPIN's; B1 found in under a second.
// Times are wall clock, the median of RUNS runs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { formatDiagnostic, loadScenario, explore, CheckedProgram } from '../src/engine';

const RUNS = 3;
const root = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(root, 'bench', 'fixtures');

interface SearchFigures { states: number; schedules: number; complete: boolean; seconds: number; statesPerSecond: number; findings: number }

export interface ExploreBenchResult {
  name: 'explore';
  runs: number;
  scenarios: { name: string; file: string; jobs1: SearchFigures; jobs2: SearchFigures; speedupJobs2: number }[];
  firstFinding: { bug: string; file: string; kind: string; seconds: number; secondsWithShrink: number; schedule: string }[];
  spin: {
    available: boolean; version?: string; states?: number; errors?: number; note?: string;
    /** spin -a + cc + pan, wall clock */
    secondsToVerdict?: number;
    /** pan alone (process start included), wall clock, and states / that */
    secondsSearchOnly?: number; statesPerSecond?: number;
    /** what pan itself reports (its search loop only) */
    panReportedSeconds?: number; panReportedStatesPerSecond?: number;
  };
  ratios: {
    /** Lockstep's time to verdict ÷ SPIN's (spin -a + cc + pan), 2-CPU + interrupt scenario, --jobs 1: below 1 is faster */
    verdictVsSpin?: number;
    /** the same against SPIN's search alone (pan, compiled beforehand) */
    verdictVsSpinSearchOnly?: number;
    /** SPIN's states/s ÷ Lockstep's (pan alone, wall clock) */
    spinStatesPerSecondVsLockstep?: number;
    /** pan's self-reported states/s ÷ Lockstep's */
    panReportedStatesPerSecondVsLockstep?: number;
  };
  targets: { verdictNoWorseThanSpin?: boolean; b1UnderOneSecond: boolean };
  targetMet: boolean;
  cpus: number;
  loadAverage: number[];
  node: string;
}

function load(file: string): CheckedProgram {
  const r = loadScenario(file);
  if (!r.program) throw new Error(`${file} did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.program;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function search(file: string, jobs: number): Promise<SearchFigures> {
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof explore>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const p = load(file);                                 // time to verdict: from the file
    last = await explore(p, { strategy: 'exhaustive', jobs });
    times.push((performance.now() - t0) / 1000);
  }
  const seconds = median(times);
  const s = last!.search;
  return { states: s.states, schedules: s.schedules, complete: s.complete, seconds: round(seconds), statesPerSecond: Math.round(s.states / seconds), findings: last!.findings.length };
}

function round(x: number, d = 3): number { return Number(x.toFixed(d)); }

function ensureSpin(): { ok: boolean; note?: string } {
  const has = () => spawnSync('spin', ['-V'], { encoding: 'utf8' }).status === 0;
  if (has()) return { ok: true };
  // the benchmark installs SPIN itself (Debian package), as CI would
  const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo', '-n'];
  const run = (args: string[]) => spawnSync(sudo.length ? sudo[0] : args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const u = run(['apt-get', 'update']);
  const i = u.status === 0 ? run(['apt-get', 'install', '-y', 'spin']) : u;
  if (has()) return { ok: true };
  return { ok: false, note: `could not install spin with apt-get: ${(i.stderr || i.stdout || '').trim().split('\n').pop()}` };
}

function runSpin(): ExploreBenchResult['spin'] {
  const got = ensureSpin();
  if (!got.ok) return { available: false, note: got.note };
  const version = spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout.trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-spin-'));
  try {
    fs.copyFileSync(path.join(FIXTURES, 'explore-2cpu-irq.pml'), path.join(dir, 'model.pml'));
    const total: number[] = [];
    const searchOnly: number[] = [];
    let out = '';
    for (let i = 0; i < RUNS; i++) {
      for (const f of fs.readdirSync(dir)) if (f !== 'model.pml') fs.rmSync(path.join(dir, f), { force: true });
      const t0 = performance.now();
      const a = spawnSync('spin', ['-a', 'model.pml'], { cwd: dir, encoding: 'utf8' });
      if (a.status !== 0) return { available: true, version, note: `spin -a failed: ${a.stdout}${a.stderr}` };
      const c = spawnSync('cc', ['-O2', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
      if (c.status !== 0) return { available: true, version, note: `cc pan.c failed: ${c.stderr}` };
      const t1 = performance.now();
      // -w18: a hash table sized for this search (pan's default -w24 zeroes 128 MB first)
      const r = spawnSync('./pan', ['-m100000', '-w18'], { cwd: dir, encoding: 'utf8' });
      const t2 = performance.now();
      out = r.stdout;
      total.push((t2 - t0) / 1000);
      searchOnly.push((t2 - t1) / 1000);
    }
    const states = Number(/(\d+) states, stored/.exec(out)?.[1] ?? NaN);
    const errors = Number(/errors: (\d+)/.exec(out)?.[1] ?? NaN);
    const so = median(searchOnly);
    // pan's own figures: its search without process start-up
    const panSeconds = Number(/elapsed time ([\d.e+-]+) seconds/.exec(out)?.[1] ?? NaN);
    const panRate = Number(/rate\s+([\d.]+) states\/second/.exec(out)?.[1] ?? NaN);
    return { available: true, version, states, errors, secondsToVerdict: round(median(total)), secondsSearchOnly: round(so, 4), statesPerSecond: Math.round(states / so), panReportedSeconds: panSeconds, panReportedStatesPerSecond: panRate };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const BUGS = [
  { bug: 'B1', file: 'examples/b1-up-drain-irq-v6.2.lockstep', kind: 'mutual-exclusion' },
  { bug: 'B2', file: 'examples/b2-rt-drain-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { bug: 'B3', file: 'examples/b3-rt-up-refill-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { bug: 'B4', file: 'examples/b4-remote-drain-zone-pages-v5.18.lockstep', kind: 'data-race' },
  { bug: 'B5', file: 'examples/b5-zone-lock-irqs-on-edited-v2.lockstep', kind: 'inconsistent-lock-state' },
];

export async function run(): Promise<ExploreBenchResult> {
  const scenarios: ExploreBenchResult['scenarios'] = [];
  for (const [name, f] of [['2 CPUs + interrupt', 'explore-2cpu-irq.lockstep'], ['3 CPUs', 'explore-3cpu.lockstep']]) {
    const file = path.join(FIXTURES, f);
    const jobs1 = await search(file, 1);
    const jobs2 = await search(file, 2);
    scenarios.push({ name, file: `bench/fixtures/${f}`, jobs1, jobs2, speedupJobs2: round(jobs1.seconds / jobs2.seconds, 2) });
  }
  const firstFinding: ExploreBenchResult['firstFinding'] = [];
  for (const b of BUGS) {
    const times: number[] = [];
    const withShrink: number[] = [];
    let schedule = '';
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const p = load(path.join(root, b.file));
      const r = await explore(p, { strategy: 'exhaustive', stopOnFirst: true, shrink: false });
      const t1 = performance.now();
      if (!r.findings.some(f => f.kind === b.kind)) throw new Error(`${b.bug}: the first finding is ${r.findings.map(f => f.kind).join(', ') || 'none'}, not ${b.kind}`);
      const s = await explore(p, { strategy: 'exhaustive', stopOnFirst: true });
      const t2 = performance.now();
      times.push((t1 - t0) / 1000);
      withShrink.push((t1 - t0 + t2 - t1) / 1000);
      schedule = s.findings[0].schedule;
    }
    firstFinding.push({ bug: b.bug, file: b.file, kind: b.kind, seconds: round(median(times)), secondsWithShrink: round(median(withShrink)), schedule });
  }
  const spin = runSpin();
  const two = scenarios[0].jobs1;
  const ratios: ExploreBenchResult['ratios'] = {};
  if (spin.secondsToVerdict) {
    ratios.verdictVsSpin = round(two.seconds / spin.secondsToVerdict, 2);
    ratios.verdictVsSpinSearchOnly = round(two.seconds / spin.secondsSearchOnly!, 1);
    ratios.spinStatesPerSecondVsLockstep = round(spin.statesPerSecond! / two.statesPerSecond, 1);
    if (spin.panReportedStatesPerSecond) ratios.panReportedStatesPerSecondVsLockstep = round(spin.panReportedStatesPerSecond / two.statesPerSecond, 1);
  }
  const targets = {
    verdictNoWorseThanSpin: ratios.verdictVsSpin !== undefined ? ratios.verdictVsSpin <= 1 : undefined,
    b1UnderOneSecond: firstFinding[0].seconds < 1,
  };
  return {
    name: 'explore', runs: RUNS, scenarios, firstFinding, spin, ratios, targets,
    targetMet: targets.b1UnderOneSecond && targets.verdictNoWorseThanSpin !== false,
    cpus: os.cpus().length, loadAverage: os.loadavg().map(x => round(x, 2)), node: process.version,
  };
}

export function summary(r: ExploreBenchResult): string {
  const sc = r.scenarios.map(s => `${s.name}: ${s.jobs1.states} states in ${s.jobs1.seconds} s (${s.jobs1.statesPerSecond}/s), --jobs 2 ${s.jobs2.seconds} s (x${s.speedupJobs2})`).join('; ');
  const ff = r.firstFinding.map(f => `${f.bug} ${f.seconds} s`).join(', ');
  const sp = r.spin.secondsToVerdict !== undefined
    ? `SPIN ${r.spin.states} states, verdict in ${r.spin.secondsToVerdict} s (search alone ${r.spin.secondsSearchOnly} s, ${r.spin.statesPerSecond}/s); Lockstep/SPIN time to verdict ${r.ratios.verdictVsSpin} (${r.targets.verdictNoWorseThanSpin ? 'met' : 'NOT met'}), vs SPIN's search alone ${r.ratios.verdictVsSpinSearchOnly}; pan reports ${r.spin.panReportedStatesPerSecond} states/s`
    : `SPIN not run: ${r.spin.note}`;
  return `explore: ${sc}; first finding ${ff} (B1 under 1 s: ${r.targets.b1UnderOneSecond ? 'met' : 'NOT met'}); ${sp}`;
}
