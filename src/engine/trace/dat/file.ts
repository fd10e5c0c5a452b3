// The layout of a trace-cmd trace.dat, versions 6 and 7 (trace-cmd.dat.v6(5), .v7(5)):
// the initial header (magic, version, endianness, long size, page size), then the metadata
// (header_page/header_event, ftrace and event format files, kallsyms, printk formats, saved
// cmdlines) and where each CPU's ring-buffer pages are. Version 6 stores the metadata one
// after the other; version 7 stores it in sections found through OPTIONS sections, each
// section possibly compressed. This file only finds and unpacks the parts; their text is
// parsed elsewhere (format.ts, symbols.ts, tasks.ts) and the pages by ring.ts.
import { ByteReader } from './reader';
import { DatFormatError, MAX_SECTION_BYTES } from './errors';
import { Compression, compressionOf, decompressBlock } from './decompress';

export interface CpuData {
  cpu: number;
  /** file offset and size of the CPU's data as stored (compressed or not) */
  offset: number;
  size: number;
}

export interface DatFile {
  version: number;
  bigEndian: boolean;
  /** user-space long size from the header; the kernel's is header_page's commit size */
  longSize: number;
  pageSize: number;
  compression: Compression;
  headerPage: string;
  headerEvent: string;
  /** the ftrace system's format files (print, kernel_stack, function...) */
  ftraceFormats: string[];
  eventFormats: { system: string; text: string }[];
  /** /proc/kallsyms as stored (4 MB of bytes, scanned by symbols.ts without a string);
   * a v7 file's section is inflated on the first call only: a trace without stacks or
   * kprobes never needs it */
  kallsyms: () => Buffer;
  printk: string;
  cmdlines: string;
  traceClock: string;
  /** nanoseconds added to every timestamp (OFFSET and DATE options) */
  tsOffset: number;
  /** TSC2NSEC option: the x86-tsc clock's cycles to ns, ns = (cycles * mult >> shift) + offset */
  tsc2nsec?: { mult: number; shift: number; offset: bigint };
  cpus: CpuData[];
  /** a latency tracer's file (v7 BUFFER_TEXT): text, no ring-buffer events */
  latency?: boolean;
  /** what was not understood but skipped */
  notes: { offset: number; message: string }[];
}

export const MAGIC = Buffer.from([0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67]);

// option ids (the same numbers identify the sections they point to)
const OPT_DONE = 0, OPT_DATE = 1, OPT_BUFFER = 3, OPT_TRACECLOCK = 4, OPT_OFFSET = 7, OPT_TSC2NSEC = 14, OPT_BUFFER_TEXT = 22;
const OPT_HEADER_INFO = 16, OPT_FTRACE_EVENTS = 17, OPT_EVENT_FORMATS = 18, OPT_KALLSYMS = 19, OPT_PRINTK = 20, OPT_CMDLINES = 21;
const SECTION_COMPRESSED = 1;
const MAX_CPUS = 8192;
const MAX_FORMATS = 100000;

function emptyDat(): DatFile {
  return { version: 0, bigEndian: false, longSize: 8, pageSize: 4096, compression: 'none', headerPage: '', headerEvent: '', ftraceFormats: [], eventFormats: [], kallsyms: () => Buffer.alloc(0), printk: '', cmdlines: '', traceClock: '', tsOffset: 0, cpus: [], notes: [] };
}

/** Reads the layout of the trace.dat in `buf` (the whole file). */
export function readDatFile(buf: Buffer): DatFile {
  const d = emptyDat();
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new DatFormatError(0, 'not a trace-cmd trace.dat (no \\x17\\x08\\x44tracing magic)');
  const r = new ByteReader(buf, false, 0, 'file header');
  r.pos = MAGIC.length;
  const verText = r.cstring('file version', 16);
  d.version = Number(verText);
  if (d.version !== 6 && d.version !== 7) r.fail(`trace.dat version '${verText}' is not supported (6 and 7 are)`, MAGIC.length);
  const endian = r.u8('endianness');
  if (endian > 1) r.fail(`endianness byte is ${endian} (0 little, 1 big)`, r.pos - 1);
  d.bigEndian = endian === 1;
  const br = new ByteReader(buf, d.bigEndian, 0, 'file');
  br.pos = r.pos;
  d.longSize = br.u8('long size');
  if (d.longSize !== 4 && d.longSize !== 8) br.fail(`long size is ${d.longSize} (4 or 8)`, br.pos - 1);
  const psAt = br.pos;
  d.pageSize = br.u32('page size');
  if (d.pageSize < 64 || d.pageSize > (1 << 20) || (d.pageSize & (d.pageSize - 1))) br.fail(`page size ${d.pageSize} is not a power of two between 64 and 1 MiB`, psAt);
  if (d.version === 6) readV6(br, d); else readV7(br, d);
  return d;
}

