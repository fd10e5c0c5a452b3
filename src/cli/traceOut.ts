// `--trace FILE` of `run` and `check`: the run (for check: the first finding's counterexample)
// written as a trace a kernel developer opens elsewhere. A name ending in .json gets Chrome
// trace-event JSON (Perfetto, chrome://tracing); any other name gets ftrace text.
import { runExport } from './export';
import { EXIT_OK } from './check';

/** Writes the run of `scenario` under `schedule` to `traceFile`; returns an exit code
 * (EXIT_OK, or EXIT_BAD_INPUT with the problem said on `err`). */
export function writeRunTrace(scenario: string, schedule: string, traceFile: string, err: (line: string) => void): number {
  const chrome = /\.json$/i.test(traceFile);
  try {
    return runExport(scenario, { out: err, err }, { schedule, chrome: chrome ? traceFile : undefined, ftrace: chrome ? undefined : traceFile });
  } catch (e) {
    err(`lockstep: cannot write the trace file '${traceFile}': ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

/** Folds the trace's exit code into the command's: a failed write is bad input (2). */
export function withTrace(code: number, traceCode: number): number {
  return traceCode === EXIT_OK ? code : traceCode;
}
