// The visited states of a search: key → the sleep set the state was expanded with (a
// bitmask of the choices it did NOT explore). A cap keeps memory bounded: when it is
// reached the search stops with limit 'max-states' (a Map entry costs ~50 bytes, so the
// default 2,000,000 states is ~100 MB).
export const DEFAULT_MAX_STATES = 2_000_000;

export interface VisitedStore {
  readonly size: number;
  readonly full: boolean;
  /** Records a visit with sleep set `asleep`: the stored set before it (undefined: the
   * state is new), the stored set becoming the intersection of the two. */
  visit(key: number, asleep: number): number | undefined;
  keys(): Iterable<number>;
}

export class StateStore implements VisitedStore {
  private readonly map = new Map<number, number>();

  constructor(readonly cap = DEFAULT_MAX_STATES) {}

  get size(): number { return this.map.size; }
  get full(): boolean { return this.map.size >= this.cap; }

  visit(key: number, asleep: number): number | undefined {
    const old = this.map.get(key);
    this.map.set(key, old === undefined ? asleep : old & asleep);
    return old;
  }

  keys(): IterableIterator<number> { return this.map.keys(); }
}

/** The buffers of a SharedStore, for worker threads (structured clone shares them). */
export interface SharedStoreBuffers { keys: SharedArrayBuffer; masks: SharedArrayBuffer; count: SharedArrayBuffer; cap: number }

/**
 * One store for all worker threads of a search (workers.ts): an open-addressing table in
 * shared memory. A slot is claimed by compare-and-swap of its key; its mask starts with
 * every choice asleep and is and-ed with each visit's sleep set, so a visitor that comes
 * while the first one is still expanding the state explores it too (twice, never less).
 */
export class SharedStore implements VisitedStore {
  private readonly k: BigInt64Array;
  private readonly m: Int32Array;
  private readonly n: Int32Array;
  private readonly mask: number;

  static buffers(cap: number): SharedStoreBuffers {
    let slots = 1024;
    while (slots < cap * 2) slots *= 2;
    const masks = new SharedArrayBuffer(slots * 4);
    new Int32Array(masks).fill(-1);
    return { keys: new SharedArrayBuffer(slots * 8), masks, count: new SharedArrayBuffer(4), cap };
  }

  constructor(readonly b: SharedStoreBuffers) {
    this.k = new BigInt64Array(b.keys);
    this.m = new Int32Array(b.masks);
    this.n = new Int32Array(b.count);
    this.mask = this.k.length - 1;
  }

  get cap(): number { return this.b.cap; }
  get size(): number { return Atomics.load(this.n, 0); }
  get full(): boolean { return this.size >= this.b.cap; }

  visit(key: number, asleep: number): number | undefined {
    const big = BigInt(key) + 1n;                       // 0 marks an empty slot
    let i = (Math.imul(key | 0, 0x9e3779b1) ^ ((key / 4294967296) | 0)) & this.mask;
    for (;;) {
      const seen = Atomics.compareExchange(this.k, i, 0n, big);
      if (seen === 0n) {
        Atomics.add(this.n, 0, 1);
        Atomics.and(this.m, i, asleep);
        return undefined;
      }
      if (seen === big) {
        const old = Atomics.and(this.m, i, asleep);
        return old;
      }
      i = (i + 1) & this.mask;
    }
  }

  *keys(): Iterable<number> {
    for (let i = 0; i < this.k.length; i++) {
      const v = Atomics.load(this.k, i);
      if (v !== 0n) yield Number(v - 1n);
    }
  }
}
