// A map from page frame number to a small non-zero integer, for the per-page bookkeeping of
// the importer and the reconstruction. Pfns are dense (the captures' RAM is a few hundred
// thousand frames), so a typed array indexed by pfn is far cheaper than a Map per lookup;
// it grows only as far as the largest pfn seen, and pfns beyond LIMIT (absurd or corrupt
// values) go to a Map instead of a huge array: 2^24 frames is 64 GB of RAM, an index of 64 MB.
const LIMIT = 1 << 24;

export class PfnIndex {
  private a = new Int32Array(1 << 16);
  private readonly far = new Map<number, number>();

  /** The value kept for pfn, or 0. */
  get(pfn: number): number {
    if (pfn >= 0 && pfn < this.a.length) return this.a[pfn];
    return pfn >= 0 && pfn < LIMIT ? 0 : this.far.get(pfn) ?? 0;
  }

  /** Keeps v for pfn (0 forgets it). */
  set(pfn: number, v: number): void {
    if (pfn >= 0 && pfn < LIMIT) {
      if (pfn >= this.a.length) {
        if (!v) return;
        let n = this.a.length;
        while (n <= pfn) n *= 2;
        const b = new Int32Array(n);
        b.set(this.a);
        this.a = b;
      }
      this.a[pfn] = v;
    } else if (v) this.far.set(pfn, v);
    else this.far.delete(pfn);
  }
}
