// `lockstep check --explore exhaustive|bounded|pct|random ...`: the search over every file,
// human or JSON output, a progress line on a terminal, exit 3 when a limit stopped it.
import { formatDiagnostic, loadScenario, explore, CompileError, runScenario } from '../engine';
import type { ExploreOptions, ExploreResult, ExploreProgress, CheckedProgram } from '../engine';
import { formatFinding, configJson, modelName, formatExpectations, rel, relFinding } from './format';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_LIMIT, EXIT_OK } from './check';
import { writeSarif } from './sarif';
import type { SarifScenario } from './sarif';
import { writeRunTrace, withTrace } from './traceOut';
import { isModelFile, checkModelFile } from './checkModel';

export interface ExploreIo {
  out(line: string): void;
  err(line: string): void;
  /** a terminal's status line (rewritten in place); absent when stderr is not a terminal */
  progress?(text: string): void;
}

export type ExploreCliOptions = Omit<ExploreOptions, 'onProgress' | 'shouldStop'> & { json?: boolean; /** write SARIF 2.1.0 here */ sarif?: string; /** write the first finding's run (else the first round-robin run) as a trace here */ trace?: string };

/** The verdict of one search: 1 when an expectation surely failed, 3 when a limit left it open. */
export function verdict(p: CheckedProgram | undefined, r: Pick<ExploreResult, 'ok' | 'expectations' | 'findings' | 'search'>): number {
  const open = !!r.search.limit && r.search.limit !== 'first-finding';
  if (!open) return r.ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  // a limit: what was found stands (an unexpected finding fails), what was not found may still be there
  const expectsFinding = r.expectations.some(e => e.text.startsWith('expect finding '));
  const surelyFailed = r.expectations.some(e => !e.met && !e.text.startsWith('expect finding ')) || (!expectsFinding && r.findings.length > 0);
  void p;
  return surelyFailed ? EXIT_EXPECTATION_FAILED : EXIT_LIMIT;
}

export function searchLine(r: ExploreResult): string {
  const s = r.search;
  const bits = [`${s.strategy}: ${s.states} states, ${s.schedules} schedules`];
  if (s.preemptions !== undefined) bits.push(`${s.preemptions} preemption(s)`);
  if (s.shard) bits.push(`shard ${s.shard.index}/${s.shard.count}`);
  if (s.jobs) bits.push(`${s.jobs} jobs`);
  bits.push(s.complete ? 'complete' : s.limit ? `stopped: ${s.limit}` : 'not exhaustive');
  bits.push(`${s.seconds.toFixed(2)} s`);
  return bits.join(', ');
}

export async function runExploreCheck(files: readonly string[], io: ExploreIo, o: ExploreCliOptions): Promise<number> {
  let worst = EXIT_OK;
  const docs: unknown[] = [];
  const sarif: SarifScenario[] = [];
  let traced: { file: string; schedule: string; finding: boolean } | undefined;
  const rank = (c: number) => (c === EXIT_BAD_INPUT ? 3 : c === EXIT_EXPECTATION_FAILED ? 2 : c === EXIT_LIMIT ? 1 : 0);
  const note = (c: number) => { if (rank(c) > rank(worst)) worst = c; };
  for (const file of files) {
    if (isModelFile(file)) {
      const say = o.json ? io.err : io.out;
      if (checkModelFile(file, say, say).errors) note(EXIT_BAD_INPUT);
      continue;
    }
    const loaded = loadScenario(file);
    let errors = false;
    for (const d of loaded.diagnostics) {
      (o.json ? io.err : io.out)(formatDiagnostic({ ...d, file: rel(d.file) }));
      if (d.severity === 'error') errors = true;
    }
    if (errors || !loaded.program) { if (!errors) io.err(`${file}:1:1: error: the scenario could not be loaded`); note(EXIT_BAD_INPUT); continue; }
    const p = loaded.program;
    let shown = false;
    const onProgress = io.progress ? (pr: ExploreProgress) => {
      if (pr.elapsedMs < 1000) return;
      shown = true;
      io.progress!(`${rel(file)}: ${pr.states.toLocaleString('en')} states (${pr.statesPerSecond.toLocaleString('en')}/s), ${pr.schedules.toLocaleString('en')} schedules, depth ${pr.depth}, ${(pr.elapsedMs / 1000).toFixed(1)} s`);
    } : undefined;
    let r: ExploreResult;
    try {
      r = await explore(p, { ...o, onProgress });
    } catch (e) {
      if (shown) io.progress!('');
      if (e instanceof CompileError) { io.err(`${e.range.file}:${e.range.line}:${e.range.column}: error: ${e.message}`); note(EXIT_BAD_INPUT); continue; }
      throw e;
    }
    if (shown) io.progress!('');
    const code = verdict(p, r);
    note(code);
    sarif.push({ scenario: file, findings: r.findings, expectations: r.expectations });
    if (o.trace && !traced?.finding) {
      if (r.findings.length) traced = { file, schedule: r.findings[0].schedule, finding: true };
      else if (!traced) traced = { file, schedule: runScenario(p, { strategy: 'roundrobin', maxSteps: o.maxSteps }).machine.schedule(), finding: false };
    }
    if (o.json) {
      docs.push({
        scenario: file, model: modelName(p), config: configJson(p), search: r.search,
        findings: r.findings.map(relFinding), expectations: r.expectations,
      });
    } else {
      const word = code === EXIT_OK ? 'ok' : code === EXIT_LIMIT ? 'INCOMPLETE' : 'FAILED';
      io.out(`${file}: ${word} (${searchLine(r)}, ${r.findings.length} finding(s))`);
      if (r.search.message) io.out(`  ${r.search.message}`);
      for (const f of r.findings) io.out(formatFinding(f));
      for (const l of formatExpectations(r.expectations)) io.out(l);
    }
  }
  if (o.json) io.out(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
  const code = o.sarif ? writeSarif(o.sarif, sarif, worst, io.err) : worst;
  return o.trace && traced ? withTrace(code, writeRunTrace(traced.file, traced.schedule, o.trace, io.err)) : code;
}
