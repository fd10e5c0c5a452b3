// Kernel addresses to names, from the /proc/kallsyms copy a trace.dat stores: the stack
// frames of kernel_stack events and the probe address of kprobes (`func+0x0/0x2e0`, as
// the kernel prints %pS). Addresses are kept as 16-digit lower-case hex strings, whose
// order is the numeric order, so 64-bit addresses need no BigInt until an offset is
// printed. Parsed on first use: a trace without stacks or kprobes never pays for it.

export class Symbols {
  private addrs: string[] = [];
  private names: string[] = [];
  private parsed = false;

  constructor(private text: string) {}

  get size(): number { this.parse(); return this.addrs.length; }

  private parse(): void {
    if (this.parsed) return;
    this.parsed = true;
    const rows: [string, string][] = [];
    // `ADDR TYPE NAME[\t[module]]` lines, read by hand: a regex over the 4 MB text costs 5x
    const t = this.text;
    for (let p = 0; p < t.length;) {
      let e = t.indexOf('\n', p);
      if (e < 0) e = t.length;
      const sp = t.indexOf(' ', p);
      if (sp > p && sp - p <= 16 && sp + 3 < e && t.charCodeAt(sp + 2) === 32) {
        let ne = sp + 3;
        while (ne < e) { const c = t.charCodeAt(ne); if (c === 9 || c === 32 || c === 13) break; ne++; }
        const a = t.slice(p, sp).toLowerCase();
        if (/^[0-9a-f]+$/.test(a) && ne > sp + 3) {
          const hex = a.length === 16 ? a : a.padStart(16, '0');
          if (hex !== '0000000000000000') rows.push([hex, t.slice(sp + 3, ne)]);
        }
      }
      p = e + 1;
    }
    // /proc/kallsyms is nearly sorted already (core kernel, then modules)
    let sorted = true;
    for (let k = 1; k < rows.length && sorted; k++) if (rows[k - 1][0] > rows[k][0]) sorted = false;
    if (!sorted) rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.addrs = rows.map(r => r[0]);
    this.names = rows.map(r => r[1]);
    this.text = '';
  }

  /** Index of the last symbol at or below `hex` (16 digits), -1 if none. */
  private find(hex: string): number {
    this.parse();
    let lo = 0, hi = this.addrs.length - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addrs[mid] <= hex) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // aliases share an address: the first name listed is the one the kernel prints
    while (at > 0 && this.addrs[at - 1] === this.addrs[at]) at--;
    return at;
  }

  /** The function containing `addr`, e.g. `rmqueue_bulk`; '' if no symbol is below it. */
  name(addr: bigint): string {
    const k = this.find(addr.toString(16).padStart(16, '0'));
    return k < 0 ? '' : this.names[k];
  }

  /** `func+0xoff/0xsize` as the kernel's %pS prints it; '' if no symbol. */
  withOffset(addr: bigint): string {
    const k = this.find(addr.toString(16).padStart(16, '0'));
    if (k < 0) return '';
    const base = BigInt(`0x${this.addrs[k]}`);
    let n = k + 1;
    while (n < this.addrs.length && this.addrs[n] === this.addrs[k]) n++;
    const size = n < this.addrs.length ? BigInt(`0x${this.addrs[n]}`) - base : 0n;
    return `${this.names[k]}+0x${(addr - base).toString(16)}/0x${size.toString(16)}`;
  }
}
