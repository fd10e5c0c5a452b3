// Kernel addresses to names, from the /proc/kallsyms copy a trace.dat stores: the stack
// frames of kernel_stack events and the probe address of kprobes (`func+0x0/0x2e0`, as
// the kernel prints %pS). The 4 MB of `ADDR TYPE NAME` lines are scanned as bytes into
// two 32-bit halves per address and the name's byte range: no string per line, and only
// the names looked up are ever decoded. Parsed on first use: a trace without stacks or
// kprobes never pays for it.

const TWO32 = 0x100000000n;

/** hex digit values by byte, -1 for the rest */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) { HEX[97 + c] = 10 + c; HEX[65 + c] = 10 + c; }

export class Symbols {
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  private nameStart = new Int32Array(0);
  private nameEnd = new Int32Array(0);
  private n = 0;
  private parsed = false;

  private text: Buffer = Buffer.alloc(0);
  constructor(private readonly source: () => Buffer) {}

  private parse(): void {
    if (this.parsed) return;
    this.parsed = true;
    const t = this.text = this.source();
    let cap = Math.max(16, t.length >> 5);
    let hi = new Uint32Array(cap), lo = new Uint32Array(cap), ns = new Int32Array(cap), ne = new Int32Array(cap);
    let n = 0, sorted = true;
    for (let p = 0; p < t.length;) {
      let e = t.indexOf(10, p);
      if (e < 0) e = t.length;
      // ADDR: up to 16 hex digits
      let q = p, h = 0, l = 0, digits = 0;
      for (; q < e; q++) {
        const v = HEX[t[q]];
        if (v < 0) break;
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | v) >>> 0;
        digits++;
      }
      // then ` T name`: the name runs to a tab (module), space, CR or the line's end
      if (digits && digits <= 16 && t[q] === 32 && q + 3 < e && t[q + 2] === 32 && (h || l)) {
        const a = q + 3, b = e;  // the name's end is found when it is looked up
        if (b > a) {
          if (n === cap) {
            cap *= 2;
            const g = <T extends Uint32Array | Int32Array>(x: T): T => { const y = new (x.constructor as new (k: number) => T)(cap); y.set(x); return y; };
            hi = g(hi); lo = g(lo); ns = g(ns); ne = g(ne);
          }
          if (n && (hi[n - 1] > h || (hi[n - 1] === h && lo[n - 1] > l))) sorted = false;
          hi[n] = h; lo[n] = l; ns[n] = a; ne[n] = b; n++;
        }
      }
      p = e + 1;
    }
    if (!sorted) {
      // /proc/kallsyms is nearly sorted (core kernel, then modules); a stable sort keeps
      // aliases in file order
      const idx = Array.from({ length: n }, (_, k) => k);
      idx.sort((x, y) => hi[x] - hi[y] || lo[x] - lo[y] || x - y);
      const H = new Uint32Array(n), L = new Uint32Array(n), S = new Int32Array(n), E = new Int32Array(n);
      idx.forEach((k, j) => { H[j] = hi[k]; L[j] = lo[k]; S[j] = ns[k]; E[j] = ne[k]; });
      hi = H; lo = L; ns = S; ne = E;
    }
    this.hi = hi; this.lo = lo; this.nameStart = ns; this.nameEnd = ne; this.n = n;
  }

  /** Index of the last symbol at or below the address, -1 if none. */
  private find(addr: bigint): number {
    this.parse();
    const h = Number(addr / TWO32), l = Number(addr % TWO32);
    let a = 0, b = this.n - 1, at = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (this.hi[m] < h || (this.hi[m] === h && this.lo[m] <= l)) { at = m; a = m + 1; } else b = m - 1;
    }
    // aliases share an address: the first one listed is the one printed
    while (at > 0 && this.hi[at - 1] === this.hi[at] && this.lo[at - 1] === this.lo[at]) at--;
    return at;
  }

  private nameAt(k: number): string {
    const t = this.text, a = this.nameStart[k], e = this.nameEnd[k];
    let b = a;
    while (b < e && t[b] !== 9 && t[b] !== 32 && t[b] !== 13) b++;
    return t.toString('latin1', a, b);
  }
  private addrAt(k: number): bigint { return BigInt(this.hi[k]) * TWO32 + BigInt(this.lo[k]); }

  /** The function containing `addr`, e.g. `rmqueue_bulk`; '' if no symbol is below it. */
  name(addr: bigint): string {
    const k = this.find(addr);
    return k < 0 ? '' : this.nameAt(k);
  }

  /** `func+0xoff/0xsize` as the kernel's %pS prints it; '' if no symbol. */
  withOffset(addr: bigint): string {
    const k = this.find(addr);
    if (k < 0) return '';
    const base = this.addrAt(k);
    let n = k + 1;
    while (n < this.n && this.hi[n] === this.hi[k] && this.lo[n] === this.lo[k]) n++;
    const size = n < this.n ? this.addrAt(n) - base : 0n;
    return `${this.nameAt(k)}+0x${(addr - base).toString(16)}/0x${size.toString(16)}`;
  }
}