function headerInfo(r: ByteReader, d: DatFile): void {
  const tag = (t: string) => {
    const at = r.pos;
    const s = r.cstring(`'${t}' tag`, 16);
    if (s !== t) r.fail(`expected '${t}', found '${s.slice(0, 16)}'`, at);
  };
  tag('header_page');
  d.headerPage = r.bytes(r.size(8, 'header_page size'), 'header_page').toString('latin1');
  tag('header_event');
  d.headerEvent = r.bytes(r.size(8, 'header_event size'), 'header_event').toString('latin1');
}

function ftraceFormats(r: ByteReader, d: DatFile): void {
  const n = r.u32('ftrace format count');
  if (n > MAX_FORMATS) r.fail(`${n} ftrace formats: not a trace.dat count`, r.pos - 4);
  for (let k = 0; k < n; k++) d.ftraceFormats.push(r.bytes(r.size(8, 'ftrace format size'), 'ftrace format').toString('latin1'));
}

function eventFormats(r: ByteReader, d: DatFile): void {
  const systems = r.u32('event system count');
  if (systems > MAX_FORMATS) r.fail(`${systems} event systems: not a trace.dat count`, r.pos - 4);
  for (let s = 0; s < systems; s++) {
    const system = r.cstring('event system name', 256);
    const n = r.u32(`event count of system ${system}`);
    if (n > MAX_FORMATS) r.fail(`${n} events in system ${system}: not a trace.dat count`, r.pos - 4);
    for (let k = 0; k < n; k++) d.eventFormats.push({ system, text: r.bytes(r.size(8, `${system} format size`), `${system} format`).toString('latin1') });
  }
}

const textBlock = (r: ByteReader, bytes: 4 | 8, what: string) => r.bytes(r.size(bytes, `${what} size`), what).toString('latin1');

function readV6(r: ByteReader, d: DatFile): void {
  headerInfo(r, d);
  ftraceFormats(r, d);
  eventFormats(r, d);
  const kallsyms = r.bytes(r.size(4, 'kallsyms size'), 'kallsyms');
  d.kallsyms = () => kallsyms;
  d.printk = textBlock(r, 4, 'printk formats');
  d.cmdlines = textBlock(r, 8, 'saved cmdlines');
  const ncpus = r.u32('CPU count');
  if (ncpus > MAX_CPUS) r.fail(`${ncpus} CPUs: not a trace.dat count`, r.pos - 4);
  let kind = r.bytes(10, "'options', 'latency' or 'flyrecord'").toString('latin1');
  if (kind.startsWith('options')) {
    for (;;) {
      const id = r.u16('option id');
      if (id === OPT_DONE) break;
      const at = r.pos;
      const data = r.bytes(r.size(4, 'option size'), 'option');
      option(d, id, data, new ByteReader(data, d.bigEndian, at + 4, 'option'), false);
    }
    kind = r.bytes(10, "'latency' or 'flyrecord'").toString('latin1');
  }
  if (kind.startsWith('latency')) r.fail('a latency-tracer trace.dat (text, no ring-buffer events) is not supported; use trace-cmd report', r.pos - 10);
  if (!kind.startsWith('flyrecord')) r.fail(`expected 'flyrecord', found '${kind.replace(/[^\x20-\x7e]/g, '.')}'`, r.pos - 10);
  for (let c = 0; c < ncpus; c++) {
    const offset = r.u64(`CPU ${c} data offset`);
    const size = r.u64(`CPU ${c} data size`);
    d.cpus.push({ cpu: c, offset, size });
  }
}

interface Section { id: number; data: Buffer; reader: ByteReader }

/** The section at `offset`: its header, then its data, decompressed if flagged. */
function section(buf: Buffer, d: DatFile, offset: number, what: string): Section {
  const r = new ByteReader(buf, d.bigEndian, 0, `${what} section`);
  r.seek(offset, `the ${what} section`);
  const id = r.u16('section id');
  const flags = r.u16('section flags');
  r.u32('section description');
  const size = r.size(8, `${what} section size`);
  const at = r.pos;
  if (!(flags & SECTION_COMPRESSED)) {
    const data = r.bytes(size, what);
    return { id, data, reader: new ByteReader(data, d.bigEndian, at, what) };
  }
  const zsize = r.size(4, `compressed ${what} size`, size - 4);
  const usize = r.u32(`uncompressed ${what} size`);
  if (usize > MAX_SECTION_BYTES) r.fail(`uncompressed ${what} size ${usize} is more than a trace.dat holds`, r.pos - 4);
  const data = decompressBlock(d.compression, r.bytes(zsize, `compressed ${what}`), usize, at);
  return { id, data, reader: new ByteReader(data, d.bigEndian, at, what, false) };
}

