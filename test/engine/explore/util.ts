// Helpers of the explorer suites (not a suite itself).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckedProgram, formatDiagnostic, loadScenario, runScenario, Finding, findingKey } from '../../../src/engine';
import type { LoadOptions } from '../../../src/engine';

/** Repository root: this file runs as out/test/engine/explore/util.js. */
export const root = path.resolve(__dirname, '..', '..', '..', '..');

export function load(rel: string, options: LoadOptions = {}): CheckedProgram {
  const r = loadScenario(path.join(root, rel), options);
  assert.ok(r.program, `${rel} did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.program;
}

export function keys(findings: Finding[]): string[] {
  return findings.map(findingKey).sort();
}

/** Replays the finding's schedule as `lockstep run --schedule` does; it must report the same kind at the same place. */
export function assertReplays(p: CheckedProgram, f: Finding): void {
  const r = runScenario(p, { schedule: f.schedule, recordSteps: false });
  assert.notEqual(r.stop, 'schedule-error', `${f.schedule}: ${r.message}`);
  assert.ok(r.findings.some(g => findingKey(g) === findingKey(f)), `${f.schedule} does not reproduce ${findingKey(f)}; it reports ${r.findings.map(findingKey).join(', ') || 'nothing'}`);
}

/** The scenario on one CPU (a UP run): other CPUs' blocks move to CPU 0, their pcp lines go. */
export function foldOntoCpu0(text: string): string {
  return text
    .replace(/^pcp cpu [1-9]\d*.*$/mg, '')
    .replace(/^cpus \d+/m, 'cpus 1')
    .replace(/^(task|irq) cpu \d+/mg, '$1 cpu 0')
    .replace(/per_cpu_ptr\(([^,()]+(?:->[^,()]+)*), \d+\)/g, 'per_cpu_ptr($1, 0)');
}

export const CONFIGS: { name: string; config: Record<string, boolean>; up: boolean }[] = [
  { name: 'SMP', config: { SMP: true, PREEMPT_RT: false }, up: false },
  { name: 'UP', config: { UP: true, PREEMPT_RT: false }, up: true },
  { name: 'PREEMPT_RT', config: { SMP: true, PREEMPT_RT: true }, up: false },
];

/** The scenario under one of CONFIGS (a UP run folds it onto CPU 0). */
export function loadUnder(rel: string, cfg: typeof CONFIGS[number]): CheckedProgram {
  const file = path.join(root, rel);
  const text = fs.readFileSync(file, 'utf8');
  const scenario = cfg.up ? foldOntoCpu0(text) : text;
  return load(rel, { config: cfg.config, readFile: f => (f === file ? scenario : fs.readFileSync(f, 'utf8')) });
}
