// `lockstep check FILE...`: load each scenario, run it round-robin and with seeded
// random schedules, and judge its expect lines.
import { formatDiagnostic, loadScenario, checkScenario, runScenario } from '../engine';
import { formatFinding, configJson, modelName, formatExpectations, rel, relFinding } from './format';
import { writeSarif } from './sarif';
import type { SarifScenario } from './sarif';
import { writeRunTrace, withTrace } from './traceOut';
import { isModelFile, checkModelFile } from './checkModel';

/** Exit codes of the command line (docs: interfaces.md). */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_LIMIT = 3;

export interface CheckOutput {
  /** Writes one line (without its newline) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error (diagnostics when stdout carries JSON). */
  err?(line: string): void;
}

export interface CheckOptions { schedules?: number; seed?: number; maxSteps?: number; json?: boolean; /** write SARIF 2.1.0 here */ sarif?: string; /** write the first finding's run (else the first round-robin run) as a trace here */ trace?: string }

/** Checks every file, prints diagnostics or findings, and returns the exit code. */
export function runCheck(files: readonly string[], io: CheckOutput, options: CheckOptions = {}): number {
  let bad = false;
  let failed = false;
  let limit = false;
  const docs: unknown[] = [];
  const sarif: SarifScenario[] = [];
  // --trace: the first finding's counterexample, else the first scenario's round-robin run
  let traced: { file: string; schedule: string; finding: boolean } | undefined;
  for (const file of files) {
    if (isModelFile(file)) {
      const say = options.json ? io.err ?? io.out : io.out;
      if (checkModelFile(file, say, say).errors) bad = true;
      continue;
    }
    const result = loadScenario(file);
    let fileErrors = false;
    for (const d of result.diagnostics) {
      // with --json, stdout carries only the JSON document
      (options.json ? io.err ?? io.out : io.out)(formatDiagnostic({ ...d, file: rel(d.file) }));
      if (d.severity === 'error') fileErrors = true;
    }
    if (!fileErrors && result.program === undefined) {
      io.out(`${file}:1:1: error: the scenario could not be loaded`);
      fileErrors = true;
    }
    if (fileErrors || !result.program) { bad = true; continue; }
    const p = result.program;
    const t0 = Date.now();
    const r = checkScenario(p, options);
    const seconds = (Date.now() - t0) / 1000;
    for (const e of r.errors) (options.json ? io.err ?? io.out : io.out)(e.includes(': error: ') ? e : `${file}: error: ${e}`);
    if (r.errors.some(e => e.includes(': error: '))) { bad = true; continue; }
    if (r.errors.length) limit = true;
    if (!r.ok) failed = true;
    sarif.push({ scenario: file, findings: r.findings, expectations: r.expectations });
    if (options.trace && !traced?.finding) {
      if (r.findings.length) traced = { file, schedule: r.findings[0].schedule, finding: true };
      else if (!traced) traced = { file, schedule: runScenario(p, { strategy: 'roundrobin', maxSteps: options.maxSteps }).machine.schedule(), finding: false };
    }
    if (options.json) {
      docs.push({
        scenario: file, model: modelName(p), config: configJson(p),
        search: { strategy: 'random', schedules: r.runs, states: null, complete: false, seconds },
        findings: r.findings.map(relFinding), expectations: r.expectations,
      });
    } else {
      // a run stopped by a limit leaves the verdict open: not 'ok'
      io.out(`${file}: ${!r.ok ? 'FAILED' : r.errors.length ? 'INCOMPLETE' : 'ok'} (${r.runs} schedules, ${r.findings.length} finding(s))`);
      for (const f of r.findings) io.out(formatFinding(f));
      for (const l of formatExpectations(r.expectations)) io.out(l);
    }
  }
  if (options.json) io.out(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
  const code = bad ? EXIT_BAD_INPUT : failed ? EXIT_EXPECTATION_FAILED : limit ? EXIT_LIMIT : EXIT_OK;
  const withSarif = options.sarif ? writeSarif(options.sarif, sarif, code, io.err ?? io.out) : code;
  return options.trace && traced ? withTrace(withSarif, writeRunTrace(traced.file, traced.schedule, options.trace, io.err ?? io.out)) : withSarif;
}
