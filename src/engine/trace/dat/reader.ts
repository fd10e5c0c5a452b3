// Bounds-checked reads of a trace.dat's numbers and strings in the file's byte order. Every
// read past the end throws a DatFormatError naming the absolute file offset, so a truncated
// or corrupt file gives a positioned error instead of a RangeError or a garbage value.
import { DatFormatError, MAX_SECTION_BYTES } from './errors';

const TWO32 = 0x100000000;

export class ByteReader {
  pos = 0;
  /**
   * @param buf the bytes (a whole file, or a decompressed section)
   * @param base the file offset of buf[0], for error messages (of a decompressed section:
   *   the section's offset, since its bytes have no place in the file)
   * @param what what is being read, for error messages
   */
  constructor(readonly buf: Buffer, readonly bigEndian: boolean, readonly base = 0, readonly what = 'file', readonly exactBase = true) {}

  get remaining(): number { return this.buf.length - this.pos; }
  /** The file offset of the current position (of the section when decompressed). */
  fileOffset(p = this.pos): number { return this.exactBase ? this.base + p : this.base; }

  fail(message: string, p = this.pos): never {
    throw new DatFormatError(this.fileOffset(p), this.exactBase ? message : `${message} (in the decompressed ${this.what}, at its byte ${p})`);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) this.fail(`truncated ${this.what}: ${what} needs ${n} bytes, ${Math.max(0, this.remaining)} left`);
  }

  u8(what = 'a byte'): number { this.need(1, what); return this.buf[this.pos++]; }
  u16(what = 'a 16-bit number'): number {
    this.need(2, what);
    const v = this.bigEndian ? this.buf.readUInt16BE(this.pos) : this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(what = 'a 32-bit number'): number {
    this.need(4, what);
    const v = this.bigEndian ? this.buf.readUInt32BE(this.pos) : this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  /** A 64-bit number that must fit a double exactly (offsets, sizes). */
  u64(what = 'a 64-bit number'): number {
    this.need(8, what);
    const a = this.bigEndian ? this.buf.readUInt32BE(this.pos) : this.buf.readUInt32LE(this.pos + 4);
    const b = this.bigEndian ? this.buf.readUInt32BE(this.pos + 4) : this.buf.readUInt32LE(this.pos);
    if (a >= 0x200000) this.fail(`${what} is ${(BigInt(a) * BigInt(TWO32) + BigInt(b)).toString()}, too large for a trace.dat`);
    this.pos += 8;
    return a * TWO32 + b;
  }
  /** A size read from the file, checked against what is left and against MAX_SECTION_BYTES. */
  size(bytes: 4 | 8, what: string, limit = this.remaining): number {
    const at = this.pos;
    const n = bytes === 4 ? this.u32(what) : this.u64(what);
    if (n > MAX_SECTION_BYTES) this.fail(`${what} is ${n} bytes, more than a trace.dat holds`, at);
    if (n > limit) this.fail(`${what} is ${n} bytes but only ${limit} are left`, at);
    return n;
  }
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A NUL-terminated string (latin1: offsets stay byte offsets). */
  cstring(what: string, max = 4096): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0 || end - this.pos > max) this.fail(`${what}: no terminating NUL byte`);
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  seek(p: number, what: string): void {
    // the offset reported is the end of the data: where a truncated file ran out
    if (p < 0 || p > this.buf.length) this.fail(`${what} points to byte ${this.base + p}, past the end (${this.base + this.buf.length} bytes)`, this.buf.length);
    this.pos = p;
  }
}
