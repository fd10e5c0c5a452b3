// One CPU's ftrace ring-buffer pages, as trace-cmd copied them into the trace.dat, cut into
// records. Each page: a header (timestamp of the page, commit = bytes of events in it, with
// bit 31 set when events were lost before it and bit 30 when their count is stored after
// the data), then events, each a 32-bit header of type_len (5 bits) and time_delta (27):
//   type_len 1..28  data of type_len * 4 bytes follows
//   type_len 0      the next 32 bits hold the length, data after them
//   29 padding (time_delta 0: the rest of the page is empty; else a discarded event)
//   30 time extend  (next 32 bits << 27) + time_delta is added to the time
//   31 time stamp   an absolute time
// Each data event's time is the previous time plus its time_delta.
import type { DatFile, CpuData } from './file';
import type { PageHeader } from './format';
import { ByteReader } from './reader';
import { DatFormatError, MAX_SECTION_BYTES } from './errors';
import { decompressBlock } from './decompress';

const TYPE_PADDING = 29, TYPE_TIME_EXTEND = 30, TYPE_TIME_STAMP = 31;
const COMMIT_MASK = (1 << 27) - 1;
const MISSED_EVENTS = 0x80000000, MISSED_STORED = 0x40000000;
const TWO27 = 1 << 27, TWO32 = 0x100000000;

/** The records of one CPU: times (ns) and where each record's data is in `data`. */
export interface CpuRecords {
  cpu: number;
  data: Buffer;
  /** file offset of data[0] (for messages; of a compressed CPU: where its chunks start) */
  fileOffset: number;
  compressed: boolean;
  count: number;
  ts: Float64Array;
  start: Int32Array;
  length: Int32Array;
  /** lost-event notes: [record index before which, count (-1 unknown), page offset] */
  lost: [number, number, number][];
}

/** The CPU's page bytes: as stored, or its zlib/zstd chunks inflated and joined. */
export function cpuBytes(file: Buffer, d: DatFile, c: CpuData): Buffer {
  if (c.offset + c.size > file.length) {
    throw new DatFormatError(file.length, `CPU ${c.cpu}'s data is bytes ${c.offset}..${c.offset + c.size} but the file ends at byte ${file.length}: the file is truncated`);
  }
  if (d.version < 7 || d.compression === 'none' || c.size === 0) return file.subarray(c.offset, c.offset + c.size);
  // trace-cmd 3.1 records the size of the chunks without their 4-byte count: read the
  // chunks up to the end of the file rather than trusting the size to the byte
  const raw = file.subarray(c.offset, Math.min(file.length, c.offset + c.size + 4));
  const r = new ByteReader(raw, d.bigEndian, c.offset, `CPU ${c.cpu} data`);
  const chunks = r.u32('chunk count');
  if (chunks > raw.length / 8) r.fail(`${chunks} compressed chunks cannot fit in ${raw.length} bytes`, 0);
  // the chunk headers first: the total size, checked, then every chunk inflated in place
  const chunkAt: number[] = [], zsizes: number[] = [], sizes: number[] = [];
  let total = 0;
  for (let k = 0; k < chunks; k++) {
    const at = r.pos;
    const zsize = r.size(4, `chunk ${k} compressed size`);
    const size = r.u32(`chunk ${k} size`);
    total += size;
    if (total > MAX_SECTION_BYTES) r.fail(`CPU ${c.cpu}'s chunks inflate to more than ${MAX_SECTION_BYTES} bytes`, at);
    chunkAt.push(r.pos); zsizes.push(zsize); sizes.push(size);
    r.bytes(zsize, `chunk ${k}`);
  }
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (let k = 0; k < chunks; k++) {
    decompressBlock(d.compression, raw.subarray(chunkAt[k], chunkAt[k] + zsizes[k]), sizes[k], c.offset + chunkAt[k] - 8, out.subarray(p, p + sizes[k]));
    p += sizes[k];
  }
  return out;
}

function grow(a: Float64Array | Int32Array, n: number): any {
  const b = new (a.constructor as any)(n);
  b.set(a);
  return b;
}

