// A simulated run to export: the scenario run along a schedule with its steps and events
// recorded, plus every pcp count after every step (the Chrome trace's counters), sampled
// from the machine's memory on a second run of the same schedule.
import type { CheckedProgram } from '../lang/load';
import { runScenario, parseSchedule, applyChoice, RunResult } from '../run';
import { Machine } from '../sim/machine';
import { offsetOf } from '../sim/layout';
import type { RunCounts } from './chrome';

export interface ExportedRun { run: RunResult; counts: RunCounts }

export function runForExport(program: CheckedProgram, schedule: string, maxSteps?: number): ExportedRun {
  const run = runScenario(program, { schedule, recordSteps: true, maxSteps });
  const m = new Machine(program, { detectors: false, maxSteps });
  m.recordSteps = false;
  const countOff = offsetOf(m.pcpStruct, 'count');
  const sample = (): Int32Array => {
    const row = new Int32Array(m.zones.length * m.ncpus);
    for (let z = 0; z < m.zones.length; z++) for (let c = 0; c < m.ncpus; c++) row[z * m.ncpus + c] = m.mem[m.pcpAddr(z, c) + countOff];
    return row;
  };
  const counts: Int32Array[] = [sample()];
  const steps: number[] = [m.step];
  for (const ch of parseSchedule(schedule)) {
    if (ch.cpu >= m.ncpus || !applyChoice(m, ch)) break;
    counts.push(sample());
    steps.push(m.step);
  }
  return { run, counts: { zones: m.zones.map(z => z.name), ncpus: m.ncpus, counts, steps } };
}
