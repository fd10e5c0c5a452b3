// The key of a visited state: a 52-bit fingerprint of everything that decides the future
// of the run, findings included.
//
// Why the detectors' state is part of the key (and what of it): the search prunes a state
// it has already expanded. That is sound only if everything that can happen after the
// state, every finding included, is a function of the key. The machine's state (memory,
// contexts, CPUs: Machine.stateHash covers the same fields) decides which steps can run;
// the detectors' state decides what those steps report: a lock class lockdep has already
// seen taken in hard-IRQ context makes a later `spin_lock` with IRQs on an
// inconsistent-lock-state report, the race detector's last accesses and vector clocks make
// a later plain access a data race, the pages the scenario holds make a later free a double
// free. Two schedules can reach the same memory with different detector state (an
// interrupt that came and went, taking zone->lock in hard-IRQ context, leaves memory as
// it found it), so a key without it would prune the second one and miss its findings
// (test/engine/explore/detectorKey.test.ts shows such a scenario).
// Left out, on purpose: where a usage or access was first seen (it only words a report)
// and which findings were already reported (a suppressed duplicate was found before, so
// the search already has it; findings are kept by kind and location).
import type { Machine } from '../sim/machine';

const STATUS: Record<string, number> = { idle: 0, running: 1, blocked: 2, done: 3, dead: 4 };

function mixA(v: number): number {
  let h = Math.imul((v | 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= (v / 4294967296) | 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function mixB(v: number): number {
  let h = Math.imul((v | 0) ^ 0x7f4a7c15, 0xcc9e2d51);
  h ^= Math.imul((v / 4294967296) | 0, 0x1b873593);
  h = Math.imul(h ^ (h >>> 15), 0x27d4eb2f);
  return (h ^ (h >>> 13)) | 0;
}

/** One shared cell's share of the memory hash (0 for a zero cell): the hash is a sum, so a
 * write changes it by the difference of the old and the new share. */
function cellA(i: number, v: number): number {
  if (v === 0) return 0;
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ (v | 0);
  h ^= (v >= 2147483648 || v < -2147483648) ? (v / 4294967296) | 0 : 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

function cellB(i: number, v: number): number {
  if (v === 0) return 0;
  let h = Math.imul((v | 0) ^ 0x5bd1e995, 0xcc9e2d51) + i;
  h ^= (v >= 2147483648 || v < -2147483648) ? Math.imul((v / 4294967296) | 0, 0x1b873593) : 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export class StateKeyer {
  private strings = new Map<string, number>();
  /** incremental mode (the exhaustive search): shared memory's hash kept up to date from
   * the cells each transition wrote, instead of a pass over all of it per state */
  private shadow: Float64Array | undefined;
  ha = 0;
  hb = 0;

  private str = (s: string): number => {
    let v = this.strings.get(s);
    if (v === undefined) {
      v = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) v = Math.imul(v ^ s.charCodeAt(i), 0x01000193);
      this.strings.set(s, v | 0);
    }
    return v;
  };

  /** Shared memory's hash, from scratch. */
  sharedHash(m: Machine): [number, number] {
    let a = 0, b = 0;
    const mem = m.mem;
    for (let i = 0; i < m.stackStart; i++) {
      const v = mem[i];
      if (v !== 0) { a = (a + cellA(i, v)) | 0; b = (b + cellB(i, v)) | 0; }
    }
    return [a, b];
  }

  /** Starts incremental mode at the machine's state. */
  track(m: Machine): void {
    this.shadow = m.mem.slice(0, m.stackStart);
    [this.ha, this.hb] = this.sharedHash(m);
  }

  /** The transition wrote these shared cells (Footprint.writes). */
  wrote(m: Machine, cells: Iterable<number>): void {
    const sh = this.shadow!;
    const mem = m.mem;
    for (const i of cells) {
      const old = sh[i];
      const v = mem[i];
      if (old === v) continue;
      this.ha = (this.ha - cellA(i, old) + cellA(i, v)) | 0;
      this.hb = (this.hb - cellB(i, old) + cellB(i, v)) | 0;
      sh[i] = v;
    }
  }

  /** The machine was restored to a live checkpoint whose hashes were (ha, hb). */
  restored(shared: Float64Array, ha: number, hb: number): void {
    this.shadow!.set(shared.subarray(0, this.shadow!.length));
    this.ha = ha;
    this.hb = hb;
  }

  /** Fingerprint of the machine and its detectors (two independent 32-bit hashes, 52 bits kept). */
  key(m: Machine): number {
    let a: number, b: number;
    if (this.shadow) { a = this.ha; b = this.hb; } else [a, b] = this.sharedHash(m);
    const mem = m.mem;
    // each context's live stack (above its stack pointer is dead)
    for (const c of m.contexts) {
      for (let i = c.stackBase; i < c.sp; i++) {
        const v = mem[i];
        if (v !== 0) { a = (a + cellA(i, v)) | 0; b = (b + cellB(i, v)) | 0; }
      }
    }
    const put = (v: number) => {
      a = Math.imul(a ^ mixA(v), 0x01000193);
      b = Math.imul(b + mixB(v), 0x2545f491);
    };
    for (const c of m.contexts) {
      put(STATUS[c.status]); put(c.waitingOn); put(c.preemptCount); put(c.migrateDisable); put(c.arrivalsLeft);
      put(c.blockIdx); put(c.irqEntryPreempt); put(c.frames.length);
      for (const f of c.frames) { put(f.fn.index); put(f.pc); put(f.base); }
      put(c.stack.length);
      for (const v of c.stack) put(v);
      put(c.held.length);
      for (const h of c.held) {
        put(h.addr);
        put((h.irqsave ? 1 : 0) | (h.preempt ? 2 : 0) | (h.migrate ? 4 : 0) | (h.trylock ? 8 : 0) | (h.irqsWereOff ? 16 : 0) | (this.str(h.how) << 5));
      }
      for (const v of c.vc) put(v);
    }
    for (const c of m.cpus) {
      put(c.irqsDisabled ? 1 : 0); put(c.stack.length);
      for (const s of c.stack) put(s.id);
      // which context ran last only matters on PREEMPT_RT (Machine.current)
      put(m.rt ? c.lastRan?.id ?? -1 : 0); put(c.activeThread?.id ?? -1);
    }
    if (m.detectorsOn) {
      put(m.lockdep.digest(mixA, this.str));
      put(m.race.digest(mixB));
      let held = 0;
      for (const [page, order] of m.accounting.allocated) held = (held + mixA(page * 16 + order)) | 0;
      put(held);
      let zs = 0;
      for (const z of m.accounting.zonesWithFreeCounter) zs = (zs + mixB(z)) | 0;
      put(zs);
    }
    return (a >>> 0) * 1048576 + ((b >>> 0) & 0xfffff);
  }
}
