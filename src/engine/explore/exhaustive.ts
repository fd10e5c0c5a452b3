// Exhaustive search: depth-first over the transitions (transition.ts), each distinct state
// expanded once (stateKey.ts, store.ts), with sleep sets so that two independent
// transitions (footprint.ts) are not explored in both orders.
//
// Sleep sets with state caching (Godefroid's algorithm): a state is stored with the sleep
// set it was expanded with, i.e. the choices it did not explore. Reached again with sleep
// set S', it is pruned only when its stored set is a subset of S'; otherwise the choices
// asleep the first time but awake now are explored, and the stored set shrinks to the
// intersection. Pruning on the key alone would lose successors: the first visit may have
// skipped a choice as already covered by a sibling that the second path does not have.
import type { CheckedProgram } from '../lang/load';
import { Machine, Checkpoint } from '../sim/machine';
import { StepFootprint, Footprint, independent } from './footprint';
import { choiceTable, enabledMask, runTransition, ChoiceTable } from './transition';
import { StateKeyer } from './stateKey';
import type { VisitedStore } from './store';
import { FindingSet } from './findingSet';
import { Pacer } from './progress';
import { bootConstantCells } from '../sim/zones';

export interface SleepEntry { choice: number; fp: Footprint }

/** A part of the search: a prefix of choices to replay, then everything below it. */
export interface WorkItem { prefix: number[]; sleep: SleepEntry[] }

interface Node {
  cp: Checkpoint | undefined;
  /** shared memory's hash at the checkpoint (StateKeyer incremental mode) */
  ha: number;
  hb: number;
  cands: number[];
  next: number;
  sleep: SleepEntry[];
  done: SleepEntry[];
  /** the choice that led here (-1 at the top) */
  via: number;
}

export interface DfsOptions {
  maxSteps: number;
  detectors: boolean;
  reduction: boolean;
  stopOnFirst: boolean;
  /** frontier mode: children at this many transitions below the top are handed out, not explored */
  frontierDepth?: number;
  /** spine mode (--shard, shard.ts): only the last child of a node is explored; the others are handed out */
  spine?: boolean;
  /** tests: check the incremental hash of shared memory against a full one at every state */
  verifyKeys?: boolean;
  /** reads of the zone cells boot sets and nothing else writes (zones.ts bootConstantCells)
   * are local; the caller checks constantWritten afterwards and searches again without */
  assumeBootConstants?: boolean;
}

export class Dfs {
  readonly findings = new FindingSet();
  readonly keyer = new StateKeyer();
  schedules = 0;
  maxDepth = 0;
  depth = 0;
  transitions = 0;
  hitMaxSteps = false;
  readonly frontier: WorkItem[] = [];
  private readonly sfp = new StepFootprint();
  private table!: ChoiceTable;
  private machine: Machine | undefined;
  private boot: Checkpoint | undefined;

  constructor(
    private readonly program: CheckedProgram,
    readonly store: VisitedStore,
    private readonly o: DfsOptions,
    private readonly pacer: Pacer,
  ) {}

  /** A context wrote a cell assumed constant (assumeBootConstants): the search may have
   * merged a read with steps it does not commute with, so its result does not stand. */
  get constantWritten(): boolean { return !!this.machine?.constantWritten; }

  /** A fresh machine with the prefix replayed, or undefined if the prefix is not possible. */
  machineAt(prefix: number[]): Machine | undefined {
    // one machine for every item: building one compiles the model, a restore is a copy
    let m = this.machine;
    if (!m) {
      m = this.machine = new Machine(this.program, { detectors: this.o.detectors, maxSteps: this.o.maxSteps });
      m.recordSteps = false;
      if (this.o.assumeBootConstants) {
        m.constantCells = new Uint8Array(m.mem.length);
        for (const c of bootConstantCells(m)) m.constantCells[c] = 1;
      }
      this.boot = m.checkpoint();
      this.table = choiceTable(m);
    } else m.restore(this.boot!);
    for (const c of prefix) {
      const ch = this.table.choices[c];
      if (!(enabledMask(m, this.table) & (1 << c))) return undefined;
      // findings on the prefix are the top search's, which ran it (shard.ts): not collected
      // again, so a part reports only what it found below its items
      runTransition(m, ch, this.sfp, this.o.maxSteps, this.o.reduction);
    }
    this.keyer.track(m);
    return m;
  }

