// Shrinking a finding's schedule: the shortest schedule we can find that still reproduces
// the same kind at the same location, replayed exactly as `lockstep run --schedule` does.
// First the run is cut right after the step that reported it; then ddmin-style passes
// delete chunks of choices (halving the chunk size) and keep a deletion when the shorter
// schedule still replays without error and reports the finding. Every candidate is checked
// by replay, so whatever is returned reproduces the finding.
import type { CheckedProgram } from '../lang/load';
import { Machine, compressSchedule } from '../sim/machine';
import type { Finding } from '../sim/state';
import { parseSchedule, applyChoice, describeChoice, Choice } from '../run';
import { findingKey } from './findingSet';

/** The step count at which the schedule reproduces the finding, or -1. */
export function reproduces(program: CheckedProgram, choices: Choice[], key: string, maxSteps: number): number {
  const m = new Machine(program, { maxSteps });
  m.recordSteps = false;
  for (let i = 0; i < choices.length; i++) {
    const ch = choices[i];
    const nf = m.findings.length;
    if (ch.cpu >= m.ncpus || !applyChoice(m, ch)) return -1;
    for (let k = nf; k < m.findings.length; k++) if (findingKey(m.findings[k]) === key) return i + 1;
  }
  return -1;
}

export interface ShrinkOptions { maxSteps: number; budgetMs: number }

/** The finding with its shrunk schedule (the finding as replay reports it). */
export function shrinkFinding(program: CheckedProgram, f: Finding, o: ShrinkOptions): Finding {
  const key = findingKey(f);
  const deadline = Date.now() + o.budgetMs;
  let cur = parseSchedule(f.schedule);
  const n0 = reproduces(program, cur, key, o.maxSteps);
  if (n0 < 0) return f;                       // cannot happen; keep the original rather than lie
  cur = cur.slice(0, n0);
  let chunk = Math.max(1, cur.length >> 1);
  while (chunk >= 1 && Date.now() < deadline) {
    let changed = false;
    for (let start = cur.length - chunk; start >= 0 && Date.now() < deadline; start -= chunk) {
      const cand = cur.slice(0, start).concat(cur.slice(start + chunk));
      const n = reproduces(program, cand, key, o.maxSteps);
      if (n > 0) { cur = cand.slice(0, n); changed = true; start = Math.min(start, cur.length); }
    }
    if (!changed) chunk >>= 1;
    else chunk = Math.min(chunk, Math.max(1, cur.length >> 1));
  }
  return replayFinding(program, compressSchedule(cur.map(describeChoice)), key, o.maxSteps) ?? f;
}

/** Replays a schedule and returns the finding of that key as the replay reports it. */
export function replayFinding(program: CheckedProgram, schedule: string, key: string, maxSteps: number): Finding | undefined {
  const m = new Machine(program, { maxSteps });
  m.recordSteps = false;
  for (const ch of parseSchedule(schedule)) {
    const nf = m.findings.length;
    if (ch.cpu >= m.ncpus || !applyChoice(m, ch)) return undefined;
    for (let k = nf; k < m.findings.length; k++) if (findingKey(m.findings[k]) === key) return m.findings[k];
  }
  return undefined;
}
