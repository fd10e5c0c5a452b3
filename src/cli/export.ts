// `lockstep export SCENARIO --schedule S --chrome FILE | --ftrace FILE`: one simulated run
// written where kernel developers look at traces (Perfetto, ftrace tools).
import { loadScenario, formatDiagnostic, runForExport, chromeTraceOfRun, ftraceText, ScheduleError, CompileError, scheduleItemColumn } from '../engine';
import { EXIT_BAD_INPUT, EXIT_OK } from './check';
import { rel, writeOutput } from './format';

export interface ExportCliOptions { schedule: string; chrome?: string; ftrace?: string; maxSteps?: number }

export function runExport(file: string, io: { out(l: string): void; err(l: string): void }, o: ExportCliOptions): number {
  const loaded = loadScenario(file);
  let errors = false;
  for (const d of loaded.diagnostics) { io.err(formatDiagnostic({ ...d, file: rel(d.file) })); if (d.severity === 'error') errors = true; }
  if (errors || !loaded.program) return EXIT_BAD_INPUT;
  let x;
  try {
    x = runForExport(loaded.program, o.schedule, o.maxSteps);
  } catch (e) {
    if (e instanceof ScheduleError) { io.err(`--schedule:1:${e.column}: error: ${e.message}`); return EXIT_BAD_INPUT; }
    if (e instanceof CompileError) { io.err(`${e.range.file}:${e.range.line}:${e.range.column}: error: ${e.message}`); return EXIT_BAD_INPUT; }
    throw e;
  }
  if (x.run.stop === 'schedule-error') { io.err(`--schedule:1:${scheduleItemColumn(o.schedule, x.run.scheduleIndex ?? 0)}: error: ${x.run.message}`); return EXIT_BAD_INPUT; }
  const m = x.run.machine;
  if (o.chrome) {
    if (!writeOutput(o.chrome, JSON.stringify(chromeTraceOfRun(m, rel(file), x.counts)), 'Chrome trace', io.err)) return EXIT_BAD_INPUT;
    io.out(`wrote ${o.chrome}: ${m.steps.length} steps, ${m.events.length} events, ${m.findings.length} finding(s)`);
  }
  if (o.ftrace) {
    const text = ftraceText(m);
    // (the lines written: lock holds, contention ends and markers are not one-to-one with m.events)
    const lines = text.split('\n').filter(l => l && !l.startsWith('#')).length;
    if (!writeOutput(o.ftrace, text, 'ftrace file', io.err)) return EXIT_BAD_INPUT;
    io.out(`wrote ${o.ftrace}: ${lines} events as ftrace text`);
  }
  return EXIT_OK;
}