  /** Explores everything below the item; false when a limit stopped it. */
  run(item: WorkItem): boolean {
    const m = this.machineAt(item.prefix);
    if (!m) return true;
    const path = item.prefix.slice();
    const top = this.visit(m, item.sleep, -1);
    if (!top) return !this.pacer.limit;
    const stack: Node[] = [top];
    let at: Node | undefined = top;
    while (stack.length) {
      if (!this.pacer.tick()) return false;
      const node = stack[stack.length - 1];
      if (node.next >= node.cands.length) {
        stack.pop();
        if (node.via >= 0) path.pop();
        continue;
      }
      const c = node.cands[node.next++];
      if (at !== node) { m.restore(node.cp!); this.keyer.restored(node.cp!.mem, node.ha, node.hb); }
      at = undefined;
      const nf = m.findings.length;
      const r = runTransition(m, this.table.choices[c], this.sfp, this.o.maxSteps, this.o.reduction);
      this.keyer.wrote(m, r.fp.writes);
      this.transitions++;
      if (this.collect(m, nf) && this.o.stopOnFirst) { this.pacer.limit = 'first-finding'; return false; }
      const childSleep: SleepEntry[] = [];
      if (this.o.reduction) {
        for (const e of node.sleep) if (independent(e.fp, r.fp)) childSleep.push(e);
        for (const e of node.done) if (independent(e.fp, r.fp)) childSleep.push(e);
        node.done.push({ choice: c, fp: r.fp });
      }
      if (m.step > this.maxDepth) this.maxDepth = m.step;
      if (r.maxSteps) { this.hitMaxSteps = true; this.schedules++; continue; }
      if ((this.o.frontierDepth !== undefined && stack.length >= this.o.frontierDepth) || (this.o.spine && node.next < node.cands.length)) {
        this.frontier.push({ prefix: [...path, c], sleep: childSleep });
        continue;
      }
      const child = this.visit(m, childSleep, c);
      if (this.pacer.limit) return false;
      if (child) {
        stack.push(child);
        path.push(c);
        at = child;
        this.depth = stack.length;
      }
    }
    return true;
  }

  /** New findings since index `from`; true when one of them is new to the search. */
  private collect(m: Machine, from: number): boolean {
    let fresh = false;
    for (let i = from; i < m.findings.length; i++) if (this.findings.add(m.findings[i])) fresh = true;
    return fresh;
  }

  /** The node to expand for the machine's state, or undefined when there is nothing to do. */
  private visit(m: Machine, sleep: SleepEntry[], via: number): Node | undefined {
    const en = enabledMask(m, this.table);
    if (en === 0 || m.stuck()) {
      this.schedules++;
      if (!this.store.full) this.store.visit(this.keyer.key(m), 0);
      return undefined;
    }
    let asleep = 0;
    for (const e of sleep) asleep |= 1 << e.choice;
    const key = this.keyer.key(m);
    if (this.store.full) { this.pacer.limit = 'max-states'; return undefined; }
    const old = this.store.visit(key, asleep);
    let cands: number;
    if (old !== undefined) {
      if ((old & ~asleep) === 0) { this.schedules++; return undefined; }
      cands = en & old & ~asleep;
    } else cands = en & ~asleep;
    if (cands === 0) { this.schedules++; return undefined; }
    // interrupts first: backtracking then moves an arrival earlier one step at a time, so
    // the first finding that needs an interrupt is found with its earliest arrival
    const list: number[] = [];
    for (let i = this.table.count - 1; i >= 0; i--) if (cands & (1 << i)) list.push(i);
    if (this.o.verifyKeys) {
      const [a, b] = this.keyer.sharedHash(m);
      if (a !== this.keyer.ha || b !== this.keyer.hb) throw new Error(`incremental state key out of step after ${m.schedule()}`);
    }
    return { cp: list.length > 1 ? m.checkpoint(true) : undefined, ha: this.keyer.ha, hb: this.keyer.hb, cands: list, next: 0, sleep, done: [], via };
  }
}
