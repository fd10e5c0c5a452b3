// Lockdep's two rules, per lock class: the IRQ-state usage rule (a class used in
// hard-IRQ context must never be taken with hard IRQs enabled) and the dependency
// graph (a cycle between classes is a possible deadlock), reported when the usages
// are first seen, without the deadlock having to happen. Trylocks neither mark
// hard-IRQ usage nor add dependencies, as in kernel/locking/lockdep.c.
import type { Machine } from './machine';
import type { Context, ContextStack, Finding, HeldLock } from './state';

interface Usage { inHardirq?: Where; hardirqOn?: Where; reported?: boolean }
/** Where a usage or a dependency was first seen; `stack` is saved as lockdep saves a trace. */
interface Where { file: string; line: number; ctx: string; cpu: number; lock: string; id: number; stack?: ContextStack }

export class Lockdep {
  private usage = new Map<string, Usage>();
  /** class → classes taken while holding it, with where the edge was first seen */
  private edges = new Map<string, Map<string, Where>>();

  constructor(private readonly m: Machine) {}

  /** The rules' memory, for a machine checkpoint (usages and edges are never mutated in place). */
  save(): unknown {
    return { usage: new Map([...this.usage].map(([k, u]) => [k, { ...u }])), edges: new Map([...this.edges].map(([k, e]) => [k, new Map(e)])) };
  }

  load(saved: unknown): void {
    const s = saved as { usage: Map<string, Usage>; edges: Map<string, Map<string, Where>> };
    this.usage = new Map([...s.usage].map(([k, u]) => [k, { ...u }]));
    this.edges = new Map([...s.edges].map(([k, e]) => [k, new Map(e)]));
  }

  /** What decides future reports, for the explorer's state key: which usages each class
   * has and which dependencies exist (not where they were first seen, which only words a
   * report, nor whether one was reported: a report already made is already a finding). */
  digest(mix: (v: number) => number, str: (s: string) => number): number {
    let sum = 0;
    for (const [cls, u] of this.usage) sum = (sum + mix(str(cls) ^ ((u.inHardirq ? 1 : 0) | (u.hardirqOn ? 2 : 0)))) | 0;
    for (const [from, out] of this.edges) for (const to of out.keys()) sum = (sum + mix(str(from) * 31 + str(to))) | 0;
    return sum;
  }

  private where(ctx: Context, h: HeldLock, withStack = false): Where {
    const r = this.m.locOf(h.loc);
    return { file: r.file, line: r.line, ctx: ctx.label, cpu: ctx.cpu, lock: this.m.describeAddr(h.addr).instance, id: ctx.id, stack: withStack ? this.m.stackOf(ctx) : undefined };
  }

  /**
   * The finding names both contexts: the one acquiring now (its live stack) and the
   * one whose earlier usage or dependency conflicts (its stack as it was then).
   */
  private withEarlier(f: Finding | undefined, ctx: Context, earlier: Where): void {
    if (!f || earlier.id === ctx.id || !earlier.stack) return;
    const i = f.stacks.findIndex(s => s.cpu === earlier.cpu && s.context === earlier.ctx);
    if (i >= 0) f.stacks[i] = earlier.stack;
    else f.stacks.push(earlier.stack);
  }

  acquire(ctx: Context, h: HeldLock): void {
    if (!this.m.detectorsOn) return;
    const cls = this.m.describeAddr(h.addr).cls;
    let u = this.usage.get(cls);
    if (!u) { u = {}; this.usage.set(cls, u); }
    let newUsage: 'in' | 'on' | undefined;
    if (ctx.kind === 'hardirq' && !h.trylock && !u.inHardirq) { u.inHardirq = this.where(ctx, h, true); newUsage = 'in'; }
    if (!h.irqsWereOff && !u.hardirqOn) { u.hardirqOn = this.where(ctx, h, true); newUsage = newUsage ?? 'on'; }
    if (newUsage && u.inHardirq && u.hardirqOn && !u.reported) {
      u.reported = true;
      const first = newUsage === 'in' ? u.hardirqOn : u.inHardirq;
      const [from, to] = newUsage === 'in' ? ['HARDIRQ-ON-W', 'IN-HARDIRQ-W'] : ['IN-HARDIRQ-W', 'HARDIRQ-ON-W'];
      const f = this.m.report('inconsistent-lock-state',
        `WARNING: inconsistent lock state\ninconsistent {${from}} -> {${to}} usage.\n` +
        `${ctx.label} on CPU#${ctx.cpu} takes ${cls} ${newUsage === 'in' ? 'in hard-IRQ context' : 'with hard IRQs enabled'} at ${this.where(ctx, h).file}:${this.where(ctx, h).line};\n` +
        `{${from}} state was registered at ${first.file}:${first.line} (${first.ctx} on CPU#${first.cpu}).\n` +
        `Possible unsafe locking scenario:\n       CPU0\n       ----\n  lock(${cls});\n  <Interrupt>\n    lock(${cls});\n\n *** DEADLOCK ***`,
        this.others(first), `:${cls}`);
      this.withEarlier(f, ctx, first);
    }
    if (h.trylock) return;
    for (const prev of ctx.held) {
      if (prev === h) continue;
      const pc = this.m.describeAddr(prev.addr).cls;
      if (pc === cls) continue; // nesting within a class needs an annotation; not an order
      let out = this.edges.get(pc);
      if (!out) { out = new Map(); this.edges.set(pc, out); }
      if (out.has(cls)) continue;
      const path = this.path(cls, pc);
      out.set(cls, this.where(ctx, h, true));
      if (path) {
        const chain = [pc, ...path].map(c => `  ${c}`).join(' -->\n');
        // the first edge of the existing chain: where the other order was established
        const earlier = this.edges.get(path[0])?.get(path[1] ?? pc);
        const f = this.m.report('lock-order',
          `WARNING: possible circular locking dependency detected\n${ctx.label} on CPU#${ctx.cpu} is trying to acquire lock ${cls} at ${this.where(ctx, h).file}:${this.where(ctx, h).line}\n` +
          `but it already holds lock ${pc}, and the existing dependency chain (in reverse order) is:\n${chain}\n` +
          (earlier ? `${path[0]} -> ${path[1] ?? pc} was first taken at ${earlier.file}:${earlier.line} (${earlier.ctx} on CPU#${earlier.cpu})\n` : '') +
          `\n *** DEADLOCK ***`, earlier ? this.others(earlier) : [], `:${[pc, cls].sort().join('|')}`);
        if (earlier) this.withEarlier(f, ctx, earlier);
      }
    }
  }

  private others(w: Where): Context[] {
    const c = this.m.contexts[w.id];
    return c && c !== this.m.cur ? [c] : [];
  }

  /** A path from `from` to `to` in the dependency graph, as the list of classes after `from`. */
  private path(from: string, to: string): string[] | undefined {
    const prev = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length) {
      const c = queue.shift()!;
      if (c === to) {
        const out: string[] = [];
        for (let x: string | undefined = to; x !== undefined && x !== from; x = prev.get(x)) out.unshift(x);
        return [from, ...out];
      }
      for (const n of this.edges.get(c)?.keys() ?? []) if (!seen.has(n)) { seen.add(n); prev.set(n, c); queue.push(n); }
    }
    return undefined;
  }
}
