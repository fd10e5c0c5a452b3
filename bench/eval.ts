// Debugger evaluator benchmark (issue 6, item 6): what the debug adapter pays per request.
// A breakpoint condition is checked on every step that hits its line, so it must cost
// about as much as a step; the variables view pages through a pcp list of 10,000 pages in
// pages of 100, so one page must not re-walk the list. The state: v6.1, 4 CPUs, CPU 1's
// movable order-0 list holding LIST_PAGES pages, CPU 0 stopped in rmqueue_pcplist.
// Baselines measured in the same run: one machine step, and one raw walk of the list
// (the walker machineState() uses).
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import {
  loadScenario, Machine, evaluate, evaluateCondition, frameLocals, childrenOf, childCount, CheckedProgram, EvalScope,
} from '../src/engine';
import { listPfns } from '../src/engine/sim/inspect';

export const LIST_PAGES = 10_000;
export const PAGE = 100;
/** targets: a cached condition within 25 step-costs; a page of 100 list entries within 5 ms */
export const TARGET_CONDITION_STEPS = 25;
export const TARGET_PAGE_MS = 5;

const root = path.resolve(__dirname, '..', '..');

export interface EvalResult {
  name: 'eval';
  listPages: number;
  pageSize: number;
  /** medians, microseconds per call */
  conditionUs: number;
  evaluateListUs: number;
  parseUs: number;
  frameLocalsUs: number;
  stepUs: number;
  /** paging the whole list in pages of PAGE right after a step (first page walks the list once) */
  pagesMs: { first: number; median: number; p95: number; total: number };
  rawWalkMs: number;
  ratios: {
    /** how many machine steps one cached condition costs */
    conditionVsStep: number;
    /** paging the whole list vs one raw walk of it */
    allPagesVsRawWalk: number;
  };
  targetConditionSteps: number;
  targetPageMs: number;
  targetMet: boolean;
  node: string;
}

export function scenarioText(pages = LIST_PAGES): string {
  return [
    'scenario "eval bench: a long pcp list and a frame in rmqueue_pcplist"',
    'model v6.1',
    'cpus 4',
    `zone Normal pages ${Math.max(16384, pages * 2)} batch 63 high ${pages + 2000}`,
    `pcp cpu 1 zone Normal order 0 movable ${pages}`,
    'task cpu 0 {',
    '\tstruct page *page;',
    '\tint i;',
    '\tfor (i = 0; i < 1000; i++) {',
    '\t\tpage = alloc_pages(GFP_KERNEL, 0);',
    '\t\t__free_pages(page, 0);',
    '\t}',
    '}',
    '',
  ].join('\n');
}

export function load(pages = LIST_PAGES): CheckedProgram {
  const file = path.join(root, 'bench', 'fixtures', 'eval.lockstep'); // generated, never on disk
  const text = scenarioText(pages);
  const { program, diagnostics } = loadScenario(file, { readFile: f => (f === file ? text : fs.readFileSync(f, 'utf8')) });
  if (!program || diagnostics.some(d => d.severity === 'error')) throw new Error(`eval bench scenario: ${diagnostics.map(d => d.message).join('; ')}`);
  return program;
}

/** A machine with CPU 0 stopped inside rmqueue_pcplist, and the scope of that frame. */
export function stopped(program: CheckedProgram): { m: Machine; scope: EvalScope } {
  const m = new Machine(program);
  const ctx = m.cpus[0].task;
  for (let i = 0; i < 10_000; i++) {
    const top = ctx.frames[ctx.frames.length - 1];
    if (top?.fn.name === 'rmqueue_pcplist') return { m, scope: { machine: m, context: ctx, frame: 0 } };
    if (!m.stepCpu(0)) break;
  }
  throw new Error('eval bench: CPU 0 never reached rmqueue_pcplist');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

/** Median microseconds per call of f, over `rounds` rounds of `n` calls. */
function perCall(n: number, f: (i: number) => void, rounds = 5): number {
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(i);
    out.push(((performance.now() - t0) * 1000) / n);
  }
  return median(out);
}

