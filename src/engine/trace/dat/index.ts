// Imports trace-cmd's binary trace.dat (file versions 6 and 7, uncompressed or with zlib or
// zstd sections) into the same ImportedTrace the text importers give, so replay,
// reconstruction, export and the debugger work on a .dat unchanged. Steps: file.ts finds
// the metadata and the CPU data (reader.ts: bounded reads, decompress.ts: zlib/zstd),
// format.ts parses the event formats, ring.ts cuts each CPU's pages into records, merge.ts
// orders them by time, adapter.ts fills the EventStore (events.ts: which fields fill which
// column, eventText.ts/printFmt.ts/printk.ts: the text column, symbols.ts: kallsyms,
// tasks.ts: saved cmdlines).
import * as fs from 'fs';
import type { ImportedTrace, TraceWarning } from '../import';
import { readDatFile } from './file';
import { DatFormatError } from './errors';
import { Field, parseFormat, parsePageHeader } from './format';
import { cpuBytes, readCpuRecords, CpuRecords } from './ring';
import { planFor, EventPlan } from './events';
import { toImportedTrace } from './adapter';
import { Progress, ProgressFn } from '../progress';

export { DatFormatError } from './errors';

/**
 * Imports the trace.dat at `file`. A malformed file throws what `error(offset, message)`
 * makes (the caller's TraceImportError), with the byte offset where reading failed.
 */
export function importTraceDat(file: string, error: (offset: number, message: string) => Error, progress?: ProgressFn): ImportedTrace {
  // the file is read whole (its CPU data is cut into records in memory): Node reads at most 2 GiB at once
  const size = fs.statSync(file).size;
  if (size > MAX_DAT_BYTES) throw error(0, `${file}: a trace.dat of ${(size / 2 ** 30).toFixed(1)} GiB is more than this reader takes (2 GiB); print it as text, which is read as it streams: trace-cmd report -i ${file} > ${file.replace(/\.dat$/, '')}.txt`);
  const buf = fs.readFileSync(file);
  try {
    return importDatBuffer(buf, file, progress);
  } catch (e) {
    if (e instanceof DatFormatError) throw error(e.offset, `${file}: ${e.message} (at byte ${e.offset})`);
    throw e;
  }
}

/** the largest trace.dat read (what fs.readFileSync reads at once) */
const MAX_DAT_BYTES = 2 ** 31 - 1;

/** The same over bytes in memory (tests). Throws DatFormatError. */
export function importDatBuffer(buf: Buffer, file = '<trace.dat>', progressFn?: ProgressFn): ImportedTrace {
  // (reported as the bytes of the CPUs' data cut into records: the metadata is quick)
  const progress = new Progress(progressFn, buf.length);
  const dat = readDatFile(buf);
  const warnings: TraceWarning[] = [];
  if (!/type_len\s*:\s*5 bits/.test(dat.headerEvent)) throw new DatFormatError(0, 'header_event does not describe the ring buffer this reader knows (type_len: 5 bits, time_delta: 27 bits)');
  const ph = parsePageHeader(dat.headerPage, dat.longSize);
  if (ph.dataOffset >= dat.pageSize || (ph.commitSize !== 4 && ph.commitSize !== 8)) throw new DatFormatError(0, `header_page describes an impossible page (data at ${ph.dataOffset}, commit of ${ph.commitSize} bytes, page of ${dat.pageSize})`);
  // the kernel's long (stack addresses, pointers) is header_page's commit size
  dat.longSize = ph.commitSize;
  // a kernel has ~1500 event formats and a trace uses a dozen: index them by ID, parse on first use
  const plans = new Plans();
  for (const t of dat.ftraceFormats) plans.add(t, 'ftrace');
  for (const e of dat.eventFormats) plans.add(e.text, e.system);
  const commonType: Field = plans.commonType() ?? { name: 'common_type', type: 'unsigned short', offset: 0, size: 2, signed: false, dataLoc: false, arrayLen: -1 };
  for (const n of dat.notes) warnings.push({ line: 0, message: `${n.message} (at byte ${n.offset})` });
  if (!dat.cpus.length) throw new DatFormatError(0, dat.latency ? 'a latency-tracer trace.dat (text, no ring-buffer events) is not supported; use trace-cmd report' : 'no CPU data in the file (no flyrecord buffer)');
  const cpus: CpuRecords[] = [];
  for (const c of dat.cpus) {
    const data = cpuBytes(buf, dat, c);
    cpus.push(readCpuRecords(data, c.cpu, c.offset, dat.version >= 7 && dat.compression !== 'none' && c.size > 0, dat, ph));
    progress.at(c.offset + c.size);
  }
  const trace = toImportedTrace({ file, bytes: buf.length, dat, cpus, plans, commonType, warnings });
  for (const w of plans.problems) trace.warnings.unshift({ line: 0, message: w });
  return trace;
}

/** Event formats by ID, parsed when a record of that ID first comes. */
export class Plans {
  private readonly texts = new Map<number, { text: string; system: string }>();
  private readonly parsed = new Map<number, EventPlan | null>();
  readonly problems: string[] = [];

  add(text: string, system: string): void {
    const m = /^ID:\s*(\d+)/m.exec(text);
    if (!m) { this.problems.push(`${system} event format without an ID: line skipped (${JSON.stringify(text.slice(0, 40))})`); return; }
    this.texts.set(Number(m[1]), { text, system });
  }

  get(id: number): EventPlan | undefined {
    let p = this.parsed.get(id);
    if (p === undefined) {
      const t = this.texts.get(id);
      const f = t ? parseFormat(t.text, t.system) : null;
      if (typeof f === 'string') this.problems.push(`${t!.system} event format skipped: ${f}`);
      p = f && typeof f !== 'string' ? planFor(f) : null;
      this.parsed.set(id, p);
    }
    return p ?? undefined;
  }

  /** common_type's place, from the first format that parses. */
  commonType(): Field | undefined {
    for (const id of this.texts.keys()) {
      const f = this.get(id)?.format.byName.get('common_type');
      if (f) return f;
    }
    return undefined;
  }
}
