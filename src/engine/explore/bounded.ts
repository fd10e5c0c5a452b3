// Bounded search (iterative context bounding, as in CHESS): every schedule with at most K
// preemptions, for K = 0, 1, ... up to the bound, so the findings that need the fewest
// preemptions come first. A preemption is switching away from a CPU that could still run,
// or an interrupt arriving (it preempts whatever its CPU was doing). A state is pruned
// when it was reached before with the same last CPU and no more preemptions spent.
// No sleep sets here: their pruning assumes every order stays possible, which a
// preemption bound breaks.
import type { CheckedProgram } from '../lang/load';
import { Machine, Checkpoint } from '../sim/machine';
import { StepFootprint } from './footprint';
import { choiceTable, enabledMask, runTransition, ChoiceTable } from './transition';
import { StateKeyer } from './stateKey';
import { FindingSet } from './findingSet';
import { Pacer } from './progress';

interface Node { cp: Checkpoint | undefined; cands: number[]; next: number; last: number; used: number; /** no branching above */ chain: boolean }

export class BoundedSearch {
  readonly findings = new FindingSet();
  readonly keyer = new StateKeyer();
  /** state key → per last CPU, the fewest preemptions it was reached with */
  private readonly seen = new Map<number, number[]>();
  readonly distinct = new Set<number>();
  schedules = 0;
  maxDepth = 0;
  depth = 0;
  hitMaxSteps = false;
  /** some schedule was cut by the bound (a larger bound would explore more) */
  cut = false;
  private readonly sfp = new StepFootprint();
  private table!: ChoiceTable;

  constructor(
    private readonly program: CheckedProgram,
    private readonly o: { maxSteps: number; detectors: boolean; stopOnFirst: boolean; maxStates: number; shard?: { index: number; count: number } },
    private readonly pacer: Pacer,
  ) {}

  get states(): number { return this.distinct.size; }

  /** All schedules with at most `bound` preemptions; false when a limit stopped it. */
  run(bound: number): boolean {
    this.seen.clear();
    this.cut = false;
    const m = new Machine(this.program, { detectors: this.o.detectors, maxSteps: this.o.maxSteps });
    m.recordSteps = false;
    this.table = choiceTable(m);
    let topBranch = 0;
    const top = this.visit(m, -1, 0, true);
    if (!top) return !this.pacer.limit;
    const stack: Node[] = [top];
    let at: Node | undefined = top;
    while (stack.length) {
      if (!this.pacer.tick()) return false;
      const node = stack[stack.length - 1];
      if (node.next >= node.cands.length) { stack.pop(); continue; }
      const c = node.cands[node.next++];
      // --shard: the children of the first node with a choice are dealt out round-robin
      if (this.o.shard && node.chain && node.cands.length > 1 && (topBranch++ % this.o.shard.count) !== this.o.shard.index - 1) continue;
      const ch = this.table.choices[c];
      const en = at === node ? enabledMask(m, this.table) : -1;
      if (at !== node) m.restore(node.cp!);
      at = undefined;
      const lastEnabled = node.last >= 0 && ((en >= 0 ? en : enabledMask(m, this.table)) & (1 << node.last)) !== 0;
      const cost = ch.kind === 'irq' || (node.last >= 0 && c !== node.last && lastEnabled) ? 1 : 0;
      if (node.used + cost > bound) { this.cut = true; continue; }
      const nf = m.findings.length;
      const r = runTransition(m, ch, this.sfp, this.o.maxSteps, true);
      let fresh = false;
      for (let i = nf; i < m.findings.length; i++) if (this.findings.add(m.findings[i])) fresh = true;
      if (fresh && this.o.stopOnFirst) { this.pacer.limit = 'first-finding'; return false; }
      if (m.step > this.maxDepth) this.maxDepth = m.step;
      if (r.maxSteps) { this.hitMaxSteps = true; this.schedules++; continue; }
      const child = this.visit(m, ch.kind === 'cpu' ? c : node.last, node.used + cost, node.chain && node.cands.length === 1);
      if (this.pacer.limit) return false;
      if (child) { stack.push(child); at = child; this.depth = stack.length; }
    }
    return true;
  }

  private visit(m: Machine, last: number, used: number, chain: boolean): Node | undefined {
    const en = enabledMask(m, this.table);
    const key = this.keyer.key(m);
    if (!this.distinct.has(key)) {
      if (this.distinct.size >= this.o.maxStates) { this.pacer.limit = 'max-states'; return undefined; }
      this.distinct.add(key);
    }
    if (en === 0 || m.stuck()) { this.schedules++; return undefined; }
    let byLast = this.seen.get(key);
    if (!byLast) { byLast = []; this.seen.set(key, byLast); }
    const prev = byLast[last + 1];
    if (prev !== undefined && prev <= used) { this.schedules++; return undefined; }
    byLast[last + 1] = used;
    const list: number[] = [];
    // the running CPU first: the schedules without a preemption here come first
    if (last >= 0 && en & (1 << last)) list.push(last);
    for (let i = 0; i < this.table.count; i++) if (en & (1 << i) && i !== last) list.push(i);
    return { cp: list.length > 1 ? m.checkpoint(true) : undefined, cands: list, next: 0, last, used, chain };
  }
}