export function run(options: { pages?: number; calls?: number } = {}): EvalResult {
  const pages = options.pages ?? LIST_PAGES;
  const calls = options.calls ?? 20_000;
  const program = load(pages);
  const { m, scope } = stopped(program);
  const listExpr = 'per_cpu_ptr(zone->per_cpu_pageset, 1)->lists[MIGRATE_MOVABLE]';

  const conditionUs = perCall(calls, () => { evaluateCondition(scope, 'pcp == NULL || (pcp->count > 3 && order == 0)'); });
  const evaluateListUs = perCall(Math.max(1, calls / 10), () => { evaluate(scope, listExpr); });
  const parseUs = perCall(Math.max(1, calls / 100), i => { evaluate(scope, `zone->free_area[0].nr_free + ${i % 1_000_000}`); }, 1);
  const frameLocalsUs = perCall(Math.max(1, calls / 10), () => { frameLocals(scope); });

  // a step of a fresh machine (the task's alloc/free loop): the cost a condition is compared with
  const stepRuns: number[] = [];
  for (let r = 0; r < 3; r++) {
    const other = new Machine(program);
    let steps = 0;
    const t0 = performance.now();
    for (let i = 0; i < 20_000 && other.stepCpu(0); i++) steps++;
    stepRuns.push(((performance.now() - t0) * 1000) / Math.max(1, steps));
  }
  const stepUs = median(stepRuns);

  // paging right after the state changed (as after a step): the first page walks the list.
  // One pass warms the JIT; the second is measured.
  const list = evaluate(scope, listExpr);
  const n = childCount(m, list);
  let times: number[] = [];
  let total = 0;
  for (let pass = 0; pass < 2; pass++) {
    m.memChanged();
    times = [];
    total = 0;
    for (let start = 0; start < n; start += PAGE) {
      const a = performance.now();
      childrenOf(m, list, start, PAGE);
      const dt = performance.now() - a;
      times.push(dt);
      total += dt;
    }
  }
  const head = list.addr!;
  const rw: number[] = [];
  for (let r = 0; r < 5; r++) { const a = performance.now(); listPfns(m, head); rw.push(performance.now() - a); }
  const rawWalkMs = median(rw);

  const pagesMs = { first: times[0] ?? 0, median: median(times), p95: p95(times), total };
  const conditionVsStep = conditionUs / Math.max(1e-9, stepUs);
  const targetMet = conditionVsStep <= TARGET_CONDITION_STEPS && pagesMs.p95 <= TARGET_PAGE_MS;
  return {
    name: 'eval', listPages: n, pageSize: PAGE, conditionUs, evaluateListUs, parseUs, frameLocalsUs, stepUs, pagesMs, rawWalkMs,
    ratios: { conditionVsStep, allPagesVsRawWalk: total / Math.max(1e-9, rawWalkMs) },
    targetConditionSteps: TARGET_CONDITION_STEPS, targetPageMs: TARGET_PAGE_MS, targetMet, node: process.version,
  };
}

export function summary(r: EvalResult): string {
  const f = (x: number) => x.toFixed(1);
  return `eval: condition ${f(r.conditionUs)} us (${f(r.ratios.conditionVsStep)} steps), evaluate list ${f(r.evaluateListUs)} us, ` +
    `uncached parse ${f(r.parseUs)} us, frameLocals ${f(r.frameLocalsUs)} us; ${r.listPages}-entry list in pages of ${r.pageSize}: ` +
    `first ${f(r.pagesMs.first)} ms, p95 ${f(r.pagesMs.p95)} ms, all ${f(r.pagesMs.total)} ms (${f(r.ratios.allPagesVsRawWalk)}x one raw walk)` +
    `${r.targetMet ? '' : ' — target missed'}`;
}
