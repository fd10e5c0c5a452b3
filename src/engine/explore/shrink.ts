// Shrinking a finding's schedule: the shortest schedule we can find that still reproduces
// the same kind at the same location, replayed exactly as `lockstep run --schedule` does.
// First the run is cut right after the step that reported it; then ddmin-style passes
// delete chunks of choices (halving the chunk size) and keep a deletion when the shorter
// schedule still replays without error and reports the finding. Every candidate is checked
// by replay, so whatever is returned reproduces the finding.
import type { CheckedProgram } from '../lang/load';
import { Machine, compressSchedule, Checkpoint } from '../sim/machine';
import type { Finding } from '../sim/state';
import { parseSchedule, applyChoice, describeChoice, Choice } from '../run';
import { findingKey } from './findingSet';

// One machine per program, put back to its boot state for each replay (building a machine
// compiles the model: far more than a short replay costs).
const machines = new WeakMap<CheckedProgram, { m: Machine; boot: Checkpoint; maxSteps: number }>();

function bootMachine(program: CheckedProgram, maxSteps: number): Machine {
  let e = machines.get(program);
  if (!e || e.maxSteps !== maxSteps) {
    const m = new Machine(program, { maxSteps });
    m.recordSteps = false;
    e = { m, boot: m.checkpoint(), maxSteps };
    machines.set(program, e);
  } else e.m.restore(e.boot);
  return e.m;
}

/** The step count at which the schedule reproduces the finding, or -1. */
export function reproduces(program: CheckedProgram, choices: Choice[], key: string, maxSteps: number): number {
  const m = bootMachine(program, maxSteps);
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
  cur = shrinkBlocks(program, cur, key, o.maxSteps, deadline);
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

/**
 * Block by block (a block is a run of one choice, c0*289): the fewest repeats, from none
 * up, that still reproduce the finding with everything else kept. The finding often needs
 * a CPU to reach one window of its code, and that window may come long before the one the
 * search happened to find first (B1: the first pcp->lock of the drain, not the last).
 */
function shrinkBlocks(program: CheckedProgram, start: Choice[], key: string, maxSteps: number, deadline: number): Choice[] {
  let cur = start;
  for (let round = 0; round < 4; round++) {
    let changed = false;
    const blocks = toBlocks(cur);
    for (let b = 0; b < blocks.length && Date.now() < deadline; b++) {
      const full = blocks[b].n;
      for (let k = 0; k < full && Date.now() < deadline; k++) {
        const cand = fromBlocks(blocks.map((x, i) => (i === b ? { ch: x.ch, n: k } : x)));
        const n = reproduces(program, cand, key, maxSteps);
        if (n > 0) {
          cur = cand.slice(0, n);
          const nb = toBlocks(cur);
          blocks.splice(0, blocks.length, ...nb);
          changed = true;
          break;
        }
      }
    }
    if (!changed) break;
  }
  return cur;
}

function toBlocks(cs: Choice[]): { ch: Choice; n: number }[] {
  const out: { ch: Choice; n: number }[] = [];
  for (const c of cs) {
    const last = out[out.length - 1];
    if (last && last.ch.kind === c.kind && last.ch.cpu === c.cpu && last.ch.irq === c.irq) last.n++;
    else out.push({ ch: c, n: 1 });
  }
  return out;
}

function fromBlocks(bs: { ch: Choice; n: number }[]): Choice[] {
  const out: Choice[] = [];
  for (const b of bs) for (let i = 0; i < b.n; i++) out.push(b.ch);
  return out;
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
