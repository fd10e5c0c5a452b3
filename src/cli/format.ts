// Human and JSON output of findings and runs.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding, CheckedProgram, ExpectResult, Machine } from '../engine';
import { machineState } from '../engine';

/** Paths under the working directory are shown relative to it, as compilers do. */
export function rel(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

/** A finding with its paths as the user sees them. */
export function relFinding(f: Finding): Finding {
  return {
    ...f,
    message: f.message.split(process.cwd() + path.sep).join(''),
    location: { ...f.location, file: rel(f.location.file) },
    stacks: f.stacks.map(s => ({ ...s, frames: s.frames.map(fr => ({ ...fr, file: rel(fr.file) })) })),
  };
}

export function formatFinding(finding: Finding): string {
  const f = relFinding(finding);
  const lines = [`${f.location.file}:${f.location.line}:${f.location.column}: ${f.kind}: ${f.message.split('\n')[0]}`];
  for (const l of f.message.split('\n').slice(1)) lines.push(`    ${l}`);
  lines.push(`  at step ${f.step}, CPU ${f.cpu} (${f.context})`);
  for (const s of f.stacks) {
    lines.push(`  CPU ${s.cpu} ${s.context}:`);
    for (const fr of s.frames) lines.push(`    ${fr.function} at ${fr.file}:${fr.line}:${fr.column}`);
  }
  lines.push(`  schedule: ${f.schedule}`);
  return lines.join('\n');
}

export function configJson(p: CheckedProgram): { smp: boolean; preemptRt: boolean; cpus: number } {
  return { smp: p.config.smp, preemptRt: p.config.preemptRt, cpus: p.config.cpus };
}

export function modelName(p: CheckedProgram): string {
  return p.scenario.model?.quoted ? rel(p.modelFile) : p.scenario.model?.name ?? '';
}

export function formatExpectations(ex: ExpectResult[]): string[] {
  return ex.map(e => `  ${e.met ? 'ok  ' : 'FAIL'} ${e.text}`);
}

export function runJson(m: Machine): unknown {
  return {
    steps: m.steps.map(s => {
      const r = m.locOf(s.loc);
      return { step: s.step, cpu: s.cpu, context: s.context, location: r ? { file: rel(r.file), line: r.line, column: r.column } : null, event: s.event ?? null };
    }),
    findings: m.findings.map(relFinding),
    events: m.events.filter(e => e.kind !== 'lock-released'),
    schedule: m.schedule(),
    state: machineState(m),
  };
}

/** Writes an output file the user named; a failure (no such directory, no permission) is said
 * as `lockstep: cannot write the WHAT 'FILE': why` and gives false. */
export function writeOutput(file: string, text: string, what: string, err: (line: string) => void): boolean {
  try {
    fs.writeFileSync(file, text);
    return true;
  } catch (e) {
    err(`lockstep: cannot write the ${what} '${file}': ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}