function readV7(r: ByteReader, d: DatFile): void {
  d.compression = compressionOf(r.cstring('compression name', 64), r.pos);
  r.cstring('compression version', 64);
  let next = r.u64('first options section offset');
  const seen = new Set<number>();
  const sections: [number, number][] = [];
  while (next) {
    if (seen.has(next)) r.fail(`options sections form a loop at byte ${next}`);
    seen.add(next);
    const s = section(r.buf, d, next, 'options');
    if (s.id !== 0) r.fail(`section at byte ${next} is of kind ${s.id}, expected options (0)`, next);
    next = 0;
    const o = s.reader;
    while (o.remaining > 0) {
      const id = o.u16('option id');
      const size = o.size(4, `option ${id} size`);
      const at = o.pos;
      const data = o.bytes(size, `option ${id}`);
      const dr = new ByteReader(data, d.bigEndian, o.fileOffset(at), `option ${id}`, o.exactBase);
      if (id === OPT_DONE) { next = dr.u64('next options section offset'); break; }
      if (id >= OPT_HEADER_INFO && id <= OPT_CMDLINES) sections.push([id, dr.u64(`option ${id} section offset`)]);
      else option(d, id, data, dr, true);
    }
  }
  const open = (id: number, offset: number) => {
    const what = SECTION_NAMES[id];
    const s = section(r.buf, d, offset, what);
    if (s.id !== id) r.fail(`section at byte ${offset} is of kind ${s.id}, the ${what} option expects ${id}`, offset);
    return s.reader;
  };
  for (const [id, offset] of sections) {
    if (id === OPT_KALLSYMS) {
      let bytes: Buffer | undefined;
      d.kallsyms = () => { if (!bytes) { const q = open(id, offset); bytes = q.bytes(q.size(4, 'kallsyms size'), 'kallsyms'); } return bytes; };
      continue;
    }
    const q = open(id, offset);
    switch (id) {
      case OPT_HEADER_INFO: headerInfo(q, d); break;
      case OPT_FTRACE_EVENTS: ftraceFormats(q, d); break;
      case OPT_EVENT_FORMATS: eventFormats(q, d); break;
      case OPT_PRINTK: d.printk = textBlock(q, 4, 'printk formats'); break;
      case OPT_CMDLINES: d.cmdlines = textBlock(q, 8, 'saved cmdlines'); break;
    }
  }
  if (!d.headerPage) throw new DatFormatError(0, 'no header_page/header_event (HEADER_INFO section) in the file');
}

const SECTION_NAMES: Record<number, string> = { 16: 'header info', 17: 'ftrace formats', 18: 'event formats', 19: 'kallsyms', 20: 'printk formats', 21: 'saved cmdlines' };

/** An option other than the section pointers and DONE. */
function option(d: DatFile, id: number, data: Buffer, r: ByteReader, v7: boolean): void {
  const str = () => { const z = data.indexOf(0); return data.toString('latin1', 0, z < 0 ? data.length : z); };
  switch (id) {
    case OPT_TRACECLOCK: {
      // "local [global] counter ...": the selected clock is the bracketed one
      const m = /\[(\S+)\]/.exec(str());
      if (m) d.traceClock = m[1];
      break;
    }
    case OPT_OFFSET: { const v = Number(str()); if (Number.isFinite(v)) d.tsOffset += v; break; }
    case OPT_DATE: { const v = Number(str()); if (Number.isFinite(v)) d.tsOffset += v * 1000; break; }
    case OPT_BUFFER: if (v7) buffer(d, data, r); break;
    case OPT_BUFFER_TEXT: d.latency = true; break;
    case OPT_TSC2NSEC:
      if (data.length >= 16) d.tsc2nsec = { mult: r.u32('TSC2NSEC multiplier'), shift: r.u32('TSC2NSEC shift'), offset: d.bigEndian ? data.readBigUInt64BE(8) : data.readBigUInt64LE(8) };
      break;
    default: break;
  }
}

/**
 * A v7 BUFFER option: offset of its flyrecord section, instance name ("" = the top buffer,
 * the only one imported), clock, then per CPU: id, offset, size. trace-cmd 3.1 and later
 * also store the sub-buffer (page) size before the CPU count; earlier v7 writers did not,
 * so the layout is chosen by which one uses the option's bytes exactly.
 */
function buffer(d: DatFile, data: Buffer, r: ByteReader): void {
  r.u64('buffer section offset');
  const name = r.cstring('buffer instance name', 1024);
  const clock = r.cstring('buffer clock', 256);
  if (name !== '') { d.notes.push({ offset: r.fileOffset(0), message: `buffer instance '${name}' skipped (only the top buffer is imported)` }); return; }
  if (clock) d.traceClock = clock;
  const at = r.pos;
  const rest = data.length - at;
  const countAt = (p: number) => (p + 4 <= data.length ? (d.bigEndian ? data.readUInt32BE(p) : data.readUInt32LE(p)) : -1);
  let n = countAt(at + 4);
  if (n >= 0 && rest === 8 + n * 20) { r.u32('buffer page size'); } else {
    n = countAt(at);
    if (n < 0 || rest !== 4 + n * 20) r.fail(`buffer option of ${data.length} bytes does not hold a CPU table`, at);
  }
  r.u32('buffer CPU count');
  if (n > MAX_CPUS) r.fail(`${n} CPUs: not a trace.dat count`, at);
  for (let k = 0; k < n; k++) {
    const cpu = r.u32('CPU id');
    const offset = r.u64(`CPU ${cpu} data offset`);
    const size = r.u64(`CPU ${cpu} data size`);
    d.cpus.push({ cpu, offset, size });
  }
}
