// Engine benchmark (issue 3, item 7): steps per second of a long round-robin run, with
// the detectors off and on, and peak memory. The run: 4 CPUs, each doing ITERATIONS
// alloc_pages / __free_pages pairs through its pcp list under pcp->lock (the model is
// bench/fixtures/engine-pcp.kc, 6.1's fast path cut down). A baseline measured in the same
// process (a plain JS loop doing one array push and pop per step) gives a machine-
// independent ratio. Targets: 2,000,000 steps/s off, 500,000 on.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { formatDiagnostic, loadScenario, runScenario, CheckedProgram } from '../src/engine';

export const TARGET_OFF = 2_000_000;
export const TARGET_ON = 500_000;
export const CPUS = 4;
export const ITERATIONS = 20_000;
const RUNS = 3;

/** Repository root: this file runs as out/bench/engine.js. */
const root = path.resolve(__dirname, '..', '..');
const MODEL_DIR = path.join(root, 'bench', 'fixtures');
const SCENARIO = path.join(MODEL_DIR, 'engine.lockstep'); // generated, never on disk

export interface EngineResult {
  name: 'engine';
  cpus: number;
  iterationsPerCpu: number;
  /** steps of one run (the same in every run: the schedule is round-robin) */
  steps: number;
  runs: number;
  stepsPerSecondOff: number;
  stepsPerSecondOn: number;
  medianMsOff: number;
  medianMsOn: number;
  targetOff: number;
  targetOn: number;
  targetOffMet: boolean;
  targetOnMet: boolean;
  targetMet: boolean;
  /** peak resident set of the process (getrusage maxrss) after the off runs, and overall */
  peakRssMBOff: number;
  peakRssMB: number;
  /** heap in use right after a run, with the machine (and its event log) still alive */
  heapUsedMBOff: number;
  heapUsedMBOn: number;
  /** events the machine logged in one run: 0, since benchmark runs (like check) record no steps or events */
  events: number;
  /** findings of the detectors-on run: the model is clean, so anything here is a bug */
  findings: string[];
  baseline: { what: string; opsPerSecond: number; medianMs: number };
  ratios: {
    /** baseline ops/s ÷ steps/s: how many push+pop pairs one step costs */
    offVsBaseline: number;
    onVsBaseline: number;
    /** how much slower the detectors make a step */
    onVsOff: number;
  };
  node: string;
}

export function scenarioText(iterations = ITERATIONS, cpus = CPUS): string {
  const out = [
    'scenario "engine bench: alloc/free pairs on every CPU"',
    'model "./engine-pcp.kc"',
    `cpus ${cpus}`,
    'zone Normal pages 1024 batch 4 high 12',
  ];
  for (let c = 0; c < cpus; c++) out.push(`pcp cpu ${c} zone Normal order 0 movable 4`);
  for (let c = 0; c < cpus; c++) {
    out.push(
      `task cpu ${c} {`,
      '\tstruct page *page;',
      '\tint i;',
      `\tfor (i = 0; i < ${iterations}; i++) {`,
      '\t\tpage = alloc_pages(GFP_KERNEL, 0);',
      '\t\t__free_pages(page, 0);',
      '\t}',
      '}',
    );
  }
  return `${out.join('\n')}\n`;
}

