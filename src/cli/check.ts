// `lockstep check FILE...`: load and check each scenario, print its diagnostics.
// Running and exploring the scenarios arrives with the engine.
import { formatDiagnostic, loadScenario } from '../engine';

/** Exit codes of the command line (docs: interfaces.md). */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_LIMIT = 3;

export interface CheckOutput {
  /** Writes one line (without its newline) to standard output. */
  out(line: string): void;
}

/** Checks every file, prints each diagnostic, and returns the exit code. */
export function runCheck(files: readonly string[], io: CheckOutput): number {
  let errors = false;
  for (const file of files) {
    const result = loadScenario(file);
    let fileErrors = false;
    for (const d of result.diagnostics) {
      io.out(formatDiagnostic(d));
      if (d.severity === 'error') fileErrors = true;
    }
    if (!fileErrors && result.program === undefined) {
      // The engine should always explain a failed load; never pass one silently.
      io.out(`${file}:1:1: error: the scenario could not be loaded`);
      fileErrors = true;
    }
    errors ||= fileErrors;
  }
  return errors ? EXIT_BAD_INPUT : EXIT_OK;
}
