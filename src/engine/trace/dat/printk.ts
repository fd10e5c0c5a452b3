// trace_printk() in a trace.dat: ftrace's bputs (a constant string) and bprint (a format
// and its arguments packed in binary by the kernel's vbin_printf) records hold addresses of
// format strings, which the file's printk formats section maps to their text
// (`0xffffffff81234567 : "fmt"` lines, /sys/kernel/tracing/printk_formats). Shown as
// trace-cmd report shows them: `function: message`.
import { convert, Spec, FmtError } from './printFmt';
import type { RecordView } from './printFmt';

export class PrintkFormats {
  private byAddr: Map<string, string> | null = null;
  constructor(private text: string) {}

  /** The format string at `addr`, or null. */
  get(addr: bigint): string | null {
    if (!this.byAddr) {
      this.byAddr = new Map();
      for (const line of this.text.split('\n')) {
        const m = /^\s*0x([0-9a-fA-F]+)\s*:\s*"(.*)"\s*$/.exec(line);
        if (m) this.byAddr.set(BigInt(`0x${m[1]}`).toString(16), m[2].replace(/\\(n|t|"|\\)/g, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e)));
      }
      this.text = '';
    }
    return this.byAddr.get(addr.toString(16)) ?? null;
  }
}

const CONV = /%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|L|z|j|t)?([diouxXcsp%])/g;

/**
 * A bprint record's message: `fmt` applied to the arguments packed in `buf` the way
 * vbin_printf packs them (ints 4-byte aligned, chars and shorts at their size, 64-bit
 * values as two 32-bit words 4-byte aligned, strings copied in with their NUL, pointers for
 * %p/%pS/%ps, other %p extensions already formatted into a string).
 */
export function unpackBprint(fmt: string, buf: Buffer, bigEndian: boolean, longSize: number, rec: RecordView): string {
  let p = 0, out = '', last = 0;
  const align = (n: number) => { p = (p + n - 1) & ~(n - 1); };
  const need = (n: number) => { if (p + n > buf.length) throw new FmtError('bprint arguments cut short'); };
  const int = (size: number, signed: boolean): bigint => {
    align(size >= 4 ? 4 : size);
    need(size);
    let v: bigint;
    if (size === 8) {
      const a = bigEndian ? buf.readUInt32BE(p) : buf.readUInt32LE(p), b = bigEndian ? buf.readUInt32BE(p + 4) : buf.readUInt32LE(p + 4);
      // the low word first on little-endian (the value's own memory order)
      v = bigEndian ? (BigInt(a) << 32n) | BigInt(b) : (BigInt(b) << 32n) | BigInt(a);
    } else v = BigInt(size === 4 ? (bigEndian ? buf.readUInt32BE(p) : buf.readUInt32LE(p)) : size === 2 ? (bigEndian ? buf.readUInt16BE(p) : buf.readUInt16LE(p)) : buf[p]);
    p += size;
    return signed ? BigInt.asIntN(size * 8, v) : v;
  };
  const str = (): string => {
    const z = buf.indexOf(0, p);
    const e = z < 0 ? buf.length : z;
    const s = buf.toString('utf8', p, e);
    p = e + 1;
    return s;
  };
  CONV.lastIndex = 0;
  for (let m = CONV.exec(fmt); m; m = CONV.exec(fmt)) {
    out += fmt.slice(last, m.index);
    last = CONV.lastIndex;
    if (m[5] === '%') { out += '%'; continue; }
    let width = m[2] ? Number(m[2]) : 0;
    if (m[2] === '*') width = Number(int(4, true));
    if (m[3] === '*') int(4, true);
    const len = m[4] ?? '';
    const conv = m[5];
    let ext = '';
    if (conv === 'p') { const e = /^[A-Za-z0-9]/.exec(fmt.slice(last)); if (e) { ext = e[0]; last++; CONV.lastIndex++; } }
    const spec: Spec = { flags: m[1], width, length: len, conv, ext };
    let v: bigint | string;
    if (conv === 's') v = str();
    else if (conv === 'p') v = !ext || 'SsFfxKe'.includes(ext) ? int(longSize, false) : str();
    else if (conv === 'c') v = int(1, false);
    else {
      const size = len === 'hh' ? 1 : len === 'h' ? 2 : len === 'l' ? longSize : len === 'll' || len === 'L' || len === 'z' || len === 'j' || len === 't' ? 8 : 4;
      v = int(size, conv === 'd' || conv === 'i');
    }
    out += typeof v === 'string' && conv === 'p' ? v : convert(spec, v, rec);
  }
  return out + fmt.slice(last);
}