/** Cuts one CPU's pages into records. Throws a DatFormatError on a malformed page. */
export function readCpuRecords(data: Buffer, cpu: number, fileOffset: number, compressed: boolean, d: DatFile, ph: PageHeader): CpuRecords {
  const be = d.bigEndian;
  const pageSize = d.pageSize;
  let cap = Math.max(64, Math.ceil(data.length / 24));
  const out: CpuRecords = { cpu, data, fileOffset, compressed, count: 0, ts: new Float64Array(cap), start: new Int32Array(cap), length: new Int32Array(cap), lost: [] };
  const u32 = (p: number) => (be ? data.readUInt32BE(p) : data.readUInt32LE(p));
  const u64 = (p: number) => (be ? data.readUInt32BE(p) * TWO32 + data.readUInt32BE(p + 4) : data.readUInt32LE(p + 4) * TWO32 + data.readUInt32LE(p));
  const where = (p: number) => (compressed ? `CPU ${cpu}'s data (inflated) byte ${p}` : `byte ${fileOffset + p}`);
  const fail = (p: number, msg: string): never => { throw new DatFormatError(compressed ? fileOffset : fileOffset + p, `${msg} (CPU ${cpu}, ${where(p)})`); };
  const push = (ts: number, start: number, length: number) => {
    if (out.count === cap) { cap *= 2; out.ts = grow(out.ts, cap); out.start = grow(out.start, cap); out.length = grow(out.length, cap); }
    out.ts[out.count] = ts; out.start[out.count] = start; out.length[out.count] = length; out.count++;
  };
  for (let page = 0; page + ph.dataOffset <= data.length; page += pageSize) {
    let ts = u64(page + ph.tsOffset);
    // commit is a kernel long; its low 32 bits hold the size and the missed-events bits
    const commitLow = ph.commitSize === 8 ? (be ? u32(page + ph.commitOffset + 4) : u32(page + ph.commitOffset)) : u32(page + ph.commitOffset);
    const size = commitLow & COMMIT_MASK;
    const end = page + ph.dataOffset + size;
    if (size > pageSize - ph.dataOffset) fail(page + ph.commitOffset, `page commit says ${size} bytes of events, more than a ${pageSize}-byte page holds`);
    if (end > data.length) fail(page, `page of ${size} bytes of events is cut off by the end of the data`);
    if (commitLow & MISSED_EVENTS) {
      let n = -1;
      if (commitLow & MISSED_STORED && end + ph.commitSize <= data.length && end + ph.commitSize <= page + pageSize) n = ph.commitSize === 8 ? u64(end) : u32(end);
      out.lost.push([out.count, n, page]);
    }
    let q = page + ph.dataOffset;
    while (q < end) {
      if (q + 4 > end) fail(q, 'event header cut off by the end of the page');
      const w = u32(q);
      const typeLen = be ? w >>> 27 : w & 31;
      const delta = be ? w & COMMIT_MASK : w >>> 5;
      if (typeLen === TYPE_PADDING) {
        if (delta === 0) break;  // the rest of the page is unused
        if (q + 8 > end) fail(q, 'padding event cut off by the end of the page');
        const len = u32(q + 4);
        if (len < 4 || q + 4 + len > end) fail(q, `padding event of ${len} bytes runs past the page`);
        q += 4 + len;
      } else if (typeLen === TYPE_TIME_EXTEND || typeLen === TYPE_TIME_STAMP) {
        if (q + 8 > end) fail(q, 'time event cut off by the end of the page');
        const v = u32(q + 4) * TWO27 + delta;
        ts = typeLen === TYPE_TIME_EXTEND ? ts + v : v;
        q += 8;
      } else if (typeLen === 0) {
        if (q + 8 > end) fail(q, 'event length cut off by the end of the page');
        const len = u32(q + 4);
        if (len < 4 || q + 4 + len > end) fail(q, `event of ${len} bytes runs past the page`);
        ts += delta;
        push(ts, q + 8, len - 4);
        q += 4 + len;
      } else {
        const len = typeLen * 4;
        if (q + 4 + len > end) fail(q, `event of ${len} bytes runs past the page`);
        ts += delta;
        push(ts, q + 4, len);
        q += 4 + len;
      }
    }
  }
  return out;
}
