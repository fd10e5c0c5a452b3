// The texts of a trace.dat's other events (kmalloc, sched_switch, ...), printed from their
// records when asked for rather than at import: a trace recorded with `-e kmem -e sched` has
// millions of them, and printing each through its print fmt took most of a minute for 2.7M
// events. The records stay in the CPUs' page bytes the import read; textAt names one as
// (record index + 1) * TEXT_AT_SCALE + the CPU's slot.
import { TEXT_AT_SCALE, TextSource } from '../store';
import type { CpuRecords } from './ring';
import type { EventPlan } from './events';
import { FieldReader } from './fieldReader';
import type { Symbols } from './symbols';
import { otherText } from './eventText';

/** where event text of CPU slot `slot`'s record `k` is (see RecordTexts) */
export function recordTextAt(slot: number, k: number): number { return (k + 1) * TEXT_AT_SCALE + slot; }

export class RecordTexts implements TextSource {
  private readonly rd: FieldReader;
  constructor(
    private readonly cpus: Pick<CpuRecords, 'data' | 'start' | 'length'>[],
    private readonly planOf: (rd: FieldReader) => EventPlan | null,
    private readonly symbols: Symbols,
    bigEndian: boolean,
  ) {
    this.rd = new FieldReader(bigEndian, symbols);
  }

  text(at: number): string {
    const slot = at % TEXT_AT_SCALE, k = Math.floor(at / TEXT_AT_SCALE) - 1;
    const c = this.cpus[slot];
    if (!c || k < 0 || k >= c.start.length) return '';
    const rd = this.rd.at(c.data, c.start[k], c.length[k]);
    const plan = this.planOf(rd);
    return plan ? otherText(plan, rd, this.symbols) : '';
  }
}