export function loadBench(iterations = ITERATIONS, cpus = CPUS): CheckedProgram {
  const text = scenarioText(iterations, cpus);
  const r = loadScenario(SCENARIO, { readFile: f => (f === SCENARIO ? text : readOrUndefined(f)) });
  if (!r.program) throw new Error(`bench scenario did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.program;
}

function readOrUndefined(f: string): string | undefined {
  try { return fs.readFileSync(f, 'utf8'); } catch { return undefined; }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const MB = 1024 * 1024;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const peakRss = () => process.resourceUsage().maxRSS / 1024; // kB → MB

interface Timed { ms: number; steps: number; heapMB: number; events: number; findings: string[] }

function timeRun(program: CheckedProgram, detectors: boolean): Timed {
  const t0 = performance.now();
  const res = runScenario(program, { strategy: 'roundrobin', detectors, recordSteps: false, maxSteps: 1e9 });
  const ms = performance.now() - t0;
  if (res.stop !== 'finished') throw new Error(`bench run stopped early: ${res.stop} ${res.message ?? ''}`);
  const heapMB = process.memoryUsage().heapUsed / MB;
  return {
    ms, steps: res.machine.step, heapMB, events: res.machine.events.length,
    findings: res.findings.map(f => `${f.kind}: ${f.message.split('\n')[0]}`),
  };
}

/** The same number of iterations of the cheapest stack-machine-like work: push + pop. */
function baseline(steps: number): number {
  const a: number[] = [];
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    a.push(i);
    sink += a.pop()!;
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink); // keep the loop alive
  return ms;
}

export function run(options: { iterations?: number; runs?: number } = {}): EngineResult {
  const iterations = options.iterations ?? ITERATIONS;
  const runs = options.runs ?? RUNS;
  const program = loadBench(iterations);
  // one short warm-up of each mode, so that the first measured run is not the JIT's
  const warm = loadBench(200);
  timeRun(warm, false);
  timeRun(warm, true);

  const off: Timed[] = [];
  for (let k = 0; k < runs; k++) off.push(timeRun(program, false));
  const peakRssMBOff = peakRss();
  const on: Timed[] = [];
  for (let k = 0; k < runs; k++) on.push(timeRun(program, true));
  const steps = off[0].steps;
  for (const t of [...off, ...on]) if (t.steps !== steps) throw new Error(`runs differ in length: ${t.steps} vs ${steps}`);

  const base: number[] = [];
  for (let k = 0; k < runs; k++) base.push(baseline(steps));

  const medianMsOff = median(off.map(t => t.ms));
  const medianMsOn = median(on.map(t => t.ms));
  const stepsPerSecondOff = Math.round(steps / (medianMsOff / 1000));
  const stepsPerSecondOn = Math.round(steps / (medianMsOn / 1000));
  const baseMs = median(base);
  const opsPerSecond = Math.round(steps / (baseMs / 1000));
  return {
    name: 'engine',
    cpus: CPUS,
    iterationsPerCpu: iterations,
    steps,
    runs,
    stepsPerSecondOff,
    stepsPerSecondOn,
    medianMsOff: round(medianMsOff),
    medianMsOn: round(medianMsOn),
    targetOff: TARGET_OFF,
    targetOn: TARGET_ON,
    targetOffMet: stepsPerSecondOff >= TARGET_OFF,
    targetOnMet: stepsPerSecondOn >= TARGET_ON,
    targetMet: stepsPerSecondOff >= TARGET_OFF && stepsPerSecondOn >= TARGET_ON,
    peakRssMBOff: round(peakRssMBOff),
    peakRssMB: round(peakRss()),
    heapUsedMBOff: round(Math.max(...off.map(t => t.heapMB))),
    heapUsedMBOn: round(Math.max(...on.map(t => t.heapMB))),
    events: on[0].events,
    findings: on[0].findings,
    baseline: { what: 'Array push + pop, once per step', opsPerSecond, medianMs: round(baseMs, 2) },
    ratios: {
      offVsBaseline: round(opsPerSecond / stepsPerSecondOff),
      onVsBaseline: round(opsPerSecond / stepsPerSecondOn),
      onVsOff: round(stepsPerSecondOff / stepsPerSecondOn, 2),
    },
    node: process.version,
  };
}

export function summary(r: EngineResult): string {
  const k = (n: number) => `${(n / 1000).toFixed(0)}k`;
  return `engine: ${r.steps} steps (${r.cpus} CPUs x ${r.iterationsPerCpu} alloc/free pairs), ` +
    `detectors off ${k(r.stepsPerSecondOff)} steps/s (target ${k(r.targetOff)}${r.targetOffMet ? ', met' : ', NOT met'}), ` +
    `on ${k(r.stepsPerSecondOn)} steps/s (target ${k(r.targetOn)}${r.targetOnMet ? ', met' : ', NOT met'}), ` +
    `peak RSS ${r.peakRssMB} MB; one step = ${r.ratios.offVsBaseline} / ${r.ratios.onVsBaseline} push+pop` +
    (r.findings.length ? `; ${r.findings.length} unexpected finding(s): ${r.findings[0]}` : '');
}
