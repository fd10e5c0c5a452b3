// The pages known to be on one rebuilt pcp list: pfn -> packed value (order, migratetype),
// iterated in the order the pages went on. Every page event of a trace looks a pfn up here,
// so it is an open-addressing table over typed arrays rather than a Map (no allocation per
// entry, and a checkpoint copies a few typed arrays instead of rebuilding a Map).
const EMPTY = -1;   // deletion shifts entries back (linear probing), so no tombstones

export class PageSet {
  private keys: Float64Array;
  private vals: Int32Array;
  /** insertion stamp of each slot, for iterating in the order pages went on */
  private seq: Float64Array;
  private mask: number;
  private stamp = 0;
  size = 0;

  constructor(capacity = 16) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.keys = new Float64Array(n).fill(EMPTY);
    this.vals = new Int32Array(n);
    this.seq = new Float64Array(n);
    this.mask = n - 1;
  }

  private slot(pfn: number): number {
    // pfns are small integers: a multiplicative hash spreads consecutive frames
    let h = Math.imul(pfn | 0, 0x9e3779b1) ^ (pfn < 4294967296 ? 0 : (pfn / 4294967296) | 0);
    h = (h ^ (h >>> 15)) & this.mask;
    const keys = this.keys;
    for (;;) {
      const k = keys[h];
      if (k === pfn || k === EMPTY) return h;
      h = (h + 1) & this.mask;
    }
  }

  has(pfn: number): boolean { return this.keys[this.slot(pfn)] === pfn; }

  /** The value kept for pfn, or undefined. */
  get(pfn: number): number | undefined {
    const h = this.slot(pfn);
    return this.keys[h] === pfn ? this.vals[h] : undefined;
  }

  set(pfn: number, v: number): void {
    if (pfn < 0 || !Number.isInteger(pfn)) throw new RangeError(`PageSet: bad pfn ${pfn}`);
    let h = this.slot(pfn);
    if (this.keys[h] !== pfn) {
      if ((this.size + 1) * 2 > this.keys.length) { this.grow(); h = this.slot(pfn); }
      this.keys[h] = pfn;
      this.seq[h] = this.stamp++;
      this.size++;
    }
    this.vals[h] = v;
  }

  /** Keeps v for pfn; returns the value it had, or -1 (one probe where get + set take two). */
  put(pfn: number, v: number): number {
    if (pfn < 0 || !Number.isInteger(pfn)) throw new RangeError(`PageSet: bad pfn ${pfn}`);
    let h = this.slot(pfn);
    if (this.keys[h] === pfn) { const had = this.vals[h]; this.vals[h] = v; return had; }
    if ((this.size + 1) * 2 > this.keys.length) { this.grow(); h = this.slot(pfn); }
    this.keys[h] = pfn;
    this.seq[h] = this.stamp++;
    this.size++;
    this.vals[h] = v;
    return -1;
  }

  /** Removes pfn; returns the value it had, or -1. */
  remove(pfn: number): number {
    const h = this.slot(pfn);
    if (this.keys[h] !== pfn) return -1;
    const had = this.vals[h];
    this.deleteAt(h);
    return had;
  }

  delete(pfn: number): boolean {
    const h = this.slot(pfn);
    if (this.keys[h] !== pfn) return false;
    this.deleteAt(h);
    return true;
  }

  private deleteAt(h: number): void {
    const keys = this.keys, mask = this.mask;
    // backward-shift deletion: move later entries of the probe run into the hole
    let j = h;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === EMPTY) break;
      let home = Math.imul(k | 0, 0x9e3779b1) ^ ((k / 4294967296) | 0);
      home = (home ^ (home >>> 15)) & mask;
      // the entry at j may fill the hole at h when its home is not within (h, j]
      if (h <= j ? (home <= h || home > j) : (home <= h && home > j)) {
        keys[h] = k; this.vals[h] = this.vals[j]; this.seq[h] = this.seq[j];
        h = j;
      }
    }
    keys[h] = EMPTY;
    this.size--;
  }

  clear(): void {
    if (!this.size) return;
    this.keys.fill(EMPTY);
    this.size = 0;
  }

  /** Bytes its tables take (what a copy of it costs). */
  bytes(): number { return this.keys.length * 20; }

  clone(): PageSet {
    const c = Object.create(PageSet.prototype) as PageSet;
    c.keys = this.keys.slice(); c.vals = this.vals.slice(); c.seq = this.seq.slice();
    c.mask = this.mask; c.stamp = this.stamp; c.size = this.size;
    return c;
  }

  /** Calls fn(pfn, value) for every page, in no particular order. */
  forEach(fn: (pfn: number, v: number) => void): void {
    for (let h = 0; h < this.keys.length; h++) if (this.keys[h] !== EMPTY) fn(this.keys[h], this.vals[h]);
  }

  /** [pfn, value] in the order the pages were put on (a page set again keeps its place). */
  entries(): [number, number][] {
    const out: { pfn: number; v: number; s: number }[] = [];
    for (let h = 0; h < this.keys.length; h++) if (this.keys[h] !== EMPTY) out.push({ pfn: this.keys[h], v: this.vals[h], s: this.seq[h] });
    out.sort((a, b) => a.s - b.s);
    return out.map(e => [e.pfn, e.v]);
  }

  keysInOrder(): number[] { return this.entries().map(e => e[0]); }

  private grow(): void {
    const keys = this.keys, vals = this.vals, seq = this.seq;
    const n = keys.length * 2;
    this.keys = new Float64Array(n).fill(EMPTY);
    this.vals = new Int32Array(n);
    this.seq = new Float64Array(n);
    this.mask = n - 1;
    // every entry moves to its slot in the bigger table, keeping its stamp: no probe run
    // holds a hole, since the table only fills
    for (let h = 0; h < keys.length; h++) {
      const k = keys[h];
      if (k === EMPTY) continue;
      const j = this.slot(k);
      this.keys[j] = k; this.vals[j] = vals[h]; this.seq[j] = seq[h];
    }
  }
}
