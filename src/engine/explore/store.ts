// The visited states of a search: key → the sleep set the state was expanded with (a
// bitmask of the choices it did NOT explore). A cap keeps memory bounded: when it is
// reached the search stops with limit 'max-states' (a Map entry costs ~50 bytes, so the
// default 2,000,000 states is ~100 MB).
export const DEFAULT_MAX_STATES = 2_000_000;

export class StateStore {
  private readonly map = new Map<number, number>();

  constructor(readonly cap = DEFAULT_MAX_STATES) {}

  get size(): number { return this.map.size; }
  get full(): boolean { return this.map.size >= this.cap; }
  get(key: number): number | undefined { return this.map.get(key); }
  set(key: number, asleep: number): void { this.map.set(key, asleep); }
  keys(): IterableIterator<number> { return this.map.keys(); }
}
