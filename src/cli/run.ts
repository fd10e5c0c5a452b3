// `lockstep run SCENARIO [--schedule S] [--json]`: one run, its steps, findings and final state.
import { formatDiagnostic, loadScenario, runScenario, ScheduleError, machineState, CompileError, judge, scheduleItemColumn } from '../engine';
import type { CheckOutput } from './check';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_LIMIT, EXIT_OK } from './check';
import { formatFinding, runJson, rel, formatExpectations } from './format';
import { writeRunTrace, withTrace } from './traceOut';

export interface RunCliOptions { schedule?: string; json?: boolean; maxSteps?: number; seed?: number; strategy?: 'roundrobin' | 'random'; /** write the run as a trace here */ trace?: string }

export function runRun(file: string, io: CheckOutput, o: RunCliOptions): number {
  // with --json, stdout carries only the JSON document: problems go to stderr
  const problem = o.json && io.err ? io.err : io.out;
  const result = loadScenario(file);
  let errors = false;
  for (const d of result.diagnostics) { problem(formatDiagnostic({ ...d, file: rel(d.file) })); if (d.severity === 'error') errors = true; }
  if (errors || !result.program) return EXIT_BAD_INPUT;
  let r;
  try {
    r = runScenario(result.program, { schedule: o.schedule, maxSteps: o.maxSteps, seed: o.seed, strategy: o.strategy });
  } catch (e) {
    if (e instanceof ScheduleError) { problem(`--schedule:1:${e.column}: error: ${e.message}`); return EXIT_BAD_INPUT; }
    if (e instanceof CompileError) { problem(`${e.range.file}:${e.range.line}:${e.range.column}: error: ${e.message}`); return EXIT_BAD_INPUT; }
    throw e;
  }
  const m = r.machine;
  if (r.stop === 'schedule-error') { problem(`--schedule:1:${scheduleItemColumn(o.schedule ?? '', r.scheduleIndex ?? 0)}: error: ${r.message}`); return EXIT_BAD_INPUT; }
  // the scenario's expect lines judge this one run, as `check` judges each of its runs
  const verdict = judge(result.program, r.findings);
  if (o.json) {
    io.out(JSON.stringify({ scenario: file, stop: r.stop, message: r.message ?? null, ...runJson(m) as object, expectations: verdict.expectations }, null, 2));
  } else {
    for (const s of m.steps) {
      const l = m.locOf(s.loc);
      io.out(`${String(s.step).padStart(5)}  CPU ${s.cpu} ${s.context.padEnd(8)} ${rel(l.file)}:${l.line}:${l.column}${s.event ? `  [${s.event}]` : ''}`);
    }
    for (const f of r.findings) io.out(formatFinding(f));
    const st = machineState(m);
    for (const z of st.zones) {
      io.out(`zone ${z.name}: nr_free by order [${z.nrFree.join(' ')}], NR_FREE_PAGES ${z.freePages}`);
      for (const p of z.pcp) io.out(`  CPU ${p.cpu} pcp: count ${p.count} high ${p.high} batch ${p.batch}${p.lists.map(l => `; list ${l.pindex} (order ${l.order} ${l.migratetype}): ${l.pfns.join(' ')}`).join('')}`);
    }
    io.out(`stopped: ${r.stop}${r.message ? ` (${r.message})` : ''}; schedule: ${m.schedule()}`);
    for (const l of formatExpectations(verdict.expectations)) io.out(l);
  }
  const code = r.stop === 'max-steps' ? EXIT_LIMIT : verdict.ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  return o.trace ? withTrace(code, writeRunTrace(file, m.schedule(), o.trace, io.err ?? io.out)) : code;
}
