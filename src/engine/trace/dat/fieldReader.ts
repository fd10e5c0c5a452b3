// Reading an event's fields out of its record bytes, by the offsets and sizes its format
// file gives. Numbers come back as doubles on the hot path (pfn, order, pid...: exact below
// 2^53) and as BigInt for the print-fmt evaluator and 64-bit pointers.
import type { Field } from './format';
import type { RecordView } from './printFmt';
import type { Symbols } from './symbols';

const TWO32 = 0x100000000;

export class FieldReader implements RecordView {
  data: Buffer = Buffer.alloc(0);
  start = 0;
  length = 0;
  constructor(readonly bigEndian: boolean, readonly symbols: Symbols) {}

  at(data: Buffer, start: number, length: number): this { this.data = data; this.start = start; this.length = length; return this; }

  /** Whether the field lies inside the record (a short record: a corrupt file). */
  fits(f: Field, elem = 0): boolean {
    const size = f.arrayLen > 0 ? f.size / f.arrayLen : f.size;
    return f.offset + (elem + 1) * size <= this.length || (f.arrayLen === 0 && f.offset <= this.length);
  }

  /** An unsigned (or, if the format says so, signed) number of 1, 2, 4 or 8 bytes at record offset `off`. */
  num(off: number, size: number, signed: boolean): number {
    const d = this.data, p = this.start + off, be = this.bigEndian;
    switch (size) {
      case 1: return signed ? d.readInt8(p) : d[p];
      case 2: return signed ? (be ? d.readInt16BE(p) : d.readInt16LE(p)) : (be ? d.readUInt16BE(p) : d.readUInt16LE(p));
      case 4: return signed ? (be ? d.readInt32BE(p) : d.readInt32LE(p)) : (be ? d.readUInt32BE(p) : d.readUInt32LE(p));
      case 8: {
        const hi = be ? d.readUInt32BE(p) : d.readUInt32LE(p + 4);
        const lo = be ? d.readUInt32BE(p + 4) : d.readUInt32LE(p);
        if (signed && hi >= 0x80000000) return (hi - TWO32) * TWO32 + lo;
        return hi * TWO32 + lo;
      }
      default: return NaN;
    }
  }

  field(f: Field): number { return this.num(f.offset, f.size, f.signed); }

  /** 64 bits all ones (ULONG_MAX, -1UL). */
  allOnes(f: Field): boolean {
    const p = this.start + f.offset;
    for (let k = 0; k < f.size; k++) if (this.data[p + k] !== 0xff) return false;
    return true;
  }

  big(off: number, size: number, signed: boolean): bigint {
    const d = this.data, p = this.start + off, be = this.bigEndian;
    let v = 0n;
    if (size === 8) v = be ? d.readBigUInt64BE(p) : d.readBigUInt64LE(p);
    else if (size === 1 || size === 2 || size === 4) v = BigInt(this.num(off, size, false));
    else throw new Error(`field of ${size} bytes`);
    return signed ? BigInt.asIntN(size * 8, v) : v;
  }

  /** A pointer as lower-case hex without 0x (the store's lock address form). */
  hex(f: Field): string { return this.big(f.offset, f.size, false).toString(16); }

  number(f: Field, index?: number): bigint {
    const elem = f.arrayLen > 0 ? f.size / f.arrayLen : f.size;
    const off = f.offset + (index ?? 0) * elem;
    if (off + elem > this.length) throw new Error(`${f.name} past the end of the record`);
    return this.big(off, elem, f.signed);
  }

  /** A __data_loc string or a char array, up to its NUL, decoded as UTF-8. */
  string(f: Field): string {
    let a: number, b: number;
    if (f.dataLoc) {
      if (f.offset + 4 > this.length) return '';
      const loc = this.num(f.offset, 4, false);
      a = (loc & 0xffff) + (f.relLoc ? f.offset + 4 : 0);
      b = a + (loc >>> 16);
    } else {
      a = f.offset;
      b = f.arrayLen === 0 ? this.length : f.offset + f.size;
    }
    b = Math.min(b, this.length);
    if (a > b) return '';
    const s = this.start;
    let z = this.data.indexOf(0, s + a);
    if (z < 0 || z > s + b) z = s + b;
    return this.data.toString('utf8', s + a, z);
  }

  symbol(addr: bigint, withOffset: boolean): string {
    return withOffset ? this.symbols.withOffset(addr) : this.symbols.name(addr);
  }
}
